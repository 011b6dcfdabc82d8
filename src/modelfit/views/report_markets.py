"""The report's "Markets and platforms" (市场与平台) section: for each target market the
platforms ranked for the company with their variant, the managed programmes and what the
seller gives up, the routes from China, the rules in force and the changes within a year
(the answer itself is modelfit.decision.markets')."""

from __future__ import annotations

from IPython.display import Markdown

from modelfit.core.safe import markdown_text
from modelfit.core.wording import zh_spacing
from modelfit.decision.markets_text import text
from modelfit.views import markets as mv
from modelfit.views.report_section import Section

# Columns of each table: (row key, label key of modelfit.decision.markets_text).
PLATFORM_COLUMNS = (("platform", "platform"), ("variant", "variant"), ("fit", "fit"),
                    ("commission", "commission"), ("monthly_fee", "monthly_fee"),
                    ("payout_days", "payout_days"), ("why", "why"), ("source", "source"))
MANAGED_COLUMNS = (("platform", "platform"), ("variant", "variant"), ("fit", "fit"),
                   ("gives_up", "gives_up"), ("source", "source"))
ROUTE_COLUMNS = (("route", "route"), ("cost_per_order", "cost_per_order"), ("days", "days"),
                 ("stock_days", "stock_days"), ("wins_from", "wins_from"),
                 ("source", "source"))
RULE_COLUMNS = (("rule", "rule"), ("value", "value"), ("in_force", "in_force"),
                ("source", "source"))
CHANGE_COLUMNS = (("date", "date"), ("change", "change"), ("value", "value"),
                  ("source", "source"))


def markdown_table(rows: list[dict[str, str]], columns: tuple[tuple[str, str], ...],
                   lang: str) -> str:
    """Rows as a Markdown table, every cell escaped (it cannot start markup or break a row)."""
    head = "| " + " | ".join(markdown_text(text(label, lang)) for _, label in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(markdown_text(row[key]) for key, _ in columns) + " |"
            for row in rows]
    return "\n".join([head, rule, *body])


class MarketsSection(Section):
    """Markets and platforms: heading, introduction, and one block per target market."""

    def markets_heading(self) -> Markdown:
        """The section heading: "Markets and platforms" / "市场与平台"."""
        return Markdown(f"## {markdown_text(text('title', self.lang))}")

    def markets_intro(self) -> Markdown:
        """What the section shows, as of which day, and the company's type; then the analyst's
        note on the markets, if any."""
        answer = self.analysis.markets
        notes = self._notes(("markets",))
        if answer is None:
            return Markdown(notes)
        intro = text("intro", self.lang, company=self.profile.company,
                     as_of=mv.show_date(answer.as_of, self.lang), version=answer.version)
        kind = text("company_type", self.lang, kind=text(answer.company_type, self.lang))
        body = self._spaced(f"{markdown_text(intro)}\n\n{markdown_text(kind)}")
        return Markdown(f"{body}\n\n{notes}" if notes else body)

    def markets_detail(self) -> Markdown:
        """Per target market: platforms, managed programmes, routes, rules in force, changes
        within a year and the values left unknown."""
        answer = self.analysis.markets
        if answer is None:
            return Markdown("")
        lang = self.lang
        parts: list[str] = []
        for m in answer.markets:
            parts.append(f"### {markdown_text(m.name)}")
            if not m.platforms and not m.routes and not m.compliance:
                parts.append(markdown_text(text("no_market_data", lang)))
                continue
            parts.append(f"**{markdown_text(text('h_platforms', lang))}**")
            parts.append(markdown_table(mv.platform_rows(m, answer), PLATFORM_COLUMNS, lang))
            parts.append(f"**{markdown_text(text('h_managed', lang))}**")
            managed = mv.managed_rows(m, answer)
            parts.append(markdown_table(managed, MANAGED_COLUMNS, lang) if managed
                         else markdown_text(text("no_managed", lang)))
            parts.append(f"**{markdown_text(text('h_routes', lang))}**")
            routes = mv.route_rows(m, answer)
            parts.append(markdown_table(routes, ROUTE_COLUMNS, lang) if routes
                         else markdown_text(text("no_routes", lang)))
            parts.append(f"**{markdown_text(text('h_compliance', lang))}**")
            parts.append(markdown_table(mv.compliance_rows(m, answer), RULE_COLUMNS, lang))
            parts.append(f"**{markdown_text(text('h_ahead', lang))}**")
            changes = mv.change_rows(m, answer)
            parts.append(markdown_table(changes, CHANGE_COLUMNS, lang) if changes
                         else markdown_text(text("no_changes", lang)))
            if m.unknown:  # a list: an item may hold a colon of its own (one per line)
                parts.append(f"*{markdown_text(text('h_unknown', lang))}*\n\n"
                             + "\n".join(f"- {markdown_text(u)}" for u in m.unknown))
        return Markdown(self._spaced("\n\n".join(parts)))

    def _spaced(self, text: str) -> str:
        """Chinese text with the house spacing rule (docs/style-zh.md) applied once filled."""
        return zh_spacing(text) if self.lang == "zh" else text
