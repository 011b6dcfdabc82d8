"""Incremental runs: the key of everything a rendered report depends on.

A report's key is a SHA-256 over its inputs: the profile file's bytes, the framework file's
bytes, modelfit's version and the digest of its installed code and data (so an edited outcome
table or template counts, not only a release), the versions of the libraries that shape the
output, the classifier files' hashes, the notebook's cells, the seed, the language and the
deliverables asked for. `modelfit report` records it in `<id>.json` (`run.input_key`);
`modelfit batch` skips a company whose recorded key equals its current key and whose files are
all there (`--force` renders every company anyway). The portfolio has its own key, over its
companies' keys, its notebook and its language, recorded in `portfolio.ipynb`'s metadata.

Computing a key reads a few small files and hashes them: no kernel, no heavy import.
"""

from __future__ import annotations

import hashlib
import json
import platform as _platform
from functools import cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelfit.outcome.predictor import find_default_model

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework
    from modelfit.inputs.profile import Profile

# The libraries whose versions shape a report's output (also listed in its run record).
KEY_LIBRARIES = ("modelfit", "numpy", "pandas", "scikit-learn", "matplotlib", "papermill",
                 "nbconvert", "skops")
KEY_VERSION = 1  # bump when what goes into a key changes
MAX_REPORT_JSON = 16 * 1024 * 1024  # a recorded report larger than this is not read


def digest(*parts: Any) -> str:
    """SHA-256 of the parts, as canonical JSON (bytes as their own SHA-256)."""
    def plain(value: Any) -> Any:
        if isinstance(value, bytes):
            return hashlib.sha256(value).hexdigest()
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    text = json.dumps([KEY_VERSION, *map(plain, parts)], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def code_digest() -> str:
    """modelfit's version and a digest of its installed modules, data files and templates."""
    package = resources.files("modelfit")
    files: list[tuple[str, str]] = []

    def walk(folder: Any, prefix: str) -> None:
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            name = f"{prefix}{item.name}"
            if item.is_dir():
                if item.name != "__pycache__":
                    walk(item, name + "/")
            elif not item.name.endswith((".pyc", ".pyo")):
                files.append((name, hashlib.sha256(item.read_bytes()).hexdigest()))

    walk(package, "")
    return digest(_version("modelfit"), files)


@cache
def library_versions() -> dict[str, str]:
    """The versions of the libraries that shape a report's output."""
    return {lib: _version(lib) for lib in KEY_LIBRARIES}


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def framework_digest(fw: Framework) -> str:
    """SHA-256 of the framework file the report uses (the bundled one or an edited copy)."""
    if fw.source == "bundled":
        from modelfit.decision.framework_file import BUNDLED

        return hashlib.sha256(resources.files("modelfit").joinpath("data", BUNDLED)
                              .read_bytes()).hexdigest()
    return hashlib.sha256(Path(fw.source).read_bytes()).hexdigest()


def classifier_digest(root: Path) -> str:
    """SHA-256s of the default classifier's files as the report's kernel finds them (from the
    notebooks folder), or "none"."""
    model = find_default_model(root / "notebooks")
    if model is None or not model.is_file():
        return "none"
    parts = [model, model.with_name(model.stem + ".predictor.npz"),
             model.with_name(model.stem + ".card.json")]
    return digest({p.name: p.read_bytes() for p in parts if p.is_file()})


def report_key(
    profile: Profile, fw: Framework, *, notebook: bytes, root: Path, lang: str, seed: int,
    pdf: bool = False, xlsx: bool = False, classifier: str | None = None,
    as_of: str | None = None,
) -> str:
    """The key of one company's report (see the module's docstring); `as_of`, the day whose
    market fees and rules the report applies, is part of it when given."""
    parts: dict[str, Any] = {
        "profile": profile.source_sha256, "framework": framework_digest(fw),
        "code": code_digest(), "libraries": library_versions(),
        "classifier": classifier if classifier is not None else classifier_digest(root),
        "notebook": notebook, "lang": lang, "seed": seed, "pdf": pdf, "xlsx": xlsx,
    }
    if as_of is not None:
        parts["as_of"] = as_of
    return digest(parts)


def report_stem(company_id: str, lang: str) -> str:
    """The file stem of a company's report in `lang`: `<id>` in English, `<id>.<lang>` in any
    other language (acme.html beside acme.zh.html), so both languages live side by side."""
    return company_id if lang == "en" else f"{company_id}.{lang}"


def stem_parts(stem: str) -> tuple[str, str]:
    """(company id, language) of a report file stem: `acme.zh` -> ("acme", "zh"). A company id
    holds no dot, so the split is unambiguous."""
    cid, _, lang = stem.partition(".")
    return cid, lang or "en"


def parse_langs(value: str) -> tuple[str, ...]:
    """The languages of `--lang en,zh` (one or more, comma-separated, each once), or a
    ModelfitError naming the value and what is allowed."""
    from modelfit.core.errors import ModelfitError
    from modelfit.core.vocab import LANGUAGES

    langs = tuple(dict.fromkeys(part.strip() for part in value.split(",")))
    bad = [lang for lang in langs if lang not in LANGUAGES]
    if bad or not langs:
        raise ModelfitError(f"--lang must be one or more of {', '.join(LANGUAGES)} separated by "
                            f"commas (en,zh), got {value!r}")
    return langs


def recorded_key(out_dir: Path, cid: str, suffixes: tuple[str, ...]) -> str | None:
    """The key recorded in `<cid>.json` when every `<cid>.<suffix>` is there, else None; `cid`
    is a report's file stem (`acme`, `acme.zh`)."""
    if not all((out_dir / f"{cid}.{suffix}").is_file() for suffix in suffixes):
        return None
    path = out_dir / f"{cid}.json"
    try:
        if path.stat().st_size > MAX_REPORT_JSON:
            return None
        run = json.loads(path.read_text("utf-8")).get("run", {})
    except (OSError, ValueError, AttributeError):
        return None
    key = run.get("input_key") if isinstance(run, dict) else None
    return key if isinstance(key, str) else None


def recorded_portfolio_key(out_dir: Path) -> str | None:
    """The key recorded in `portfolio.ipynb`'s metadata, or None."""
    path = out_dir / "portfolio.ipynb"
    try:
        if path.stat().st_size > MAX_REPORT_JSON:
            return None
        key = json.loads(path.read_bytes())["metadata"]["modelfit"]["input_key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return key if isinstance(key, str) else None


def portfolio_key(out_dir: Path, *, notebook: bytes, lang: str) -> str:
    """The portfolio's key: its companies' recorded keys (or file hashes), notebook, language."""
    from modelfit.inputs.profile import RESERVED_IDS

    companies = {}
    for path in sorted(out_dir.glob("*.json")):
        if path.stem in RESERVED_IDS:
            continue
        companies[path.stem] = recorded_key(out_dir, path.stem, ("json",)) or path.read_bytes()
    return digest({"companies": companies, "notebook": notebook, "lang": lang,
                   "code": code_digest(), "libraries": library_versions()})


def run_record(
    profile: Profile, fw: Framework, seed: int, model_sha256: str | None = None,
) -> dict[str, str]:
    """What reproduces a run: versions, framework, profile and classifier hashes, seed."""
    record = {
        "company_id": profile.company_id,
        "framework_version": fw.version,
        "framework_source": "bundled" if fw.source == "bundled" else Path(fw.source).name,
        "profile_sha256": profile.source_sha256,
        "classifier_sha256": model_sha256 or "none",
        "seed": str(seed),
        "python": _platform.python_version(),
    }
    for lib in KEY_LIBRARIES:
        try:
            record[lib] = version(lib)
        except PackageNotFoundError:
            record[lib] = "not installed"
    return record
