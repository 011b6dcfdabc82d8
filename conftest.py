"""Repository-wide pytest set-up: the notebooks (nbval) run in the project's own kernel."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Install the `modelfit` kernel into this environment when it is missing or stale (once, in
    the main process: pytest-xdist's workers start after it and find it installed)."""
    if hasattr(config, "workerinput"):
        return
    from modelfit.deliver.kernelspec import ensure_kernel

    ensure_kernel()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """nbval's notebook cells run in a Jupyter kernel: they are marked `kernel` like the tests
    that start one, so `-m "not kernel"` leaves them out too."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.kernel)
