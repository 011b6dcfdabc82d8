"""The decision framework as data: one versioned YAML file shipped with the package.

`Framework.load()` reads the bundled `data/framework.yaml`; `Framework.load(path)` reads an
analyst's edited copy. Loading validates everything: every model, criterion and stage covered,
weights finite, the monotonicity properties of FRAMEWORK.md kept, every score within 0..100 and
every text in every language. No weight is written in code.
"""

from __future__ import annotations

import copy
import hashlib
import math
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from modelfit.core.errors import FrameworkError
from modelfit.core.vocab import DISTRIBUTION_KINDS
from modelfit.decision.framework_edits import check_edited
from modelfit.decision.framework_file import bundled_text, parse, read_capped
from modelfit.decision.framework_texts import check_texts
from modelfit.decision.numbers import number

# FRAMEWORK.md, "Properties any encoding must keep", as sign constraints: these weights must be
# >= 0 in any framework file. A file's own `monotone` section can add constraints, never drop these.
PROPERTIES: dict[str, tuple[str, ...]] = {
    "capital": ("independent_site", "hybrid"),
    "supply_chain": ("platform", "distribution"),
    "brand_content": ("independent_site",),
    "tech_data": ("independent_site",),
}


@dataclass(frozen=True)
class Framework:
    """The validated framework. Arrays are indexed in the order of `models`, `criteria`, `stages`."""

    version: str
    models: tuple[str, ...]
    base_channels: tuple[str, ...]
    criteria: tuple[str, ...]
    stages: tuple[str, ...]
    priors: np.ndarray  # (stage, model) points
    weights: np.ndarray  # (criterion, model) points at deviation +1
    screens: tuple[dict[str, Any], ...]
    rule_triggers: dict[str, dict[str, Any]]
    plans: dict[str, dict[str, tuple[str, ...]]]
    auxiliary: tuple[dict[str, Any], ...]
    f_note_conditions: dict[str, dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)
    source: str = "bundled"
    stage_defaults: dict[str, str] = field(default_factory=dict)  # stage -> its S-rule's model
    core_rule: dict[str, str] = field(default_factory=dict)  # stage -> hybrid core or "score"
    kind_rules: tuple[dict[str, Any], ...] = ()  # first match names a distribution's kind

    @classmethod
    def load(cls, path: str | Path | None = None) -> Framework:
        """Load and validate the bundled framework, or the edited copy at `path`."""
        if path is None:
            return _cached(bundled_text(), "framework.yaml (bundled)", "bundled")
        path = Path(path)
        try:
            text = read_capped(path)
        except FileNotFoundError:
            raise FrameworkError(f"{path}: no such framework file") from None
        except UnicodeDecodeError:
            raise FrameworkError(f"{path}: not UTF-8 text") from None
        except OSError as exc:
            raise FrameworkError(f"{path}: cannot be read ({exc.strerror})") from None
        return _cached(text, str(path), str(path))

    # --- lookups --------------------------------------------------------------------------
    def text(self, key: str, lang: str, **values: Any) -> str:
        """The text at dotted `key` (under `texts`) in `lang`, with $-placeholders filled."""
        node: Any = self.raw["texts"]
        for part in key.split("."):
            node = node[part]
        return string.Template(node[lang]).substitute(**{k: _fmt(v) for k, v in values.items()})

    def model_name(self, model: str, lang: str, *, short: bool = False) -> str:
        """Display name of a model in `lang`."""
        return str(self._model(model)["short" if short else "name"][lang])

    def model_info(self, model: str, what: str, lang: str) -> str:
        """`description`, `strengths`, `weaknesses` or `role` of a model in `lang`."""
        return str(self._model(model)[what][lang])

    def kind_name(self, kind: str, lang: str) -> str:
        """Display name of a distribution kind (dropshipping, small_b, distributors) in `lang`."""
        return str(self.raw["channels"]["kinds"][kind]["name"][lang])

    def kind_role(self, kind: str, lang: str) -> str:
        """What a distribution kind does in a plan, in `lang`."""
        return str(self.raw["channels"]["kinds"][kind]["role"][lang])

    def criterion_name(self, criterion: str, lang: str) -> str:
        """Display name of a criterion in `lang`."""
        return str(self._by_id("criteria", criterion)["name"][lang])

    def criterion_rule(self, criterion: str) -> str:
        """The R-rule id behind a criterion."""
        return str(self._by_id("criteria", criterion)["rule"])

    def stage_name(self, stage: str, lang: str) -> str:
        """Display name of a stage in `lang`."""
        return str(self._by_id("stages", stage)["name"][lang])

    def stage_rule(self, stage: str) -> str:
        """The S-rule id of a stage."""
        return str(self._by_id("stages", stage)["rule"])

    def next_stage(self, stage: str) -> str | None:
        """The stage after `stage`, or None at the last."""
        nxt = self._by_id("stages", stage)["next"]
        return None if nxt is None else str(nxt)

    def label(self, key: str, lang: str) -> str:
        """A short user-facing label (table headers, axis titles) in `lang`."""
        return str(self.raw["labels"][lang][key])

    def o_points(self, channel: str, lang: str) -> list[str]:
        """The operating key points (O-points) for a base channel, in `lang`; may be empty."""
        return [item[lang] for item in self.raw["texts"]["o_points"].get(channel, [])]

    def f_note(self, note: str, lang: str) -> str:
        """The F-note `note` in `lang`."""
        return str(self.raw["texts"]["f_notes"][note][lang])

    def _model(self, model: str) -> dict[str, Any]:
        return self._by_id("models", model)

    def _by_id(self, section: str, ident: str) -> dict[str, Any]:
        for item in self.raw[section]:
            if item["id"] == ident:
                return dict(item)
        raise KeyError(f"{section} has no {ident!r}")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return number(value)
    return str(value)


_PARSED: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}


def _cached(text: str, source: str, label: str) -> Framework:
    """The framework of `text`. Reading the YAML costs most of a load and a warm kernel loads
    the same file report after report, so the parsed file is kept per process for the same
    content; every load still validates and builds its own Framework from a deep copy."""
    key = (source, hashlib.sha256(text.encode("utf-8")).hexdigest())
    if key not in _PARSED:
        _PARSED.clear()  # one framework file at a time is what a process uses
        _PARSED[key] = parse(text, source)
    data, parsed_source = _PARSED[key]
    return _build((copy.deepcopy(data), parsed_source), label)


def _build(parsed: tuple[dict[str, Any], str], label: str) -> Framework:
    data, source = parsed
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
    for section in ("texts", "labels", "stage_priors", "weights", "channels", "rule_triggers",
                    "f_note_conditions"):
        need(section, dict)
    if problems:
        raise FrameworkError(problems)

    models = tuple(str(m.get("id")) for m in models_raw if isinstance(m, dict))
    criteria = tuple(str(c.get("id")) for c in criteria_raw if isinstance(c, dict))
    stages = tuple(str(s.get("id")) for s in stages_raw if isinstance(s, dict))
    base_channels = tuple(str(c) for c in data.get("base_channels", []))
    if set(models) != {"platform", "distribution", "independent_site", "hybrid"}:
        problems.append(f"{source}: models must be platform, distribution, independent_site and "
                        f"hybrid, got {', '.join(models)}")
    if set(base_channels) != {"platform", "distribution", "independent_site"}:
        problems.append(f"{source}: base_channels must be platform, distribution, independent_site")
    if set(criteria) != {"capital", "supply_chain", "brand_content", "tech_data"}:
        problems.append(f"{source}: criteria must be capital, supply_chain, brand_content and "
                        f"tech_data, got {', '.join(criteria)}")
    if set(stages) != {"startup", "growth", "mature"}:
        problems.append(f"{source}: stages must be startup, growth and mature")
    if problems:
        raise FrameworkError(problems)

    priors = _table(data["stage_priors"], stages, models, "stage_priors", source, problems)
    weights = _table(data["weights"], criteria, models, "weights", source, problems)

    monotone: dict[str, set[str]] = {crit: set(must) for crit, must in PROPERTIES.items()}
    extra = data.get("monotone") or {}
    if not isinstance(extra, dict):
        problems.append(f"{source}: monotone must map a criterion to a list of models")
        extra = {}
    for crit, must in extra.items():
        if not isinstance(must, list):
            problems.append(f"{source}: monotone.{crit} must be a list of models, got {must!r}")
            continue
        monotone.setdefault(crit, set()).update(str(m) for m in must)
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

    screens_raw = data.get("screens") or ()
    if not isinstance(screens_raw, list):
        problems.append(f"{source}: screens must be a list")
        screens_raw = []
    screens_list: list[dict[str, Any]] = []
    penalty = np.zeros((len(stages), len(models)))
    for i, screen in enumerate(screens_raw):
        where = f"{source}: screens[{i}]"
        if not isinstance(screen, dict) or not isinstance(screen.get("id"), str):
            problems.append(f"{where}: must be a mapping with an id")
            continue
        screen = dict(screen)
        if not ({"criterion", "stage", "without_channel"} & set(screen)):
            problems.append(f"{where}: needs a condition: criterion, stage or without_channel")
            continue
        if "criterion" in screen:
            if screen["criterion"] not in criteria:
                problems.append(f"{where}: needs a criterion, one of {', '.join(criteria)}")
                continue
            if (not isinstance(screen.get("max_rating"), int)
                    or not 1 <= screen["max_rating"] <= 5):
                problems.append(f"{where}.max_rating must be an integer from 1 to 5")
        if "stage" in screen:
            if isinstance(screen["stage"], str):
                screen["stage"] = [screen["stage"]]
            if not isinstance(screen["stage"], list) or not set(screen["stage"]) <= set(stages):
                problems.append(f"{where}.stage must be a list of {', '.join(stages)}")
                continue
        if "without_channel" in screen and screen["without_channel"] not in base_channels:
            problems.append(f"{where}.without_channel must be one of {', '.join(base_channels)}")
            continue
        if not _finite(screen.get("penalty")) or screen["penalty"] < 0:
            problems.append(f"{where}.penalty must be a finite number >= 0")
            continue
        for model in screen.get("models", []):
            if model not in models:
                problems.append(f"{where}.models: {model!r} is not a model")
            else:
                for st, stage in enumerate(stages):
                    if stage in screen.get("stage", stages):
                        penalty[st, models.index(model)] += screen["penalty"]
        screens_list.append(screen)
    screens = tuple(screens_list)

    if not problems:
        spread = np.abs(weights).sum(axis=0)
        low = priors - spread - penalty
        high = priors + spread
        for s, stage in enumerate(stages):
            for m, model in enumerate(models):
                if low[s, m] < 0 or high[s, m] > 100:  # penalty is per stage: (S, M)
                    problems.append(
                        f"{source}: {model} at stage {stage} can score from {low[s, m]:g} to "
                        f"{high[s, m]:g}; priors, weights and screens must keep every score "
                        "within 0..100"
                    )

    triggers = data["rule_triggers"]
    for rule, trig in triggers.items():
        if not isinstance(trig, dict) or trig.get("criterion") not in criteria:
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

    channels = data["channels"]
    plans: dict[str, dict[str, tuple[str, ...]]] = {}
    for model in models:
        per_stage = (channels.get("plans") or {}).get(model)
        if not isinstance(per_stage, dict):
            problems.append(f"{source}: channels.plans.{model} is missing")
            continue
        plans[model] = {}
        for stage in stages:
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
    core_rule = channels.get("core")
    if not isinstance(core_rule, dict):
        problems.append(f"{source}: channels.core must map each stage to a base channel or "
                        "'score'")
        core_rule = {}
    for stage in stages:
        value = core_rule.get(stage)
        if value != "score" and value not in base_channels:
            problems.append(f"{source}: channels.core.{stage} must be one of "
                            f"{', '.join(base_channels)} or score, got {value!r}")
        elif value != "score" and stage in plans.get("hybrid", {}) and (
                value not in plans["hybrid"][stage]):
            problems.append(f"{source}: channels.core.{stage} is {value}, which the hybrid plan "
                            f"of that stage does not run")
    kinds = channels.get("kinds")
    if not isinstance(kinds, dict) or set(kinds) != set(DISTRIBUTION_KINDS):
        problems.append(f"{source}: channels.kinds must describe {', '.join(DISTRIBUTION_KINDS)}")
        kinds = {}
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
        if "stage" in rule and not set(rule["stage"]) <= set(stages):
            problems.append(f"{where}.stage must be a list of {', '.join(stages)}")
        if "rule" in rule and rule["rule"] not in triggers:
            problems.append(f"{where}.rule must be one of rule_triggers")
    if kind_rules and isinstance(kind_rules[-1], dict) and set(kind_rules[-1]) != {"kind"}:
        problems.append(f"{source}: channels.distribution_kinds must end with a default entry "
                        "(a kind and no condition)")
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

    check_texts(data, source, problems)
    if label != "bundled":
        check_edited(data, models, criteria, stages, source, problems)
    if problems:
        raise FrameworkError(list(dict.fromkeys(problems)))
    return Framework(
        version=version, models=models, base_channels=base_channels, criteria=criteria,
        stages=stages, priors=priors, weights=weights, screens=screens, rule_triggers=triggers,
        plans=plans, auxiliary=auxiliary,
        f_note_conditions=dict(data["f_note_conditions"]), raw=data, source=label,
        stage_defaults=stage_defaults, core_rule={k: str(v) for k, v in core_rule.items()},
        kind_rules=tuple(kind_rules),
    )


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _table(
    table: dict[str, Any], rows: tuple[str, ...], cols: tuple[str, ...], name: str, source: str,
    problems: list[str],
) -> np.ndarray:
    out = np.zeros((len(rows), len(cols)))
    for r, row in enumerate(rows):
        entry = table.get(row)
        if not isinstance(entry, dict):
            problems.append(f"{source}: {name}.{row} is missing")
            continue
        for c, col in enumerate(cols):
            value = entry.get(col)
            if not _finite(value):
                problems.append(f"{source}: {name}.{row}.{col} must be a finite number, got {value!r}")
            else:
                out[r, c] = float(value)  # type: ignore[arg-type] # _finite checked it
    out.setflags(write=False)
    return out
