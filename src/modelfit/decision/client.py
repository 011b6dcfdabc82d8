"""The client's own weights applied: the framework reweighted by the client's importances,
the recommendation under them beside the framework's, and why the two differ.

The importances themselves are parsed where they enter (`modelfit.inputs.preferences`); the
method and its references: docs/preferences.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modelfit.decision.features import to_deviations
from modelfit.decision.framework import Framework
from modelfit.decision.numbers import signed_points
from modelfit.decision.recommend import recommend
from modelfit.inputs.preferences import SHOWN_DECIMALS, Preferences
from modelfit.inputs.profile import Profile


# --- reweighting the framework ------------------------------------------------------------------
def reweighted(framework: Framework, importances: Mapping[str, float]) -> Framework:
    """A copy of `framework` whose weight matrix is rescaled by the client's importances.

    W'[c, m] = C * lambda_c * W[c, m]; priors, screens and texts unchanged.
    """
    fw = framework
    c = len(fw.criteria)
    scale = np.array([c * float(importances[k]) for k in fw.criteria])
    return dataclasses.replace(fw, weights=fw.weights * scale[:, None])


# --- the framework's answer beside the client's -------------------------------------------------
@dataclass(frozen=True)
class Reason:
    """One criterion's share of why the client's primary overtook the framework's."""

    criterion: str
    multiplier: float  # C * lambda_c
    points: float  # change of (client primary - framework primary) that this reweighting makes


@dataclass(frozen=True)
class ClientAnswer:
    """The recommendation under the client's importances, beside the framework's."""

    preferences: Preferences
    primary: str
    ranking: tuple[str, ...]
    scores: dict[str, float]
    framework_primary: str
    framework_scores: dict[str, float]
    reasons: tuple[Reason, ...]
    framework_ranking: tuple[str, ...] = ()  # the framework's ranking (screens, close call)

    @property
    def agrees(self) -> bool:
        """Whether the client's weights give the framework's primary."""
        return self.primary == self.framework_primary

    def to_dict(self) -> dict[str, Any]:
        """`client` of `recommend --json`: method, weights, primary, scores (+ CR for AHP)."""
        prefs = self.preferences
        out: dict[str, Any] = {
            "method": prefs.method,
            "weights": dict(prefs.importances),
            "primary": self.primary,
            "scores": dict(self.scores),
            "ranking": list(self.ranking),
            "multipliers": prefs.multipliers(),
            "agrees": self.agrees,
            "reasons": [{"criterion": r.criterion, "multiplier": r.multiplier, "points": r.points}
                        for r in self.reasons],
        }
        if prefs.consistency_ratio is not None:
            out["consistency_ratio"] = prefs.consistency_ratio
        return out

    def summary(self, framework: Framework, lang: str) -> str:
        """One paragraph: the client's answer, and where it differs from the framework's, why."""
        fw = framework
        method = fw.text(f"client.method_{self.preferences.method}", lang)
        if self.agrees:
            text = fw.text("client.agrees", lang, method=method,
                           primary=fw.model_name(self.primary, lang))
        else:
            text = fw.text("client.differs", lang, method=method,
                           client=fw.model_name(self.primary, lang),
                           framework=fw.model_name(self.framework_primary, lang))
            sep = " " if lang == "en" else ""
            for r in self.reasons:
                text += sep + fw.text(
                    "client.reason", lang, criterion=fw.criterion_name(r.criterion, lang),
                    multiplier=f"{r.multiplier:.2f}×", points=signed_points(r.points, lang),
                    client=fw.model_name(self.primary, lang),
                    framework=fw.model_name(self.framework_primary, lang))
        if self.preferences.consistency_ratio is not None:
            sep = " " if lang == "en" else ""
            text += sep + fw.text("client.consistency", lang,
                                  cr=f"{self.preferences.consistency_ratio:.3f}")
        return str(text)


def client_answer(profile: Profile, preferences: Preferences, framework: Framework
                  ) -> ClientAnswer:
    """Recommend `profile` under the client's importances and explain any difference."""
    fw = framework
    base = recommend(profile, fw)
    mine = recommend(profile, reweighted(fw, preferences.importances))
    reasons: list[Reason] = []
    if mine.primary != base.primary:
        ratings = profile.ratings()
        dev = to_deviations(np.array([float(ratings[c]) for c in fw.criteria]))
        p, q = fw.models.index(mine.primary), fw.models.index(base.primary)
        mult = preferences.multipliers()
        for i, crit in enumerate(fw.criteria):
            shift = (mult[crit] - 1.0) * (fw.weights[i, p] - fw.weights[i, q]) * float(dev[i])
            if shift > 1e-9:
                reasons.append(Reason(crit, mult[crit], round(float(shift), SHOWN_DECIMALS)))
        reasons.sort(key=lambda r: (-r.points, fw.criteria.index(r.criterion)))
    return ClientAnswer(
        preferences=preferences,
        primary=mine.primary,
        ranking=mine.ranking,
        scores={m: round(v, SHOWN_DECIMALS) for m, v in mine.scores.items()},
        framework_primary=base.primary,
        framework_scores=dict(base.scores),
        reasons=tuple(reasons),
        framework_ranking=base.ranking,
    )


def weights_table(answer: ClientAnswer, framework: Framework, lang: str) -> pd.DataFrame:
    """Per criterion: the framework's and the client's importance (%) and multiplier (×)."""
    import pandas as pd

    fw = framework
    c = len(fw.criteria)
    imp = answer.preferences.importances
    fw_label, client_label = fw.text("client.framework", lang), fw.text("client.client", lang)
    importance, mult = fw.text("client.importance", lang), fw.text("client.multiplier", lang)
    sep = ": " if lang == "en" else ":"
    return pd.DataFrame({
        f"{fw_label}{sep}{importance}": [f"{100 / c:.1f}%"] * c,
        f"{client_label}{sep}{importance}": [f"{100 * imp[k]:.1f}%" for k in fw.criteria],
        f"{client_label}{sep}{mult}": [f"{c * imp[k]:.2f}×" for k in fw.criteria],
    }, index=[fw.criterion_name(k, lang) for k in fw.criteria])


def scores_table(answer: ClientAnswer, framework: Framework, lang: str) -> pd.DataFrame:
    """Per model (the client's ranking): score and rank under the framework's weights and the
    client's, side by side."""
    import pandas as pd

    fw = framework
    fw_rank = list(answer.framework_ranking) or sorted(
        fw.models, key=lambda m: (-round(answer.framework_scores[m], 9), fw.models.index(m)))
    fw_label, client_label = fw.text("client.framework", lang), fw.text("client.client", lang)
    score, rank = fw.label("score", lang), fw.label("rank", lang)
    sep = ": " if lang == "en" else ":"
    return pd.DataFrame({
        f"{fw_label}{sep}{score}": [round(answer.framework_scores[m], 2) for m in answer.ranking],
        f"{fw_label}{sep}{rank}": [fw_rank.index(m) + 1 for m in answer.ranking],
        f"{client_label}{sep}{score}": [round(answer.scores[m], 2) for m in answer.ranking],
        f"{client_label}{sep}{rank}": list(range(1, len(answer.ranking) + 1)),
    }, index=[fw.model_name(m, lang) for m in answer.ranking])
