"""The plan for the company as it is: which channels run, with which role, and why.

`build_plan` turns the primary model into channels with roles (docs/framework.md):
- the primary's own plan for the stage, with the channels the R-rules add (R2: platform and
  distribution; R3/R4: the own site, unless S2's precondition keeps it for later);
- the core: the primary itself, or for a hybrid the channel the stage rule names; never the own
  site for a company not ready to run it (C3: the platform leads instead);
- every channel the company already runs (C1): it stays, as an auxiliary channel when it is not
  the core, unless a `wind_down` rule holds (R1 with no capability to run an own site), in which
  case it is listed with role `wind_down` and the reason, with the company's figures;
- the own site as `next_step`, with its trigger, when S2's precondition or C4 holds it back;
- a distribution channel's kind from `distribution_kinds` (R1: always dropshipping).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from modelfit.decision.framework import Framework
from modelfit.decision.framework_rules import READINESS
from modelfit.decision.scoring import TIE_DECIMALS, readiness

ROLES = ("core", "auxiliary", "next_step", "wind_down")


@dataclass(frozen=True)
class ChannelDetail:
    """One channel of the plan: its base id, its role and, for distribution, its kind.

    `role`: `core`, `auxiliary`, `next_step` (not yet: `reason` says when) or `wind_down` (runs
    today and leaves the plan: `reason` says why). `rules` are the ids behind the role when a
    rule, not the model's own plan, gave it.
    """

    channel: str
    role: str
    kind: str | None = None  # dropshipping | small_b | distributors for distribution, else None
    reason: str | None = None
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """`{channel, role, kind, reason, rules}`, as in `recommend --json`'s `channel_details`."""
        return {"channel": self.channel, "role": self.role, "kind": self.kind,
                "reason": self.reason, "rules": list(self.rules)}


@dataclass(frozen=True)
class Plan:
    """The channels in use (core first), every channel's detail, and the R-rules whose channel
    waits for a later step with the screens that keep it out."""

    channels: tuple[str, ...]
    details: tuple[ChannelDetail, ...]
    kept_out: dict[str, tuple[str, ...]]

    def role(self, channel: str) -> str | None:
        """The role of `channel` in the plan, or None when the plan does not name it."""
        return next((d.role for d in self.details if d.channel == channel), None)

    def with_role(self, role: str) -> tuple[ChannelDetail, ...]:
        """The details of the channels with `role`."""
        return tuple(d for d in self.details if d.role == role)


@dataclass(frozen=True)
class Situation:
    """What the company is: its stage, ratings, the channels it runs (None: it does not say),
    the own site's readiness (one of `READINESS`) and the screens that fired."""

    stage: str
    ratings: dict[str, int]
    running: tuple[str, ...] | None
    readiness: str
    fired: tuple[str, ...]

    @property
    def known(self) -> bool:
        """Whether the company said which channels run."""
        return self.running is not None

    @property
    def runs(self) -> tuple[str, ...]:
        """The channels known to run."""
        return self.running or ()


def rule_fired(fw: Framework, rule: str, ratings: dict[str, int]) -> bool:
    """Whether the R-rule's trigger holds for these ratings."""
    trig = fw.rule_triggers[rule]
    value = ratings[trig.criterion]
    return bool(value <= trig.max_rating and value >= trig.min_rating)


def build_plan(
    fw: Framework, primary: str, scores: dict[str, float], situation: Situation, lang: str,
) -> Plan:
    """The plan of `primary` for the company in `situation` (see the module docstring)."""
    stage, ratings, fired = situation.stage, situation.ratings, situation.fired
    plan = list(fw.plans[primary][stage])
    kept_out: dict[str, tuple[str, ...]] = {}
    for aux in fw.auxiliary:
        if rule_fired(fw, aux.rule, ratings) and set(plan) & set(aux.with_any):
            blockers = tuple(s for s in aux.kept_out_by if s in fired)
            missing = [c for c in aux.add if c not in plan]
            if blockers and missing:
                kept_out[aux.rule] = blockers
                continue
            plan += missing
    readiness_rule = fw.own_site.rule if fw.own_site is not None else None
    site_blocked = readiness_rule is not None and readiness_rule in fired

    def key(channel: str) -> tuple[float, int]:
        return (-round(scores[channel], TIE_DECIMALS), fw.models.index(channel))

    if primary in fw.base_channels:
        core = primary
    elif fw.core_rule.get(stage, "score") != "score":
        core = fw.core_rule[stage]
    else:
        core = min(plan, key=key)
    core_rules: tuple[str, ...] = ()
    if core == "independent_site" and site_blocked and len(plan) > 1:
        core = "platform" if "platform" in plan else min(
            (c for c in plan if c != core), key=key)
        core_rules = (str(readiness_rule),)
    down = _wind_down(fw, situation)
    keep = fw.close_call.keep_rule if fw.close_call is not None else "C1"
    kept = [c for c in situation.runs if c not in plan and c not in down]
    in_use = [c for c in plan if c not in down] + kept
    if core not in in_use:  # pragma: no cover - a wind-down never touches the primary's core
        core = in_use[0]
    channels = (core, *sorted((c for c in in_use if c != core), key=key))
    details = []
    for c in channels:
        kind = _kind(fw, stage, ratings, core == c) if c == "distribution" else None
        if c == core:
            details.append(ChannelDetail(c, "core", kind, rules=core_rules))
        elif c in kept:
            details.append(ChannelDetail(c, "auxiliary", kind,
                                         fw.text("situation.kept", lang), (keep,)))
        else:
            details.append(ChannelDetail(c, "auxiliary", kind))
    for c, rules in down.items():
        details.append(ChannelDetail(c, "wind_down", None, _down_reason(fw, situation, lang),
                                     rules))
    nxt = _next_step(fw, situation, channels, down, lang)
    if nxt is not None:
        details.append(nxt)
    return Plan(channels=channels, details=tuple(details), kept_out=kept_out)


def _wind_down(fw: Framework, situation: Situation) -> dict[str, tuple[str, ...]]:
    """The running channels a wind-down rule takes out of the plan, with the rules behind it."""
    out: dict[str, tuple[str, ...]] = {}
    for entry in fw.wind_down:
        if (entry.channel in situation.runs and rule_fired(fw, entry.rule, situation.ratings)
                and situation.readiness in entry.own_site):
            readiness_rule = fw.own_site.rule if fw.own_site is not None else ""
            out[entry.channel] = tuple(r for r in (entry.rule, readiness_rule) if r)
    return out


def _figures(fw: Framework, situation: Situation) -> dict[str, int]:
    rule = fw.own_site
    names = ("brand", "tech")
    caps = rule.capabilities if rule is not None else ("brand_content", "tech_data")
    out = {name: situation.ratings[c] for name, c in zip(names, caps, strict=False)}
    out["capital"] = situation.ratings[rule.capital if rule is not None else "capital"]
    return out


def _down_reason(fw: Framework, situation: Situation, lang: str) -> str:
    return fw.text("situation.wind_down", lang, **_figures(fw, situation))


def _next_step(
    fw: Framework, situation: Situation, channels: tuple[str, ...],
    down: dict[str, tuple[str, ...]], lang: str,
) -> ChannelDetail | None:
    """The own site as the next step, with its trigger: S2's precondition (a platform store
    first) or C4 (the capabilities first); None when it runs, is in the plan or winds down."""
    site = "independent_site"
    if site in channels or site in down or site in situation.runs:
        return None
    rules = tuple(r for r in ("S2", "C4") if r in situation.fired)
    if not rules:
        return None
    figures = _figures(fw, situation)
    sep = " " if lang == "en" else ""
    reason = sep.join(fw.text(f"situation.next_{r}", lang, **figures) for r in rules)
    return ChannelDetail(site, "next_step", None, reason, rules)


def _kind(fw: Framework, stage: str, ratings: dict[str, int], is_core: bool) -> str:
    """The first `distribution_kinds` entry whose conditions hold names the kind."""
    for entry in fw.kind_rules:
        if entry.core is not None and entry.core != is_core:
            continue
        if entry.stage is not None and stage not in entry.stage:
            continue
        if entry.rule is not None and not rule_fired(fw, entry.rule, ratings):
            continue
        return str(entry.kind)
    raise AssertionError("distribution_kinds ends with a default entry")  # pragma: no cover


def plan_details(
    fw: Framework, primary: str, stage: str, scores: dict[str, float], ratings: dict[str, int],
    fired: tuple[str, ...], running: tuple[str, ...] | None = None, lang: str = "en",
) -> tuple[ChannelDetail, ...]:
    """The plan's channels with their roles, as `recommend` builds them for a company whose
    primary, stage, scores, ratings, fired screens and running channels (None: not said) are
    these (`recommend_frame` calls it once per distinct plan of a whole frame)."""
    row = np.array([[ratings[c] for c in fw.criteria]], dtype=float)
    situation = Situation(stage=stage, ratings=dict(ratings), running=running,
                          readiness=READINESS[int(readiness(row, fw)[0])], fired=fired)
    return build_plan(fw, primary, scores, situation, lang).details


def f_notes(
    fw: Framework, stage: str, channels: tuple[str, ...], details: tuple[ChannelDetail, ...],
    lang: str,
) -> dict[str, str]:
    """The F-notes whose conditions the plan meets (`f_note_conditions`), in `lang`."""
    kinds = {d.kind for d in details if d.kind}
    out = {}
    for note, cond in fw.f_note_conditions.items():
        applies = (
            bool(cond.get("always"))
            or stage in cond.get("stage", [])
            or bool(set(channels) & set(cond.get("channels", [])))
            or (bool(cond.get("channels_all")) and set(cond["channels_all"]) <= set(channels))
            or bool(kinds & set(cond.get("kinds", [])))
        )
        if applies:
            out[note] = fw.f_note(note, lang)
    return out
