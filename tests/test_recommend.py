"""Recommendations: the S- and R-rules by id, and the FRAMEWORK properties over the whole space."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelfit import Framework, ModelfitError, Profile, recommend
from modelfit.core.vocab import BASE_CHANNELS, RATINGS, STAGES
from modelfit.decision.framework_build import PROPERTIES

from .conftest import MODELS, every_core_profile, examples, profile_of, profiles_st

ALL_PROFILES = list(every_core_profile())
ON_PLATFORM = ("platform",)
ratings_st = st.integers(1, 5)

FAST = settings(max_examples=examples(150), deadline=None)


def _raised(profile: Profile, criterion: str) -> Profile:
    data: dict[str, Any] = profile.fields()
    data[criterion] += 1
    return Profile.from_mapping(data, company_id=profile.company_id)


# --- S-rules: the average company ---------------------------------------------------------------
def test_s1_average_startup_is_platform_core_with_distribution_auxiliary(
    framework: Framework,
) -> None:
    """S1: an average start-up gets platform as the core and dropshipping as the auxiliary."""
    rec = recommend(profile_of("startup"), framework)
    assert rec.primary == "platform"
    assert rec.channels == ("platform", "distribution")
    assert rec.scores["independent_site"] < rec.scores["platform"]  # no heavy own-site money


def test_s2_average_growth_runs_platform_and_own_site(framework: Framework) -> None:
    """S2: an average growth company stable on a platform runs the platform + own site dual
    track (a hybrid)."""
    rec = recommend(profile_of("growth", ON_PLATFORM), framework)
    assert rec.primary == "hybrid"
    assert set(rec.channels) == {"platform", "independent_site"}


def test_s3_average_mature_is_hybrid_with_own_site_core(framework: Framework) -> None:
    """S3: an average mature company gets a hybrid matrix, own site as the core, then platform
    and overseas distributors."""
    rec = recommend(profile_of("mature"), framework)
    assert rec.primary == "hybrid"
    assert rec.channels == ("independent_site", "platform", "distribution")


@pytest.mark.parametrize(("stage", "rule"), [("startup", "S1"), ("growth", "S2"),
                                             ("mature", "S3")])
def test_s_rule_is_cited_in_the_rationale(framework: Framework, stage: str, rule: str) -> None:
    """The rationale cites the stage's S-rule by id, and no R-rule for an average company."""
    rules = [r.rule for r in recommend(profile_of(stage), framework).rationale]
    assert rules == ["score", rule]


@FAST
@given(stage=st.sampled_from(STAGES), extra=st.sampled_from([{}, {"team_size": 900},
                                                             {"category": "toys"}]))
def test_average_company_scores_are_the_stage_priors(
    framework: Framework, stage: str, extra: dict[str, Any],
) -> None:
    """Property: a company average on every resource scores exactly the stage priors (S-rules)."""
    profile = Profile.from_mapping({"company": "x", "stage": stage, **dict.fromkeys(RATINGS, 3),
                                    **extra})
    rec = recommend(profile, framework)
    priors = framework.priors[framework.stages.index(stage)]
    assert [rec.scores[m] for m in framework.models] == priors.tolist()


# --- R1: capital ---------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", [p for p in ALL_PROFILES if p.capital == 1],
                         ids=lambda p: f"{p.stage}-{p.supply_chain}{p.brand_content}{p.tech_data}")
def test_r1_very_weak_capital_never_gets_own_site_or_hybrid(
    framework: Framework, profile: Profile,
) -> None:
    """R1 screen: capital 1 -> neither own site nor hybrid is primary, at every stage and for every
    other rating (all 375 x 3 profiles); both rank after the platform."""
    rec = recommend(profile, framework)
    assert rec.primary in ("platform", "distribution")
    for heavy in ("independent_site", "hybrid"):
        assert rec.ranking.index(heavy) > rec.ranking.index("platform")
    assert "R1" in [r.rule for r in rec.rationale]


@pytest.mark.parametrize("stage", STAGES)
def test_r1_weak_capital_moves_toward_platform_and_distribution(
    framework: Framework, stage: str,
) -> None:
    """R1: lowering capital from average raises platform and distribution relative to the own
    site and the hybrid, step by step."""
    recs = [recommend(profile_of(stage, capital=c), framework) for c in (3, 2, 1)]
    for before, after in itertools.pairwise(recs):
        for light in ("platform", "distribution"):
            for heavy in ("independent_site", "hybrid"):
                assert (after.scores[light] - after.scores[heavy]
                        > before.scores[light] - before.scores[heavy])


@FAST
@given(profile=profiles_st)
def test_r1_less_capital_never_moves_away_from_platform_and_distribution(
    framework: Framework, profile: Profile,
) -> None:
    """R1 property: if platform or distribution is primary, it stays so with less capital."""
    if profile.capital == 1:
        return
    data = profile.fields()
    data["capital"] -= 1
    poorer = recommend(Profile.from_mapping(data), framework)
    if recommend(profile, framework).primary in ("platform", "distribution"):
        assert poorer.primary in ("platform", "distribution")


def test_r1_rationale_fires_at_weak_capital(framework: Framework) -> None:
    """R1 is cited from capital 2 (weak) down, once: its text states the screen's effect, which
    fires at the same threshold."""
    for capital in (1, 2):
        rec = recommend(profile_of("growth", ON_PLATFORM, capital=capital), framework)
        assert [r.rule for r in rec.rationale] == ["score", "S2", "R1"]
        assert rec.screens == ("R1",)
    assert recommend(profile_of("growth", ON_PLATFORM, capital=3), framework).screens == ()


# --- R2: supply chain ----------------------------------------------------------------------------
@pytest.mark.parametrize(("stage", "rating"), list(itertools.product(STAGES, (4, 5))))
def test_r2_strong_supply_chain_raises_platform_and_distribution_and_runs_both(
    framework: Framework, stage: str, rating: int,
) -> None:
    """R2: a strong supply chain raises platform and distribution above the stage prior, and the
    plan runs both (volume on the platform, small-B distribution)."""
    average = recommend(profile_of(stage), framework)
    rec = recommend(profile_of(stage, supply_chain=rating), framework)
    assert rec.scores["platform"] > average.scores["platform"]
    assert rec.scores["distribution"] > average.scores["distribution"]
    assert {"platform", "distribution"} <= set(rec.channels)
    assert "R2" in [r.rule for r in rec.rationale]


@pytest.mark.parametrize("profile", [p for p in ALL_PROFILES if p.supply_chain >= 4],
                         ids=lambda p: f"{p.stage}-{p.capital}{p.supply_chain}{p.brand_content}"
                         f"{p.tech_data}")
def test_r2_plan_with_a_platform_or_distribution_runs_both(
    framework: Framework, profile: Profile,
) -> None:
    """R2 across the whole space: whenever the plan runs platform or distribution and the supply
    chain is strong, it runs both."""
    channels = set(recommend(profile, framework).channels)
    if channels & {"platform", "distribution"}:
        assert {"platform", "distribution"} <= channels


# --- R3 / R4: brand and tech ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stage", "criterion", "rating", "rule"),
    [(s, c, v, r) for s in ("growth", "mature") for c, r in (("brand_content", "R3"),
                                                             ("tech_data", "R4"))
     for v in (4, 5)],
)
def test_r3_r4_raise_the_own_site_and_put_it_in_the_plan(
    framework: Framework, stage: str, criterion: str, rating: int, rule: str,
) -> None:
    """R3/R4: strong brand/content or tech/data raises the own site, which the plan then runs at
    growth and mature, and the rationale cites the rule."""
    average = recommend(profile_of(stage, ON_PLATFORM), framework)
    rec = recommend(profile_of(stage, ON_PLATFORM, **{criterion: rating}), framework)
    assert rec.scores["independent_site"] > average.scores["independent_site"]
    assert "independent_site" in rec.channels
    assert rule in [r.rule for r in rec.rationale]


@pytest.mark.parametrize("stage", ["growth", "mature"])
def test_r3_and_r4_together_make_the_own_site_core(framework: Framework, stage: str) -> None:
    """R3 + R4 very strong (with capital to pay for it) put the own site first in the plan."""
    rec = recommend(profile_of(stage, ON_PLATFORM, capital=4, brand_content=5, tech_data=5),
                    framework)
    assert rec.channels[0] == "independent_site"


# --- FRAMEWORK properties over the whole input space (hypothesis) ------------------------------
@FAST
@given(profile=profiles_st, criterion=st.sampled_from(sorted(PROPERTIES)))
def test_monotonicity_properties_hold_everywhere(
    framework: Framework, profile: Profile, criterion: str,
) -> None:
    """Properties: more capital never lowers own site or hybrid; a stronger supply chain never
    lowers platform or distribution; stronger brand or tech never lowers own site (R1-R4), at any
    stage and any other ratings."""
    if getattr(profile, criterion) == 5:
        return
    before = recommend(profile, framework).scores
    after = recommend(_raised(profile, criterion), framework).scores
    for model in PROPERTIES[criterion]:
        assert after[model] >= before[model]


def test_monotonicity_properties_hold_exhaustively(framework: Framework) -> None:
    """The same properties checked on every one of the 1,875 stage x rating profiles."""
    scores = {(p.stage, *p.ratings().values()): recommend(p, framework).scores
              for p in ALL_PROFILES}
    for key, score in scores.items():
        for i, criterion in enumerate(RATINGS, start=1):
            if key[i] == 5:
                continue
            up = scores[(*key[:i], key[i] + 1, *key[i + 1:])]
            for model in PROPERTIES[criterion]:
                assert up[model] >= score[model], (key, criterion, model)


@FAST
@given(profile=profiles_st)
def test_r_rules_move_scores_only_as_far_as_ratings_differ_from_average(
    framework: Framework, profile: Profile,
) -> None:
    """Property: each criterion moves each score by weight x (rating - 3) / 2: nothing at 3."""
    rec = recommend(profile, framework)
    for c, criterion in enumerate(framework.criteria):
        deviation = (getattr(profile, criterion) - 3) / 2
        for m, model in enumerate(framework.models):
            assert rec.contributions[model][criterion] == framework.weights[c, m] * deviation


@FAST
@given(profile=profiles_st)
def test_contributions_sum_to_the_scores(framework: Framework, profile: Profile) -> None:
    """Property: every model's contributions (prior, criteria, screen) add up to its score."""
    rec = recommend(profile, framework)
    for model in framework.models:
        terms = rec.contributions[model]
        assert sum(terms.values()) == pytest.approx(rec.scores[model], abs=1e-9)
        expected = {"stage_prior", *framework.criteria}
        if profile.capital <= 2 and model in ("independent_site", "hybrid"):
            expected.add("screen_R1")  # S1 and S2 screens rank only: they take no points
        assert set(terms) == expected


@FAST
@given(profile=profiles_st)
def test_scores_stay_within_0_100(framework: Framework, profile: Profile) -> None:
    """Property: every score is within 0..100."""
    assert all(0 <= s <= 100 for s in recommend(profile, framework).scores.values())


@FAST
@given(profile=profiles_st)
def test_optional_fields_never_change_the_framework_answer(
    framework: Framework, profile: Profile,
) -> None:
    """Property: the framework scores use the stage and the four ratings only."""
    bare = profile_of(profile.stage, **profile.ratings())
    assert recommend(profile, framework).scores == recommend(bare, framework).scores


@FAST
@given(profile=profiles_st)
def test_ranking_is_deterministic_and_follows_the_tie_rule(
    framework: Framework, profile: Profile,
) -> None:
    """Property: the ranking holds all four models, is the same on every call, puts the primary
    first and then screened models last, orders by score (9 decimals) and breaks exact ties by
    framework order; a primary that is not first by that order won a close call (C2), within a
    point of the model it passed."""
    rec = recommend(profile, framework)
    assert rec.ranking == recommend(profile, framework).ranking
    assert sorted(rec.ranking) == sorted(MODELS)
    screened = {m for s in framework.screens if s["id"] in rec.screens for m in s["models"]}

    def key(model: str) -> tuple[bool, float, int]:
        return (model in screened, -round(rec.scores[model], 9), MODELS.index(model))

    assert rec.primary == rec.ranking[0]
    by_order = sorted(MODELS, key=key)
    assert list(rec.ranking[1:]) == [m for m in by_order if m != rec.primary]
    if by_order[0] != rec.primary:
        assert (rec.primary in screened) == (by_order[0] in screened)
        assert rec.scores[by_order[0]] - rec.scores[rec.primary] <= 1.0


@FAST
@given(profile=profiles_st)
def test_channels_are_base_channels_core_first(framework: Framework, profile: Profile) -> None:
    """Property: channels are distinct base channels; a base-channel primary is its own core."""
    rec = recommend(profile, framework)
    assert set(rec.channels) <= set(BASE_CHANNELS)
    assert len(set(rec.channels)) == len(rec.channels)
    if rec.primary != "hybrid":
        assert rec.channels[0] == rec.primary
    else:
        assert len(rec.channels) >= 2


def test_exact_tie_goes_to_the_model_listed_first(framework: Framework) -> None:
    """Tie rule: demo's distribution and own site both score 48.5; distribution is listed first."""
    rec = recommend(profile_of("growth", supply_chain=4, tech_data=2), framework)
    assert rec.scores["distribution"] == rec.scores["independent_site"] == 48.5
    assert rec.ranking.index("distribution") < rec.ranking.index("independent_site")


# --- the result object ------------------------------------------------------------------------
def test_to_dict_holds_the_json_contract(framework: Framework) -> None:
    """to_dict has the keys of DESIGN.md's JSON contract (plus rationale, checklist, notes)."""
    data = recommend(profile_of("growth"), framework).to_dict()
    assert {"company", "stage", "primary", "channels", "ranking", "scores", "contributions",
            "rationale", "checklist", "notes", "framework_version", "lang"} <= set(data)


def test_runner_up_and_margin(framework: Framework) -> None:
    """runner_up is the second of the ranking; margin the points between it and the primary."""
    rec = recommend(profile_of("growth", ON_PLATFORM), framework)
    assert rec.runner_up == "platform"
    assert rec.margin == pytest.approx(3.0)


@pytest.mark.parametrize(("stage", "notes"), [
    ("startup", {"F1", "F4", "F5"}),
    ("growth", {"F2", "F3", "F5"}),
    ("mature", {"F2", "F3", "F5"}),
])
def test_f_notes_follow_the_plan(framework: Framework, stage: str, notes: set[str]) -> None:
    """F-notes: F1 for start-ups, F2 with an own site, F3 with platform + own site, F4 with
    dropshipping only (not a mature plan's overseas distributors), F5 always."""
    assert set(recommend(profile_of(stage, ON_PLATFORM), framework).notes) == notes


def test_checklist_lists_o_points_of_the_plans_channels(framework: Framework) -> None:
    """The checklist hands over the O-points of each planned channel that has them."""
    rec = recommend(profile_of("growth", ON_PLATFORM), framework)
    assert set(rec.checklist) == {"platform", "independent_site"}
    assert len(rec.checklist["platform"]) == len(rec.checklist["independent_site"]) == 4


def test_chinese_recommendation_has_chinese_text(framework: Framework) -> None:
    """lang='zh' gives the rationale in Chinese; the scores do not change."""
    en = recommend(profile_of("mature"), framework)
    zh = recommend(profile_of("mature"), framework, lang="zh")
    assert zh.scores == en.scores
    assert "成熟期" in zh.rationale[1].text


def test_unknown_language_is_refused(framework: Framework) -> None:
    """Only en and zh are languages of the framework."""
    with pytest.raises(ModelfitError, match=r"lang must be one of en, zh, got 'fr'"):
        recommend(profile_of("growth"), framework, lang="fr")


def test_row_and_matrix_kernels_agree_on_all_profiles(framework: Framework) -> None:
    """recommend's primary equals the vectorised argmax on every one of the 1,875 profiles."""
    from modelfit.decision.scoring import close_call, primary_index, score_matrix

    ratings = np.array([[p.ratings()[c] for c in framework.criteria] for p in ALL_PROFILES], float)
    stages = np.array([framework.stages.index(p.stage) for p in ALL_PROFILES])
    primaries = primary_index(*score_matrix(ratings, stages, framework),
                              close_call(framework, stages, None))
    for profile, index in zip(ALL_PROFILES, primaries, strict=True):
        assert recommend(profile, framework).primary == framework.models[index]
