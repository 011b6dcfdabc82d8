"""What an edited copy of the framework must also get right for a report to run, beyond what
the bundled file is built to: every key the bundled framework has and no key it does not know
(a typo would be ignored silently), rule thresholds as ratings, and references to models and
stages that exist."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from modelfit.decision.framework_file import bundled_raw

Unknown = Callable[[str, Any, Any], None]  # (where, key, known keys): report an unknown key


def check_edited(
    data: dict[str, Any], models: tuple[str, ...], criteria: tuple[str, ...],
    stages: tuple[str, ...], source: str, problems: list[str],
) -> None:
    """Append to `problems` what the edited copy `data` gets wrong against the bundled file."""
    reference = bundled_raw()

    def unknown(where: str, key: Any, known: Any) -> None:
        close = difflib.get_close_matches(str(key), [str(k) for k in known], n=1)
        names = [str(k) for k in known]
        hint = (f"; did you mean {close[0]!r}?" if close else
                f"; the known ones are {', '.join(names)}" if len(names) <= 12 else "")
        problems.append(f"{source}: {where}{key!s:.60} is not known to modelfit{hint}")

    for key in data:
        if key not in reference:
            unknown("", key, reference)
    for table, rows, cols in (("weights", criteria, models), ("stage_priors", stages, models)):
        for row, entry in (data.get(table) or {}).items():
            if row not in rows:
                unknown(f"{table}.", row, rows)
            elif isinstance(entry, dict):
                for col in entry:
                    if col not in cols:
                        unknown(f"{table}.{row}.", col, cols)
    for section in ("texts", "labels"):
        _compare_keys(data.get(section), reference[section], section, source, problems, unknown)
    _check_triggers(data, models, source, problems)
    _check_references(data, stages, source, problems)


def _check_triggers(
    data: dict[str, Any], models: tuple[str, ...], source: str, problems: list[str],
) -> None:
    """Each R-rule's trigger names a model and one threshold, a rating from 1 to 5."""
    for rule, trig in (data.get("rule_triggers") or {}).items():
        if not isinstance(trig, dict):
            continue
        if trig.get("model") not in models:
            problems.append(f"{source}: rule_triggers.{rule}.model must be one of "
                            f"{', '.join(models)}, got {trig.get('model')!r:.60}")
        bounds = [k for k in ("min_rating", "max_rating") if k in trig]
        if len(bounds) != 1:
            problems.append(f"{source}: rule_triggers.{rule} needs one of min_rating or "
                            "max_rating")
        for key in bounds:
            value = trig[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                problems.append(f"{source}: rule_triggers.{rule}.{key} must be a rating, an "
                                f"integer from 1 to 5, got {value!r:.60}")


def _check_references(
    data: dict[str, Any], stages: tuple[str, ...], source: str, problems: list[str],
) -> None:
    """Each stage's next stage exists; each F-note's condition is a mapping."""
    for item in data.get("stages") or []:
        if isinstance(item, dict) and item.get("next") is not None and item["next"] not in stages:
            problems.append(f"{source}: stages.{item.get('id')}.next must be one of "
                            f"{', '.join(stages)} or null, got {item['next']!r:.60}")
    for note, condition in (data.get("f_note_conditions") or {}).items():
        if not isinstance(condition, dict):
            problems.append(f"{source}: f_note_conditions.{note} must be a mapping, got "
                            f"{condition!r:.60}")


def _compare_keys(
    node: Any, reference: Any, where: str, source: str, problems: list[str], unknown: Unknown,
) -> None:
    """Every mapping key of `reference` is in `node`, and no other (lists: any length)."""
    if not isinstance(reference, dict):
        return
    if not isinstance(node, dict):
        problems.append(f"{source}: {where} must be a mapping")
        return
    for key, value in reference.items():
        if key not in node:
            problems.append(f"{source}: {where}.{key} is missing")
        else:
            _compare_keys(node[key], value, f"{where}.{key}", source, problems, unknown)
    if where.endswith(".f_notes") or where == "texts.o_points":
        return  # extra notes and channels' point lists are the analyst's to add
    for key in node:
        if key not in reference:
            unknown(f"{where}.", key, reference)
