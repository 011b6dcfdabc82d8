"""Outcome labels: which operating model paid off best for each company, and the mix of them.

From `simulate_outcomes`' result, `best_model_labels` names each company's best model (the
label the classifier learns), `label_shares` the share of each model and `label_mix` those
shares overall and by stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modelfit.core.vocab import MODELS, STAGES


def best_model_labels(outcomes: pd.DataFrame) -> pd.Series:
    """The model with the best result per company (ties: the lighter plan first).

    Compares `value_m` (cash over the horizon plus terminal value), or `profit_m` for a frame
    without value columns. `hybrid` wins only where its best split beats each channel alone,
    since each single model is also a candidate; failed models count with the capital they lose.
    """
    kind = "value" if all(f"value_{m}" in outcomes.columns for m in MODELS) else "profit"
    profits = outcomes[[f"{kind}_{m}" for m in MODELS]].to_numpy(dtype=float)
    best = np.argmax(profits, axis=1)
    return pd.Series(np.asarray(MODELS, dtype=object)[best], index=outcomes.index, name="outcome")


def label_shares(labels: pd.Series) -> dict[str, float]:
    """Share of each model among `labels`, all four ids (for the data card and the docs)."""
    counts = labels.value_counts(normalize=True)
    return {m: float(counts.get(m, 0.0)) for m in MODELS}


def label_mix(profiles: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """Share of each best model overall and by stage (rows: all, startup, growth, mature),
    rounded to 4 places."""
    rows = {"all": label_shares(labels)}
    for stage in STAGES:
        mask = (profiles["stage"] == stage).to_numpy()
        rows[stage] = label_shares(labels[mask]) if mask.any() else dict.fromkeys(MODELS, 0.0)
    return pd.DataFrame(rows).T[list(MODELS)].round(4)
