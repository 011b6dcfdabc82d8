"""Tests of the rest of SMAA-2 in modelfit.decision.robustness: pairwise winning indices, central weights,
decision entropy (exact values on small cases), and weight constraints (ordinal statements)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from modelfit import Framework, Profile
from modelfit.core.errors import ModelfitError
from modelfit.decision.features import to_deviations
from modelfit.decision.robustness import analyse, constraint_pairs
from modelfit.decision.scoring import criterion_points, ranking_index, running_matrix, score_matrix
from modelfit.decision.smaa import (
    company_close_call,
    entropy_bits,
    ranking_entropy,
    sample_constrained,
    sample_weights,
    winning_indices,
)
from modelfit.inputs.preferences import rank_order_centroid
from tests.exact import crossing_points

from .conftest import examples

CRITERIA = ("capital", "supply_chain", "brand_content", "tech_data")


@pytest.fixture(scope="module")
def fw() -> Framework:
    """The bundled framework, loaded once."""
    return Framework.load()


def make(stage: str, *ratings: int) -> Profile:
    """A profile with the given stage and ratings, already selling on a platform (so S2's
    precondition holds and every model may lead at growth)."""
    return Profile.from_mapping({"company": "Test Co", "stage": stage,
                                 **dict(zip(CRITERIA, ratings, strict=True)),
                                 "existing_channels": ["platform"]})


# --- kernels on hand-made rankings ----------------------------------------------------------------
def test_winning_indices_of_two_rankings_by_hand() -> None:
    """Orders (0 1 2 3) and (1 0 2 3): 0 beats 1 half the time, beats 2 and 3 always."""
    w = winning_indices(np.array([[0, 1, 2, 3], [1, 0, 2, 3]]))
    assert w[0, 1] == w[1, 0] == 0.5
    assert w[0, 2] == w[1, 3] == w[2, 3] == 1.0
    assert w[3, 0] == w[2, 1] == 0.0
    assert np.all(np.diag(w) == 0)


@settings(max_examples=examples(30), deadline=None)
@given(st.lists(st.permutations(range(4)), min_size=1, max_size=40))
def test_winning_indices_are_complementary(orders: list[list[int]]) -> None:
    """winning[a][b] + winning[b][a] = 1 for every pair a != b."""
    w = winning_indices(np.array(orders))
    off = ~np.eye(4, dtype=bool)
    np.testing.assert_allclose((w + w.T)[off], 1.0)


def test_entropy_of_known_distributions() -> None:
    """One sure outcome: 0 bits; two equally likely: 1; four: 2; all 24 rankings: log2 24."""
    assert entropy_bits(np.array([1.0, 0, 0, 0])) == 0.0
    assert entropy_bits(np.array([0.5, 0.5, 0, 0])) == 1.0
    assert entropy_bits(np.full(4, 0.25)) == 2.0
    orders = np.array(list(itertools.permutations(range(4))))
    assert ranking_entropy(orders) == pytest.approx(np.log2(24))
    assert ranking_entropy(np.array([[0, 1, 2, 3]] * 5)) == 0.0


# --- exact values for companies that differ from average in one criterion ---------------------------
def intervals(fw: Framework, stage: int, c: int, rating: int
              ) -> list[tuple[float, float, np.ndarray]]:
    """(lo, hi, order) for the pieces of lambda_c in [0, 1] on which the ranking is constant:
    with one criterion off average, every score is linear in lambda_c alone."""
    ratings = np.full((1, 4), 3.0)
    ratings[0, c] = rating
    scores, penalty = score_matrix(ratings, np.array([stage]), fw,
                                   running_matrix([("platform",)], fw))  # as `make` has it
    points = criterion_points(to_deviations(ratings), fw.weights)
    base = scores[0] - points[0].sum(axis=0)
    slope = 4 * points[0, c]
    close = company_close_call(fw, stage, ("platform",))
    edges = crossing_points(base, slope, close.margin if close else 0.0)
    return [(lo, hi, ranking_index((base + slope * (lo + hi) / 2)[None], penalty, close)[0])
            for lo, hi in itertools.pairwise(edges)]


CASES = [("uniform", 1.0, 1, 1, 5), ("framework", 5.0, 1, 1, 5), ("uniform", 1.0, 2, 2, 1),
         ("framework", 5.0, 0, 0, 5)]


@pytest.mark.parametrize(("mode", "kappa", "stage", "c", "rating"), CASES)
def test_winning_indices_and_entropy_match_exact_values(
    fw: Framework, mode: str, kappa: float, stage: int, c: int, rating: int,
) -> None:
    """lambda_c ~ Beta(kappa, 3 kappa): the exact winning index of a over b is the Beta mass of
    the pieces where a ranks above b, and the exact choice entropy follows from the exact
    first-rank shares. 100k samples agree within 4.5 standard errors (entropy within 0.01)."""
    ratings = [3, 3, 3, 3]
    ratings[c] = rating
    dist = stats.beta(kappa, 3 * kappa)
    exact_w = np.zeros((4, 4))
    first = np.zeros(4)
    for lo, hi, order in intervals(fw, stage, c, rating):
        mass = dist.cdf(hi) - dist.cdf(lo)
        first[order[0]] += mass
        for i, a in enumerate(order):
            for b in order[i + 1:]:
                exact_w[a, b] += mass
    n = 100_000
    # Weights only: the exact values are for exact ratings and priors.
    result = analyse(make(fw.stages[stage], *ratings), fw, samples=n, seed=3,
                     weights=mode, kappa=kappa,  # type: ignore[arg-type]
                     rating_noise=None, prior_sd=0.0)
    for i, a in enumerate(fw.models):
        for j, b in enumerate(fw.models):
            if i != j:
                p = exact_w[i, j]
                bound = 4.5 * np.sqrt(max(p * (1 - p), 1e-4) / n)
                assert abs(result.winning[a][b] - p) <= bound, (a, b, result.winning[a][b], p)
    assert result.entropy["choice"] == pytest.approx(entropy_bits(first), abs=0.01)


def test_central_weight_matches_the_exact_conditional_mean(fw: Framework) -> None:
    """Uniform weights, supply chain 5 at growth on a platform: platform wins exactly when it
    leads the hybrid by more than the close call's point, lambda_sc in [0.2, 1]; its central
    weight is E[lambda | that], i.e. E[lambda_sc | lambda_sc >= 0.2]
    under Beta(1, 3) for supply chain and a third of the rest for each other criterion."""
    result = analyse(make("growth", 3, 5, 3, 3), fw, samples=200_000, seed=5, weights="uniform",
                     rating_noise=None, prior_sd=0.0)
    dist = stats.beta(1, 3)
    lo = 0.2
    mean_sc = integrate.quad(lambda t: t * dist.pdf(t), lo, 1)[0] / dist.sf(lo)
    central = result.central_weights["platform"]
    assert central is not None
    expected = [(1 - mean_sc) / 3, mean_sc, (1 - mean_sc) / 3, (1 - mean_sc) / 3]
    np.testing.assert_allclose(central, expected, atol=0.003)


def test_json_has_winning_central_weights_and_entropy(fw: Framework) -> None:
    """to_dict adds winning (model -> other model -> share), central_weights (model -> criterion
    -> importance, or null when it never wins) and entropy {choice, ranking}, all plain JSON,
    rounded to 6 decimals at the source."""
    out = analyse(make("growth", 3, 4, 3, 2), fw).to_dict()
    assert out == json.loads(json.dumps(out))
    assert set(out["winning"]) == set(fw.models)
    assert all(set(row) == set(fw.models) - {a} for a, row in out["winning"].items())
    assert set(out["entropy"]) == {"choice", "ranking"}
    for weights in out["central_weights"].values():
        assert weights is None or (list(weights) == list(CRITERIA)
                                   and sum(weights.values()) == pytest.approx(1, abs=1e-5))
    values = [v for row in out["winning"].values() for v in row.values()]
    assert all(round(v, 6) == v for v in values)


# --- weight constraints ----------------------------------------------------------------------------
ORDER = (("capital", "supply_chain"), ("supply_chain", "brand_content"),
         ("brand_content", "tech_data"))


def test_constrained_samples_satisfy_every_statement() -> None:
    """Every sample respects each "a matters at least as much as b" and lies on the simplex."""
    rng = np.random.Generator(np.random.PCG64(0))
    pairs = constraint_pairs([("tech_data", "capital"), ("brand_content", "capital")], CRITERIA)
    lam = sample_constrained(rng, 20_000, 4, 5.0, pairs)
    assert lam.shape == (20_000, 4)
    assert np.all(lam[:, 3] >= lam[:, 0])
    assert np.all(lam[:, 2] >= lam[:, 0])
    np.testing.assert_allclose(lam.sum(axis=1), 1.0)


def test_constrained_uniform_samples_cover_the_ordered_simplex() -> None:
    """Uniform weights with the full order capital >= supply >= brand >= tech: the region is a
    simplex with vertices (1,0,0,0), (1/2,1/2,0,0), (1/3,1/3,1/3,0), (1/4,...); its centroid is
    the rank-order centroid weights (Barron & Barrett 1996). The samples' mean is that centroid
    and the samples reach every vertex; the region's volume is 1/24 of the simplex, so each of the
    24 orderings of an unconstrained sample maps one-to-one onto it (sorting is exact)."""
    rng = np.random.Generator(np.random.PCG64(1))
    lam = sample_constrained(rng, 100_000, 4, 1.0, constraint_pairs(ORDER, CRITERIA))
    assert np.all(np.diff(lam, axis=1) <= 0)
    roc = list(rank_order_centroid(CRITERIA).values())
    np.testing.assert_allclose(lam.mean(axis=0), roc, atol=0.003)
    for k in range(1, 5):
        vertex = np.r_[np.full(k, 1 / k), np.zeros(4 - k)]
        assert np.min(np.abs(lam - vertex).max(axis=1)) < 0.03, k
    # Same distribution as sorting unconstrained uniform samples: compare every marginal.
    sorted_lam = -np.sort(-sample_weights(rng, 100_000, 4, 1.0), axis=1)
    for c in range(4):
        assert stats.ks_2samp(lam[:, c], sorted_lam[:, c]).pvalue > 1e-4


def test_constraints_restrict_the_acceptability(fw: Framework) -> None:
    """The demo company: hybrid can only win when capital and brand weigh more; requiring
    supply chain >= capital and >= brand lowers hybrid's first-rank share. The statements are
    recorded in the run's settings."""
    profile = make("growth", 3, 4, 3, 2)
    free = analyse(profile, fw)
    bound = analyse(profile, fw, constraints=[("supply_chain", "capital"),
                                              ("supply_chain", "brand_content")])
    assert bound.acceptability["hybrid"][0] < free.acceptability["hybrid"][0]
    assert bound.to_dict(full=True)["settings"]["constraints"] == [
        ["supply_chain", "capital"], ["supply_chain", "brand_content"]]


def test_no_constraints_change_nothing(fw: Framework) -> None:
    """constraints=None and () give exactly the unconstrained samples."""
    profile = make("growth", 3, 4, 3, 2)
    assert analyse(profile, fw).to_dict() == analyse(profile, fw, constraints=()).to_dict()


@pytest.mark.parametrize(("constraints", "message"), [
    ([("capital", "brand")], r"^constraints: \('capital', 'brand'\) must be a pair \(a, b\) "
                             r"meaning a matters at least as much as b"),
    ([("capital", "capital")], r"compares a criterion with itself"),
    ([("capital", "tech_data"), ("tech_data", "capital")],
     r"^constraints: capital >= tech_data >= capital go round in a circle"),
])
def test_bad_constraints_are_named(fw: Framework, constraints: list[tuple[str, str]],
                                   message: str) -> None:
    """Unknown criteria, self-comparisons and circular statements are refused by name."""
    with pytest.raises(ModelfitError, match=message):
        analyse(make("growth", 3, 4, 3, 2), fw, constraints=constraints)


def test_recommend_constraint_flag_restricts_the_samples(capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    """`recommend --constraint A>=B` (repeatable) reaches the acceptability analysis: with supply
    chain weighing at least as much as capital and brand, the demo's platform wins more often
    (the hybrid's confidence falls) and the first place is less uncertain; an
    unknown criterion exits 2 naming it."""
    from modelfit.cli import main

    from .conftest import PARAMS

    demo = str(PARAMS / "demo.yaml")
    assert main(["recommend", demo, "--json", "--no-model"]) == 0
    free = json.loads(capsys.readouterr().out)["robustness"]
    assert main(["recommend", demo, "--json", "--no-model", "--constraint", "supply_chain>=capital",
                 "--constraint", "supply_chain>=brand_content"]) == 0
    bound = json.loads(capsys.readouterr().out)["robustness"]
    assert bound["confidence"] < free["confidence"]
    assert bound["entropy"]["choice"] < free["entropy"]["choice"]
    assert main(["recommend", demo, "--constraint", "capital>=brand"]) == 2
    assert "constraints: ('capital', 'brand') must be a pair" in capsys.readouterr().err
