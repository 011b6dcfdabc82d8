"""The report's second opinion: whether the trained classifier (modelfit.outcome.classifier)
agrees with the framework, its probabilities beside the framework's scores, and the profile
fields that pushed it toward its pick."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from modelfit.core.safe import markdown_template
from modelfit.views.opinion_why import drivers_intro_key, why_disagree
from modelfit.views.report_section import Section, drop_index_name


class OpinionSection(Section):
    """The classifier's view: agreement, probabilities and drivers."""

    def second_opinion(self) -> Markdown:
        """Whether the trained classifier agrees with the framework, in one sentence."""
        opinion = self.analysis.classifier
        if opinion is None:
            return Markdown(self._md("report.no_classifier"))
        primary = opinion.primary
        key = "classifier_agrees" if primary == self.rec.primary else "classifier_disagrees"
        first = self._md(f"report.{key}", primary=self._name(primary),
                         probability=f"{100 * opinion.probabilities[primary]:.0f}%",
                         framework=self._name(self.rec.primary))
        why = why_disagree(self.analysis, self.fw, self.lang, self._field_value)
        sep = "" if self.lang == "zh" else " "
        return Markdown(sep.join([first, *(markdown_template(t) for t in why)]))

    def second_opinion_table(self) -> pd.DataFrame | Markdown:
        """Framework scores beside the classifier's probabilities, model by model."""
        opinion = self.analysis.classifier
        if opinion is None:
            return Markdown("")
        return pd.DataFrame({
            self.fw.label("framework_score", self.lang):
                [round(self.rec.scores[m], 2) for m in self.rec.ranking],
            self.fw.label("classifier_probability", self.lang):
                [f"{100 * opinion.probabilities[m]:.1f}%" for m in self.rec.ranking],
        }, index=[self._name(m) for m in self.rec.ranking])

    def drivers_intro(self) -> Markdown:
        """One line introducing the drivers table (empty without a classifier)."""
        if self.analysis.classifier is None or not self.analysis.drivers:
            return Markdown("")
        return Markdown(self._md(drivers_intro_key(self.analysis.drivers),
                                 primary=self._name(self.analysis.classifier.primary)))

    def drivers_table(self) -> pd.DataFrame | Markdown:
        """Which profile fields pushed the classifier toward its pick, strongest first."""
        if not self.analysis.drivers:
            return Markdown("")
        return drop_index_name(pd.DataFrame([{
            self.fw.label("field", self.lang): self._field_name(d.field),
            self.fw.label("value", self.lang): self._field_value(d.field, d.value),
            self.fw.label("neutral", self.lang): self._field_value(d.field, d.reference),
            self.fw.label("push", self.lang): f"{100 * d.push:+.1f}",
        } for d in self.analysis.drivers]).set_index(self.fw.label("field", self.lang)))
