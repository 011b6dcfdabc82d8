"""The article at every edge: plans and explanations over the whole space of profiles.

Every stage x every 5^4 ratings x every set of channels already running (3 x 625 x 8 = 15,000
profiles) is recommended once; each test checks one of the article's rules on all of them, by id.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
import yaml

from modelfit import Framework, FrameworkError, Profile, recommend
from modelfit.core.vocab import BASE_CHANNELS, RATINGS, STAGES
from modelfit.decision.recommend import Recommendation

from .conftest import profile_of

LIGHT = {"platform", "distribution"}
CHANNEL_SETS = [tuple(c) for n in range(len(BASE_CHANNELS) + 1)
                for c in itertools.combinations(BASE_CHANNELS, n)]


def _profile(stage: str, ratings: tuple[int, ...], existing: tuple[str, ...]) -> Profile:
    return Profile.from_mapping({"company": "Space Co", "stage": stage,
                                 **dict(zip(RATINGS, ratings, strict=True)),
                                 "existing_channels": list(existing)}, company_id="space")


@pytest.fixture(scope="module")
def space(framework: Framework) -> list[tuple[Profile, Recommendation]]:
    """Every profile the framework can tell apart, with its English recommendation."""
    out = []
    for stage in STAGES:
        for ratings in itertools.product(range(1, 6), repeat=len(RATINGS)):
            for existing in CHANNEL_SETS:
                profile = _profile(stage, ratings, existing)
                out.append((profile, recommend(profile, framework)))
    return out


def _lines(rec: Recommendation, rule: str) -> list[Any]:
    return [r for r in rec.rationale if r.rule == rule]


def _fired(framework: Framework, rule: str, profile: Profile) -> bool:
    trig = framework.rule_triggers[rule]
    value = profile.ratings()[trig["criterion"]]
    return bool(trig.get("min_rating", 1) <= value <= trig.get("max_rating", 5))


# --- S1 ------------------------------------------------------------------------------------------
def test_s1_a_start_ups_core_is_always_the_platform(space: list[Any]) -> None:
    """S1 (平台模式为主,一件代发为辅): every start-up's primary and core is the platform, with
    distribution beside it, and the own site never leads, whatever its ratings."""
    for profile, rec in space:
        if profile.stage == "startup":
            assert rec.primary == "platform", profile
            assert rec.core == "platform", profile
            assert "distribution" in rec.channels
            assert rec.channel_details[0].role == "core"


def test_s1_strong_brand_or_tech_adds_a_light_own_site_test(space: list[Any]) -> None:
    """S1 with R3/R4: a start-up strong on brand or tech gets the own site as an auxiliary
    light test (a plan note says so); without them, no own site at all."""
    for profile, rec in space:
        if profile.stage != "startup":
            continue
        strong = profile.brand_content >= 4 or profile.tech_data >= 4
        assert ("independent_site" in rec.channels) == strong, profile
        if strong:
            assert rec.kind("independent_site") is None
            assert "plan_note.test_site" in [n.key for n in rec.plan_notes]


def test_s1_weak_start_up_archetype_gets_platform_core_and_dropshipping(
    framework: Framework,
) -> None:
    """The article's archetype, a start-up weak on capital and most else, gets the platform as
    its core and dropshipping as the auxiliary channel (R1 does not overturn S1), with F4."""
    rec = recommend(profile_of("startup", capital=1, supply_chain=2, brand_content=1,
                               tech_data=1), framework)
    assert rec.channels == ("platform", "distribution")
    assert rec.kind() == "dropshipping"
    assert "F4" in rec.notes


# --- S2 ------------------------------------------------------------------------------------------
def test_s2_precondition_without_a_platform_the_platform_comes_first(space: list[Any]) -> None:
    """S2 (在平台站稳脚跟后): a growth company with no platform running gets the platform as its
    core, no own site yet, and a plan note naming the own site as the next step and its trigger."""
    for profile, rec in space:
        if profile.stage != "growth" or "platform" in profile.existing_channels:
            continue
        assert rec.core == "platform", profile
        assert "independent_site" not in rec.channels
        assert [n.key for n in rec.plan_notes] == ["plan_note.S2_next"]
        assert _lines(rec, "S2")[0].key == "stage_variant.S2_precondition"


def test_s2_existing_channels_take_part_in_the_answer(framework: Framework) -> None:
    """existing_channels counts: an average growth company on a platform already runs the
    platform + own site dual track; the same company with no platform starts on the platform."""
    on_platform = recommend(_profile("growth", (3, 3, 3, 3), ("platform",)), framework)
    none_yet = recommend(_profile("growth", (3, 3, 3, 3), ()), framework)
    assert on_platform.primary == "hybrid"
    assert set(on_platform.channels) == {"platform", "independent_site"}
    assert none_yet.channels == ("platform",)
    assert none_yet.plan_notes[0].text.startswith("Next step:")


# --- S3 ------------------------------------------------------------------------------------------
def test_s3_a_mature_hybrid_has_the_own_site_as_its_core(space: list[Any]) -> None:
    """S3 (独立站成为品牌核心): every mature hybrid has the own site as its core, the platform as a
    sales channel and overseas distributors, and its plan explores emerging local platforms."""
    seen = 0
    for profile, rec in space:
        if profile.stage == "mature" and rec.primary == "hybrid":
            seen += 1
            assert rec.channels[0] == "independent_site", profile
            assert "platform" in rec.channels
            assert rec.kind() == "distributors"
            assert "plan_note.S3_local" in [n.key for n in rec.plan_notes]
    assert seen > 0


def test_s3_local_platforms_are_in_the_mature_text(framework: Framework) -> None:
    """S3's "探索新兴市场本土平台" is in the S3 text in both languages."""
    assert "local platforms" in framework.text("stage_rule.S3", "en")
    assert "新兴市场本土平台" in framework.text("stage_rule.S3", "zh")


def test_s3_mature_weak_on_everything_is_not_told_the_hybrid_matrix(
    framework: Framework,
) -> None:
    """A mature company weak on everything gets a light core, and its S3 line says the hybrid
    matrix waits because of R1; from capital 1 to 2 the answer does not jump to the hybrid."""
    for capital in (1, 2):
        rec = recommend(profile_of("mature", capital=capital, supply_chain=1, brand_content=1,
                                   tech_data=1), framework)
        assert rec.primary in LIGHT
        (s3,) = _lines(rec, "S3")
        assert s3.status == "outweighed"
        assert s3.by == ("R1",)
        assert s3.key == "stage_variant.held"


# --- R1 ------------------------------------------------------------------------------------------
def test_r1_one_threshold_for_text_and_effect(space: list[Any], framework: Framework) -> None:
    """R1 (资金实力薄弱): whenever its text is shown, at any stage, the core is the platform or
    dropshipping and the own site at most an auxiliary; when it is not shown, its screen does not
    fire either."""
    for profile, rec in space:
        shown = bool(_lines(rec, "R1"))
        assert shown == _fired(framework, "R1", profile) == ("R1" in rec.screens), profile
        if shown:
            assert rec.primary in LIGHT
            assert rec.core == "platform" or (rec.core == "distribution"
                                              and rec.kind() == "dropshipping")
            assert rec.core != "independent_site"


def test_r1_screen_and_text_thresholds_must_agree(edited_framework: Any) -> None:
    """The loader refuses a framework whose R1 screen fires at another threshold than its text."""

    def edit(data: dict[str, Any]) -> None:
        data["screens"][0]["max_rating"] = 1

    with pytest.raises(FrameworkError, match=r"screens R1 fires at capital <= 1 but "
                       r"rule_triggers\.R1 at capital <= 2; a rule has one threshold"):
        Framework.load(edited_framework(edit))


# --- R2 and the kinds of distribution -----------------------------------------------------------
def test_distribution_comes_in_the_articles_kinds(space: list[Any]) -> None:
    """channel_details has one entry per channel, in order; a distribution entry names its kind
    (dropshipping, small_b, distributors), other channels none; the core is the only core."""
    for _, rec in space:
        assert [d.channel for d in rec.channel_details] == list(rec.channels)
        assert [d.role for d in rec.channel_details] == ["core"] + ["auxiliary"] * (
            len(rec.channels) - 1)
        for d in rec.channel_details:
            if d.channel == "distribution":
                assert d.kind in ("dropshipping", "small_b", "distributors")
            else:
                assert d.kind is None


def test_f4_attaches_only_to_plans_that_use_dropshipping(space: list[Any]) -> None:
    """F4 (一件代发还可行吗) attaches exactly when the plan uses dropshipping, never to small-B
    (R2) or overseas-distributor (S3) plans."""
    for _, rec in space:
        assert ("F4" in rec.notes) == (rec.kind() == "dropshipping"), rec.channel_details


def test_r2_strong_supply_chain_sells_to_small_b_buyers(space: list[Any]) -> None:
    """R2 (小B端分销): with a strong supply chain, a plan that runs distribution as an auxiliary
    channel below maturity sells to small-B buyers; mature plans use overseas distributors."""
    for profile, rec in space:
        if profile.supply_chain >= 4 and "distribution" in rec.channels[1:]:
            expected = "distributors" if profile.stage == "mature" else "small_b"
            assert rec.kind() == expected, profile


# --- R3 / R4 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ["R3", "R4"])
def test_r3_r4_own_site_in_the_plan_or_the_rule_that_kept_it_out(
    space: list[Any], rule: str,
) -> None:
    """R3/R4 (重点发展独立站): whenever the rule's text is shown, the own site is in the plan, or
    the line says which rule kept it out (S2's precondition) and a plan note names the next step."""
    for profile, rec in space:
        for line in _lines(rec, rule):
            if "independent_site" in rec.channels:
                assert line.status in ("supports", "adjusted"), profile
            else:
                assert line.status == "kept_out", profile
                assert line.by == ("S2",), profile
                assert "once the platform store is stable" in line.text
                assert "plan_note.S2_next" in [n.key for n in rec.plan_notes]


# --- explanations never contradict the plan -----------------------------------------------------
# How a line names, in words, a rule that adjusted or outweighed it (rule ids are kept out of
# client sentences, docs/style-zh.md): a screen by its reason, an R-rule by its criterion, an
# S-rule by its stage.
_RULE_WORDS = {"S1": ("start-up",), "S2": ("platform store",), "S3": ("mature",),
               "R1": ("capital",), "R2": ("supply chain",)}


def _names(rule: str, text: str, framework: Framework) -> bool:
    if rule == "tie":
        return True
    words = list(_RULE_WORDS.get(rule, ()))
    words += [framework.criterion_name(c, "en").lower() for c in framework.criteria
              if framework.criterion_rule(c) == rule]
    return any(w in text.lower() for w in words)


def _check_line(line: Any, profile: Profile, rec: Recommendation, framework: Framework) -> None:
    """What each framework text claims about the plan, checked against the plan."""
    channels, core, kind = rec.channels, rec.core, rec.kind()
    claims: dict[str, bool] = {
        "stage_rule.S1": core == "platform" and kind == "dropshipping"
        and core != "independent_site",
        "stage_variant.S1_small_b": core == "platform" and kind == "small_b",
        "stage_rule.S2": rec.primary == "hybrid"
        and {"platform", "independent_site"} <= set(channels),
        "stage_variant.S2_precondition": core == "platform"
        and "independent_site" not in channels,
        "stage_rule.S3": rec.primary == "hybrid" and core == "independent_site"
        and "platform" in channels and kind == "distributors",
        "stage_variant.held": rec.primary != framework.stage_defaults[profile.stage],
        "stage_variant.outweighed": rec.primary != framework.stage_defaults[profile.stage],
        "rule.R1": rec.primary in LIGHT and "independent_site" not in channels,
        "rule_variant.R1_test": rec.primary in LIGHT and "independent_site" in channels[1:],
        "rule.R2": {"platform", "distribution"} <= set(channels) and kind == "small_b",
        "rule_variant.R2_distributors": "platform" in channels and kind == "distributors",
        "rule_variant.R2_dropshipping": "platform" in channels and kind == "dropshipping"
        and "R1" in rec.screens,
        "rule_variant.R2_outweighed": "platform" not in channels,
        "rule.R3": "independent_site" in channels,
        "rule.R4": "independent_site" in channels,
        "rule_variant.R3_test": "independent_site" in channels[1:],
        "rule_variant.R4_test": "independent_site" in channels[1:],
        "rule_variant.R3_later": "independent_site" not in channels,
        "rule_variant.R4_later": "independent_site" not in channels,
        "summary": rec.primary == rec.ranking[0],
        "summary_tie": rec.primary == rec.ranking[0],
        "summary_screened": bool(rec.screens),
    }
    assert line.key in claims, line.key
    assert claims[line.key], (profile, line)
    if line.status != "supports":
        assert line.by, line
        for rule in line.by:
            assert _names(rule, line.text, framework), line
    else:
        assert not line.by


def test_every_rationale_line_agrees_with_the_plan(
    space: list[Any], framework: Framework,
) -> None:
    """Every line of every rationale in the space either supports the plan or says which rule
    adjusted or outweighed it (named in the text, with the points); the stage rule is always
    cited, and each R-rule whose trigger holds is cited once."""
    for profile, rec in space:
        assert rec.rationale[0].rule == "score"
        assert rec.rationale[1].rule == framework.stage_rule(profile.stage)
        for rule in framework.rule_triggers:
            assert len(_lines(rec, rule)) == int(_fired(framework, rule, profile))
        for line in rec.rationale:
            _check_line(line, profile, rec, framework)


def test_an_outweighed_stage_rule_names_the_winning_points(framework: Framework) -> None:
    """S2 outweighed (demo-like): the line names the rules whose points won, with their signs."""
    rec = recommend(_profile("growth", (3, 4, 3, 2), ("platform",)), framework)
    (s2,) = _lines(rec, "S2")
    assert s2.status == "outweighed"
    assert s2.by == ("R2", "R4")
    assert "Supply chain and product advantage at 4/5 (+2.5 points)" in s2.text
    assert "Technology and data operations at 2/5 (+1.5 points)" in s2.text


def test_a_tie_says_how_it_was_broken(space: list[Any], framework: Framework) -> None:
    """When the primary ties with an unscreened runner-up, the summary says the tie went to the
    lighter plan by the framework's order."""
    ties = [rec for _, rec in space if rec.rationale[0].key == "summary_tie"]
    assert ties
    for rec in ties:
        assert rec.scores[rec.primary] == pytest.approx(rec.scores[rec.ranking[1]])
        assert "the tie goes to" in rec.rationale[0].text


def test_a_screened_leader_is_named_in_the_summary(framework: Framework) -> None:
    """When a screened model scores more than the primary, the summary says so and names the
    screen (pebble: distribution scores more, S1 keeps the platform as the core)."""
    rec = recommend(profile_of("startup", capital=1, supply_chain=4, brand_content=1,
                               tech_data=1), framework)
    assert rec.rationale[0].key == "summary_screened"
    assert rec.rationale[0].by == ("S1",)
    assert re.search(r"Distribution scores more \(66\.5\)", rec.rationale[0].text)


def test_channel_details_in_json_follow_channels(framework: Framework) -> None:
    """to_dict keeps channels (base ids) and adds channel_details {channel, role, kind} in the
    same order, plus plan_notes."""
    data = recommend(profile_of("mature"), framework).to_dict()
    assert data["channels"] == ["independent_site", "platform", "distribution"]
    assert data["channel_details"] == [
        {"channel": "independent_site", "role": "core", "kind": None},
        {"channel": "platform", "role": "auxiliary", "kind": None},
        {"channel": "distribution", "role": "auxiliary", "kind": "distributors"},
    ]
    assert [n["rule"] for n in data["plan_notes"]] == ["S3"]
    yaml.safe_dump(data)  # plain types only
