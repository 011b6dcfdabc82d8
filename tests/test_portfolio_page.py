"""The portfolio page as a deliverable (modelfit.views.portfolio): names, percents, links, order."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelfit import Framework
from modelfit.views.portfolio import Portfolio, attention, attention_order


def _row(cid: str, company: str, primary: str, runner_up: str, margin: float,
         confidence: float, classifier: str | None = None, stage: str = "growth") -> dict[str, Any]:
    scores = {"platform": 50.0, "distribution": 45.0, "independent_site": 40.0, "hybrid": 42.0}
    scores[primary] = 60.0
    scores[runner_up] = 60.0 - margin
    return {"company_id": cid, "company": company, "stage": stage, "primary": primary,
            "channels": primary, **{f"score_{m}": v for m, v in scores.items()},
            "margin": margin, "runner_up": runner_up, "confidence": confidence,
            "classifier_primary": classifier,
            "classifier_agrees": None if classifier is None else classifier == primary}


@pytest.fixture
def table() -> pd.DataFrame:
    """Four companies: one clear, one low-confidence, one close call, one the classifier doubts."""
    return pd.DataFrame([
        _row("clear", "Clear Co", "independent_site", "hybrid", 8.0, 0.99, "independent_site"),
        _row("low", "Low Co", "platform", "hybrid", 2.0, 0.7, "platform"),
        _row("close", "Close Co", "hybrid", "platform", 0.5, 0.55, "hybrid"),
        _row("doubt", "Doubt Co", "distribution", "platform", 3.0, 0.9, "platform"),
    ]).set_index("company_id")


def _rows(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(k): v for k, v in table.to_dict("index").items()}


def test_attention_reasons(table: pd.DataFrame) -> None:
    """Close call (margin < 1 or confidence < 0.6), low confidence (< 0.8), classifier doubts."""
    rows = _rows(table)
    assert attention(rows["close"]) == ["p_close"]
    assert attention(rows["low"]) == ["p_low"]
    assert attention(rows["doubt"]) == ["p_disagrees"]
    assert attention(rows["clear"]) == []


def test_companies_that_need_attention_come_first(table: pd.DataFrame) -> None:
    """Close calls, then low confidence, then a doubting classifier, then the clear ones."""
    assert attention_order(table) == ["close", "low", "doubt", "clear"]


def test_unknown_confidence_sorts_as_sure() -> None:
    """A report without robustness (NaN confidence) is ordered by its margin alone."""
    t = pd.DataFrame([_row("a", "A", "platform", "hybrid", 5.0, np.nan),
                      _row("b", "B", "platform", "hybrid", 0.2, np.nan)]).set_index("company_id")
    assert attention_order(t) == ["b", "a"]


def test_companies_table_shows_names_percents_and_links(
    table: pd.DataFrame, framework: Framework,
) -> None:
    """Display names (not ids), confidence as a whole percent, each company linked to <id>.html."""
    html = Portfolio(table, framework, "en", links=True).companies().data
    assert "independent_site" not in html
    assert "Own brand site (DTC)" in html
    assert "55%" in html
    assert "0.55" not in html
    assert '<a href="close.html">Close Co</a>' in html
    assert html.index("Close Co") < html.index("Clear Co")


def test_companies_table_without_reports_has_no_links(
    table: pd.DataFrame, framework: Framework,
) -> None:
    """Scored straight from profiles there are no report files, so no links."""
    assert "<a " not in Portfolio(table, framework, "en").companies().data


def test_chinese_portfolio_uses_chinese_names(table: pd.DataFrame, framework: Framework) -> None:
    """zh: title, model and stage names and the attention reasons in Chinese."""
    pf = Portfolio(table, framework, "zh", links=True)
    assert pf.heading().data.replace("\\", "") == "# 企业组合：共 4 家企业"
    html = pf.companies().data
    assert "独立站模式" in html
    assert "成长期" in html
    assert "难分高下" in html
    assert list(pf.mix().index) == ["平台模式", "分销模式", "独立站模式", "混合模式"]


def test_hostile_company_name_is_escaped_in_the_table(framework: Framework) -> None:
    """A name holding markup shows as text; the link's address is the plain id."""
    t = pd.DataFrame([_row("x", '<img src=x onerror=alert(1)>"', "platform", "hybrid", 5.0,
                           0.9)]).set_index("company_id")
    html = Portfolio(t, framework, "en", links=True).companies().data
    assert "<img" not in html
    assert re.search(r'<a href="x\.html">&lt;img', html)


def test_sections_are_translated_labels(table: pd.DataFrame, framework: Framework) -> None:
    """section() takes a label key and shows it in the portfolio's language."""
    assert Portfolio(table, framework, "zh").section("p_mix").data == "## 推荐模式分布"
    assert Portfolio(table, framework, "en").section("p_mix").data == (
        "## The mix of recommended models")


def test_near_boundary_shows_names_and_percents(table: pd.DataFrame, framework: Framework) -> None:
    """Companies near a boundary by display name, with margin and confidence readable."""
    near = Portfolio(table, framework, "en").near_boundary()
    assert isinstance(near, pd.DataFrame)
    assert list(near.index) == ["Close Co", "Low Co"]
    assert near.iloc[0].tolist() == ["Hybrid", "Marketplace platform", "0.5", "55%"]


@pytest.mark.parametrize(("margin", "confidence", "reasons"), [
    # README: a close call when the confidence is under 60% or the lead under one point
    (5.0, 0.59, ["p_close"]),
    (5.0, 0.6, ["p_low"]),   # 60% is no close call, but under the summary's 80%
    (5.0, 0.61, ["p_low"]),
    (0.99, 0.95, ["p_close"]),
    (1.0, 0.95, []),
    (1.5, 0.61, ["p_low"]),
])
def test_attention_uses_the_documented_close_call_thresholds(
    margin: float, confidence: float, reasons: list[str], framework: Framework,
) -> None:
    """The portfolio flags a close call at the README's thresholds, written here as literals,
    and its table says so in words."""
    row = _row("c", "C Co", "hybrid", "platform", margin, confidence, "hybrid")
    assert attention(row) == reasons
    html = Portfolio(pd.DataFrame([row]).set_index("company_id"), framework, "en").companies().data
    assert ("close call" in html) is (reasons == ["p_close"])
