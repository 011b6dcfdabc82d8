"""Reading and validating a parsed framework file, one section at a time.

Each function reads one section of the file (models and the other ids, the score tables,
monotone signs, screens, rule triggers, stage defaults, channel plans, distribution kinds),
appends what is wrong to `problems` with the file's `source` in front, and gives back what the
Framework is built from; `modelfit.decision.framework.build` calls them in the file's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from modelfit.core.errors import FrameworkError, shown
from modelfit.core.vocab import DISTRIBUTION_KINDS
from modelfit.decision.framework_rules import READINESS

# FRAMEWORK.md, "Properties any encoding must keep", as sign constraints: these weights must be
# >= 0 in any framework file. A file's own `monotone` section can add constraints, never drop these.
PROPERTIES: dict[str, tuple[str, ...]] = {
    "capital": ("independent_site", "hybrid"),
    "supply_chain": ("platform", "distribution"),
    "brand_content": ("independent_site",),
    "tech_data": ("independent_site",),
}
_SECTIONS = ("texts", "labels", "stage_priors", "weights", "channels", "rule_triggers",
             "f_note_conditions", "situation")


@dataclass(frozen=True)
class Ids:
    """The ids a framework file declares, each in the file's order."""

    models: tuple[str, ...]
    base_channels: tuple[str, ...]
    criteria: tuple[str, ...]
    stages: tuple[str, ...]


def read_header(data: dict[str, Any], source: str) -> tuple[str, Ids]:
    """The file's version and ids; FrameworkError when a section is missing or of the wrong
    type, or the models, base channels, criteria or stages are not modelfit's."""
    problems: list[str] = []

    def need(key: str, kind: type) -> Any:
        value = data.get(key)
        if not isinstance(value, kind):
            problems.append(f"{source}: {key} is missing or not a {kind.__name__}")
            return kind()
        return value

    version = need("version", str)
    models_raw = need("models", list)
    criteria_raw = need("criteria", list)
    stages_raw = need("stages", list)
    for section in _SECTIONS:
        need(section, dict)
    if problems:
        raise FrameworkError(problems)
    ids = Ids(
        models=tuple(str(m.get("id")) for m in models_raw if isinstance(m, dict)),
        base_channels=tuple(str(c) for c in data.get("base_channels", [])),
        criteria=tuple(str(c.get("id")) for c in criteria_raw if isinstance(c, dict)),
        stages=tuple(str(s.get("id")) for s in stages_raw if isinstance(s, dict)),
    )
    _check_ids(ids, source)
    return version, ids


def _check_ids(ids: Ids, source: str) -> None:
    problems = []
    if set(ids.models) != {"platform", "distribution", "independent_site", "hybrid"}:
        problems.append(f"{source}: models must be platform, distribution, independent_site and "
                        f"hybrid, got {', '.join(ids.models)}")
    if set(ids.base_channels) != {"platform", "distribution", "independent_site"}:
        problems.append(f"{source}: base_channels must be platform, distribution, independent_site")
    if set(ids.criteria) != {"capital", "supply_chain", "brand_content", "tech_data"}:
        problems.append(f"{source}: criteria must be capital, supply_chain, brand_content and "
                        f"tech_data, got {', '.join(ids.criteria)}")
    if set(ids.stages) != {"startup", "growth", "mature"}:
        problems.append(f"{source}: stages must be startup, growth and mature")
    if problems:
        raise FrameworkError(problems)


def finite(value: Any) -> bool:
    """Whether `value` is a finite number (an int or a float, not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_table(
    table: dict[str, Any], rows: tuple[str, ...], cols: tuple[str, ...], name: str, source: str,
    problems: list[str],
) -> np.ndarray:
    """The (row, col) table `name` (`stage_priors` or `weights`), read-only; every cell finite."""
    out = np.zeros((len(rows), len(cols)))
    for r, row in enumerate(rows):
        entry = table.get(row)
        if not isinstance(entry, dict):
            problems.append(f"{source}: {name}.{row} is missing")
            continue
        for c, col in enumerate(cols):
            value = entry.get(col)
            if not finite(value):
                problems.append(f"{source}: {name}.{row}.{col} must be a finite number, got {value!r}")
            else:
                out[r, c] = float(value)  # type: ignore[arg-type] # finite() checked it
    out.setflags(write=False)
    return out


def check_monotone(
    extra: Any, ids: Ids, weights: np.ndarray, source: str, problems: list[str],
) -> None:
    """The weights keep FRAMEWORK.md's sign properties and the file's own `monotone` section
    (`extra`): a higher rating never lowers the score of the models named."""
    monotone: dict[str, set[str]] = {crit: set(must) for crit, must in PROPERTIES.items()}
    extra = extra or {}
    if not isinstance(extra, dict):
        problems.append(f"{source}: monotone must map a criterion to a list of models")
        extra = {}
    for crit, must in extra.items():
        if not isinstance(must, list):
            problems.append(f"{source}: monotone.{crit} must be a list of models, got {must!r}")
            continue
        monotone.setdefault(crit, set()).update(str(m) for m in must)
    criteria, models = ids.criteria, ids.models
    for crit, must in monotone.items():
        if crit not in criteria:
            problems.append(f"{source}: monotone.{crit}: not a criterion")
            continue
        for model in models:
            if model in must and weights[criteria.index(crit), models.index(model)] < 0:
                problems.append(
                    f"{source}: weights.{crit}.{model} must be >= 0 (FRAMEWORK property: a "
                    f"higher {crit} never lowers the score of {model}), got "
                    f"{weights[criteria.index(crit), models.index(model)]:g}"
                )


def read_screens(
    screens_raw: Any, ids: Ids, source: str, problems: list[str],
) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The valid entries of `screens` (a `stage` given as one name made a list), and the most
    points they can take from each (stage, model)."""
    screens_raw = screens_raw or ()
    if not isinstance(screens_raw, list):
        problems.append(f"{source}: screens must be a list")
        screens_raw = []
    screens: list[dict[str, Any]] = []
    penalty = np.zeros((len(ids.stages), len(ids.models)))
    for i, raw in enumerate(screens_raw):
        where = f"{source}: screens[{i}]"
        screen = _read_screen(raw, where, ids, problems)
        if screen is None:
            continue
        models = screen.get("models")
        if not isinstance(models, list) or not models:
            problems.append(f"{where}.models: must be a non-empty list of the models it holds "
                            f"back, from {', '.join(ids.models)}, got {shown(models)}")
            continue
        for model in models:
            if model not in ids.models:
                problems.append(f"{where}.models: {model!r} is not a model")
            else:
                for st, stage in enumerate(ids.stages):
                    if stage in screen.get("stage", ids.stages):
                        penalty[st, ids.models.index(model)] += screen["penalty"]
        screens.append(screen)
    return screens, penalty


def _read_screen(
    raw: Any, where: str, ids: Ids, problems: list[str],
) -> dict[str, Any] | None:
    """A copy of one screen entry, its `stage` made a list; None when it cannot be used."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        problems.append(f"{where}: must be a mapping with an id")
        return None
    screen = dict(raw)
    if not ({"criterion", "stage", "without_channel", "own_site"} & set(screen)):
        problems.append(f"{where}: needs a condition: criterion, stage, without_channel or "
                        "own_site")
        return None
    if "criterion" in screen:
        if screen["criterion"] not in ids.criteria:
            problems.append(f"{where}: needs a criterion, one of {', '.join(ids.criteria)}")
            return None
        if (not isinstance(screen.get("max_rating"), int)
                or not 1 <= screen["max_rating"] <= 5):
            problems.append(f"{where}.max_rating must be an integer from 1 to 5")
    if "stage" in screen:
        if isinstance(screen["stage"], str):
            screen["stage"] = [screen["stage"]]
        if not isinstance(screen["stage"], list) or not set(screen["stage"]) <= set(ids.stages):
            problems.append(f"{where}.stage must be a list of {', '.join(ids.stages)}")
            return None
    if "without_channel" in screen:
        if isinstance(screen["without_channel"], str):
            screen["without_channel"] = [screen["without_channel"]]
        wanted = screen["without_channel"]
        if (not isinstance(wanted, list) or not wanted
                or not all(isinstance(c, str) for c in wanted)
                or not set(wanted) <= set(ids.base_channels)):
            problems.append(f"{where}.without_channel must be a base channel or a list of them "
                            f"({', '.join(ids.base_channels)}), got {shown(wanted)}")
            return None
    if "if_unknown" in screen and (not isinstance(screen["if_unknown"], bool)
                                   or "without_channel" not in screen):
        problems.append(f"{where}.if_unknown must be true or false, beside a without_channel")
        return None
    if "own_site" in screen:
        levels = screen["own_site"]
        if (not isinstance(levels, list) or not levels
                or not all(isinstance(x, str) for x in levels) or not set(levels) <= set(READINESS)):
            problems.append(f"{where}.own_site must be a list of {', '.join(READINESS)}, got "
                            f"{shown(levels)}")
            return None
    if not finite(screen.get("penalty")) or screen["penalty"] < 0:
        problems.append(f"{where}.penalty must be a finite number >= 0")
        return None
    return screen


def check_range(
    ids: Ids, priors: np.ndarray, weights: np.ndarray, penalty: np.ndarray, source: str,
    problems: list[str],
) -> None:
    """Every score any company can get, at any stage, stays within 0..100."""
    spread = np.abs(weights).sum(axis=0)
    low = priors - spread - penalty
    high = priors + spread
    for s, stage in enumerate(ids.stages):
        for m, model in enumerate(ids.models):
            if low[s, m] < 0 or high[s, m] > 100:  # penalty is per stage: (S, M)
                problems.append(
                    f"{source}: {model} at stage {stage} can score from {low[s, m]:g} to "
                    f"{high[s, m]:g}; priors, weights and screens must keep every score "
                    "within 0..100"
                )


def check_triggers(
    triggers: dict[str, Any], ids: Ids, screens: list[dict[str, Any]], source: str,
    problems: list[str],
) -> None:
    """Each R-rule's trigger names a criterion, and a screen named after an R-rule fires at
    the rule's own threshold."""
    for rule, trig in triggers.items():
        if not isinstance(trig, dict) or trig.get("criterion") not in ids.criteria:
            problems.append(f"{source}: rule_triggers.{rule} needs a criterion")
    # One threshold per rule: a screen named after an R-rule fires exactly when its text does.
    for screen in screens:
        trig = triggers.get(screen["id"])
        if isinstance(trig, dict) and (screen.get("criterion") != trig.get("criterion")
                                       or screen.get("max_rating") != trig.get("max_rating")):
            problems.append(
                f"{source}: screens {screen['id']} fires at {screen.get('criterion')} <= "
                f"{screen.get('max_rating')} but rule_triggers.{screen['id']} at "
                f"{trig.get('criterion')} <= {trig.get('max_rating')}; a rule has one threshold "
                "for its text and its effect")


def read_stage_defaults(
    stages_raw: list[Any], ids: Ids, priors: np.ndarray, source: str, problems: list[str],
) -> dict[str, str]:
    """Stage -> the model its S-rule recommends, which must have the stage's highest prior."""
    models, stages = ids.models, ids.stages
    stage_defaults: dict[str, str] = {}
    for s_i, item in enumerate(stages_raw):
        default = item.get("default") if isinstance(item, dict) else None
        if default not in models:
            problems.append(f"{source}: stages.{stages[s_i]}.default must be one of "
                            f"{', '.join(models)}, the model the stage rule recommends")
            continue
        stage_defaults[stages[s_i]] = str(default)
        row = priors[s_i]
        if row[models.index(str(default))] < row.max():
            problems.append(f"{source}: stages.{stages[s_i]}.default is {default}, but its "
                            "stage prior is not the highest: an average company must get the "
                            "stage rule's model")
    return stage_defaults


def read_plans(
    channels: dict[str, Any], ids: Ids, source: str, problems: list[str],
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Model -> stage -> the base channels its plan runs (`channels.plans`)."""
    base_channels = ids.base_channels
    plans: dict[str, dict[str, tuple[str, ...]]] = {}
    for model in ids.models:
        per_stage = (channels.get("plans") or {}).get(model)
        if not isinstance(per_stage, dict):
            problems.append(f"{source}: channels.plans.{model} is missing")
            continue
        plans[model] = {}
        for stage in ids.stages:
            plan = per_stage.get(stage)
            if not isinstance(plan, list) or not plan or not set(plan) <= set(base_channels):
                problems.append(f"{source}: channels.plans.{model}.{stage} must be a non-empty "
                                f"list of {', '.join(base_channels)}")
                continue
            if model != "hybrid" and plan[0] != model:
                problems.append(f"{source}: channels.plans.{model}.{stage} must start with {model}")
            if model == "hybrid" and len(plan) < 2:
                problems.append(f"{source}: channels.plans.hybrid.{stage} must run two or more channels")
            plans[model][stage] = tuple(plan)
    return plans


def read_core(
    channels: dict[str, Any], ids: Ids, plans: dict[str, dict[str, tuple[str, ...]]],
    source: str, problems: list[str],
) -> dict[str, str]:
    """Stage -> the base channel a hybrid plan's core is, or "score" (`channels.core`)."""
    core_rule = channels.get("core")
    if not isinstance(core_rule, dict):
        problems.append(f"{source}: channels.core must map each stage to a base channel or "
                        "'score'")
        core_rule = {}
    for stage in ids.stages:
        value = core_rule.get(stage)
        if value != "score" and value not in ids.base_channels:
            problems.append(f"{source}: channels.core.{stage} must be one of "
                            f"{', '.join(ids.base_channels)} or score, got {value!r}")
        elif value != "score" and stage in plans.get("hybrid", {}) and (
                value not in plans["hybrid"][stage]):
            problems.append(f"{source}: channels.core.{stage} is {value}, which the hybrid plan "
                            f"of that stage does not run")
    return {k: str(v) for k, v in core_rule.items()}


# The article's three meanings of distribution: 一件代发 (F4), 小B端分销 (R2), 海外分销商/零售商 (S3).
def read_kind_rules(
    channels: dict[str, Any], ids: Ids, triggers: dict[str, Any], source: str,
    problems: list[str],
) -> list[Any]:
    """The distribution kinds described (`channels.kinds`) and the entries that name a plan's
    kind (`channels.distribution_kinds`), the last of them a default."""
    kinds = channels.get("kinds")
    if not isinstance(kinds, dict) or set(kinds) != set(DISTRIBUTION_KINDS):
        problems.append(f"{source}: channels.kinds must describe {', '.join(DISTRIBUTION_KINDS)}")
    kind_rules = channels.get("distribution_kinds")
    if not isinstance(kind_rules, list) or not kind_rules:
        problems.append(f"{source}: channels.distribution_kinds must be a non-empty list")
        kind_rules = []
    for i, rule in enumerate(kind_rules):
        where = f"{source}: channels.distribution_kinds[{i}]"
        if not isinstance(rule, dict) or rule.get("kind") not in DISTRIBUTION_KINDS:
            problems.append(f"{where}.kind must be one of {', '.join(DISTRIBUTION_KINDS)}")
            continue
        if not set(rule) <= {"kind", "core", "stage", "rule"}:
            problems.append(f"{where}: conditions are core, stage and rule")
        if "stage" in rule and not set(rule["stage"]) <= set(ids.stages):
            problems.append(f"{where}.stage must be a list of {', '.join(ids.stages)}")
        if "rule" in rule and rule["rule"] not in triggers:
            problems.append(f"{where}.rule must be one of rule_triggers")
    if kind_rules and isinstance(kind_rules[-1], dict) and set(kind_rules[-1]) != {"kind"}:
        problems.append(f"{source}: channels.distribution_kinds must end with a default entry "
                        "(a kind and no condition)")
    return kind_rules


def read_auxiliary(
    channels: dict[str, Any], ids: Ids, triggers: dict[str, Any],
    screens: list[dict[str, Any]], source: str, problems: list[str],
) -> tuple[Any, ...]:
    """The entries of `channels.auxiliary`: channels an R-rule adds to a plan."""
    base_channels = ids.base_channels
    auxiliary = tuple(channels.get("auxiliary") or ())
    for i, aux in enumerate(auxiliary):
        where = f"{source}: channels.auxiliary[{i}]"
        if not isinstance(aux, dict):
            problems.append(f"{where} must be a mapping with rule, with_any and add")
            continue
        if aux.get("rule") not in triggers:
            problems.append(f"{where}.rule must be one of rule_triggers")
        for key in ("with_any", "add"):
            if not isinstance(aux.get(key), list) or not set(aux[key]) <= set(base_channels):
                problems.append(f"{where}.{key} must be a list of {', '.join(base_channels)}")
        screen_ids = {sc["id"] for sc in screens}
        if not set(aux.get("kept_out_by") or ()) <= screen_ids:
            problems.append(f"{where}.kept_out_by must name screens ({', '.join(sorted(screen_ids))})")
    return auxiliary


def read_situation(
    data: dict[str, Any], ids: Ids, triggers: dict[str, Any], source: str, problems: list[str],
) -> dict[str, Any]:
    """The rules of the company as it is (`situation`): the own site's readiness, the close
    call and when a running channel winds down. Each names its rule id."""
    situation = data["situation"]
    where = f"{source}: situation"
    own = situation.get("own_site")
    if not isinstance(own, dict) or not isinstance(own.get("rule"), str):
        problems.append(f"{where}.own_site must be a mapping with a rule id")
    else:
        caps = own.get("capabilities")
        if not isinstance(caps, list) or not caps or not set(caps) <= set(ids.criteria):
            problems.append(f"{where}.own_site.capabilities must be a list of "
                            f"{', '.join(ids.criteria)}")
        if own.get("capital") not in ids.criteria:
            problems.append(f"{where}.own_site.capital must be one of {', '.join(ids.criteria)}")
        for key in ("weak", "strong", "capital_strong"):
            value = own.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                problems.append(f"{where}.own_site.{key} must be an integer from 1 to 5, got "
                                f"{shown(value)}")
    close = situation.get("close_call")
    if (not isinstance(close, dict) or not isinstance(close.get("rule"), str)
            or not isinstance(close.get("keep_rule"), str)
            or not finite(close.get("margin")) or not 0 <= close["margin"] <= 10):
        problems.append(f"{where}.close_call must give a rule id, a keep_rule id and a margin "
                        "from 0 to 10 points")
    downs = situation.get("wind_down") or []
    if not isinstance(downs, list):
        problems.append(f"{where}.wind_down must be a list")
        downs = []
    for i, entry in enumerate(downs):
        if (not isinstance(entry, dict) or entry.get("channel") not in ids.base_channels
                or entry.get("rule") not in triggers
                or not isinstance(entry.get("own_site"), list)
                or not set(entry["own_site"]) <= set(READINESS)):
            problems.append(f"{where}.wind_down[{i}] needs a base channel, an R-rule of "
                            f"rule_triggers and own_site levels from {', '.join(READINESS)}")
    return dict(situation)
