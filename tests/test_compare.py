"""modelfit.compare: several companies, or a company and its what-if scenarios, side by side."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from matplotlib.figure import Figure

import modelfit
from modelfit.core.errors import ModelfitError
from modelfit.decision.robustness import analyse as robustness_of
from modelfit.views import whatif
from modelfit.views.compare import scenarios_of

from .conftest import MODELS, PARAMS

SAMPLES = 500


def test_two_companies_side_by_side() -> None:
    """One column per company; each column is that company's recommendation and confidence."""
    paths = [PARAMS / "demo.yaml", PARAMS / "lumen.yaml"]
    result = modelfit.compare(paths, samples=SAMPLES)
    table = result.table()
    profiles = [modelfit.load_profile(p) for p in paths]
    assert list(table.columns) == [p.company for p in profiles]
    for profile in profiles:
        rec = modelfit.recommend(profile)
        column = table[profile.company]
        assert column["Recommended model"] == modelfit.Framework.load().model_name(rec.primary,
                                                                                    "en")
        assert column["Margin (points)"] == round(rec.margin, 2)
        conf = robustness_of(profile, samples=SAMPLES).confidence
        assert column["Confidence"] == f"{100 * conf:.0f}%"
        assert [column[f"Score: {modelfit.Framework.load().model_name(m, 'en')}"]
                for m in MODELS] == [round(rec.scores[m], 2) for m in MODELS]
    assert [i["primary"] for i in result.to_dict()["items"]] == [
        modelfit.recommend(p).primary for p in profiles]


def test_contributions_and_figure() -> None:
    """The tidy contributions sum to each item's scores; the figure has its three panels."""
    result = modelfit.compare([PARAMS / "atlas.yaml", PARAMS / "pebble.yaml"], samples=SAMPLES)
    tidy = result.contributions()
    assert list(tidy.columns) == ["item", "model", "term", "points"]
    for entry in result.entries:
        sums = tidy[tidy["item"] == entry.label].groupby("model")["points"].sum()
        assert sums.to_dict() == pytest.approx(entry.rec.scores)
    fig = result.figure()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3


def test_a_profile_and_its_scenario() -> None:
    """A what-if Scenario after a profile is that profile changed, answered as the what-if
    notebook answers it."""
    base = modelfit.load_profile(PARAMS / "demo.yaml")
    scenario = whatif.Scenario(stage="growth", ratings={**base.ratings(), "brand_content": 5},
                               multipliers=dict.fromkeys(base.ratings(), 1.0))
    result = modelfit.compare([base, scenario], labels=["now", "stronger brand"],
                              samples=SAMPLES)
    view = whatif.evaluate(base, scenario, samples=SAMPLES)
    assert result.labels() == ["now", "stronger brand"]
    assert result.entries[1].rec.primary == view.rec.primary
    assert result.entries[1].confidence == view.robustness.confidence
    assert result.entries[0].rec.primary == modelfit.recommend(base).primary


def test_saved_scenarios_are_found_and_compared_with_their_base(tmp_path: Path) -> None:
    """A scenario saved from the what-if notebook is found by its base's id (and only by it),
    and compares with its base."""
    shutil.copy(PARAMS / "demo.yaml", tmp_path / "demo.yaml")
    base = modelfit.load_profile(tmp_path / "demo.yaml")
    scenario = whatif.Scenario(stage="mature", ratings=base.ratings(),
                               multipliers=dict.fromkeys(base.ratings(), 1.0))
    saved = whatif.save_profile(base, scenario, tmp_path, "demo-mature")
    (tmp_path / "other.yaml").write_text("# What-if scenario of atlas, saved from x\n",
                                         encoding="utf-8")
    assert scenarios_of("demo", tmp_path) == [saved]
    result = modelfit.compare([base, *scenarios_of("demo", tmp_path)], samples=SAMPLES)
    assert [e.rec.stage for e in result.entries] == ["growth", "mature"]


def test_chinese_table() -> None:
    """lang="zh" labels the rows in Chinese."""
    table = modelfit.compare([PARAMS / "demo.yaml"], lang="zh", samples=SAMPLES).table()
    assert "推荐模式" in table.index
    assert "把握度" in table.index


@pytest.mark.parametrize(("items", "kwargs", "message"), [
    ([], {}, r"compare: expected a list of profiles, answers or scenarios, got list"),
    ("params/demo.yaml", {}, r"compare: expected a list of profiles, answers or scenarios, "
                             r"got str"),
    ([3], {}, r"compare: item 1 is a int; expected a Profile"),
    ([PARAMS / "demo.yaml"], {"labels": ["a", "b"]}, r"compare: 2 labels for 1 items"),
    ([PARAMS / "demo.yaml"], {"lang": "fr"}, r"compare: lang must be one of en, zh, got 'fr'"),
])
def test_bad_arguments_are_refused(items: object, kwargs: dict[str, object], message: str) -> None:
    """Each bad argument is one message naming it."""
    with pytest.raises(ModelfitError, match=message):
        modelfit.compare(items, samples=SAMPLES, **kwargs)  # type: ignore[arg-type]


def test_a_scenario_needs_its_base_first() -> None:
    """A scenario with no profile before it is refused."""
    scenario = whatif.Scenario(stage="growth", ratings=dict.fromkeys(
        ("capital", "supply_chain", "brand_content", "tech_data"), 3),
        multipliers=dict.fromkeys(("capital", "supply_chain", "brand_content", "tech_data"), 1.0))
    with pytest.raises(ModelfitError, match=r"compare: item 1 is a what-if scenario; put the "
                                            r"profile it changes before it"):
        modelfit.compare([scenario])
