"""Excel workbooks for readers: the portfolio (`modelfit batch` writes portfolio.xlsx) and one
company (`modelfit report --xlsx` writes <id>.xlsx).

Both are built from the reports' JSON payloads, so they show exactly what the reports show.
Sheets: companies, scores, contributions, acceptability and roadmap flips, with bold frozen
headers, filters, widths that fit, numbers as numbers (scores to 0.01, shares as percents).
Every text cell goes through `safe.spreadsheet_cell`: a name such as `=cmd|' /C calc'!A0` is
shown as text, never run as a formula. The file's dates are fixed (the run's date when given),
so the same reports give the same cells and properties.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modelfit.decision.framework import Framework

PERCENT = "0%"
PERCENT_1 = "0.0%"
POINTS = "0.00"
MAX_WIDTH = 60  # characters: longer texts wrap


def _label(fw: Framework, key: str, lang: str) -> str:
    return fw.label(key, lang)


def _sheets(
    payloads: Sequence[dict[str, Any]], fw: Framework, lang: str,
) -> list[tuple[str, list[str], list[list[Any]], dict[int, str]]]:
    """(title, header, rows, {column: number format}) for each sheet."""
    def name(model: str) -> str:
        return fw.model_name(model, lang) if model in fw.models else str(model)

    def criterion(term: str) -> str:
        if term == "stage_prior":
            return _label(fw, "stage_prior", lang)
        if term.startswith("screen_"):
            return f"{_label(fw, 'screen', lang)} {term.removeprefix('screen_')}"
        return fw.criterion_name(term, lang) if term in fw.criteria else term

    def order(term: str) -> tuple[int, str]:
        """stage prior, the framework's criteria in order, then screens."""
        if term == "stage_prior":
            return (0, "")
        if term in fw.criteria:
            return (1 + list(fw.criteria).index(term), "")
        return (1 + len(fw.criteria), term)

    def stage(value: str) -> str:
        return fw.stage_name(value, lang) if value in fw.stages else str(value)

    company, models = _label(fw, "company", lang), list(fw.models)
    companies: list[list[Any]] = []
    scores: list[list[Any]] = []
    contributions: list[list[Any]] = []
    acceptability: list[list[Any]] = []
    flips: list[list[Any]] = []
    for p in payloads:
        ranking = p["ranking"]
        rob = p.get("robustness") or {}
        opinion = p.get("classifier") or {}
        sc = p["scores"]
        margin = round(float(sc[ranking[0]]) - float(sc[ranking[1]]), 2)
        pick = opinion.get("primary")
        companies.append([
            p["company_id"], p["company"], stage(p["stage"]), name(p["primary"]),
            " + ".join(name(c) for c in p["channels"]), round(float(sc[p["primary"]]), 2),
            margin, name(ranking[1]), rob.get("confidence"),
            name(pick) if pick else "",
            round(float(opinion["probabilities"][pick]), 4) if pick else None,
        ])
        scores.append([p["company_id"], p["company"],
                       *[round(float(sc[m]), 2) for m in models]])
        for m in ranking:
            terms = (p.get("contributions") or {}).get(m, {})
            for term in sorted(terms, key=order):
                value = terms[term]
                contributions.append([p["company_id"], p["company"], name(m), criterion(term),
                                      round(float(value), 2)])
        for m in ranking:
            shares = (rob.get("acceptability") or {}).get(m)
            if shares:
                acceptability.append([p["company_id"], p["company"], name(m),
                                      *[round(float(x), 4) for x in shares]])
        for flip in rob.get("flips") or []:
            flips.append([p["company_id"], p["company"], "; ".join(
                f"{criterion(c)} → {v}" for c, v in flip["changes"].items()),
                name(flip["primary"])])
    rank = _label(fw, "rank", lang)
    return [
        (_label(fw, "x_companies", lang),
         ["id", company, _label(fw, "stage", lang), _label(fw, "primary", lang),
          _label(fw, "channels", lang), _label(fw, "score", lang), _label(fw, "x_lead", lang),
          _label(fw, "x_runner_up", lang), _label(fw, "sum_confidence", lang),
          _label(fw, "sum_classifier", lang), _label(fw, "classifier_probability", lang)],
         companies, {6: POINTS, 7: POINTS, 9: PERCENT, 11: PERCENT}),
        (_label(fw, "x_scores", lang), ["id", company, *[name(m) for m in models]], scores,
         {c: POINTS for c in range(3, 3 + len(models))}),
        (_label(fw, "x_contributions", lang),
         ["id", company, _label(fw, "model", lang), _label(fw, "criterion", lang),
          _label(fw, "points", lang)], contributions, {5: POINTS}),
        (_label(fw, "x_acceptability", lang),
         ["id", company, _label(fw, "model", lang),
          *[f"{rank} {r + 1}" for r in range(len(models))]], acceptability,
         {c: PERCENT_1 for c in range(4, 4 + len(models))}),
        (_label(fw, "x_flips", lang),
         ["id", company, _label(fw, "changes", lang), _label(fw, "becomes", lang)], flips, {}),
    ]


def build(
    payloads: Sequence[dict[str, Any]], fw: Framework, lang: str = "en",
    date: dt.date | None = None,
) -> Any:
    """An openpyxl Workbook with the five sheets over `payloads` (one per company)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    from modelfit.core.safe import spreadsheet_cell

    wb = Workbook()
    wb.remove(wb.active)
    when = dt.datetime.combine(date or dt.date(2000, 1, 1), dt.time())
    wb.properties.created = wb.properties.modified = when
    wb.properties.creator = "modelfit"
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    for title, header, rows, formats in _sheets(payloads, fw, lang):
        ws = wb.create_sheet(_sheet_title(title))
        ws.append([spreadsheet_cell(h) for h in header])
        for row in rows:
            ws.append([spreadsheet_cell(v) if isinstance(v, str) else v for v in row])
        widths = [len(str(h)) for h in header]
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                fmt = formats.get(cell.column)
                if fmt and isinstance(cell.value, (int, float)):
                    cell.number_format = fmt
                text = str(cell.value) if cell.value is not None else ""
                widths[cell.column - 1] = max(widths[cell.column - 1], _width(text))
                if _width(text) > MAX_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in ws[1]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, w + 2)
        ws.freeze_panes = "C2"
        if rows:
            ws.auto_filter.ref = ws.dimensions
    return wb


def write(
    payloads: Sequence[dict[str, Any]], path: Path, fw: Framework, lang: str = "en",
    date: dt.date | None = None,
) -> Path:
    """Write the workbook to `path` (through a temporary file beside it, then a rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    build(payloads, fw, lang, date).save(tmp)
    os.replace(tmp, path)
    return path


def _sheet_title(title: str) -> str:
    """An Excel sheet title: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31]


def _width(text: str) -> int:
    """Columns `text` takes: wide (CJK) characters count twice."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
