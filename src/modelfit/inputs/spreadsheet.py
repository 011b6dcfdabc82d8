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
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from modelfit.core.errors import ModelfitError
from modelfit.inputs.profile import FIELD_NAMES, FIELDS, Profile, check_company_id
from modelfit.inputs.rubric import load_rubric

MAX_TABLE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
FORMULA_START = ("=", "+", "-", "@")
LIST_FIELDS = tuple(f.name for f in FIELDS if f.kind == "list")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_INTEGER = re.compile(r"-?\d+")


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
    """The header and the non-empty rows (numbered as the sheet numbers them) of a CSV or XLSX."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise ModelfitError(f"{path}: must be a .csv or .xlsx file, got {path.suffix or 'no suffix'!r}")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ModelfitError(f"{path}: no such file") from None
    if size > MAX_TABLE_BYTES:
        raise ModelfitError(f"{path}: the file is {size} bytes; at most {MAX_TABLE_BYTES} are read")
    grid = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xlsx(path)
    if not grid or not any(str(c or "").strip() for c in grid[0]):
        raise ModelfitError(f"{path}: no header row; the first row must name the columns, "
                            "starting with company_id")
    header = [str(c or "").strip() for c in grid[0]]
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, cells in enumerate(grid[1:], start=2):
        if not any(_blank(c) is not None for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ModelfitError(f"{path}: more than {MAX_ROWS} companies; split the sheet")
        rows.append((number, {h: _blank(c) for h, c in zip(header, cells, strict=False) if h}))
    return header, rows


def _read_csv(path: Path) -> list[list[Any]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelfitError(f"{path}: not UTF-8 text (byte offset {exc.start}); save the sheet as "
                            "CSV UTF-8") from None
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _read_xlsx(path: Path) -> list[list[Any]]:
    import zipfile

    import openpyxl  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ModelfitError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        grid = []
        for row in sheet.iter_rows():
            # A formula cell is read as its text (`=...`): never evaluated, never its cached value.
            grid.append([c.value for c in row])
            if len(grid) > MAX_ROWS + 1:
                break
        return grid
    finally:
        book.close()


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
    """A cell as profile data, or the reason it cannot be (what is allowed)."""
    spec = _FIELD_KIND.get(column)
    kind = spec if spec is not None else _question_kind(column)
    if kind in ("integer", "number"):
        if isinstance(value, bool):
            return None, f"must be {_allowed(column)}"
        if isinstance(value, (int, float)):
            return value, None
        text = str(value).strip()
        pattern = _INTEGER if kind == "integer" else _NUMBER
        if not pattern.fullmatch(text):
            return None, f"must be {_allowed(column)} (a plain number; formulas are not read)"
        return (int(text) if _INTEGER.fullmatch(text) else float(text)), None
    if kind == "list":
        return [part.strip() for part in _text(value).split(";") if part.strip()], None
    return _text(value), None


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
    if path.suffix.lower() == ".xlsx" and path.is_file() and is_form(path):
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
        if not problems and target.exists() and not force:
            problems.append(f"{source}: {target} exists; pass --force to overwrite it")
        if problems:
            result.problems += problems
            result.skipped.append(f"row {number}")
            continue
        ready.append((target, profile_yaml(data, note=f"imported from {path.name} row {number}")))
    if result.problems and not skip_bad:
        raise ModelfitError(result.problems)
    out.mkdir(parents=True, exist_ok=True)
    _write_all(ready, out)
    result.written = [t for t, _ in ready]
    return result


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


def _write_all(ready: list[tuple[Path, str]], out: Path) -> None:
    """Write every file beside its target first, then move them into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for target, text in ready:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".yaml", dir=out)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            staged.append((tmp, target))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


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
