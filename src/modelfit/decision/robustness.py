"""Robustness: how sure one company's recommendation is, what the weights may do, what would flip it.

The framework's weights are judgement calls. `analyse` checks its arguments and asks three
questions of one company's recommendation, answering each exactly or by seeded, vectorised
simulation; `Robustness` holds the answers (`to_dict()` is the `robustness` JSON object).
Criterion importances lambda, and the scores and rankings under them, are those of
`modelfit.decision.smaa` (the framework's own weights are lambda0 = (1/C, ..., 1/C)).

1. Weight stability, exact: `modelfit.decision.intervals.stability_intervals`.
    `Robustness.stability` reports each criterion's interval in lambda units;
    `Robustness.stability_multiplier` reports it as a multiplier of the framework weight.

2. Acceptability analysis (SMAA-2, Lahdelma & Salminen 2001; the reference implementation is
    R's `smaa` package): the kernels of `modelfit.decision.smaa` on the samples drawn here.
    Weights: Dirichlet(kappa * C * lambda0) = Dirichlet(kappa, ..., kappa). kappa = 1 is the
    uniform distribution over the simplex (SMAA's "no weight information"; `weights="uniform"`);
    the default `weights="framework"` uses kappa = `DEFAULT_KAPPA` = 5, which centres the samples
    on the framework's weights with each multiplier C * lambda_c having mean 1 and standard
    deviation sqrt((C - 1) / (C * kappa + 1)) = 0.38 for C = 4 (90% of draws within
    0.44x..1.68x): "the weights a bit different", as an analyst would argue them.
    Ratings (`rating_noise`, on by default): each 1-5 rating is an analyst's estimate, so each
    independently moves to a neighbour rating, -1, 0 or +1 with probabilities `RATING_NOISE` =
    (0.2, 0.6, 0.2) (or those passed; None turns it off), clipped to 1..5, so a rating at the end
    of the scale stays there with probability 0.8; screens are re-applied to the moved ratings.
    Stage priors (`prior_sd`, on by default): each model's stage prior is a judgement too; each
    sample adds independent Normal(0, `PRIOR_SD` = 2 points) noise to every model's prior (0
    turns it off).
    Outputs: rank acceptability b_m^r (share of samples in which model m ranks r-th), central
    weights w_m^c (mean lambda over the samples in which m ranks first; None when it never does)
    and confidence factors p_m^c (share of rating samples in which m ranks first when the weights
    are its central weights; 0 or 1 without rating noise). `Robustness.confidence` is the
    primary's first-rank acceptability b_primary^1.
    Everything is drawn from one `numpy.random.Generator(PCG64(seed))`, weights first, then
    ratings, then priors, then the confidence-factor ratings and priors, so a seed fixes every
    number. Shares are rounded to 6 decimals at the source.

3. What would flip it, exact: `modelfit.decision.flips.find_flips`. `flips` holds improvements
    only (ratings that go up: the roadmap a client can act on); `risks` holds declines only (what
    the plan rests on), in the same shape. Every entry is checked by running
    `modelfit.decision.recommend` on the changed profile (`modelfit.decision.flips.verify_flips`).

Nothing is computed at import time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from modelfit.core.errors import ModelfitError
from modelfit.core.reproducible import DECIMALS, rounded
from modelfit.decision.flips import Flip, find_flips, verify_flips
from modelfit.decision.framework import Framework
from modelfit.decision.intervals import stability_intervals
from modelfit.decision.scoring import fired_screens, held_by, ranking_index, running_matrix
from modelfit.decision.smaa import (
    company_close_call,
    confidence_factors,
    entropy_bits,
    evaluate,
    perturb_ratings,
    ranking_entropy,
    sample_constrained,
    sample_orders,
    score_shares,
    screen_taken,
    smaa,
    winning_indices,
)

if TYPE_CHECKING:
    from modelfit.inputs.profile import Profile

DEFAULT_SEED = 0
DEFAULT_SAMPLES = 10_000
DEFAULT_KAPPA = 5.0
SMAA_DECIMALS = DECIMALS  # central weights, winning indices and entropies are rounded to this at source
RATING_NOISE: tuple[float, float, float] = (0.2, 0.6, 0.2)  # P(-1), P(0), P(+1) per rating
PRIOR_SD = 2.0  # points: standard deviation of each stage prior (a judgement, argued +-2 points)
SHARE_DECIMALS = DECIMALS  # shares of samples, rounded at the source (reproducible.py)
# too_close_to_call: the answer is a close call below this first-rank acceptability ...
CLOSE_CONFIDENCE = 0.6
# ... or when the top two scores are less than this many points apart (one rating step moves a
# score by half a weight, 1 to 5 points with the bundled weights).
CLOSE_MARGIN = 1.0
# "high" needs the primary first in at least this share of scenarios (and no close call, no
# disagreeing classifier): `sureness`.
HIGH_CONFIDENCE = 0.8
WeightMode = Literal["framework", "uniform"]


# --- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Robustness:
    """How sure one company's recommendation is. `to_dict()` is the `robustness` JSON object."""

    company_id: str
    primary: str
    ranking: tuple[str, ...]
    scores: dict[str, float]
    models: tuple[str, ...]
    criteria: tuple[str, ...]
    acceptability: dict[str, tuple[float, ...]]
    central_weights: dict[str, tuple[float, ...] | None]
    confidence_factors: dict[str, float | None]
    stability: dict[str, tuple[float, float]]
    flips: tuple[Flip, ...]
    samples: int
    seed: int
    weights: str
    kappa: float
    rating_noise: tuple[float, float, float] | None
    # SMAA-2's pairwise winning indices winning[a][b], and decision entropy in bits
    # ({"choice": of the first place, "ranking": of the whole ranking}).
    winning: dict[str, dict[str, float]] = field(default_factory=dict)
    entropy: dict[str, float] = field(default_factory=dict)
    constraints: tuple[tuple[str, str], ...] = ()
    risks: tuple[Flip, ...] = ()
    prior_sd: float = 0.0
    screened: tuple[str, ...] = ()  # models a screen holds back (they never lead)
    # The ids of the rules that hold the primary in place against a model that scores more
    # before screens (empty: the scores alone decide), and the share of scenarios in which the
    # primary has the highest score before screens and the close call.
    held_by: tuple[str, ...] = ()
    score_confidence: float = 1.0
    raw_scores: dict[str, float] = field(default_factory=dict)  # scores before the screens
    score_share: dict[str, float] = field(default_factory=dict)  # first on scores alone, per model
    ratings: dict[str, int] = field(default_factory=dict)  # the company's ratings

    @property
    def confidence(self) -> float:
        """The primary's first-rank acceptability: share of weight samples in which it wins."""
        return self.acceptability[self.primary][0]

    @property
    def margin(self) -> float | None:
        """Points between the primary and the best rival that a screen does not hold back, at the
        framework's weights (negative when the close call put the primary first); None when a
        rule holds back every rival (S1 at start-up): the lead is then a rule's, not points."""
        same_class = self.primary in self.screened
        rivals = [m for m in self.ranking[1:] if (m in self.screened) == same_class]
        if not rivals:
            return None
        return self.scores[self.primary] - self.scores[rivals[0]]

    @property
    def held(self) -> bool:
        """Whether a rule, not the scores, holds the primary first."""
        return bool(self.held_by)

    @property
    def leader(self) -> str:
        """The model with the highest score before screens (the primary on a tie)."""
        raw = self.raw_scores or self.scores
        best = max(round(v, 9) for v in raw.values())
        if round(raw[self.primary], 9) >= best:
            return self.primary
        return next(m for m in self.ranking if round(raw[m], 9) >= best)

    @property
    def challenger(self) -> str:
        """The other model that wins most often (ties and no wins: the runner-up by score)."""
        others = [m for m in self.ranking if m != self.primary]
        return max(others, key=lambda m: (self.acceptability[m][0], -others.index(m)))

    @property
    def framework_weight(self) -> float:
        """lambda0_c = 1/C: every criterion's importance at the framework's own weights."""
        return 1.0 / len(self.criteria)

    @property
    def stability_multiplier(self) -> dict[str, tuple[float, float]]:
        """`stability` as multipliers of the framework weight (1 = the framework's weight)."""
        c = len(self.criteria)
        return {k: (lo * c, hi * c) for k, (lo, hi) in self.stability.items()}

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """`{acceptability, confidence, stability, flips}` as plain floats, lists and dicts.

        `full=True` adds `central_weights`, `confidence_factors` and the `settings` of the run.
        """
        out: dict[str, Any] = {
            "acceptability": {m: [float(x) for x in v] for m, v in self.acceptability.items()},
            "confidence": float(self.confidence),
            "stability": {c: [float(lo), float(hi)] for c, (lo, hi) in self.stability.items()},
            "flips": [f.to_dict() for f in self.flips],
            "risks": [f.to_dict() for f in self.risks],
            "winning": {a: dict(row) for a, row in self.winning.items()},
            "central_weights": {
                m: None if w is None else dict(zip(self.criteria, map(float, w), strict=True))
                for m, w in self.central_weights.items()
            },
            "entropy": dict(self.entropy),
            "held_by": list(self.held_by),
            "score_confidence": float(self.score_confidence),
        }
        if full:
            out["central_weights"] = {
                m: None if w is None else dict(zip(self.criteria, map(float, w), strict=True))
                for m, w in self.central_weights.items()
            }
            out["confidence_factors"] = dict(self.confidence_factors)
            out["settings"] = {
                "samples": self.samples, "seed": self.seed, "weights": self.weights,
                "kappa": self.kappa,
                "rating_noise": None if self.rating_noise is None else list(self.rating_noise),
                "constraints": [list(c) for c in self.constraints],
                "prior_sd": self.prior_sd,
            }
        return out


def sureness(confidence: float, margin: float | None, disagrees: bool = False) -> str:
    """How sure an answer is, in one word, the one scale of the report, the portfolio and the
    JSON (`robustness.level`): `low` for a close call (confidence below `CLOSE_CONFIDENCE` or a
    lead under `CLOSE_MARGIN` points), `high` at a confidence of `HIGH_CONFIDENCE` or more with no
    disagreement from the classifier, else `medium`. A lead a rule holds (`margin` None) is not a
    close call."""
    if confidence < CLOSE_CONFIDENCE or (margin is not None and margin < CLOSE_MARGIN):
        return "low"
    if confidence >= HIGH_CONFIDENCE and not disagrees:
        return "high"
    return "medium"


def is_too_close(
    result: Robustness, *, min_confidence: float = CLOSE_CONFIDENCE,
    min_margin: float = CLOSE_MARGIN,
) -> bool:
    """Whether the answer is a close call: confidence below `min_confidence` (default 0.6) or
    the top two scores less than `min_margin` points (default 1.0) apart."""
    margin = result.margin
    return result.confidence < min_confidence or (margin is not None and margin < min_margin)


# --- entry point ------------------------------------------------------------------------------
def analyse(
    profile: Profile,
    framework: Framework | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    weights: WeightMode = "framework",
    kappa: float = DEFAULT_KAPPA,
    rating_noise: tuple[float, float, float] | None = RATING_NOISE,
    prior_sd: float = PRIOR_SD,
    constraints: Sequence[tuple[str, str]] | None = None,
) -> Robustness:
    """Weight stability, SMAA-2 acceptability and rating flips for one validated profile.

    `constraints` are ordinal statements (a, b): "a matters at least as much as b"; the
    sampled importances are restricted to them (exact rejection, `sample_constrained`).

    `weights="framework"` samples Dirichlet(kappa, ..., kappa) around the framework's weights;
    `"uniform"` samples Dirichlet(1, ..., 1). `rating_noise` (default `RATING_NOISE`; None for
    none) moves each rating to a neighbour with the given probabilities, and `prior_sd` (default
    `PRIOR_SD` points; 0 for none) varies the stage priors. The same arguments give the same
    result.
    """
    _check_arguments(samples, seed, weights, kappa, rating_noise)
    if (isinstance(prior_sd, bool) or not isinstance(prior_sd, (int, float))
            or not math.isfinite(prior_sd) or prior_sd < 0):
        raise ModelfitError(f"prior_sd must be a finite number >= 0, got {prior_sd!r}")
    fw = framework or Framework.load()
    pairs = constraint_pairs(constraints, fw.criteria)
    rating_map = profile.ratings()
    ratings = np.array([rating_map[c] for c in fw.criteria], dtype=float)
    stage = fw.stages.index(profile.stage)
    existing = profile.existing_channels
    scores, penalty, points = evaluate(ratings[None], fw, stage, existing)
    close = company_close_call(fw, stage, existing)
    order = ranking_index(scores, penalty, close)[0]
    p = int(order[0])

    rng = np.random.Generator(np.random.PCG64(seed))
    n_crit = len(fw.criteria)
    lam = sample_constrained(rng, samples, n_crit, 1.0 if weights == "uniform" else kappa, pairs)
    taken = taken_now = screen_taken(ratings[None], fw, stage, existing)

    def uncertain() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        nonlocal taken
        if rating_noise is None:
            s_r, pen_r, pts_r = scores, penalty, points
        else:
            moved = perturb_ratings(rng, ratings, samples, rating_noise)
            s_r, pen_r, pts_r = evaluate(moved, fw, stage, existing)
            taken = screen_taken(moved, fw, stage, existing)
        if prior_sd > 0:
            s_r = s_r + rng.normal(0.0, float(prior_sd), (samples, len(fw.models)))
        return s_r, pen_r, pts_r

    s_r, pen_r, pts_r = uncertain()
    accept, central = smaa(s_r, pen_r, pts_r, lam, close)
    accept = np.round(accept, SHARE_DECIMALS)
    orders = sample_orders(s_r, pen_r, pts_r, lam, close)
    winning = winning_indices(orders)
    by_score = score_shares(s_r, taken, pts_r, lam)
    conf = confidence_factors(*uncertain(), central, close)
    intervals = stability_intervals(scores[0], penalty[0], points[0], close)
    fired = fired_screens(ratings[None], fw, np.array([stage]), running_matrix([existing], fw))
    held = held_by(scores, penalty, fired, order[:1], fw)[0]
    flips = verify_flips(find_flips(rating_map, profile.stage, fw, direction="up",
                                    existing=existing), profile, fw)
    risks = verify_flips(find_flips(rating_map, profile.stage, fw, direction="down",
                                    existing=existing), profile, fw)

    models = fw.models
    return Robustness(
        company_id=profile.company_id,
        primary=models[p],
        ranking=tuple(models[i] for i in order),
        scores={m: float(scores[0, i]) for i, m in enumerate(models)},
        models=models,
        criteria=fw.criteria,
        # Shares and means of sampled weights, rounded at the source (reproducible.py).
        acceptability={m: tuple(rounded(x) for x in accept[i]) for i, m in enumerate(models)},
        central_weights={
            m: tuple(rounded(x) for x in central[i]) if np.all(np.isfinite(central[i])) else None
            for i, m in enumerate(models)
        },
        confidence_factors={
            m: None if math.isnan(conf[i]) else rounded(conf[i]) for i, m in enumerate(models)
        },
        stability={c: (round(float(intervals[i, 0]), 12), round(float(intervals[i, 1]), 12))
                   for i, c in enumerate(fw.criteria)},
        flips=flips,
        samples=samples,
        seed=seed,
        weights=weights,
        kappa=1.0 if weights == "uniform" else float(kappa),
        rating_noise=rating_noise,
        winning={a: {b: round(float(winning[i, j]), SMAA_DECIMALS)
                     for j, b in enumerate(models) if j != i} for i, a in enumerate(models)},
        entropy={"choice": round(entropy_bits(accept[:, 0]), SMAA_DECIMALS),
                 "ranking": round(ranking_entropy(orders), SMAA_DECIMALS)},
        constraints=tuple((fw.criteria[i], fw.criteria[j]) for i, j in pairs),
        risks=risks,
        prior_sd=float(prior_sd),
        screened=tuple(m for i, m in enumerate(models) if penalty[0, i] > 0),
        held_by=held,
        score_confidence=rounded(by_score[p]),
        score_share={m: rounded(by_score[i]) for i, m in enumerate(models)},
        raw_scores={m: float(scores[0, i] + taken_now[0, i]) for i, m in enumerate(models)},
        ratings=dict(rating_map),
    )


# --- argument checks --------------------------------------------------------------------------
def constraint_pairs(
    constraints: Sequence[tuple[str, str]] | None, criteria: Sequence[str],
) -> tuple[tuple[int, int], ...]:
    """Index pairs (i, j) meaning lambda_i >= lambda_j, from ("capital", "brand_content")
    statements ("capital matters at least as much as brand"); errors name the statement."""
    if not constraints:
        return ()
    problems = []
    pairs: list[tuple[int, int]] = []
    for item in constraints:
        if (not isinstance(item, (tuple, list)) or len(item) != 2
                or any(c not in criteria for c in item)):
            problems.append(f"constraints: {item!r} must be a pair (a, b) meaning a matters at "
                            f"least as much as b, with a and b from {', '.join(criteria)}")
        elif item[0] == item[1]:
            problems.append(f"constraints: {item!r} compares a criterion with itself")
        else:
            pairs.append((criteria.index(item[0]), criteria.index(item[1])))
    if not problems:
        cycle = _cycle(pairs, len(criteria))
        if cycle:
            names = " >= ".join(criteria[i] for i in cycle)
            problems.append(f"constraints: {names} go round in a circle; they allow only equal "
                            "weights, which no sample ever has: drop one of them")
    if problems:
        raise ModelfitError(problems)
    return tuple(dict.fromkeys(pairs))


def _cycle(pairs: Sequence[tuple[int, int]], n: int) -> list[int]:
    """A cycle i -> j -> ... -> i in the "at least as much as" graph, or [] when there is none."""
    nxt: dict[int, list[int]] = {k: [] for k in range(n)}
    for a, b in pairs:
        nxt[a].append(b)
    state = dict.fromkeys(range(n), 0)
    path: list[int] = []

    def visit(k: int) -> list[int]:
        state[k] = 1
        path.append(k)
        for m in nxt[k]:
            if state[m] == 1:
                return [*path[path.index(m):], m]
            if state[m] == 0:
                found = visit(m)
                if found:
                    return found
        state[k] = 2
        path.pop()
        return []

    for k in range(n):
        if state[k] == 0:
            found = visit(k)
            if found:
                return found
    return []


def _check_arguments(
    samples: Any, seed: Any, weights: Any, kappa: Any, rating_noise: Any,
) -> None:
    problems = []
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        problems.append(f"samples must be an integer >= 1, got {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"seed must be an integer >= 0, got {seed!r}")
    if weights not in ("framework", "uniform"):
        problems.append(f"weights must be 'framework' or 'uniform', got {weights!r}")
    if (isinstance(kappa, bool) or not isinstance(kappa, (int, float))
            or not math.isfinite(kappa) or kappa <= 0):
        problems.append(f"kappa must be a finite number > 0, got {kappa!r}")
    if rating_noise is not None:
        ok = (isinstance(rating_noise, tuple) and len(rating_noise) == 3
              and all(isinstance(p, (int, float)) and not isinstance(p, bool)
                      and math.isfinite(p) and p >= 0 for p in rating_noise)
              and abs(sum(rating_noise) - 1.0) <= 1e-9)
        if not ok:
            problems.append("rating_noise must be None or a tuple (P(-1), P(0), P(+1)) of "
                            f"probabilities summing to 1, got {rating_noise!r}")
    if problems:
        raise ModelfitError(problems)
