"""Client spreadsheets: import to params files (all or nothing), export, formulas kept as text."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from modelfit import ModelfitError, Profile, load_profile
from modelfit.cli import main
from modelfit.inputs.profile import profile_paths
from modelfit.inputs.spreadsheet import columns, export_table, import_table

from .conftest import PARAMS

HEADER = "company_id,company,stage,capital,supply_chain,brand_content,tech_data,target_markets"


def examples() -> list[Profile]:
    return [load_profile(p) for p in profile_paths(PARAMS)]


def same(a: Profile, b: Profile) -> bool:
    """Equal as profiles: every field, the answers and which ratings were derived."""
    return (a.company_id, a.fields(), a.assessment, a.derived_ratings) == (
        b.company_id, b.fields(), b.assessment, b.derived_ratings)


def write_csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "clients.csv"
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return path


# --- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_examples_round_trip(tmp_path: Path, suffix: str) -> None:
    """Export the example companies, import the sheet: the same profiles come back."""
    sheet = export_table(examples(), tmp_path / f"clients{suffix}")
    result = import_table(sheet, tmp_path / "params")
    assert len(result.written) == len(examples())
    for profile in examples():
        assert same(load_profile(tmp_path / "params" / f"{profile.company_id}.yaml"), profile)


@pytest.mark.parametrize("name", ["clients-example.csv", "clients-example.xlsx"])
def test_bundled_client_sheets_hold_the_example_companies(tmp_path: Path, name: str) -> None:
    """params/clients-example.csv and .xlsx import to exactly the profiles in params/
    (tools/make_client_examples.py rewrites them)."""
    import_table(PARAMS / name, tmp_path)
    for profile in examples():
        assert same(load_profile(tmp_path / f"{profile.company_id}.yaml"), profile)


def test_answers_only_row_keeps_its_ratings_derived(tmp_path: Path) -> None:
    """A row with answers and no ratings becomes a profile with answers and no stated ratings."""
    import_table(PARAMS / "clients-example.csv", tmp_path)
    text = (tmp_path / "harbor.yaml").read_text("utf-8")
    assert "capital:" not in text
    assert "  sc_sourcing: own_factory\n" in text


def test_list_fields_are_split_on_semicolons(tmp_path: Path) -> None:
    """`us; eu` in a list column is the list [us, eu]."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us; eu")
    import_table(path, tmp_path / "out")
    assert load_profile(tmp_path / "out" / "acme.yaml").target_markets == ("us", "eu")


# --- problems: named by row, column, value, what is allowed ------------------------------------
def test_every_bad_cell_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    """Bad values are listed by row and column with what is allowed; no file is written."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us",
                     "bolt,Bolt,teen,three,3,3,3,us",
                     "Bad Id,X,growth,3,3,3,3,mars")
    with pytest.raises(ModelfitError) as info:
        import_table(path, tmp_path / "out")
    assert info.value.problems == (
        f"{path}: row 3, column capital: must be an integer from 1 to 5 (a plain number; formulas "
        "are not read), got 'three'",
        f"{path}: row 3: stage must be one of startup, growth, mature, got 'teen'",
        f"{path}: row 4, column company_id must match [a-z0-9][a-z0-9_-]* (lower-case letters, "
        "digits, '_' and '-', no paths or spaces), got 'Bad Id'",
        f"{path}: row 4: target_markets must be a non-empty list of us, eu, uk, jp, sea, latam, "
        "mea, other, got ['mars']",
    )
    assert not (tmp_path / "out").exists()


def test_profile_rules_are_checked_per_row(tmp_path: Path) -> None:
    """A value of the right type but not allowed (stage 'teen') is named with its row."""
    path = write_csv(tmp_path, "bolt,Bolt,teen,3,3,3,3,us")
    with pytest.raises(ModelfitError, match=r"clients.csv: row 2: stage must be one of startup, "
                                            r"growth, mature, got 'teen'"):
        import_table(path, tmp_path / "out")


def test_bad_answer_is_named_by_row_and_question(tmp_path: Path) -> None:
    """An answer column holding a value that is not an option names row, question and options."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us,lots",
                     header=HEADER + ",cap_financing")
    with pytest.raises(ModelfitError, match=r"row 2: assessment.cap_financing must be one of none, "
                                            r"personal, bank_credit, investors, group_or_listed, "
                                            r"got 'lots'"):
        import_table(path, tmp_path / "out")


def test_unknown_column_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    """A misspelt column is refused before any row is read, with a did-you-mean."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us,5", header=HEADER + ",captial")
    with pytest.raises(ModelfitError, match=r"column 'captial' is not a profile field or a "
                                            r"question; did you mean 'capital'\?"):
        import_table(path, tmp_path / "out")


def test_missing_company_id_column_is_refused(tmp_path: Path) -> None:
    """A sheet without a company_id column is refused."""
    path = write_csv(tmp_path, "Acme,growth", header="company,stage")
    with pytest.raises(ModelfitError, match=r"no company_id column"):
        import_table(path, tmp_path / "out")


def test_duplicate_company_is_refused(tmp_path: Path) -> None:
    """The same company_id twice is named with both rows."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us", "acme,Acme 2,growth,3,3,3,3,us")
    with pytest.raises(ModelfitError, match=r"row 3, column company_id: 'acme' is also row 2"):
        import_table(path, tmp_path / "out")


def test_skip_bad_writes_the_good_rows_and_lists_the_bad(tmp_path: Path) -> None:
    """With skip_bad the good rows are written and the bad ones listed."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us", "bolt,Bolt,growth,9,3,3,3,us")
    result = import_table(path, tmp_path / "out", skip_bad=True)
    assert [p.name for p in result.written] == ["acme.yaml"]
    assert result.skipped == ["row 3"]
    assert result.summary() == "wrote 1 profile(s); skipped 1 bad row(s): row 3"
    assert not (tmp_path / "out" / "bolt.yaml").exists()


def test_existing_files_are_kept_without_force(tmp_path: Path) -> None:
    """An existing profile is not overwritten unless force; with force it is."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "acme.yaml").write_text("company: Old\n", "utf-8")
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us")
    with pytest.raises(ModelfitError, match=r"row 2: .*acme.yaml exists; pass --force"):
        import_table(path, out)
    assert (out / "acme.yaml").read_text("utf-8") == "company: Old\n"
    import_table(path, out, force=True)
    assert load_profile(out / "acme.yaml").company == "Acme"


def test_not_a_sheet_is_refused(tmp_path: Path) -> None:
    """Only .csv and .xlsx files are read."""
    path = tmp_path / "clients.txt"
    path.write_text("x", "utf-8")
    with pytest.raises(ModelfitError, match=r"clients.txt: must be a .csv or .xlsx file, got '.txt'"):
        import_table(path, tmp_path)


def test_corrupt_xlsx_is_refused(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook is named, not a traceback."""
    path = tmp_path / "clients.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(ModelfitError, match=r"clients\.xlsx: not a zip archive \(File is not a zip "
                       r"file\); an \.xlsx workbook must be one$"):
        import_table(path, tmp_path)


# --- formulas are text -----------------------------------------------------------------------
@pytest.mark.parametrize("value", ["=1+2", "+3", "@SUM(A1)", "-2+3", "=cmd|' /C calc'!A0"])
def test_formula_in_a_number_column_is_refused(tmp_path: Path, value: str) -> None:
    """A number column takes a plain number only: '=1+2' is text, never computed."""
    path = tmp_path / "clients.csv"
    path.write_text(HEADER + "\n" + f'acme,Acme,growth,"{value}",3,3,3,us' + "\n", "utf-8")
    with pytest.raises(ModelfitError, match=r"column capital: must be an integer from 1 to 5 \(a plain "
                                            r"number; formulas are not read\)"):
        import_table(path, tmp_path / "out")


def test_negative_number_is_a_number(tmp_path: Path) -> None:
    """'-5' in a number column is minus five (a plain number, not a formula)."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us,-5", header=HEADER + ",sc_cost_advantage_pct")
    import_table(path, tmp_path / "out")
    assert load_profile(tmp_path / "out" / "acme.yaml").assessment["sc_cost_advantage_pct"] == -5


def test_formula_text_stays_text_through_a_round_trip(tmp_path: Path) -> None:
    """A company name starting with = is kept as text: the CSV marks it with ', the workbook
    stores it as a string, and both import back to the same name."""
    name = '=HYPERLINK("http://x","y")'
    profile = Profile.from_mapping({"company": name, "stage": "growth", "capital": 3,
                                    "supply_chain": 3, "brand_content": 3, "tech_data": 3},
                                   company_id="acme")
    csv_path = export_table([profile], tmp_path / "c.csv")
    assert "'=HYPERLINK" in csv_path.read_text("utf-8")
    xlsx_path = export_table([profile], tmp_path / "c.xlsx")
    cell = openpyxl.load_workbook(xlsx_path).active.cell(row=2, column=2)  # type: ignore[union-attr]
    assert (cell.value, cell.data_type) == (name, "s")
    for sheet, out in ((csv_path, tmp_path / "a"), (xlsx_path, tmp_path / "b")):
        import_table(sheet, out)
        assert load_profile(out / "acme.yaml").company == name


def test_formula_cell_in_a_workbook_is_read_as_text(tmp_path: Path) -> None:
    """A real formula cell in an .xlsx is read as its text, never evaluated."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["acme", "=1+1", "growth", 3, 3, 3, 3, "us"])
    path = tmp_path / "clients.xlsx"
    book.save(path)
    import_table(path, tmp_path / "out")
    assert load_profile(tmp_path / "out" / "acme.yaml").company == "=1+1"


# --- command line --------------------------------------------------------------------------------
def test_import_command_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    """`modelfit import` with a bad row prints one line per problem, exits 2, writes nothing."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us", "bolt,Bolt,growth,9,3,3,3,us")
    code = main(["import", str(path), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (f"modelfit: {path}: row 3: capital must be an integer from 1 to 5, got 9\n")
    assert not (tmp_path / "out").exists()


def test_import_command_skip_bad(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`--skip-bad` writes the good rows, lists the bad on stderr and exits 0."""
    path = write_csv(tmp_path, "acme,Acme,growth,3,3,3,3,us", "bolt,Bolt,growth,9,3,3,3,us")
    code = main(["import", str(path), "--out", str(tmp_path / "out"), "--skip-bad"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == "wrote 1 profile(s); skipped 1 bad row(s): row 3\n"
    assert "row 3: capital must be an integer from 1 to 5, got 9" in err


def test_columns_are_fields_then_questions() -> None:
    """The sheet's columns: company_id, the profile fields, then the question ids."""
    cols = columns()
    assert cols[:3] == ("company_id", "company", "stage")
    assert cols[-1] == "td_experiments"
