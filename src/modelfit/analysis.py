"""Analysis: the recommendation together with how sure it is and the classifier's second opinion.

`analyse_company` is the one place that assembles the full answer for a company; the command
line's `recommend --json`, the reports and the portfolio all use it, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelfit.core.reproducible import rounded
from modelfit.core.vocab import RATINGS
from modelfit.decision.client import ClientAnswer, client_answer
from modelfit.decision.framework import Framework
from modelfit.decision.markets import MarketsAnswer
from modelfit.decision.recommend import Recommendation, recommend
from modelfit.decision.robustness import Robustness, sureness
from modelfit.decision.robustness import analyse as robustness_of
from modelfit.inputs.preferences import Preferences, parse
from modelfit.inputs.profile import FIELDS, Profile
from modelfit.outcome.classifier import SecondOpinion
from modelfit.outcome.economics import MoneyPlan
from modelfit.outcome.predictor import find_default_model

if TYPE_CHECKING:
    import pandas as pd

FIELD_SPECS = {f.name: f for f in FIELDS}



# What a field is compared against when asking which fields pushed the classifier: an average
# rating, or the field's documented default.
def reference_value(name: str) -> Any:
    """The neutral value of a profile field: rating 3, else the field's documented default."""
    if name in RATINGS:
        return 3
    if FIELD_SPECS[name].kind == "list" and FIELD_SPECS[name].default is None:
        return []  # channels not named are read as none running, as `Profile.fields` does
    return FIELD_SPECS[name].default


@dataclass(frozen=True)
class Driver:
    """How much one field's value moved the classifier toward its pick."""

    field: str
    value: Any
    reference: Any
    push: float  # change in the probability of the classifier's pick, value vs reference


@dataclass(frozen=True)
class Analysis:
    """One company's full answer."""

    rec: Recommendation
    robustness: Robustness
    classifier: SecondOpinion | None
    drivers: tuple[Driver, ...] = ()
    model_sha256: str | None = None
    client: ClientAnswer | None = None  # the answer under the client's own weights, if given
    economics: MoneyPlan | None = None
    markets: MarketsAnswer | None = None  # per target market: platforms, routes, rules

    def to_frame(self) -> pd.DataFrame:
        """The contributions as a tidy table (`Recommendation.to_frame`)."""
        return self.rec.to_frame()

    @property
    def disagrees(self) -> bool:
        """Whether the classifier picks another model than the framework."""
        return self.classifier is not None and self.classifier.primary != self.rec.primary

    @property
    def level(self) -> str:
        """How sure, in one word (`modelfit.decision.robustness.sureness`)."""
        return sureness(self.robustness.confidence, self.robustness.margin, self.disagrees)

    def to_dict(self) -> dict[str, Any]:
        """The `recommend --json` object: the recommendation, `robustness`, `classifier`,
        `client` (None without client preferences), `economics` (the money plan's object,
        `modelfit.outcome.economics`) and `markets` (`modelfit.decision.markets_json`)."""
        out = self.rec.to_dict()
        out["robustness"] = self.robustness.to_dict()
        margin = self.robustness.margin
        out["robustness"]["margin"] = None if margin is None else round(margin, 6)
        out["robustness"]["level"] = self.level
        out["classifier"] = None if self.classifier is None else self.classifier.to_dict()
        out["client"] = None if self.client is None else self.client.to_dict()
        out["economics"] = None if self.economics is None else self.economics.to_dict()
        out["markets"] = None if self.markets is None else self.markets.to_dict()
        return out


def analyse_company(
    profile: Profile, framework: Framework | None = None, *, lang: str = "en", seed: int = 0,
    model_path: str | Path | None = None, use_model: bool = True,
    preferences: Preferences | None = None,
    constraints: Sequence[tuple[str, str]] | None = None, as_of: date | None = None,
) -> Analysis:
    """Recommend, measure robustness (seeded) and ask the classifier when a model is available.

    `model_path=None` looks for the default `data/classifier.skops`; a missing default means no
    second opinion (`classifier` is None), while a named model that is missing or unsafe is an
    error. `use_model=False` skips the classifier. `preferences` (else the profile's own
    `preferences:`) adds the answer under the client's weights. `constraints` (pairs (a, b):
    a matters at least as much as b) restrict the robustness analysis's weight samples.
    `as_of` is the day whose market rules and fees apply (default: today).
    """
    fw = framework or Framework.load()
    rec = recommend(profile, fw, lang)
    rob = robustness_of(profile, fw, seed=seed, constraints=constraints)
    if preferences is None and profile.preferences is not None:
        preferences = parse(profile.preferences, fw.criteria, source="preferences")
    client = None if preferences is None else client_answer(profile, preferences, fw)
    day = as_of or date.today()
    economics = economics_of(profile, rec, lang, day)
    markets = markets_of(profile, rec, fw, lang, day)
    opinion = None
    drivers: tuple[Driver, ...] = ()
    if use_model:
        path = Path(model_path) if model_path is not None else find_default_model()
        if path is not None:
            return Analysis(rec=rec, robustness=rob, client=client, economics=economics,
                            markets=markets, **second_opinion_of(profile, path))
    return Analysis(rec=rec, robustness=rob, classifier=opinion, drivers=drivers, client=client,
                    economics=economics, markets=markets)


def analyse(
    profile: Profile, *, seed: int = 0, model: str | Path | None = None,
    framework: Framework | None = None, lang: str = "en", as_of: date | None = None,
) -> Analysis:
    """The full answer for one company, as `modelfit recommend --json` gives it: the
    recommendation, robustness (seeded), the money plan and, when a classifier is there, its
    second opinion. `.to_dict()` is exactly the JSON object.

    `model` names a trained classifier (default: the project's `data/classifier.skops` when it
    exists); `framework` an edited framework (default: the bundled one); `as_of` the day whose
    market rules and fees apply (default: today).
    """
    return analyse_company(profile, framework, lang=lang, seed=seed, model_path=model,
                           as_of=as_of)


def economics_of(profile: Profile, rec: Recommendation, lang: str = "en",
                 as_of: date | None = None) -> MoneyPlan:
    """The money plan of `profile`, its distribution figures for the kind the recommendation
    names (the first distribution entry of `rec.channel_details`, when the recommendation has
    them), else for the kind worth most for the company; the recommended plan itself costed
    (`plan`) with its `warnings` in `lang`, under the dated rules of `as_of` (default today)."""
    from modelfit.outcome.economics import money_plan, plan_kind

    details = getattr(rec, "channel_details", None)
    return money_plan(profile, plan_kind(details), channel_details=details, lang=lang,
                      as_of=as_of)


def markets_of(profile: Profile, rec: Recommendation, fw: Framework, lang: str,
               as_of: date) -> MarketsAnswer:
    """Where to sell, on which platform, by which route, under which rules, for `profile`'s
    target markets on `as_of` (`modelfit.decision.markets`), for the recommended plan."""
    from modelfit.decision.markets import market_answer

    return market_answer(profile, channels=rec.channels,
                         plan_name=fw.model_name(rec.primary, lang), lang=lang, as_of=as_of)


def second_opinion_of(profile: Profile, path: Path) -> dict[str, Any]:
    """Load the model at `path` (checked), ask it about `profile`, and find what pushed it:
    the `classifier`, `drivers` and `model_sha256` fields of an `Analysis`."""
    from modelfit.outcome.classifier import second_opinion
    from modelfit.outcome.modelfile import load_fast, read_card

    model = load_fast(path)
    opinion = second_opinion(model, profile)
    return {"classifier": opinion,
            "drivers": classifier_drivers(model, profile, opinion.primary),
            "model_sha256": str(read_card(path).get("model_sha256", ""))}


def classifier_drivers(model: Any, profile: Profile, target: str, top: int = 5) -> tuple[Driver, ...]:
    """The fields that pushed the classifier toward `target` the most, by occlusion.

    For each field whose value differs from its neutral value (`reference_value`), the profile is
    re-scored with that one field set to neutral; the push is P(target | profile) minus
    P(target | profile with the field neutral). One vectorised predict call; largest |push| first.
    """
    import pandas as pd

    from modelfit.outcome.pipelines import to_model_frame

    fields = profile.outcome_fields()
    names = [f.name for f in FIELDS if f.name not in ("company", "stage")]
    changed = [n for n in names if _differs(fields[n], reference_value(n))]
    rows = [fields] + [{**fields, n: _as_field(reference_value(n))} for n in changed]
    proba = model.predict_proba(to_model_frame(pd.DataFrame(rows)))
    classes = [str(c) for c in model.classes_]
    if target not in classes:
        return ()
    p = proba[:, classes.index(target)]
    # Rounded at the source, like the probabilities: no machine's last bits reach a report.
    out = [Driver(n, fields[n], reference_value(n), rounded(p[0] - p[i + 1]))
           for i, n in enumerate(changed)]
    out.sort(key=lambda d: (-abs(d.push), names.index(d.field)))
    return tuple(d for d in out[:top] if abs(d.push) >= 0.005)


def _as_field(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _differs(value: Any, reference: Any) -> bool:
    return bool(_as_field(value) != _as_field(reference))

