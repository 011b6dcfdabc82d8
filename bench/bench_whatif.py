"""Benchmark: one what-if update (a control moved) against one `recommend` call.

Run with `.venv/bin/python bench/bench_whatif.py`. One update is what `modelfit.views.whatif.WhatIf`
does when a control moves: `evaluate` (recommend and `analyse` with 4,000 samples on the
reweighted framework), the contributions chart as SVG, and the four HTML tables. Also timed: the
widgets' own round trip (a slider set in Python, every output redrawn). The framework and the
app are built once, outside the timings. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import os
import platform
import timeit
from pathlib import Path

import numpy as np

from modelfit import Framework, load_profile, recommend
from modelfit.views.whatif import Scenario, WhatIf, evaluate

REPEATS = 5
PARAMS = Path(__file__).parents[1] / "params"


def best(func: object, number: int) -> float:
    """Best time per call, in seconds, over REPEATS runs of `number` calls."""
    times = timeit.repeat(func, number=number, repeat=REPEATS)  # type: ignore[arg-type]
    return min(times) / number


def _times() -> tuple[float, float, float, float]:
    fw = Framework.load()
    profile = load_profile(PARAMS / "demo.yaml")
    moved = Scenario(stage="growth", ratings={**profile.ratings(), "capital": 4},
                     multipliers={**dict.fromkeys(fw.criteria, 1.0), "brand_content": 2.0})

    def update() -> None:
        view = evaluate(profile, moved, fw)
        view.contributions_svg()
        for table in (view.ranking_table(), view.weights_table(), view.acceptability_table(),
                      view.flips_table()):
            table.to_html()

    app = WhatIf(profile, fw)
    values = iter([4, 3] * 100)

    def slider() -> None:
        app.ratings["capital"].value = next(values)

    t_rec = best(lambda: recommend(profile, fw), 200)
    t_eval = best(lambda: evaluate(profile, moved, fw), 5)
    t_update = best(update, 3)
    t_slider = best(slider, 3)
    return t_rec, t_eval, t_update, t_slider


def main() -> None:
    """Print the timings and their ratio to one recommend call."""
    t_rec, t_eval, t_update, t_slider = _times()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}")
    for label, t in (("recommend (one call)", t_rec), ("evaluate (no drawing)", t_eval),
                     ("one update: evaluate + SVG chart + tables", t_update),
                     ("slider moved, every widget redrawn", t_slider)):
        print(f"{label:44s} {1e3 * t:8.1f} ms {t / t_rec:7.0f}x")


def run() -> list[dict[str, object]]:
    """The `bench/run.py` row: one what-if update, widgets included."""
    t_rec, _, _, t_slider = _times()
    return [{
        "benchmark": "what-if: a slider moved, every output redrawn (demo)",
        "measured": f"{1e3 * t_slider:.0f} ms ({t_slider / t_rec:.0f}x one recommend call)",
        "target": "well under 1 s (< 0.5 s)",
        "ok": t_slider < 0.5,
    }]


if __name__ == "__main__":
    main()
