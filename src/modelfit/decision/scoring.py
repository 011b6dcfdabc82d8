"""Scoring: pure kernels over rating matrices, and `score_profiles` for whole DataFrames.

score[m] = stage_prior[stage, m] + sum_c weights[c, m] * deviation[c] - screen penalties[m]

Screens (the framework's `screens`) fire on a rating threshold (R1), a stage (S1), channels
known not to run (S2's precondition, C4) or the own site's readiness (C3, C4); a screened model
ranks after every unscreened one.

Ranking and tie rule: unscreened models rank before screened ones; then higher score first,
scores compared after rounding to 9 decimals; an exact tie goes to the model listed first in
the framework (platform, distribution, independent_site, hybrid: the lighter plan first). The
close call (C2, `CloseCall`) then picks the primary among the unscreened models within its
margin of the best: the one whose own plan keeps more running channels, then the stage rule's.
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
from modelfit.decision.framework_rules import READINESS

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework

TIE_DECIMALS = 9
_SCREEN_OFFSET = 1000.0  # larger than any score range: screened models always rank last


def criterion_points(deviations: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Points per (row, criterion, model): deviation times weight. Shape (n, C, M)."""
    return np.asarray(deviations[:, :, None] * weights[None, :, :])


@dataclass(frozen=True)
class Running:
    """The channels rows run: `channels` (n, B) booleans over `fw.base_channels`, and `known`
    (n,): whether the row says at all (a profile without `existing_channels` does not; a row
    that does not say runs nothing known)."""

    channels: np.ndarray
    known: np.ndarray

    @classmethod
    def unknown(cls, n: int, fw: Framework) -> Running:
        """`n` rows that do not say which channels run."""
        return cls(np.zeros((n, len(fw.base_channels)), dtype=bool), np.zeros(n, dtype=bool))

    def repeat(self, n: int) -> Running:
        """The first row `n` times."""
        return Running(np.repeat(self.channels[:1], n, axis=0), np.repeat(self.known[:1], n))


def readiness(ratings: np.ndarray, fw: Framework) -> np.ndarray:
    """The own site's readiness per row, as the index of `READINESS` (0 ready, 1 partial,
    2 weak; `fw.own_site`): every row is ready under a framework without the rule."""
    out = np.zeros(ratings.shape[0], dtype=np.intp)
    rule = fw.own_site
    if rule is None:
        return out
    caps = ratings[:, [fw.criteria.index(c) for c in rule.capabilities]]
    capital = ratings[:, fw.criteria.index(rule.capital)]
    any_weak = (caps <= rule.weak).any(axis=1)
    all_weak = (caps <= rule.weak).all(axis=1)
    carried = (caps >= rule.strong).any(axis=1) & (capital >= rule.capital_strong)
    out[any_weak & ~carried] = READINESS.index("partial")
    out[all_weak] = READINESS.index("weak")
    return out


def fired_screens(
    ratings: np.ndarray, fw: Framework, stage_idx: np.ndarray | None = None,
    running: Running | None = None,
) -> np.ndarray:
    """Which screens fire per row: (n, S) booleans, S = `fw.screens` in order.

    A screen fires when every condition it names holds: a rating at or below `max_rating`
    (`criterion`), the company's `stage` (one of a list), none of the base channels of
    `without_channel` running by a row that says which run (a row that does not say: the
    screen's `if_unknown`), the own site's readiness one of `own_site`. `stage_idx` (n,) is
    needed only by screens that name a stage; `running=None` means no row says which run.
    """
    n = ratings.shape[0]
    out = np.ones((n, len(fw.screens)), dtype=bool)
    level = readiness(ratings, fw)
    for s, screen in enumerate(fw.screens):
        if screen.criterion is not None and screen.max_rating is not None:
            out[:, s] &= ratings[:, fw.criteria.index(screen.criterion)] <= screen.max_rating
        if screen.stage is not None:
            if stage_idx is None:
                raise ModelfitError(f"screen {screen.id} needs the stage of each row")
            wanted = np.array([st in screen.stage for st in fw.stages])
            out[:, s] &= wanted[stage_idx]
        if screen.without_channel is not None:
            if running is None:  # no row says: the screen's `if_unknown` decides
                out[:, s] &= screen.if_unknown
            else:
                cols = [fw.base_channels.index(c) for c in screen.without_channel]
                missing = ~running.channels[:, cols].any(axis=1)
                out[:, s] &= np.where(running.known, missing, screen.if_unknown)
        if screen.own_site is not None:
            levels = np.array([lv in screen.own_site for lv in READINESS])
            out[:, s] &= levels[level]
    return out


def running_matrix(existing: Sequence[Sequence[str] | None], fw: Framework) -> Running:
    """The running channels of each row: a list of base channels, or None (the row does not say)."""
    out = Running.unknown(len(existing), fw)
    for i, channels in enumerate(existing):
        if channels is None:
            continue
        out.known[i] = True
        for c in channels:
            out.channels[i, fw.base_channels.index(c)] = True
    return out


@dataclass(frozen=True)
class CloseCall:
    """The close call's inputs per row (C2): `prefer` (n, M), larger for the model whose own plan
    keeps more of the running channels, then for the stage rule's model; `margin` in points."""

    prefer: np.ndarray
    margin: float


def close_call(fw: Framework, stage_idx: np.ndarray, running: Running | None) -> CloseCall | None:
    """Each row's close-call preferences (`CloseCall`), or None when the framework has no C2."""
    if fw.close_call is None:
        return None
    n = stage_idx.shape[0]
    covers = np.zeros((len(fw.stages), len(fw.models), len(fw.base_channels)))
    for m, model in enumerate(fw.models):
        for s, stage in enumerate(fw.stages):
            for c in fw.plans[model][stage]:
                covers[s, m, fw.base_channels.index(c)] = 1.0
    channels = (np.zeros((n, len(fw.base_channels))) if running is None
                else running.channels.astype(float))
    kept = np.einsum("nmb,nb->nm", covers[stage_idx], channels)
    default = np.array([[fw.stage_defaults.get(st) == m for m in fw.models] for st in fw.stages])
    return CloseCall(prefer=2.0 * kept + default[stage_idx], margin=fw.close_call.margin)


def score_matrix(
    ratings: np.ndarray, stage_idx: np.ndarray, fw: Framework, running: Running | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (n, M) and screen flags (n, M; > 0 where a screen fired) for validated ratings
    (n, C), stage indices (n,) and, optionally, the channels already running."""
    dev = to_deviations(ratings)
    fired = fired_screens(ratings, fw, stage_idx, running)
    flags = np.zeros((ratings.shape[0], len(fw.models)))
    for s, screen in enumerate(fw.screens):
        for model in screen.models:
            m = fw.models.index(model)
            flags[:, m] = np.maximum(flags[:, m], fired[:, s].astype(float))
    scores = fw.priors[stage_idx] + dev @ fw.weights - screen_points(fired, fw)
    return scores, flags


def rank_keys(scores: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """A key per (row, model) whose descending order is the ranking (ties: framework order).

    `penalty` is `score_matrix`'s second output: > 0 where a screen fired (the model ranks after
    every unscreened one)."""
    return np.round(scores, TIE_DECIMALS) - np.where(penalty > 0, _SCREEN_OFFSET, 0.0)


def primary_index(
    scores: np.ndarray, penalty: np.ndarray, close: CloseCall | None = None,
) -> np.ndarray:
    """Index of the primary model per row (argmax keeps the first model on a tie); with `close`,
    the close call picks among the models of the leader's class (unscreened, or all screened)
    within its margin of the best."""
    keys = rank_keys(scores, penalty)
    if close is None:
        return np.asarray(np.argmax(keys, axis=1))
    top = keys.max(axis=1, keepdims=True)
    within = keys >= np.round(top - close.margin, TIE_DECIMALS)
    prefer = np.broadcast_to(close.prefer, keys.shape)
    best = np.where(within, prefer, -np.inf).max(axis=1, keepdims=True)
    return np.asarray(np.argmax(np.where(within & (prefer == best), keys, -np.inf), axis=1))


def ranking_index(
    scores: np.ndarray, penalty: np.ndarray, close: CloseCall | None = None,
) -> np.ndarray:
    """Model indices best first per row; a stable sort keeps framework order on ties. With
    `close`, the close call's primary comes first and the others follow in that order."""
    keys = rank_keys(scores, penalty)
    if close is not None:
        keys = keys.copy()
        first = primary_index(scores, penalty, close)
        keys[np.arange(keys.shape[0]), first] = np.inf
    return np.argsort(-keys, axis=1, kind="stable")


def held_by(
    scores: np.ndarray, penalty: np.ndarray, fired: np.ndarray, primary: np.ndarray,
    fw: Framework,
) -> list[tuple[str, ...]]:
    """Per row, the ids of the rules that hold the primary in place against a model scoring
    more before screens: the screens that hold that model back, and the close call (C2) when
    it, not a screen, put the primary first. Empty when the scores alone decide."""
    raw = np.round(scores + screen_points(fired, fw), TIE_DECIMALS)
    n = scores.shape[0]
    above = raw > raw[np.arange(n), primary][:, None]
    holds = np.zeros((n, len(fw.models), len(fw.screens)), dtype=bool)
    for s, screen in enumerate(fw.screens):
        for model in screen.models:
            holds[:, fw.models.index(model), s] = fired[:, s]
    by_screen = (above[:, :, None] & holds).any(axis=1)
    by_close = (above & ~holds.any(axis=2)).any(axis=1)
    out = []
    close_id = fw.close_call.rule if fw.close_call is not None else "C2"
    for i in range(n):
        ids = [sc.id for s, sc in enumerate(fw.screens) if by_screen[i, s]]
        if by_close[i]:
            ids.append(close_id)
        out.append(tuple(ids))
    return out


def screen_points(fired: np.ndarray, fw: Framework) -> np.ndarray:
    """The points each model loses to the screens that fired (`fired_screens`' rows), (n, M)."""
    penalty = np.zeros((fired.shape[0], len(fw.models)))
    for s, screen in enumerate(fw.screens):
        for model in screen.models:
            penalty[:, fw.models.index(model)] += np.where(fired[:, s], float(screen.penalty), 0.0)
    return penalty


def score_profiles(df: pd.DataFrame, framework: Framework | None = None) -> pd.DataFrame:
    """Score a DataFrame of profiles (one row each) in one vectorised pass.

    Needs the columns `stage`, `capital`, `supply_chain`, `brand_content`, `tech_data`; an
    `existing_channels` column (lists of base channels, or `a;b` strings; a missing value: the
    row does not say) takes part in S2's precondition, C4 and the close call, and without it no
    row says which channels run. Other columns are ignored. Returns, on the same index, one
    column of scores per model and `primary`. Equal to `recommend` row by row.
    """
    from modelfit.decision.framework import Framework as _Framework

    fw = framework or _Framework.load()
    ratings, stage_idx = validate_frame(df, fw)
    running = running_column(df, fw)
    scores, penalty = score_matrix(ratings, stage_idx, fw, running)
    out = pd.DataFrame(scores, index=df.index, columns=list(fw.models))
    models = np.asarray(fw.models, dtype=object)
    out["primary"] = models[primary_index(scores, penalty, close_call(fw, stage_idx, running))]
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
) -> Running | None:
    """The `existing_channels` column as `Running`, or None when there is no column."""
    if "existing_channels" not in df.columns:
        return None
    running, bad = channel_rows(df["existing_channels"], fw)
    if bad.size:
        raise ModelfitError(_bad_rows("existing_channels", df, bad,
                                      "a list of " + ", ".join(fw.base_channels), caller))
    return running


def channel_rows(col: pd.Series, fw: Framework) -> tuple[Running, np.ndarray]:
    """An `existing_channels` column as `Running`, and the positions of the rows whose value is
    not a list of base channels (their row keeps the base channels it names).

    A value is a list (or tuple, array) of channel ids, an `a;b` string (blanks around each id
    ignored; an empty string: none runs), or missing (None, NaN: the row does not say). A column
    of pandas strings is parsed once per distinct value (vectorised); other columns row by row.
    """
    if isinstance(col.dtype, pd.StringDtype) and col.dtype.na_value is np.nan:
        # Missing values of this dtype are NaN: the row does not say.
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        parsed = [_channel_items(str(v)) for v in uniques]
        table = np.zeros((len(parsed) + 1, len(fw.base_channels)), dtype=bool)  # last: missing
        valid = np.ones(len(parsed) + 1, dtype=bool)
        for u, named in enumerate(parsed):
            valid[u] = set(named) <= set(fw.base_channels)
            for c in named:
                if c in fw.base_channels:
                    table[u, fw.base_channels.index(c)] = True
        missing = codes < 0
        codes = np.where(missing, len(parsed), codes)
        return Running(table[codes], ~missing), np.flatnonzero(~valid[codes])
    if pd.api.types.is_float_dtype(col) and not pd.api.types.is_object_dtype(col):
        return (Running.unknown(len(col), fw),
                np.flatnonzero(col.notna().to_numpy()))  # NaN: does not say; a number: bad
    rows: list[list[str] | None] = []
    bad = []
    for i, value in enumerate(col.tolist()):
        items: list[str] | None
        if isinstance(value, str):
            items = _channel_items(value)
        elif isinstance(value, (list, tuple, np.ndarray)):
            items = [str(v) for v in value]
        elif value is None or (isinstance(value, float) and np.isnan(value)):
            items = None
        else:
            items = ["?"]
        if items is not None and not set(items) <= set(fw.base_channels):
            bad.append(i)
        rows.append(None if items is None else [v for v in items if v in fw.base_channels])
    return running_matrix(rows, fw), np.asarray(bad, dtype=np.intp)


def _channel_items(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]
