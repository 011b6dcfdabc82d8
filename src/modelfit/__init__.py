"""modelfit: which cross-border e-commerce operating model fits a company, why, and how sure."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

from modelfit.errors import FrameworkError, ModelfitError, ProfileError
from modelfit.framework import Framework
from modelfit.profile import Profile, load_profile
from modelfit.recommend import Recommendation, recommend
from modelfit.scoring import score_profiles

# jsonschema, which nbformat imports to read any notebook, compiles the Lark grammar of its
# optional IRI format checker at import time when the rfc3987-syntax package is installed
# (JupyterLab's jupyter-events pulls it in): 1.5-2.5 s in every process that renders a report,
# and in every batch worker. modelfit never validates IRI formats, so jsonschema is told the
# package is absent (it then checks IRIs with rfc3987 if installed, or not at all).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

try:
    __version__ = version("modelfit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Framework",
    "FrameworkError",
    "ModelfitError",
    "Profile",
    "ProfileError",
    "Recommendation",
    "__version__",
    "load_profile",
    "recommend",
    "score_profiles",
]
