"""The report's SMAA-2 figures and its side-by-side of the framework's and the client's weights
(modelfit.views.report's thin methods over modelfit.decision.robustness and modelfit.inputs.preferences)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import yaml

from modelfit.views import report

from .conftest import PARAMS

DEMO = yaml.safe_load((PARAMS / "demo.yaml").read_text("utf-8"))
RANKED = {**DEMO, "preferences": {"method": "rank", "order": [
    "supply_chain", "tech_data", "brand_content", "capital"]}}


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    """The demo report with and without client weights, in English and Chinese."""
    return {
        "plain": report.build("demo", DEMO),
        "client": report.build("demo", RANKED),
        "client_zh": report.build("demo", RANKED, lang="zh"),
    }


def test_winning_table_is_a_square_of_shares(built: dict[str, Any]) -> None:
    """One row and column per model in ranking order, a dash on the diagonal, and the
    platform-over-hybrid share equal to the JSON's winning index."""
    r = built["plain"]
    table = r.winning_table()
    assert isinstance(table, pd.DataFrame)
    assert table.shape == (4, 4)
    assert all(table.iat[i, i] == "–" for i in range(4))
    share = r.analysis.robustness.winning["platform"]["hybrid"]
    assert table.loc["Platform", "Hybrid"] == f"{100 * share:.1f}%"


def test_central_weights_table_has_a_dash_for_models_that_never_win(built: dict[str, Any]
                                                                   ) -> None:
    """A model that never comes first has a row of dashes; one that does has multiples (×)."""
    report = built["plain"]
    table = report.central_weights_table()
    for model, weights in report.analysis.robustness.central_weights.items():
        row = list(table.loc[report.fw.model_name(model, "en")])
        assert row == ["–"] * 4 if weights is None else all(v.endswith("×") for v in row)
    assert report.analysis.robustness.central_weights["platform"] is not None


def test_entropy_sentence_gives_bits(built: dict[str, Any]) -> None:
    """The entropy line quotes the first-place and ranking entropies to two decimals."""
    ent = built["plain"].analysis.robustness.entropy
    text = built["plain"].entropy().data
    assert f"{ent['choice']:.2f} bits" in text
    assert f"{ent['ranking']:.2f} bits" in text


def test_without_preferences_the_client_section_says_so(built: dict[str, Any]) -> None:
    """No `preferences:`: one sentence, no tables, and `client` null in the JSON."""
    r = built["plain"]
    assert "has set no weights of its own" in r.client_summary().data
    assert r.client_scores_table().data == ""
    assert r.to_dict()["client"] is None


def test_client_section_shows_both_answers_side_by_side(built: dict[str, Any]) -> None:
    """With a ranking of the criteria: the summary says the platform replaces the hybrid and
    why; the scores table has the framework's and the client's score and rank for every model."""
    r = built["client"]
    assert "Marketplace platform comes first instead of Hybrid" in r.client_summary().data
    scores = r.client_scores_table()
    assert list(scores.columns) == ["Framework: Score", "Framework: Rank", "Client: Score",
                                    "Client: Rank"]
    assert scores.loc["Marketplace platform", "Client: Rank"] == 1
    assert scores.loc["Hybrid", "Framework: Rank"] == 1
    weights = r.client_weights_table()
    assert weights.loc["Supply chain and product advantage", "Client: × framework weight"] == (
        "2.08×")
    assert r.to_dict()["client"]["primary"] == "platform"


def test_chinese_client_section(built: dict[str, Any]) -> None:
    """In Chinese the summary uses the article's model names, with no stray spaces."""
    text = built["client_zh"].client_summary().data
    assert "首选模式由混合模式变为平台模式" in text
    assert " 平台模式" not in text


def test_chinese_tables_use_full_width_colons(built: dict[str, Any]) -> None:
    """Chinese column headers join their parts with a full-width colon, never ': '."""
    columns = list(built["client_zh"].client_scores_table().columns)
    assert columns[0] == "框架:得分"
    assert not any(": " in c for c in columns)
