"""The client's own weights: three standard elicitation methods and how they reweight the framework.

A client may rank the four criteria differently from the framework. Each method below turns what
the client says into criterion importances lambda_c >= 0 that sum to 1:

rank (rank-order centroid, Barron & Barrett 1996)
    `{method: rank, order: [most important, ..., least important]}`. With n criteria the k-th
    gets w_k = (1/n) * sum_{i=k..n} 1/i: for four, 0.5208, 0.2708, 0.1458, 0.0625. These are the
    centroid of the set of weights that respect the order.
swing (von Winterfeldt & Edwards 1986; Goodwin & Wright, Decision Analysis for Management
    Judgment, ch. 3)
    `{method: swing, points: {criterion: 0..100}}`, the most important swing at 100: importances
    are the points divided by their sum.
ahp (Saaty 1980, 2008)
    `{method: ahp, comparisons: {"a/b": value}}` on Saaty's 1/9..9 scale (how much more a matters
    than b), each pair of criteria exactly once. Importances are the principal right eigenvector
    of the reciprocal matrix, normalised to sum 1. Consistency: CI = (lambda_max - n)/(n - 1),
    CR = CI / RI(n) with Saaty's random indices. Above CR = 0.1 (`MAX_CONSISTENCY_RATIO`) the
    comparisons are refused, naming the judgements that disagree most with the others (largest
    a_ij * w_j / w_i away from 1) and the value that would fit.

How importances rescale the framework (see docs/preferences.md): the framework's weight matrix
W[c, m] (points model m gains at a rating of 5 on c) is the framework's own answer to "how much
does c matter", with every criterion at importance 1/C. Under client importances lambda the
weights become W'[c, m] = C * lambda_c * W[c, m]: the row of c is multiplied by C * lambda_c (1 at
the framework's own weights, 2 = "counts twice as much"). Stage priors and screens do not change.
This is the same reweighting the SMAA analysis samples (`modelfit.decision.robustness`).

Every importance is rounded to `DECIMALS` (6) places at the source (the rounding residue goes to
the largest, so they still sum to 1); multipliers and scores under them to `SHOWN_DECIMALS` (4).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from modelfit.core.errors import ModelfitError, shown
from modelfit.core.reading import DEEPEST, StrictLoader, nesting, read_capped

METHODS = ("rank", "swing", "ahp")
DECIMALS = 6  # importances
SHOWN_DECIMALS = 4  # multipliers, scores and points under the client's weights
MAX_CONSISTENCY_RATIO = 0.1
# Saaty's random consistency index RI(n) for n = 1..10 (Saaty 1980, Table 1; as in AHPy).
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.9, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
SAATY_MIN, SAATY_MAX = 1 / 9, 9.0
MAX_FILE_BYTES = 16 * 1024
MAX_FILE_NESTING = 10  # a weights file needs 3 levels
WORST_SHOWN = 2


# --- the three methods (pure, on any list of item names) ----------------------------------------
def rank_order_centroid(order: Sequence[str]) -> dict[str, float]:
    """Rank-order centroid weights for `order` (most important first), summing to 1."""
    n = len(order)
    return _rounded({item: sum(1.0 / i for i in range(k, n + 1)) / n
                     for k, item in enumerate(order, 1)})


def swing_weights(points: Mapping[str, float]) -> dict[str, float]:
    """SWING weights: each criterion's swing points divided by the sum of all points."""
    total = float(sum(points.values()))
    return _rounded({item: float(p) / total for item, p in points.items()})


@dataclass(frozen=True)
class AhpResult:
    """AHP priorities and consistency for one comparison matrix."""

    weights: dict[str, float]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    # (a, b, given, fitting): the judgements furthest from the others, worst first
    worst: tuple[tuple[str, str, float, float], ...]


def ahp(items: Sequence[str], comparisons: Mapping[tuple[str, str], float]) -> AhpResult:
    """Principal-eigenvector priorities and Saaty's consistency ratio.

    `comparisons[(a, b)] = v` says a matters v times as much as b; each unordered pair once.
    No checks here beyond the matrix being complete (see `parse` for the user-facing ones).
    """
    n = len(items)
    index = {item: i for i, item in enumerate(items)}
    a = np.ones((n, n))
    for (x, y), v in comparisons.items():
        a[index[x], index[y]] = float(v)
        a[index[y], index[x]] = 1.0 / float(v)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    lam = float(values[k].real)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX[n - 1] if n <= len(RANDOM_INDEX) else RANDOM_INDEX[-1]
    cr = ci / ri if ri > 0 else 0.0
    # How far each judgement is from what the priorities imply: e_ij = a_ij * w_j / w_i.
    errors = []
    for (x, y), v in comparisons.items():
        i, j = index[x], index[y]
        fitting = float(w[i] / w[j])
        errors.append((abs(math.log(float(v) / fitting)), x, y, float(v), fitting))
    errors.sort(key=lambda e: (-round(e[0], 9), items.index(e[1]), items.index(e[2])))
    return AhpResult(
        weights=_rounded({item: float(w[i]) for i, item in enumerate(items)}),
        lambda_max=round(lam, DECIMALS),
        consistency_index=round(max(ci, 0.0), DECIMALS),
        consistency_ratio=round(max(cr, 0.0), 4),
        worst=tuple((x, y, v, round(f, 2)) for _, x, y, v, f in errors),
    )


def _rounded(weights: Mapping[str, float]) -> dict[str, float]:
    """`weights` (summing to 1) rounded to DECIMALS places, the rounding residue added to the
    largest, so that the rounded importances still sum to 1."""
    out = {k: round(v, DECIMALS) for k, v in weights.items()}
    top = max(out, key=lambda k: out[k])
    out[top] = round(out[top] + round(1.0 - sum(out.values()), DECIMALS), DECIMALS)
    return out


# --- preferences as a profile or file holds them ------------------------------------------------
@dataclass(frozen=True)
class Preferences:
    """The client's validated preferences: the method, what was said, and the importances."""

    method: str
    importances: dict[str, float]
    stated: dict[str, Any]
    consistency_ratio: float | None = None

    def multipliers(self) -> dict[str, float]:
        """C * lambda_c: how many times its framework weight each criterion counts."""
        c = len(self.importances)
        return {k: round(c * v, SHOWN_DECIMALS) for k, v in self.importances.items()}

    def to_dict(self) -> dict[str, Any]:
        """The mapping as written in a profile (`preferences:`) or a `--weights` file."""
        return dict(self.stated)


def parse(data: Any, criteria: Sequence[str], *, source: str = "preferences") -> Preferences:
    """Validate a `preferences` mapping in one of the three forms; raise listing every problem.

    `source` names where it came from ("params/acme.yaml: preferences" or a file name).
    """
    allowed_methods = ", ".join(METHODS)
    if not isinstance(data, dict):
        raise ModelfitError(f"{source} must be a mapping with method: {allowed_methods}, "
                            f"got {shown(data)}")
    method = data.get("method")
    if method not in METHODS:
        raise ModelfitError(f"{source}.method must be one of {allowed_methods}, got {method!r}")
    key = {"rank": "order", "swing": "points", "ahp": "comparisons"}[method]
    extra = [k for k in data if k not in ("method", key)]
    problems = [f"{source}: {k!r} is not a field of a {method} preference; it holds method and "
                f"{key}" for k in extra]
    value = data.get(key)
    if method == "rank":
        result = _parse_rank(value, criteria, f"{source}.order", problems)
    elif method == "swing":
        result = _parse_swing(value, criteria, f"{source}.points", problems)
    else:
        result = _parse_ahp(value, criteria, f"{source}.comparisons", problems)
    if problems or result is None:
        raise ModelfitError(problems)
    return dataclasses.replace(result, importances={c: result.importances[c] for c in criteria})


def read_file(path: str | Path, criteria: Sequence[str]) -> Preferences:
    """Read a `--weights` file (YAML or JSON holding the `preferences` mapping) and parse it."""
    path = Path(path)
    if path.suffix not in (".yaml", ".yml", ".json"):
        raise ModelfitError(f"{path}: a weights file must be .yaml, .yml or .json, got "
                            f"{path.suffix or 'no suffix'!r}")
    if not path.exists():
        raise ModelfitError(f"{path}: no such file")
    # the same capped reader as model files: a FIFO, a device or a huge file is refused at once
    raw = read_capped(path, MAX_FILE_BYTES, "a weights file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelfitError(f"{path}: not UTF-8 text") from None
    depth = nesting(text)
    if depth > MAX_FILE_NESTING:
        raise ModelfitError(f"{path}: lists or mappings nested "
                            f"{'too' if depth >= DEEPEST else depth} deep; a weights file may "
                            f"nest at most {MAX_FILE_NESTING} levels")
    try:
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - SafeLoader
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ModelfitError(f"{path}: {problem}") from None
    if isinstance(data, dict) and set(data) == {"preferences"}:
        data = data["preferences"]
    return parse(data, criteria, source=str(path))


def _parse_rank(
    value: Any, criteria: Sequence[str], where: str, problems: list[str],
) -> Preferences | None:
    allowed = f"a list of all of {', '.join(criteria)}, each once, most important first"
    if (not isinstance(value, list) or sorted(map(str, value)) != sorted(criteria)
            or not all(isinstance(v, str) for v in value)):
        problems.append(f"{where} must be {allowed}, got {shown(value)}")
        return None
    return Preferences("rank", rank_order_centroid(value), {"method": "rank", "order": list(value)})


def _parse_swing(
    value: Any, criteria: Sequence[str], where: str, problems: list[str],
) -> Preferences | None:
    if not isinstance(value, dict):
        problems.append(f"{where} must map each of {', '.join(criteria)} to points from 0 to 100 "
                        f"(the most important at 100), got {shown(value)}")
        return None
    for key in value:
        if key not in criteria:
            problems.append(f"{where}: {key!r} is not a criterion; the criteria are "
                            f"{', '.join(criteria)}")
    for crit in criteria:
        if crit not in value:
            problems.append(f"{where}.{crit} is missing; it must be a number from 0 to 100")
            continue
        p = value[crit]
        if (isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p)
                or not 0 <= p <= 100):
            problems.append(f"{where}.{crit} must be a number from 0 to 100, got {shown(p)}")
    if problems:
        return None
    top = max(float(value[c]) for c in criteria)
    if top != 100:
        problems.append(f"{where}: the most important criterion's swing must be 100, got a "
                        f"highest of {top:g}")
        return None
    points = {c: value[c] for c in criteria}
    return Preferences("swing", swing_weights(points), {"method": "swing", "points": points})


def _parse_ahp(
    value: Any, criteria: Sequence[str], where: str, problems: list[str],
) -> Preferences | None:
    n = len(criteria)
    allowed = (f"a mapping of \"a/b\": value for each of the {n * (n - 1) // 2} pairs of "
               f"{', '.join(criteria)} once, values on Saaty's scale 1/9 to 9")
    if not isinstance(value, dict):
        problems.append(f"{where} must be {allowed}, got {shown(value)}")
        return None
    pairs: dict[tuple[str, str], float] = {}
    seen: dict[frozenset[str], str] = {}
    for key, v in value.items():
        parts = key.split("/") if isinstance(key, str) else []
        if len(parts) != 2 or parts[0] not in criteria or parts[1] not in criteria:
            problems.append(f"{where}: {key!r} is not a pair; write \"a/b\" with a and b from "
                            f"{', '.join(criteria)}")
            continue
        a, b = parts
        if a == b:
            problems.append(f"{where}: {key!r} compares a criterion with itself")
            continue
        if frozenset(parts) in seen:
            problems.append(f"{where}: {key!r} repeats the pair {seen[frozenset(parts)]!r}; give "
                            "each pair once")
            continue
        seen[frozenset(parts)] = key
        number = _saaty(v)
        if number is None:
            problems.append(f"{where}.{key} must be a number from 1/9 to 9 (Saaty's scale; a "
                            f"fraction such as 1/3 may be written as text), got {shown(v)}")
            continue
        pairs[(a, b)] = number
    missing = [f"{a}/{b}" for i, a in enumerate(criteria) for b in criteria[i + 1:]
               if frozenset((a, b)) not in seen]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}; {allowed}")
    if problems:
        return None
    result = ahp(criteria, pairs)
    if result.consistency_ratio > MAX_CONSISTENCY_RATIO:
        worst = "; ".join(f"{a}/{b} = {_fraction(v)} (the priorities imply about {f:.2f})"
                          for a, b, v, f in result.worst[:WORST_SHOWN])
        problems.append(f"{where}: the comparisons are inconsistent: consistency ratio "
                        f"{result.consistency_ratio:.3f}, above Saaty's limit of "
                        f"{MAX_CONSISTENCY_RATIO}; the judgements that disagree most: {worst}")
        return None
    stated = {"method": "ahp", "comparisons": dict(value)}
    return Preferences("ahp", result.weights, stated, consistency_ratio=result.consistency_ratio)


def _saaty(v: Any) -> float | None:
    """A Saaty-scale value from a number or a text such as "1/3"; None when it is not one."""
    if isinstance(v, str):
        parts = v.strip().split("/")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            return None
        if len(nums) == 1:
            number = nums[0]
        elif len(nums) == 2 and nums[1] != 0:
            number = nums[0] / nums[1]
        else:
            return None
    elif isinstance(v, (int, float)) and not isinstance(v, bool):
        number = float(v)
    else:
        return None
    if not math.isfinite(number) or not SAATY_MIN - 1e-9 <= number <= SAATY_MAX + 1e-9:
        return None
    return number


def _fraction(v: float) -> str:
    """3, 1/4, or 1.33: a Saaty value as it was most likely written."""
    if v < 1 and abs(1 / v - round(1 / v)) < 1e-6:
        return f"1/{round(1 / v)}"
    return f"{v:.3g}"


def from_multipliers(multipliers: Mapping[str, float]) -> dict[str, float]:
    """Importances lambda_c = m_c / sum(m) from relative weight multipliers (not all zero)."""
    total = float(sum(multipliers.values()))
    if not math.isfinite(total) or total <= 0 or any(v < 0 for v in multipliers.values()):
        raise ModelfitError("weight multipliers must be numbers >= 0, at least one above 0, got "
                            f"{dict(multipliers)!r}")
    return _rounded({k: float(v) / total for k, v in multipliers.items()})


# --- for the report -------------------------------------------------------------------------------
