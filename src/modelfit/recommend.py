"""Recommendation: primary model, channels, contributions, rationale, checklist and F-notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from modelfit.errors import ModelfitError
from modelfit.features import to_deviations
from modelfit.framework import LANGUAGES, Framework
from modelfit.profile import Profile
from modelfit.scoring import criterion_points, ranking_index, score_matrix

STAGE_PRIOR = "stage_prior"


@dataclass(frozen=True)
class Rationale:
    """One line of 'why', citing the framework rule behind it."""

    rule: str
    text: str


@dataclass(frozen=True)
class Recommendation:
    """What the framework says for one company."""

    company_id: str
    company: str
    stage: str
    primary: str
    channels: tuple[str, ...]
    ranking: tuple[str, ...]
    scores: dict[str, float]
    contributions: dict[str, dict[str, float]]
    rationale: tuple[Rationale, ...]
    checklist: dict[str, tuple[str, ...]]
    notes: dict[str, str]
    framework_version: str
    lang: str
    ratings: dict[str, int] = field(default_factory=dict)

    @property
    def runner_up(self) -> str:
        """The second model of the ranking."""
        return self.ranking[1]

    @property
    def margin(self) -> float:
        """Points between the primary and the runner-up."""
        return self.scores[self.primary] - self.scores[self.runner_up]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of DESIGN.md (plus rationale, checklist and notes)."""
        return {
            "company_id": self.company_id,
            "company": self.company,
            "stage": self.stage,
            "primary": self.primary,
            "channels": list(self.channels),
            "ranking": list(self.ranking),
            "scores": dict(self.scores),
            "contributions": {m: dict(c) for m, c in self.contributions.items()},
            "rationale": [{"rule": r.rule, "text": r.text} for r in self.rationale],
            "checklist": {c: list(items) for c, items in self.checklist.items()},
            "notes": dict(self.notes),
            "framework_version": self.framework_version,
            "lang": self.lang,
        }


def recommend(
    profile: Profile, framework: Framework | None = None, lang: str = "en",
) -> Recommendation:
    """Score one profile with the framework and build its recommendation in `lang`."""
    if lang not in LANGUAGES:
        raise ModelfitError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    fw = framework or Framework.load()
    rating_map = profile.ratings()
    ratings = np.array([[rating_map[c] for c in fw.criteria]], dtype=float)
    stage_idx = np.array([fw.stages.index(profile.stage)])
    scores_m, penalty_m = score_matrix(ratings, stage_idx, fw)
    order = ranking_index(scores_m, penalty_m)[0]
    ranking = tuple(fw.models[i] for i in order)
    scores = {m: float(scores_m[0, i]) for i, m in enumerate(fw.models)}
    points = criterion_points(to_deviations(ratings), fw.weights)[0]
    contributions = _contributions(fw, stage_idx[0], points, rating_map)
    primary = ranking[0]
    channels = _channels(fw, primary, profile.stage, scores, rating_map)
    return Recommendation(
        company_id=profile.company_id,
        company=profile.company,
        stage=profile.stage,
        primary=primary,
        channels=channels,
        ranking=ranking,
        scores=scores,
        contributions=contributions,
        rationale=_rationale(fw, profile.stage, ranking, scores, contributions, rating_map, lang),
        checklist={c: tuple(fw.o_points(c, lang)) for c in channels if fw.o_points(c, lang)},
        notes=_notes(fw, profile.stage, channels, lang),
        framework_version=fw.version,
        lang=lang,
        ratings=dict(rating_map),
    )


def rule_fired(fw: Framework, rule: str, ratings: dict[str, int]) -> bool:
    """Whether the R-rule's trigger holds for these ratings."""
    trig = fw.rule_triggers[rule]
    value = ratings[trig["criterion"]]
    return bool(value <= trig.get("max_rating", 5) and value >= trig.get("min_rating", 1))


def screens_fired(fw: Framework, ratings: dict[str, int]) -> list[dict[str, Any]]:
    """The framework's screens that fire for these ratings."""
    return [s for s in fw.screens if ratings[s["criterion"]] <= s["max_rating"]]


def _contributions(
    fw: Framework, stage: int, points: np.ndarray, ratings: dict[str, int],
) -> dict[str, dict[str, float]]:
    fired = screens_fired(fw, ratings)
    out: dict[str, dict[str, float]] = {}
    for m, model in enumerate(fw.models):
        terms = {STAGE_PRIOR: float(fw.priors[stage, m])}
        terms.update({c: float(points[i, m]) for i, c in enumerate(fw.criteria)})
        for screen in fired:
            if model in screen["models"]:
                terms[f"screen_{screen['id']}"] = -float(screen["penalty"])
        out[model] = terms
    return out


def _channels(
    fw: Framework, primary: str, stage: str, scores: dict[str, float], ratings: dict[str, int],
) -> tuple[str, ...]:
    plan = list(fw.plans[primary][stage])
    for aux in fw.auxiliary:
        if rule_fired(fw, aux["rule"], ratings) and set(plan) & set(aux["with_any"]):
            plan += [c for c in aux["add"] if c not in plan]

    def key(channel: str) -> tuple[float, int]:
        return (-round(scores[channel], 9), fw.models.index(channel))

    core = primary if primary in fw.base_channels else min(plan, key=key)
    return (core, *sorted((c for c in plan if c != core), key=key))


def _rationale(
    fw: Framework, stage: str, ranking: tuple[str, ...], scores: dict[str, float],
    contributions: dict[str, dict[str, float]], ratings: dict[str, int], lang: str,
) -> tuple[Rationale, ...]:
    primary, second = ranking[0], ranking[1]
    lines = [Rationale("score", fw.text(
        "summary", lang, primary=fw.model_name(primary, lang), score=scores[primary],
        second=fw.model_name(second, lang), second_score=scores[second],
        gap=scores[primary] - scores[second],
    ))]
    rule = fw.stage_rule(stage)
    lines.append(Rationale(rule, fw.text(f"stage_rule.{rule}", lang)))
    for rule, trig in fw.rule_triggers.items():
        if rule_fired(fw, rule, ratings):
            pts = contributions[trig["model"]][trig["criterion"]]
            lines.append(Rationale(rule, fw.text(
                f"rule.{rule}", lang, rating=ratings[trig["criterion"]], points=pts,
            )))
    for screen in screens_fired(fw, ratings):
        lines.append(Rationale(screen["id"], fw.text(
            f"screen.{screen['id']}", lang, rating=ratings[screen["criterion"]],
            penalty=-float(screen["penalty"]),
        )))
    return tuple(lines)


def _notes(fw: Framework, stage: str, channels: tuple[str, ...], lang: str) -> dict[str, str]:
    out = {}
    for note, cond in fw.f_note_conditions.items():
        applies = (
            bool(cond.get("always"))
            or stage in cond.get("stage", [])
            or bool(set(channels) & set(cond.get("channels", [])))
            or (bool(cond.get("channels_all")) and set(cond["channels_all"]) <= set(channels))
        )
        if applies:
            out[note] = fw.f_note(note, lang)
    return out
