"""The report's way ahead: what the next stage asks for and which capabilities to build for it,
the O-points checklist of each channel in the plan, and the F-notes that apply."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from modelfit.core.safe import markdown_template, markdown_text
from modelfit.decision.recommend import recommend
from modelfit.views.report_section import Section, drop_index_name


class RoadmapSection(Section):
    """Roadmap to the next stage, checklist and notes."""

    def roadmap(self) -> Markdown:
        """What the next stage asks for, and which capabilities to build for it."""
        stage = self.rec.stage
        nxt = self.fw.next_stage(stage)
        if nxt is None:
            rule = self.fw.text(f"stage_rule.{self.fw.stage_rule(stage)}", self.lang)
            return Markdown(self._md("report.roadmap_last", rule=rule))
        future = recommend(self.profile.model_copy(update={"stage": nxt}), self.fw, self.lang)
        rule = self.fw.text(f"stage_rule.{self.fw.stage_rule(nxt)}", self.lang)
        return Markdown(self._md("report.roadmap_next", stage=self.fw.stage_name(nxt, self.lang),
                                 primary=self._name(future.primary), rule=rule))

    def roadmap_table(self) -> pd.DataFrame | Markdown:
        """Capabilities below 4 that the next stage's plan leans on most, strongest first."""
        stage = self.fw.next_stage(self.rec.stage) or self.rec.stage
        future = recommend(self.profile.model_copy(update={"stage": stage}), self.fw, self.lang)
        m = self.fw.models.index(future.primary)
        gains = []
        for c, crit in enumerate(self.fw.criteria):
            weight = float(self.fw.weights[c, m])
            now = self.rec.ratings[crit]
            if weight > 0 and now < 4:
                gains.append((weight * (4 - now) / 2, crit, now))
        if not gains:
            return Markdown(self._md("report.roadmap_none"))
        rows = [{
            self.fw.label("build", self.lang): self.fw.criterion_name(crit, self.lang),
            self.fw.label("now", self.lang): now,
            self.fw.label("target", self.lang): 4,
            self.fw.label("points", self.lang): f"+{gain:.1f}",
        } for gain, crit, now in sorted(gains, key=lambda g: -g[0])]
        return drop_index_name(pd.DataFrame(rows).set_index(self.fw.label("build", self.lang)))

    # --- checklist and notes ------------------------------------------------------------------
    def checklist(self) -> Markdown:
        """The O-points for each channel of the plan that has them."""
        if not self.rec.checklist:
            return Markdown(self._md("report.no_checklist"))
        parts = [f"*{self._md('o_points_note')}*"]
        for channel, items in self.rec.checklist.items():  # numbered; the ids are the appendix's
            parts.append(f"\n**{markdown_text(self.fw.channel_label(channel, self.lang))}**\n")
            parts += [f"{i}. {markdown_template(item)}" for i, item in enumerate(items, 1)]
        return Markdown("\n".join(parts))

    def notes(self) -> Markdown:
        """The F-notes that apply to this company."""
        return Markdown("\n".join(f"- {markdown_template(v)}" for v in self.rec.notes.values()))
