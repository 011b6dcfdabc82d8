"""Pipelines: what the classifier reads, what it learns and the estimators that learn it.

The profile columns a pipeline takes (`INPUT_COLUMNS`) and the frame it takes them as
(`to_model_frame`), the labels it may learn from (`check_labels`: model ids, enough rows of each
for stratified cross-validation), the feature step and the candidate estimators behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import BASE_CHANNELS, CATEGORIES, MARKETS, MODELS, RATINGS, STAGES
from modelfit.inputs.profile import FIELD_NAMES

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MIN_ROWS_PER_CLASS = 10
LIST_FIELDS = ("target_markets", "existing_channels")
MONEY_FIELDS = ("avg_order_value_usd", "marketing_budget_usd", "team_size")
PLAIN_NUMERIC = (*RATINGS, "gross_margin_pct")
INPUT_COLUMNS = tuple(name for name in FIELD_NAMES if name != "company")


def to_model_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The pipeline's input: the profile columns, list fields joined with ';' (`us;eu`)."""
    missing = [c for c in INPUT_COLUMNS if c not in df.columns]
    if missing:
        raise ModelfitError(f"classifier: missing column(s) {', '.join(missing)}; "
                            f"needs {', '.join(INPUT_COLUMNS)}")
    out = pd.DataFrame(index=df.index)
    for name in INPUT_COLUMNS:
        col = df[name]
        if name in LIST_FIELDS:
            out[name] = [v if isinstance(v, str) else ";".join(v) for v in col]
        elif name in ("stage", "category"):
            out[name] = col.astype(str).to_numpy(dtype=object)
        else:
            out[name] = col.to_numpy(dtype=float)
    return out


def _features() -> Any:
    """The feature step: stage and category one-hot, markets and channels multi-hot, ratings and
    margin as they are, money fields as log1p."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    def onehot(values: Sequence[str]) -> OneHotEncoder:
        return OneHotEncoder(categories=[list(values)], handle_unknown="ignore",
                             sparse_output=False)

    def multihot(values: Sequence[str]) -> CountVectorizer:
        return CountVectorizer(vocabulary=list(values), token_pattern=r"[a-z_]+",  # noqa: S106 - a regex, not a password
                               lowercase=False, binary=True)

    return ColumnTransformer(
        [
            ("stage", onehot(STAGES), ["stage"]),
            ("category", onehot(CATEGORIES), ["category"]),
            ("markets", multihot(MARKETS), "target_markets"),
            ("channels", multihot(BASE_CHANNELS), "existing_channels"),
            ("ratings", "passthrough", list(PLAIN_NUMERIC)),
            ("log", FunctionTransformer(np.log1p, feature_names_out="one-to-one"),
             list(MONEY_FIELDS)),
        ],
        sparse_threshold=0.0,
    )


def candidate_pipelines(seed: int) -> dict[str, Pipeline]:
    """The estimators compared by cross-validation, each behind the same feature step."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "hist_gradient_boosting": Pipeline([
            ("features", _features()),
            ("model", HistGradientBoostingClassifier(
                max_iter=150, learning_rate=0.08, max_leaf_nodes=31, l2_regularization=1.0,
                early_stopping=False, random_state=seed)),
        ]),
        "logistic_regression": Pipeline([
            ("features", _features()),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=2000, C=1.0)),
        ]),
    }


def check_labels(y: pd.Series, where: str) -> None:
    """Refuse labels a pipeline cannot learn from, naming `where`: any that is not a model id,
    fewer than 2 different models, or fewer than MIN_ROWS_PER_CLASS rows of one."""
    unknown = sorted(set(map(str, y)) - set(MODELS))
    if unknown:
        raise ModelfitError(f"{where}: labels must be model ids ({', '.join(MODELS)}); "
                            f"got {', '.join(map(repr, unknown[:5]))}")
    counts = y.value_counts()
    if len(counts) < 2:
        raise ModelfitError(f"{where}: the outcomes need at least 2 different models to learn "
                            f"from, got only {', '.join(map(str, counts.index))}")
    few = counts[counts < MIN_ROWS_PER_CLASS]
    if len(few):
        shown = ", ".join(f"{m!r} has {int(c)}" for m, c in few.items())
        raise ModelfitError(f"{where}: too few rows per outcome ({shown}); each outcome present "
                            f"needs at least {MIN_ROWS_PER_CLASS} rows for stratified "
                            "cross-validation")
