"""Tests of modelfit.views.whatif: the scenario function, saving a scenario, and the widgets driving it."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from modelfit import Framework, Profile, load_profile, recommend
from modelfit.core.errors import ModelfitError
from modelfit.decision.robustness import analyse
from modelfit.views.whatif import Scenario, WhatIf, evaluate, load, save_profile, scenario_params

from .conftest import PARAMS

CRITERIA = ("capital", "supply_chain", "brand_content", "tech_data")
SAMPLES = 1_000


@pytest.fixture(scope="module")
def fw() -> Framework:
    """The bundled framework, loaded once."""
    return Framework.load()


@pytest.fixture(scope="module")
def demo() -> Profile:
    """The demo company (growth; 3, 4, 3, 2): platform first, capital 3 → 4 makes hybrid."""
    return load_profile(PARAMS / "demo.yaml")


def scenario(profile: Profile, **changes: object) -> Scenario:
    """The profile's scenario with some ratings, multipliers or the stage changed."""
    base = Scenario.of(profile)
    ratings = {c: int(changes.pop(c, base.ratings[c])) for c in CRITERIA}  # type: ignore[call-overload]
    mult = dict(base.multipliers)
    mult.update(changes.pop("multipliers", {}))  # type: ignore[call-overload]
    stage = str(changes.pop("stage", base.stage))
    return Scenario(stage=stage, ratings=ratings, multipliers=mult)


# --- the scenario function ----------------------------------------------------------------------
def test_the_profiles_own_scenario_is_the_framework_answer(fw: Framework, demo: Profile) -> None:
    """Unchanged, the view holds recommend's ranking and scores and analyse's acceptability."""
    view = evaluate(demo, Scenario.of(demo, fw), fw, samples=SAMPLES)
    rec = recommend(demo, fw)
    assert view.rec.ranking == rec.ranking
    assert view.rec.scores == rec.scores
    assert view.robustness.acceptability == analyse(demo, fw, samples=SAMPLES).acceptability
    assert view.importances == dict.fromkeys(CRITERIA, 0.25)


def test_equal_multipliers_are_the_framework(fw: Framework, demo: Profile) -> None:
    """Multipliers are relative: all 2 gives exactly the framework's scores."""
    view = evaluate(demo, scenario(demo, multipliers=dict.fromkeys(CRITERIA, 2.0)), fw,
                    samples=SAMPLES)
    assert view.rec.scores == recommend(demo, fw).scores


def test_a_rating_change_moves_the_view_as_the_flips_say(fw: Framework, demo: Profile) -> None:
    """Capital 3 → 4 (the demo's first flip) makes hybrid the primary in the view."""
    assert evaluate(demo, scenario(demo, capital=4), fw, samples=SAMPLES).rec.primary == "hybrid"


def test_a_weight_multiplier_rescales_that_criterions_points(fw: Framework, demo: Profile
                                                             ) -> None:
    """Multipliers (2, 1, 1, 1): importances (0.4, 0.2, 0.2, 0.2); supply chain's points are
    scaled by 4 * 0.2 = 0.8 and the stage prior is untouched."""
    view = evaluate(demo, scenario(demo, multipliers={"capital": 2.0}), fw, samples=SAMPLES)
    assert view.importances == {"capital": 0.4, "supply_chain": 0.2, "brand_content": 0.2,
                                "tech_data": 0.2}
    base = recommend(demo, fw).contributions
    for m in fw.models:
        assert view.rec.contributions[m]["supply_chain"] == pytest.approx(
            0.8 * base[m]["supply_chain"])
        assert view.rec.contributions[m]["stage_prior"] == base[m]["stage_prior"]


def test_the_view_lists_every_model_in_each_table(fw: Framework, demo: Profile) -> None:
    """Ranking and acceptability tables have one row per model, best first; the flips table
    has one row per flip; the chart is an inline SVG."""
    view = evaluate(demo, Scenario.of(demo, fw), fw, samples=SAMPLES)
    names = [fw.model_name(m, "en") for m in view.rec.ranking]
    assert list(view.ranking_table().index) == names
    assert list(view.acceptability_table().index) == names
    assert len(view.flips_table()) == len(view.robustness.flips)
    assert view.contributions_svg().startswith("<svg")


@pytest.mark.parametrize(("changes", "message"), [
    ({"capital": 6}, r"^capital must be an integer from 1 to 5, got 6$"),
    ({"stage": "seed"}, r"^stage must be one of startup, growth, mature, got 'seed'$"),
    ({"multipliers": {"tech_data": -1.0}},
     r"^the weight multiplier of tech_data must be a number >= 0, got -1.0$"),
    ({"multipliers": dict.fromkeys(CRITERIA, 0.0)},
     r"^at least one weight multiplier must be above 0$"),
])
def test_bad_scenarios_are_named(fw: Framework, demo: Profile, changes: dict[str, object],
                                 message: str) -> None:
    """Each bad value is named with what is allowed."""
    with pytest.raises(ModelfitError, match=message):
        evaluate(demo, scenario(demo, **changes), fw)


def test_preferences_in_the_profile_set_the_starting_multipliers(fw: Framework) -> None:
    """A profile with SWING points (100, 50, 50, 0) starts at multipliers C * lambda =
    (2, 1, 1, 0)."""
    profile = Profile.from_mapping({
        "company": "X", "stage": "growth", "capital": 3, "supply_chain": 4, "brand_content": 3,
        "tech_data": 2, "preferences": {"method": "swing", "points": {
            "capital": 100, "supply_chain": 50, "brand_content": 50, "tech_data": 0}}})
    assert Scenario.of(profile, fw).multipliers == {"capital": 2.0, "supply_chain": 1.0,
                                                    "brand_content": 1.0, "tech_data": 0.0}


# --- saving a scenario ----------------------------------------------------------------------------
def test_save_writes_a_valid_new_profile(fw: Framework, demo: Profile, tmp_path: Path) -> None:
    """The saved file loads as a profile with the scenario's stage and ratings, its other fields
    kept, and changed multipliers as SWING points (largest at 100)."""
    s = scenario(demo, stage="mature", brand_content=5, multipliers={"capital": 2.0})
    path = save_profile(demo, s, tmp_path, "demo-bold", fw)
    saved = load_profile(path)
    assert path == tmp_path / "demo-bold.yaml"
    assert (saved.stage, saved.brand_content, saved.capital) == ("mature", 5, 3)
    assert saved.fields()["target_markets"] == demo.fields()["target_markets"]
    assert saved.preferences == {"method": "swing", "points": {
        "capital": 100.0, "supply_chain": 50.0, "brand_content": 50.0, "tech_data": 50.0}}
    again = evaluate(saved, Scenario.of(saved, fw), fw, samples=SAMPLES)
    assert again.rec.scores == evaluate(demo, s, fw, samples=SAMPLES).rec.scores


def test_save_without_weight_changes_writes_no_preferences(fw: Framework, demo: Profile) -> None:
    """Equal multipliers are the framework's weights: no `preferences:` is written."""
    assert "preferences" not in scenario_params(demo, scenario(demo, capital=4), fw)


def test_save_refuses_an_existing_file_or_a_bad_id(fw: Framework, demo: Profile,
                                                    tmp_path: Path) -> None:
    """An existing id and a path-like id are refused by name; nothing is written."""
    shutil.copy(PARAMS / "demo.yaml", tmp_path / "demo.yaml")
    with pytest.raises(ModelfitError, match=r"demo.yaml: a profile of that id exists already"):
        save_profile(demo, Scenario.of(demo, fw), tmp_path, "demo", fw)
    with pytest.raises(ModelfitError, match=r"^the new company id must match"):
        save_profile(demo, Scenario.of(demo, fw), tmp_path, "../evil", fw)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.yaml"]


# --- the widgets ------------------------------------------------------------------------------------
@pytest.fixture
def app(fw: Framework, demo: Profile, tmp_path: Path) -> WhatIf:
    """The what-if app on the demo company, saving into a temporary folder."""
    return WhatIf(demo, fw, params_dir=tmp_path, samples=SAMPLES)


def test_moving_a_rating_slider_updates_the_view(app: WhatIf) -> None:
    """Capital slider 3 → 2: R1 holds back the dual track; the view, the headline and the
    ranking table now put the platform first."""
    assert app.view.rec.primary == "hybrid"
    before = app.chart.value
    app.ratings["capital"].value = 2
    assert app.view.rec.primary == "platform"
    assert app.headline.value.startswith("<b>Primary: Marketplace platform</b>")
    assert app.ranking.value.index("Marketplace platform") < app.ranking.value.index("Hybrid")
    assert app.chart.value != before


def test_moving_a_weight_slider_and_the_stage_updates_the_view(app: WhatIf) -> None:
    """Supply chain weight 0 and stage mature change the importances and the scores."""
    app.weights["supply_chain"].value = 0.0
    app.stage.value = "mature"
    assert app.view.importances["supply_chain"] == 0.0
    assert app.view.scenario.stage == "mature"
    assert app.view.rec.primary == "hybrid"
    assert "0.00×" in app.weights_html.value


def test_reset_returns_to_the_profile(app: WhatIf, demo: Profile) -> None:
    """After changes, reset puts every control and the view back to the profile."""
    app.ratings["capital"].value = 5
    app.weights["brand_content"].value = 2.5
    app.reset()
    assert app.scenario() == Scenario.of(demo)
    assert app.view.rec.scores == recommend(demo).scores


def test_save_button_writes_the_scenario_and_says_so(app: WhatIf, tmp_path: Path) -> None:
    """The save button writes <params_dir>/<new id>.yaml and reports it; a second save under the
    same id is refused in the status line, not with a traceback."""
    app.ratings["tech_data"].value = 4
    app.new_id.value = "demo-tech"
    app.save_button.click()
    assert load_profile(tmp_path / "demo-tech.yaml").tech_data == 4
    assert "Saved" in app.status.value
    assert "demo-tech.yaml" in app.status.value
    app.save_button.click()
    assert "exists already" in app.status.value


def test_a_bad_scenario_shows_the_error_and_keeps_the_last_view(app: WhatIf) -> None:
    """All multipliers at 0: the status names the problem; the last good view stays."""
    *first, final = app.weights.values()
    for slider in first:
        slider.value = 0.0
    last = app.view
    final.value = 0.0
    assert "at least one weight multiplier must be above 0" in app.status.value
    assert app.view is last


def test_the_company_name_is_escaped_in_the_title(fw: Framework, tmp_path: Path) -> None:
    """A company name holding markup appears as text in the app's title."""
    text = (PARAMS / "demo.yaml").read_text("utf-8").replace(
        "company: Demo Home Goods Co.", "company: '<img src=x onerror=alert(1)>'")
    (tmp_path / "evil.yaml").write_text(text, "utf-8")
    app = load("evil", params_dir=tmp_path, samples=SAMPLES)
    title = app.widget().children[0].value
    assert "<img" not in title
    assert "&lt;img" in title


def test_zh_view_uses_chinese_names(fw: Framework, demo: Profile) -> None:
    """In Chinese the tables name the models as the article does."""
    view = evaluate(demo, Scenario.of(demo, fw), fw, lang="zh", samples=SAMPLES)
    assert "平台模式" in list(view.ranking_table().index)
    assert np.isclose(sum(view.importances.values()), 1.0)


# --- opening it: make lab -------------------------------------------------------------------------
def test_make_lab_allows_root_only_for_root() -> None:
    """`make lab` adds --allow-root exactly when the user is root (JupyterLab refuses root
    otherwise, as in a container), and opens the notebooks folder."""
    import os
    import subprocess

    make = shutil.which("make")
    assert make is not None
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([make, "-n", "lab"], cwd=root, capture_output=True, text=True,
                         check=True).stdout
    line = next(x for x in out.splitlines() if "jupyter lab" in x)
    assert "jupyter lab notebooks" in line
    assert ("--allow-root" in line) == (os.geteuid() == 0)
