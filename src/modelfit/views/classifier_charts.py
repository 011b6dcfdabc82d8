"""Classifier charts: figures of the training population and of a training report.

The held-out confusion matrix, the calibration curve and the permutation importances of a
`modelfit.outcome.training.TrainingReport`, and the synthetic population a classifier learns from.
Built with matplotlib's object API, no pyplot state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modelfit.core.vocab import MODELS, STAGES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from modelfit.outcome.training import TrainingReport


def plot_confusion(report: TrainingReport) -> Figure:
    """The held-out confusion matrix, counts in each cell."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2, 4.4))
    ax = fig.add_subplot()
    matrix = report.confusion.to_numpy()
    ax.imshow(matrix, cmap="Blues")
    labels = list(report.confusion.index)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(j, i, str(v), ha="center", va="center",
                color="white" if v > matrix.max() / 2 else "black")
    ax.set_xlabel("classifier")
    ax.set_ylabel("outcome model")
    ax.set_title("Held-out confusion matrix")
    fig.tight_layout()
    return fig


def plot_calibration(report: TrainingReport) -> Figure:
    """Reliability of the top-class probability against the diagonal."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6, 4.4))
    ax = fig.add_subplot()
    table = report.calibration
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", label="perfect")
    ax.plot(table["confidence"], table["accuracy"], marker="o", color="#0072B2",
            label=f"classifier (ECE {report.expected_calibration_error:.3f})")
    ax.set_xlabel("predicted probability of the top class")
    ax.set_ylabel("share correct")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title("Calibration (held out)")
    fig.tight_layout()
    return fig


def plot_importances(report: TrainingReport) -> Figure:
    """Permutation importance of each profile field (drop in held-out accuracy)."""
    from matplotlib.figure import Figure

    table = report.importances.iloc[::-1]
    fig = Figure(figsize=(5.6, 4.4))
    ax = fig.add_subplot()
    ax.barh(table["feature"], table["importance"], xerr=table["sd"], color="#009E73")
    ax.set_xlabel("drop in accuracy when shuffled")
    ax.set_title("Permutation importance (held out)")
    fig.tight_layout()
    return fig


def plot_population(profiles: pd.DataFrame, labels: pd.Series | None = None) -> Figure:
    """The synthetic population: stage mix, capital by stage, budget, and label shares."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 6.0))
    axes = fig.subplots(2, 2)
    stage = profiles["stage"].value_counts().reindex(list(STAGES), fill_value=0)
    axes[0, 0].bar(stage.index, stage.to_numpy(), color="#56B4E9")
    axes[0, 0].set_title("stage")
    capital = pd.crosstab(profiles["stage"], profiles["capital"], normalize="index")
    capital = capital.reindex(list(STAGES))
    bottom = np.zeros(len(capital))
    for rating in capital.columns:
        axes[0, 1].bar(capital.index, capital[rating].to_numpy(), bottom=bottom,
                       label=str(rating))
        bottom += capital[rating].to_numpy()
    axes[0, 1].set_title("capital rating by stage")
    axes[0, 1].legend(title="capital", fontsize="small")
    budget = np.log10(profiles["marketing_budget_usd"].to_numpy(dtype=float) + 1.0)
    axes[1, 0].hist(budget, bins=40, color="#E69F00")
    axes[1, 0].set_title("monthly marketing budget (log10 USD)")
    if labels is not None:
        shares = pd.Series(labels).value_counts(normalize=True).reindex(list(MODELS),
                                                                         fill_value=0.0)
        axes[1, 1].bar(shares.index, shares.to_numpy(), color="#CC79A7")
        axes[1, 1].tick_params(axis="x", rotation=20)
        axes[1, 1].set_title("best model (outcome model)")
    else:
        axes[1, 1].axis("off")
    fig.tight_layout()
    return fig
