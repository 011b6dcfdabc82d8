"""Why the trained classifier disagrees with the framework, in the company's own numbers.

The classifier was trained on the outcome model's simulated three years (docs/classifier.md), so
its pick is the model whose simulated cash for companies like this one is highest. `why_disagree`
says that in the company's numbers: the two models' cash at 36 months and one order's contribution
and acquisition cost from the money plan (`Analysis.economics`), the company's fields that pushed
the classifier most toward its pick (`Analysis.drivers`), and the data that would settle the
question. `drivers_intro_key` names the heading that matches the signs of the drivers listed.
All words come from the framework file (`texts.report.why_*`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from modelfit.analysis import Analysis, Driver
from modelfit.core.wording import zh_spacing
from modelfit.decision.framework import Framework
from modelfit.views.report_section import field_value


def money(value: float, lang: str) -> str:
    """Dollars as a client reads them: $1,234 and $4.20 (en), 1,234 美元 (zh); a loss with a
    minus sign."""
    sign = "-" if value < 0 else ""
    amount = f"{abs(value):,.0f}" if abs(value) >= 100 else f"{abs(value):,.2f}"
    return f"{sign}${amount}" if lang == "en" else f"{sign}{amount} 美元"


def drivers_intro_key(drivers: Sequence[Driver]) -> str:
    """The heading of the drivers table that matches what it lists: all toward the pick, all
    away from it, or both (each row's sign then says which)."""
    if all(d.push > 0 for d in drivers):
        return "report.drivers_intro"
    if all(d.push < 0 for d in drivers):
        return "report.drivers_intro_away"
    return "report.drivers_intro_mixed"


def why_disagree(
    analysis: Analysis, fw: Framework, lang: str, field_text: Any = None,
) -> tuple[str, ...]:
    """Sentences saying why the classifier picks another model than the framework, in the
    company's numbers, and what would settle it; () when it agrees or there is none.

    `field_text(name, value)` shows a profile field's value (the report's own formatting)."""
    opinion = analysis.classifier
    rec = analysis.rec
    if opinion is None or opinion.primary == rec.primary:
        return ()
    pick, primary = opinion.primary, rec.primary

    def name(model: str) -> str:
        return fw.model_name(model, lang)

    out = []
    plan = analysis.economics.to_dict()["models"] if analysis.economics is not None else {}
    a, b = plan.get(pick), plan.get(primary)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        # The money plan explains the pick only when it, too, puts the pick ahead.
        key = ("report.why_cash" if float(a["cash_36m_usd"]) > float(b["cash_36m_usd"])
               else "report.why_not_cash")
        out.append(fw.text(key, lang, pick=name(pick), primary=name(primary),
                           pick_cash=money(float(a["cash_36m_usd"]), lang),
                           primary_cash=money(float(b["cash_36m_usd"]), lang)))
        pa, pb = a.get("per_order") or {}, b.get("per_order") or {}
        if pa and pb:
            out.append(fw.text(
                "report.why_order", lang, pick=name(pick), primary=name(primary),
                pick_contribution=money(float(pa["contribution_usd"]), lang),
                pick_ads=money(float(pa["ads_usd"]), lang),
                primary_contribution=money(float(pb["contribution_usd"]), lang),
                primary_ads=money(float(pb["ads_usd"]), lang)))
    toward = [d for d in analysis.drivers if d.push > 0][:3]
    if toward:
        show = field_text or (lambda n, v: field_value(fw, n, v, lang))
        sep = ", " if lang == "en" else "、"
        fields = sep.join(f"{_field_name(fw, d.field, lang)} {show(d.field, d.value)}"
                          if lang == "en" else
                          zh_spacing(f"{_field_name(fw, d.field, lang)}为{show(d.field, d.value)}")
                          for d in toward)
        out.append(fw.text("report.why_fields", lang, pick=name(pick), fields=fields))
    out.append(fw.text("report.why_settle", lang))
    return tuple(out)


def _field_name(fw: Framework, field: str, lang: str) -> str:
    if field in fw.criteria:
        return fw.criterion_name(field, lang)
    return fw.label(f"f_{field}", lang)
