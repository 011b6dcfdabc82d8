"""docs/api.md's examples run as doctests: the Python API page shows what the code does."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api.md"


def test_every_example_of_the_api_page_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `>>>` example of docs/api.md gives the output written under it (run from the
    project's folder, as the page says)."""
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(API), module_relative=False, encoding="utf-8",
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                              report=True, verbose=False)
    assert result.attempted >= 30
    assert result.failed == 0
