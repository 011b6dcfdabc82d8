"""The report's money plan: set-up cost, working capital, break-even and cash of each model's
plan, one order's unit economics, and the cumulative cash chart (the plan itself is
modelfit.outcome.economics')."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown

from modelfit.core.safe import markdown_fill, markdown_text
from modelfit.core.wording import zh_spacing
from modelfit.views.report_section import Section, drop_index_name, show_figure


def table_markdown(table: pd.DataFrame) -> str:
    """A small table as Markdown, every cell escaped (its first column the index)."""
    head = ["", *map(str, table.columns)]
    rows = [[str(i), *map(str, r)] for i, r in zip(table.index, table.to_numpy(), strict=True)]
    out = ["| " + " | ".join(markdown_text(c) for c in head) + " |",
           "|" + "---|" * len(head)]
    out += ["| " + " | ".join(markdown_text(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


class EconomicsSection(Section):
    """The economics: heading, introduction, summary and order tables, cash chart."""

    def economics_heading(self) -> Markdown:
        """The money plan's section heading: "The money plan" / "经营测算"."""
        from modelfit.outcome.economics import text

        return Markdown(f"## {markdown_text(text('title', self.lang))}")

    def economics_intro(self) -> Markdown:
        """One paragraph: what the money plan is and which kind of distribution it plans; then
        the analyst's note on the economics, if any."""
        from modelfit.outcome.economics import kind_name, text

        plan = self.analysis.economics
        notes = self._notes(("economics",))
        if plan is None:
            return Markdown(notes)
        template = text("intro", self.lang, company="${company}", months=plan.horizon_months,
                        version=plan.assumptions_version,
                        kind=kind_name(plan.distribution_kind, self.lang))
        intro = markdown_fill(template, {"company": self.profile.company})
        intro = zh_spacing(intro) if self.lang == "zh" else intro
        return Markdown(f"{intro}\n\n{notes}" if notes else intro)

    def economics_plan(self) -> Markdown:
        """The recommended plan costed: its channels, what it adds beside what already runs,
        the cash check, and every warning."""
        from modelfit.outcome.plan_text import label, plan_summary, plan_table, rules_lines

        money = self.analysis.economics
        if money is None or money.plan is None:
            return Markdown("")
        table = plan_table(money.plan, self.lang)
        zh = self.lang == "zh"
        lines = [f"### {markdown_text(label('title', self.lang))}", "",
                 table_markdown(table), "",
                 markdown_text(plan_summary(money.plan, min(36, money.horizon_months),
                                            self.lang)), "",
                 f"**{markdown_text(label('warnings', self.lang))}{'：' if zh else ':'}**", ""]
        lines += ([f"- {markdown_text(str(w['text']))}" for w in money.warnings]
                  or [markdown_text(label("no_warnings", self.lang))])
        if money.rules:
            title, *items = rules_lines(money.rules, money.as_of, self.lang)
            lines += ["", f"**{markdown_text(title)}**", ""]
            lines += [f"- {markdown_text(item[2:])}" if item.startswith("- ") else
                      f"  - {markdown_text(item.strip())}" for item in items]
        return Markdown("\n".join(lines))

    def economics_table(self) -> pd.DataFrame | Markdown:
        """Set-up, working capital, break-even and cash at 36 months, per model."""
        from modelfit.outcome.economics import summary_table

        plan = self.analysis.economics
        if plan is None:
            return Markdown("")
        return drop_index_name(summary_table(plan, self._name, self.lang))

    def economics_order_table(self) -> pd.DataFrame | Markdown:
        """One order's unit economics per model: price received, costs, contribution."""
        from modelfit.outcome.economics import order_table

        plan = self.analysis.economics
        if plan is None:
            return Markdown("")
        return drop_index_name(order_table(plan, self._name, self.lang))

    def economics_figure(self) -> Image | Markdown:
        """Cumulative cash of each model's plan over the horizon."""
        from modelfit.outcome.economics import text
        from modelfit.views.charts import plot_cumulative

        plan = self.analysis.economics
        if plan is None:
            return Markdown("")
        def name(model: str) -> str:  # labels in the figure's language (CJK font or not)
            return self.fw.model_name(model, self.figure_lang)

        return show_figure(plot_cumulative(plan, name, self.figure_lang),
                           text("chart_title", self.lang))
