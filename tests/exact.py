"""Helpers of the exact-interval checks of the robustness tests (not a test module)."""

from __future__ import annotations

import itertools

import numpy as np


def crossing_points(base: np.ndarray, slope: np.ndarray) -> list[float]:
    """The sorted points in [0, 1] where two of the score lines base + slope * t cross,
    with 0 and 1: between two neighbours the ranking of the lines is constant."""
    cuts = {0.0, 1.0}
    for a, b in itertools.combinations(range(len(base)), 2):
        if slope[a] != slope[b]:
            t = (base[b] - base[a]) / (slope[a] - slope[b])
            if 0 < t < 1:
                cuts.add(float(t))
    return sorted(cuts)
