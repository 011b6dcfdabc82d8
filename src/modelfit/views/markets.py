"""The market answer for people: the terminal text of `modelfit markets` and the rows the
report's "Markets and platforms" section shows, in English or Chinese.

Values come from `modelfit.decision.markets`; an unknown reads "unknown" / "暂无可靠数据",
never 0. Every figure names its grade and source (publisher and year); the full addresses are
in the JSON and in docs/markets.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from modelfit.core.dated import Dated
from modelfit.core.safe import terminal_text
from modelfit.decision.markets import MarketAnswer, MarketsAnswer, PlatformFit, RouteCost, rate_text
from modelfit.decision.markets_text import text, unknown

__all__ = ["change_rows", "compliance_rows", "format_markets", "managed_rows", "platform_rows",
           "route_rows", "show_date", "show_value", "source_text"]


def _zh(lang: str) -> bool:
    return lang == "zh"


def show_date(day: date, lang: str) -> str:
    """2026-07-01, or 2026年7月1日 in Chinese."""
    return f"{day.year}年{day.month}月{day.day}日" if _zh(lang) else day.isoformat()


def _number(v: Any) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}"


def show_value(value: Any, lang: str, unit: str | None = None) -> str:
    """A record's value as a reader sees it: unknown, required, a number, a band or a list by
    country, with its unit."""
    if value is None:
        return unknown(lang)
    if value is True:
        return text("required", lang)
    if isinstance(value, Mapping):
        sep = "、" if _zh(lang) else ", "
        body = sep.join(f"{str(k).upper()} {show_value(v, lang)}" for k, v in value.items())
    elif isinstance(value, list):
        body = "–".join(_number(v) for v in value)
    else:
        body = _number(value)
    if not unit:
        return body
    if unit == "%" or unit.startswith("%"):
        return body + unit
    return f"{body} {unit}" if not _zh(lang) else f"{body}{unit}"


def source_text(rec: Dated | None, lang: str) -> str:
    """The grade and source of a record: "official: Federal Register…, 2025"."""
    if rec is None:
        return unknown(lang)
    grade = text(f"grade_{rec.grade}", lang)
    colon = "：" if _zh(lang) else ": "
    if rec.source is None:
        return grade if _zh(lang) else f"{grade}: {rec.judgement or ''}".rstrip(": ")
    comma = "，" if _zh(lang) else ", "
    return f"{grade}{colon}{rec.source.publisher}{comma}{rec.source.year}"


def period_text(rec: Dated, lang: str) -> str:
    """from 2026-07-01, or 2026-07-01 to 2028-06-30."""
    if rec.valid_to is None:
        return text("from", lang, date=show_date(rec.valid_from, lang))
    return text("until", lang, start=show_date(rec.valid_from, lang),
                end=show_date(rec.valid_to, lang))


def _commission(f: PlatformFit, lang: str, as_of: date) -> str:
    if f.platform.variant == "full_managed" and f.rate is None:
        return text("supply_price", lang)
    shown = unknown(lang) if f.rate is None else rate_text(f.rate)
    service = f.value("service_fee_pct", as_of)
    if service is not None and service.value is not None:
        shown += ("" if _zh(lang) else " ") + text("service_fee", lang, rate=f"{service.value:g}")
    return shown


ZH_CURRENCIES = {"USD": "美元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元", "CNY": "元"}


def _money(rec: Dated | None, currency: str, lang: str) -> str:
    if rec is None or rec.value is None:
        return unknown(lang)
    if _zh(lang):  # the currency named in Chinese, after the number (docs/style-zh.md)
        return f"{show_value(rec.value, lang)} {ZH_CURRENCIES.get(currency, currency)}"
    return f"{show_value(rec.value, lang)} {currency}"


def platform_rows(m: MarketAnswer, answer: MarketsAnswer) -> list[dict[str, str]]:
    """One row per platform, best fit first: name, variant, fit, commission, monthly fee,
    payout days, why, source."""
    lang, as_of = answer.lang, answer.as_of
    key = "zh" if _zh(lang) else "en"
    sep = "；" if _zh(lang) else "; "
    rows = []
    for f in m.platforms:
        payout = f.value("payout_days", as_of)
        rows.append({
            "platform": f.platform.name[key], "variant": text(f.platform.variant, lang),
            "fit": text(f.fit, lang), "commission": _commission(f, lang, as_of),
            "monthly_fee": _money(f.value("monthly_fee", as_of), f.platform.currency, lang),
            "payout_days": unknown(lang) if payout is None or payout.value is None
            else show_value(payout.value, lang),
            "why": sep.join(f.why), "source": source_text(f.commission, lang),
        })
    return rows


def managed_rows(m: MarketAnswer, answer: MarketsAnswer) -> list[dict[str, str]]:
    """The managed programmes: name, variant, fit and what the seller gives up."""
    key = "zh" if _zh(answer.lang) else "en"
    rows = []
    for f in m.platforms:
        if f.platform.variant == "self_run":
            continue
        gives = f.value("gives_up", answer.as_of)
        rows.append({"platform": f.platform.name[key],
                     "variant": text(f.platform.variant, answer.lang),
                     "fit": text(f.fit, answer.lang),
                     "gives_up": unknown(answer.lang) if gives is None or gives.value is None
                     else str(gives.value[key]),
                     "source": source_text(gives, answer.lang)})
    return rows


def route_rows(m: MarketAnswer, answer: MarketsAnswer) -> list[dict[str, str]]:
    """One row per route: cost per order, days, stock tied up, and the volume from which it
    beats the next dearer route."""
    lang = answer.lang
    key = "zh" if _zh(lang) else "en"
    names = {r.route.id: r.route.name[key] for r in m.routes}
    rows = []
    for r in m.routes:
        rows.append({"route": r.route.name[key],
                     "cost_per_order": _band(r.cost_per_order, lang),
                     "days": _band(r.days, lang), "stock_days": _band(r.stock_days, lang),
                     "wins_from": _wins(r, names, lang),
                     "source": source_text(r.records.get("per_kg_usd"), lang)})
    return rows


def _band(band: tuple[float, float] | None, lang: str) -> str:
    if band is None:
        return unknown(lang)
    lo, hi = (_number(round(v, 2)) for v in band)
    return lo if lo == hi else f"{lo}–{hi}"


def _wins(r: RouteCost, names: Mapping[str, str], lang: str) -> str:
    if r.wins_from_orders is None or r.wins_over is None:
        return "—"
    if _zh(lang):
        return f"每月{r.wins_from_orders}单起比{names[r.wins_over]}便宜"
    return f"from {r.wins_from_orders} orders a month, cheaper than {names[r.wins_over]}"


def compliance_rows(m: MarketAnswer, answer: MarketsAnswer) -> list[dict[str, str]]:
    """The rules in force on the as-of day: rule, value, in force, source."""
    lang = answer.lang
    key = "zh" if _zh(lang) else "en"
    return [{"rule": rule.name[key],
             "value": show_value(rec.value, lang, None if rule.unit is None else rule.unit[key]),
             "in_force": period_text(rec, lang), "source": source_text(rec, lang)}
            for rule, rec in m.compliance]


def change_rows(m: MarketAnswer, answer: MarketsAnswer) -> list[dict[str, str]]:
    """The changes within the next year: date, change, value, source."""
    lang = answer.lang
    return [{"date": show_date(c.record.valid_from, lang), "change": c.name,
             "value": show_value(c.record.value, lang, c.unit),
             "source": source_text(c.record, lang)} for c in m.changes]


def format_markets(answer: MarketsAnswer, company: str) -> str:
    """The terminal text of `modelfit markets`: one block per target market."""
    lang = answer.lang
    zh = _zh(lang)
    colon, sep = ("：", "；") if zh else (": ", "; ")
    lines = [text("title", lang) + (f"：{company}" if zh else f": {company}"),
             text("intro", lang, company=company, as_of=show_date(answer.as_of, lang),
                  version=answer.version),
             text("company_type", lang, kind=text(answer.company_type, lang))]
    for m in answer.markets:
        lines += ["", f"■ {m.name}"]
        if not m.platforms and not m.routes and not m.compliance:
            lines += [f"  {u}" for u in m.unknown]
            continue
        lines.append(f"  {text('h_platforms', lang)}{colon.rstrip()}")
        for i, row in enumerate(platform_rows(m, answer), 1):
            lines.append(f"    {i}. {row['platform']}（{row['variant']}，{row['fit']}）" if zh else
                         f"    {i}. {row['platform']} ({row['variant']}, {row['fit']})")
            lines.append(f"       {text('commission', lang)}{colon}{row['commission']}{sep}"
                         f"{text('monthly_fee', lang)}{colon}{row['monthly_fee']}{sep}"
                         f"{text('payout_days', lang)}{colon}{row['payout_days']}")
            lines.append(f"       {text('why', lang)}{colon}{row['why']}")
            lines.append(f"       {text('source', lang)}{colon}{row['source']}")
        managed = managed_rows(m, answer)
        lines.append(f"  {text('h_managed', lang)}{colon.rstrip()}")
        lines += [f"    - {row['platform']}{colon}{row['gives_up']}" for row in managed] or [
            f"    {text('no_managed', lang)}"]
        lines.append(f"  {text('h_routes', lang)}{colon.rstrip()}")
        if not m.routes:
            lines.append(f"    {text('no_routes', lang)}")
        for row in route_rows(m, answer):
            wins = "" if row["wins_from"] == "—" else f"{sep}{row['wins_from']}"
            lines.append(f"    - {row['route']}{colon}{text('cost_per_order', lang)} "
                         f"{row['cost_per_order']}{sep}{text('days', lang)} {row['days']}{sep}"
                         f"{text('stock_days', lang)} {row['stock_days']}{wins}"
                         if not zh else
                         f"    - {row['route']}：{text('cost_per_order', lang)}{row['cost_per_order']}"
                         f"；{text('days', lang)}{row['days']}；{text('stock_days', lang)}"
                         f"{row['stock_days']}{wins}")
        lines.append(f"  {text('h_compliance', lang)}{colon.rstrip()}")
        for row in compliance_rows(m, answer):
            lines.append(f"    - {row['rule']}{colon}{row['value']}（{row['in_force']}；"
                         f"{row['source']}）" if zh else
                         f"    - {row['rule']}: {row['value']} ({row['in_force']}; "
                         f"{row['source']})")
        lines.append(f"  {text('h_ahead', lang)}{colon.rstrip()}")
        changes = change_rows(m, answer)
        lines += [f"    - {row['date']}{colon}{row['change']}{colon}{row['value']}"
                  + (f"（{row['source']}）" if zh else f" ({row['source']})")
                  for row in changes] or [f"    {text('no_changes', lang)}"]
        if m.unknown:
            lines.append(f"  {text('h_unknown', lang)}{colon}" + ("、" if zh else "; ").join(
                m.unknown))
    return "\n".join(terminal_text(line) for line in lines)
