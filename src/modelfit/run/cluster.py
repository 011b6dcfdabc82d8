"""The Dask cluster that batch renders and large scoring runs use.

`client(...)` gives a Dask client on the cluster whose scheduler is at an address given by the
user (`--scheduler`, else `$DASK_SCHEDULER_ADDRESS`), or on a `LocalCluster` made for the run on
the loopback interface: worker processes with one thread each, no dashboard unless asked. An
address is checked before anything connects to it, so a typo is one line at once, not a wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
import threading
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
    """A client of the scheduler at `address`, or a ModelfitError saying none answered.

    Dask bounds the TCP connection by its connect time-out but not the handshake that follows
    (dask/distributed#8071): an HTTP server (the dashboard's port 8787 typed by mistake) or a
    port that accepts and stays silent would hang the client for ever. So the handshake is
    tried first (`handshake`), bounded by CONNECT_SECONDS as a whole, and any failure of it
    (a time-out, a refused connection, a reply that is not Dask's) is one line."""
    from distributed import Client

    if not _IN_PROCESS.fullmatch(address):
        handshake(address, CONNECT_SECONDS)
    try:
        return Client(  # type: ignore[no-untyped-call]
            address, timeout=f"{CONNECT_SECONDS}s", set_as_default=False)
    except Exception as exc:  # whatever the far end did, it is one line
        raise _no_scheduler(address, exc) from None


def handshake(address: str, seconds: float) -> None:
    """Open a Dask comm to `address` and close it again, the handshake included, within
    `seconds` in all; a ModelfitError otherwise. Runs on its own event loop in a daemon thread,
    so that a caller with a running loop (a notebook) can use it and nothing it leaves behind
    outlives the command."""
    outcome: dict[str, BaseException | None] = {}

    def attempt() -> None:
        from distributed.comm.core import connect as open_comm

        async def go() -> None:
            comm = await asyncio.wait_for(
                open_comm(address, timeout=seconds), seconds)  # type: ignore[no-untyped-call]
            await comm.close()

        try:
            asyncio.run(go())
            outcome["error"] = None
        except BaseException as exc:  # reported below, in one line
            outcome["error"] = exc

    thread = threading.Thread(target=attempt, name="modelfit-scheduler-check", daemon=True)
    thread.start()
    thread.join(seconds + 2)
    if "error" not in outcome:
        raise _no_scheduler(address, TimeoutError())
    error = outcome["error"]
    if error is not None:
        raise _no_scheduler(address, error)


def _no_scheduler(address: str, exc: BaseException) -> ModelfitError:
    reason = " ".join(str(exc).split())[:160]
    what = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        what = "it accepted the connection but never replied as a Dask scheduler does" \
            if not reason else what
    return ModelfitError(
        f"--scheduler {address}: no Dask scheduler answered within {CONNECT_SECONDS} s "
        f"({what}); start one with `dask scheduler` and give the tcp://HOST:PORT address it "
        "prints")
