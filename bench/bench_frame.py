"""DataFrame-first answers: `recommend_frame` on 10,000 profiles, without and with robustness,
against the loop an analyst would otherwise write (`recommend`, and `robustness.analyse` for
the confidence, per profile). Side by side in one run.

The loop without robustness is timed on all 10,000 profiles; the loop with robustness (22 ms a
profile, about four minutes for 10,000) on the first `N_ROBUST_LOOP` and scaled per profile.
Timed with time.perf_counter, best of `REPEATS` (the robust loop once).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from modelfit import Framework, Profile, recommend, recommend_frame
from modelfit.core.vocab import BASE_CHANNELS, RATINGS, STAGES
from modelfit.decision.robustness import analyse

N = 10_000
N_ROBUST_LOOP = 200
REPEATS = 3
SEED = 20261206
TARGET_SPEEDUP = 20.0
TARGET_ROBUST_SPEEDUP = 10.0

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def random_profiles(n: int, seed: int) -> pd.DataFrame:
    """n random profiles: stage, ratings and the channels already running."""
    rng = np.random.default_rng(seed)
    running = rng.random((n, len(BASE_CHANNELS))) < 0.4
    return pd.DataFrame({
        "stage": rng.choice(STAGES, n), **{name: rng.integers(1, 6, n) for name in RATINGS},
        "existing_channels": [";".join(c for c, on in zip(BASE_CHANNELS, row, strict=True) if on)
                              for row in running],
    })


def best_of(repeats: int, func: Callable[[], Any]) -> float:
    """The fastest of `repeats` timed calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def run() -> list[dict[str, Any]]:
    fw = Framework.load()
    frame = random_profiles(N, SEED)
    plain_s = best_of(REPEATS, lambda: recommend_frame(frame, fw))
    robust_s = best_of(REPEATS, lambda: recommend_frame(frame, fw, robustness=True))
    profiles = [Profile.from_mapping({
        "company": "bench", "stage": row.stage, **{r: int(getattr(row, r)) for r in RATINGS},
        "existing_channels": [c for c in row.existing_channels.split(";") if c]})
        for row in frame.itertuples(index=False)]  # validated outside the timing

    def loop() -> None:
        for profile in profiles:
            recommend(profile, fw)

    def robust_loop() -> None:
        for profile in profiles[:N_ROBUST_LOOP]:
            recommend(profile, fw)
            analyse(profile, fw)

    loop_s = best_of(REPEATS, loop)
    robust_loop_s = best_of(1, robust_loop) * N / N_ROBUST_LOOP
    speedup = loop_s / plain_s
    robust_speedup = robust_loop_s / robust_s
    print(f"  recommend_frame: {N:,} profiles in {plain_s:.3f} s; recommend loop {loop_s:.2f} s")
    print(f"  recommend_frame(robustness=True): {robust_s:.2f} s; recommend + analyse loop "
          f"{robust_loop_s:.0f} s (scaled from {N_ROBUST_LOOP})")
    return [
        {"benchmark": f"recommend_frame, {N:,} profiles ({plain_s:.3f} s) vs recommend loop "
                      f"({loop_s:.2f} s)",
         "measured": f"{speedup:,.0f}x", "target": f">= {TARGET_SPEEDUP:g}x",
         "ok": speedup >= TARGET_SPEEDUP},
        {"benchmark": f"recommend_frame(robustness=True), {N:,} profiles ({robust_s:.2f} s) vs "
                      f"recommend + robustness.analyse loop ({robust_loop_s:.0f} s, scaled "
                      f"from {N_ROBUST_LOOP})",
         "measured": f"{robust_speedup:,.0f}x", "target": f">= {TARGET_ROBUST_SPEEDUP:g}x",
         "ok": robust_speedup >= TARGET_ROBUST_SPEEDUP},
    ]
