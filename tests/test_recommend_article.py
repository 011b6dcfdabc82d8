"""The article at every edge: plans and explanations over the whole space of profiles.

Every stage x every 5^4 ratings x every set of channels already running, or none said
(3 x 625 x 9 = 16,875 profiles) is recommended once; each test checks one of the article's rules
(or a rule of the company as it is, C1-C4) on all of them, by id.
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
CHANNEL_SETS: list[tuple[str, ...] | None] = [
    tuple(c) for n in range(len(BASE_CHANNELS) + 1)
    for c in itertools.combinations(BASE_CHANNELS, n)]
CHANNEL_SETS.append(None)  # the profile does not say


def _profile(stage: str, ratings: tuple[int, ...], existing: tuple[str, ...] | None) -> Profile:
    channels = {} if existing is None else {"existing_channels": list(existing)}
    return Profile.from_mapping({"company": "Space Co", "stage": stage,
                                 **dict(zip(RATINGS, ratings, strict=True)), **channels},
                                company_id="space")


def _ready(profile: Profile) -> bool:
    """C3 (docs/framework.md): the own site may lead when neither brand/content nor tech/data is
    weak, or one is strong and capital is strong too."""
    b, t = profile.brand_content, profile.tech_data
    return (b >= 3 and t >= 3) or (max(b, t) >= 4 and profile.capital >= 4)


def _in_use(rec: Recommendation) -> list[str]:
    return [d.channel for d in rec.channel_details if d.role in ("core", "auxiliary")]


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
    light test (a plan note says so); without them, no own site at all unless one already runs
    (C1), and then never as the core."""
    for profile, rec in space:
        if profile.stage != "startup":
            continue
        strong = profile.brand_content >= 4 or profile.tech_data >= 4
        runs = "independent_site" in profile.running and rec.channel_details[-1].role != "wind_down"
        assert ("independent_site" in rec.channels) == (strong or runs), profile
        if strong:
            assert rec.kind("independent_site") is None
            key = ("plan_note.keep_site_light" if "independent_site" in profile.running
                   else "plan_note.test_site")
            assert key in [n.key for n in rec.plan_notes]


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
    """S2 (在平台站稳脚跟后): a growth company that says it runs neither a platform store nor an
    own site gets the platform as its core, no own site yet, the own site as the next step with
    its trigger, and a plan note saying so; a company that runs either never gets this."""
    for profile, rec in space:
        if profile.stage != "growth":
            continue
        runs = set(profile.running)
        first = profile.channels_known and not runs & {"platform", "independent_site"}
        assert ("S2" in rec.screens) == first, profile
        if not first:
            continue
        assert rec.core == "platform", profile
        assert "independent_site" not in rec.channels
        assert [n.key for n in rec.plan_notes] == ["plan_note.S2_next"]
        assert _lines(rec, "S2")[0].key == "stage_variant.S2_precondition"
        (nxt,) = [d for d in rec.channel_details if d.role == "next_step"]
        assert nxt.channel == "independent_site"
        assert "S2" in nxt.rules
        assert nxt.reason


def test_s2_an_average_growth_company_that_says_nothing_gets_the_dual_track(
    framework: Framework,
) -> None:
    """Absent existing_channels means not known: the article's headline answer for an average
    growth company (平台+独立站双轨制), with the precondition stated as a plan note."""
    rec = recommend(_profile("growth", (3, 3, 3, 3), None), framework)
    assert rec.primary == "hybrid"
    assert rec.channels == ("platform", "independent_site")
    assert [n.key for n in rec.plan_notes] == ["plan_note.S2_assumed"]
    assert "if none runs yet, start there" in rec.plan_notes[0].text


def test_s2_a_brand_selling_through_its_own_site_keeps_it_and_adds_the_platform(
    framework: Framework,
) -> None:
    """A DTC-native growth brand (own site only; capital 4, brand 5, tech 5) keeps its own site
    at the core and adds a platform store: the dual track, not a marketplace store alone."""
    rec = recommend(_profile("growth", (4, 3, 5, 5), ("independent_site",)), framework)
    assert rec.primary == "hybrid"
    assert rec.channels == ("independent_site", "platform")
    assert _lines(rec, "S2")[0].key == "stage_variant.S2_site_first"
    assert rec.rationale[0].key == "summary_close_stage"  # 75.5 against 75: the close call
    assert rec.held_by == ("C2",)


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
    """S3 (独立站成为品牌核心): every mature hybrid of a company ready to run an own site (C3) has
    the own site as its core; one that is not has the platform at the core and says so (C3); both
    keep the platform as a sales channel and overseas distributors and explore emerging local
    platforms."""
    seen = {True: 0, False: 0}
    for profile, rec in space:
        if profile.stage == "mature" and rec.primary == "hybrid":
            seen[_ready(profile)] += 1
            if _ready(profile):
                assert rec.channels[0] == "independent_site", profile
            else:
                assert rec.channels[0] == "platform", profile
                assert _lines(rec, "S3")[0].key == "stage_variant.S3_platform_core"
                assert _lines(rec, "C3"), profile
            assert "platform" in rec.channels
            assert rec.kind() == "distributors"
            assert "plan_note.S3_local" in [n.key for n in rec.plan_notes]
    assert seen[True] > 0
    assert seen[False] > 0


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
        assert s3.by == ("R1", "C4")  # weak capital, and neither brand nor tech to run a site
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
    """channel_details has one entry per channel in use, in order, then the next step and the
    channels that wind down; a distribution entry in use names its kind (dropshipping, small_b,
    distributors), other channels none; the core is the only core."""
    for _, rec in space:
        assert _in_use(rec) == list(rec.channels)
        roles = [d.role for d in rec.channel_details]
        assert roles[:len(rec.channels)] == ["core"] + ["auxiliary"] * (len(rec.channels) - 1)
        assert set(roles[len(rec.channels):]) <= {"next_step", "wind_down"}
        for d in rec.channel_details:
            if d.channel == "distribution" and d.role in ("core", "auxiliary"):
                assert d.kind in ("dropshipping", "small_b", "distributors")
            else:
                assert d.kind is None


# --- C1: what already runs takes part --------------------------------------------------------------
def test_c1_a_running_channel_is_never_silently_dropped(space: list[Any]) -> None:
    """Every channel a company runs stays in the plan, or is listed with role wind_down and a
    reason naming the rules and the company's figures; only R1 with no capability to run an own
    site winds one down."""
    for profile, rec in space:
        roles = {d.channel: d for d in rec.channel_details}
        for channel in profile.running:
            assert channel in roles, profile
            detail = roles[channel]
            if detail.role == "wind_down":
                assert channel == "independent_site", profile
                assert profile.capital <= 2, profile
                assert profile.brand_content <= 2
                assert profile.tech_data <= 2
                assert f"capital at {profile.capital}/5" in (detail.reason or "")
                assert [ln.key for ln in rec.rationale].count("situation.line_wind_down") == 1
            else:
                assert detail.role in ("core", "auxiliary"), profile


def test_c2_a_close_call_never_drops_a_running_channel_and_keeps_the_dual_track(
    space: list[Any],
) -> None:
    """A tie or a lead under a point never resolves to a plan that drops a running channel, and
    a growth company running both a platform store and an own site whose hybrid scores within a
    point of the best gets the hybrid."""
    for profile, rec in space:
        if rec.rationale[0].key in ("summary_tie", "summary_close_keep", "summary_close_stage"):
            # only R1's wind-down rule (no capital and no capability) takes a channel out
            for d in rec.channel_details:
                if d.role == "wind_down":
                    assert "R1" in d.rules, profile
                    assert profile.capital <= 2, profile
        both = {"platform", "independent_site"} <= set(profile.running)
        if (profile.stage == "growth" and both and not rec.screens
                and rec.scores["hybrid"] >= max(rec.scores.values()) - 1):
            assert rec.primary == "hybrid", profile


def test_roles_are_the_four_of_the_contract(space: list[Any]) -> None:
    """channel_details[].role is one of core, auxiliary, next_step, wind_down; a next step and a
    wind-down carry a reason."""
    for _, rec in space:
        for d in rec.channel_details:
            assert d.role in ("core", "auxiliary", "next_step", "wind_down")
            if d.role in ("next_step", "wind_down"):
                assert d.reason
                assert d.rules


# --- C3/C4: the own site as the core needs the capabilities ------------------------------------
def test_c3_the_own_site_is_the_core_only_for_a_company_ready_to_run_it(space: list[Any]) -> None:
    """独立站模式对企业的综合能力要求极高: the own site (alone, or a hybrid's core) is never the
    core of a company weak on brand/content or tech/data unless the other is strong and capital
    is strong too; never for one weak on both."""
    for profile, rec in space:
        if rec.core == "independent_site":
            assert _ready(profile), profile
        if profile.brand_content <= 2 and profile.tech_data <= 2:
            assert rec.core != "independent_site"
            assert rec.primary != "independent_site"


def test_c4_weak_on_both_the_own_site_is_a_next_step_with_its_trigger(space: list[Any]) -> None:
    """A company weak on both brand/content and tech/data and running no own site (or not
    saying) gets the own site as a next step, its trigger the capability, never a plan with it."""
    for profile, rec in space:
        if not (profile.brand_content <= 2 and profile.tech_data <= 2):
            continue
        if "independent_site" in profile.running:
            continue
        assert "independent_site" not in rec.channels, profile
        (nxt,) = [d for d in rec.channel_details if d.role == "next_step"]
        assert "C4" in nxt.rules
        assert "3 of 5" in (nxt.reason or "")


# --- R1 means light --------------------------------------------------------------------------------
def test_r1_every_distribution_channel_is_dropshipping(space: list[Any]) -> None:
    """R1 (优先选择平台模式或一件代发): at capital 2 or less, at any stage, every distribution
    channel in the plan is dropshipping: no small-B wholesale or overseas distributors, which
    need stock, credit terms and per-partner set-up."""
    for profile, rec in space:
        if profile.capital <= 2:
            for d in rec.channel_details:
                if d.channel == "distribution" and d.role in ("core", "auxiliary"):
                    assert d.kind == "dropshipping", profile


# --- explanations never call a weakness an advantage ---------------------------------------------
def test_a_weak_rating_is_never_cited_as_an_advantage(space: list[Any]) -> None:
    """Only ratings of 4-5 are strengths: a line citing a rating of 1 or 2 for a lead says it is a
    weakness that helped a lighter plan, in those words."""
    for profile, rec in space:
        for line in rec.rationale:
            assert not re.search(r" at [12]/5 \([+-]", line.text), (profile, line.text)
            for rating in re.findall(r"a weakness in [^(]+\(([0-9])/5\)", line.text):
                assert int(rating) <= 2


def test_held_by_names_the_rules_that_beat_the_scores(space: list[Any]) -> None:
    """held_by is empty exactly when no model scores more than the primary before screens;
    otherwise it names screens that fired (or the close call, C2)."""
    for profile, rec in space:
        raw = {m: rec.scores[m] + sum(-v for k, v in rec.contributions[m].items()
                                      if k.startswith("screen_")) for m in rec.scores}
        beaten = any(round(raw[m], 9) > round(raw[rec.primary], 9) for m in raw)
        assert bool(rec.held_by) == beaten, profile
        assert set(rec.held_by) <= set(rec.screens) | {"C2"}, profile


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
            expected = ("dropshipping" if profile.capital <= 2  # R1 means light
                        else "distributors" if profile.stage == "mature" else "small_b")
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
               "R1": ("capital",), "R2": ("supply chain",), "C1": ("already",),
               "C2": ("within a point",), "C3": ("brand/content",), "C4": ("both weak",)}


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
        "stage_variant.S2_site_first": rec.primary == "hybrid"
        and {"platform", "independent_site"} <= set(channels)
        and "independent_site" in profile.running,
        "stage_rule.S3": rec.primary == "hybrid" and core == "independent_site"
        and "platform" in channels and kind == "distributors",
        "stage_variant.S3_platform_core": rec.primary == "hybrid" and core == "platform"
        and kind == "distributors",
        "stage_variant.held": rec.primary != framework.stage_defaults[profile.stage],
        "stage_variant.outweighed": rec.primary != framework.stage_defaults[profile.stage],
        "rule.R1": rec.primary in LIGHT and "independent_site" not in channels,
        "rule_variant.R1_test": rec.primary in LIGHT and "independent_site" in channels[1:]
        and "independent_site" not in profile.running,
        "rule_variant.R1_keep": rec.primary in LIGHT and "independent_site" in channels[1:]
        and "independent_site" in profile.running,
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
        "summary_close_keep": "C2" in rec.held_by or rec.primary == rec.ranking[0],
        "summary_close_stage": "C2" in rec.held_by or rec.primary == rec.ranking[0],
        "situation.line_C1": any("C1" in d.rules and d.role == "auxiliary"
                                 for d in rec.channel_details),
        "situation.line_wind_down": any(d.role == "wind_down" for d in rec.channel_details),
        "situation.line_C3": "C3" in rec.screens and core != "independent_site",
        "situation.line_C4": "C4" in rec.screens and "independent_site" not in channels,
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
    """S2 outweighed (supply chain 5, tech 2, on a platform): the line names the rules whose
    points won, with their signs; the weak tech rating is a weakness that helped the lighter
    platform, not an advantage."""
    rec = recommend(_profile("growth", (3, 5, 3, 2), ("platform",)), framework)
    (s2,) = _lines(rec, "S2")
    assert s2.status == "outweighed"
    assert s2.by == ("R2", "R4")
    assert "Supply chain and product advantage at 5/5 (+5 points)" in s2.text
    assert ("a weakness in Technology and data operations (2/5), which costs the heavier plan "
            "more and so helps a lighter one (+1.5 points)") in s2.text


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
        {"channel": "independent_site", "role": "core", "kind": None, "reason": None,
         "rules": []},
        {"channel": "platform", "role": "auxiliary", "kind": None, "reason": None, "rules": []},
        {"channel": "distribution", "role": "auxiliary", "kind": "distributors",
         "reason": None, "rules": []},
    ]
    assert [n["rule"] for n in data["plan_notes"]] == ["S3"]
    yaml.safe_dump(data)  # plain types only
