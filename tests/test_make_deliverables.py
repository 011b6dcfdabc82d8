"""`make report PDF=1 XLSX=1`: the Makefile passes --pdf and --xlsx on, and nothing else."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def _report_args(tmp_path: Path, *assignments: str) -> list[str]:
    """The arguments `make report ...` gives modelfit (a stand-in that prints them)."""
    assert MAKE is not None
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "modelfit"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n', "utf-8")
    fake.chmod(0o755)
    (venv / ".installed").touch()
    os.utime(venv / ".installed", (2**31, 2**31))  # newer than pyproject.toml: no set-up
    out = subprocess.run([MAKE, "-s", "-C", str(ROOT), "report", f"VENV={venv}", *assignments],
                         capture_output=True, text=True, check=True).stdout
    return out.splitlines()


@pytest.mark.parametrize(("assignments", "flags"), [
    ((), []),
    (("PDF=1",), ["--pdf"]),
    (("XLSX=1",), ["--xlsx"]),
    (("PDF=1", "XLSX=1"), ["--pdf", "--xlsx"]),
    (("PDF=0", "XLSX=0"), []),
])
def test_pdf_and_xlsx_switches(tmp_path: Path, assignments: tuple[str, ...],
                               flags: list[str]) -> None:
    """PDF=1 adds --pdf, XLSX=1 adds --xlsx; unset or 0 adds nothing."""
    args = _report_args(tmp_path, "COMPANY=acme", *assignments)
    assert [a for a in args if a in ("--pdf", "--xlsx")] == flags
    assert args[-2:] == ["--", "acme"]


def test_pdf_value_is_never_run_by_the_shell(tmp_path: Path) -> None:
    """PDF='$(touch x)' is a value, not a command: nothing is created."""
    _report_args(tmp_path, "PDF=$(shell touch pwned)", "XLSX=`touch pwned2`")
    assert not (ROOT / "pwned").exists()
    assert not (ROOT / "pwned2").exists()
