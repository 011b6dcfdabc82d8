"""Scoring: pure kernels over rating matrices, and `score_profiles` for whole DataFrames.

score[m] = stage_prior[stage, m] + sum_c weights[c, m] * deviation[c] - screen penalties[m]

Ranking and tie rule: unscreened models rank before screened ones; then higher score first,
scores compared after rounding to 9 decimals; an exact tie goes to the model listed first in
the framework (platform, distribution, independent_site, hybrid: the lighter plan first).
`recommend` runs these same kernels on a one-row matrix, so the row and the vectorised paths
cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modelfit.errors import ModelfitError
from modelfit.features import to_deviations

if TYPE_CHECKING:
    from modelfit.framework import Framework

TIE_DECIMALS = 9
_SCREEN_OFFSET = 1000.0  # larger than any score range: screened models always rank last


def criterion_points(deviations: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Points per (row, criterion, model): deviation times weight. Shape (n, C, M)."""
    return np.asarray(deviations[:, :, None] * weights[None, :, :])


def screen_mask(ratings: np.ndarray, fw: Framework) -> np.ndarray:
    """Penalty points per (row, model) from the framework's screens. Shape (n, M)."""
    penalty = np.zeros((ratings.shape[0], len(fw.models)))
    for screen in fw.screens:
        fired = ratings[:, fw.criteria.index(screen["criterion"])] <= screen["max_rating"]
        for model in screen["models"]:
            penalty[:, fw.models.index(model)] += np.where(fired, float(screen["penalty"]), 0.0)
    return penalty


def score_matrix(
    ratings: np.ndarray, stage_idx: np.ndarray, fw: Framework,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (n, M) and screen penalties (n, M) for validated ratings (n, C) and stage indices."""
    dev = to_deviations(ratings)
    penalty = screen_mask(ratings, fw)
    scores = fw.priors[stage_idx] + dev @ fw.weights - penalty
    return scores, penalty


def rank_keys(scores: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """A key per (row, model) whose descending order is the ranking (ties: framework order)."""
    return np.round(scores, TIE_DECIMALS) - np.where(penalty > 0, _SCREEN_OFFSET, 0.0)


def primary_index(scores: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Index of the primary model per row (argmax keeps the first model on a tie)."""
    return np.asarray(np.argmax(rank_keys(scores, penalty), axis=1))


def ranking_index(scores: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Model indices best first per row; a stable sort keeps framework order on ties."""
    return np.argsort(-rank_keys(scores, penalty), axis=1, kind="stable")


def score_profiles(df: pd.DataFrame, framework: Framework | None = None) -> pd.DataFrame:
    """Score a DataFrame of profiles (one row each) in one vectorised pass.

    Needs the columns `stage`, `capital`, `supply_chain`, `brand_content`, `tech_data`; other
    columns are ignored. Returns, on the same index, one column of scores per model and `primary`.
    Equal to `recommend` row by row.
    """
    from modelfit.framework import Framework as _Framework

    fw = framework or _Framework.load()
    ratings, stage_idx = validate_frame(df, fw)
    scores, penalty = score_matrix(ratings, stage_idx, fw)
    out = pd.DataFrame(scores, index=df.index, columns=list(fw.models))
    models = np.asarray(fw.models, dtype=object)
    out["primary"] = models[primary_index(scores, penalty)]
    return out


def validate_frame(df: pd.DataFrame, fw: Framework) -> tuple[np.ndarray, np.ndarray]:
    """Check the stage and rating columns; return ratings (n, C) as float and stage indices."""
    if not isinstance(df, pd.DataFrame):
        raise ModelfitError(f"score_profiles: expected a pandas DataFrame, got {type(df).__name__}")
    needed = ("stage", *fw.criteria)
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ModelfitError(
            f"score_profiles: missing column(s) {', '.join(missing)}; needs {', '.join(needed)}"
        )
    problems = []
    # get_indexer, not pd.Categorical: an unknown stage must give -1 (reported below), and
    # pandas deprecates Categorical codes for values outside the categories (Pandas4Warning).
    stage_idx = pd.Index(list(fw.stages)).get_indexer(pd.Index(df["stage"])).astype(np.intp)
    bad = np.flatnonzero(stage_idx < 0)
    if bad.size:
        problems.append(_bad_rows("stage", df, bad, "one of " + ", ".join(fw.stages)))
    columns = []
    for name in fw.criteria:
        col = df[name]
        if not (pd.api.types.is_integer_dtype(col) or pd.api.types.is_float_dtype(col)) or (
            pd.api.types.is_bool_dtype(col)
        ):
            problems.append(f"score_profiles: column {name} must hold integers from 1 to 5, "
                            f"got dtype {col.dtype}")
            continue
        values = col.to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero(~((values >= 1) & (values <= 5) & (values == np.round(values))))
        if bad.size:
            problems.append(_bad_rows(name, df, bad, "an integer from 1 to 5"))
        columns.append(values)
    if problems:
        raise ModelfitError(problems)
    return np.column_stack(columns), stage_idx


def _bad_rows(name: str, df: pd.DataFrame, bad: np.ndarray, allowed: str) -> str:
    shown = ", ".join(f"row {df.index[i]!r}: {df[name].iloc[i]!r}" for i in bad[:3])
    more = f" and {bad.size - 3} more" if bad.size > 3 else ""
    return f"score_profiles: column {name} must be {allowed}; got {shown}{more}"
