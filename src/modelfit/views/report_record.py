"""The report's record: what it takes to reproduce it (versions, framework, profile hash, seed;
modelfit.provenance) and the machine-readable result `modelfit report` writes as <id>.json."""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import JSON, Markdown

from modelfit import provenance
from modelfit.core.safe import markdown_text
from modelfit.decision.numbers import number
from modelfit.inputs.assessment import assess
from modelfit.views.report_section import Section


class RecordSection(Section):
    """The run record table and the JSON payload."""

    def method_priors(self) -> Markdown:
        """Where each stage's prior scores come from: the article's sentence and the reasoning
        behind the numbers (the method appendix)."""
        lines = [self._md("report.method_priors")]
        sep = ", " if self.lang == "en" else "，"
        for stage in self.fw.stages:
            st = self.fw.stages.index(stage)
            priors = sep.join(f"{self._name(m)} {number(float(self.fw.priors[st, m_i]))}"
                              for m_i, m in sorted(enumerate(self.fw.models),
                                                   key=lambda t: -self.fw.priors[st, t[0]]))
            rule = self.fw.stage_rule(stage)
            comma, stop = (", ", ". ") if self.lang == "en" else ("，", "。")
            lines.append(f"- **{markdown_text(self.fw.stage_name(stage, self.lang))}**{comma}"
                         f"{markdown_text(priors)}{stop}"
                         f"{self._md(f'stage_prior_why.{rule}')}")
        return Markdown("\n".join(lines))

    def run_record(self) -> pd.DataFrame:
        """Versions, framework, profile hash and seed: what it takes to reproduce this report."""
        record = provenance.run_record(self.profile, self.fw, self.seed,
                                       self.analysis.model_sha256)
        labels = self.fw.raw["labels"][self.lang]
        words = {"bundled": "rec_bundled", "none": "none", "not installed": "rec_missing"}
        return pd.DataFrame(
            {self.fw.label("value", self.lang): [
                labels.get(words.get(v, ""), v) for v in record.values()]},
            index=[labels.get(f"rec_{k}") or labels["rec_version"].replace("$name", k)
                   for k in record])

    def to_dict(self) -> dict[str, Any]:
        """`recommend --json`'s object, and the hash of the classifier that gave its view."""
        out = self.analysis.to_dict()
        out["classifier_sha256"] = self.analysis.model_sha256
        if self.profile.assessment:
            out["assessment"] = assess(self.profile).to_dict()
        return out

    def payload(self) -> JSON:
        """The machine-readable result as a JSON output: `modelfit report` writes <id>.json from
        it, nbval compares it exactly, and the client's HTML leaves it out."""
        return JSON(self.to_dict(), expanded=False)
