"""The questionnaire a client fills in (issue 24, item 4): `modelfit questionnaire --out
FILE.xlsx` writes a workbook in the chosen language with drop-down lists and help beside each
question; `modelfit import FILE.xlsx` reads it back and refuses unanswered required questions
by name. A blank workbook round-trips: filled in with openpyxl, imported, recommended."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from modelfit import Framework, load_profile, recommend
from modelfit.cli import main
from modelfit.core.errors import ModelfitError
from modelfit.core.wording import problems
from modelfit.inputs.form import LISTS_SHEET, MARKER
from modelfit.inputs.spreadsheet import import_table


def _blank(tmp_path: Path, lang: str) -> Path:
    out = tmp_path / f"q-{lang}.xlsx"
    assert main(["questionnaire", "--lang", lang, "--out", str(out)]) == 0
    return out


def _rows(book: openpyxl.Workbook) -> dict[str, int]:
    sheet = book.worksheets[0]
    return {str(row[0].value): row[0].row for row in sheet.iter_rows(min_row=2)
            if row[0].value}


def _options(book: openpyxl.Workbook, row: int) -> list[str]:
    """The drop-down's labels of a row (from the hidden lists sheet)."""
    sheet, lists = book.worksheets[0], book[LISTS_SHEET]
    column = sheet.cell(row=row, column=5).value
    return [c.value for c in lists[column] if c.value is not None]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_workbook_has_drop_downs_and_help_in_the_language(tmp_path: Path, lang: str) -> None:
    """Every choice question has a list validation on its answer cell, every row its help, and
    the Chinese workbook's questions, answers and help pass the wording lint (no `startup`,
    `sea, mea` left without Chinese)."""
    book = openpyxl.load_workbook(_blank(tmp_path, lang))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == MARKER
    rows = _rows(book)
    validated = {str(c) for dv in sheet.data_validations.dataValidation for c in dv.sqref.ranges}
    assert f"C{rows['stage']}" in validated
    assert f"C{rows['cap_financing']}" in validated  # a rubric choice question
    stage = _options(book, rows["stage"])
    assert stage == (["Start-up (0→1)", "Growth (1→10)", "Mature (10→100)"] if lang == "en"
                     else ["初创期（0-1）", "成长期（1-10）", "成熟期（10-100）"])
    for rid, row in rows.items():
        assert sheet.cell(row=row, column=4).value, rid  # help beside each question
    texts = [str(c.value) for r in sheet.iter_rows(min_row=2) for c in r[1:4] if c.value]
    texts += [str(c.value) for col in book[LISTS_SHEET].iter_cols(max_col=None)
              for c in col if c.value and c.column % 2 == 1]
    examples = {"acme", "lumen-skin"}  # the file name's examples are ids, not words
    assert [(t, p) for t in texts if (p := problems(t, lang, allowed=examples))] == []


def _fill(path: Path, *, skip: str = "") -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for rid, row in _rows(book).items():
        if rid == skip:
            continue
        options = _options(book, row) if sheet.cell(row=row, column=5).value else []
        if rid == "company_id":
            value: object = "acme"
        elif rid == "company":
            value = "Acme 深圳"
        elif rid == "stage":
            value = options[1]  # growth
        elif rid in ("target_markets", "existing_channels"):
            value = "；".join(options[:2])
        elif options:
            value = options[len(options) // 2]
        else:
            help_text = str(sheet.cell(row=row, column=4).value)
            value = 3 if ("1" in help_text or "数字" in help_text or "number" in help_text) else None
            if rid in ("avg_order_value_usd", "gross_margin_pct", "marketing_budget_usd",
                       "team_size"):
                value = {"avg_order_value_usd": 45, "gross_margin_pct": 48,
                         "marketing_budget_usd": 8000, "team_size": 12}[rid]
        sheet.cell(row=row, column=3, value=value)
    book.save(path)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_filled_questionnaire_imports_and_recommends(tmp_path: Path, lang: str) -> None:
    """Filled in with openpyxl (the drop-downs' labels in the workbook's language), imported
    into a profile, which loads and gets a recommendation."""
    path = _blank(tmp_path, lang)
    _fill(path)
    result = import_table(path, tmp_path / "params")
    assert [p.name for p in result.written] == ["acme.yaml"]
    profile = load_profile(tmp_path / "params" / "acme.yaml")
    assert profile.company == "Acme 深圳"
    assert profile.stage == "growth"
    assert profile.capital == 3  # the middle of 1..5
    assert list(profile.target_markets) == ["us", "eu"]
    rec = recommend(profile, Framework.load(), lang=lang)
    assert rec.primary in ("platform", "distribution", "independent_site", "hybrid")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unanswered_required_question_is_refused_by_name(tmp_path: Path, lang: str) -> None:
    """Stage left blank: the import names the question (in the workbook's words) and its id,
    and writes nothing."""
    path = _blank(tmp_path, lang)
    _fill(path, skip="stage")
    question = "Stage" if lang == "en" else "发展阶段"
    with pytest.raises(ModelfitError, match=rf"question '{question} \*' \(stage\) is not "
                                            r"answered; it is required"):
        import_table(path, tmp_path / "params")
    assert not (tmp_path / "params").exists()
