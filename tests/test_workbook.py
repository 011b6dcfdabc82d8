"""Excel workbooks (modelfit.deliver.workbook): five sheets, formatted, no formula from the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from modelfit import Framework
from modelfit.analysis import analyse_company
from modelfit.deliver.workbook import write
from modelfit.inputs.profile import Profile

from .conftest import profile_of

HOSTILE = "=cmd|' /C calc'!A0"


def _payload(company: str = "Test Co", cid: str = "test", stage: str = "growth") -> dict[str, Any]:
    p = profile_of(stage, capital=2, supply_chain=4)
    p = Profile.from_mapping({**p.fields(), "company": company}, company_id=cid)
    return analyse_company(p, use_model=False).to_dict()


@pytest.fixture(scope="module")
def payloads() -> list[dict[str, Any]]:
    """Two companies, one with a name that a spreadsheet would run as a formula."""
    return [_payload(), _payload(HOSTILE, "evil", "startup")]


def test_five_sheets_in_order(tmp_path: Path, payloads: list[dict[str, Any]],
                              framework: Framework) -> None:
    """Companies, scores, contributions, acceptability and roadmap flips, in that order."""
    wb = load_workbook(write(payloads, tmp_path / "p.xlsx", framework))
    assert wb.sheetnames == ["Companies", "Scores", "Contributions", "Share by rank",
                             "Roadmap flips"]


def test_chinese_workbook_has_chinese_sheets_and_model_names(
    tmp_path: Path, payloads: list[dict[str, Any]], framework: Framework,
) -> None:
    """zh: sheet titles and model names in Chinese."""
    wb = load_workbook(write(payloads, tmp_path / "p.xlsx", framework, "zh"))
    assert wb.sheetnames[0] == "企业"
    models = {row[3] for row in wb["企业"].iter_rows(min_row=2, values_only=True)}
    assert models <= {"平台模式", "分销模式", "独立站模式", "混合模式"}


def test_no_text_cell_is_a_formula(tmp_path: Path, payloads: list[dict[str, Any]],
                                   framework: Framework) -> None:
    """Formula injection: a name like =cmd|... is stored as text in every sheet, never as a
    formula, and no text cell starts with = + - @."""
    wb = load_workbook(write(payloads, tmp_path / "p.xlsx", framework))
    seen = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@"))
                    seen |= "cmd|" in cell.value
    assert seen


def test_readable_formatting(tmp_path: Path, payloads: list[dict[str, Any]],
                             framework: Framework) -> None:
    """Bold frozen header, a filter, shares as percents, scores to two decimals."""
    ws = load_workbook(write(payloads, tmp_path / "p.xlsx", framework))["Companies"]
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == ws.dimensions
    header = [c.value for c in ws[1]]
    confidence = ws.cell(2, header.index("Stays first across scenarios") + 1)
    assert confidence.number_format == "0%"
    assert 0 <= confidence.value <= 1
    assert ws.cell(2, header.index("Score") + 1).number_format == "0.00"


def test_contributions_sum_to_the_score(tmp_path: Path, payloads: list[dict[str, Any]],
                                        framework: Framework) -> None:
    """Each company's contribution rows for a model add up to its score on the scores sheet."""
    wb = load_workbook(write(payloads[:1], tmp_path / "p.xlsx", framework))
    scores = dict(zip([c.value for c in wb["Scores"][1]][2:],
                      [c.value for c in wb["Scores"][2]][2:], strict=True))
    totals: dict[str, float] = {}
    for _, _, model, _, points in wb["Contributions"].iter_rows(min_row=2, values_only=True):
        totals[model] = totals.get(model, 0.0) + points
    assert totals == pytest.approx(scores, abs=0.02)


def test_workbook_dates_come_from_the_run(tmp_path: Path, payloads: list[dict[str, Any]],
                                          framework: Framework) -> None:
    """The file's created/modified dates are the run's date, not the clock's."""
    day = dt.date(2026, 11, 29)
    wb = load_workbook(write(payloads, tmp_path / "p.xlsx", framework, date=day))
    assert wb.properties.created == dt.datetime(2026, 11, 29)


@pytest.mark.kernel
@pytest.mark.cluster
def test_batch_writes_portfolio_workbook_and_linked_page(tmp_path: Path) -> None:
    """`modelfit batch` writes portfolio.xlsx beside portfolio.csv, and portfolio.html links
    each company to its own report."""
    from modelfit.run.batch import render_batch

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "r"
    result = render_batch(root / "params", out, ids=["demo"], workers=1, root=root,
                          progress=False)
    assert result.ok, result.summary()
    wb = load_workbook(out / "portfolio.xlsx")
    assert wb.sheetnames[0] == "Companies"
    assert [c.value for c in wb["Companies"]["A"]][1:] == ["demo"]
    assert 'href="demo.html"' in (out / "portfolio.html").read_text("utf-8")
