"""Benchmark: 10,000 SMAA samples for one company against one `recommend` call.

Run with `.venv/bin/python bench/bench_robustness.py [PROFILE.yaml]` (default params/demo.yaml).
Prints the best of several repeats (seconds) for: one `recommend`; the SMAA-2 kernels alone
(10,000 weight samples: sampling, scoring, ranking, acceptabilities, central weights, confidence
factors), with and without rating noise; and the whole `analyse` (adds the stability intervals
and the flips, each flip checked with `recommend`). The framework is loaded once, outside the
timings. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import os
import platform
import sys
import timeit
from pathlib import Path

import numpy as np

from modelfit import Framework, load_profile, recommend
from modelfit.decision.features import to_deviations
from modelfit.decision.robustness import RATING_NOISE, analyse
from modelfit.decision.scoring import criterion_points, score_matrix
from modelfit.decision.smaa import confidence_factors, perturb_ratings, sample_weights, smaa

SAMPLES = 10_000
REPEATS = 7


def best(func: object, number: int) -> float:
    """Best time per call, in seconds, over REPEATS runs of `number` calls."""
    times = timeit.repeat(func, number=number, repeat=REPEATS)  # type: ignore[arg-type]
    return min(times) / number


def main() -> None:
    """Time the pieces and print them, with the ratio to one recommend call."""
    default = Path(__file__).parents[1] / "params" / "demo.yaml"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    fw = Framework.load()
    profile = load_profile(path)
    ratings = np.array([[profile.ratings()[c] for c in fw.criteria]], dtype=float)
    stage = np.array([fw.stages.index(profile.stage)])

    def kernels(noise: bool) -> None:
        rng = np.random.Generator(np.random.PCG64(0))
        lam = sample_weights(rng, SAMPLES, len(fw.criteria), 5.0)
        rows = perturb_ratings(rng, ratings[0], SAMPLES, RATING_NOISE) if noise else ratings
        scores, penalty = score_matrix(rows, np.repeat(stage, rows.shape[0]), fw)
        points = criterion_points(to_deviations(rows), fw.weights)
        _, central = smaa(scores, penalty, points, lam)
        confidence_factors(scores, penalty, points, central)

    t_rec = best(lambda: recommend(profile, fw), 200)
    t_smaa = best(lambda: kernels(False), 10)
    t_noise = best(lambda: kernels(True), 10)
    t_all = best(lambda: analyse(profile, fw, samples=SAMPLES, rating_noise=None, prior_sd=0), 5)
    t_all_noise = best(lambda: analyse(profile, fw, samples=SAMPLES), 5)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}; profile {path.name}")
    print(f"{'recommend (one call)':48s} {1e3 * t_rec:8.3f} ms   1.0x")
    for label, t in (
        (f"SMAA kernels, {SAMPLES:,} samples", t_smaa),
        (f"SMAA kernels, {SAMPLES:,} samples + rating noise", t_noise),
        (f"analyse(), {SAMPLES:,} samples, weights only", t_all),
        (f"analyse(), {SAMPLES:,} samples (default: + ratings, priors)", t_all_noise),
    ):
        print(f"{label:48s} {1e3 * t:8.3f} ms {t / t_rec:6.1f}x")


def run() -> list[dict[str, object]]:
    """The `bench/run.py` row: a full `analyse()` at its defaults (10,000 samples, rating and
    stage-prior noise) beside one `recommend`."""
    fw = Framework.load()
    profile = load_profile(Path(__file__).parents[1] / "params" / "demo.yaml")
    t_rec = best(lambda: recommend(profile, fw), 200)
    t_all = best(lambda: analyse(profile, fw, samples=SAMPLES), 5)
    return [{
        "benchmark": f"robustness analyse(), {SAMPLES:,} samples, one company",
        "measured": f"{1e3 * t_all:.1f} ms ({t_all / t_rec:.0f}x one recommend call)",
        "target": "well under 0.5 s",
        "ok": t_all < 0.5,
    }]


if __name__ == "__main__":
    main()
