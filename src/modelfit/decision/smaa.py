"""SMAA kernels: scores under sampled criterion importances, and the SMAA-2 statistics of them.

Criterion importances
    Give each criterion c an importance lambda_c on the simplex (lambda_c >= 0, sum 1) and score

        score_m(lambda) = prior[stage, m] + sum_c C * lambda_c * W[c, m] * d_c - penalty_m

    with C criteria, W the framework's weights, d_c = (rating_c - 3) / 2 and penalty_m the screen
    penalty. The framework's own weights are lambda0 = (1/C, ..., 1/C): there the score is exactly
    `scoring.score_matrix`'s (we compute score(lambda) as that score plus
    sum_c (C * lambda_c - 1) * W[c, m] * d_c, and the bracket is exactly 0 at lambda0).
    "C * lambda_c" is the multiplier on the framework weight of c: 1 means as the framework says.
    Ranking uses `scoring`'s rule throughout: unscreened models first, then score, ties (after
    rounding to 9 decimals) to the model listed first in the framework.

Acceptability analysis (SMAA-2, Lahdelma & Salminen 2001; the reference implementation is R's
    `smaa` package), `smaa` and `confidence_factors`: rank acceptability b_m^r (share of samples
    in which model m ranks r-th), central weights w_m^c (mean lambda over the samples in which m
    ranks first; NaN when it never does), confidence factors p_m^c (share of rating samples in
    which m ranks first when the weights are its central weights), pairwise winning indices and
    decision entropies. How the samples are drawn (weights, rating noise, stage priors, seed) is
    `modelfit.decision.robustness.analyse`'s choice.

`wsm` is the plain weighted-sum kernel (scikit-criteria style) under all of it. These kernels
do no checks: the validated entry point is `modelfit.decision.robustness.analyse`. `evaluate`
turns rating rows into the kernels' inputs (scores, screen flags and criterion points at the
framework's weights).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from modelfit.decision.features import RATING_MAX, RATING_MIN, to_deviations
from modelfit.decision.framework import Framework
from modelfit.decision.scoring import (
    CloseCall,
    close_call,
    criterion_points,
    fired_screens,
    primary_index,
    ranking_index,
    running_matrix,
    score_matrix,
    screen_points,
)


def wsm(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted sum model: sum_c matrix[..., a, c] * weights[..., c] for each alternative a.

    `matrix` is (..., A, C), `weights` (..., C); leading dimensions broadcast. No checks.
    """
    return np.asarray((matrix @ weights[..., None])[..., 0])


def lambda_scores(scores: np.ndarray, points: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Scores (n, M) under importances `lam` (n, C) or (C,).

    `scores` (n, M) are `score_matrix`'s scores at the framework weights and `points` (n, C, M)
    the criterion points `W[c, m] * d_c`; the result is scores + sum_c (C * lam_c - 1) * points.
    """
    n_criteria = points.shape[-2]
    return np.asarray(scores + wsm(np.swapaxes(points, -1, -2), n_criteria * lam - 1.0))


def sample_weights(rng: np.random.Generator, n: int, n_criteria: int, kappa: float) -> np.ndarray:
    """`n` importance vectors from Dirichlet(kappa, ..., kappa) over `n_criteria`: shape (n, C)."""
    return rng.dirichlet(np.full(n_criteria, kappa), size=n)


def perturb_ratings(
    rng: np.random.Generator, ratings: np.ndarray, n: int, probs: tuple[float, float, float],
) -> np.ndarray:
    """`n` copies of `ratings` (C,), each rating moved -1/0/+1 with `probs`, clipped to 1..5."""
    u = rng.random((n, ratings.shape[-1]))
    step = (u >= probs[0] + probs[1]).astype(float) - (u < probs[0]).astype(float)
    return np.asarray(np.clip(ratings + step, RATING_MIN, RATING_MAX))


def positions(order: np.ndarray) -> np.ndarray:
    """Rank position (0 = first) of each model per row, from `ranking_index`'s order."""
    return np.argsort(order, axis=1, kind="stable")


def rank_acceptability(order: np.ndarray) -> np.ndarray:
    """b[m, r]: share of rows in which model m is at rank r, from orders (n, M). Shape (M, M)."""
    n, n_models = order.shape
    pos = positions(order)
    flat = (np.arange(n_models)[None, :] * n_models + pos).ravel()
    counts = np.bincount(flat, minlength=n_models * n_models).reshape(n_models, n_models)
    return np.asarray(counts / n)


def central_weights(order: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """w[m]: mean importance vector over the rows in which m ranks first; NaN if it never does."""
    n_models = order.shape[1]
    onehot = (order[:, :1] == np.arange(n_models)[None, :]).astype(float)
    counts = onehot.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((onehot.T @ lam) / counts[:, None])


def winning_indices(order: np.ndarray) -> np.ndarray:
    """w[a, b]: share of rows in which model a ranks above model b (SMAA-2's pairwise winning
    index, R `smaa.pwi`). Shape (M, M), zero diagonal, w[a, b] + w[b, a] = 1 off it."""
    pos = positions(order)
    return np.asarray((pos[:, :, None] < pos[:, None, :]).mean(axis=0))


def entropy_bits(shares: np.ndarray) -> float:
    """Shannon entropy -sum p log2 p of a distribution of outcomes (terms with p = 0 are 0)."""
    p = np.asarray(shares, dtype=float)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum()) + 0.0


def ranking_entropy(order: np.ndarray) -> float:
    """Entropy in bits of the distribution of whole rankings over the rows (R
    `smaa.entropy.ranking`, in bits): 0 when every row ranks alike, log2(M!) at most."""
    _, counts = np.unique(order, axis=0, return_counts=True)
    return entropy_bits(counts / order.shape[0])


def sample_orders(
    scores: np.ndarray, penalty: np.ndarray, points: np.ndarray, lam: np.ndarray,
    close: CloseCall | None = None,
) -> np.ndarray:
    """The ranking (model indices best first) of each importance sample `lam` (n, C)."""
    s = lambda_scores(scores, points, lam)
    return np.asarray(ranking_index(s, np.broadcast_to(penalty, s.shape), close))


def sample_constrained(
    rng: np.random.Generator, n: int, n_criteria: int, kappa: float,
    pairs: Sequence[tuple[int, int]],
) -> np.ndarray:
    """`n` samples of Dirichlet(kappa, ..., kappa) conditioned on lambda_i >= lambda_j for each
    pair, by exact rejection: draw, keep the draws that satisfy every pair, repeat until there
    are `n`. The Dirichlet is exchangeable, so an acyclic set of pairs keeps at least 1/C! of
    the draws (the share of orderings that satisfy it): at most 24 draws per sample for C = 4."""
    if not pairs:
        return sample_weights(rng, n, n_criteria, kappa)
    i, j = (np.array(x) for x in zip(*pairs, strict=True))
    kept: list[np.ndarray] = []
    have = 0
    while have < n:
        lam = sample_weights(rng, n, n_criteria, kappa)
        ok = lam[:, i] >= lam[:, j]
        lam = lam[ok.all(axis=1)]
        kept.append(lam)
        have += lam.shape[0]
    return np.concatenate(kept)[:n]


def smaa(
    scores: np.ndarray, penalty: np.ndarray, points: np.ndarray, lam: np.ndarray,
    close: CloseCall | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Rank acceptabilities (M, M) and central weights (M, C) for importance samples `lam` (n, C).

    `scores`, `penalty` (n, M) and `points` (n, C, M) are either one row (exact ratings,
    broadcast) or one row per sample (uncertain ratings); `close`, the company's close call.
    """
    s = lambda_scores(scores, points, lam)
    order = ranking_index(s, np.broadcast_to(penalty, s.shape), close)
    return rank_acceptability(order), central_weights(order, lam)


def confidence_factors(
    scores: np.ndarray, penalty: np.ndarray, points: np.ndarray, central: np.ndarray,
    close: CloseCall | None = None,
) -> np.ndarray:
    """p[m]: share of rating rows in which m ranks first under its central weights (NaN if none)."""
    out = np.full(central.shape[0], np.nan)
    for m, w in enumerate(central):
        if np.all(np.isfinite(w)):
            s = lambda_scores(scores, points, w)
            out[m] = float(np.mean(primary_index(s, np.broadcast_to(penalty, s.shape), close)
                                   == m))
    return out



def evaluate(
    ratings: np.ndarray, fw: Framework, stage: int, existing: tuple[str, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores, screen flags (n, M) and criterion points (n, C, M) at the framework's weights.

    `ratings` (n, C) are rating rows of one company at stage index `stage` with the channels
    `existing` already running (None: the company does not say).
    """
    stage_idx = np.full(ratings.shape[0], stage)
    running = running_matrix([existing], fw).repeat(ratings.shape[0])
    scores, penalty = score_matrix(ratings, stage_idx, fw, running)
    return scores, penalty, criterion_points(to_deviations(ratings), fw.weights)


def company_close_call(
    fw: Framework, stage: int, existing: tuple[str, ...] | None = None,
) -> CloseCall | None:
    """The close call's preferences (1, M) of one company, broadcast over any samples."""
    return close_call(fw, np.array([stage]), running_matrix([existing], fw))



def screen_taken(
    ratings: np.ndarray, fw: Framework, stage: int, existing: tuple[str, ...] | None = None,
) -> np.ndarray:
    """The points the screens took from each model (n, M) for `evaluate`'s rating rows: added
    to its scores, they give the scores before any screen."""
    stage_idx = np.full(ratings.shape[0], stage)
    running = running_matrix([existing], fw).repeat(ratings.shape[0])
    return screen_points(fired_screens(ratings, fw, stage_idx, running), fw)


def score_shares(
    scores: np.ndarray, taken: np.ndarray, points: np.ndarray, lam: np.ndarray,
) -> np.ndarray:
    """Per model (M,), the share of importance samples `lam` (n, C) in which it has the highest
    score before any screen or close call (`taken`: `screen_taken`'s points, put back); a tie
    counts for each model in it."""
    s = np.round(lambda_scores(scores + taken, points, lam), 9)
    return np.asarray((s >= s.max(axis=1, keepdims=True)).mean(axis=0))
