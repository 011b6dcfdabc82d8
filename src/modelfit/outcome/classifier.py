"""Classifier: the trained second opinion on one company.

`second_opinion` asks a trained model (a pipeline from `modelfit.outcome.training`, or its
predictor copy) which operating model fits a profile and answers with a `SecondOpinion`: the
most probable model and every model's probability, rounded at the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelfit.core.reproducible import DECIMALS
from modelfit.core.vocab import MODELS
from modelfit.inputs.profile import Profile
from modelfit.outcome.pipelines import to_model_frame

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from modelfit.outcome.predictor import Predictor

PROBABILITY_DECIMALS = DECIMALS  # reproducible.py: the same figures on every machine


@dataclass(frozen=True)
class SecondOpinion:
    """The classifier's answer for one company: its pick and every model's probability."""

    primary: str  # the most probable model id (ties: the lighter plan first)
    probabilities: Mapping[str, float]  # every model id in MODELS order; rounded, sum to 1

    def to_dict(self) -> dict[str, Any]:
        """The `classifier` object of `recommend --json`:
        `{"primary": id, "probabilities": {id: p}}`."""
        return {"primary": self.primary, "probabilities": dict(self.probabilities)}

    def __getitem__(self, key: str) -> Any:
        """A field by its name in `to_dict()` (`opinion["primary"]`), as when the answer was
        that dict."""
        return self.to_dict()[key]


def second_opinion(model: Pipeline | Predictor, profile: Profile) -> SecondOpinion:
    """The classifier's view of one profile: its most probable model and every probability.

    Probabilities cover all four model ids (0 for a class absent from training), are rounded at
    the source to `PROBABILITY_DECIMALS` places (the last bits of a float sum differ between
    machines and thread counts) and sum to 1 (the most probable id takes the rounding residue);
    `primary` is the most probable id (ties: the lighter plan first).
    """
    frame = pd.DataFrame([profile.outcome_fields()])
    proba = np.asarray(model.predict_proba(to_model_frame(frame))[0], dtype=float)
    full = dict.fromkeys(MODELS, 0.0)
    for cls, p in zip(model.classes_, proba, strict=True):
        full[str(cls)] = float(p)
    total = sum(full.values())
    full = {m: round(p / total, PROBABILITY_DECIMALS) for m, p in full.items()}
    primary = max(MODELS, key=lambda m: (full[m], -MODELS.index(m)))
    full[primary] = round(1.0 - sum(p for m, p in full.items() if m != primary),
                          PROBABILITY_DECIMALS)
    return SecondOpinion(primary=primary, probabilities=full)
