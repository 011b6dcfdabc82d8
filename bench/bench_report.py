"""One report (make report: papermill + HTML) against papermill running an imports-only notebook.

Both run as fresh processes in the project's kernel, interleaved, best of three each; the
figure is the ratio of the two best times. Target: at most 2x.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET = 2.0
ROUNDS = 3


def _imports_only(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "modelfit", "display_name": "modelfit (.venv)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import pandas\nimport sklearn\nimport matplotlib")]
    path = folder / "imports_only.ipynb"
    nbformat.write(nb, path)
    return path


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def run() -> list[dict[str, object]]:
    """Time both side by side and return the ratio row."""
    from modelfit.deliver.kernelspec import ensure_kernel

    ensure_kernel()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floor_nb = _imports_only(folder)
        report_cmd = [str(BIN / "modelfit"), "report", "demo", "--out", str(folder / "out")]
        floor_cmd = [str(BIN / "papermill"), str(floor_nb), str(folder / "floor_out.ipynb"),
                     "-k", "modelfit", "--no-progress-bar"]
        reports, floors = [], []
        for _ in range(ROUNDS):
            floors.append(_time(floor_cmd))
            reports.append(_time(report_cmd))
    ratio = min(reports) / min(floors)
    return [{
        "benchmark": "one report (papermill + HTML) / imports-only papermill run",
        "measured": f"{ratio:.2f}x ({min(reports):.2f} s vs {min(floors):.2f} s)",
        "target": f"<= {TARGET:g}x",
        "ok": ratio <= TARGET,
    }]


if __name__ == "__main__":
    for row in run():
        print(row)
