"""Incremental runs (issue 14): a report's key covers everything it depends on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from modelfit import provenance
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
    {"pdf": True}, {"xlsx": True}, {"as_of": "2026-07-02"},
])
def test_each_input_changes_the_key(change: dict[str, object]) -> None:
    """Language, seed, notebook, classifier, deliverables and the as-of day of the market
    rules each change the key."""
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


# code_digest covers what is installed: a copy of the package tree stands in for it, and each
# file of it is changed in turn. `code_digest.__wrapped__` is the function under its cache.
PACKAGE = Path(provenance.__file__).resolve().parent


def _copy_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "modelfit"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    monkeypatch.setattr(provenance, "resources",
                        SimpleNamespace(files=lambda package: root if package == "modelfit"
                                        else None))
    return root


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the installed modelfit package (its __pycache__ folders left out) that
    code_digest reads instead of the real one."""
    return _copy_package(tmp_path, monkeypatch)


def _uncached_digest() -> str:
    return provenance.code_digest.__wrapped__()  # type: ignore[attr-defined, no-any-return]


def test_code_digest_is_the_digest_of_the_installed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A copy of the package, byte for byte, digests as the package itself does: the digest is
    of the files' names and bytes (and modelfit's version), not of where they are."""
    installed = _uncached_digest()
    assert installed == code_digest()
    _copy_package(tmp_path, monkeypatch)
    assert _uncached_digest() == installed


def _installed_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_changing_any_installed_file_changes_the_code_digest(package_copy: Path) -> None:
    """Every module, data file and template of the package, changed by one byte in turn,
    changes the digest; put back, the digest is the same again."""
    files = _installed_files(package_copy)
    names = {p.relative_to(package_copy).as_posix() for p in files}
    # the kinds of file the brief names are all among them
    assert {"provenance.py", "decision/scoring.py", "data/framework.yaml",
            "data/outcomes.yaml", "data/rubric.yaml", "py.typed"} <= names
    assert any(n.startswith("deliver/templates/") for n in names)
    before = _uncached_digest()
    unchanged = []
    for path in files:
        data = path.read_bytes()
        path.write_bytes(data + b"\n")
        if _uncached_digest() == before:
            unchanged.append(path.relative_to(package_copy).as_posix())
        path.write_bytes(data)
    assert unchanged == []
    assert _uncached_digest() == before


def test_a_new_or_renamed_file_changes_the_code_digest(package_copy: Path) -> None:
    """A file added to the package, or one renamed, changes the digest."""
    before = _uncached_digest()
    (package_copy / "data" / "extra.yaml").write_text("x: 1\n", "utf-8")
    assert _uncached_digest() != before
    (package_copy / "data" / "extra.yaml").unlink()
    assert _uncached_digest() == before
    (package_copy / "core" / "safe.py").rename(package_copy / "core" / "safe2.py")
    assert _uncached_digest() != before


def test_compiled_files_do_not_change_the_code_digest(package_copy: Path) -> None:
    """__pycache__ folders and stray .pyc/.pyo files, which Python writes on import, leave the
    digest as it was."""
    before = _uncached_digest()
    for folder in (package_copy, package_copy / "core", package_copy / "data"):
        cache = folder / "__pycache__"
        cache.mkdir(exist_ok=True)
        (cache / "module.cpython-311.pyc").write_bytes(b"\x00compiled")
        (cache / "notes.txt").write_text("not code either", "utf-8")
    (package_copy / "core" / "stray.pyc").write_bytes(b"\x00")
    (package_copy / "core" / "stray.pyo").write_bytes(b"\x00")
    assert _uncached_digest() == before


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
