"""Which assumptions move the outcome labels most: each varied across its range, one at a time.

For every assumption of `data/outcomes.yaml` with a non-empty range, the outcome model is run on
the same synthetic companies (same seed, so the same luck) at the low and at the high end of that
range, everything else at its value, and the share of each best model is compared with the
baseline. The swing of an assumption is the larger, over its two ends, of the net shift of the
label mix: half the summed absolute changes in the four shares, i.e. the total variation
distance between the label mixes (a lower bound on the share of companies whose own label
changes, since opposite moves cancel in the mix). `plot_tornado` draws the largest swings, judged
assumptions marked, so a finding that hinges on one judged number shows as such.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelfit.core.vocab import MODELS
from modelfit.outcome.assumptions import assumption_table, load_assumptions, vary_assumption
from modelfit.outcome.labels import best_model_labels, label_shares
from modelfit.outcome.simulation import simulate_outcomes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SHARE_DECIMALS = 4


def sensitivity(
    profiles: pd.DataFrame, seed: int, names: Sequence[str] | None = None,
    assumptions: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """One row per assumption (largest swing first): `assumption`, `judged`, `low`, `high`, the
    change in each model's label share at each end (`low_<model>`, `high_<model>`, shares in
    0..1) and `swing`; all rounded to 4 places. `names` limits the assumptions varied."""
    a = dict(assumptions) if assumptions is not None else load_assumptions()
    table = assumption_table()
    if names is not None:
        table = table[table["assumption"].isin(list(names))]
    base = label_shares(best_model_labels(simulate_outcomes(profiles, seed, a)))
    rows = []
    for record in table.to_dict("records"):
        name = str(record["assumption"])
        low, high = (float(x) for x in record["range"])
        if low == high:
            continue
        row: dict[str, Any] = {"assumption": name, "judged": bool(record["judged"]),
                               "low": low, "high": high}
        swing = 0.0
        for end, bound in (("low", low), ("high", high)):
            varied = vary_assumption(a, name, bound)
            shares = label_shares(best_model_labels(simulate_outcomes(profiles, seed, varied)))
            delta = {m: shares[m] - base[m] for m in MODELS}
            for m in MODELS:
                row[f"{end}_{m}"] = round(delta[m], SHARE_DECIMALS)
            swing = max(swing, sum(abs(d) for d in delta.values()) / 2)
        row["swing"] = round(swing, SHARE_DECIMALS)
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values(["swing", "assumption"], ascending=[False, True], ignore_index=True,
                           kind="stable")


def plot_tornado(table: pd.DataFrame, top: int = 12) -> Figure:
    """A tornado chart: for the `top` assumptions with the largest swing, the share of companies
    whose best model changes at the low end (left) and at the high end (right); judged
    assumptions are hatched."""
    from matplotlib.figure import Figure

    shown = table.head(top).iloc[::-1]
    fig = Figure(figsize=(8.0, 0.42 * max(len(shown), 3) + 1.4))
    ax = fig.add_subplot()
    y = np.arange(len(shown))

    def moved(end: str) -> np.ndarray:
        cols = [f"{end}_{m}" for m in MODELS]
        out: np.ndarray = shown[cols].abs().sum(axis=1).to_numpy() / 2
        return out

    hatch = ["//" if j else "" for j in shown["judged"]]
    low_bars = ax.barh(y, -moved("low"), color="#56B4E9", label="low end of the range")
    high_bars = ax.barh(y, moved("high"), color="#E69F00", label="high end of the range")
    for bars in (low_bars, high_bars):
        for bar, h in zip(bars, hatch, strict=True):
            bar.set_hatch(h)
    ax.set_yticks(y, [f"{a} (judged)" if j else str(a)
                      for a, j in zip(shown["assumption"], shown["judged"], strict=True)])
    ax.axvline(0.0, color="#333333", linewidth=0.8)
    ax.set_xlabel("share of companies whose best model changes")
    # 3 significant figures: ticks fall on 2.5% steps, which a whole-percent format would misread.
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{abs(v) * 100:.3g}%")
    ax.set_title("Sensitivity of the outcome labels (one assumption at a time)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, fontsize="small",
              frameon=False)
    fig.tight_layout()
    return fig
