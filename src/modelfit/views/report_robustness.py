"""The report's robustness section: how sure the recommendation is when the framework's weights
vary (SMAA-2 rank acceptability, winning indices, central weights, entropy), how far each weight
may move, and the smallest rating changes that would change the primary model (the figures
from modelfit.decision.robustness, read in plain language by modelfit.views.robustness)."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown

from modelfit.core.safe import markdown_template
from modelfit.decision.flips import Flip, describe_changes
from modelfit.decision.recommend import STRONG, channel_name
from modelfit.views.report_section import Section, drop_index_name, show_figure
from modelfit.views.robustness import (
    central_weights_table,
    confidence_sentence,
    entropy_sentence,
    plot_acceptability,
    plot_stability,
    winning_table,
)


def protected(risks: tuple[Flip, ...], ratings: dict[str, int]) -> tuple[Flip, ...]:
    """The declines that touch only strengths (ratings of 4 or 5 today)."""
    return tuple(f for f in risks if all(ratings[c] >= STRONG for c in f.changes))


class RobustnessSection(Section):
    """Confidence, acceptability, stability, what to build and protect, SMAA-2 details."""

    def robustness_sentence(self) -> Markdown:
        """'Too close to call' when it is, else how often the primary stays first."""
        sentence = confidence_sentence(self.analysis.robustness, self.fw, self.lang)
        return Markdown(f"**{markdown_template(sentence)}**")

    def acceptability_table(self) -> pd.DataFrame:
        """Share of weight scenarios (%) in which each model ranks 1st, 2nd, 3rd, 4th."""
        acc = self.analysis.robustness.acceptability
        rank = self.fw.label("rank", self.lang)
        return pd.DataFrame(
            {f"{rank} {r + 1}": [f"{100 * acc[m][r]:.1f}%" for m in self.rec.ranking]
             for r in range(len(self.fw.models))},
            index=[self._name(m) for m in self.rec.ranking],
        )

    def acceptability_figure(self) -> Image:
        """Rank acceptability as stacked bars."""
        acc = self.analysis.robustness.acceptability
        return show_figure(
            plot_acceptability(self.analysis.robustness, self.fw, self.lang),
            ", ".join(f"{self._name(m)} {100 * acc[m][0]:.0f}%" for m in self.rec.ranking))

    def stability_table(self) -> pd.DataFrame:
        """Per criterion, the range of its weight (× the framework's) that keeps the primary."""
        spans = self.analysis.robustness.stability_multiplier
        return pd.DataFrame(
            {self.fw.label("low", self.lang): [f"{spans[c][0]:.2f}×" for c in self.fw.criteria],
             self.fw.label("high", self.lang): [f"{spans[c][1]:.2f}×" for c in self.fw.criteria]},
            index=[self.fw.criterion_name(c, self.lang) for c in self.fw.criteria],
        )

    def stability_figure(self) -> Image:
        """The stability ranges as bars around the framework's weight (1×)."""
        return show_figure(plot_stability(self.analysis.robustness, self.fw, self.lang),
                           self.fw.text("report.stability_caption", self.lang))

    def stability_caption(self) -> Markdown:
        """How to read the stability ranges."""
        return Markdown(f"*{self._md('report.stability_caption')}*")

    # --- what to build, what to protect -----------------------------------------------------
    def flips_intro(self) -> Markdown:
        """One line saying what the flip table is."""
        return Markdown(self._md("report.flips_intro"))

    def flips_table(self) -> pd.DataFrame | Markdown:
        """What to build: the smallest rating improvements that change the primary."""
        return self._changes_table(self.analysis.robustness.flips, "report.no_flips")

    def risks_intro(self) -> Markdown:
        """One line saying what the risks table is, and the running channels the plan keeps."""
        text = self._md("report.risks_intro")
        kept = [d for d in self.rec.channel_details
                if d.channel in self.rec.running and d.role in ("core", "auxiliary")]
        if kept:
            sep = ", " if self.lang == "en" else "、"
            names = sep.join(channel_name(self.fw, d, self.lang) for d in kept)
            text += ("" if self.lang == "zh" else " ") + self._md(
                "report.protect_channels", channels=names)
        return Markdown(text)

    def risks_table(self) -> pd.DataFrame | Markdown:
        """What to protect: the smallest declines of a strength (a rating of 4 or 5) that change
        the primary; a weak rating is never listed as something to protect."""
        return self._changes_table(protected(self.analysis.robustness.risks, self.rec.ratings),
                                   "report.no_risks")

    def _changes_table(self, flips: tuple[Flip, ...], empty: str) -> pd.DataFrame | Markdown:
        if not flips:
            return Markdown(self._md(empty))
        rows = [{
            self.fw.label("changes", self.lang): describe_changes(
                flip.changes, {c: self.rec.ratings[c] for c in flip.changes}, self.fw,
                self.lang),
            self.fw.label("becomes", self.lang): self._name(flip.primary),
        } for flip in flips]
        return drop_index_name(pd.DataFrame(rows).set_index(self.fw.label("changes", self.lang)))

    # --- SMAA-2 details -----------------------------------------------------------------------
    def entropy(self) -> Markdown:
        """The decision entropy of the first place and of the whole ranking."""
        return Markdown(markdown_template(entropy_sentence(self.analysis.robustness, self.fw,
                                                           self.lang)))

    def winning_caption(self) -> Markdown:
        """How to read the pairwise winning indices."""
        return Markdown(f"*{self._md('client.winning_caption')}*")

    def winning_table(self) -> pd.DataFrame:
        """SMAA-2's pairwise winning indices: how often the row's model ranks above the column's."""
        return winning_table(self.analysis.robustness, self.fw, self.lang)

    def central_weights_caption(self) -> Markdown:
        """How to read the central weights."""
        return Markdown(f"*{self._md('client.central_caption')}*")

    def central_weights_table(self) -> pd.DataFrame:
        """Each model's central weights, as multiples of the framework's weights."""
        return central_weights_table(self.analysis.robustness, self.fw, self.lang)
