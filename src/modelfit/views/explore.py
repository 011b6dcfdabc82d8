"""The framework notebook's content: the framework itself, for an analyst."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Image, Markdown

from modelfit.core.safe import markdown_text
from modelfit.decision.framework import Framework
from modelfit.decision.recommend import recommend
from modelfit.inputs.profile import load_profile, profile_paths
from modelfit.views import charts


@dataclass(frozen=True)
class FrameworkView:
    """Tables and figures that show one framework in one language."""

    fw: Framework
    lang: str

    def heading(self) -> Markdown:
        """Title with the framework's version."""
        return Markdown(f"**modelfit framework {markdown_text(self.fw.version)}** "
                        f"({markdown_text(self.fw.source)})")

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
        """Screens: when each fires (rating, stage, channel not yet running) and which models
        it holds back."""
        return pd.DataFrame([
            {"rule": s.id, "criterion": s.criterion or "",
             "fires at rating <=": "" if s.max_rating is None else s.max_rating,
             "stage": ", ".join(s.stage or ()),
             "without channel": s.without_channel or "",
             "models": ", ".join(s.models), "penalty": s.penalty}
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
        rows = []
        for path in profile_paths(params_dir):
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


@dataclass(frozen=True)
class ClassifierView:
    """The classifier notebook's content: population, outcomes, training and agreement."""

    profiles: pd.DataFrame
    outcomes: pd.DataFrame
    labels: pd.Series
    report: Any  # training.TrainingReport
    model_card: dict[str, Any] | None
    seed: int = 0
    cache: dict[str, Any] = field(default_factory=dict)

    def data_card(self) -> pd.DataFrame:
        """Every distribution the synthetic generator draws from, with its source."""
        from modelfit.outcome.synthetic import data_card_table

        return data_card_table()

    def population_figure(self) -> Image:
        """The population's distributions, coloured by outcome label."""
        from modelfit.views.classifier_charts import plot_population

        return _png(plot_population(self.profiles, self.labels))

    def stage_by_capability(self) -> pd.DataFrame:
        """Mean rating of each capability by stage: mature firms have more of everything."""
        ratings = ["capital", "supply_chain", "brand_content", "tech_data", "team_size"]
        table = self.profiles.groupby("stage", observed=True)[ratings].mean().round(2)
        return table.reindex(["startup", "growth", "mature"])

    def stage_mix(self) -> pd.DataFrame:
        """Share of companies per stage."""
        return (self.profiles["stage"].value_counts(normalize=True).round(3)
                .reindex(["startup", "growth", "mature"]).rename("share").to_frame())

    def label_mix(self) -> pd.DataFrame:
        """Share of each best model, overall and by stage (a model below 5% overall would be a
        defect of the economics, not a finding)."""
        from modelfit.outcome.labels import label_mix

        return label_mix(self.profiles, self.labels)

    def judged_share(self) -> pd.DataFrame:
        """How many assumptions are sourced and how many judged."""
        from modelfit.outcome.assumptions import assumption_table

        table = assumption_table()
        return pd.DataFrame({"assumptions": {"sourced": int((~table["judged"]).sum()),
                                             "judged": int(table["judged"].sum())}})

    def sensitivity(self, n: int = 150) -> pd.DataFrame:
        """Each assumption varied across its range on the first `n` companies: the change in
        label shares at each end and the share of companies whose label moves (largest first)."""
        from modelfit.outcome.sensitivity import sensitivity

        key = f"sensitivity-{n}"
        if key not in self.cache:
            self.cache[key] = sensitivity(self.profiles.head(n), self.seed)
        out: pd.DataFrame = self.cache[key]
        return out

    def tornado_figure(self, n: int = 150) -> Image:
        """Tornado chart of the assumptions that move the labels most (judged ones hatched)."""
        from modelfit.outcome.sensitivity import plot_tornado

        return _png(plot_tornado(self.sensitivity(n)))

    def agreement_by_stage(self) -> pd.DataFrame:
        """Agreement of the outcome labels with the framework's primary, by stage and model."""
        from modelfit.outcome.disagreement import agreement_by_stage

        return agreement_by_stage(self.profiles, self.labels)

    def disagreement_reasons(self) -> pd.DataFrame:
        """The most common ways the outcome labels and the framework part, with the reason."""
        from modelfit.outcome.disagreement import disagreement_reasons

        return disagreement_reasons(self.profiles, self.outcomes, self.labels)

    def outcome_summary(self) -> pd.DataFrame:
        """Per stage: share of each best model (the labels)."""
        return (pd.crosstab(self.profiles["stage"], self.labels, normalize="index").round(3)
                .reindex(["startup", "growth", "mature"]))

    def assumptions(self) -> pd.DataFrame:
        """Every assumption of the outcome model with its source."""
        from modelfit.outcome.assumptions import assumption_sources

        return assumption_sources()

    def cv_table(self) -> pd.DataFrame:
        """Stratified cross-validation of the candidate pipelines."""
        return self.report.cv.round(3)  # type: ignore[no-any-return]

    def metrics(self) -> pd.DataFrame:
        """Held-out accuracy (and the majority-class baseline), macro-F1, log loss, ECE."""
        values = {**self.report.metrics,
                  "expected_calibration_error": self.report.expected_calibration_error}
        return pd.DataFrame({"held-out": {k: round(float(v), 3) for k, v in values.items()}})

    def confusion_figure(self) -> Image:
        """Held-out confusion matrix."""
        from modelfit.views.classifier_charts import plot_confusion

        return _png(plot_confusion(self.report))

    def calibration_figure(self) -> Image:
        """Reliability diagram of the held-out probabilities."""
        from modelfit.views.classifier_charts import plot_calibration

        return _png(plot_calibration(self.report))

    def importances_figure(self) -> Image:
        """Permutation importance of each profile field."""
        from modelfit.views.classifier_charts import plot_importances

        return _png(plot_importances(self.report))

    def agreement(self) -> pd.DataFrame:
        """Agreement of the classifier and of the outcome labels with the framework's primary."""
        return pd.DataFrame({"share": {k: round(float(v), 3)
                                       for k, v in self.report.agreement.items()}})

    def disagreement(self) -> pd.DataFrame:
        """Where the classifier and the framework disagree, by kind of company."""
        return self.report.disagreement.round(3)  # type: ignore[no-any-return]

    def default_model(self) -> pd.DataFrame | Markdown:
        """The committed default model's card: data, seed and held-out metrics."""
        if self.model_card is None:
            return Markdown("No default model: run `make model`.")
        card = self.model_card
        rows = {"estimator": card.get("estimator"), "rows": card["data"]["rows"],
                "seed": card.get("seed"),
                **{k: round(float(v), 3) for k, v in card["metrics"].items()}}
        return pd.DataFrame({"data/classifier.skops": {k: str(v) for k, v in rows.items()}})


def classifier_view(n: int = 4000, seed: int = 7) -> ClassifierView:
    """Generate `n` synthetic companies, simulate their outcomes and train a classifier (seeded)."""
    from modelfit.outcome.labels import best_model_labels
    from modelfit.outcome.modelfile import read_card
    from modelfit.outcome.predictor import find_default_model
    from modelfit.outcome.simulation import simulate_outcomes
    from modelfit.outcome.synthetic import generate_profiles
    from modelfit.outcome.training import train

    pd.set_option("display.max_colwidth", None)
    profiles = generate_profiles(n, seed)
    outcomes = simulate_outcomes(profiles, seed)
    labels = best_model_labels(outcomes)
    _, report = train(profiles, labels, seed)
    default = find_default_model()
    return ClassifierView(profiles, outcomes, labels, report,
                          None if default is None else read_card(default), seed)


def _png(fig: Any) -> Image:
    return Image(data=charts.to_png(fig), format="png")
