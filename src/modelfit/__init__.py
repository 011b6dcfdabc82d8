"""modelfit: which cross-border e-commerce operating model fits a company, why, and how sure.

The public names below are imported on first use (PEP 562), so `import modelfit` is cheap and
changes no global state. The package is laid out by stage of the way through, imports running
one way: `core` → `inputs` → `decision` → `outcome` → `provenance` → `analysis` → `views` →
`deliver` → `run` → `cli` (docs/architecture.md).
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("modelfit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

# public name -> the module that defines it
_PUBLIC = {
    "Framework": "modelfit.decision.framework",
    "FrameworkError": "modelfit.core.errors",
    "ModelfitError": "modelfit.core.errors",
    "Profile": "modelfit.inputs.profile",
    "ProfileError": "modelfit.core.errors",
    "Recommendation": "modelfit.decision.recommend",
    "Analysis": "modelfit.analysis",
    "analyse": "modelfit.analysis",
    "compare": "modelfit.views.compare",
    "load_profile": "modelfit.inputs.profile",
    "recommend": "modelfit.decision.recommend",
    "recommend_frame": "modelfit.decision.frame",
    "score_profiles": "modelfit.decision.scoring",
}
# The notebooks' display modules, as `from modelfit import report` has always given them.
_MODULES = {
    "explore": "modelfit.views.explore",
    "intake": "modelfit.views.intake",
    "plot": "modelfit.views.plot",
    "portfolio": "modelfit.views.portfolio",
    "report": "modelfit.views.report",
    "whatif": "modelfit.views.whatif",
}

if TYPE_CHECKING:
    from modelfit.analysis import Analysis, analyse
    from modelfit.core.errors import FrameworkError, ModelfitError, ProfileError
    from modelfit.decision.frame import recommend_frame
    from modelfit.decision.framework import Framework
    from modelfit.decision.recommend import Recommendation, recommend
    from modelfit.decision.scoring import score_profiles
    from modelfit.inputs.profile import Profile, load_profile
    from modelfit.views.compare import compare


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
    elif name in _MODULES:
        value = import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'modelfit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC, *_MODULES])


__all__ = [
    "Analysis",
    "Framework",
    "FrameworkError",
    "ModelfitError",
    "Profile",
    "ProfileError",
    "Recommendation",
    "__version__",
    "analyse",
    "compare",
    "load_profile",
    "recommend",
    "recommend_frame",
    "score_profiles",
]
