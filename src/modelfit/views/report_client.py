"""The report's section on the client's own weights: the client's answer beside the framework's
and, where they differ, why (the comparison itself is modelfit.decision.client's)."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from modelfit.core.safe import markdown_template
from modelfit.views.report_section import Section


class ClientSection(Section):
    """The client's weights and the scores they give, beside the framework's."""

    def client_heading(self) -> Markdown:
        """The section heading for the client's own weights."""
        return Markdown(f"## {self._md('client.heading')}")

    def client_summary(self) -> Markdown:
        """The client's answer beside the framework's and, where they differ, why."""
        client = self.analysis.client
        if client is None:
            return Markdown(self._md("client.none"))
        return Markdown(markdown_template(client.summary(self.fw, self.lang)))

    def client_weights_table(self) -> pd.DataFrame | Markdown:
        """The framework's and the client's importance of each criterion."""
        from modelfit.decision.client import weights_table

        client = self.analysis.client
        return Markdown("") if client is None else weights_table(client, self.fw, self.lang)

    def client_scores_table(self) -> pd.DataFrame | Markdown:
        """Scores and ranks under the framework's weights and under the client's."""
        from modelfit.decision.client import scores_table

        client = self.analysis.client
        return Markdown("") if client is None else scores_table(client, self.fw, self.lang)
