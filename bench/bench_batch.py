"""A batch of 8 companies on 2 workers against the same batch on 1 worker, in one run.

Target: the 2-worker batch takes at most 0.7x the 1-worker time (real parallelism on 2 cores).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.7
COMPANIES = 8


def _params(folder: Path) -> Path:
    params = folder / "params"
    params.mkdir()
    sources = sorted((ROOT / "params").glob("*.yaml"))
    for i in range(COMPANIES):
        shutil.copy(sources[i % len(sources)], params / f"company{i}.yaml")
    return params


def run() -> list[dict[str, object]]:
    """Time the batch on 1 and on 2 workers and return the ratio row."""
    from modelfit.batch import render_batch

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        params = _params(folder)
        times = {}
        for workers in (1, 2):
            start = time.perf_counter()
            result = render_batch(params, folder / f"out{workers}", workers=workers, root=ROOT,
                                  progress=False)
            times[workers] = time.perf_counter() - start
            if not result.ok:
                raise RuntimeError(result.summary())
    ratio = times[2] / times[1]
    return [{
        "benchmark": f"batch of {COMPANIES} reports: 2 workers / 1 worker",
        "measured": f"{ratio:.2f}x ({times[2]:.1f} s vs {times[1]:.1f} s)",
        "target": f"<= {TARGET:g}x",
        "ok": ratio <= TARGET,
    }]


if __name__ == "__main__":
    for row in run():
        print(row)
