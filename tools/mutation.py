"""Mutation testing of the modules where a mistake is costly: `make mutation`, or
`python tools/mutation.py [NAME ...] [--max-children N] [--survivors]`.

Each module named in pyproject's `[tool.modelfit.mutation.<NAME>]` (file, the functions that
count, the fast test files that cover it) is mutated by mutmut in its own folder,
`build/mutation/<NAME>/`: a copy of src/, tests/ and params/ with a pyproject whose
`[tool.mutmut]` is the project's shared one plus that module's file and tests. Every run starts
afresh (no results are reused), and no test that starts a Jupyter kernel is ever selected.

Prints, per module, the mutants of the functions that count, how many the tests killed (a
timeout counts as killed, as mutmut's own score has it), how many survived or reached no test,
the score (killed / mutants) and the time taken. `--survivors` also prints each surviving
mutant's diff; they are written to `build/mutation/<NAME>/survivors.txt` in any case, and a
summary of every module to `build/mutation/summary.json`. docs/testing.md says what each
survivor means. Exit status 0 when every run finished (whatever the score), 1 otherwise.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "mutation"
COPIED = ("src", "tests")  # and what [tool.mutmut] also_copy names
KILLED = ("killed", "timeout", "caught by type check")


@dataclass
class Target:
    """One module to mutate: its file, the functions whose mutants count, its tests."""

    name: str
    path: str
    functions: list[str]
    tests: list[str]

    @property
    def module(self) -> str:
        return self.path.removeprefix("src/").removesuffix(".py").replace("/", ".")

    def patterns(self) -> list[str]:
        """mutmut's mutant-name patterns: every function of the module, or the listed ones
        (`name` for a function, `Class.method` for a method)."""
        if not self.functions:
            return [f"{self.module}.*"]
        out = []
        for fn in self.functions:
            if "." in fn:
                cls, meth = fn.split(".", 1)
                out.append(f"{self.module}.x\u01c1{cls}\u01c1{meth}__mutmut_*")
            else:
                out.append(f"{self.module}.x_{fn}__mutmut_*")
        return out


@dataclass
class Outcome:
    """What one module's run gave."""

    name: str
    path: str
    mutants: int = 0
    killed: int = 0
    survived: int = 0
    no_tests: int = 0
    other: int = 0
    seconds: float = 0.0
    ok: bool = True
    survivors: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.mutants if self.mutants else 0.0


def load_targets(pyproject: Path = ROOT / "pyproject.toml") -> tuple[dict[str, Any], list[Target]]:
    """The shared `[tool.mutmut]` settings and the modules of `[tool.modelfit.mutation]`."""
    data = tomllib.loads(pyproject.read_text("utf-8"))
    shared = dict(data["tool"]["mutmut"])
    targets = [Target(name, spec["path"], list(spec.get("functions", [])), list(spec["tests"]))
               for name, spec in data["tool"]["modelfit"]["mutation"].items()]
    return shared, targets


def toml_value(value: Any) -> str:
    """A TOML value for a string, number, bool or list of those (JSON spells them the same)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def scratch_pyproject(shared: dict[str, Any], target: Target) -> str:
    """The project's pyproject with `[tool.mutmut]` made this module's."""
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[)", "", text)
    settings = {**shared, "only_mutate": [target.path],
                "pytest_add_cli_args_test_selection": target.tests}
    lines = ["", "[tool.mutmut]", *(f"{k} = {toml_value(v)}" for k, v in settings.items()), ""]
    return text + "\n".join(lines)


def prepare(shared: dict[str, Any], target: Target) -> Path:
    """A fresh folder in which mutmut mutates `target` alone."""
    work = OUT / target.name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "*.egg-info")
    for name in (*COPIED, *shared.get("also_copy", [])):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, work / name, ignore=ignore)
        else:
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, work / name)
    (work / "pyproject.toml").write_text(scratch_pyproject(shared, target), "utf-8")
    return work


def mutmut(work: Path, *args: str, log: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run mutmut in `work` (the copied src/ first on the path, nothing else of modelfit's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MUTANT_UNDER_TEST")}
    exe = Path(sys.executable).with_name("mutmut")
    command = [str(exe) if exe.exists() else "mutmut", *args]
    if log is None:
        return subprocess.run(command, cwd=work, env=env, capture_output=True, text=True,
                              check=False)
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                              text=True, check=False)
    return done


def run_target(shared: dict[str, Any], target: Target, max_children: int) -> Outcome:
    """Mutate one module and count what its tests did to the mutants that count."""
    work = prepare(shared, target)
    start = time.monotonic()
    done = mutmut(work, "run", "--max-children", str(max_children), *target.patterns(),
                  log=work / "run.log")
    outcome = Outcome(target.name, target.path, seconds=round(time.monotonic() - start, 1))
    listed = mutmut(work, "results", "--all", "true")
    statuses: dict[str, str] = {}
    for line in listed.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and any(fnmatch.fnmatch(name, p) for p in target.patterns()):
            statuses[name] = status
    outcome.ok = done.returncode == 0 and bool(statuses)
    if not outcome.ok:  # the clean run or the stats failed: nothing was tested
        outcome.mutants = len(statuses)
        return outcome
    for name, status in sorted(statuses.items(), key=lambda kv: _natural(kv[0])):
        outcome.mutants += 1
        if status in KILLED:
            outcome.killed += 1
        elif status == "survived":
            outcome.survived += 1
            outcome.survivors.append(name)
        elif status == "no tests":
            outcome.no_tests += 1
            outcome.survivors.append(name)
        else:  # suspicious, segfault, not checked: looked at by hand
            outcome.other += 1
            outcome.survivors.append(name)
    diffs = [mutmut(work, "show", name).stdout for name in outcome.survivors]
    (work / "survivors.txt").write_text("\n".join(diffs), "utf-8")
    return outcome


def _natural(name: str) -> tuple[str, int]:
    head, _, number = name.rpartition("_")
    return (head, int(number)) if number.isdigit() else (name, 0)


def table(outcomes: list[Outcome]) -> str:
    """The per-module scores as a text table."""
    head = (f"{'module':<32} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} "
            f"{'other':>5} {'score':>6} {'time':>7}")
    rows = [head, "-" * len(head)]
    for o in outcomes:
        rows.append(f"{o.path.removeprefix('src/modelfit/'):<32} {o.mutants:>7} {o.killed:>6} "
                    f"{o.survived:>8} {o.no_tests:>8} {o.other:>5} {o.score:>5.1f}% "
                    f"{o.seconds:>6.0f}s" + ("" if o.ok else "  (run failed: see run.log)"))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="modules to mutate (default: all)")
    parser.add_argument("--max-children", type=int, default=2,
                        help="mutants tested at once (default 2)")
    parser.add_argument("--survivors", action="store_true", help="print each survivor's diff")
    args = parser.parse_args(argv)
    shared, targets = load_targets()
    unknown = sorted(set(args.names) - {t.name for t in targets})
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; "
                     f"known: {', '.join(t.name for t in targets)}")
    chosen = [t for t in targets if not args.names or t.name in args.names]
    outcomes = []
    for target in chosen:
        print(f"mutating {target.path} against {' '.join(target.tests)} ...", flush=True)
        outcomes.append(run_target(shared, target, args.max_children))
        print(table(outcomes[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(outcomes))
    if args.survivors:
        for target in chosen:
            print()
            print((OUT / target.name / "survivors.txt").read_text("utf-8"))
    (OUT / "summary.json").write_text(json.dumps(
        [{**asdict(o), "score": round(o.score, 1)} for o in outcomes], indent=2) + "\n", "utf-8")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
