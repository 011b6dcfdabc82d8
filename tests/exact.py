"""Helpers of the exact-interval checks of the robustness tests (not a test module)."""

from __future__ import annotations

import itertools

import numpy as np


def crossing_points(base: np.ndarray, slope: np.ndarray, margin: float = 0.0) -> list[float]:
    """The sorted points in [0, 1] where two of the score lines base + slope * t cross, or come
    within `margin` points of each other (the close call's edge), with 0 and 1: between two
    neighbours the ranking of the lines, close call included, is constant."""
    cuts = {0.0, 1.0}
    for a, b in itertools.combinations(range(len(base)), 2):
        if slope[a] != slope[b]:
            for gap in {0.0, margin, -margin}:
                t = (base[b] - base[a] + gap) / (slope[a] - slope[b])
                if 0 < t < 1:
                    cuts.add(float(t))
    return sorted(cuts)
