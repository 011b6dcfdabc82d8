"""The batch against one cold report, and a second batch against the first, in one run.

Rows (each measured as commands a user runs, in subprocesses, side by side):
- a batch of 8 companies on 2 workers (`modelfit batch --workers 2`, a LocalCluster with warm
  kernels, portfolio included) against one cold `modelfit report` of one company.
  Target: at most 1.5x.
- a second `modelfit batch` of the project's companies with nothing changed (what a second
  `make reports` runs) against the first. Target: at most a tenth.
Each figure is the best of two runs, the runs of the two sides alternating.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELFIT = str(Path(sys.executable).with_name("modelfit"))
BATCH_TARGET = 1.5
REPEAT_TARGET = 0.1
COMPANIES = 8
RUNS = 2


def _params(folder: Path) -> Path:
    params = folder / "params"
    params.mkdir()
    sources = sorted((ROOT / "params").glob("*.yaml"))
    for i in range(COMPANIES):
        text = sources[i % len(sources)].read_text("utf-8")
        (params / f"company{i}.yaml").write_text(text, "utf-8")
    return params


def _timed(args: list[str]) -> float:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run() -> list[dict[str, object]]:
    """Time the commands and return the two ratio rows."""
    cold: list[float] = []
    batch: list[float] = []
    first: list[float] = []
    second: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        params = _params(folder)
        for run_no in range(RUNS):
            cold.append(_timed([MODELFIT, "report", "demo", "--out", str(folder / "cold")]))
            out = folder / f"batch{run_no}"
            batch.append(_timed([MODELFIT, "batch", "--params-dir", str(params), "--out",
                                 str(out), "--workers", "2"]))
            reports = folder / f"reports{run_no}"
            first.append(_timed([MODELFIT, "batch", "--out", str(reports)]))
            second.append(_timed([MODELFIT, "batch", "--out", str(reports)]))
            shutil.rmtree(out)
    batch_ratio = min(batch) / min(cold)
    repeat_ratio = min(second) / min(first)
    return [
        {
            "benchmark": f"batch of {COMPANIES} reports on 2 workers / one cold report",
            "measured": f"{batch_ratio:.2f}x ({min(batch):.1f} s vs {min(cold):.1f} s)",
            "target": f"<= {BATCH_TARGET:g}x",
            "ok": batch_ratio <= BATCH_TARGET,
        },
        {
            "benchmark": "second batch of params/ with nothing changed / first (make reports)",
            "measured": f"{repeat_ratio:.3f}x ({min(second):.2f} s vs {min(first):.1f} s)",
            "target": f"<= {REPEAT_TARGET:g}x",
            "ok": repeat_ratio <= REPEAT_TARGET,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
