"""The house rules (modelfit.core.imports): stages import one way, no loops, no private names
across modules, no module over about 500 lines, one exception root, and nothing global changed
by importing modelfit."""

from __future__ import annotations

import inspect
import json
import pkgutil
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import modelfit
from modelfit.core.errors import ModelfitError
from modelfit.core.imports import edges, loops, module_files, problems

PACKAGE = Path(modelfit.__file__).parent
MAX_LINES = 500


def test_the_package_keeps_the_house_rules() -> None:
    """No import loop, no import from a stage to a later one, no private name imported from
    another module, every module in a known stage (imports inside functions included)."""
    assert problems(PACKAGE) == []


def write_package(root: Path, files: dict[str, str]) -> Path:
    """A throwaway package `modelfit` under `root` with the given modules (path -> source)."""
    pkg = root / "modelfit"
    for rel, source in files.items():
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in [path.parent, *path.parent.parents]:
            if parent == root:
                break
            (parent / "__init__.py").touch()
        path.write_text(source, "utf-8")
    return pkg


def test_a_loop_hidden_inside_a_function_is_found(tmp_path: Path) -> None:
    """Two modules that import each other, one of them only inside a function body (the kind
    of loop the flat layout hid), are reported as a loop."""
    pkg = write_package(tmp_path, {
        "core/a.py": "from modelfit.core.b import B\nA = 1\n",
        "core/b.py": "B = 2\ndef later():\n    from modelfit.core import a\n    return a.A\n",
    })
    assert loops(edges(pkg)) == [["modelfit.core.a", "modelfit.core.b"]]
    assert problems(pkg) == ["import loop: modelfit.core.a <-> modelfit.core.b"]


def test_an_import_from_an_earlier_stage_to_a_later_one_is_refused(tmp_path: Path) -> None:
    """`decision` reaching up into `views`, even under TYPE_CHECKING, breaks the one-way rule."""
    pkg = write_package(tmp_path, {
        "views/charts.py": "COLOURS = {}\n",
        "decision/scoring.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                "    from modelfit.views.charts import COLOURS\n"),
    })
    assert problems(pkg) == ["modelfit.decision.scoring (line 3) imports modelfit.views.charts: "
                             "decision may not import the later stage views"]


def test_a_private_name_imported_from_another_module_is_refused(tmp_path: Path) -> None:
    """`from modelfit.inputs.profile import _StrictLoader` was how the loops began."""
    pkg = write_package(tmp_path, {
        "inputs/profile.py": "class _StrictLoader: ...\n",
        "decision/framework.py": "from modelfit.inputs.profile import _StrictLoader\n",
    })
    assert problems(pkg) == ["modelfit.decision.framework (line 1) imports the private "
                             "_StrictLoader from modelfit.inputs.profile"]


def test_a_module_outside_the_stages_is_named(tmp_path: Path) -> None:
    """A new top-level module must be given a stage, not slip in beside them."""
    pkg = write_package(tmp_path, {"helpers.py": "X = 1\n"})
    assert problems(pkg) == ["modelfit.helpers: not in a known stage (core, inputs, decision, "
                             "outcome, provenance, analysis, views, deliver, run, cli)"]


def test_the_stages_are_subpackages() -> None:
    """The stages with more than one module are subpackages whose __init__ holds only a
    docstring: code imports the concrete module, never a package that re-exports."""
    for name in ("core", "inputs", "decision", "outcome", "views", "deliver", "run"):
        init = PACKAGE / name / "__init__.py"
        body = [n for n in __import__("ast").parse(init.read_text("utf-8")).body]
        assert len(body) == 1, f"{init} holds more than its docstring"


def test_no_module_is_over_500_lines() -> None:
    """Rooms stay small enough to read whole."""
    sizes = {name: len(path.read_text("utf-8").splitlines())
             for name, path in module_files(PACKAGE).items()}
    assert {n: s for n, s in sizes.items() if s > MAX_LINES} == {}


def all_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], "modelfit.")
                  if m.name != "modelfit.__main__")


def test_every_error_class_is_under_the_one_root() -> None:
    """A caller catches `ModelfitError` and gets every error modelfit raises, with `problems`
    one line each and an exit status of 2 (bad input) or 1 (a failed run)."""
    found = []
    for name in all_modules():
        for _, cls in inspect.getmembers(import_module(name), inspect.isclass):
            if (cls.__module__ == name and issubclass(cls, BaseException)
                    and not issubclass(cls, Warning)):
                found.append(cls)
                assert issubclass(cls, ModelfitError), f"{name}.{cls.__name__} is not a ModelfitError"
                assert cls.exit_status in (1, 2)
    assert len(found) >= 5  # the root, profile, framework, run, render, kernel, pdf errors


IMPORT_EVERYTHING = """
import json, sys, warnings
import matplotlib, pandas as pd
from matplotlib import pyplot  # noqa: F401  (its own import may set the backend)

def state():
    from pandas._config import config
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read(config)

def read(config):
    return {"rc": {k: repr(v) for k, v in matplotlib.rcParams.items()},
            "pandas": {k: repr(config.get_option(k)) for k in config._registered_options},
            "rfc3987_syntax": "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None,
            "filters": len(warnings.filters)}

before = state()
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
after = state()
changed = {part: sorted(k for k in before[part] if before[part][k] != after[part].get(k))
           if isinstance(before[part], dict) else before[part] != after[part] for part in before}
print(json.dumps(changed))
"""


def test_importing_every_module_changes_no_global_state() -> None:
    """Importing any part of modelfit leaves matplotlib's rcParams, pandas' options, warning
    filters and sys.modules' entries of other packages as they were: style and library
    work-arounds are applied where they are needed, never by an import."""
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING, *all_modules()],
                          capture_output=True, text=True, check=True)
    changed = json.loads(done.stdout.strip().splitlines()[-1])
    assert changed == {"rc": [], "pandas": [], "rfc3987_syntax": False, "filters": False}


PUBLIC = ("Framework", "Profile", "load_profile", "recommend", "score_profiles", "ModelfitError",
          "report", "explore")


def test_public_names_load_on_first_use() -> None:
    """`import modelfit` imports none of its stages; each public name (and the notebooks'
    display modules, `from modelfit import report`) loads its module when first used."""
    code = ("import sys, modelfit; print(len([m for m in sys.modules if m.startswith('modelfit.')])); "
            f"print(*[type(getattr(modelfit, n)).__name__ for n in {PUBLIC!r}])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, kinds = done.stdout.strip().splitlines()
    assert first == "0"
    assert kinds.split() == ["type", "ModelMetaclass", "function", "function", "function", "type",
                             "module", "module"]
