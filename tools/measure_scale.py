"""Measure what a batch costs per company, for docs/scale.md: `python tools/measure_scale.py [N]`.

Starts a LocalCluster of 2 worker processes (one thread each), warms a kernel on each, renders N
companies (default 16: the example profiles over and over) as the batch does, and prints the
time of each phase, the wall time per company per worker, the memory of a worker with its
kernel, and the bytes written per company. Run it on a quiet machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _rss() -> int:
    import psutil

    me = psutil.Process()
    return int(me.memory_info().rss + sum(c.memory_info().rss for c in me.children(True)))


def _warm(root: str) -> None:
    from modelfit.run.batch import worker_kernel

    worker_kernel(root)


def main(n: int) -> None:
    from distributed import Client, LocalCluster, wait

    from modelfit.decision.framework import Framework
    from modelfit.deliver.render import REPORT_NOTEBOOK, make_job, notebook_bytes
    from modelfit.inputs.profile import load_profile, profile_paths
    from modelfit.provenance import report_key
    from modelfit.run import batch

    notebook = notebook_bytes(ROOT / "notebooks" / REPORT_NOTEBOOK)
    fw = Framework.load()
    profiles = [load_profile(p) for p in profile_paths(ROOT / "params")]
    jobs = [make_job(profiles[i % len(profiles)], notebook=notebook, lang="en", seed=0,
                     framework_path=None,
                     input_key=report_key(profiles[i % len(profiles)], fw, notebook=notebook,
                                          root=ROOT, lang="en", seed=0)) for i in range(n)]
    rows: list[tuple[str, str]] = []
    t = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                      ) as cluster, Client(cluster) as client:
        rows.append(("cluster start (2 worker processes)", f"{time.perf_counter() - t:.1f} s"))
        t = time.perf_counter()
        client.run(_warm, str(ROOT))
        rows.append(("kernel start and imports, both workers at once",
                     f"{time.perf_counter() - t:.1f} s"))
        warm = client.run(_rss)
        t = time.perf_counter()
        futures = [client.submit(batch.render_on_worker, job, job.notebook, str(ROOT),
                                 pure=False) for job in jobs]
        wait(futures)
        elapsed = time.perf_counter() - t
        results: list[Any] = client.gather(futures)
        size = sum(len(b) for r in results for b in r.files.values()) / n
        rows.append((f"{n} companies on 2 warm workers", f"{elapsed:.1f} s"))
        rows.append(("wall time per company per worker", f"{elapsed * 2 / n:.2f} s"))
        rows.append(("bytes written per company (ipynb, html, json)", f"{size / 1e6:.2f} MB"))
        memory = client.run(_rss)
        rows.append(("memory of a worker with its warm kernel (RSS), before the first company",
                     f"{max(warm.values()) / 1e6:.0f} MB"))
        rows.append((f"the same after {n // 2} companies each",
                     f"{max(memory.values()) / 1e6:.0f} MB"))
        t = time.perf_counter()
    rows.append(("cluster and kernels shut down", f"{time.perf_counter() - t:.1f} s"))
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 16)
