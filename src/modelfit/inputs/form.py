"""The questionnaire workbook read back (`modelfit import FILE.xlsx`): one company, one question a
row, written by `modelfit questionnaire --out FILE.xlsx` (modelfit.deliver.questionnaire_book).

The first sheet's hidden column A holds each row's field or question id, column C the client's
answer, hidden column E the column of the hidden `lists` sheet that holds the row's allowed
answers: each allowed answer's label (what the drop-down shows, in the workbook's language) and,
beside it, its value. An answer is read as its value whatever the language; a list field's
answers are separated by ; ， 、 or a comma. Cells are data: a formula is read as its text and
refused like any other answer that is not allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from modelfit.core.errors import ModelfitError

MARKER = "modelfit-questionnaire"
LISTS_SHEET = "lists"
REQUIRED = ("company_id", "company", "stage")  # unanswered, these are refused by name
LIST_FIELDS = ("target_markets", "existing_channels")
MAX_FORM_ROWS = 200
_SPLIT = re.compile(r"\s*[;；,，、]\s*")


def is_form(path: Path) -> bool:
    """Whether the .xlsx at `path` is a questionnaire workbook (its first cell is the marker)."""
    import zipfile

    import openpyxl  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False
    try:
        first: tuple[Any, ...] = next(
            book.worksheets[0].iter_rows(max_row=1, max_col=1, values_only=True), ())
        return len(first) > 0 and first[0] == MARKER
    finally:
        book.close()


def form_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The questionnaire at `path` as the importer's (header, rows): one row, the company.
    Unanswered required questions are refused, each named by its question and id."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        lists = _lists(book[LISTS_SHEET]) if LISTS_SHEET in book.sheetnames else {}
        answers: dict[str, Any] = {}
        missing: list[str] = []
        for number, cells in enumerate(book.worksheets[0].iter_rows(min_row=2, values_only=True),
                                       start=2):
            if number > MAX_FORM_ROWS:
                break
            cells = (*cells, None, None, None, None, None)[:5]
            rid, question, answer, _, column = cells
            if not isinstance(rid, str) or not rid.strip():
                continue  # a section heading
            rid = rid.strip()
            value = _answer(answer, lists.get(str(column or ""), {}), rid)
            if value is None:
                if rid in REQUIRED:
                    missing.append(f"{path}: row {number}, question {str(question or rid)!r} "
                                   f"({rid}) is not answered; it is required")
                continue
            answers[rid] = value
    finally:
        book.close()
    if missing:
        raise ModelfitError(missing)
    return ["company_id", *(k for k in answers if k != "company_id")], [(2, answers)]


def _lists(sheet: Any) -> dict[str, dict[str, str]]:
    """Column letter of each label column -> {label: value} (values map to themselves too)."""
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    columns: dict[int, list[Any]] = {}
    for row in sheet.iter_rows(values_only=True):
        for i, cell in enumerate(row, start=1):
            columns.setdefault(i, []).append(cell)
    out: dict[str, dict[str, str]] = {}
    for i in range(1, len(columns) + 1, 2):
        labels, values = columns.get(i, []), columns.get(i + 1, [])
        pairs = {str(v): str(v) for v in values if v is not None}
        pairs.update({str(lab): str(v) for lab, v in zip(labels, values, strict=False)
                      if lab is not None and v is not None})
        out[get_column_letter(i)] = pairs
    return out


def _answer(answer: Any, allowed: dict[str, str], rid: str) -> Any:
    """An answer cell as the importer reads it: a choice's value, a list joined by `;`."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None
    if not allowed:
        return answer.strip() if isinstance(answer, str) else answer
    if rid in LIST_FIELDS:
        parts = [p for p in _SPLIT.split(str(answer).strip()) if p]
        return ";".join(allowed.get(p, p) for p in parts)
    text = str(answer).strip()
    if isinstance(answer, float) and answer.is_integer():
        text = str(int(answer))
    return allowed.get(text, text)


__all__ = ["LISTS_SHEET", "MARKER", "REQUIRED", "form_rows", "is_form"]
