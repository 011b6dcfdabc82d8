"""The decision framework as data: one versioned YAML file shipped with the package.

`Framework.load()` reads the bundled `data/framework.yaml`; `Framework.load(path)` reads an
analyst's edited copy. Loading validates everything: every model, criterion and stage covered,
weights finite, the monotonicity properties of FRAMEWORK.md kept, every score within 0..100 and
every text in every language. No weight is written in code.

This module owns the validated Framework object, its lookups and its loading; reading the file
is framework_file's, validating each section framework_build's (texts: framework_texts; what an
edited copy must also get right: framework_edits), and the typed rules framework_rules'.
"""

from __future__ import annotations

import copy
import hashlib
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from modelfit.core.errors import FrameworkError
from modelfit.core.wording import zh_spacing
from modelfit.decision.framework_build import (
    check_monotone,
    check_range,
    check_triggers,
    read_auxiliary,
    read_core,
    read_header,
    read_kind_rules,
    read_plans,
    read_screens,
    read_situation,
    read_stage_defaults,
    read_table,
)
from modelfit.decision.framework_edits import check_edited
from modelfit.decision.framework_file import bundled_text, parse, read_capped
from modelfit.decision.framework_rules import (
    CloseCall,
    KindRule,
    PlanAddition,
    Readiness,
    Screen,
    Trigger,
    WindDown,
)
from modelfit.decision.framework_texts import check_texts
from modelfit.decision.numbers import number


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
    screens: tuple[Screen, ...]
    rule_triggers: dict[str, Trigger]
    plans: dict[str, dict[str, tuple[str, ...]]]  # model -> stage -> base channels run
    auxiliary: tuple[PlanAddition, ...]
    f_note_conditions: dict[str, dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)
    source: str = "bundled"
    stage_defaults: dict[str, str] = field(default_factory=dict)  # stage -> its S-rule's model
    core_rule: dict[str, str] = field(default_factory=dict)  # stage -> hybrid core or "score"
    kind_rules: tuple[KindRule, ...] = ()  # first match names a distribution's kind
    own_site: Readiness | None = None  # when the own site may be the core (situation.own_site)
    close_call: CloseCall | None = None  # near-ties keep what runs (situation.close_call)
    wind_down: tuple[WindDown, ...] = ()  # when a running channel leaves the plan

    @classmethod
    def load(cls, path: str | Path | None = None) -> Framework:
        """Load and validate the bundled framework, or the edited copy at `path`."""
        if path is None:
            return _cached(bundled_text(), "framework.yaml (bundled)", "bundled")
        path = Path(path)
        try:
            text = read_capped(path)
        except UnicodeDecodeError:
            raise FrameworkError(f"{path}: not UTF-8 text") from None
        return _cached(text, str(path), str(path))

    # --- lookups --------------------------------------------------------------------------
    def text(self, key: str, lang: str, **values: Any) -> str:
        """The text at dotted `key` (under `texts`) in `lang`, with $-placeholders filled."""
        node: Any = self.raw["texts"]
        for part in key.split("."):
            node = node[part]
        filled = string.Template(node[lang]).substitute(**{k: _fmt(v) for k, v in values.items()})
        return zh_spacing(filled) if lang == "zh" else filled

    def model_name(self, model: str, lang: str, *, short: bool = False) -> str:
        """Display name of a model in `lang`."""
        return str(self._model(model)["short" if short else "name"][lang])

    def channel_label(self, channel: str, lang: str) -> str:
        """How a base channel a plan runs is named (平台店铺, 独立站): a model's `channel` name,
        or its short name in a framework file that gives none."""
        model = self._model(channel)
        return str((model.get("channel") or model["short"])[lang])

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
    return build((copy.deepcopy(data), parsed_source), label)


def build(parsed: tuple[dict[str, Any], str], label: str) -> Framework:
    """The Framework of a parsed file (`parse`'s mapping and source), validated section by
    section; FrameworkError lists every problem found. `label` is what the framework is called
    (`Framework.source`): any label but "bundled" is an edited copy, checked further."""
    data, source = parsed
    version, ids = read_header(data, source)
    problems: list[str] = []
    priors = read_table(data["stage_priors"], ids.stages, ids.models, "stage_priors", source,
                        problems)
    weights = read_table(data["weights"], ids.criteria, ids.models, "weights", source, problems)
    check_monotone(data.get("monotone"), ids, weights, source, problems)
    screens, penalty = read_screens(data.get("screens"), ids, source, problems)
    if not problems:
        check_range(ids, priors, weights, penalty, source, problems)
    triggers = data["rule_triggers"]
    check_triggers(triggers, ids, screens, source, problems)
    stage_defaults = read_stage_defaults(data["stages"], ids, priors, source, problems)
    channels = data["channels"]
    plans = read_plans(channels, ids, source, problems)
    core_rule = read_core(channels, ids, plans, source, problems)
    kind_rules = read_kind_rules(channels, ids, triggers, source, problems)
    auxiliary = read_auxiliary(channels, ids, triggers, screens, source, problems)
    situation = read_situation(data, ids, triggers, source, problems)
    check_texts(data, source, problems)
    if label != "bundled":
        check_edited(data, ids.models, ids.criteria, ids.stages, source, problems)
    if problems:
        raise FrameworkError(list(dict.fromkeys(problems)))
    return Framework(
        version=version, models=ids.models, base_channels=ids.base_channels,
        criteria=ids.criteria, stages=ids.stages, priors=priors, weights=weights,
        screens=tuple(Screen.of(screen) for screen in screens),
        rule_triggers={rule: Trigger.of(trig) for rule, trig in triggers.items()},
        plans=plans, auxiliary=tuple(PlanAddition.of(aux) for aux in auxiliary),
        f_note_conditions=dict(data["f_note_conditions"]), raw=data, source=label,
        stage_defaults=stage_defaults, core_rule=core_rule,
        kind_rules=tuple(KindRule.of(rule) for rule in kind_rules),
        own_site=Readiness.of(situation["own_site"]),
        close_call=CloseCall.of(situation["close_call"]),
        wind_down=tuple(WindDown.of(e) for e in situation.get("wind_down") or ()),
    )
