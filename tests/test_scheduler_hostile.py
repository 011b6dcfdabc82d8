"""Issue 25 item 4: `--scheduler` pointed at something that is not a Dask scheduler (an HTTP
server such as the dashboard's port, a port that accepts and stays silent, one that answers
garbage) is one line and exit 2 within the connect time-out, in `score` and `batch`, and
nothing is printed after that line."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelfit.cli import main
from modelfit.core.vocab import RATINGS

from .conftest import PARAMS


class _Silent(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        time.sleep(30)  # accepts and never says a word


class _Garbage(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.sendall(b"\xff" * 64 + b"not dask" * 100)
        time.sleep(5)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: Any) -> None:  # the test's output stays clean
        pass


def _serve(handler: Any) -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["http", "silent", "garbage"])
def not_a_scheduler(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = {"http": _Quiet, "silent": _Silent, "garbage": _Garbage}[request.param]
    yield from _serve(handler)


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail instead of hanging (the client used to wait for ever on these)."""
    def expire(*_: Any) -> None:
        raise TimeoutError("blocked: no answer within 30 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text("stage," + ",".join(RATINGS) + "\ngrowth,3,3,3,3\n", "utf-8")
    return path


def test_item4_score_against_a_non_scheduler_is_one_line(
    tmp_path: Path, not_a_scheduler: str, deadline: None, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from modelfit.run import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2)
    code = main(["score", str(_input(tmp_path)), "--out", str(tmp_path / "out.csv"),
                 "--scheduler", not_a_scheduler])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"modelfit: --scheduler {not_a_scheduler}: no Dask scheduler answered "
                          "within 2 s (")
    assert err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_item4_batch_against_a_non_scheduler_is_one_line(
    tmp_path: Path, not_a_scheduler: str, deadline: None, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from modelfit.run import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2)
    params = tmp_path / "params"
    params.mkdir()
    (params / "demo.yaml").write_bytes((PARAMS / "demo.yaml").read_bytes())
    code = main(["batch", "--params-dir", str(params), "--out", str(tmp_path / "out"),
                 "--scheduler", not_a_scheduler])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"modelfit: --scheduler {not_a_scheduler}: no Dask scheduler answered")
    assert err.count("\n") == 1


def test_item4_the_command_prints_one_line_and_nothing_after_it(tmp_path: Path) -> None:
    """The whole command in its own process against the HTTP server: one line on stderr, exit
    2, no traceback from a half-made client when the process ends."""
    servers = _serve(_Quiet)
    address = next(servers)
    try:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from modelfit.cli import main; "
             "sys.exit(main(sys.argv[1:]))", "score", str(_input(tmp_path)),
             "--out", str(tmp_path / "out.csv"), "--scheduler", address],
            capture_output=True, text=True, env=env, timeout=90, check=False)
        elapsed = time.monotonic() - started
    finally:
        next(servers, None)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"modelfit: --scheduler {address}: no Dask scheduler answered "
                                  "within 10 s (")
    assert done.stderr.count("\n") == 1
    assert elapsed < 60


def test_item4_a_real_scheduler_still_passes_the_handshake() -> None:
    """The check lets a real scheduler through (a LocalCluster's, in this process)."""
    from distributed import LocalCluster

    from modelfit.run import cluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as local:  # type: ignore[no-untyped-call]
        cluster.handshake(local.scheduler_address, 10)
        with socket.socket() as probe:  # and a port where nothing listens is refused
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with pytest.raises(Exception, match=r"no Dask scheduler answered"):
            cluster.handshake(f"tcp://127.0.0.1:{port}", 2)
