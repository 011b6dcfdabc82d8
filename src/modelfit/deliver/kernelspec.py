"""The project's own Jupyter kernel, `modelfit`: installed into this interpreter's prefix when
missing or stale, started on local IPC sockets (never unencrypted TCP), and the litter of
killed kernels cleared away. Used by papermill runs and by warm kernels alike."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

KERNEL_NAME = "modelfit"


def skip_iri_grammar() -> None:
    """Tell jsonschema that the optional rfc3987-syntax package is absent, before nbformat or
    papermill is first imported in this process.

    jsonschema, which nbformat imports to read any notebook, compiles the Lark grammar of its
    optional IRI format checker at import time when rfc3987-syntax is installed (JupyterLab's
    jupyter-events pulls it in): 1.5-2.5 s in every process that renders a report. modelfit
    never validates IRI formats. Called by the functions that render, never on import: importing
    modelfit changes no global state.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
STALE_CONNECTION_SECONDS = 600.0  # a connection file this old whose kernel is gone is litter


def remove_stale_connection_files(runtime: Path | None = None) -> list[Path]:
    """Remove the connection files and IPC sockets of modelfit kernels whose run was killed
    (kill -9 leaves them behind); return what was removed.

    Only modelfit's own kernels (IPC sockets named `modelfit-*-ipc`) are considered, and only
    when the kernel's shell socket no longer accepts a connection: a running kernel, or one
    just starting, is never touched. Files named with the id of the process that made them
    (`kernel-modelfit-<pid>-*.json`, `modelfit-<pid>-*-ipc-N`) go as soon as that process is
    gone; older unnamed ones once they are STALE_CONNECTION_SECONDS old.
    """
    import time

    from jupyter_core.paths import jupyter_runtime_dir

    from modelfit.core.files import process_alive

    runtime = runtime or Path(jupyter_runtime_dir())
    removed: list[Path] = []
    now = time.time()
    for conn in runtime.glob("kernel-*.json"):
        owner = _owner(conn.name, "kernel-modelfit-")
        try:
            if owner is None and now - conn.stat().st_mtime < STALE_CONNECTION_SECONDS:
                continue
            if owner is not None and process_alive(owner):
                continue
            info = json.loads(conn.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        ip = str(info.get("ip", "")) if isinstance(info, dict) else ""
        if info.get("transport") != "ipc" or not Path(ip).name.startswith("modelfit-"):
            continue
        if _answers(Path(f"{ip}-{info.get('shell_port')}")):
            continue
        for path in [conn, *Path(ip).parent.glob(f"{Path(ip).name}-*")]:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    # sockets whose connection file is gone (it was removed, or never written)
    for sock in runtime.glob("modelfit-*-ipc-*"):
        owner = _owner(sock.name, "modelfit-")
        if owner is not None and not process_alive(owner) and not _answers(sock):
            with contextlib.suppress(OSError):
                sock.unlink()
                removed.append(sock)
    return removed


def _owner(name: str, prefix: str) -> int | None:
    """The process id in a name `<prefix><pid>-...`, or None."""
    pid = name[len(prefix):].split("-", 1)[0] if name.startswith(prefix) else ""
    return int(pid) if pid.isdigit() else None


def _answers(socket_path: Path) -> bool:
    import socket

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.connect(str(socket_path))
    except OSError:
        return False
    return True


def ensure_kernel() -> str:
    """Make sure the `modelfit` kernel runs this interpreter; install it into sys.prefix if not."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    remove_stale_connection_files()

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="modelfit (.venv)", prefix=sys.prefix)
    return KERNEL_NAME


def kernel_manager_class(sync: bool = False) -> Any:
    """A kernel manager on local IPC sockets (asynchronous, as papermill starts kernels; or
    synchronous, as a `WarmKernel` keeps one)."""
    from uuid import uuid4

    from jupyter_client.manager import AsyncKernelManager, KernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import CaselessStrEnum, default

    base: Any = KernelManager if sync else AsyncKernelManager

    class IPCKernelManager(base):  # type: ignore[misc]
        """Talks to the kernel over local IPC sockets instead of unencrypted TCP.

        Each kernel gets its own socket name: jupyter_client's default for IPC can fall back to
        `kernel-ipc-N` in the working folder, which parallel runs would share.
        """

        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _unique_ip(self) -> str:
            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(parents=True, exist_ok=True)
            return str(runtime / f"modelfit-{os.getpid()}-{uuid4().hex[:12]}-ipc")

        @default("connection_file")
        def _own_connection_file(self) -> str:
            # In the runtime folder and named with this process's id (jupyter_client's default
            # is an anonymous tmpXXXX.json in the temporary folder): the next run finds it, and
            # the kernel's secret key in it, when this one was killed.
            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(parents=True, exist_ok=True)
            return str(runtime / f"kernel-modelfit-{os.getpid()}-{uuid4().hex[:12]}.json")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # The kernel's own log goes nowhere: after Ctrl-C or a shutdown it would print
            # tracebacks and "KeyboardInterrupt caught in kernel" lines about nothing wrong. A
            # failing cell is reported from the notebook.
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    if not sync:
        IPCKernelManager._launch_kernel = IPCKernelManager._async_launch_kernel
    return IPCKernelManager
