"""Features: the profile's 1–5 ratings as criteria in 0..1, and their deviation from average."""

from __future__ import annotations

import numpy as np

RATING_MIN = 1
RATING_MAX = 5


def to_features(ratings: np.ndarray) -> np.ndarray:
    """Map ratings 1..5 to features 0..1: feature = (rating - 1) / 4."""
    return (np.asarray(ratings, dtype=float) - RATING_MIN) / (RATING_MAX - RATING_MIN)


def to_deviations(ratings: np.ndarray) -> np.ndarray:
    """Map ratings 1..5 to deviations -1..1 from an average company (rating 3 → 0)."""
    return 2.0 * to_features(ratings) - 1.0
