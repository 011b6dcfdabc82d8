"""modelfit: which cross-border e-commerce operating model fits a company, why, and how sure."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from modelfit.errors import FrameworkError, ModelfitError, ProfileError
from modelfit.framework import Framework
from modelfit.profile import Profile, load_profile
from modelfit.recommend import Recommendation, recommend
from modelfit.scoring import score_profiles

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
