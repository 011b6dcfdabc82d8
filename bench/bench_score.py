"""Scoring a file of any size: `modelfit score` on ten million profiles read from Parquet.

The input is generated in a temporary folder from a seeded numpy Generator, one million rows
at a time into one Parquet file (so the generator itself stays small): company ids, stages,
ratings, existing channels as `a;b` text, and one bad value in a thousand rows (set apart in
the rejects file). `modelfit score` then runs in a subprocess, locally (no cluster), started
by a small wrapper process whose only child it is, so that the wrapper's
getrusage(RUSAGE_CHILDREN).ru_maxrss is the command's own peak memory.

Targets (issue 14): peak memory under 2 GB at ten million rows. Rows per second is reported
too (one run: the figure is the whole command, start-up and writing included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from modelfit.core.vocab import BASE_CHANNELS, RATINGS, STAGES

N_ROWS = 10_000_000
PIECE = 1_000_000
SEED = 20261130
BAD_EVERY = 1_000  # about one row in BAD_EVERY gets a rating of 9
TARGET_PEAK_BYTES = 2 * 1024**3

CHANNEL_TEXTS = ["", *BASE_CHANNELS, "platform;distribution", "platform;independent_site",
                 "distribution;independent_site", "platform;distribution;independent_site"]

# The wrapper: run the command, then print its peak resident memory (Linux: ru_maxrss in KiB).
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"rc": done.returncode, "stdout": done.stdout, "seconds": seconds, "peak": peak}))
"""


def write_profiles(path: Path, n: int, seed: int) -> int:
    """Write n random profiles to one Parquet file, a million rows at a time; return how many
    rows hold a bad rating."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    stages = np.asarray(STAGES)
    channels = np.asarray(CHANNEL_TEXTS)
    bad_rows = 0
    writer = None
    try:
        for start in range(0, n, PIECE):
            size = min(PIECE, n - start)
            ids = pc.binary_join_element_wise(
                "co", pc.cast(pa.array(np.arange(start, start + size)), pa.string()), "")
            ratings = {name: rng.integers(1, 6, size) for name in RATINGS}
            bad = rng.random(size) < 1 / BAD_EVERY
            ratings["capital"][bad] = 9
            bad_rows += int(bad.sum())
            text = channels[rng.integers(0, len(channels), size)]
            table = pa.table({
                "company_id": ids,
                "stage": pa.array(stages[rng.integers(0, len(stages), size)]),
                **{name: pa.array(values) for name, values in ratings.items()},
                "existing_channels": pa.array(np.where(text == "", None, text)),
            })
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return bad_rows


def modelfit_command() -> list[str]:
    """The installed `modelfit` next to this Python, else `python -m modelfit.cli`."""
    script = Path(sys.executable).parent / "modelfit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "modelfit.cli"]


def measure(command: list[str]) -> dict[str, Any]:
    """Run `command` under the wrapper: its exit status, stdout, wall seconds, peak bytes."""
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *command], capture_output=True,
                          text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp:
        folder = Path(tmp)
        source = folder / "profiles.parquet"
        start = time.perf_counter()
        bad_rows = write_profiles(source, N_ROWS, SEED)
        print(f"  generated {N_ROWS:,} profiles ({bad_rows:,} bad) in "
              f"{time.perf_counter() - start:.1f} s, {source.stat().st_size / 1e6:.0f} MB")
        env_note = os.environ.get("DASK_SCHEDULER_ADDRESS")
        if env_note:
            print("  note: DASK_SCHEDULER_ADDRESS is set; the bench runs locally regardless")
        command = [*modelfit_command(), "score", str(source), "--out",
                   str(folder / "scores.parquet")]
        result = measure(command)
        if result["rc"] != 0:
            raise RuntimeError(f"modelfit score exited {result['rc']}")
        expected = f"scored {N_ROWS - bad_rows:,} of {N_ROWS:,} rows"
        if not result["stdout"].startswith(expected):
            raise RuntimeError(f"unexpected summary: {result['stdout'].strip()!r}")
    peak, seconds = int(result["peak"]), float(result["seconds"])
    rate = N_ROWS / seconds
    print(f"  modelfit score: {seconds:.1f} s, {rate:,.0f} rows/s, peak {peak / 1024**2:,.0f} MiB")
    return [
        {"benchmark": f"modelfit score, {N_ROWS:,} rows from Parquet: peak memory",
         "measured": f"{peak / 1024**2:,.0f} MiB", "target": "< 2048 MiB",
         "ok": peak < TARGET_PEAK_BYTES},
        {"benchmark": f"modelfit score, {N_ROWS:,} rows from Parquet: throughput (one run)",
         "measured": f"{rate:,.0f} rows/s ({seconds:.0f} s)", "target": "reported",
         "ok": True},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
