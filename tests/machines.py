"""This machine and 'another machine' as process environments, for results that must reproduce.

Another machine is simulated on this one: `OMP_NUM_THREADS` changes the thread count, and
`NPY_DISABLE_CPU_FEATURES` takes away numpy's optional SIMD code paths (AVX-512, AVX2, ...), as
on a CPU that lacks them; the hash seed, time zone and locale change too.

`python tests/machines.py COMMAND [ARG ...]` runs COMMAND as on another machine with one thread:
`make test` re-executes the committed notebooks under nbval that way, so their reference outputs
(written here with every SIMD path on) are compared against a run on another CPU.
"""

from __future__ import annotations

import os
import sys

from modelfit.core.reproducible import NUMPY_DISABLE_ENV, baseline_environment


def other_machine(threads: int) -> dict[str, str]:
    """The environment of 'another machine': `threads` threads, numpy on its baseline paths,
    another hash seed (set and dict-of-set order), time zone and locale."""
    return {**baseline_environment(), "OMP_NUM_THREADS": str(threads),
            "PYTHONHASHSEED": "4242", "TZ": "Asia/Shanghai", "LC_ALL": "C.UTF-8"}


def this_machine(threads: int) -> dict[str, str]:
    """This machine's environment with `threads` threads and every SIMD path numpy has."""
    env = {k: v for k, v in os.environ.items() if k not in (NUMPY_DISABLE_ENV, "LC_ALL")}
    return {**env, "OMP_NUM_THREADS": str(threads), "PYTHONHASHSEED": "0", "TZ": "UTC"}


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python tests/machines.py COMMAND [ARG ...]  (runs COMMAND as on "
                 "another machine with one thread)")
    os.execvpe(sys.argv[1], sys.argv[1:], other_machine(1))  # noqa: S606  (an argument list, no shell)
