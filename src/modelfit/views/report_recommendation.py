"""The report's recommendation and why: the verdict, the plan's channels and notes, the scores
and each term's contribution to them, and the rationale of the rules that fired."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown

from modelfit.core.safe import markdown_template
from modelfit.decision.recommend import channel_name
from modelfit.views import charts
from modelfit.views.report_section import Section, drop_index_name, show_figure


class RecommendationSection(Section):
    """Verdict, channels, plan notes, scores, contributions and the rationale."""

    def verdict(self) -> Markdown:
        """The primary model and the channels, in one bold sentence."""
        channels = " → ".join(channel_name(self.fw, d, self.lang)
                              for d in self.rec.channel_details
                              if d.role in ("core", "auxiliary"))
        return Markdown(self._md("report.verdict", primary=self._name(self.rec.primary),
                                 channels=channels))

    def channel_table(self) -> pd.DataFrame:
        """The plan's channels with their role (core, auxiliary, next step, wind down) and what
        each is for, or when it starts, or why it leaves."""
        rows = []
        colon = ": " if self.lang == "en" else "："
        for detail in self.rec.channel_details:
            what = (detail.reason if detail.reason is not None
                    and detail.role in ("next_step", "wind_down")
                    else self.fw.kind_role(detail.kind, self.lang) if detail.kind is not None
                    else self.fw.model_info(detail.channel, "role", self.lang))
            if detail.reason is not None and detail.role == "auxiliary":
                what += ("; " if self.lang == "en" else "；") + detail.reason
            rows.append({
                self.fw.label("channel", self.lang): channel_name(self.fw, detail, self.lang),
                self.fw.label("role", self.lang): (
                    f"{self.fw.label(detail.role, self.lang)}{colon}{what}"
                ),
            })
        return drop_index_name(pd.DataFrame(rows).set_index(self.fw.label("channel", self.lang)))

    def plan_notes(self) -> Markdown:
        """The plan's notes: the next step and its trigger (S2), local platforms (S3), the light
        own-site test; then the analyst's note on the plan, if any."""
        lines = "\n".join(f"- {markdown_template(n.text)}" for n in self.rec.plan_notes)
        notes = self._notes(("plan",))  # the analyst's note on the plan, if any
        return Markdown(f"{lines}\n\n{notes}" if notes and lines else lines or notes)

    def score_table(self) -> pd.DataFrame:
        """Scores 0–100 by rank: the key result, compared exactly by nbval."""
        return pd.DataFrame(
            {self.fw.label("score", self.lang): [round(self.rec.scores[m], 2)
                                                 for m in self.rec.ranking]},
            index=[self._name(m) for m in self.rec.ranking],
        )

    def scores_figure(self) -> Image:
        """Scores as a bar chart."""
        return show_figure(charts.score_bars(self.rec, self.fw, self.lang), ", ".join(
            f"{self._name(m)} {self.rec.scores[m]:.1f}" for m in self.rec.ranking))

    def contribution_table(self) -> pd.DataFrame:
        """Points per term (rows) and model (columns); the last row is the score."""
        terms = ["stage_prior", *self.fw.criteria]
        screens = sorted({k for c in self.rec.contributions.values() for k in c
                          if k.startswith("screen_")})
        rows = {}
        for term in [*terms, *screens]:
            label = (self.fw.label("stage_prior", self.lang) if term == "stage_prior"
                     else self._screen_label(term.removeprefix("screen_"))
                     if term.startswith("screen_") else self.fw.criterion_name(term, self.lang))
            rows[label] = [round(self.rec.contributions[m].get(term, 0.0), 2) + 0.0
                           for m in self.rec.ranking]
        rows[self.fw.label("total", self.lang)] = [round(self.rec.scores[m], 2)
                                                   for m in self.rec.ranking]
        return pd.DataFrame(rows, index=[self._name(m) for m in self.rec.ranking]).T

    def _screen_label(self, screen: str) -> str:
        """A screen's row of the contributions table, in plain words (筛选：资金实力薄弱)."""
        colon = "：" if self.lang == "zh" else ": "
        reasons = self.fw.raw["texts"].get("screen_reason", {})
        reason = reasons[screen][self.lang] if screen in reasons else screen
        return f"{self.fw.label('screen', self.lang)}{colon}{reason}"

    def contributions_figure(self) -> Image:
        """Contributions as a stacked chart."""
        return show_figure(charts.contributions(self.rec, self.fw, self.lang),
                           self.fw.text("report.contributions_caption", self.lang))

    def contributions_caption(self) -> Markdown:
        """How to read the contributions chart."""
        return Markdown(f"*{self._md('report.contributions_caption')}*")

    # --- why --------------------------------------------------------------------------------
    def why(self) -> Markdown:
        """The rationale, one bullet per rule that fired (the rule ids are in the method
        appendix: `rule_table`)."""
        return Markdown("\n".join(f"- {markdown_template(item.text)}"
                                  for item in self.rec.rationale))

    def rule_table(self) -> pd.DataFrame:
        """The method appendix's table of the rules behind the rationale: rule id and text."""
        rows = [(item.rule, item.text) for item in self.rec.rationale if item.rule != "score"]
        return pd.DataFrame({self.fw.label("why", self.lang): [t for _, t in rows]},
                            index=pd.Index([r for r, _ in rows]))
