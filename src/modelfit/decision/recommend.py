"""Recommendation: primary model, channels, contributions, rationale, checklist and F-notes.

The plan follows the article at every edge (docs/framework.md):
- the stage rule names the core (S1: the platform; S3's hybrid: the own site), and the screens
  decide which models may lead at all (R1 at weak capital, S1 at start-up, S2 before a platform
  store runs); the resource rules add auxiliary channels around the core (R2: platform and
  distribution; R3/R4: the own site, unless S2's precondition keeps it for the next step);
- a distribution channel has one of the article's kinds (dropshipping, small-B, overseas
  distributors), named by the framework's `distribution_kinds`;
- every rationale line supports the plan or says which rule adjusted or outweighed it, with the
  points (`Rationale.status`, `Rationale.by`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import LANGUAGES
from modelfit.decision.features import to_deviations
from modelfit.decision.framework import Framework
from modelfit.decision.framework_rules import READINESS, Screen
from modelfit.decision.numbers import signed_points
from modelfit.decision.plan import (
    ChannelDetail,
    Plan,
    Situation,
    build_plan,
    f_notes,
    plan_details,
    rule_fired,
)

__all__ = ["STAGE_PRIOR", "STRONG", "WEAK", "ChannelDetail", "Rationale", "Recommendation",
           "channel_name", "plan_details", "recommend", "rule_fired", "screens_fired"]
from modelfit.decision.scoring import (
    TIE_DECIMALS,
    close_call,
    criterion_points,
    fired_screens,
    held_by,
    ranking_index,
    readiness,
    running_matrix,
    score_matrix,
)
from modelfit.inputs.profile import Profile

if TYPE_CHECKING:
    import pandas as pd

STAGE_PRIOR = "stage_prior"
WEAK = 2  # a rating at or below this is a weakness; 4 and 5 are strengths
STRONG = 4


@dataclass(frozen=True)
class Rationale:
    """One line of 'why', citing the framework rule behind it.

    `status`: `supports` (the plan does what the rule says), `adjusted` (the rule holds, changed
    by the rules in `by`), `outweighed` (the rules in `by` won, with the points in the text) or
    `kept_out` (the rule's channel waits for a later step, kept out by the screens in `by`).
    `key` names the framework text used.
    """

    rule: str
    text: str
    status: str = "supports"
    by: tuple[str, ...] = ()
    key: str = ""


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
    channel_details: tuple[ChannelDetail, ...] = ()
    plan_notes: tuple[Rationale, ...] = ()
    screens: tuple[str, ...] = ()  # ids of the screens that fired
    # ids of the rules that hold the primary in place against a model that scores more before
    # screens (empty: the scores alone decide)
    held_by: tuple[str, ...] = ()
    channels_known: bool = False  # whether the profile said which channels run
    running: tuple[str, ...] = ()  # the channels known to run

    @property
    def core(self) -> str:
        """The plan's core channel."""
        return self.channels[0]

    def kind(self, channel: str = "distribution") -> str | None:
        """The kind of `channel` in the plan (None when it has none or is not in the plan)."""
        return next((d.kind for d in self.channel_details if d.channel == channel), None)

    @property
    def runner_up(self) -> str:
        """The second model of the ranking."""
        return self.ranking[1]

    @property
    def margin(self) -> float:
        """Points between the primary and the runner-up."""
        return self.scores[self.primary] - self.scores[self.runner_up]

    def to_frame(self) -> pd.DataFrame:
        """The contributions as a tidy pandas DataFrame: one row per (model, term) with its
        `points`, models in ranking order; a model's points sum to its score."""
        import pandas as pd

        return pd.DataFrame([(m, t, p) for m in self.ranking
                             for t, p in self.contributions[m].items()],
                            columns=["model", "term", "points"])

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
            "rationale": [{"rule": r.rule, "text": r.text, "status": r.status, "by": list(r.by)}
                          for r in self.rationale],
            "checklist": {c: list(items) for c, items in self.checklist.items()},
            "notes": dict(self.notes),
            "framework_version": self.framework_version,
            "lang": self.lang,
            "channel_details": [d.to_dict() for d in self.channel_details],
            "plan_notes": [{"rule": n.rule, "text": n.text} for n in self.plan_notes],
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
    running = running_matrix([profile.existing_channels], fw)
    scores_m, flags_m = score_matrix(ratings, stage_idx, fw, running)
    fired_m = fired_screens(ratings, fw, stage_idx, running)
    fired = tuple(sc.id for sc, on in zip(fw.screens, fired_m[0], strict=True) if on)
    order = ranking_index(scores_m, flags_m, close_call(fw, stage_idx, running))[0]
    ranking = tuple(fw.models[i] for i in order)
    scores = {m: float(scores_m[0, i]) for i, m in enumerate(fw.models)}
    screened = {m for i, m in enumerate(fw.models) if flags_m[0, i] > 0}
    points = criterion_points(to_deviations(ratings), fw.weights)[0]
    contributions = _contributions(fw, stage_idx[0], points, rating_map, fired)
    primary = ranking[0]
    held = held_by(scores_m, flags_m, fired_m, order[:1], fw)[0]
    situation = Situation(stage=profile.stage, ratings=dict(rating_map),
                          running=profile.existing_channels,
                          readiness=READINESS[int(readiness(ratings, fw)[0])], fired=fired)
    plan = build_plan(fw, primary, scores, situation, lang)
    close = close_call(fw, stage_idx, running)
    plain = ranking_index(scores_m, flags_m)[0]
    ctx = _Context(fw=fw, stage=profile.stage, ranking=ranking, scores=scores,
                   contributions=contributions, ratings=rating_map, lang=lang, fired=fired,
                   screened=screened, plan=plan, situation=situation, held_by=held,
                   scores_order=tuple(fw.models[i] for i in plain),
                   prefer=({} if close is None else
                           {m: float(close.prefer[0, i]) for i, m in enumerate(fw.models)}))
    channels = plan.channels
    return Recommendation(
        company_id=profile.company_id,
        company=profile.company,
        stage=profile.stage,
        primary=primary,
        channels=channels,
        ranking=ranking,
        scores=scores,
        contributions=contributions,
        rationale=_rationale(ctx),
        checklist={c: tuple(fw.o_points(c, lang)) for c in channels if fw.o_points(c, lang)},
        notes=f_notes(fw, profile.stage, channels, plan.details, lang),
        framework_version=fw.version,
        lang=lang,
        ratings=dict(rating_map),
        channel_details=plan.details,
        plan_notes=_plan_notes(ctx),
        screens=fired,
        held_by=held,
        channels_known=profile.channels_known,
        running=profile.running,
    )


def channel_name(fw: Framework, detail: ChannelDetail, lang: str) -> str:
    """How a plan's channel is named: as a channel (平台店铺, 独立站), or by the distribution
    kind's name; never as a model (模式)."""
    if detail.kind is not None:
        return fw.kind_name(detail.kind, lang)
    return fw.channel_label(detail.channel, lang)


def screens_fired(
    fw: Framework, ratings: dict[str, int], stage: str | None = None,
    existing: tuple[str, ...] | None = None,
) -> list[Screen]:
    """The framework's screens that fire for these ratings (and stage and running channels)."""
    row = np.array([[ratings[c] for c in fw.criteria]], dtype=float)
    stage_idx = None if stage is None else np.array([fw.stages.index(stage)])
    if stage_idx is None:  # without a stage, only the rating screens can be judged
        return [s for s in fw.screens if s.stage is None and s.without_channel is None
                and s.own_site is None and s.criterion is not None and s.max_rating is not None
                and ratings[s.criterion] <= s.max_rating]
    fired = fired_screens(row, fw, stage_idx, running_matrix([existing], fw))[0]
    return [s for s, on in zip(fw.screens, fired, strict=True) if on]


def _contributions(
    fw: Framework, stage: int, points: np.ndarray, ratings: dict[str, int],
    fired: tuple[str, ...],
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for m, model in enumerate(fw.models):
        terms = {STAGE_PRIOR: float(fw.priors[stage, m])}
        terms.update({c: float(points[i, m]) for i, c in enumerate(fw.criteria)})
        for screen in fw.screens:
            if screen.id in fired and model in screen.models and screen.penalty:
                terms[f"screen_{screen.id}"] = -float(screen.penalty)
        out[model] = terms
    return out


@dataclass(frozen=True)
class _Context:
    fw: Framework
    stage: str
    ranking: tuple[str, ...]
    scores: dict[str, float]
    contributions: dict[str, dict[str, float]]
    ratings: dict[str, int]
    lang: str
    fired: tuple[str, ...]
    screened: set[str]
    plan: Plan
    situation: Situation
    held_by: tuple[str, ...]
    scores_order: tuple[str, ...]  # the ranking without the close call
    prefer: dict[str, float]  # the close call's preference per model


    def fired_rule(self, rule: str) -> bool:
        return rule_fired(self.fw, rule, self.ratings)

    def plan_kind(self) -> str | None:
        return next((d.kind for d in self.plan.details if d.channel == "distribution"), None)


# --- rationale --------------------------------------------------------------------------------
def _pts(ctx: _Context, value: float) -> str:
    return signed_points(value, ctx.lang)


def _by_points(ctx: _Context, winner: str, loser: str) -> tuple[tuple[str, ...], str]:
    """The rules whose criteria gave `winner` its lead over `loser`, with the points."""
    fw = ctx.fw
    deltas = [(ctx.contributions[winner][c] - ctx.contributions[loser][c], c)
              for c in fw.criteria]
    ahead = sorted(((d, c) for d, c in deltas if round(d, TIE_DECIMALS) > 0),
                   key=lambda t: (-t[0], fw.criteria.index(t[1])))
    if not ahead:
        return ("tie",), fw.label("tie_rule", ctx.lang)
    sep = ", " if ctx.lang == "en" else "、"
    # A rating of 1-2 that helped the winner is a weakness of the company that costs the heavier
    # model more, never an advantage (only 4-5 are strengths).
    text = sep.join(fw.text("by_weak_rule" if ctx.ratings[c] <= WEAK else "by_rule", ctx.lang,
                            rule=fw.criterion_rule(c), criterion=fw.criterion_name(c, ctx.lang),
                            points=_pts(ctx, d), rating=ctx.ratings[c])
                    for d, c in ahead)
    return tuple(fw.criterion_rule(c) for _, c in ahead), text


def _by_screens(ctx: _Context, ids: Sequence[str]) -> str:
    fw = ctx.fw
    parts = []
    for screen in fw.screens:
        if screen.id not in ids:
            continue
        rating = ctx.ratings[screen.criterion] if screen.criterion is not None else ""
        text = fw.text(f"screen.{screen.id}", ctx.lang, rating=rating,
                       penalty=_pts(ctx, -float(screen.penalty)))
        parts.append(fw.text("by_screen", ctx.lang, text=text, rule=screen.id))
    return ("; " if ctx.lang == "en" else "；").join(parts)


def _screens_on(ctx: _Context, model: str) -> list[str]:
    return [s.id for s in ctx.fw.screens if s.id in ctx.fired and model in s.models]


def _rationale(ctx: _Context) -> tuple[Rationale, ...]:
    lines = [_summary_line(ctx), _stage_line(ctx)]
    for rule in ctx.fw.rule_triggers:
        if ctx.fired_rule(rule):
            lines.append(_rule_line(ctx, rule))
    lines.extend(_situation_lines(ctx))
    return tuple(lines)


def _situation_lines(ctx: _Context) -> list[Rationale]:
    """The C-rules that shaped the plan: running channels kept or wound down (C1), the own site
    held back from the core (C3) or to a next step (C4)."""
    fw, lang, plan = ctx.fw, ctx.lang, ctx.plan
    ratings = ctx.ratings
    figures = {"brand": ratings["brand_content"], "tech": ratings["tech_data"],
               "capital": ratings["capital"]}
    keep = fw.close_call.keep_rule if fw.close_call is not None else "C1"
    out = []

    def names(details: Sequence[ChannelDetail]) -> str:
        sep = " and " if lang == "en" else "和"
        return sep.join(channel_name(fw, d, lang) for d in details)

    kept = [d for d in plan.details if keep in d.rules and d.role == "auxiliary"]
    if kept:
        many = len(kept) > 1
        out.append(Rationale(keep, fw.text(
            "situation.line_C1", lang, channels=names(kept), verb="run" if many else "runs",
            stays="stay" if many else "stays"), key="situation.line_C1"))
    for d in plan.with_role("wind_down"):
        out.append(Rationale(keep, fw.text(
            "situation.line_wind_down", lang, channels=names([d]), verb="runs",
            leaves="leaves", reason=d.reason or ""), status="adjusted", by=d.rules,
            key="situation.line_wind_down"))
    readiness_rule = fw.own_site.rule if fw.own_site is not None else "C3"
    moved = any(readiness_rule in d.rules for d in plan.with_role("core"))
    if readiness_rule in ctx.fired and (moved or readiness_rule in ctx.held_by):
        out.append(Rationale(readiness_rule, fw.text("situation.line_C3", lang, **figures),
                             status="adjusted", by=(readiness_rule,), key="situation.line_C3"))
    if "C4" in ctx.fired and any("C4" in d.rules for d in plan.with_role("next_step")):
        out.append(Rationale("C4", fw.text("situation.line_C4", lang, **figures),
                             status="kept_out", by=("C4",), key="situation.line_C4"))
    return out


def _summary_line(ctx: _Context) -> Rationale:
    fw, lang, scores = ctx.fw, ctx.lang, ctx.scores
    primary, second = ctx.ranking[0], ctx.ranking[1]
    name = fw.model_name
    top = min(fw.models, key=lambda m: (-round(scores[m], TIE_DECIMALS), fw.models.index(m)))
    close = fw.close_call.rule if fw.close_call is not None else "C2"
    rival = ctx.scores_order[0] if ctx.scores_order else primary
    if rival != primary and rival not in ctx.screened:  # the close call put the primary first
        keeps = ctx.prefer.get(primary, 0.0) >= ctx.prefer.get(rival, 0.0) + 2
        key = "summary_close_keep" if keeps else "summary_close_stage"
        return Rationale("score", fw.text(
            key, lang, primary=name(primary, lang), score=scores[primary],
            top=name(rival, lang), top_score=scores[rival]),
            status="adjusted", by=(close,), key=key)
    if round(scores[top], TIE_DECIMALS) > round(scores[primary], TIE_DECIMALS):
        ids = tuple(_screens_on(ctx, top))
        return Rationale("score", fw.text(
            "summary_screened", lang, primary=name(primary, lang), score=scores[primary],
            top=name(top, lang), top_score=scores[top], by=_by_screens(ctx, ids),
        ), status="adjusted", by=ids, key="summary_screened")
    if (second not in ctx.screened
            and round(scores[second], TIE_DECIMALS) == round(scores[primary], TIE_DECIMALS)):
        return Rationale("score", fw.text(
            "summary_tie", lang, primary=name(primary, lang), second=name(second, lang),
            score=scores[primary]), status="adjusted", by=("tie",), key="summary_tie")
    return Rationale("score", fw.text(
        "summary", lang, primary=name(primary, lang), score=scores[primary],
        second=name(second, lang), second_score=scores[second],
        gap=scores[primary] - scores[second],
    ), key="summary")


def _stage_line(ctx: _Context) -> Rationale:
    fw, lang = ctx.fw, ctx.lang
    rule = fw.stage_rule(ctx.stage)
    default = fw.stage_defaults[ctx.stage]
    primary = ctx.ranking[0]
    stage_name = fw.stage_name(ctx.stage, lang)
    if rule == "S1" and ctx.plan_kind() == "small_b":
        return Rationale(rule, fw.text("stage_variant.S1_small_b", lang), status="adjusted",
                         by=("R2",), key="stage_variant.S1_small_b")
    if (rule == "S2" and primary == default and "independent_site" in ctx.situation.runs
            and "platform" not in ctx.situation.runs):
        return Rationale(rule, fw.text("stage_variant.S2_site_first", lang), status="adjusted",
                         by=(ctx.fw.close_call.keep_rule if ctx.fw.close_call else "C1",),
                         key="stage_variant.S2_site_first")
    readiness_rule = ctx.fw.own_site.rule if ctx.fw.own_site is not None else "C3"
    if (rule == "S3" and primary == default
            and any(readiness_rule in d.rules for d in ctx.plan.with_role("core"))):
        return Rationale(rule, fw.text("stage_variant.S3_platform_core", lang),
                         status="adjusted", by=(readiness_rule,),
                         key="stage_variant.S3_platform_core")
    if rule in ctx.fired and rule != "S1":  # the stage's own precondition (S2) holds it back
        return Rationale(rule, fw.text(f"stage_variant.{rule}_precondition", lang),
                         key=f"stage_variant.{rule}_precondition")
    if primary == default:
        return Rationale(rule, fw.text(f"stage_rule.{rule}", lang), key=f"stage_rule.{rule}")
    if default in ctx.screened:
        held = _screens_on(ctx, default)
        return Rationale(rule, fw.text(
            "stage_variant.held", lang, rule=rule, stage=stage_name,
            default=fw.model_name(default, lang), by=_by_screens(ctx, held),
        ), status="outweighed", by=tuple(held), key="stage_variant.held")
    ids, by = _by_points(ctx, primary, default)
    return Rationale(rule, fw.text(
        "stage_variant.outweighed", lang, rule=rule, stage=stage_name,
        default=fw.model_name(default, lang), default_score=ctx.scores[default],
        primary=fw.model_name(primary, lang), score=ctx.scores[primary], by=by,
    ), status="outweighed", by=ids, key="stage_variant.outweighed")


def _rule_line(ctx: _Context, rule: str) -> Rationale:
    fw, lang = ctx.fw, ctx.lang
    trig = fw.rule_triggers[rule]
    rating = ctx.ratings[trig.criterion]
    pts = _pts(ctx, ctx.contributions[trig.model][trig.criterion])
    channels = ctx.plan.channels
    screen = next((s for s in fw.screens if s.id == rule), None)
    penalty = _pts(ctx, -float(screen.penalty)) if screen else "0"

    def line(key: str, status: str = "supports", ids: tuple[str, ...] = (),
             **extra: str) -> Rationale:
        return Rationale(rule, fw.text(key, lang, rating=rating, points=pts, penalty=penalty,
                                       **extra), status=status, by=ids, key=key)

    own_site_test = ("independent_site" in channels and channels[0] != "independent_site"
                     and ("S1" in ctx.fired or "R1" in ctx.fired))
    site_runs = "independent_site" in ctx.situation.runs
    if screen is not None:  # a rule that screens (R1): the text states the screen's effect
        if own_site_test:
            return line(f"rule_variant.{rule}_keep" if site_runs else f"rule_variant.{rule}_test")
        return line(f"rule.{rule}")
    wanted = [c for aux in fw.auxiliary if aux.rule == rule for c in aux.add]
    if rule in ctx.plan.kept_out:
        return line(f"rule_variant.{rule}_later", "kept_out", ctx.plan.kept_out[rule])
    if wanted and not set(wanted) <= set(channels):
        winner = ctx.ranking[0]
        ids, by = _by_points(ctx, winner, trig.model)
        return line(f"rule_variant.{rule}_outweighed", "outweighed", ids,
                    primary=fw.model_name(winner, lang), by=by)
    if "distribution" in wanted:
        kind = ctx.plan_kind()
        if kind == "distributors":
            return line(f"rule_variant.{rule}_distributors", "adjusted", (fw.stage_rule(ctx.stage),))
        if kind == "dropshipping":
            return line(f"rule_variant.{rule}_dropshipping", "adjusted", ("R1",))
    if "independent_site" in wanted and own_site_test:
        test_ids = tuple(s for s in ("S1", "R1") if s in ctx.fired)
        return line(f"rule_variant.{rule}_test", "adjusted", test_ids,
                    by=(" and " if lang == "en" else "、").join(
                        fw.text(f"screen_reason.{i}", lang) for i in test_ids))
    return line(f"rule.{rule}")


def _plan_notes(ctx: _Context) -> tuple[Rationale, ...]:
    """The next step and its trigger (S2), local platforms (S3), the light own-site test."""
    fw, lang, channels = ctx.fw, ctx.lang, ctx.plan.channels
    out = []
    if "S2" in ctx.fired:
        out.append(Rationale("S2", fw.text("plan_note.S2_next", lang), key="plan_note.S2_next"))
    elif ctx.stage == "growth" and not ctx.situation.known and "platform" in channels:
        out.append(Rationale("S2", fw.text("plan_note.S2_assumed", lang),
                             key="plan_note.S2_assumed"))

    if ctx.stage == "mature" and "platform" in channels:
        out.append(Rationale("S3", fw.text("plan_note.S3_local", lang), key="plan_note.S3_local"))
    if ("independent_site" in channels and channels[0] != "independent_site"
            and ("S1" in ctx.fired or "R1" in ctx.fired)):
        rule = "S1" if "S1" in ctx.fired else "R1"
        # an own site that already runs is kept light, not built as a test
        key = ("plan_note.keep_site_light" if "independent_site" in ctx.situation.runs
               else "plan_note.test_site")
        out.append(Rationale(rule, fw.text(key, lang), key=key))
    return tuple(out)

