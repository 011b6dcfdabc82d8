"""The outcome model's assumptions: the file `data/outcomes.yaml`, read and checked.

Every assumption is a leaf `{value, range, source}` or `{value, range, judgement}`; `settings`
are the simulation's own design and are kept as they are. This module owns reading the file,
checking every leaf (a source with publisher, title and year, or a judgement; a valid range the
value lies in), the table of every assumption with its source (`assumption_table`,
`assumption_sources`, `judged_share`) and a copy of the values with one assumption moved within
its range (`vary_assumption`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from modelfit.core.errors import ModelfitError

BUNDLED = "outcomes.yaml"


def _read_text(path: str | Path | None) -> tuple[str, str]:
    if path is None:
        return resources.files("modelfit").joinpath("data", BUNDLED).read_text("utf-8"), BUNDLED
    label = str(path)
    try:
        return Path(path).read_text("utf-8"), label
    except OSError as exc:
        raise ModelfitError(f"{label}: cannot be read ({exc.strerror})") from None


def _parse(text: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when built with it
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def load_assumptions(path: str | Path | None = None) -> dict[str, Any]:
    """The outcome model's assumptions as plain values (ranges and sources dropped).

    Reads `path`, or the bundled `data/outcomes.yaml`. `settings` are kept as they are; every
    other leaf must be `{value, range, source}` or `{value, range, judgement}` and becomes its
    value. Raises `ModelfitError` naming the file and the assumption for a leaf without a
    source (or judgement) or without a valid range.
    """
    text, label = _read_text(path)
    data = _parse(text)
    if not isinstance(data, dict):
        raise ModelfitError(f"{label}: an assumptions file must be a mapping")
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, node in data.items():
        if key in ("version", "settings"):
            values[key] = node
        else:
            values[key] = _strip(node, str(key), label, problems)
    if problems:
        raise ModelfitError(problems)
    return values


def _is_leaf(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node


def _strip(node: Any, where: str, label: str, problems: list[str]) -> Any:
    if _is_leaf(node):
        _check_leaf(node, where, label, problems)
        return node["value"]
    if isinstance(node, dict):
        return {k: _strip(v, f"{where}.{k}", label, problems) for k, v in node.items()}
    problems.append(f"{label}: {where} must be {{value, range, source}}, got {node!r}")
    return node


def _check_leaf(node: dict[str, Any], where: str, label: str, problems: list[str]) -> None:
    source, judgement = node.get("source"), node.get("judgement")
    if judgement is not None:
        if not str(judgement).strip():
            problems.append(f"{label}: {where} has an empty judgement; say what it was judged from")
    elif isinstance(source, dict):
        missing = [k for k in ("publisher", "title", "year") if not str(source.get(k, "")).strip()]
        if missing:
            problems.append(f"{label}: {where} source lacks {', '.join(missing)}; a source "
                            "needs publisher, title and year (and url where public)")
    else:
        problems.append(f"{label}: {where} has no source; every assumption needs one "
                        "(publisher, title, year, url) or a judgement saying what it was "
                        "judged from")
    bounds = node.get("range")
    if (not isinstance(bounds, list) or len(bounds) != 2
            or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
            or bounds[0] > bounds[1]):
        problems.append(f"{label}: {where} needs a range [low, high], got {bounds!r}")
        return
    value = node["value"]
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not bounds[0] <= value <= bounds[1]:
            problems.append(f"{label}: {where} value {value} lies outside its range {bounds}")
    elif not bounds[0] <= 1.0 <= bounds[1]:
        problems.append(f"{label}: {where} is a table, so its range is a factor around 1, "
                        f"got {bounds}")


def assumption_table(path: str | Path | None = None) -> pd.DataFrame:
    """Every assumption, one row each: value, range, whether judged, and its source or judgement.

    Columns: assumption, value, range, judged (bool), source (publisher, title, year; or the
    judgement), url, note. For a table-valued assumption the range is a factor on every entry.
    """
    text, _ = _read_text(path)
    rows: list[dict[str, Any]] = []

    def walk(node: Any, where: str) -> None:
        if _is_leaf(node):
            src = node.get("source") if isinstance(node.get("source"), dict) else {}
            judged = "judgement" in node
            rows.append({
                "assumption": where, "value": node["value"],
                "range": list(node.get("range", [])), "judged": judged,
                "source": (f"judgement: {node['judgement']}" if judged else
                           f"{src.get('publisher')}, \"{src.get('title')}\", {src.get('year')}"),
                "url": "" if judged else str(src.get("url", "")),
                "note": "" if judged else str(src.get("note", "")),
            })
        elif isinstance(node, dict):
            for key, child in node.items():
                if key not in ("version", "settings"):
                    walk(child, f"{where}.{key}" if where else str(key))

    walk(_parse(text), "")
    return pd.DataFrame(rows)


def assumption_sources(path: str | Path | None = None) -> pd.DataFrame:
    """Every assumption with its value and source, one row each (for a notebook or the docs)."""
    return assumption_table(path)[["assumption", "value", "range", "source", "url"]]


def judged_share(path: str | Path | None = None) -> float:
    """Share of the assumptions that are judgement (a table counts once), rounded to 4 places."""
    table = assumption_table(path)
    return round(float(table["judged"].mean()), 4)


def vary_assumption(a: Mapping[str, Any], name: str, bound: float) -> dict[str, Any]:
    """A copy of the values `a` with assumption `name` (dotted) set to `bound` of its range.

    A number takes `bound` itself; a table has every entry multiplied by `bound` (for
    `stage.brand_equity`, its part above 1).
    """
    out = copy.deepcopy(dict(a))
    keys = name.split(".")
    node: Any = out
    for key in keys[:-1]:
        node = node[key]
    value = node[keys[-1]]
    if isinstance(value, dict):
        if name == "stage.brand_equity":
            node[keys[-1]] = {k: 1.0 + (float(v) - 1.0) * bound for k, v in value.items()}
        else:
            node[keys[-1]] = {k: _scaled(v, bound) for k, v in value.items()}
    else:
        node[keys[-1]] = type(value)(bound) if isinstance(value, int) else float(bound)
    return out


def _scaled(value: Any, factor: float) -> Any:
    if isinstance(value, list):
        return [float(v) * factor for v in value]
    return float(value) * factor
