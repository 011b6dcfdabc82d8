"""Repository-wide pytest set-up: the notebooks (nbval) run in the project's own kernel."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Install the `modelfit` kernel into this environment when it is missing or stale."""
    from modelfit.deliver.kernelspec import ensure_kernel

    ensure_kernel()
