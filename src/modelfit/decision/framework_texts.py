"""The framework's texts checked at load time: every text the code fills in is given in every
language, non-empty, and uses only the $-placeholders modelfit fills in for it; every label is
given in every language."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from modelfit.core.vocab import LANGUAGES

# The $-placeholders modelfit fills in each text; any other placeholder is an error at load time.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "texts.client": frozenset({"method", "primary", "client", "framework", "criterion",
                               "multiplier", "points", "cr", "choice", "ranking"}),
    "texts.whatif": frozenset({"company", "path", "primary", "confidence"}),
    "texts.summary": frozenset({"primary", "score", "second", "second_score", "gap"}),
    "texts.summary_tie": frozenset({"primary", "second", "score"}),
    "texts.summary_screened": frozenset({"primary", "score", "top", "top_score", "by"}),
    "texts.stage_variant": frozenset({"rule", "stage", "default", "default_score", "primary",
                                      "score", "by"}),
    "texts.rule": frozenset({"rating", "points", "penalty"}),
    "texts.rule_variant": frozenset({"rating", "points", "penalty", "primary", "by"}),
    "texts.screen": frozenset({"rating", "penalty"}),
    "texts.by_rule": frozenset({"rule", "criterion", "points", "rating"}),
    "texts.by_weak_rule": frozenset({"rule", "criterion", "points", "rating"}),
    "texts.summary_close_keep": frozenset({"primary", "score", "top", "top_score"}),
    "texts.summary_close_stage": frozenset({"primary", "score", "top", "top_score"}),
    "texts.situation": frozenset({"capital", "brand", "tech", "channels", "verb", "stays",
                                  "leaves", "reason"}),
    "texts.by_screen": frozenset({"rule", "text"}),
    "texts.report.risk": frozenset({"changes", "primary"}),
    "texts.report.protect_channels": frozenset({"channels"}),
    "texts.report.intro": frozenset({"company", "version"}),
    "texts.report.verdict": frozenset({"primary", "channels"}),
    "texts.report.roadmap_next": frozenset({"stage", "primary", "rule"}),
    "texts.report.roadmap_last": frozenset({"rule"}),
    "texts.report.classifier_agrees": frozenset({"primary", "probability", "framework"}),
    "texts.report.classifier_disagrees": frozenset({"primary", "probability", "framework"}),
    "texts.report.close_call": frozenset({"primary", "second"}),
    "texts.report.confident": frozenset({"primary", "confidence"}),
    "texts.report.flip": frozenset({"changes", "primary"}),
    "texts.report.drivers_intro": frozenset({"primary"}),
    "texts.report.drivers_intro_away": frozenset({"primary"}),
    "texts.report.drivers_intro_mixed": frozenset({"primary"}),
    "texts.report.why_cash": frozenset({"pick", "primary", "pick_cash", "primary_cash"}),
    "texts.report.why_not_cash": frozenset({"pick", "primary", "pick_cash", "primary_cash"}),
    "texts.report.why_order": frozenset({"pick", "primary", "pick_contribution", "pick_ads",
                                         "primary_contribution", "primary_ads"}),
    "texts.report.why_fields": frozenset({"pick", "fields"}),
    "texts.report.summary_lead": frozenset({"second"}),
    "texts.report.summary_points": frozenset({"points"}),
    "texts.report.summary_point": frozenset({"points"}),
    "texts.report.summary_next_primary": frozenset({"stage"}),
    "texts.report.summary_step_core": frozenset({"core", "point"}),
    "texts.report.summary_step_core_aux": frozenset({"core", "auxiliary", "point"}),
    "texts.report.summary_step_build": frozenset(
        {"capability", "now", "target", "points", "primary", "stage"}),
    "texts.report.summary_step_test": frozenset({"challenger", "primary"}),
    "texts.report.summary_step_watch": frozenset({"challenger", "primary"}),
    "texts.report.summary_step_keep_core": frozenset({"core", "point"}),
    "texts.report.summary_step_add": frozenset({"channels"}),
    "texts.report.summary_step_keep": frozenset({"channels"}),
    "texts.report.summary_step_wind_down": frozenset({"channels", "reason"}),
    "texts.report.summary_step_later": frozenset({"channel", "reason"}),
    "texts.report.held": frozenset({"why", "leader", "share"}),
    "texts.report.held_scores": frozenset({"why", "primary", "share"}),
    "texts.report.portfolio_title": frozenset({"count"}),
    "texts.report.summary_step_next": frozenset({"stage", "primary"}),
}

# Texts the code fills in by key, below `texts.<section>`, beyond those named after an id.
_NAMED: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (None, ("summary", "summary_tie", "summary_screened", "summary_close_keep",
            "summary_close_stage", "by_rule", "by_weak_rule", "by_screen")),
    ("situation", ("kept", "wind_down", "next_S2", "next_C4", "line_C1", "line_wind_down",
                   "line_C3", "line_C4")),
    ("stage_variant", ("S1_small_b", "S2_precondition", "S2_site_first", "S3_platform_core",
                       "held", "outweighed")),
    ("rule_variant", ("R1_test", "R1_keep", "R2_distributors", "R2_dropshipping", "R2_outweighed",
                      "R3_test", "R3_later", "R4_test", "R4_later")),
    ("held_why", ("C2",)),
    ("stage_prior_why", ("S1", "S2", "S3")),
    ("plan_note", ("S2_next", "S2_assumed", "S3_local", "test_site", "keep_site_light")),
    ("screen_reason", ("S1", "R1", "S2")),
)

Check = Callable[[Any, str], None]


def check_texts(data: dict[str, Any], source: str, problems: list[str]) -> None:
    """Append to `problems` every text of the parsed framework `data` that is missing, empty or
    uses an unknown placeholder in some language, and every label missing in some language."""

    def bilingual(node: Any, where: str) -> None:
        if not isinstance(node, dict):
            problems.append(f"{source}: {where} must give a text for each of {', '.join(LANGUAGES)}")
            return
        for lang in LANGUAGES:
            if not isinstance(node.get(lang), str) or not node[lang].strip():
                problems.append(f"{source}: {where}.{lang} is missing or empty")
                continue
            problem = _placeholder_problem(node[lang], where)
            if problem is not None:
                problems.append(f"{source}: {problem} ({lang})")

    _check_names(data, bilingual)
    _walk_texts(data["texts"], "texts", bilingual)
    _check_keyed_texts(data, bilingual)
    _check_labels(data["labels"], source, problems)


def _check_names(data: dict[str, Any], bilingual: Check) -> None:
    """The names and descriptions of models, criteria, distribution kinds and stages."""
    for item in data["models"]:
        for what in ("name", "short", "description", "strengths", "weaknesses", "role"):
            bilingual(item.get(what), f"models.{item.get('id')}.{what}")
        if item.get("channel") is not None:
            bilingual(item["channel"], f"models.{item.get('id')}.channel")
    for item in data["criteria"]:
        bilingual(item.get("name"), f"criteria.{item.get('id')}.name")
    for kind, item in ((data.get("channels") or {}).get("kinds") or {}).items():
        for what in ("name", "role"):
            bilingual((item or {}).get(what), f"channels.kinds.{kind}.{what}")
    for item in data["stages"]:
        bilingual(item.get("name"), f"stages.{item.get('id')}.name")


def _check_keyed_texts(data: dict[str, Any], bilingual: Check) -> None:
    """The texts the code looks up by a rule's, a screen's or an F-note's id, or by name."""
    texts = data["texts"]
    for stage_item in data["stages"]:
        rule = stage_item.get("rule")
        bilingual((texts.get("stage_rule") or {}).get(rule), f"texts.stage_rule.{rule}")
    for crit in data["criteria"]:
        rule = crit.get("rule")
        if rule in data["rule_triggers"]:
            bilingual((texts.get("rule") or {}).get(rule), f"texts.rule.{rule}")
    for screen in data.get("screens") or ():
        bilingual((texts.get("screen") or {}).get(screen.get("id")), f"texts.screen.{screen.get('id')}")
    for section, keys in _NAMED:
        node = texts if section is None else (texts.get(section) or {})
        prefix = "texts." if section is None else f"texts.{section}."
        for key in keys:
            bilingual(node.get(key), f"{prefix}{key}")
    notes = texts.get("f_notes") or {}
    for note in data["f_note_conditions"]:
        bilingual(notes.get(note), f"texts.f_notes.{note}")


def _check_labels(labels: dict[str, Any], source: str, problems: list[str]) -> None:
    """Every label the English labels give, given in every language."""
    keys = set(labels.get("en", {}))
    for lang in LANGUAGES:
        have = labels.get(lang)
        if not isinstance(have, dict):
            problems.append(f"{source}: labels.{lang} is missing")
            continue
        for key in sorted(keys - set(have)):
            problems.append(f"{source}: labels.{lang}.{key} is missing")


def _placeholder_problem(text: str, where: str) -> str | None:
    """Why `text` at `where` cannot be filled in, or None when every placeholder is known."""
    allowed = next((v for k, v in PLACEHOLDERS.items()
                    if where == k or where.startswith(k + ".")), frozenset())
    for match in string.Template.pattern.finditer(text):
        if match.group("invalid") is not None:
            return f"{where}: a lone '$' (write $$ for a dollar sign)"
        name = match.group("named") or match.group("braced")
        if name is not None and name not in allowed:
            known = ", ".join(f"${p}" for p in sorted(allowed)) or "none"
            return f"{where}: unknown placeholder ${name}; this text may use {known}"
    return None


def _walk_texts(node: Any, where: str, check: Check) -> None:
    """Check every text leaf (a mapping with an `en` or `zh` key) below `node`."""
    if isinstance(node, dict):
        if any(lang in node for lang in LANGUAGES):
            check(node, where)
            return
        for key, value in node.items():
            _walk_texts(value, f"{where}.{key}", check)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk_texts(value, f"{where}[{i}]", check)
