"""recommend_frame: one recommendation per DataFrame row, equal to `recommend` row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelfit
from modelfit import Framework, recommend
from modelfit.core.errors import ModelfitError
from modelfit.decision.recommend import Recommendation
from modelfit.decision.robustness import analyse as robustness_of
from modelfit.decision.scoring import TIE_DECIMALS

from .conftest import BASE_CHANNELS, MODELS, examples, profile_of

RATING = st.integers(1, 5)
ROW = st.fixed_dictionaries({
    "stage": st.sampled_from(["startup", "growth", "mature"]),
    "capital": RATING, "supply_chain": RATING, "brand_content": RATING, "tech_data": RATING,
    "existing_channels": st.lists(st.sampled_from(BASE_CHANNELS), unique=True, max_size=3),
})
SAMPLES = 400  # the confidence's samples in the tests: the same draws as analyse's, fewer


def held_by_of(rec: Recommendation, fw: Framework) -> str:
    """The rules that hold the primary against a model that scores more before the screens,
    from one answer: the screens fired (`rec.screens`) and screening a model whose score with
    the screens' penalties given back (its `screen_*` contributions) is above the primary's,
    then the close call (C2) when an unscreened model scores more. The recommendation's own
    `held_by` must agree."""

    def raw(model: str) -> float:
        given_back = sum(v for k, v in rec.contributions[model].items() if k.startswith("screen_"))
        return round(rec.scores[model] - given_back, TIE_DECIMALS)

    top = raw(rec.primary)
    held = [s.id for s in fw.screens if s.id in rec.screens and any(raw(m) > top for m in s.models)]
    screened = {m for s in fw.screens if s.id in rec.screens for m in s.models}
    if any(raw(m) > top for m in fw.models if m not in screened):  # the close call (C2)
        held.append("C2")
    ids = ";".join(held)
    own = getattr(rec, "held_by", None)
    if own is not None:
        assert (own if isinstance(own, str) else ";".join(own)) == ids
    return ids


def frame_of(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows).assign(existing_channels=lambda d: d["existing_channels"].map(tuple))


@settings(max_examples=examples(60, 10), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=8))
def test_each_row_is_recommend(rows: list[dict[str, object]]) -> None:
    """Every column of every row equals what `recommend` and `robustness.analyse` say for that
    row's profile: primary, runner-up, margin, held_by, channels, kind, scores and confidence."""
    fw = Framework.load()
    out = modelfit.recommend_frame(frame_of(rows), robustness=True, samples=SAMPLES)
    for i, row in enumerate(rows):
        profile = profile_of(str(row["stage"]), tuple(row["existing_channels"]),  # type: ignore[arg-type]
                             **{k: int(v) for k, v in row.items()  # type: ignore[call-overload]
                                if k not in ("stage", "existing_channels")})
        rec = recommend(profile, fw)
        got = out.iloc[i]
        assert got["primary"] == rec.primary
        assert got["runner_up"] == rec.runner_up
        assert got["margin"] == pytest.approx(rec.margin, abs=1e-9)
        assert got["held_by"] == held_by_of(rec, fw)
        assert got["channels"] == ";".join(rec.channels)
        kind = out["kind"].iloc[i]
        assert (None if pd.isna(kind) else kind) == rec.kind("distribution")
        assert [got[m] for m in MODELS] == pytest.approx([rec.scores[m] for m in MODELS])
        assert got["confidence"] == robustness_of(profile, fw, samples=SAMPLES).confidence


def test_without_an_existing_channels_column_rows_are_profiles_without_the_field() -> None:
    """A frame with no existing_channels column answers as profiles that leave the field out."""
    df = pd.DataFrame({"stage": ["growth", "startup", "mature", "growth"],
                       "capital": [4, 1, 3, 2], "supply_chain": [2, 5, 3, 4],
                       "brand_content": [5, 2, 4, 3], "tech_data": [5, 1, 3, 4]})
    out = modelfit.recommend_frame(df, robustness=True, samples=SAMPLES)
    fw = Framework.load()
    for i, row in df.iterrows():
        profile = modelfit.Profile.from_mapping({"company": "Test Co", **row.to_dict()},
                                                company_id="test")
        rec = recommend(profile, fw)
        assert out.loc[i, "primary"] == rec.primary
        assert out.loc[i, "held_by"] == held_by_of(rec, fw)
        assert out.loc[i, "channels"] == ";".join(rec.channels)
        assert out.loc[i, "confidence"] == robustness_of(profile, fw, samples=SAMPLES).confidence


def test_held_by_names_the_screen_that_decided() -> None:
    """A growth company with no platform store yet whose own site scores most: S2 holds the
    platform in place (held_by S2) and the row's primary is not its top score; an average
    mature company is decided by the scores alone (held_by empty)."""
    df = pd.DataFrame({"stage": ["growth", "mature"], "capital": [4, 3], "supply_chain": [2, 3],
                       "brand_content": [5, 3], "tech_data": [5, 3],
                       "existing_channels": [(), ("platform",)]})
    out = modelfit.recommend_frame(df)
    assert out.loc[0, "primary"] == "platform"
    assert out.loc[0, "held_by"] == "S2"
    assert out.loc[0, list(MODELS)].astype(float).idxmax() != "platform"
    assert out.loc[1, "held_by"] == ""
    assert out.loc[1, "primary"] == out.loc[1, list(MODELS)].astype(float).idxmax()


def test_frame_keeps_the_index_and_the_column_order() -> None:
    """The answer is on the input's index, scores first, then the plan columns; confidence only
    with robustness."""
    df = pd.DataFrame({"stage": ["startup", "mature"], "capital": [1, 5], "supply_chain": [5, 3],
                       "brand_content": [2, 5], "tech_data": [2, 4]}, index=["acme", "zen"])
    out = modelfit.recommend_frame(df)
    assert list(out.index) == ["acme", "zen"]
    assert list(out.columns) == [*MODELS, "primary", "runner_up", "margin", "held_by",
                                 "channels", "kind"]
    assert "confidence" in modelfit.recommend_frame(df, robustness=True, samples=50).columns


def test_confidence_is_the_json_confidence_at_the_defaults() -> None:
    """At the defaults (10,000 samples, seed 0) a row's confidence is `modelfit.analyse`'s."""
    profile = modelfit.load_profile("params/lumen.yaml")
    row = pd.DataFrame([{**profile.fields()}])
    out = modelfit.recommend_frame(row, robustness=True)
    assert out.loc[0, "confidence"] == robustness_of(profile).confidence


def test_seed_changes_the_draws_not_the_answer() -> None:
    """Another seed gives other samples (a close call's confidence moves), the same primary."""
    df = pd.DataFrame({"stage": ["growth"] * 2, "capital": [3, 3], "supply_chain": [3, 4],
                       "brand_content": [4, 3], "tech_data": [3, 3],
                       "existing_channels": ["platform", "platform"]})
    a = modelfit.recommend_frame(df, robustness=True, seed=0, samples=500)
    b = modelfit.recommend_frame(df, robustness=True, seed=1, samples=500)
    assert a["primary"].tolist() == b["primary"].tolist()
    assert not np.array_equal(a["confidence"].to_numpy(), b["confidence"].to_numpy())


@pytest.mark.parametrize(("df", "message"), [
    pytest.param(pd.DataFrame({"stage": ["growth"]}),
                 r"recommend_frame: missing column\(s\) capital, supply_chain", id="missing"),
    pytest.param(pd.DataFrame({"stage": ["later"], "capital": [3], "supply_chain": [3],
                               "brand_content": [3], "tech_data": [3]}),
                 r"recommend_frame: column stage must be one of startup, growth, mature; "
                 r"got row 0: 'later'", id="stage"),
    pytest.param(pd.DataFrame({"stage": ["growth"], "capital": [3], "supply_chain": [3],
                               "brand_content": [3], "tech_data": [3],
                               "existing_channels": ["shop"]}),
                 r"recommend_frame: column existing_channels must be a list of platform",
                 id="channels"),
])
def test_bad_frames_are_refused_by_name(df: pd.DataFrame, message: str) -> None:
    """A bad column is refused naming recommend_frame, the column, the row and the value."""
    with pytest.raises(ModelfitError, match=message):
        modelfit.recommend_frame(df)


def test_bad_samples_are_refused() -> None:
    """samples must be a positive integer."""
    df = pd.DataFrame([{"stage": "growth", **dict.fromkeys(
        ("capital", "supply_chain", "brand_content", "tech_data"), 3)}])
    with pytest.raises(ModelfitError, match=r"recommend_frame: samples must be an integer >= 1, "
                                            r"got 0"):
        modelfit.recommend_frame(df, robustness=True, samples=0)


def test_an_empty_frame_gives_an_empty_answer() -> None:
    """No rows in, no rows out, with every column."""
    df = pd.DataFrame({"stage": pd.Series([], dtype=object),
                       **{c: pd.Series([], dtype=int) for c in
                          ("capital", "supply_chain", "brand_content", "tech_data")}})
    out = modelfit.recommend_frame(df, robustness=True, samples=10)
    assert len(out) == 0
    assert "confidence" in out.columns
