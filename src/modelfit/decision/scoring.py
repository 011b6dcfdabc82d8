"""Scoring: pure kernels over rating matrices, and `score_profiles` for whole DataFrames.

score[m] = stage_prior[stage, m] + sum_c weights[c, m] * deviation[c] - screen penalties[m]

Screens (the framework's `screens`) fire on a rating threshold (R1), a stage (S1) or a channel
not yet running (S2's precondition); a screened model ranks after every unscreened one.

Ranking and tie rule: unscreened models rank before screened ones; then higher score first,
scores compared after rounding to 9 decimals; an exact tie goes to the model listed first in
the framework (platform, distribution, independent_site, hybrid: the lighter plan first).
`recommend` runs these same kernels on a one-row matrix, so the row and the vectorised paths
cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.decision.features import to_deviations

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework

TIE_DECIMALS = 9
_SCREEN_OFFSET = 1000.0  # larger than any score range: screened models always rank last


def criterion_points(deviations: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Points per (row, criterion, model): deviation times weight. Shape (n, C, M)."""
    return np.asarray(deviations[:, :, None] * weights[None, :, :])


def fired_screens(
    ratings: np.ndarray, fw: Framework, stage_idx: np.ndarray | None = None,
    running: np.ndarray | None = None,
) -> np.ndarray:
    """Which screens fire per row: (n, S) booleans, S = `fw.screens` in order.

    A screen fires when every condition it names holds: a rating at or below `max_rating`
    (`criterion`), the company's `stage` (one of a list), a base channel that is not yet running
    (`without_channel`). `stage_idx` (n,) and `running` (n, B) booleans over `fw.base_channels`
    are needed only by screens that name a stage or a channel; `running=None` means no channel
    runs yet (the profile's default).
    """
    n = ratings.shape[0]
    out = np.ones((n, len(fw.screens)), dtype=bool)
    for s, screen in enumerate(fw.screens):
        if screen.criterion is not None and screen.max_rating is not None:
            out[:, s] &= ratings[:, fw.criteria.index(screen.criterion)] <= screen.max_rating
        if screen.stage is not None:
            if stage_idx is None:
                raise ModelfitError(f"screen {screen.id} needs the stage of each row")
            wanted = np.array([st in screen.stage for st in fw.stages])
            out[:, s] &= wanted[stage_idx]
        if screen.without_channel is not None:
            if running is None:
                continue  # nothing runs yet: the channel is missing
            out[:, s] &= ~running[:, fw.base_channels.index(screen.without_channel)]
    return out


def running_matrix(existing: Sequence[Sequence[str]], fw: Framework) -> np.ndarray:
    """(n, B) booleans over `fw.base_channels` from each row's list of running channels."""
    out = np.zeros((len(existing), len(fw.base_channels)), dtype=bool)
    for i, channels in enumerate(existing):
        for c in channels:
            out[i, fw.base_channels.index(c)] = True
    return out


def score_matrix(
    ratings: np.ndarray, stage_idx: np.ndarray, fw: Framework, running: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (n, M) and screen flags (n, M; > 0 where a screen fired) for validated ratings
    (n, C), stage indices (n,) and, optionally, the channels already running (n, B)."""
    dev = to_deviations(ratings)
    fired = fired_screens(ratings, fw, stage_idx, running)
    penalty = np.zeros((ratings.shape[0], len(fw.models)))
    flags = np.zeros_like(penalty)
    for s, screen in enumerate(fw.screens):
        for model in screen.models:
            m = fw.models.index(model)
            penalty[:, m] += np.where(fired[:, s], float(screen.penalty), 0.0)
            flags[:, m] = np.maximum(flags[:, m], fired[:, s].astype(float))
    scores = fw.priors[stage_idx] + dev @ fw.weights - penalty
    return scores, flags


def rank_keys(scores: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """A key per (row, model) whose descending order is the ranking (ties: framework order).

    `penalty` is `score_matrix`'s second output: > 0 where a screen fired (the model ranks after
    every unscreened one)."""
    return np.round(scores, TIE_DECIMALS) - np.where(penalty > 0, _SCREEN_OFFSET, 0.0)


def primary_index(scores: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Index of the primary model per row (argmax keeps the first model on a tie)."""
    return np.asarray(np.argmax(rank_keys(scores, penalty), axis=1))


def ranking_index(scores: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Model indices best first per row; a stable sort keeps framework order on ties."""
    return np.argsort(-rank_keys(scores, penalty), axis=1, kind="stable")


def score_profiles(df: pd.DataFrame, framework: Framework | None = None) -> pd.DataFrame:
    """Score a DataFrame of profiles (one row each) in one vectorised pass.

    Needs the columns `stage`, `capital`, `supply_chain`, `brand_content`, `tech_data`; an
    `existing_channels` column (lists of base channels, or `a;b` strings) takes part in S2's
    precondition, and without it no channel counts as running. Other columns are ignored.
    Returns, on the same index, one column of scores per model and `primary`.
    Equal to `recommend` row by row.
    """
    from modelfit.decision.framework import Framework as _Framework

    fw = framework or _Framework.load()
    ratings, stage_idx = validate_frame(df, fw)
    running = running_column(df, fw)
    scores, penalty = score_matrix(ratings, stage_idx, fw, running)
    out = pd.DataFrame(scores, index=df.index, columns=list(fw.models))
    models = np.asarray(fw.models, dtype=object)
    out["primary"] = models[primary_index(scores, penalty)]
    return out


def validate_frame(
    df: pd.DataFrame, fw: Framework, caller: str = "score_profiles",
) -> tuple[np.ndarray, np.ndarray]:
    """Check the stage and rating columns; return ratings (n, C) as float and stage indices.
    Problems name `caller` (the public function that was given the frame)."""
    if not isinstance(df, pd.DataFrame):
        raise ModelfitError(f"{caller}: expected a pandas DataFrame, got {type(df).__name__}")
    needed = ("stage", *fw.criteria)
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ModelfitError(
            f"{caller}: missing column(s) {', '.join(missing)}; needs {', '.join(needed)}"
        )
    problems = []
    stage_idx = stage_indices(df["stage"], fw)
    bad = np.flatnonzero(stage_idx < 0)
    if bad.size:
        problems.append(_bad_rows("stage", df, bad, "one of " + ", ".join(fw.stages), caller))
    columns = []
    for name in fw.criteria:
        col = df[name]
        if not (pd.api.types.is_integer_dtype(col) or pd.api.types.is_float_dtype(col)) or (
            pd.api.types.is_bool_dtype(col)
        ):
            problems.append(f"{caller}: column {name} must hold integers from 1 to 5, "
                            f"got dtype {col.dtype}")
            continue
        values = col.to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero(~((values >= 1) & (values <= 5) & (values == np.round(values))))
        if bad.size:
            problems.append(_bad_rows(name, df, bad, "an integer from 1 to 5", caller))
        columns.append(values)
    if problems:
        raise ModelfitError(problems)
    return np.column_stack(columns), stage_idx


@dataclass(frozen=True)
class RowCheck:
    """`check_rows`' verdict on a frame of profiles: which rows can be scored, and why not.

    `good` is (n,) booleans by row position. Each problem is one (row position, column, what
    the column allows) triple, in `positions`, `columns` and `allowed`, ordered by row and then
    by column in `needed` order (stage, the ratings, existing_channels)."""

    good: np.ndarray
    positions: np.ndarray
    columns: tuple[str, ...]
    allowed: tuple[str, ...]


def check_rows(df: pd.DataFrame, fw: Framework) -> RowCheck:
    """Validate a frame of profiles row by row, vectorised: a bad value makes its row bad, not
    the frame (`score_profiles` refuses the whole frame instead).

    The same rules as `score_profiles`: `stage` one of the framework's stages; each rating an
    integer from 1 to 5 (numbers, or text holding a number, as read from a CSV; booleans never);
    `existing_channels`, when present, a list of base channels or an `a;b` string. A missing
    rating or stage is a bad value. A missing column is still an error for the whole frame.
    """
    needed = ("stage", *fw.criteria)
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ModelfitError(
            f"score_profiles: missing column(s) {', '.join(missing)}; needs {', '.join(needed)}"
        )
    n = len(df)
    found: list[tuple[np.ndarray, str, str]] = []
    stage_idx = stage_indices(df["stage"], fw)
    found.append((np.flatnonzero(stage_idx < 0), "stage", "one of " + ", ".join(fw.stages)))
    for name in fw.criteria:
        values = rating_values(df[name])
        with np.errstate(invalid="ignore"):
            ok = (values >= 1) & (values <= 5) & (values == np.round(values))
        found.append((np.flatnonzero(~ok), name, "an integer from 1 to 5"))
    if "existing_channels" in df.columns:
        _, bad = channel_rows(df["existing_channels"], fw)
        found.append((bad, "existing_channels",
                      "a list of " + ", ".join(fw.base_channels) + " (a;b in a text cell)"))
    positions = np.concatenate([f[0] for f in found]).astype(np.intp)
    order_in_found = np.concatenate([np.full(f[0].size, k) for k, f in enumerate(found)])
    order = np.lexsort((order_in_found, positions))
    good = np.ones(n, dtype=bool)
    good[positions] = False
    kinds = order_in_found[order]
    return RowCheck(good=good, positions=positions[order],
                    columns=tuple(found[k][1] for k in kinds),
                    allowed=tuple(found[k][2] for k in kinds))


def rating_values(col: pd.Series) -> np.ndarray:
    """A rating column as floats, NaN where a value is missing or not a number (text is parsed
    as a number, blanks around it ignored; booleans and other types are never numbers)."""
    if pd.api.types.is_bool_dtype(col):
        return np.full(len(col), np.nan)
    if pd.api.types.is_integer_dtype(col) or pd.api.types.is_float_dtype(col):
        return col.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(col.dtype, pd.StringDtype):
        text = col.str.strip()
    elif pd.api.types.is_object_dtype(col):
        kept = col.map(lambda v: None if isinstance(v, bool) else v)
        text = kept.astype("str").str.strip()
    else:
        return np.full(len(col), np.nan)
    numbers = pd.to_numeric(text, errors="coerce")
    return np.asarray(numbers, dtype=float)


def stage_indices(col: pd.Series, fw: Framework) -> np.ndarray:
    """Each row's stage as its index in `fw.stages`, -1 where it is none of them (or missing).

    Looked up once per distinct value (a hash of the column, then a handful of lookups), not
    per row. get_indexer, not pd.Categorical: an unknown stage must give -1, and pandas
    deprecates Categorical codes for values outside the categories (Pandas4Warning)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    lookup = pd.Index(list(fw.stages)).get_indexer(pd.Index(uniques))
    return np.append(lookup, -1).astype(np.intp)[codes]  # code -1 (missing) takes the last


def _bad_rows(
    name: str, df: pd.DataFrame, bad: np.ndarray, allowed: str, caller: str = "score_profiles",
) -> str:
    shown = ", ".join(f"row {df.index[i]!r}: {df[name].iloc[i]!r}" for i in bad[:3])
    more = f" and {bad.size - 3} more" if bad.size > 3 else ""
    return f"{caller}: column {name} must be {allowed}; got {shown}{more}"


def running_column(
    df: pd.DataFrame, fw: Framework, caller: str = "score_profiles",
) -> np.ndarray | None:
    """The `existing_channels` column as (n, B) booleans, or None when there is no column."""
    if "existing_channels" not in df.columns:
        return None
    running, bad = channel_rows(df["existing_channels"], fw)
    if bad.size:
        raise ModelfitError(_bad_rows("existing_channels", df, bad,
                                      "a list of " + ", ".join(fw.base_channels), caller))
    return running


def channel_rows(col: pd.Series, fw: Framework) -> tuple[np.ndarray, np.ndarray]:
    """An `existing_channels` column as (n, B) booleans over `fw.base_channels`, and the
    positions of the rows whose value is not a list of base channels (their row stays False).

    A value is a list (or tuple, array) of channel ids, an `a;b` string (blanks around each id
    ignored), or missing (None, NaN: nothing runs yet). A column of pandas strings is parsed
    once per distinct value (vectorised); other columns row by row.
    """
    if isinstance(col.dtype, pd.StringDtype) and col.dtype.na_value is np.nan:
        # Missing values of this dtype are NaN, which counts as "nothing runs yet".
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        parsed = [_channel_items(str(v)) for v in uniques]
        table = np.zeros((len(parsed) + 1, len(fw.base_channels)), dtype=bool)  # last: missing
        valid = np.ones(len(parsed) + 1, dtype=bool)
        for u, items in enumerate(parsed):
            valid[u] = set(items) <= set(fw.base_channels)
            for c in items:
                if c in fw.base_channels:
                    table[u, fw.base_channels.index(c)] = True
        codes = np.where(codes < 0, len(parsed), codes)
        return table[codes], np.flatnonzero(~valid[codes])
    if pd.api.types.is_float_dtype(col) and not pd.api.types.is_object_dtype(col):
        return (np.zeros((len(col), len(fw.base_channels)), dtype=bool),
                np.flatnonzero(col.notna().to_numpy()))  # NaN: nothing runs; a number: bad
    rows: list[list[str]] = []
    bad = []
    for i, value in enumerate(col.tolist()):
        if isinstance(value, str):
            items = _channel_items(value)
        elif isinstance(value, (list, tuple, np.ndarray)):
            items = [str(v) for v in value]
        elif value is None or (isinstance(value, float) and np.isnan(value)):
            items = []
        else:
            items = ["?"]
        if not set(items) <= set(fw.base_channels):
            bad.append(i)
        rows.append([v for v in items if v in fw.base_channels])
    return running_matrix(rows, fw), np.asarray(bad, dtype=np.intp)


def _channel_items(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]
