"""Run every benchmark, print one table, write it to bench/results/latest.md (`make bench`).

Protocol (how to add a benchmark):
- Put a module `bench/bench_<name>.py` next to this file. `run.py` finds every `bench_*.py`
  here, in name order, imports it, and calls its `run()`.
- `run() -> list[dict]` returns one row per measured figure, each a dict with exactly:
    "benchmark": str    what was measured, e.g. "score_profiles, 1,000,000 profiles"
    "measured":  str    the figure with its unit, e.g. "0.41 s" or "212x"
    "target":    str    the goal it is held to, e.g. "<= 2 s" or ">= 50x"
    "ok":        bool   whether `measured` meets `target`
  Format the numbers yourself (units in the strings); `run.py` only lays the rows out.
- A benchmark may print progress or detail of its own; keep it short. It must be deterministic
  in its inputs (a seeded numpy Generator) and time with `time.perf_counter`, best of several.
- Benchmarks run with one BLAS thread (OMP/OPENBLAS/MKL_NUM_THREADS=1 unless already set).
- A module that raises is shown as one failed row (its exception in `measured`), and the others
  still run.
Exit status: 0 when every row is ok, 1 otherwise. `python bench/run.py NAME ...` runs only the
modules whose name contains one of the NAMEs (e.g. `python bench/run.py scoring`).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import platform
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

# Targets are per core: keep numpy's BLAS to one thread, set before any benchmark imports numpy.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.md"
COLUMNS = ("benchmark", "measured", "target", "ok")


def discover(names: list[str]) -> list[Path]:
    """The bench_*.py modules here, in name order, filtered by `names` if any."""
    found = sorted(HERE.glob("bench_*.py"))
    if names:
        found = [p for p in found if any(n in p.stem for n in names)]
    return found


def load(path: Path) -> ModuleType:
    """Import a benchmark module from its file."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def collect(path: Path) -> list[dict[str, Any]]:
    """Run one module's `run()` and check its rows; a failure becomes one failed row."""
    try:
        rows = load(path).run()
        for row in rows:
            if set(row) != set(COLUMNS) or not isinstance(row["ok"], bool):
                raise TypeError(f"a row must have exactly {', '.join(COLUMNS)} (ok a bool), "
                                f"got {row!r}")
        return [{**row, "module": path.stem} for row in rows]
    except Exception as exc:  # one broken benchmark must not hide the others
        traceback.print_exc()
        return [{"module": path.stem, "benchmark": f"{path.stem}.run()",
                 "measured": f"failed: {type(exc).__name__}: {exc}", "target": "runs",
                 "ok": False}]


def table(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of the rows."""
    head = ["module", *COLUMNS]
    cells = [[str(r["module"]), str(r["benchmark"]), str(r["measured"]), str(r["target"]),
              "yes" if r["ok"] else "NO"] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, h in enumerate(head)]

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, cells)])


def main(argv: list[str]) -> int:
    rows: list[dict[str, Any]] = []
    for path in discover(argv):
        print(f"running {path.name} ...", flush=True)
        rows.extend(collect(path))
    body = table(rows)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"# Benchmarks\n\n{stamp}; Python {platform.python_version()} on "
              f"{platform.machine()} ({platform.system()})\n\n")
    print()
    print(body)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(header + body + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(HERE.parent)}")
    return 0 if rows and all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
