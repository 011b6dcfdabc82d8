"""Second-opinion latency: `modelfit recommend params/demo.yaml` with the classifier, against
`python -c "import pandas, sklearn.ensemble"` on the same machine, side by side.

Target (issue 11): the answer with the classifier's second opinion takes no more wall time than
merely importing pandas and scikit-learn's ensembles (ratio <= 1.0). Each command runs as a fresh
process, alternately, 5 times; the medians are compared.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODELFIT = Path(sys.executable).parent / "modelfit"
RUNS = 5
TARGET = 1.0


def wall(argv: list[str]) -> float:
    """Wall seconds of one fresh process (output discarded; a failure raises)."""
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def run() -> list[dict[str, Any]]:
    if not (ROOT / "data" / "classifier.predictor.npz").is_file():
        raise FileNotFoundError("data/classifier.predictor.npz is missing: run `make model`")
    recommend = [str(MODELFIT), "recommend", "params/demo.yaml"]
    imports = [sys.executable, "-c", "import pandas, sklearn.ensemble"]
    wall(recommend)  # warm the file cache once
    wall(imports)
    ours, theirs = [], []
    for _ in range(RUNS):
        ours.append(wall(recommend))
        theirs.append(wall(imports))
    a, b = statistics.median(ours), statistics.median(theirs)
    ratio = a / b
    return [{
        "benchmark": (f"modelfit recommend demo with the classifier / import pandas, "
                      f"sklearn.ensemble (medians of {RUNS}: {a:.2f} s vs {b:.2f} s)"),
        "measured": f"{ratio:.2f}x", "target": f"<= {TARGET:.1f}x", "ok": ratio <= TARGET,
    }]


if __name__ == "__main__":
    for row in run():
        print(row)
