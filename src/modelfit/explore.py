"""The framework notebook's content: the framework itself, for an analyst."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Image, Markdown

from modelfit import charts
from modelfit.errors import ModelfitError
from modelfit.framework import Framework
from modelfit.profile import load_profile
from modelfit.recommend import recommend


@dataclass(frozen=True)
class FrameworkView:
    """Tables and figures that show one framework in one language."""

    fw: Framework
    lang: str

    def heading(self) -> Markdown:
        """Title with the framework's version."""
        return Markdown(f"**modelfit framework {self.fw.version}** ({self.fw.source})")

    def models_table(self) -> pd.DataFrame:
        """The four operating models: name, what it is, strengths, weaknesses."""
        rows = {
            self.fw.model_name(m, self.lang): {
                "id": m,
                "description": self.fw.model_info(m, "description", self.lang),
                "strengths": self.fw.model_info(m, "strengths", self.lang),
                "weaknesses": self.fw.model_info(m, "weaknesses", self.lang),
            }
            for m in self.fw.models
        }
        return pd.DataFrame(rows).T

    def criteria_table(self) -> pd.DataFrame:
        """The criteria with the R-rule behind each."""
        return pd.DataFrame(
            {"rule": [self.fw.criterion_rule(c) for c in self.fw.criteria],
             "name": [self.fw.criterion_name(c, self.lang) for c in self.fw.criteria]},
            index=list(self.fw.criteria),
        )

    def weights_table(self) -> pd.DataFrame:
        """Points a model gains at rating 5 (loses at rating 1), criterion × model."""
        return pd.DataFrame(self.fw.weights, index=list(self.fw.criteria),
                            columns=list(self.fw.models))

    def weights_figure(self) -> Image:
        """The weights as a heatmap."""
        charts.figure_lang(self.lang)
        return Image(data=charts.to_png(charts.weights_heatmap(self.fw, self.lang)), format="png")

    def priors_table(self) -> pd.DataFrame:
        """Stage priors: the scores of an average company (S-rules)."""
        return pd.DataFrame(self.fw.priors, index=list(self.fw.stages), columns=list(self.fw.models))

    def priors_figure(self) -> Image:
        """The stage priors as grouped bars."""
        return Image(data=charts.to_png(charts.priors_chart(self.fw, self.lang)), format="png")

    def screens_table(self) -> pd.DataFrame:
        """Feasibility screens: which rating fires them and which models they hold back."""
        return pd.DataFrame([
            {"rule": s["id"], "criterion": s["criterion"], "fires at rating <=": s["max_rating"],
             "models": ", ".join(s["models"]), "penalty": s["penalty"]}
            for s in self.fw.screens
        ]).set_index("rule")

    def channel_plans_table(self) -> pd.DataFrame:
        """Base channels each primary runs at each stage."""
        return pd.DataFrame({
            stage: {m: " + ".join(self.fw.plans[m][stage]) for m in self.fw.models}
            for stage in self.fw.stages
        })

    def examples_table(self, params_dir: str | Path) -> pd.DataFrame:
        """How every profile in `params_dir` lands: stage, ratings, primary, channels, scores."""
        paths = sorted(Path(params_dir).glob("*.yaml"))
        if not paths:
            raise ModelfitError(f"{params_dir}: no .yaml profiles in this folder")
        rows = []
        for path in paths:
            profile = load_profile(path)
            rec = recommend(profile, self.fw, self.lang)
            rows.append({
                "company_id": profile.company_id, "stage": profile.stage,
                **profile.ratings(), "primary": rec.primary,
                "channels": " + ".join(rec.channels),
                **{m: round(s, 1) for m, s in rec.scores.items()},
            })
        return pd.DataFrame(rows).set_index("company_id")


def framework_view(lang: str = "en", framework_path: str | None = None) -> FrameworkView:
    """Load (and validate) a framework for display."""
    pd.set_option("display.max_colwidth", None)
    charts.figure_lang(lang)
    return FrameworkView(Framework.load(framework_path), lang)
