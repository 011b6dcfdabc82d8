"""The questionnaire a client fills in (`modelfit questionnaire --out FILE.xlsx`): one workbook in
the chosen language, one question a row, the allowed answers as drop-down lists (Excel data
validation), the help beside each, the profile fields first, then the four ratings, then the
assessment questions by criterion. `modelfit import FILE.xlsx` reads it back
(modelfit.inputs.form), so the layout below is that module's contract.
"""

from __future__ import annotations

from pathlib import Path

from modelfit.core.vocab import RATINGS
from modelfit.decision.framework import Framework
from modelfit.inputs.form import LISTS_SHEET, MARKER, REQUIRED
from modelfit.inputs.profile import FIELDS
from modelfit.inputs.rubric import Rubric, load_rubric, number_text
from modelfit.views.assessment import choices

TEXT = {
    "en": {"sheet": "Questionnaire", "question": "Question", "answer": "Answer", "help": "Help",
           "title": "Company profile and assessment: answer in the Answer column; a question left blank "
                    "takes its default or is derived from the other answers. Required: *",
           "company_id": "File name (company id)",
           "company_id_help": "lower-case letters, digits, - or _, starting with a letter or "
                              "digit (acme, lumen-skin)",
           "pick": "pick one from the list", "several": "one or more of: {items}; separate "
                                                      "them with ;",
           "rating_help": "1 (weak) to 5 (strong); leave blank to derive it from the answers "
                          "below (at least {n} answers)",
           "ratings": "Ratings (1–5)", "fields": "Company", "default": "default: {value}"},
    "zh": {"sheet": "问卷", "question": "问题", "answer": "回答", "help": "填写说明",
           "title": "企业档案与能力评估：请在“回答”一栏填写；留空的问题取默认值或由其他回答推算。"
                    "带 * 的为必答题",
           "company_id": "文件名（企业编号）",
           "company_id_help": "小写字母、数字、- 或 _，以字母或数字开头（如 acme、lumen-skin）",
           "pick": "从下拉列表中选择", "several": "可填多项：{items}；多项之间用；分隔",
           "rating_help": "1（弱）到 5（强）；留空则由下方回答推算（至少回答 {n} 题）",
           "ratings": "能力评分（1–5）", "fields": "企业概况", "default": "默认：{value}"},
}


def write(path: Path, fw: Framework, lang: str, rubric: Rubric | None = None) -> Path:
    """Write the blank questionnaire workbook at `path` (all or nothing: a temporary file
    renamed into place)."""
    import os
    import tempfile

    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    rubric = rubric or load_rubric()
    t = TEXT[lang]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = t["sheet"]
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    sheet.append([MARKER, t["question"], t["answer"], t["help"], ""])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["", t["title"], "", "", ""])
    sheet.cell(row=2, column=2).font = Font(italic=True)
    next_list = [1]

    def add(rid: str, question: str, options: list[tuple[str, str]], help_text: str) -> None:
        required = rid in REQUIRED
        column = ""
        if options:
            col = next_list[0]
            next_list[0] += 2
            for i, (label, value) in enumerate(options, start=1):
                lists.cell(row=i, column=col, value=label)
                lists.cell(row=i, column=col + 1, value=value)
            column = get_column_letter(col)
        sheet.append([rid, f"{question} *" if required else question, None, help_text, column])
        row = sheet.max_row
        if options and rid not in ("target_markets", "existing_channels"):
            rule = DataValidation(type="list", allow_blank=not required,
                                  formula1=f"{LISTS_SHEET}!${column}$1:${column}${len(options)}")
            rule.add(f"C{row}")
            sheet.add_data_validation(rule)

    def section(title: str) -> None:
        sheet.append(["", title, None, None, ""])
        sheet.cell(row=sheet.max_row, column=2).font = Font(bold=True)

    section(t["fields"])
    add("company_id", t["company_id"], [], t["company_id_help"])
    for spec in FIELDS:
        if spec.name in RATINGS:
            continue
        options = choices(spec.name, fw, lang)
        question = _field_title(fw, spec.name, lang)
        if spec.name in ("target_markets", "existing_channels"):
            help_text = t["several"].format(items=("、" if lang == "zh" else ", ").join(
                label for label, _ in options))
        elif options:
            help_text = t["pick"]
        else:
            help_text = spec.allowed if lang == "en" else _allowed_zh(spec.allowed)
        if spec.default not in (None, [], ""):
            shown = spec.default
            if isinstance(shown, list):
                names = dict((v, lab) for lab, v in options)
                shown = "、".join(str(names.get(x, x)) for x in shown)
            elif options:
                shown = dict((v, lab) for lab, v in options).get(str(shown), shown)
            elif isinstance(shown, float):
                shown = number_text(shown)
            help_text += ("；" if lang == "zh" else "; ") + t["default"].format(value=shown)
        add(spec.name, question, options, help_text)
    section(t["ratings"])
    for criterion in RATINGS:
        add(criterion, fw.criterion_name(criterion, lang), choices(criterion, fw, lang),
            t["rating_help"].format(n=rubric.min_answers))
    for criterion, questions in rubric.criteria.items():
        section(fw.criterion_name(criterion, lang))
        for q in questions:
            if q.options is not None:
                add(q.id, q.text[lang], [(o.label[lang], o.value) for o in q.options], t["pick"])
            else:
                key = "larger_stronger" if q.ascending else "smaller_stronger"
                add(q.id, q.text[lang], [], rubric.text(
                    "number", lang, min=number_text(q.min), max=number_text(q.max),
                    direction=rubric.text(key, lang)))
    sheet.column_dimensions["A"].hidden = True
    sheet.column_dimensions["E"].hidden = True
    for letter, width in (("B", 60), ("C", 28), ("D", 60)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:4]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C3"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _field_title(fw: Framework, name: str, lang: str) -> str:
    try:
        return fw.label(f"f_{name}", lang)
    except KeyError:
        return name


def _allowed_zh(allowed: str) -> str:
    """A free field's `allowed` text in Chinese."""
    for en, zh in (("an integer from ", "整数，"), ("a number from ", "数字，"),
                   ("a non-empty string of at most 200 characters", "不超过 200 字的名称")):
        if allowed.startswith(en):
            rest = allowed[len(en):]
            if " to " in rest:
                low, high = rest.split(" to ")
                return f"{zh}{low} 到 {high}"
            return zh + rest
    return allowed


__all__ = ["TEXT", "choices", "write"]
