"""Edited framework files from a hostile or careless hand (issue 13): one line, never a hang."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelfit.cli import main
from modelfit.core.errors import FrameworkError
from modelfit.decision.framework import Framework
from modelfit.decision.framework_file import MAX_FRAMEWORK_BYTES


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def test_fifo_framework_is_refused_without_blocking(tmp_path: Path) -> None:
    """Issue 13, 6: `--framework x.yaml` naming a FIFO is refused at once."""
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    with pytest.raises(FrameworkError, match=r"x\.yaml: is not a regular file"):
        Framework.load(fifo)


def test_dev_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13, 8: `--framework /dev/zero` is refused instead of read until memory runs out."""
    assert main(["validate", "--framework", "/dev/zero", "params/demo.yaml"]) == 2
    assert "/dev/zero: is not a regular file" in capsys.readouterr().err


def test_oversized_framework_is_refused(tmp_path: Path) -> None:
    """Issue 13, 8: a framework file over MAX_FRAMEWORK_BYTES is refused without parsing it."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FRAMEWORK_BYTES + 1))
    with pytest.raises(FrameworkError, match=rf"big\.yaml: the file is {MAX_FRAMEWORK_BYTES + 1} "
                       rf"bytes; a framework file may be at most {MAX_FRAMEWORK_BYTES} bytes"):
        Framework.load(path)


@pytest.mark.parametrize("text", ["a: " + "[" * 3000 + "]" * 3000, "a:\n" + "- " * 3000 + "x"])
def test_deep_framework_is_refused_in_one_line(tmp_path: Path, text: str) -> None:
    """Issue 13, 9: a framework nested 3000 deep is one line, not a RecursionError."""
    path = tmp_path / "deep.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(FrameworkError, match=r"deep\.yaml: .*nest"):
        Framework.load(path)


def _rule_model(d: dict[str, Any]) -> None:
    d["rule_triggers"]["R1"]["model"] = "unicorn"


def _stage_next(d: dict[str, Any]) -> None:
    d["stages"][0]["next"] = 5


def _threshold_word(d: dict[str, Any]) -> None:
    d["rule_triggers"]["R2"]["min_rating"] = "high"


def _no_label(d: dict[str, Any]) -> None:
    del d["labels"]["en"]["h_why"]


def _no_text(d: dict[str, Any]) -> None:
    del d["texts"]["report"]["intro"]


def _charisma(d: dict[str, Any]) -> None:
    d["weights"]["charisma"] = dict(d["weights"]["capital"])


def _unknown_column(d: dict[str, Any]) -> None:
    d["weights"]["capital"]["unicorn"] = 1


def _unknown_section(d: dict[str, Any]) -> None:
    d["wieghts"] = {}


def _note_condition(d: dict[str, Any]) -> None:
    d["f_note_conditions"][next(iter(d["f_note_conditions"]))] = "x"


@pytest.mark.parametrize(("edit", "message"), [
    (_rule_model, r"rule_triggers\.R1\.model must be one of platform, .*got 'unicorn'"),
    (_stage_next, r"stages\.startup\.next must be one of startup, growth, mature or null, got 5"),
    (_threshold_word, r"rule_triggers\.R2\.min_rating must be a rating, an integer from 1 to 5, "
                      r"got 'high'"),
    (_no_label, r"labels\.en\.h_why is missing"),
    (_no_text, r"texts\.report\.intro is missing"),
    (_charisma, r"weights\.charisma is not known to modelfit; the known ones are capital"),
    (_unknown_column, r"weights\.capital\.unicorn is not known to modelfit"),
    (_unknown_section, r"wieghts is not known to modelfit; did you mean 'weights'\?"),
    (_note_condition, r"f_note_conditions\.F\d must be a mapping, got 'x'"),
], ids=lambda v: getattr(v, "__name__", "")[1:] or None)
def test_broken_framework_is_refused_by_validation(
    tmp_path: Path, framework_data: dict[str, Any], edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    """Issue 13, 9-10: what made a report fail in a cell (or was silently ignored) is refused
    when the framework is loaded, so `validate --framework` catches it."""
    data = copy.deepcopy(framework_data)
    edit(data)
    with pytest.raises(FrameworkError, match=message):
        Framework.load(_write(tmp_path, data))


def test_validate_framework_reports_a_missing_text_in_one_line(
    tmp_path: Path, framework_data: dict[str, Any], capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 13, 9: `validate --framework` exits 2 naming the missing text."""
    data = copy.deepcopy(framework_data)
    _no_text(data)
    path = _write(tmp_path, data)
    assert main(["validate", "--framework", str(path), "params/demo.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"modelfit: {path}: texts.report.intro is missing"]


def test_unchanged_copy_of_the_bundled_framework_loads(
    tmp_path: Path, framework_data: dict[str, Any],
) -> None:
    """An analyst's untouched copy passes the edited-file checks."""
    assert Framework.load(_write(tmp_path, framework_data)).version


def test_brackets_inside_texts_do_not_count_as_nesting() -> None:
    """Many unbalanced '[' inside quoted texts are text, not nesting: the bound counts the
    parser's lists and mappings (a generated hostile framework was refused by a bracket count)."""
    from modelfit.core.reading import nesting as _nesting

    text = "\n".join(f"k{i}: '[[[[[[[[[['" for i in range(50))
    assert _nesting(text) == 1
    assert _nesting("a: " + "[" * 60 + "]" * 60) == 61
