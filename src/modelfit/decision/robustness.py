"""Robustness: how sure the answer is, what the weights may do, and what would flip it.

The framework's weights are judgement calls. This module asks three questions of one company's
recommendation and answers each exactly or by seeded, vectorised simulation.

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

1. Weight stability (`stability_intervals`), exact.
    Renormalisation rule: vary lambda_c = t in [0, 1] and rescale the other importances in
    proportion so that they keep their ratios and the sum stays 1:
    lambda_j(t) = (1 - t) * lambda0_j / (1 - lambda0_c). Every score is then linear in t, so the
    set of t in which the primary stays primary is the intersection of one half-line per rival
    model (rivals are the models in the same screen class as the primary; the others rank below
    or above it whatever t is): an exact interval [low, high], clipped to [0, 1], that always
    contains lambda0_c = 1/C. `Robustness.stability` reports it in lambda units;
    `Robustness.stability_multiplier` reports it as a multiplier of the framework weight (C * t).

2. Acceptability analysis (SMAA-2, Lahdelma & Salminen 2001; the reference implementation is
    R's `smaa` package), `smaa` and `confidence_factors`.
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

3. What would flip it (`flips` and `risks`), exact.
    `flips` holds improvements only (ratings that go up: the roadmap a client can act on);
    `risks` holds declines only (what the plan rests on), in the same shape.
    Single fields first: for each rating in the direction asked, the smallest change that
    gives a different primary. Then pairs: for each other model, the pair of changed ratings with
    the smallest total change that makes it primary while neither change alone changes the
    primary (ties: smaller largest step, then upward moves, then framework order). Every entry is
    checked by running `modelfit.decision.recommend` on the changed profile.

`wsm` is the plain weighted-sum kernel (scikit-criteria style, no checks) under all of it.
Nothing is computed at import time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from modelfit.core.errors import ModelfitError
from modelfit.core.reproducible import DECIMALS, rounded
from modelfit.decision.features import RATING_MAX, RATING_MIN
from modelfit.decision.framework import Framework
from modelfit.decision.intervals import stability_intervals
from modelfit.decision.scoring import primary_index, ranking_index
from modelfit.decision.smaa import (
    confidence_factors,
    entropy_bits,
    evaluate,
    perturb_ratings,
    ranking_entropy,
    sample_constrained,
    sample_orders,
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
WeightMode = Literal["framework", "uniform"]


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


# --- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flip:
    """A change of ratings that makes `primary` the primary model."""

    changes: dict[str, int]
    primary: str
    before: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Total number of rating steps the change takes."""
        return sum(abs(v - self.before.get(k, v)) for k, v in self.changes.items())

    def to_dict(self) -> dict[str, Any]:
        """`{changes: {field: value}, primary}`, as in `recommend --json`."""
        return {"changes": dict(self.changes), "primary": self.primary}

    def describe(
        self, framework: Framework | None = None, lang: str = "en", *, key: str = "flip",
    ) -> str:
        """One line: 'Brand design and content marketing 2 → 4 makes Hybrid primary.'

        `key="risk"` reads a decline: 'If capital strength 3 → 2, Platform would become ...'.
        """
        fw = framework or Framework.load()
        return _text(fw, key, lang, changes=describe_changes(self.changes, self.before, fw, lang),
                     primary=fw.model_name(self.primary, lang))


def describe_changes(
    changes: dict[str, int], before: dict[str, int], fw: Framework, lang: str,
) -> str:
    """'Capital strength 3 → 4' in English; '资金实力从 3 分提升至 4 分' in Chinese."""
    if lang == "zh":
        return "、".join(
            f"{fw.criterion_name(k, lang)}从 {before.get(k, '?')} 分"
            f"{'提升至' if v > before.get(k, v) else '降至'} {v} 分"
            for k, v in changes.items())
    return "; ".join(f"{fw.criterion_name(k, lang)} {before.get(k, '?')} → {v}"
                     for k, v in changes.items())


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

    @property
    def confidence(self) -> float:
        """The primary's first-rank acceptability: share of weight samples in which it wins."""
        return self.acceptability[self.primary][0]

    @property
    def margin(self) -> float:
        """Points between the primary and the best rival that a screen does not hold back, at the
        framework's weights (infinite when a screen holds back every rival: S1 at start-up)."""
        same_class = self.primary in self.screened
        rivals = [m for m in self.ranking[1:] if (m in self.screened) == same_class]
        if not rivals:
            return math.inf
        return self.scores[self.primary] - self.scores[rivals[0]]

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
    existing = tuple(profile.existing_channels)
    scores, penalty, points = evaluate(ratings[None], fw, stage, existing)
    order = ranking_index(scores, penalty)[0]
    p = int(order[0])

    rng = np.random.Generator(np.random.PCG64(seed))
    n_crit = len(fw.criteria)
    lam = sample_constrained(rng, samples, n_crit, 1.0 if weights == "uniform" else kappa, pairs)

    def uncertain() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if rating_noise is None:
            s_r, pen_r, pts_r = scores, penalty, points
        else:
            s_r, pen_r, pts_r = evaluate(perturb_ratings(rng, ratings, samples, rating_noise),
                                          fw, stage, existing)
        if prior_sd > 0:
            s_r = s_r + rng.normal(0.0, float(prior_sd), (samples, len(fw.models)))
        return s_r, pen_r, pts_r

    s_r, pen_r, pts_r = uncertain()
    accept, central = smaa(s_r, pen_r, pts_r, lam)
    accept = np.round(accept, SHARE_DECIMALS)
    orders = sample_orders(s_r, pen_r, pts_r, lam)
    winning = winning_indices(orders)
    conf = confidence_factors(*uncertain(), central)
    intervals = stability_intervals(scores[0], penalty[0], points[0])
    flips = _verified(find_flips(rating_map, profile.stage, fw, direction="up",
                                 existing=existing), profile, fw)
    risks = _verified(find_flips(rating_map, profile.stage, fw, direction="down",
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
    )


def find_flips(
    ratings: dict[str, int], stage: str, framework: Framework, *,
    direction: Literal["up", "down", "both"] = "both", existing: tuple[str, ...] = (),
) -> tuple[Flip, ...]:
    """The smallest rating changes that change the primary (see the module docstring).

    Singles (per rating and direction) first, by size; then the best pair per new primary.
    `direction="up"` considers improvements only, `"down"` declines only; `existing` are the
    channels already running (S2's precondition).
    """
    fw = framework
    crits = fw.criteria
    base = np.array([ratings[c] for c in crits], dtype=float)
    stage_idx = fw.stages.index(stage)
    p = int(_primaries(base[None], fw, stage_idx, existing)[0])

    def allowed(v: int, c: int) -> bool:
        return direction == "both" or (v > base[c]) == (direction == "up")

    def steps(c: int) -> list[int]:
        values = [v for v in range(RATING_MIN, RATING_MAX + 1) if v != base[c] and allowed(v, c)]
        return sorted(values, key=lambda v: (abs(v - base[c]), v < base[c]))

    singles = [(c, v) for c in range(len(crits)) for v in steps(c)]
    cand = np.repeat(base[None], len(singles), axis=0)
    for row, (c, v) in enumerate(singles):
        cand[row, c] = v
    single_primary = dict(zip(singles, _primaries(cand, fw, stage_idx, existing).tolist(),
                              strict=True))

    singles_out: list[tuple[tuple[int, int, int], Flip]] = []
    for c in range(len(crits)):
        for up in (True, False):
            for v in steps(c):
                if (v > base[c]) == up and single_primary[(c, v)] != p:
                    key = (int(abs(v - base[c])), 0 if up else 1, c)
                    singles_out.append((key, _flip({crits[c]: v},
                                                   fw.models[single_primary[(c, v)]], ratings)))
                    break
    singles_out.sort(key=lambda kf: kf[0])

    # Pairs whose changes do not flip on their own, in generation order (framework order of the
    # criteria, then smallest and upward steps first), so the first best key wins a tie.
    pairs = [
        ((c1, v1), (c2, v2))
        for c1, c2 in itertools.combinations(range(len(crits)), 2)
        for v1 in steps(c1) for v2 in steps(c2)
        if single_primary[(c1, v1)] == p and single_primary[(c2, v2)] == p
    ]
    best: dict[int, tuple[tuple[int, int, int], Flip]] = {}
    if pairs:
        cand = np.repeat(base[None], len(pairs), axis=0)
        for row, ((c1, v1), (c2, v2)) in enumerate(pairs):
            cand[row, c1], cand[row, c2] = v1, v2
        for pair, winner in zip(pairs, _primaries(cand, fw, stage_idx, existing).tolist(),
                                strict=True):
            if winner == p:
                continue
            (c1, v1), (c2, v2) = pair
            d1, d2 = int(abs(v1 - base[c1])), int(abs(v2 - base[c2]))
            key = (d1 + d2, max(d1, d2), int(v1 < base[c1]) + int(v2 < base[c2]))
            if winner not in best or key < best[winner][0]:
                best[winner] = (key, _flip({crits[c1]: v1, crits[c2]: v2}, fw.models[winner],
                                           ratings))
    pairs_out = sorted(best.items(), key=lambda item: (item[1][0], item[0]))
    return (*(f for _, f in singles_out), *(f for _, (_, f) in pairs_out))


# --- plain language and figures ---------------------------------------------------------------
def is_too_close(
    result: Robustness, *, min_confidence: float = CLOSE_CONFIDENCE,
    min_margin: float = CLOSE_MARGIN,
) -> bool:
    """Whether the answer is a close call: confidence below `min_confidence` (default 0.6) or
    the top two scores less than `min_margin` points (default 1.0) apart."""
    return result.confidence < min_confidence or result.margin < min_margin


# --- helpers ----------------------------------------------------------------------------------
def _primaries(
    ratings: np.ndarray, fw: Framework, stage: int, existing: tuple[str, ...] = (),
) -> np.ndarray:
    scores, penalty, _ = evaluate(ratings, fw, stage, existing)
    return primary_index(scores, penalty)


def _flip(changes: dict[str, int], primary: str, ratings: dict[str, int]) -> Flip:
    return Flip(changes={k: int(v) for k, v in changes.items()}, primary=primary,
                before={k: ratings[k] for k in changes})


def _verified(flips: tuple[Flip, ...], profile: Profile, fw: Framework) -> tuple[Flip, ...]:
    from modelfit.decision.recommend import recommend

    for flip in flips:
        got = recommend(profile.model_copy(update=flip.changes), fw).primary
        if got != flip.primary:  # pragma: no cover - would be a bug in find_flips
            raise RuntimeError(f"flip {flip.changes} should make {flip.primary} primary, "
                               f"recommend says {got}")
    return flips


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



def _text(fw: Framework, key: str, lang: str, **values: str) -> str:
    return fw.text(f"report.{key}", lang, **values)



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
