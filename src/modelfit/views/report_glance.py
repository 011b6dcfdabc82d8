"""The report's opening: its title, the one-page summary a busy reader needs (built by
modelfit.views.summary), and the company at a glance (profile, assessment, radar chart)."""

from __future__ import annotations

from functools import cached_property

import pandas as pd
from IPython.display import HTML, Image, Markdown

from modelfit.core.safe import markdown_text
from modelfit.inputs.assessment import assess
from modelfit.inputs.profile import FIELDS
from modelfit.inputs.rubric import load_rubric
from modelfit.views import assessment as views_assessment
from modelfit.views import charts, summary
from modelfit.views.report_section import Section, drop_index_name, show_figure


class GlanceSection(Section):
    """Title, summary page, profile table, assessment and radar chart."""

    def title(self) -> Markdown:
        """The report's title and one-paragraph introduction."""
        intro = self.fw.text("report.intro", self.lang, company=self.profile.company,
                             version=self.fw.version)
        colon = "：" if self.lang == "zh" else ": "
        return Markdown(f"# {markdown_text(self.profile.company)}{colon}{self._label('report_title')}"
                        f"\n\n{intro}")

    def cover(self) -> HTML:
        """The cover block a client reads first: the company, the report's title, the plan in
        one line, how sure, the money headline and the first warning, then the introduction.
        Every value is escaped: a company name is text, never markup."""
        from modelfit.core.safe import html_text

        s = self._summary
        zh = self.lang == "zh"
        colon, sep = ("：", "、") if zh else (": ", ", ")
        plan = f"{s.primary}{colon}{sep.join(p.channel for p in s.plan)}"
        sure = self.fw.label(f"sure_{s.level}", self.lang)
        share = f"{100 * self.analysis.robustness.confidence:.0f}%"
        stays = self.fw.label("sum_confidence", self.lang)
        how_sure = f"{sure}（{stays} {share}）" if zh else f"{sure} ({stays.lower()}: {share})"
        rows = [(self.fw.label("sum_plan", self.lang), plan),
                (self.fw.label("sum_how_sure", self.lang), how_sure)]
        money = self._money_headline()
        if money:
            rows.append((self.fw.label("cover_money", self.lang), money))
        if len(s.sureness) > 1:
            rows.append((self.fw.label("cover_warning", self.lang), s.sureness[-1]))
        items = "".join(f"<tr><th>{html_text(k)}</th><td>{html_text(v)}</td></tr>"
                        for k, v in rows)
        intro = self._md("report.intro", company=self.profile.company, version=self.fw.version)
        return HTML(
            f'<section class="mf-cover"><p class="mf-cover-kicker">'
            f'{html_text(self.fw.label("report_title", self.lang))}</p>'
            f'<h1 class="mf-cover-title">{html_text(self.profile.company)}</h1>'
            f'<table class="mf-cover-facts">{items}</table>'
            f'<p class="mf-cover-intro">{html_text(intro)}</p></section>')

    def _money_headline(self) -> str:
        """The recommended plan's cash at 36 months and its break-even month, in words."""
        plan = self.analysis.economics
        if plan is None or self.rec.primary not in plan.models:
            return ""
        m = plan.models[self.rec.primary]
        cash = f"{m['cash_36m_usd']:,.0f}"
        month = m.get("breakeven_month")
        if self.lang == "zh":
            when = f"第 {month} 个月回本" if month else f"{plan.horizon_months} 个月内不回本"
            return f"36 个月累计现金 {cash} 美元，{when}"
        when = f"breaks even in month {month}" if month else (
            f"does not break even within {plan.horizon_months} months")
        return f"USD {cash} of cash at 36 months; {when}"

    # --- summary (the one page a busy reader needs; see summary.py) ---------------------------
    @cached_property
    def _summary(self) -> summary.Summary:
        return summary.summarise(self.analysis, self.profile, self.fw, self.lang)

    def summary(self) -> summary.Summary:
        """The summary page's content as data."""
        return self._summary

    def summary_plan(self) -> Markdown:
        """The plan: core and auxiliary channels, and how sure the answer is."""
        return Markdown(summary.plan_markdown(self._summary, self.fw, self.lang))

    def summary_steps(self) -> Markdown:
        """The three next steps, then the analyst's notes (every section's) when the profile
        has any."""
        notes = self._notes()
        steps = summary.steps_markdown(self._summary, self.fw, self.lang)
        return Markdown(f"{steps}\n\n{notes}" if notes else steps)

    def summary_figures(self) -> pd.DataFrame:
        """The headline figures, each with the section that develops it."""
        return drop_index_name(summary.figures_table(self._summary, self.fw, self.lang))

    # --- at a glance ----------------------------------------------------------------------
    def glance_table(self) -> pd.DataFrame:
        """The profile as a table (field, value), defaults filled in, in the report's language."""
        fields = self.profile.fields()
        rows = {}
        for spec in FIELDS:
            value = fields[spec.name]
            if spec.name == "stage":
                value = self.fw.stage_name(value, self.lang)
            rows[self._field_name(spec.name)] = self._field_value(spec.name, value)
        return pd.DataFrame({self.fw.label("value", self.lang): rows})

    def assessment_summary(self) -> pd.DataFrame | Markdown:
        """Per criterion: the stated rating, the one the answers give, and the one used
        (empty when the profile has no answers)."""
        if not self.profile.assessment:
            return Markdown("")
        rows = views_assessment.summary_rows(assess(self.profile), self.fw, self.lang)
        return pd.DataFrame(rows).T

    def assessment_derivation(self) -> Markdown:
        """How each rating follows from the answers, and any stated rating they contradict."""
        if not self.profile.assessment:
            return Markdown("")
        rubric = load_rubric()
        text = views_assessment.derivation_markdown(assess(self.profile), self.fw, self.lang)
        return Markdown(f"### {markdown_text(rubric.text('h_assessment', self.lang))}\n\n{text}")

    def radar_figure(self) -> Image:
        """Radar chart: the company's ratings against what each model leans on."""
        return show_figure(charts.radar(self.rec, self.fw, self.lang),
                           self.fw.text("report.radar_caption", self.lang))

    def radar_caption(self) -> Markdown:
        """How to read the radar chart."""
        return Markdown(f"*{self._md('report.radar_caption')}*")
