"""Weight stability: the exact range of each criterion's importance that keeps the primary.

Importances lambda and scores under them are `modelfit.decision.smaa`'s (the framework's own
weights are lambda0 = (1/C, ..., 1/C)).

Renormalisation rule: vary lambda_c = t in [0, 1] and rescale the other importances in
proportion so that they keep their ratios and the sum stays 1:
lambda_j(t) = (1 - t) * lambda0_j / (1 - lambda0_c). Every score is then linear in t, so the set
of t in which the primary stays primary is the intersection of one half-line per rival model
(rivals are the models in the same screen class as the primary; the others rank below or above
it whatever t is): an exact interval [low, high], clipped to [0, 1], that always contains
lambda0_c = 1/C. `Robustness.stability` reports it in lambda units;
`Robustness.stability_multiplier` reports it as a multiplier of the framework weight (C * t).
"""

from __future__ import annotations

import numpy as np

from modelfit.decision.scoring import CloseCall, primary_index
from modelfit.decision.smaa import lambda_scores

_SLOPE_TOL = 1e-12  # a rival whose score gap changes less than this over t never crosses


def stability_intervals(
    scores: np.ndarray, penalty: np.ndarray, points: np.ndarray, close: CloseCall | None = None,
) -> np.ndarray:
    """Exact [low, high] of lambda_c per criterion within which the primary stays primary.

    One company: `scores`, `penalty` (M,), `points` (C, M); `close`, its close call (1, M). The
    others are rescaled in proportion (the renormalisation rule of the module docstring). With
    the close call, the primary stays first against a rival it is preferred to while it trails
    by at most the margin, and against a rival preferred to it while it leads by more than the
    margin. Shape (C, 2), clipped to [0, 1].
    """
    n_criteria, n_models = points.shape
    lam0 = np.full(n_criteria, 1.0 / n_criteria)
    p = int(primary_index(scores[None], penalty[None], close)[0])
    rivals = [m for m in range(n_models) if m != p and (penalty[m] > 0) == (penalty[p] > 0)]
    need = np.zeros(n_models)  # the lead over each rival the primary needs
    if close is not None:
        pref = np.broadcast_to(close.prefer, (1, n_models))[0]
        need = np.where(pref < pref[p], -close.margin, np.where(pref > pref[p], close.margin, 0.0))
    out = np.empty((n_criteria, 2))
    for c in range(n_criteria):
        ends = np.zeros((2, n_criteria))
        ends[0] = np.where(np.arange(n_criteria) == c, 0.0, lam0 / (1.0 - lam0[c]))
        ends[1, c] = 1.0
        s0, s1 = lambda_scores(scores[None], points[None], ends)  # scores at t = 0 and t = 1
        low, high = 0.0, 1.0
        for m in rivals:
            alpha = s0[p] - s0[m] - need[m]
            beta = (s1[p] - s1[m] - need[m]) - alpha
            if abs(beta) <= _SLOPE_TOL:
                continue
            root = -alpha / beta
            if beta > 0:
                low = max(low, root)
            else:
                high = min(high, root)
        out[c] = (min(max(low, 0.0), lam0[c]), max(min(high, 1.0), lam0[c]))
    return out
