"""The one-page summary: plan, how sure, three next steps, headline figures (modelfit.views.summary)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelfit import Framework
from modelfit.analysis import Analysis, analyse_company
from modelfit.core.errors import FrameworkError
from modelfit.decision.recommend import channel_name
from modelfit.inputs.profile import Profile
from modelfit.views.summary import (
    figures_table,
    plan_markdown,
    points,
    steps_markdown,
    summarise,
    sureness_level,
)

from .conftest import close_call_variant, profile_of

ROOT = Path(__file__).resolve().parents[1]
CLOSE = {"capital": 3, "supply_chain": 4, "brand_content": 3, "tech_data": 3}  # growth: 0.5 apart


def _analyse(profile: Profile, fw: Framework, lang: str = "en") -> Analysis:
    return analyse_company(profile, fw, lang=lang, use_model=False)


def test_plan_lists_core_channel_first_then_auxiliaries(framework: Framework) -> None:
    """The plan is the recommendation's channels, named as the recommendation names them (a
    distribution entry by its kind): the first is core, the others auxiliary."""
    p = profile_of("startup", capital=2, supply_chain=4, brand_content=3, tech_data=2)
    a = _analyse(p, framework)
    s = summarise(a, p, framework, "en")
    assert [line.channel for line in s.plan] == [channel_name(framework, d, "en")
                                                 for d in a.rec.channel_details]
    assert any(d.kind is not None for d in a.rec.channel_details)
    assert [line.role for line in s.plan] == ["core"] + ["auxiliary"] * (len(s.plan) - 1)


def test_summary_has_exactly_three_steps(framework: Framework) -> None:
    """Every summary gives three next steps, none empty, at every stage."""
    for stage in ("startup", "growth", "mature"):
        p = profile_of(stage)
        s = summarise(_analyse(p, framework), p, framework, "en")
        assert len(s.steps) == 3
        assert all(step.strip() for step in s.steps)


def test_close_call_is_low_confidence_and_asks_to_test_the_challenger(
    framework: Framework,
) -> None:
    """A close call (0.5 points apart) reads 'low'; the third step tests the challenger on a
    small budget when the company does not run what it needs yet, and otherwise measures the
    channels it already runs before moving money (never 'test the platform' to a platform
    seller)."""
    p = profile_of("growth", existing=("platform",), **{**CLOSE, "supply_chain": 5})
    a = _analyse(p, framework)  # platform 64, hybrid 62: the dual track needs an own site
    assert sureness_level(a) == "low"
    s = summarise(a, p, framework, "en")
    challenger = framework.model_name(a.robustness.challenger, "en")
    assert s.steps[2].startswith("Before committing heavy money, test " + challenger)
    p = profile_of("growth", existing=("platform", "independent_site"), **CLOSE)
    a = _analyse(p, framework)
    assert sureness_level(a) == "low"
    s = summarise(a, p, framework, "en")
    assert s.steps[2].startswith("Before moving money between channels")


def test_clear_answer_without_classifier_is_high_confidence(framework: Framework) -> None:
    """Primary first in over 80% of scenarios (a mature company strong on everything), no
    classifier: 'high'."""
    p = profile_of("mature", capital=4, supply_chain=4, brand_content=4, tech_data=4)
    assert sureness_level(_analyse(p, framework)) == "high"


def test_last_stage_step_says_scale_and_defend(framework: Framework) -> None:
    """At the mature stage there is no next stage: the third step is the last-stage text."""
    p = profile_of("mature")
    s = summarise(_analyse(p, framework), p, framework, "en")
    assert s.steps[2] == framework.text("report.summary_step_last", "en")


def test_build_step_names_the_weakest_capability_the_next_plan_leans_on(
    framework: Framework,
) -> None:
    """Demo-like growth company with tech 2: the build step raises tech from 2 to 4."""
    p = profile_of("growth", capital=3, supply_chain=4, brand_content=3, tech_data=2)
    s = summarise(_analyse(p, framework), p, framework, "en")
    assert s.steps[1].startswith("Raise Technology and data operations from 2 to 4")


def test_every_headline_figure_points_at_a_report_section(framework: Framework) -> None:
    """Each figure names a section heading the report has (so the details develop it)."""
    headings = {framework.label(k, "en") for k in
                ("h_recommendation", "h_robustness", "h_second_opinion", "h_roadmap")}
    p = profile_of("growth")
    s = summarise(_analyse(p, framework), p, framework, "en")
    assert s.figures
    assert {f.section for f in s.figures} <= headings


def test_headline_score_matches_the_recommendation(framework: Framework) -> None:
    """The first figure is the primary's score out of 100, to one decimal, no trailing .0."""
    p = profile_of("growth", **CLOSE)
    a = _analyse(p, framework)
    s = summarise(a, p, framework, "en")
    assert s.figures[0].value == f"{points(a.rec.scores[a.rec.primary], 'en')} / 100"


@given(st.floats(min_value=-200, max_value=200, allow_nan=False))
def test_points_never_end_in_dot_zero(value: float) -> None:
    """Points read '70', never '70.0' (STYLE: no `.0 分`), and never '-0'."""
    text = points(value, "zh")
    assert not text.endswith(".0")
    assert text != "-0"
    assert abs(float(text) - value) <= 0.05 + 1e-9


def test_chinese_summary_reads_as_chinese(framework: Framework) -> None:
    """zh: no doubled colons, no '.0 分', no minus before 分, the article's model names."""
    p = profile_of("growth", **CLOSE)
    a = _analyse(p, framework, "zh")
    s = summarise(a, p, framework, "zh")
    text = "\n".join([plan_markdown(s, framework, "zh"), steps_markdown(s, framework, "zh"),
                      figures_table(s, framework, "zh").to_string()])
    assert "::" not in text
    assert "::" not in text
    assert not re.search(r"\.0 ?分", text)
    assert not re.search(r"-\d[\d.]* ?分", text)
    assert re.search("平台模式|独立站模式|分销模式|混合模式", text)


def test_plan_markdown_escapes_framework_text(
    edited_framework: Callable[[Callable[[dict[str, Any]], None]], Path],
) -> None:
    """A model role with HTML and a link in an edited framework shows as text, not live."""
    def edit(data: dict[str, Any]) -> None:
        for model in data["models"]:
            model["role"]["en"] = "<img src=x onerror=alert(1)> [x](javascript:alert(1))"

    import mistune

    fw = Framework.load(edited_framework(edit))
    p = profile_of("growth")
    md = plan_markdown(summarise(_analyse(p, fw), p, fw, "en"), fw, "en")
    html = str(mistune.html(md))
    assert "<img" not in html
    assert "<a " not in html
    assert "javascript:alert(1)" in html  # shown as text


def test_edited_framework_without_summary_texts_is_refused_at_load(
    edited_framework: Callable[[Callable[[dict[str, Any]], None]], Path],
) -> None:
    """An edited framework copied before the summary existed is refused when it is loaded,
    naming the missing text (not half-way through a report)."""
    def edit(data: dict[str, Any]) -> None:
        del data["texts"]["report"]["summary_step_build"]

    with pytest.raises(FrameworkError, match=r"texts\.report\.summary_step_build is missing"):
        Framework.load(edited_framework(edit))


def test_report_notebook_opens_with_the_summary() -> None:
    """The report notebook's cells: the cover, then the summary, then the details (tagged)."""
    import modelfit.deliver.notebooks as module

    sources = [(c.source, c.metadata.get("tags", [])) for c in module.company_report().cells]
    names = [s for s, _ in sources]
    start = names.index("r.cover()")
    assert names[start + 1:start + 5] == ['r.heading("h_summary")', "r.summary_plan()",
                                          "r.summary_steps()", "r.summary_figures()"]
    assert sources[start + 5] == ('r.heading("h_glance")', ["modelfit-details"])


@pytest.mark.parametrize(("confidence", "margin", "level"), [
    (0.59, 5.0, "low"),    # README: a close call when the confidence is under 60% ...
    (0.6, 5.0, "medium"),  # ... which 60% is not; under 80% without a classifier: medium
    (0.95, 0.99, "low"),   # ... or the primary is less than a point ahead
    (0.95, 1.0, "high"),
])
def test_summary_says_low_exactly_at_the_documented_close_call_thresholds(
    framework: Framework, confidence: float, margin: float, level: str,
) -> None:
    """The summary's sureness is 'low' (and its first sentence the close-call one, its third
    step a test of the challenger) below 60% or a one-point lead, with the documented figures as
    literals rather than the module's constants."""
    import dataclasses

    p = profile_of("growth", existing=("platform",))
    a = _analyse(p, framework)
    a = dataclasses.replace(a, robustness=close_call_variant(a.robustness, confidence, margin))
    assert sureness_level(a) == level
    s = summarise(a, p, framework, "en")
    assert s.sureness[0].startswith("Too close to call") is (level == "low")
    assert s.steps[2].startswith(("Before committing heavy money, test ",
                                  "Before moving money between channels")) is (level == "low")
