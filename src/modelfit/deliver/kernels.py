"""Warm kernels: one Jupyter kernel kept alive and reused for notebook after notebook.

A report's notebook spends seconds importing pandas, matplotlib, scikit-learn and modelfit in a
fresh kernel. A `WarmKernel` starts the kernel once, imports the report's libraries
(`warm_up`, run inside the kernel), and then runs one notebook after another with papermill.
Before each notebook, `reset` (also run inside the kernel) puts back what a notebook can
change: the user namespace and the execution counter (IPython's own reset), matplotlib's
settings and open figures, pandas' options, the warning filters and their "shown once"
registries, and the working folder. A notebook therefore gives the same output whether it runs
first or after others; `tests/test_kernels.py` checks it byte for byte.

papermill's default engine saves the whole notebook to disk twice per cell (at the start and at
the end of every cell) as a progress record; a report's notebook, figures included, is large,
so that costs about two seconds per report. The engine here (`modelfit-warm`) saves once, at the
end (papermill still writes the notebook with the failing cell when a cell fails).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path
from typing import Any

from modelfit.core.errors import RunError
from modelfit.deliver.kernelspec import ensure_kernel, kernel_manager_class, skip_iri_grammar

KERNEL_START_SECONDS = 120
WARM_UP_SECONDS = 300
ENGINE = "modelfit-warm"

# Code sent to the kernel. Both call functions of this module, imported inside the kernel, and
# leave no name behind in the user namespace.
_WARM_UP = "__import__('importlib').import_module('modelfit.deliver.kernels').warm_up()"
_RESET = "__import__('importlib').import_module('modelfit.deliver.kernels').reset()"


# --- inside the kernel ------------------------------------------------------------------------
_SNAPSHOT: dict[str, Any] = {}


def warm_up() -> None:
    """Import what the report notebooks import, then record the state `reset` restores."""
    import matplotlib
    import pandas as pd

    import modelfit.views.portfolio
    import modelfit.views.report  # noqa: F401  (the report's whole stack: numpy, sklearn, charts...)

    _SNAPSHOT["cwd"] = os.getcwd()
    _SNAPSHOT["rc"] = matplotlib.rcParams.copy()
    _SNAPSHOT["warnings"] = list(warnings.filters)
    _SNAPSHOT["pandas"] = {key: pd.get_option(key) for key in _pandas_options()}


def reset() -> None:
    """Put back the state a notebook may have changed (see the module's docstring)."""
    import matplotlib
    import pandas as pd
    from IPython import get_ipython
    from matplotlib import pyplot as plt

    plt.close("all")
    with warnings.catch_warnings():  # restoring deprecated rc keys must not warn
        warnings.simplefilter("ignore")
        matplotlib.rcParams.clear()
        matplotlib.rcParams.update(_SNAPSHOT["rc"])
    for key, value in _SNAPSHOT["pandas"].items():
        pd.set_option(key, value)
    warnings.filters[:] = _SNAPSHOT["warnings"]  # type: ignore[index]
    warnings.onceregistry.clear()  # type: ignore[attr-defined]
    warnings._filters_mutated()  # type: ignore[attr-defined]  # forget "shown once" warnings
    os.chdir(_SNAPSHOT["cwd"])
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # namespace, output cache; execution count back to 1


def _pandas_options() -> list[str]:
    """Every pandas option that is not deprecated (reading a deprecated one warns)."""
    from pandas._config import config

    registered: dict[str, Any] = config._registered_options  # type: ignore[attr-defined]
    deprecated: dict[str, Any] = config._deprecated_options  # type: ignore[attr-defined]
    return sorted(k for k in registered if k not in deprecated)


# --- the side that drives the kernel -----------------------------------------------------------
class KernelError(RunError):
    """A warm kernel that could not start, warm up or reset."""


class WarmKernel:
    """A kernel that runs notebook after notebook, reset to the same state before each.

    `cwd` is the kernel's working folder (where notebooks look for `data/` and `params/`).
    Use it as a context manager, or call `close()`: the kernel process is shut down.
    """

    def __init__(self, cwd: Path, kernel_name: str | None = None) -> None:
        self.cwd = Path(cwd)
        self.kernel_name = kernel_name or ensure_kernel()
        self.notebooks_run = 0
        self._km: Any = None
        self._warming: tuple[Any, str] | None = None

    def __enter__(self) -> WarmKernel:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self._km is not None and bool(self._km.is_alive())

    def start(self, *, wait: bool = True) -> None:
        """Start the kernel and import the report's libraries in it (once). With `wait=False`
        the imports run in the kernel while the caller goes on; `execute` waits for them."""
        if self.alive:
            return
        _register_engine()
        km = kernel_manager_class(sync=True)(kernel_name=self.kernel_name)
        km.start_kernel(cwd=str(self.cwd))
        self._km = km
        try:
            self._warming = self._send(_WARM_UP)
            if wait:
                self._finish_warm_up()
        except Exception:
            self.close()
            raise

    def _finish_warm_up(self) -> None:
        warming, self._warming = self._warming, None
        if warming is not None:
            self._wait(*warming, WARM_UP_SECONDS)

    def execute(self, input_path: Path, output_path: Path, parameters: dict[str, Any], *,
                progress: bool = False) -> None:
        """Run one notebook with papermill on this kernel, after a reset (a dead kernel is
        started again first). Raises papermill's PapermillExecutionError when a cell fails."""
        skip_iri_grammar()
        import papermill as pm

        if not self.alive:
            self.close()
            self.start()
        self._finish_warm_up()
        self._wait(*self._send(_RESET), KERNEL_START_SECONDS)
        self.notebooks_run += 1
        pm.execute_notebook(
            str(input_path), str(output_path), parameters=parameters,
            kernel_name=self.kernel_name, engine_name=ENGINE, km=self._km, progress_bar=progress,
            log_output=False, cwd=str(self.cwd),
        )

    def close(self) -> None:
        """Shut the kernel down (at once: nothing of it is worth a graceful stop)."""
        km, self._km = self._km, None
        if km is None:
            return
        with contextlib.suppress(Exception):
            km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            km.cleanup_resources()

    def _send(self, code: str) -> tuple[Any, str]:
        """Send `code` to the kernel through a client of its own (a client kept open across
        notebooks would queue every message they broadcast and drop its own once full)."""
        kc = self._km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=KERNEL_START_SECONDS)
            return kc, kc.execute(code, store_history=False, allow_stdin=False)
        except Exception as exc:
            kc.stop_channels()
            raise KernelError(f"the warm kernel did not start ({type(exc).__name__}: {exc})") \
                from None

    def _wait(self, kc: Any, msg_id: str, timeout: float) -> None:
        """Wait for the reply to `msg_id`, then close the client; raise if the code failed."""
        try:
            while True:
                reply = kc.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        except Exception as exc:
            raise KernelError(f"the warm kernel did not answer ({type(exc).__name__}: {exc})") \
                from None
        finally:
            kc.stop_channels()
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelError(f"the warm kernel failed to prepare: {content.get('ename')}: "
                              f"{content.get('evalue')}")


_ENGINE_REGISTERED = False


def _register_engine() -> None:
    """Register papermill's `modelfit-warm` engine (once per process)."""
    global _ENGINE_REGISTERED
    if _ENGINE_REGISTERED:
        return
    skip_iri_grammar()
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmEngine(NBClientEngine):  # type: ignore[misc]
        """nbclient on a kernel that outlives the notebook, saving the notebook only at the end."""

        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, output_path: Any = None,
                             **kwargs: Any) -> Any:
            # No per-cell saves: papermill.execute_notebook writes the result (or the failed
            # notebook) itself once the run ends.
            del output_path
            return super().execute_notebook(nb, kernel_name, output_path=None, **kwargs)

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            km = kwargs.pop("km")
            for unused in ("input_path", "log_output", "stdout_file", "stderr_file", "start_timeout",
                           "execution_timeout"):
                kwargs.pop(unused, None)
            client = PapermillNotebookClient(nb_man, km=km, kernel_name=kernel_name,
                                             log_output=False, **kwargs)
            try:
                return client.execute()
            finally:  # the kernel lives on; its client for this notebook does not
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register(ENGINE, WarmEngine)
    _ENGINE_REGISTERED = True
