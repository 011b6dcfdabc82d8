"""Sensitivity: each assumption varied across its range, label-share changes, tornado chart."""

from __future__ import annotations

from matplotlib.figure import Figure

from modelfit.core.vocab import MODELS
from modelfit.outcome.sensitivity import plot_tornado, sensitivity
from modelfit.outcome.synthetic import generate_profiles

NAMES = ("markets.duty_us", "distributors.wholesale_share", "payment.card_fixed_usd")


def test_each_assumption_gives_share_changes_at_both_ends() -> None:
    """Per assumption: its bounds, the change in each model's share at each end (summing to 0),
    the swing (share of companies whose label moves), largest first; a fixed range is skipped."""
    table = sensitivity(generate_profiles(150, 4), 4, names=NAMES)
    assert list(table["assumption"]) == sorted(
        NAMES[:2], key=lambda n: -float(table.set_index("assumption").loc[n, "swing"]))
    for end in ("low", "high"):
        sums = table[[f"{end}_{m}" for m in MODELS]].sum(axis=1)
        assert sums.abs().max() < 1e-3
    assert table["swing"].between(0, 1).all()
    assert table["swing"].is_monotonic_decreasing


def test_tornado_is_a_figure() -> None:
    """The tornado chart is a matplotlib Figure (judged assumptions hatched)."""
    table = sensitivity(generate_profiles(80, 5), 5, names=NAMES[:2])
    assert isinstance(plot_tornado(table), Figure)
