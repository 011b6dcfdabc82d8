"""Issue 25 (hostile inputs, third round) for `import`: special files, a zip that inflates past
the budget, rows dropped in silence, a half-applied --force, tracebacks instead of one line, and
spreadsheet values read as a person typed them. Each test names the item it reproduces."""

from __future__ import annotations

import io
import os
import re
import signal
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from modelfit import ModelfitError
from modelfit.cli import main
from modelfit.core import files
from modelfit.core.errors import RunError
from modelfit.inputs.profile import load_profile
from modelfit.inputs.spreadsheet import MAX_UNPACKED_BYTES, import_table, read_rows

HEADER = ["company_id", "company", "stage", "capital", "supply_chain", "brand_content",
          "tech_data", "target_markets"]
ROW = ["acme", "Acme", "growth", 3, 3, 3, 3, "us"]


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail instead of hanging: what used to block for ever gets 20 seconds."""
    def expire(*_: Any) -> None:
        raise TimeoutError("blocked: the call did not return within 20 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def workbook(*rows: list[Any], hidden_first: bool = False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if hidden_first:
        sheet.title = "old"
        sheet.append(HEADER)
        sheet.append(["ghost", *ROW[1:]])
        sheet.sheet_state = "hidden"
        sheet = book.create_sheet("clients")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheets(data: bytes, change: Any) -> bytes:
    """`data` with every worksheet's XML passed through `change` (bytes -> bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = change(body)
            dst.writestr(info, body)
    return out.getvalue()


# --- item 1: pipes and devices ------------------------------------------------------------------
def test_item1_a_fifo_named_csv_is_refused_at_once(tmp_path: Path, deadline: None) -> None:
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    with pytest.raises(ModelfitError, match=rf"^{fifo}: is not a regular file \(a pipe"):
        import_table(fifo, tmp_path / "out")


def test_item1_a_link_to_dev_zero_is_refused_before_reading(tmp_path: Path,
                                                            deadline: None) -> None:
    link = tmp_path / "z.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(ModelfitError, match=rf"^{link}: is not a regular file"):
        import_table(link, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- item 2: a zip that inflates past the budget --------------------------------------------------
def test_item2_an_xlsx_with_a_huge_cell_is_refused_by_what_it_unpacks_to(tmp_path: Path) -> None:
    """A workbook of about 100 KB whose one cell unpacks to more than the budget."""
    big = b"A" * (MAX_UNPACKED_BYTES + 1)
    data = rewrite_sheets(workbook(HEADER, ["acme", "HUGE"]),
                          lambda xml: xml.replace(b"HUGE", big))
    assert len(data) < 500_000
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    for read in (read_rows, lambda p: import_table(p, tmp_path / "out")):
        with pytest.raises(ModelfitError, match=rf"^{path}: unpacks to \d+ bytes; an? \.xlsx "
                           rf"workbook may unpack to at most {MAX_UNPACKED_BYTES} bytes$"):
            read(path)


# --- item 3: rows dropped without a word ----------------------------------------------------------
def test_item3_an_out_of_date_dimension_tag_does_not_hide_the_rows(tmp_path: Path) -> None:
    rows = [[f"c{i}", *ROW[1:]] for i in range(4)]
    data = rewrite_sheets(workbook(HEADER, *rows),
                          lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>',
                                             b'<dimension ref="A1:A1"/>', xml, count=1))
    assert b'<dimension ref="A1:A1"/>' in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml")
    path = tmp_path / "clients.xlsx"
    path.write_bytes(data)
    result = import_table(path, tmp_path / "out")
    assert sorted(p.name for p in result.written) == ["c0.yaml", "c1.yaml", "c2.yaml", "c3.yaml"]


def test_item3_a_company_after_many_blank_rows_is_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(ROW)
    for column, value in enumerate(["late", *ROW[1:]], start=1):
        sheet.cell(row=6003, column=column, value=value)
    path = tmp_path / "clients.xlsx"
    book.save(path)
    _, rows = read_rows(path)
    assert [(n, r["company_id"]) for n, r in rows] == [(2, "acme"), (6003, "late")]


def test_item3_a_hidden_first_sheet_is_not_the_one_imported(tmp_path: Path) -> None:
    path = tmp_path / "clients.xlsx"
    path.write_bytes(workbook(HEADER, ROW, hidden_first=True))
    result = import_table(path, tmp_path / "out")
    assert [p.name for p in result.written] == ["acme.yaml"]


# --- item 5: --force all or nothing -----------------------------------------------------------------
def _three(tmp_path: Path) -> tuple[Path, Path]:
    sheet = tmp_path / "clients.csv"
    lines = [",".join(HEADER)] + [",".join(map(str, [cid, *ROW[1:]])) for cid in ("a", "b", "c")]
    sheet.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "params"
    out.mkdir()
    for cid in ("a", "b", "c"):
        (out / f"{cid}.yaml").write_text(f"# old {cid}\n", "utf-8")
    return sheet, out


def test_item5_a_target_that_cannot_be_replaced_leaves_every_profile_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet, out = _three(tmp_path)
    real = os.replace

    def refuse_b(src: Any, dst: Any) -> None:
        if Path(dst).name == "b.yaml" and Path(src).name.endswith(".part"):
            raise PermissionError(13, "Permission denied", str(src))
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", refuse_b)
    with pytest.raises(RunError) as info:
        import_table(sheet, out, force=True)
    assert info.value.problems == (f"{out / 'b.yaml'}: cannot be replaced (Permission denied); "
                                   "nothing was written",)
    assert {p.name: p.read_text("utf-8") for p in out.iterdir()} == {
        f"{c}.yaml": f"# old {c}\n" for c in ("a", "b", "c")}


def test_item5_a_folder_in_place_of_a_profile_is_refused_before_writing(tmp_path: Path) -> None:
    sheet, out = _three(tmp_path)
    (out / "b.yaml").unlink()
    (out / "b.yaml").mkdir()
    with pytest.raises(ModelfitError, match=r"row 3: .*b\.yaml is a folder; it cannot be "
                       r"replaced by a profile"):
        import_table(sheet, out, force=True)
    assert (out / "a.yaml").read_text("utf-8") == "# old a\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml", "c.yaml"]


def test_item10_the_rescue_branch_names_the_file_it_could_not_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When a move fails and an old profile then cannot be put back, the error says where the
    old file is (the all-or-nothing write's rescue branch)."""
    sheet, out = _three(tmp_path)
    real = os.replace

    def refuse(src: Any, dst: Any) -> None:
        if (Path(src).name.endswith(".part") and Path(dst).name == "b.yaml") or (
                Path(src).name.endswith(".old") and Path(dst).name == "a.yaml"):
            raise PermissionError(13, "Permission denied", str(src))
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(RunError) as info:
        import_table(sheet, out, force=True)
    (line,) = info.value.problems
    assert re.fullmatch(rf"{re.escape(str(out / 'a.yaml'))}: could not be restored \(Permission "
                        rf"denied\); the old file is {re.escape(str(out))}/\.a\.yaml\..*\.old",
                        line)


def test_item9_imported_profiles_get_the_ordinary_mode(tmp_path: Path) -> None:
    sheet, out = _three(tmp_path)
    for p in out.iterdir():
        p.unlink()
    import_table(sheet, out)
    mask = os.umask(0)
    os.umask(mask)
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o666 & ~mask}


# --- item 6: tracebacks instead of one line ---------------------------------------------------------
def test_item6_a_csv_cell_over_the_csv_field_limit_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    sheet = tmp_path / "clients.csv"
    sheet.write_text(",".join(HEADER) + "\nacme," + "x" * 140_000 + ",growth,3,3,3,3,us\n",
                     "utf-8")
    assert main(["import", str(sheet), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == (f"modelfit: {sheet}: line 2: a cell of more than 131072 characters; a cell "
                   "may hold at most 32767\n")


def test_item6_an_integer_of_thousands_of_digits_is_a_bad_cell(tmp_path: Path) -> None:
    sheet = tmp_path / "clients.csv"
    sheet.write_text(",".join(HEADER) + "\nacme,Acme,growth," + "9" * 5000 + ",3,3,3,us\n",
                     "utf-8")
    with pytest.raises(ModelfitError, match=r"row 2, column capital: must be an integer from 1 "
                       r"to 5 \(a plain number; formulas are not read\), got '9999"):
        import_table(sheet, tmp_path / "out")


def test_item6_malformed_worksheet_xml_is_one_line(tmp_path: Path) -> None:
    data = rewrite_sheets(workbook(HEADER, ROW), lambda xml: xml.replace(b"</sheetData>", b""))
    path = tmp_path / "clients.xlsx"
    path.write_bytes(data)
    with pytest.raises(ModelfitError, match=rf"^{path}: not a readable \.xlsx workbook \("):
        read_rows(path)


# --- item 9: duplicate headers ----------------------------------------------------------------------
def test_item9_a_duplicate_header_is_refused_naming_it(tmp_path: Path) -> None:
    sheet = tmp_path / "clients.csv"
    sheet.write_text(",".join([*HEADER, "capital"]) + "\n" + ",".join(map(str, [*ROW, 5]))
                     + "\n", "utf-8")
    with pytest.raises(ModelfitError, match=rf"^{sheet}: column\(s\) 'capital' appear more than "
                       r"once in the header; each column once$"):
        import_table(sheet, tmp_path / "out")


# --- item 11: values as a person typed them ---------------------------------------------------------
def test_item11_a_percent_cell_is_read_as_the_percent_shown(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER, "gross_margin_pct"])
    sheet.append([*ROW, 0.42])
    sheet.cell(row=2, column=len(HEADER) + 1).number_format = "0%"
    path = tmp_path / "clients.xlsx"
    book.save(path)
    import_table(path, tmp_path / "out")
    assert load_profile(tmp_path / "out" / "acme.yaml").fields()["gross_margin_pct"] == 42.0


def test_item11_a_percent_cell_where_a_plain_number_belongs_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER, "team_size"])
    sheet.append([*ROW, 0.05])
    sheet.cell(row=2, column=len(HEADER) + 1).number_format = "0%"
    path = tmp_path / "clients.xlsx"
    book.save(path)
    with pytest.raises(ModelfitError, match=r"row 2, column team_size: is a percent cell \(5%\); "
                       r"must be an integer from 1 to 100000 \(format the cell as a plain "
                       r"number\)"):
        import_table(path, tmp_path / "out")


def test_item11_choices_in_any_case_and_lists_with_either_separator(tmp_path: Path) -> None:
    sheet = tmp_path / "clients.csv"
    sheet.write_text(",".join([*HEADER, "category", "existing_channels"]) + "\n"
                     'a,A,Growth,3,3,3,3,"US; EU",Electronics,Platform\n'
                     'b,B,MATURE,3,3,3,3,"us,eu",electronics,"platform, distribution"\n'
                     'c,C,growth,3,3,3,3,us,other,\n', "utf-8")
    import_table(sheet, tmp_path / "out")
    got = {c: load_profile(tmp_path / "out" / f"{c}.yaml").fields() for c in "abc"}
    assert (got["a"]["stage"], got["a"]["target_markets"], got["a"]["category"],
            got["a"]["existing_channels"]) == ("growth", ["us", "eu"], "electronics", ["platform"])
    assert (got["b"]["stage"], got["b"]["target_markets"], got["b"]["existing_channels"]) == (
        "mature", ["us", "eu"], ["platform", "distribution"])


def test_item11_a_percent_typed_as_text_in_a_pct_column(tmp_path: Path) -> None:
    sheet = tmp_path / "clients.csv"
    sheet.write_text(",".join([*HEADER, "gross_margin_pct"]) + "\n"
                     + ",".join(map(str, ROW)) + ",42%\n", "utf-8")
    import_table(sheet, tmp_path / "out")
    assert load_profile(tmp_path / "out" / "acme.yaml").fields()["gross_margin_pct"] == 42.0


def test_item11_the_questionnaires_own_words_are_accepted_as_headers(tmp_path: Path) -> None:
    """A question's Chinese or English wording as the header names that question; a field name
    in another case names that field."""
    from modelfit.inputs.rubric import load_rubric

    question = load_rubric().questions["cap_runway_months"]
    sheet = tmp_path / "clients.csv"
    sheet.write_text(",".join([*HEADER[:2], "Stage", *HEADER[3:], question.text["zh"]]) + "\n"
                     + ",".join(map(str, [*ROW, 9])) + "\n", "utf-8")
    import_table(sheet, tmp_path / "out")
    profile = load_profile(tmp_path / "out" / "acme.yaml")
    assert profile.assessment == {"cap_runway_months": 9}
    assert profile.fields()["stage"] == "growth"
