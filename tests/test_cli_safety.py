"""The command line facing hostile or careless input (issue 13): one line, exit 2, and nothing
from the input reaches the terminal as a control sequence."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from modelfit.cli import main
from modelfit.inputs.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params"


@pytest.mark.parametrize("length", [250, 300])
def test_report_with_a_long_id_is_one_line(
    length: int, capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 13, 9: `report` with a 250- or 300-character id exits 2 in one line."""
    assert main(["report", "--id-only", "a" * length]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"at most 64 characters, got {length}" in err


def test_report_of_the_reserved_id_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13, 3: `report portfolio` is refused: it would collide with the batch's files."""
    assert main(["report", "--id-only", "portfolio"]) == 2
    assert "'portfolio' is reserved" in capsys.readouterr().err


def test_error_lines_show_escape_sequences_instead_of_sending_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 13, 10: an escape sequence in a bad file name is shown, not sent to the terminal."""
    path = tmp_path / "\x1b[2Jx.yaml"
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "␛[2Jx.yaml" in err


def test_a_system_error_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13, 9: an OSError the checks did not foresee is one line and exit 2."""
    import modelfit.cli as cli

    def refuse(path: str) -> None:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(cli, "load_profile", refuse)
    assert main(["validate", str(PARAMS / "demo.yaml")]) == 2
    assert capsys.readouterr().err.strip().endswith("demo.yaml: Permission denied")


def test_recommend_summary_is_printed_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """The terminal summary prints the company name through terminal_text."""
    path = tmp_path / "acme.yaml"
    path.write_text((PARAMS / "demo.yaml").read_text("utf-8"), "utf-8")
    assert main(["recommend", "--no-model", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(load_profile(path).company)


def test_make_recommend_checks_company_as_make_report_does() -> None:
    """Issue 13, 10: `make recommend COMPANY=../../x` is refused before modelfit runs."""
    if not (ROOT / ".venv" / ".installed").is_file():
        pytest.skip("make setup has not run here")
    command = ["make", "-s", "-o", ".venv/.installed", "recommend", "COMPANY=../../x"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert done.returncode != 0
    assert "COMPANY must be a company id" in done.stderr
