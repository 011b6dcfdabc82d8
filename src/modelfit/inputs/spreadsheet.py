"""Client spreadsheets in and out: one row per company, `company_id` first, one column per field.

`import_table` turns a CSV or Excel sheet into `params/<id>.yaml` profiles. Columns are the
profile fields (list fields written `us;eu`) and the assessment questions by id. Every problem
is named by row, column, value and what is allowed; with any problem nothing is written unless
`skip_bad` (then the good rows are written and the bad ones listed). Existing files are kept
unless `force`. Cells are data: a value starting with `=`, `+`, `-` or `@` is text, never a
formula (a number column accepts only a plain number such as `-5` or `12.5`), and on export
such text gets Excel's text marker (a leading `'`, which the import removes again).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from modelfit.core.errors import ModelfitError
from modelfit.core.files import place_all, staged_file
from modelfit.core.reading import check_zip, read_capped
from modelfit.core.vocab import BASE_CHANNELS, CATEGORIES, MARKETS, STAGES
from modelfit.inputs.profile import FIELD_NAMES, FIELDS, Profile, check_company_id
from modelfit.inputs.rubric import load_rubric

MAX_TABLE_BYTES = 5 * 1024 * 1024  # the file as it is on disk
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # what an .xlsx may unpack to (its XML, all sheets)
MAX_ROWS = 5000  # companies (non-empty rows) in one sheet
MAX_CELL_CHARS = 32_767  # as in Excel
FORMULA_START = ("=", "+", "-", "@")
LIST_FIELDS = tuple(f.name for f in FIELDS if f.kind == "list")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_INTEGER = re.compile(r"-?\d+")
_MAX_DIGITS = 40  # a plain number longer than this is no profile value (int() refuses 4300+)


@dataclass
class ImportResult:
    """What an import wrote, and the rows it left out (with `skip_bad`)."""

    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal."""
        line = f"wrote {len(self.written)} profile(s)"
        if self.skipped:
            line += f"; skipped {len(self.skipped)} bad row(s): {', '.join(self.skipped)}"
        return line


def columns() -> tuple[str, ...]:
    """Every column a client sheet may have, in order: company_id, the fields, the questions."""
    return ("company_id", *FIELD_NAMES, *load_rubric().questions)


# --- reading --------------------------------------------------------------------------------
def read_rows(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header and the non-empty rows (numbered as the sheet numbers them) of a CSV or XLSX.

    The file is read through core.reading (regular files only, at most MAX_TABLE_BYTES), an
    .xlsx refused when it would unpack to more than MAX_UNPACKED_BYTES; every non-empty row of
    the first visible sheet is read, whatever the sheet's stated dimension says."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise ModelfitError(f"{path}: must be a .csv or .xlsx file, got {path.suffix or 'no suffix'!r}")
    data = read_capped(path, MAX_TABLE_BYTES, "a client sheet")
    grid = _read_csv(path, data) if path.suffix.lower() == ".csv" else _read_xlsx(path, data)
    if not grid or not any(str(c or "").strip() for c in grid[0][1]):
        raise ModelfitError(f"{path}: no header row; the first row must name the columns, "
                            "starting with company_id")
    header = [_column_name(_plain(c).strip()) if c is not None else "" for c in grid[0][1]]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise ModelfitError(f"{path}: column(s) {', '.join(map(repr, twice))} appear more than "
                            "once in the header; each column once")
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, cells in grid[1:]:
        if not any(_blank(c) is not None for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ModelfitError(f"{path}: more than {MAX_ROWS} companies; split the sheet")
        for column, cell in enumerate(cells, start=1):
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                name = header[column - 1] if column <= len(header) else f"number {column}"
                raise ModelfitError(f"{path}: row {number}, column {name}: a cell of {len(cell)} "
                                    f"characters; a cell may hold at most {MAX_CELL_CHARS}")
        rows.append((number, {h: _blank(c) for h, c in zip(header, cells, strict=False) if h}))
    return header, rows


def _column_name(name: str) -> str:
    """A header cell as the column it names: a field or question id in any case, or a
    question written as the questionnaire words it, in English or Chinese."""
    known = columns()
    folded = {c.casefold(): c for c in known}
    if name.casefold() in folded:
        return folded[name.casefold()]
    for question in load_rubric().questions.values():
        if name in {text.strip() for text in question.text.values()}:
            return question.id
    return name


def _read_csv(path: Path, data: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelfitError(f"{path}: not UTF-8 text (byte offset {exc.start}); save the sheet as "
                            "CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    grid: list[tuple[int, list[Any]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            grid.append((number, list(cells)))
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            raise ModelfitError(f"{path}: line {line}: a cell of more than "
                                f"{csv.field_size_limit()} characters; a cell may hold at most "
                                f"{MAX_CELL_CHARS}") from None
        raise ModelfitError(f"{path}: line {line}: not readable as CSV ({exc})") from None
    return grid


class Percent(float):
    """A number read from a cell formatted as a percent (Excel stores 42% as 0.42): the value as
    typed, 42.0, so that a `_pct` column gets what the person saw."""


def _read_xlsx(path: Path, data: bytes) -> list[tuple[int, list[Any]]]:
    import openpyxl  # type: ignore[import-untyped]

    check_zip(path, data, MAX_UNPACKED_BYTES, "an .xlsx workbook")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        raise ModelfitError(f"{path}: not a readable .xlsx workbook "
                            f"({type(exc).__name__}: {str(exc)[:120]})") from None
    try:
        visible = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
        if not visible:
            raise ModelfitError(f"{path}: every sheet is hidden; the clients must be on the first "
                                "visible sheet")
        sheet = visible[0]
        sheet.reset_dimensions()  # the stated <dimension> is often out of date: read every row
        grid: list[tuple[int, list[Any]]] = []
        filled = 0
        for row in sheet.iter_rows():
            cells = [c for c in row if getattr(c, "row", None) is not None]
            if not cells:
                continue
            # A formula cell is read as its text (`=...`): never evaluated, never its cached value.
            values: list[Any] = [None] * max(c.column for c in cells)
            for c in cells:
                values[c.column - 1] = _typed(c)
            grid.append((cells[0].row, values))
            filled += any(_blank(x) is not None for x in values)
            if filled > MAX_ROWS + 1:  # the header and one company too many: read_rows says so
                break
        return grid
    except ModelfitError:
        raise
    except Exception as exc:
        raise ModelfitError(f"{path}: not a readable .xlsx workbook "
                            f"({type(exc).__name__}: {str(exc)[:120]})") from None
    finally:
        book.close()


def _typed(cell: Any) -> Any:
    value = cell.value
    if (isinstance(value, (int, float)) and not isinstance(value, bool)
            and "%" in str(getattr(cell, "number_format", "") or "")):
        return Percent(round(value * 100, 10))
    return value


def _blank(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else value


# --- cells to profile data -------------------------------------------------------------------
def _text(value: Any) -> str:
    text = value if isinstance(value, str) else _plain(value)
    if text.startswith("'") and text[1:2] in FORMULA_START:
        return text[1:]  # Excel's text marker, written by export_table
    return text


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(column: str, value: Any) -> tuple[Any, str | None]:
    """A cell as profile data, or the reason it cannot be (what is allowed). Read as a person
    typed it: a percent cell (42%) as 42 in a `_pct` column, a choice in any case (`Growth`),
    a list separated by `;` or `,` (`US; EU`, `us,eu`)."""
    spec = _FIELD_KIND.get(column)
    kind = spec if spec is not None else _question_kind(column)
    if kind in ("integer", "number"):
        if isinstance(value, bool):
            return None, f"must be {_allowed(column)}"
        if isinstance(value, Percent):
            if not column.endswith("_pct"):
                return None, (f"is a percent cell ({float(value):g}%); must be "
                              f"{_allowed(column)} (format the cell as a plain number)")
            return float(value), None
        if isinstance(value, (int, float)):
            return value, None
        text = str(value).strip()
        if column.endswith("_pct") and text.endswith("%"):
            text = text[:-1].strip()
        pattern = _INTEGER if kind == "integer" else _NUMBER
        if len(text) > _MAX_DIGITS or not pattern.fullmatch(text):
            return None, f"must be {_allowed(column)} (a plain number; formulas are not read)"
        return (int(text) if _INTEGER.fullmatch(text) else float(text)), None
    choices = _choices(column)
    if kind == "list":
        parts = [part.strip() for part in re.split(r"[;,]", _text(value)) if part.strip()]
        return [_canonical(part, choices) for part in parts], None
    return _canonical(_text(value), choices), None


def _canonical(text: str, choices: tuple[str, ...]) -> str:
    """`text` as the choice it names whatever its case (`Growth` -> growth), else unchanged (the
    profile's own check then names what is allowed)."""
    folded = {c.casefold(): c for c in choices}
    return folded.get(text.casefold(), text)


def _choices(column: str) -> tuple[str, ...]:
    fixed = {"stage": STAGES, "category": CATEGORIES, "target_markets": MARKETS,
             "existing_channels": BASE_CHANNELS}
    if column in fixed:
        return fixed[column]
    question = load_rubric().questions.get(column)
    return question.values() if question is not None and question.is_choice else ()


_FIELD_KIND = {f.name: ("integer" if f.kind == "integer" else "number" if f.kind == "number"
                        else "list" if f.kind == "list" else "text") for f in FIELDS}


def _question_kind(column: str) -> str:
    return "text" if load_rubric().questions[column].is_choice else "number"


def _allowed(column: str) -> str:
    spec = next((f for f in FIELDS if f.name == column), None)
    if spec is not None:
        return spec.allowed
    return load_rubric().questions[column].allowed()


def row_profile(source: str, row: dict[str, Any]) -> tuple[str, dict[str, Any], list[str]]:
    """One sheet row as (company id, profile data, problems), each problem naming the column."""
    problems: list[str] = []
    company_id = row.get("company_id")
    cid = _text(company_id) if company_id is not None else ""
    if not cid:
        problems.append(f"{source}, column company_id: empty; it must be a company id such as acme")
    else:
        try:
            check_company_id(cid, what=f"{source}, column company_id")
        except ModelfitError as exc:
            problems.extend(exc.problems)
    data: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    questions = load_rubric().questions
    for column, value in row.items():
        if column == "company_id" or value is None:
            continue
        parsed, error = _cell(column, value)
        if error is not None:
            problems.append(f"{source}, column {column}: {error}, got {_plain(value)!r}")
        elif column in questions:
            answers[column] = parsed
        else:
            data[column] = parsed
    if answers:
        data["assessment"] = answers
    return cid, data, problems


# --- import -----------------------------------------------------------------------------------
def import_table(
    path: str | Path, out_dir: str | Path, *, skip_bad: bool = False, force: bool = False,
) -> ImportResult:
    """Write `out_dir/<company_id>.yaml` for every row of the sheet at `path` (see the module)."""
    from modelfit.inputs.form import form_rows, is_form

    path, out = Path(path), Path(out_dir)
    if path.suffix.lower() == ".xlsx" and path.is_file() and is_form(_checked_xlsx(path)):
        header, rows = form_rows(path)  # the questionnaire workbook: one company
    else:
        header, rows = read_rows(path)
    known = columns()
    bad_columns = [_unknown_column(path, h, known) for h in header if h and h not in known]
    if "company_id" not in header:
        bad_columns.insert(0, f"{path}: no company_id column; the first row must name the "
                              "columns, starting with company_id")
    if bad_columns:
        raise ModelfitError(bad_columns)
    if out.exists() and not out.is_dir():
        raise ModelfitError(f"{out}: --out must be a folder")
    result = ImportResult()
    ready: list[tuple[Path, str]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        source = f"{path}: row {number}"
        cid, data, problems = row_profile(source, row)
        if cid in seen:
            problems.append(f"{source}, column company_id: {cid!r} is also row {seen[cid]}; "
                            "each company once")
        elif cid:
            seen[cid] = number
        # The profile's own rules too, except "missing" for a column whose cell was bad.
        bad = tuple(f"{source}: {p.split(', column ')[1].split(':')[0]} is missing"
                    for p in problems if ", column " in p)
        problems += [p for p in _check_profile(source, cid or "profile", data)
                     if not p.startswith(bad or "\0")]
        target = out / f"{cid}.yaml"
        if not problems and target.is_dir():
            problems.append(f"{source}: {target} is a folder; it cannot be replaced by a profile")
        elif not problems and target.exists() and not force:
            problems.append(f"{source}: {target} exists; pass --force to overwrite it")
        if problems:
            result.problems += problems
            result.skipped.append(f"row {number}")
            continue
        ready.append((target, profile_yaml(data, note=f"imported from {path.name} row {number}")))
    if result.problems and not skip_bad:
        raise ModelfitError(result.problems)
    out.mkdir(parents=True, exist_ok=True)
    _write_all(ready)
    result.written = [t for t, _ in ready]
    return result


def _checked_xlsx(path: Path) -> Path:
    """`path`, once its bytes are known to be a capped regular file that unpacks within the
    budget (what read_rows checks), before openpyxl opens it by name."""
    check_zip(path, read_capped(path, MAX_TABLE_BYTES, "a client sheet"), MAX_UNPACKED_BYTES,
              "an .xlsx workbook")
    return path


def _check_profile(source: str, cid: str, data: dict[str, Any]) -> list[str]:
    try:
        Profile.from_mapping(data, source=source, company_id=cid)
    except ModelfitError as exc:
        return list(exc.problems)
    return []


def _unknown_column(path: Path, name: str, known: tuple[str, ...]) -> str:
    message = f"{path}: column {name!r} is not a profile field or a question"
    close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; the columns are company_id, the profile fields and the question ids"


def _write_all(ready: list[tuple[Path, str]]) -> None:
    """Write every file beside its target first, then move them all into place or none
    (core.files: the old profiles are put back if one cannot be replaced)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in ready:
            staged.append((staged_file(target, text), target))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    place_all(staged)


def profile_yaml(data: dict[str, Any], *, note: str = "") -> str:
    """A params file for `data` (fields in reference order, then the answers), plain YAML."""
    lines = [f"# {note}"] if note else []
    for name in (*FIELD_NAMES, "assessment"):
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, list):  # lists on one line, as the examples write them
            flow = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000)
            lines.append(f"{name}: {flow.strip()}")
        else:
            lines.append(yaml.safe_dump({name: value}, allow_unicode=True, sort_keys=False,
                                        default_flow_style=False, width=1000).rstrip("\n"))
    return "\n".join(lines) + "\n"


# --- export -----------------------------------------------------------------------------------
def export_table(profiles: list[Profile], path: str | Path) -> Path:
    """Write profiles as a client sheet (.csv or .xlsx) that `import_table` reads back."""
    path = Path(path)
    cols = columns()
    rows: list[list[Any]] = []
    for profile in profiles:
        data = profile.params()
        answers = data.pop("assessment", {})
        row: list[Any] = []
        for col in cols:
            value = profile.company_id if col == "company_id" else answers.get(col, data.get(col))
            if isinstance(value, list):
                value = ";".join(value)
            row.append(value)
        rows.append(row)
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([[_safe(v) for v in r] for r in rows])
        path.write_text(buffer.getvalue(), "utf-8")
    elif path.suffix.lower() == ".xlsx":
        _write_xlsx(path, cols, rows)
    else:
        raise ModelfitError(f"{path}: must be a .csv or .xlsx file, got {path.suffix or 'no suffix'!r}")
    return path


def _safe(value: Any) -> Any:
    """A cell as written to CSV: text that a spreadsheet could run as a formula gets a `'`."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, float):
        return _plain(value)
    return value


def _write_xlsx(path: Path, cols: tuple[str, ...], rows: list[list[Any]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "clients"
    sheet.append(list(cols))
    for row in rows:
        sheet.append([None] * len(cols))
        for col, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=sheet.max_row, column=col)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with = + - @
                cell.quotePrefix = value.startswith(FORMULA_START)
    book.save(path)
