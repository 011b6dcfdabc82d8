"""Numbers that come out the same on every machine of the supported kind.

Two things make floats differ between machines although the code, the inputs and the seed are
the same:

- numpy picks vectorised code paths (SIMD: AVX2, AVX-512, ...) by what the CPU offers, and
  functions such as `exp` and `log` differ in their last bit between those paths. A classifier's
  probability computed on an AVX-512 machine and on an AVX2 machine can differ by 1e-19.
- sums over many terms can be added in another order (threads, BLAS kernels).

So every float that comes from a trained estimator, or from sums whose order can change, is
rounded *at its source*, to the precision below, before it is shown, stored or compared; nothing
downstream (notebook outputs, the report's JSON, tests) ever sees the last bits. And training,
which writes those last bits into a model file, runs numpy on its baseline code paths, so that
the same seed writes the same bytes on any x86-64 machine, whatever SIMD it has and however
many threads it runs (see `docs/classifier.md`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Precision of probabilities and of every share or weight derived from samples or a model:
# six decimals, far below what a report shows (percent with no decimals, points with two) and far
# above the 1e-15 at which machines disagree.
DECIMALS = 6

NUMPY_DISABLE_ENV = "NPY_DISABLE_CPU_FEATURES"


def rounded(value: float, decimals: int = DECIMALS) -> float:
    """`value` rounded to `decimals` places, with -0.0 made 0.0 (both print the same then)."""
    return round(float(value), decimals) + 0.0


def rounded_map(values: Mapping[str, float], decimals: int = DECIMALS) -> dict[str, float]:
    """Every value of `values` rounded with `rounded`, keys in their order."""
    return {k: rounded(v, decimals) for k, v in values.items()}


def numpy_dispatch_in_use() -> list[str]:
    """numpy's optional SIMD targets that this process uses (empty: baseline code paths only)."""
    from numpy._core._multiarray_umath import (  # type: ignore[import-not-found]
        __cpu_dispatch__,
        __cpu_features__,
    )

    return [t for t in __cpu_dispatch__ if __cpu_features__.get(t)]


def on_baseline() -> bool:
    """Whether numpy runs only its baseline code paths in this process."""
    return not numpy_dispatch_in_use()


def baseline_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment in which a new Python process runs numpy on its baseline code paths.

    Only targets this machine has are named: numpy warns about disabling one it lacks.
    """
    env = dict(os.environ if base is None else base)
    targets = set(env.get(NUMPY_DISABLE_ENV, "").split()) | set(numpy_dispatch_in_use())
    if targets:
        env[NUMPY_DISABLE_ENV] = " ".join(sorted(targets))
    return env
