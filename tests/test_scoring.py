"""Scoring: the kernels, hand-checked numbers, and `score_profiles` equal to `recommend` per row."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from modelfit import Framework, ModelfitError, recommend, score_profiles
from modelfit.core.vocab import RATINGS, STAGES
from modelfit.decision.features import to_deviations, to_features
from modelfit.decision.scoring import channel_rows, check_rows

from .conftest import MODELS, examples, profile_of

EditFramework = Callable[[Callable[[dict[str, Any]], None]], Path]


def random_frame(n: int, seed: int) -> pd.DataFrame:
    """n random profiles over the whole space, with optional columns and a shuffled index."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "company": [f"c{i}" for i in range(n)],
            "stage": rng.choice(STAGES, n),
            **{name: rng.integers(1, 6, n) for name in RATINGS},
            "gross_margin_pct": rng.uniform(0, 95, n),
            "category": rng.choice(["home", "pet", "toys"], n),
        },
        index=rng.permutation(n) + 1000,
    )


@pytest.mark.parametrize(
    ("rating", "feature", "deviation"),
    [(1, 0.0, -1.0), (2, 0.25, -0.5), (3, 0.5, 0.0), (4, 0.75, 0.5), (5, 1.0, 1.0)],
)
def test_ratings_map_to_features_and_deviations(
    rating: int, feature: float, deviation: float,
) -> None:
    """feature = (rating - 1) / 4 in 0..1; deviation = 2 * feature - 1 in -1..1 (3 -> 0)."""
    assert to_features(np.array([rating]))[0] == feature
    assert to_deviations(np.array([rating]))[0] == deviation


@pytest.mark.parametrize(("profile_id", "expected"), [
    # Hand-computed: prior + sum weight * (rating - 3) / 2 - screen, bundled framework 1.0.0.
    ("demo", {"platform": 58.0, "distribution": 48.5, "independent_site": 48.5, "hybrid": 57.0}),
    ("pebble", {"platform": 61.5, "distribution": 66.5, "independent_site": 3.0, "hybrid": 12.0}),
    ("atlas", {"platform": 56.5, "distribution": 38.5, "independent_site": 71.0, "hybrid": 79.0}),
])
def test_scores_match_hand_computed_numbers(profile_id: str, expected: dict[str, float]) -> None:
    """Example profiles score as computed by hand from the formula and the bundled weights."""
    from modelfit import load_profile

    from .conftest import PARAMS

    rec = recommend(load_profile(PARAMS / f"{profile_id}.yaml"))
    assert rec.scores == pytest.approx(expected, abs=1e-12)


def test_weighted_sum_reference_numbers_and_tie(edited_framework: EditFramework) -> None:
    """Triantaphyllou's WSM example (via Wikipedia "Weighted sum model"): A1 21.5, A2 22, A3 22.

    Encoded as weights w_c * a_mc on a company rated 5 everywhere (deviation +1) on top of a
    prior of 50. A2 and A3 tie exactly; the tie goes to the model listed first (distribution).
    """
    w = [0.20, 0.15, 0.40, 0.25]
    alternatives = {"platform": [25, 20, 15, 30], "distribution": [10, 30, 20, 30],
                    "independent_site": [30, 10, 30, 10], "hybrid": [0, 0, 0, 0]}
    criteria = ["capital", "supply_chain", "brand_content", "tech_data"]

    def edit(data: dict[str, Any]) -> None:
        data["weights"] = {c: {m: w[i] * a[i] for m, a in alternatives.items()}
                           for i, c in enumerate(criteria)}
        data["stage_priors"] = {s: dict.fromkeys(MODELS, 50) for s in STAGES}

        data["situation"]["close_call"]["margin"] = 0  # the plain weighted sum: no close call

    fw = Framework.load(edited_framework(edit))
    df = pd.DataFrame({"stage": ["growth"], **{c: [5] for c in criteria},
                       "existing_channels": [["platform"]]})  # S2's precondition holds
    out = score_profiles(df, fw)
    assert out.loc[0, list(MODELS)].tolist() == pytest.approx([71.5, 72.0, 72.0, 50.0])
    assert out.loc[0, "primary"] == "distribution"
    rec = recommend(profile_of("growth", ("platform",), **dict.fromkeys(criteria, 5)), fw)
    assert rec.ranking == ("distribution", "independent_site", "platform", "hybrid")


def test_score_profiles_equals_recommend_row_by_row(framework: Framework) -> None:
    """score_profiles(df) is identical (==, not approx) to recommend on each of 3,000 rows."""
    df = random_frame(3000, seed=20240601)
    out = score_profiles(df, framework)
    assert list(out.index) == list(df.index)
    for index, row in df.iterrows():
        rec = recommend(profile_of(row["stage"], **{r: int(row[r]) for r in RATINGS}), framework)
        assert [rec.scores[m] for m in framework.models] == out.loc[index, list(MODELS)].tolist()
        assert rec.primary == out.loc[index, "primary"]


def test_score_profiles_output_columns(framework: Framework) -> None:
    """One score column per model, in framework order, then `primary`; other columns dropped."""
    out = score_profiles(random_frame(5, seed=1), framework)
    assert list(out.columns) == [*MODELS, "primary"]


def test_score_profiles_of_an_empty_frame_is_empty(framework: Framework) -> None:
    """Zero rows in, zero rows out, with the same columns."""
    df = pd.DataFrame({"stage": pd.Series([], dtype=object),
                       **{r: pd.Series([], dtype=int) for r in RATINGS}})
    out = score_profiles(df, framework)
    assert len(out) == 0
    assert list(out.columns) == [*MODELS, "primary"]


def test_score_profiles_uses_the_bundled_framework_by_default() -> None:
    """Without a framework argument the bundled one is used."""
    df = pd.DataFrame({"stage": ["mature"], **{r: [3] for r in RATINGS}})
    assert score_profiles(df).loc[0, "primary"] == "hybrid"


def test_score_profiles_accepts_float_and_nullable_ratings(framework: Framework) -> None:
    """Whole-number floats and pandas nullable integers score like plain integers."""
    base = pd.DataFrame({"stage": ["growth"], **{r: [4] for r in RATINGS}})
    floats = base.astype(dict.fromkeys(RATINGS, float))
    nullable = base.astype(dict.fromkeys(RATINGS, "Int64"))
    expected = score_profiles(base, framework)
    pd.testing.assert_frame_equal(score_profiles(floats, framework), expected)
    pd.testing.assert_frame_equal(score_profiles(nullable, framework), expected)


def _frame(**changes: list[Any]) -> pd.DataFrame:
    data: dict[str, list[Any]] = {"stage": ["growth"], **{r: [3] for r in RATINGS}}
    data.update(changes)
    return pd.DataFrame(data)


@pytest.mark.parametrize(
    ("df", "message"),
    [
        pytest.param(_frame().drop(columns=["capital", "stage"]),
                     r"score_profiles: missing column\(s\) stage, capital; needs stage, capital, "
                     r"supply_chain, brand_content, tech_data", id="missing-columns"),
        pytest.param(_frame(stage=["scaleup"]), r"score_profiles: column stage must be one of "
                     r"startup, growth, mature; got row 0: 'scaleup'", id="bad-stage"),
        pytest.param(_frame(stage=[None]), r"column stage must be one of .*; got row 0: None",
                     id="missing-stage"),
        pytest.param(_frame(capital=[6]), r"column capital must be an integer from 1 to 5; got "
                     r"row 0: np\.int64\(6\)|column capital must be an integer from 1 to 5; got "
                     r"row 0: 6", id="rating-6"),
        pytest.param(_frame(tech_data=[2.5]), r"column tech_data must be an integer from 1 to 5; "
                     r"got row 0: .*2\.5", id="fraction"),
        pytest.param(_frame(supply_chain=[float("nan")]), r"column supply_chain must be an integer "
                     r"from 1 to 5; got row 0: .*nan", id="nan"),
        pytest.param(_frame(capital=["3"]), r"column capital must hold integers from 1 to 5, got "
                     r"dtype ", id="strings"),
        pytest.param(_frame(capital=[True]), r"column capital must hold integers from 1 to 5, got "
                     r"dtype bool", id="bool"),
        pytest.param(pd.DataFrame({"stage": ["growth"] * 5, "capital": [0, 9, 9, 9, 9],
                                   **{r: [3] * 5 for r in RATINGS[1:]}}),
                     r"column capital must be an integer from 1 to 5; got row 0: .*, row 1: .*, "
                     r"row 2: .* and 2 more", id="many-bad-rows"),
    ],
)
def test_score_profiles_refuses_bad_frames(
    framework: Framework, df: pd.DataFrame, message: str,
) -> None:
    """Bad columns are refused naming the column, the rows, the values and what is allowed."""
    with pytest.raises(ModelfitError, match=message):
        score_profiles(df, framework)


def test_score_profiles_refuses_a_non_frame(framework: Framework) -> None:
    """Only a pandas DataFrame is accepted."""
    with pytest.raises(ModelfitError, match=r"expected a pandas DataFrame, got dict"):
        score_profiles({"stage": ["growth"]}, framework)  # type: ignore[arg-type]


def test_score_profiles_reports_every_bad_column_at_once(framework: Framework) -> None:
    """A bad stage and two bad rating columns give three problems in one error."""
    with pytest.raises(ModelfitError, match=r"column stage") as info:
        score_profiles(_frame(stage=["x"], capital=[0], tech_data=[7]), framework)
    assert len(info.value.problems) == 3


def test_all_scores_of_the_whole_space_are_within_0_100(framework: Framework) -> None:
    """Every stage x rating combination (1,875 profiles) scores within 0..100 for every model."""
    import itertools

    grid = list(itertools.product(STAGES, *[range(1, 6)] * 4))
    df = pd.DataFrame(grid, columns=["stage", *RATINGS])
    scores = score_profiles(df, framework)[list(MODELS)].to_numpy()
    assert scores.min() >= 0
    assert scores.max() <= 100


def test_score_profiles_uses_existing_channels_like_recommend(framework: Framework) -> None:
    """An existing_channels column (lists or `a;b` strings) takes part in S2's precondition
    exactly as in recommend: an average growth company on a platform gets the hybrid, without
    one the platform."""
    df = pd.DataFrame({"stage": ["growth"] * 3, **{r: [3, 3, 3] for r in RATINGS},
                       "existing_channels": [["platform"], "distribution;platform", []]})
    out = score_profiles(df, framework)
    assert out["primary"].tolist() == ["hybrid", "hybrid", "platform"]
    for i, existing in enumerate([("platform",), ("distribution", "platform"), ()]):
        assert recommend(profile_of("growth", existing), framework).primary == out.loc[i, "primary"]


def test_score_profiles_names_a_bad_existing_channel(framework: Framework) -> None:
    """An unknown channel in existing_channels is refused with its row and what is allowed."""
    df = pd.DataFrame({"stage": ["growth"], **{r: [3] for r in RATINGS},
                       "existing_channels": [["amazon"]]})
    with pytest.raises(ModelfitError, match=r"column existing_channels must be a list of "
                       r"platform, distribution, independent_site; got row 0: \['amazon'\]"):
        score_profiles(df, framework)


def test_check_rows_sets_apart_each_bad_value_in_row_order(framework: Framework) -> None:
    """check_rows marks a row bad for each bad value (stage, rating, channel), one problem per
    value, ordered by row and then column; the other rows stay good."""
    df = pd.DataFrame({"stage": ["growth", "x", "mature", "startup"],
                       "capital": [3, 3, 0, 3], "supply_chain": [3, 3, 3, 3],
                       "brand_content": [3, 3, 3, 2.5], "tech_data": [3, 7, 3, 3],
                       "existing_channels": ["platform", "", "amazon", None]})
    check = check_rows(df, framework)
    assert check.good.tolist() == [True, False, False, False]
    assert check.positions.tolist() == [1, 1, 2, 2, 3]
    assert check.columns == ("stage", "tech_data", "capital", "existing_channels",
                             "brand_content")
    assert check.allowed[0] == "one of startup, growth, mature"
    assert check.allowed[1] == "an integer from 1 to 5"


def test_check_rows_reads_ratings_written_as_text(framework: Framework) -> None:
    """Ratings read from a CSV as text count as the numbers they hold (blanks ignored); text
    that is no number, a missing value and a boolean are bad."""
    df = pd.DataFrame({"stage": ["growth"] * 5, "capital": [" 4", "4.0", "four", None, "3"],
                       **{r: ["3"] * 5 for r in RATINGS[1:]}}, dtype="str")
    assert check_rows(df, framework).good.tolist() == [True, True, False, False, True]
    booleans = pd.DataFrame({"stage": ["growth"], "capital": pd.Series([True], dtype=object),
                             **{r: [3] for r in RATINGS[1:]}})
    assert check_rows(booleans, framework).good.tolist() == [False]


def test_check_rows_refuses_a_missing_column_for_the_whole_frame(framework: Framework) -> None:
    """A missing needed column is still an error for the frame, with score_profiles' message."""
    with pytest.raises(ModelfitError, match=r"missing column\(s\) tech_data; needs stage, "):
        check_rows(pd.DataFrame({"stage": ["growth"], **{r: [3] for r in RATINGS[:3]}}),
                   framework)


def test_good_rows_of_check_rows_score_as_score_profiles(framework: Framework) -> None:
    """Every row check_rows passes is accepted by score_profiles, and every row it refuses is
    refused by score_profiles on its own."""
    rng = np.random.default_rng(7)
    n = 60
    df = pd.DataFrame({"stage": rng.choice([*STAGES, "bogus"], n),
                       **{r: rng.integers(0, 7, n) for r in RATINGS},
                       "existing_channels": rng.choice(["", "platform", "platform;amazon",
                                                        "distribution; independent_site"], n)})
    df["existing_channels"] = df["existing_channels"].replace("", np.nan)
    check = check_rows(df, framework)
    for i in range(n):
        row = df.iloc[[i]]
        if check.good[i]:
            score_profiles(row, framework)
        else:
            with pytest.raises(ModelfitError):
                score_profiles(row, framework)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(
    ["platform", "distribution", "independent_site", "amazon", " platform ", ""]), max_size=3)),
    min_size=1, max_size=12))
def test_channel_text_parses_the_same_vectorised_and_row_by_row(
    framework: Framework, values: list[list[str] | None],
) -> None:
    """A column of `a;b` strings (pandas' str dtype, parsed once per distinct value) gives the
    same running matrix and bad rows as the same strings in an object column (row by row)."""
    fw = framework
    texts = [None if v is None else ";".join(v) for v in values]
    fast = channel_rows(pd.Series(texts, dtype="str"), fw)
    slow = channel_rows(pd.Series(texts, dtype=object), fw)
    assert (fast[0].channels == slow[0].channels).all()
    assert fast[0].known.tolist() == slow[0].known.tolist() == [v is not None for v in values]
    assert fast[1].tolist() == slow[1].tolist()


# --- a second, naive implementation of the score over the whole space ---------------------------
# score_profiles and recommend run the same kernels, so comparing them cannot catch a mistake in
# the kernels. `naive_score` is the README's "How the score works" written out with plain Python
# loops over the framework file's raw YAML (not Framework's arrays), with the screens as the
# README states them.
RAW_FRAMEWORK = resources.files("modelfit").joinpath("data", "framework.yaml")


def _raw_framework() -> dict[str, Any]:
    data = yaml.safe_load(RAW_FRAMEWORK.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def naive_score(raw: dict[str, Any], stage: str, ratings: dict[str, int],
                running: frozenset[str] | None) -> tuple[dict[str, float], str]:
    """Scores and primary, written out from docs/framework.md rather than from the code:
    score[m] = stage_prior[stage][m] + sum_c weight[c][m] * (rating - 3) / 2 - screen points.
    Screens: R1, capital rated 2 or less, takes 10 points from the own site and the hybrid; S1, a
    start-up, holds back all but the platform; S2, a growth company that says it runs neither a
    platform store nor an own site, holds back all but the platform; C3, brand/content or
    tech/data rated 2 or less (unless the other is 4+ and capital 4+), holds back the own site;
    C4, both rated 2 or less and no own site running (or not said), holds back the own site and
    the hybrid. A held-back model ranks after every other. C2, the close call: among the models
    of the leader's class within 1 point of the best, the one whose own plan for the stage keeps
    more running channels wins, then the stage's default model, then the higher score, then the
    model listed first. `running` None: the profile does not say which channels run."""
    models = [m["id"] for m in raw["models"]]
    plans = raw["channels"]["plans"]
    default = next(s["default"] for s in raw["stages"] if s["id"] == stage)
    brand, tech, capital = ratings["brand_content"], ratings["tech_data"], ratings["capital"]
    weak_both = brand <= 2 and tech <= 2
    ready = (brand >= 3 and tech >= 3) or (max(brand, tech) >= 4 and capital >= 4)
    scores: dict[str, float] = {}
    held_back: set[str] = set()
    for model in models:
        score = float(raw["stage_priors"][stage][model])
        for criterion, weights in raw["weights"].items():
            score += weights[model] * (ratings[criterion] - 3) / 2
        if capital <= 2 and model in ("independent_site", "hybrid"):  # R1
            score -= 10
            held_back.add(model)
        if stage == "startup" and model != "platform":  # S1
            held_back.add(model)
        if (stage == "growth" and running is not None and not running & {"platform", "independent_site"}
                and model != "platform"):  # S2
            held_back.add(model)
        if not ready and model == "independent_site":  # C3
            held_back.add(model)
        if (weak_both and (running is None or "independent_site" not in running)
                and model in ("independent_site", "hybrid")):  # C4
            held_back.add(model)
        scores[model] = score
    free = [m for m in models if m not in held_back] or models
    top = max(round(scores[m], 9) for m in free)
    close = [m for m in free if round(scores[m], 9) >= round(top - 1.0, 9)]

    def key(m: str) -> tuple[float, float, float, int]:
        kept = len(set(plans[m][stage]) & (running or frozenset()))
        return (2 * kept + (m == default), round(scores[m], 9), 0, -models.index(m))

    return scores, max(close, key=key)


def test_the_readme_screens_are_the_framework_files_screens() -> None:
    """The screens naive_score writes out are the ones in the framework file: R1 at capital
    <= 2 taking 10 points from the own site and the hybrid, S1 at start-up and S2 at growth
    without a platform store or an own site holding back the other three with no points, C3
    and C4 on the own site's readiness."""
    raw = _raw_framework()
    screens = {s["id"]: s for s in raw["screens"]}
    assert set(screens) == {"R1", "S1", "S2", "C3", "C4"}
    assert (screens["R1"]["criterion"], screens["R1"]["max_rating"], screens["R1"]["penalty"],
            set(screens["R1"]["models"])) == ("capital", 2, 10, {"independent_site", "hybrid"})
    for rule, stage in (("S1", "startup"), ("S2", "growth")):
        assert screens[rule]["stage"] == [stage]
        assert screens[rule]["penalty"] == 0
        assert set(screens[rule]["models"]) == {"distribution", "independent_site", "hybrid"}
    assert screens["S2"]["without_channel"] == ["platform", "independent_site"]
    assert "without_channel" not in screens["S1"]
    assert (screens["C3"]["own_site"], screens["C3"]["models"]) == (
        ["partial", "weak"], ["independent_site"])
    assert (screens["C4"]["own_site"], screens["C4"]["without_channel"],
            screens["C4"]["if_unknown"], set(screens["C4"]["models"])) == (
        ["weak"], ["independent_site"], True, {"independent_site", "hybrid"})
    own = raw["situation"]["own_site"]
    assert (own["weak"], own["strong"], own["capital_strong"]) == (2, 4, 4)
    assert raw["situation"]["close_call"]["margin"] == 1.0


def test_score_profiles_equals_a_naive_implementation_over_the_whole_space(
    framework: Framework,
) -> None:
    """Every stage x every rating (5^4) x every set of running base channels (2^3) or none
    said: 16,875 profiles, score_profiles' scores equal naive_score's to 9 decimals and so do
    the primaries."""
    raw = _raw_framework()
    channels = [str(c) for c in raw["base_channels"]]
    sets: list[frozenset[str] | None] = [
        frozenset(c for i, c in enumerate(channels) if mask >> i & 1)
        for mask in range(2 ** len(channels))]
    sets.append(None)
    rows = [(stage, values, running) for stage in STAGES
            for values in itertools.product(range(1, 6), repeat=len(RATINGS))
            for running in sets]
    df = pd.DataFrame({"stage": [r[0] for r in rows],
                       **{name: [r[1][i] for r in rows] for i, name in enumerate(RATINGS)},
                       "existing_channels": [None if r[2] is None else sorted(r[2])
                                             for r in rows]})
    out = score_profiles(df, framework)
    got = out[list(MODELS)].to_numpy()
    primaries = out["primary"].tolist()
    mismatches = []
    for i, (stage, values, running) in enumerate(rows):
        scores, primary = naive_score(raw, stage, dict(zip(RATINGS, values, strict=True)),
                                      running)
        if (any(round(got[i, j], 9) != round(scores[m], 9) for j, m in enumerate(MODELS))
                or primaries[i] != primary):
            mismatches.append((stage, values, running, scores, primary))
    assert len(rows) == 16_875
    assert mismatches == []


@pytest.mark.parametrize(("stage", "ratings", "running", "scores", "primary"), [
    # growth, average, no platform yet: the priors; S2 holds back the hybrid's 58
    ("growth", (3, 3, 3, 3), [], (55, 44, 52, 58), "platform"),
    # the same with a platform store running: the hybrid's prior leads
    ("growth", (3, 3, 3, 3), ["platform"], (55, 44, 52, 58), "hybrid"),
    # mature, capital 2 (deviation -0.5), the rest 5 (+1): platform 50 - 1 + 9 + 0 + 3 = 61;
    # distribution 41 + 3 + 9 - 2 = 51; own site 56 - 4.5 + 2 + 10 + 9 - 10 (R1) = 62.5;
    # hybrid 64 - 5 + 4 + 6 + 6 - 10 (R1) = 65. R1 ranks both after the platform.
    ("mature", (2, 5, 5, 5), [], (61, 51, 62.5, 65), "platform"),
    # start-up strong on everything: 62 + 14, 54 + 1, 40 + 30, 42 + 26; S1 keeps the platform
    ("startup", (5, 5, 5, 5), [], (76, 55, 70, 68), "platform"),
    # start-up weak on everything: 62 - 14, 54 - 1, 40 - 30 - 10, 42 - 26 - 10; distribution
    # scores more but S1 keeps the platform the core
    ("startup", (1, 1, 1, 1), [], (48, 53, 0, 6), "platform"),
    # growth with a platform, capital 4, supply 2, brand 4, tech 3: platform 55 + 1 - 4.5 = 51.5;
    # distribution 44 - 3 - 4.5 - 1 = 35.5; own site 52 + 4.5 - 1 + 5 = 60.5;
    # hybrid 58 + 5 - 2 + 3 = 64
    ("growth", (4, 2, 4, 3), ["platform"], (51.5, 35.5, 60.5, 64), "hybrid"),
    # mature, capital 3, supply 4, brand 1, tech 2: platform 50 + 4.5 - 1.5 = 53;
    # own site 56 + 1 - 10 - 4.5 = 42.5; hybrid 64 + 2 - 6 - 3 = 57; distribution 41 + 4.5 + 2
    # = 47.5; brand and tech both weak with no own site running: C4 holds back the hybrid
    ("mature", (3, 4, 1, 2), [], (53, 47.5, 42.5, 57), "platform"),
    # the same company saying nothing of its channels: C4 holds too (no own site is assumed)
    ("mature", (3, 4, 1, 2), None, (53, 47.5, 42.5, 57), "platform"),
    # ... and running an own site: C4 does not hold, the hybrid leads
    ("mature", (3, 4, 1, 2), ["independent_site"], (53, 47.5, 42.5, 57), "hybrid"),
    # an exact tie with a platform running, brand 2 (-0.5): platform 55 + 0 = 55, hybrid 58 - 3
    # = 55, own site 52 - 5, distribution 44 + 1; both plans keep the platform store, so the
    # close call (C2) goes to the stage rule's dual track
    ("growth", (3, 3, 2, 3), ["platform"], (55, 45, 47, 55), "hybrid"),
    # mature, supply 2, brand 5, tech 5: own site 56 - 1 + 10 + 9 = 74, hybrid 64 - 2 + 6 + 6
    # = 74; platform 50 - 4.5 + 3, distribution 41 - 4.5 - 2; the close call goes to the stage
    # rule's hybrid matrix
    ("mature", (3, 2, 5, 5), [], (48.5, 34.5, 74, 74), "hybrid"),
    # the own site leads by half a point over the dual track of a growth brand selling only
    # through its own site: own site 52 + 4.5 + 10 + 9 = 75.5, hybrid 58 + 5 + 6 + 6 = 75; both
    # keep the own site, the dual track is the stage rule's (C2)
    ("growth", (4, 3, 5, 5), ["independent_site"], (59, 39, 75.5, 75), "hybrid"),
    # a clear lead is the scores': growth, capital 5, supply 1, brand 5, tech 5: own site 52 + 9
    # - 2 + 10 + 9 = 78, hybrid 58 + 10 - 4 + 6 + 6 = 76
    ("growth", (5, 1, 5, 5), ["platform"], (51, 27, 78, 76), "independent_site"),
])
def test_scores_of_hand_computed_profiles(
    framework: Framework, stage: str, ratings: tuple[int, ...], running: list[str],
    scores: tuple[float, ...], primary: str,
) -> None:
    """A few profiles scored by hand from the bundled framework 1.0.0 (see the comments)."""
    df = pd.DataFrame({"stage": [stage], **{r: [v] for r, v in zip(RATINGS, ratings, strict=True)},
                       "existing_channels": pd.Series([running], dtype=object)})
    out = score_profiles(df, framework)
    assert tuple(out.loc[0, list(MODELS)]) == scores
    assert out.loc[0, "primary"] == primary


def test_a_screen_naming_a_stage_needs_the_stages(framework: Framework) -> None:
    """fired_screens without stage indices refuses, naming the first screen that needs them."""
    from modelfit.decision.scoring import fired_screens

    with pytest.raises(ModelfitError, match=r"^screen S1 needs the stage of each row$"):
        fired_screens(np.full((1, 4), 3.0), framework)


def test_a_screen_fires_only_when_every_condition_holds(edited_framework: EditFramework) -> None:
    """An R1 screen limited to growth: capital 1 at start-up or 3 at growth does not fire it,
    capital 1 at growth does (criterion and stage both hold)."""
    def edit(data: dict[str, Any]) -> None:
        r1 = next(s for s in data["screens"] if s["id"] == "R1")
        r1["stage"] = ["growth"]

    fw = Framework.load(edited_framework(edit))
    df = pd.DataFrame({"stage": ["startup", "growth", "growth"], "capital": [1, 3, 1],
                       **{r: [3] * 3 for r in RATINGS[1:]},
                       "existing_channels": [["platform"]] * 3})
    site = score_profiles(df, fw)["independent_site"].tolist()
    plain = score_profiles(df, Framework.load())["independent_site"].tolist()
    assert site == [plain[0] + 10, plain[1], plain[2]]  # R1's 10 points only where both hold


def test_every_screen_applies_when_no_channel_column_is_given(
    edited_framework: EditFramework,
) -> None:
    """Without existing_channels no row says which channels run: S2's precondition does not
    fire (the dual track's assumption), a channel screen listed first does not stop the
    screens after it from being checked, each on its own conditions (R1's 10 points at capital
    1, none at capital 3; S1 not at growth)."""
    def edit(data: dict[str, Any]) -> None:
        data["screens"].sort(key=lambda s: "without_channel" not in s)  # S2 first

    fw = Framework.load(edited_framework(edit))
    assert fw.screens[0]["id"] == "S2"
    df = pd.DataFrame({"stage": ["growth", "growth"], "capital": [1, 3],
                       **{r: [3, 3] for r in RATINGS[1:]}})
    out = score_profiles(df, fw)
    pd.testing.assert_frame_equal(out, score_profiles(df, Framework.load()))
    assert out["independent_site"].tolist() == [52 - 9 - 10, 52]
    assert out["primary"].tolist() == ["platform", "hybrid"]
