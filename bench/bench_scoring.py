"""Scoring speed: `score_profiles` on one million profiles, and its speed-up per profile over
calling `recommend` in a loop. Both in one run, side by side.

Targets (the foundation issue): one million profiles in at most 2 s on one core; at least 50x
faster per profile than the `recommend` loop. Timed with time.perf_counter, best of 3.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from modelfit import Framework, Profile, recommend, score_profiles
from modelfit.core.vocab import RATINGS, STAGES

N_VECTOR = 1_000_000
N_LOOP = 2_000
REPEATS = 3
SEED = 20240601
TARGET_SECONDS = 2.0
TARGET_SPEEDUP = 50.0

# One core (also set by run.py, before numpy is imported; this covers a direct run).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def random_profiles(n: int, seed: int) -> pd.DataFrame:
    """n random profiles over the whole space of stages and ratings."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"stage": rng.choice(STAGES, n),
                         **{name: rng.integers(1, 6, n) for name in RATINGS}})


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
    frame = random_profiles(N_VECTOR, SEED)
    vector_s = best_of(REPEATS, lambda: score_profiles(frame, fw))

    sample = frame.iloc[:N_LOOP]
    profiles = [Profile.from_mapping({"company": "bench", "stage": row[0],
                                      **dict(zip(RATINGS, map(int, row[1:]), strict=True))})
                for row in sample.itertuples(index=False)]  # validated outside the timing

    def loop() -> None:
        for profile in profiles:
            recommend(profile, fw)

    loop_s = best_of(REPEATS, loop)
    per_vector = vector_s / N_VECTOR
    per_loop = loop_s / N_LOOP
    speedup = per_loop / per_vector
    print(f"  score_profiles: {N_VECTOR:,} profiles in {vector_s:.3f} s "
          f"({per_vector * 1e9:.0f} ns/profile)")
    print(f"  recommend loop: {N_LOOP:,} profiles in {loop_s:.3f} s "
          f"({per_loop * 1e6:.0f} us/profile)")
    print(f"  speed-up per profile: {speedup:,.0f}x")
    return [
        {"benchmark": f"score_profiles, {N_VECTOR:,} random profiles (best of {REPEATS})",
         "measured": f"{vector_s:.3f} s", "target": f"<= {TARGET_SECONDS:g} s",
         "ok": vector_s <= TARGET_SECONDS},
        {"benchmark": f"speed-up per profile vs recommend loop on {N_LOOP:,} profiles",
         "measured": f"{speedup:,.0f}x", "target": f">= {TARGET_SPEEDUP:g}x",
         "ok": speedup >= TARGET_SPEEDUP},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
