"""Analysis: the recommendation together with how sure it is and the classifier's second opinion.

`analyse_company` is the one place that assembles the full answer for a company; the command
line's `recommend --json`, the reports and the portfolio all use it, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelfit.framework import Framework
from modelfit.profile import Profile
from modelfit.recommend import Recommendation, recommend
from modelfit.robustness import Robustness, analyse

DEFAULT_MODEL = Path("data") / "classifier.skops"


@dataclass(frozen=True)
class Analysis:
    """One company's full answer."""

    rec: Recommendation
    robustness: Robustness
    classifier: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """The `recommend --json` object: the recommendation, `robustness` and `classifier`."""
        out = self.rec.to_dict()
        out["robustness"] = self.robustness.to_dict()
        out["classifier"] = self.classifier
        return out


def find_default_model(start: Path | None = None) -> Path | None:
    """`data/classifier.skops` in the working folder or the nearest folder above it, if any."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_MODEL
        if candidate.is_file():
            return candidate
    return None


def analyse_company(
    profile: Profile, framework: Framework | None = None, *, lang: str = "en", seed: int = 0,
    model_path: str | Path | None = None, use_model: bool = True,
) -> Analysis:
    """Recommend, measure robustness (seeded) and ask the classifier when a model is available.

    `model_path=None` looks for the default `data/classifier.skops`; a missing default means no
    second opinion (`classifier` is None), while a named model that is missing or unsafe is an
    error. `use_model=False` skips the classifier.
    """
    fw = framework or Framework.load()
    rec = recommend(profile, fw, lang)
    rob = analyse(profile, fw, seed=seed)
    opinion = None
    if use_model:
        path = Path(model_path) if model_path is not None else find_default_model()
        if path is not None:
            from modelfit.classifier import load_model, second_opinion

            opinion = second_opinion(load_model(path), profile)
    return Analysis(rec=rec, robustness=rob, classifier=opinion)
