"""The report's record: what it takes to reproduce it (versions, framework, profile hash, seed;
modelfit.provenance) and the machine-readable result `modelfit report` writes as <id>.json."""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import JSON

from modelfit import provenance
from modelfit.inputs.assessment import assess
from modelfit.views.report_section import Section


class RecordSection(Section):
    """The run record table and the JSON payload."""

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
