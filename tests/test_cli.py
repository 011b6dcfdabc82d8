"""The command line: exit 0 on success, 2 on bad input with one line per problem, no traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from modelfit.cli import main

from .conftest import MODELS, PARAMS, VALID_TEXT

WriteProfile = Callable[..., Path]
EditFramework = Callable[[Callable[[dict[str, Any]], None]], Path]
MODELFIT = Path(sys.executable).parent / "modelfit"
DEMO = str(PARAMS / "demo.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- recommend ---------------------------------------------------------------------------------
def test_recommend_json_holds_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one object: company, stage, primary, channels (core first), ranking (all
    four), scores 0..100 and contributions summing to each score."""
    code, out, err = run(capsys, "recommend", DEMO, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["company"] == "Demo Home Goods Co."
    assert data["stage"] == "growth"
    assert data["primary"] in MODELS
    assert sorted(data["ranking"]) == sorted(MODELS)
    assert data["ranking"][0] == data["primary"]
    if data["primary"] != "hybrid":
        assert data["channels"][0] == data["primary"]  # a base-channel primary is its own core
    assert set(data["channels"]) <= {"platform", "distribution", "independent_site"}
    assert set(data["scores"]) == set(MODELS)
    assert all(0 <= s <= 100 for s in data["scores"].values())
    for model, terms in data["contributions"].items():
        assert sum(terms.values()) == pytest.approx(data["scores"][model], abs=1e-9)


def test_recommend_json_hybrid_core_comes_first(capsys: pytest.CaptureFixture[str]) -> None:
    """S3: for a hybrid, channels start with the plan's core (atlas: the own site)."""
    code, out, _ = run(capsys, "recommend", str(PARAMS / "atlas.yaml"), "--json")
    data = json.loads(out)
    assert (code, data["primary"]) == (0, "hybrid")
    assert data["channels"] == ["independent_site", "platform", "distribution"]


def test_recommend_json_adds_channel_details_and_risks(capsys: pytest.CaptureFixture[str]) -> None:
    """--json keeps every field and adds channel_details (one per channel, same order, with the
    distribution's kind, the reason and the rules behind its role), plan_notes,
    robustness.risks (the shape of flips), robustness.held_by, score_confidence and level."""
    code, out, _ = run(capsys, "recommend", str(PARAMS / "atlas.yaml"), "--json", "--no-model")
    data = json.loads(out)
    assert code == 0
    assert [d["channel"] for d in data["channel_details"]] == data["channels"]
    assert data["channel_details"][0] == {"channel": "independent_site", "role": "core",
                                          "kind": None, "reason": None, "rules": []}
    assert data["channel_details"][2]["kind"] == "distributors"
    assert {"flips", "risks", "held_by", "score_confidence"} <= set(data["robustness"])
    assert data["robustness"]["held_by"] == []
    assert data["robustness"]["level"] in ("high", "medium", "low")
    assert all(set(r) == {"changes", "primary"} for r in data["robustness"]["risks"])
    assert [n["rule"] for n in data["plan_notes"]] == ["S3"]


def test_recommend_text_names_the_kind_of_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    """The terminal summary names the distribution by its kind (forge: small-B distribution)."""
    code, out, _ = run(capsys, "recommend", str(PARAMS / "forge.yaml"), "--no-model")
    assert code == 0
    assert "Platform store → Small-B distribution" in out


@pytest.mark.parametrize(("lang", "needle"), [("en", "Recommended model"), ("zh", "推荐模式")])
def test_recommend_text_summary_in_each_language(
    capsys: pytest.CaptureFixture[str], lang: str, needle: str,
) -> None:
    """Without --json, a readable summary in the chosen language."""
    code, out, err = run(capsys, "recommend", DEMO, "--lang", lang)
    assert (code, err) == (0, "")
    assert needle in out


def test_recommend_json_in_chinese_keeps_chinese_characters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--json --lang zh writes Chinese text as characters, not \\u escapes."""
    code, out, _ = run(capsys, "recommend", DEMO, "--json", "--lang", "zh")
    assert code == 0
    assert json.loads(out)["lang"] == "zh"
    assert "成长期" in out


def test_recommend_with_an_edited_framework(
    capsys: pytest.CaptureFixture[str], edited_framework: EditFramework,
) -> None:
    """--framework PATH scores with an analyst's edited copy."""

    def edit(data: dict[str, Any]) -> None:
        data["version"] = "9.9.9-edited"

    code, out, _ = run(capsys, "recommend", DEMO, "--json", "--framework",
                       str(edited_framework(edit)))
    assert (code, json.loads(out)["framework_version"]) == (0, "9.9.9-edited")


@pytest.mark.parametrize(
    ("edit_keys", "value", "message"),
    [
        (("weights", "capital", "independent_site"), -1,
         r"weights\.capital\.independent_site must be >= 0"),
        (("weights", "tech_data", "hybrid"), float("nan"),
         r"weights\.tech_data\.hybrid must be a finite number, got nan"),
        (("stage_priors", "mature", "hybrid"), 99, r"hybrid at stage mature can score from"),
        (("models", 0, "name", "zh"), "", r"models\.platform\.name\.zh is missing or empty"),
    ],
)
def test_recommend_refuses_a_broken_framework_naming_the_field(
    capsys: pytest.CaptureFixture[str], edited_framework: EditFramework,
    edit_keys: tuple[Any, ...], value: Any, message: str,
) -> None:
    """A --framework copy breaking a property, a text, a number or the range exits 2 by field."""

    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in edit_keys[:-1]:
            node = node[key]
        node[edit_keys[-1]] = value

    code, out, err = run(capsys, "recommend", DEMO, "--framework", str(edited_framework(edit)))
    assert (code, out) == (2, "")
    assert err.startswith("modelfit: ")
    assert re.search(message, err)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        pytest.param(VALID_TEXT + "captial: 3\n", "acme.yaml",
                     r"'captial' is not a field; did you mean 'capital'\?", id="did-you-mean"),
        pytest.param("", "acme.yaml", r"the file is empty", id="empty"),
        pytest.param(b"company: \xff\n", "acme.yaml", r"not UTF-8 text", id="non-utf8"),
        pytest.param("a: &a [1]\nb: *a\n", "acme.yaml", r"anchors and aliases", id="alias"),
        pytest.param(VALID_TEXT, "Acme Co.yaml", r"the file name \(the company id\) must match",
                     id="company-id"),
        pytest.param(VALID_TEXT + "capital: 2\n", "acme.yaml", r"duplicate key 'capital'",
                     id="duplicate"),
    ],
)
def test_recommend_bad_profile_exits_2_with_the_message(
    capsys: pytest.CaptureFixture[str], write_profile: WriteProfile, content: str | bytes,
    name: str, message: str,
) -> None:
    """Bad input: exit 2, nothing on stdout, a 'modelfit: <file>: ...' line on stderr."""
    path = write_profile(content, name)
    code, out, err = run(capsys, "recommend", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"modelfit: {path}: ")
    assert re.search(message, err)
    assert "Traceback" not in err


def test_recommend_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing profile is bad input, not a crash."""
    code, _, err = run(capsys, "recommend", str(tmp_path / "ghost.yaml"))
    assert (code, err) == (2, f"modelfit: {tmp_path / 'ghost.yaml'}: no such file\n")


def test_recommend_prints_one_line_per_problem(
    capsys: pytest.CaptureFixture[str], write_profile: WriteProfile,
) -> None:
    """Every problem of the file is one stderr line, all of them in one run."""
    path = write_profile("company: Acme\nstage: scaleup\ncaptial: 3\nsupply_chain: 9\n")
    code, _, err = run(capsys, "recommend", str(path))
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == 6
    assert all(line.startswith(f"modelfit: {path}: ") for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["recommend"], r"the following arguments are required: PATH\.yaml"),
        (["recommend", DEMO, "--lang", "fr"], r"argument --lang: invalid choice: 'fr'"),
        (["recomend", DEMO], r"invalid choice: 'recomend'.*did you mean 'recommend'\?"),
        (["validate"], r"the following arguments are required: PATH\.yaml"),
        ([], r"the following arguments are required: COMMAND"),
    ],
)
def test_bad_command_line_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str,
) -> None:
    """Usage errors exit 2 with the usage and the error on stderr (argparse's SystemExit)."""
    with pytest.raises(SystemExit, match="2") as info:
        main(argv)
    assert info.value.code == 2
    _, err = capsys.readouterr()
    assert re.search(message, err)


# --- validate ----------------------------------------------------------------------------------
def test_validate_all_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """validate on every example profile exits 0 and counts them."""
    paths = sorted(str(p) for p in PARAMS.glob("*.yaml"))
    code, out, err = run(capsys, "validate", *paths)
    assert (code, out, err) == (0, f"{len(paths)} profile(s) valid\n", "")


def test_validate_lists_every_problem_in_every_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    """validate reports all problems of all files, one line each, then exits 2."""
    bad1 = tmp_path / "one.yaml"
    bad1.write_text(VALID_TEXT.replace("capital: 3", "capital: 7"), "utf-8")
    bad2 = tmp_path / "two.yaml"
    bad2.write_text(VALID_TEXT + "stage_: x\n", "utf-8")
    code, out, err = run(capsys, "validate", DEMO, str(bad1), str(bad2), str(tmp_path / "no.yaml"))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"modelfit: {bad1}: capital must be an integer from 1 to 5, got 7",
        f"modelfit: {bad2}: 'stage_' is not a field; did you mean 'stage'?",
        f"modelfit: {tmp_path / 'no.yaml'}: no such file",
    ]


def test_validate_also_checks_a_framework(
    capsys: pytest.CaptureFixture[str], edited_framework: EditFramework,
) -> None:
    """validate --framework reports the framework's problems with the profiles'."""

    def edit(data: dict[str, Any]) -> None:
        data["weights"]["supply_chain"]["platform"] = -4

    code, _, err = run(capsys, "validate", DEMO, "--framework", str(edited_framework(edit)))
    assert code == 2
    assert "weights.supply_chain.platform must be >= 0" in err


# --- the real executable -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: &a [\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n", "anchors and aliases"),
        (VALID_TEXT + "category: !!python/object/apply:os.system [\"touch {marker}\"]\n",
         "tags are never run"),
    ],
)
def test_installed_executable_exits_2_without_traceback(
    tmp_path: Path, content: str, message: str,
) -> None:
    """A real `.venv/bin/modelfit` run on hostile input exits 2, prints no traceback, runs
    nothing (the marker file is never created)."""
    marker = tmp_path / "pwned"
    path = tmp_path / "acme.yaml"
    path.write_text(content.format(marker=marker), "utf-8")
    done = subprocess.run([str(MODELFIT), "recommend", str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"modelfit: {path}: ")
    assert message in done.stderr
    assert not marker.exists()


def test_installed_executable_prints_json(tmp_path: Path) -> None:
    """A real `.venv/bin/modelfit recommend --json` run exits 0 with parseable JSON."""
    done = subprocess.run([str(MODELFIT), "recommend", DEMO, "--json"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["company_id"] == "demo"
