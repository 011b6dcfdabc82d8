"""Incremental runs (issue 14): a report's key covers everything it depends on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelfit.decision.framework import Framework
from modelfit.inputs.profile import load_profile
from modelfit.provenance import (
    code_digest,
    digest,
    portfolio_key,
    recorded_key,
    recorded_portfolio_key,
    report_key,
)

ROOT = Path(__file__).resolve().parents[1]


def _key(profile_path: Path, **change: object) -> str:
    args: dict[str, object] = {"notebook": b"cells", "root": ROOT, "lang": "en", "seed": 0,
                               "classifier": "c1"}
    args.update(change)
    return report_key(load_profile(profile_path), Framework.load(), **args)  # type: ignore[arg-type]


def test_same_inputs_same_key() -> None:
    """The key is a function of the inputs alone: two computations agree."""
    assert _key(ROOT / "params" / "demo.yaml") == _key(ROOT / "params" / "demo.yaml")


@pytest.mark.parametrize("change", [
    {"lang": "zh"}, {"seed": 1}, {"notebook": b"other cells"}, {"classifier": "c2"},
    {"pdf": True}, {"xlsx": True},
])
def test_each_input_changes_the_key(change: dict[str, object]) -> None:
    """Language, seed, notebook, classifier and deliverables each change the key."""
    assert _key(ROOT / "params" / "demo.yaml", **change) != _key(ROOT / "params" / "demo.yaml")


def test_profile_bytes_change_the_key(tmp_path: Path) -> None:
    """An edit to the profile file, even a comment, changes the key (its bytes are hashed)."""
    copy = tmp_path / "demo.yaml"
    copy.write_bytes((ROOT / "params" / "demo.yaml").read_bytes())
    before = _key(copy)
    copy.write_bytes(copy.read_bytes() + b"# reviewed\n")
    assert _key(copy) != before


def test_code_digest_is_stable_and_covers_data() -> None:
    """The code digest is computed once per process and is a SHA-256."""
    assert code_digest() == code_digest()
    assert len(code_digest()) == 64


def test_digest_hashes_bytes_and_keeps_order_of_lists() -> None:
    """Bytes are hashed; lists keep their order; mappings do not depend on key order."""
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest([1, 2]) != digest([2, 1])
    assert digest(b"x") != digest(b"y")


def test_recorded_key_needs_every_file(tmp_path: Path) -> None:
    """The recorded key counts only when every file of the report is there."""
    (tmp_path / "acme.json").write_text(json.dumps({"run": {"input_key": "k1"}}), "utf-8")
    assert recorded_key(tmp_path, "acme", ("json",)) == "k1"
    assert recorded_key(tmp_path, "acme", ("ipynb", "html", "json")) is None
    (tmp_path / "acme.ipynb").write_text("{}", "utf-8")
    (tmp_path / "acme.html").write_text("", "utf-8")
    assert recorded_key(tmp_path, "acme", ("ipynb", "html", "json")) == "k1"


@pytest.mark.parametrize("text", ["not json", "[]", '{"run": "x"}', '{"run": {"input_key": 3}}'])
def test_unreadable_recorded_key_means_render_again(tmp_path: Path, text: str) -> None:
    """A damaged or foreign JSON has no key: the company is rendered again, nothing raises."""
    (tmp_path / "acme.json").write_text(text, "utf-8")
    assert recorded_key(tmp_path, "acme", ("json",)) is None


def test_portfolio_key_follows_its_companies(tmp_path: Path) -> None:
    """The portfolio's key changes when a company's report changes, not otherwise."""
    (tmp_path / "a.json").write_text(json.dumps({"run": {"input_key": "k1"}}), "utf-8")
    first = portfolio_key(tmp_path, notebook=b"nb", lang="en")
    assert portfolio_key(tmp_path, notebook=b"nb", lang="en") == first
    (tmp_path / "a.json").write_text(json.dumps({"run": {"input_key": "k2"}}), "utf-8")
    assert portfolio_key(tmp_path, notebook=b"nb", lang="en") != first
    assert recorded_portfolio_key(tmp_path) is None
