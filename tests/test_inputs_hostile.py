"""Issue 25 (hostile inputs, third round) for the YAML files a user hands in: integers of
thousands of digits in a profile, an answer, a framework or a weights file, and a weights file
nested deep enough to break the parser, each one line and exit 2; in `batch`, such a profile is
that company's problem. Each test names the item it reproduces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from modelfit.cli import main
from modelfit.core.reading import MAX_INT_DIGITS, StrictLoader
from modelfit.decision.framework_file import bundled_text
from modelfit.run.batch import render_batch

from .conftest import PARAMS

HUGE = "9" * 5000


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_item6_the_strict_loader_refuses_a_huge_integer_where_it_stands() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as info:
        yaml.load(f"a: 1\nb: {HUGE}\n", Loader=StrictLoader)  # noqa: S506 - the strict SafeLoader
    assert info.value.problem == (f"an integer of 5000 digits; a number may have at most "
                                  f"{MAX_INT_DIGITS} digits")
    assert info.value.problem_mark is not None
    assert info.value.problem_mark.line == 1
    assert yaml.load("a: -12\nb: 0x1F\nc: 1_000\n", Loader=StrictLoader) == {  # noqa: S506
        "a": -12, "b": 31, "c": 1000}


def test_item6_a_profile_field_of_5000_digits_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    text = re.sub(r"(?m)^team_size:.*$", f"team_size: {HUGE}",
                  (PARAMS / "demo.yaml").read_text("utf-8"))
    assert HUGE in text
    (tmp_path / "demo.yaml").write_text(text, "utf-8")
    code, err = run(capsys, "recommend", str(tmp_path / "demo.yaml"))
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"modelfit: {tmp_path / 'demo.yaml'}: an integer of 5000 digits; a "
                          "number may have at most 100 digits (line ")


def test_item6_an_answer_of_5000_digits_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    text = "company: Acme\nstage: growth\ntarget_markets: [us]\nassessment:\n" \
           f"  team_size_people: {HUGE}\n"
    (tmp_path / "acme.yaml").write_text(text, "utf-8")
    code, err = run(capsys, "recommend", str(tmp_path / "acme.yaml"))
    assert code == 2
    assert err.count("\n") == 1
    assert "an integer of 5000 digits" in err


def test_item6_a_framework_number_of_5000_digits_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    text = bundled_text().replace("  capital:       {platform: 2,",
                                  f"  capital:       {{platform: {HUGE},", 1)
    assert HUGE in text
    (tmp_path / "fw.yaml").write_text(text, "utf-8")
    code, err = run(capsys, "recommend", str(PARAMS / "demo.yaml"), "--framework",
                    str(tmp_path / "fw.yaml"))
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"modelfit: {tmp_path / 'fw.yaml'}: an integer of 5000 digits")


def test_item6_a_deeply_nested_weights_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "w.yaml").write_text("preferences: " + "[" * 3000 + "]" * 3000 + "\n", "utf-8")
    code, err = run(capsys, "recommend", str(PARAMS / "demo.yaml"), "--weights",
                    str(tmp_path / "w.yaml"))
    assert (code, err) == (2, f"modelfit: {tmp_path / 'w.yaml'}: lists or mappings nested 3001 "
                              "deep; a weights file may nest at most 10 levels\n")


def test_item6_a_weights_number_of_5000_digits_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "w.yaml").write_text(f"method: rank\norder: [capital]\nx: {HUGE}\n", "utf-8")
    code, err = run(capsys, "recommend", str(PARAMS / "demo.yaml"), "--weights",
                    str(tmp_path / "w.yaml"))
    assert (code, err) == (2, f"modelfit: {tmp_path / 'w.yaml'}: an integer of 5000 digits; a "
                              "number may have at most 100 digits\n")


def test_item6_in_batch_such_a_profile_is_that_companys_problem(tmp_path: Path) -> None:
    """The profile fails alone and named; nothing stops the batch before it starts."""
    params = tmp_path / "params"
    params.mkdir()
    (params / "big.yaml").write_text(re.sub(r"(?m)^team_size:.*$", f"team_size: {HUGE}",
                                            (PARAMS / "demo.yaml").read_text("utf-8")), "utf-8")
    result = render_batch(params, tmp_path / "out", progress=False, ids=["big"])
    assert list(result.failed) == ["big"]
    assert "an integer of 5000 digits" in result.failed["big"]
