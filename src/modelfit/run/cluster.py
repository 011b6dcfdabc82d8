"""The Dask cluster that batch renders and large scoring runs use.

`client(...)` gives a Dask client on the cluster whose scheduler is at an address given by the
user (`--scheduler`, else `$DASK_SCHEDULER_ADDRESS`), or on a `LocalCluster` made for the run on
the loopback interface: worker processes with one thread each, no dashboard unless asked. An
address is checked before anything connects to it, so a typo is one line at once, not a wait.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

from modelfit.core.errors import ModelfitError

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
CONNECT_SECONDS = 10
_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):"
                      r"(?P<port>[0-9]{1,5})")
_IN_PROCESS = re.compile(r"inproc://[0-9A-Za-z.:/_-]+")


def scheduler_address(given: str | None) -> str | None:
    """The scheduler's address: `given` (--scheduler), else $DASK_SCHEDULER_ADDRESS, else None
    (a local cluster); checked (`check_address`)."""
    if given:
        return check_address(given, "--scheduler")
    env = os.environ.get(SCHEDULER_ENV, "").strip()
    return check_address(env, SCHEDULER_ENV) if env else None


def check_address(address: str, where: str) -> str:
    """`address` if it reads as a scheduler address (tcp://HOST:PORT, tls://HOST:PORT,
    HOST:PORT, or inproc://... for a cluster inside this process), else a ModelfitError naming
    `where` it came from."""
    if _IN_PROCESS.fullmatch(address.strip()):  # a cluster inside this process (tests, notebooks)
        return address.strip()
    found = _ADDRESS.fullmatch(address.strip())
    if found is None or not 0 < int(found["port"]) < 65536:
        shown = address if len(address) <= 80 else address[:77] + "..."
        raise ModelfitError(f"{where} {shown!r}: not a Dask scheduler address; give "
                            "tcp://HOST:PORT, as `dask scheduler` prints it (e.g. "
                            "tcp://10.0.0.5:8786)")
    return address.strip()


@contextlib.contextmanager
def client(scheduler: str | None, *, workers: int, dashboard: bool = False) -> Iterator[Any]:
    """A Dask client on the cluster at `scheduler`, or on a LocalCluster of `workers`
    processes made for the run and closed after it."""
    from distributed import Client, LocalCluster

    quiet = logging.ERROR  # Dask's start and stop chatter is not a problem to report
    for name in ("distributed", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(quiet)
    if scheduler:
        with connect(scheduler) as remote:
            yield remote
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=max(1, workers), threads_per_worker=1, processes=True, host="127.0.0.1",
        # No dashboard unless asked; the scheduler's small HTTP server (health checks) then
        # takes any free loopback port, so a busy port 8787 is not a warning.
        dashboard_address="127.0.0.1:8787" if dashboard else "127.0.0.1:0",
        scheduler_kwargs={"dashboard": dashboard}, silence_logs=quiet,
    )
    with cluster, Client(cluster, set_as_default=False) as local:  # type: ignore[no-untyped-call]
        if dashboard:
            print(f"Dask dashboard: {local.dashboard_link}", file=sys.stderr)
        yield local


def connect(address: str) -> Any:
    """A client of the scheduler at `address`, or a ModelfitError saying none answered."""
    from distributed import Client

    try:
        return Client(  # type: ignore[no-untyped-call]
            address, timeout=f"{CONNECT_SECONDS}s", set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
        raise ModelfitError(
            f"--scheduler {address}: no Dask scheduler answered within {CONNECT_SECONDS} s "
            f"({type(exc).__name__}: {exc}); start one with `dask scheduler` and give the "
            "tcp://HOST:PORT address it prints"
        ) from None
