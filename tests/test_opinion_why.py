"""Why the classifier disagrees, in the company's own numbers (modelfit.views.opinion_why), and a
drivers heading that matches the signs of what it lists."""

from __future__ import annotations

import dataclasses

import pytest

from modelfit import Framework, load_profile
from modelfit.analysis import Analysis, Driver, analyse_company
from modelfit.outcome.classifier import SecondOpinion
from modelfit.views.opinion_why import drivers_intro_key, money, why_disagree

from .conftest import PARAMS


@pytest.fixture(scope="module")
def demo() -> Analysis:
    """The demo's full answer without a classifier (one is set per test)."""
    return analyse_company(load_profile(PARAMS / "demo.yaml"), use_model=False)


def _opinion(pick: str) -> SecondOpinion:
    probabilities = dict.fromkeys(("platform", "distribution", "independent_site", "hybrid"),
                                  0.1)
    probabilities[pick] = 0.7
    return SecondOpinion(primary=pick, probabilities=probabilities)


def test_an_agreeing_classifier_needs_no_explanation(demo: Analysis) -> None:
    agreeing = dataclasses.replace(demo, classifier=_opinion(demo.rec.primary))
    assert why_disagree(agreeing, Framework.load(), "en") == ()
    assert why_disagree(dataclasses.replace(demo, classifier=None), Framework.load(), "en") == ()


@pytest.mark.parametrize("lang", ["en", "zh"], ids=["en", "zh"])
def test_a_disagreement_is_explained_in_the_companys_money(demo: Analysis, lang: str) -> None:
    """For every other pick: the two models' cash at 36 months and one order's contribution and
    advertising from the company's own money plan, and what would settle it; the sentence says
    the money plan backs the pick only when its cash is higher."""
    fw = Framework.load()
    models = demo.economics.to_dict()["models"] if demo.economics else {}
    for pick in fw.models:
        if pick == demo.rec.primary:
            continue
        lines = why_disagree(dataclasses.replace(demo, classifier=_opinion(pick)), fw, lang)
        cash = {m: float(models[m]["cash_36m_usd"]) for m in (pick, demo.rec.primary)}
        text = " ".join(lines)
        assert money(cash[pick], lang) in text
        assert money(cash[demo.rec.primary], lang) in text
        contribution = float(models[pick]["per_order"]["contribution_usd"])
        assert money(contribution, lang) in text
        backs = cash[pick] > cash[demo.rec.primary]
        if lang == "en":
            assert text.startswith("Why they differ") is backs
            assert text.startswith("The money plan for this company does not back it") is not backs
            assert "What would settle it" in lines[-1]
        else:
            assert text.startswith("分歧原因") is backs
            assert "如何判断孰是孰非" in lines[-1]


def test_the_fields_behind_the_pick_are_shown_as_the_report_shows_them(demo: Analysis) -> None:
    """The drivers that pushed toward the pick are named with their values as a client reads
    them: markets by name, numbers without a trailing .0."""
    drivers = (Driver("target_markets", ["us", "eu"], ["us"], 0.2),
               Driver("avg_order_value_usd", 45.0, 40.0, 0.1),
               Driver("capital", 3, 3, -0.3))
    answer = dataclasses.replace(demo, classifier=_opinion("distribution"), drivers=drivers)
    en = " ".join(why_disagree(answer, Framework.load(), "en"))
    assert "Target markets United States, European Union" in en
    assert "45.0" not in en
    assert "['us'" not in en
    zh = " ".join(why_disagree(answer, Framework.load(), "zh"))
    assert "目标市场为美国、欧盟" in zh


@pytest.mark.parametrize(("pushes", "key"), [
    ((0.3, 0.1), "report.drivers_intro"),
    ((-0.3, -0.1), "report.drivers_intro_away"),
    ((0.3, -0.1), "report.drivers_intro_mixed"),
], ids=["toward", "away", "mixed"])
def test_the_drivers_heading_matches_the_signs(pushes: tuple[float, ...], key: str) -> None:
    """"The fields that pushed the classifier toward X most" heads only pushes toward X; five
    pushes away get a heading that says so (the defect of a table of pushes away under a
    'toward' heading)."""
    drivers = [Driver("capital", 3, 3, p) for p in pushes]
    assert drivers_intro_key(drivers) == key
