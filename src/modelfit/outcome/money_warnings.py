"""When the plan's own money says no: one warning per problem, most important first.

`plan_warnings(plan, horizon, lang, test_months)` reads a costed plan (`plan_cost.cost_plan`)
and returns `[{channel, code, text}]`:

- `short_of_cash`: the company's cash does not cover the plan's lowest point;
- `loses_per_order`: a channel of the plan loses money on every order;
- `below_cost`: a wholesale price below the product's cost;
- `no_breakeven`: what the plan adds does not break even within the horizon;
- `test_cut`: the stop rule ends a channel's paid acquisition after its test;
- `rule_unknown`: a dated rule the figures rest on is not known for the date (added by
  `modelfit.outcome.economics`).

Nothing here changes the plan or the model: a warning says what the numbers say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from modelfit.core.wording import zh_spacing

CODES = ("short_of_cash", "loses_per_order", "below_cost", "no_breakeven", "test_cut",
         "rule_unknown")

NAMES: Mapping[str, Mapping[str, str]] = {
    "platform": {"en": "marketplace store", "zh": "平台店铺"},
    "independent_site": {"en": "own site", "zh": "独立站"},
    "distribution": {"en": "distribution", "zh": "分销"},
    "dropshipping": {"en": "dropshipping", "zh": "一件代发"},
    "small_b": {"en": "small-B distribution", "zh": "小B分销"},
    "distributors": {"en": "overseas distributors", "zh": "海外分销商"},
}
SOURCES: Mapping[str, Mapping[str, str]] = {
    "cash_usd": {"en": "the cash the profile states", "zh": "按档案填写的现金"},
    "capital_rating": {"en": "the level its capital rating stands for",
                       "zh": "按资金实力评分对应的水平"},
}
TEXTS: Mapping[str, Mapping[str, str]] = {
    "short_of_cash": {
        "en": "The plan needs USD {need} of cash at its lowest point; the company has USD {cash} "
              "({source}): USD {short} short.",
        "zh": "该方案在资金最紧时需要 {need} 美元，公司可用 {cash} 美元（{source}），缺口 {short} 美元。",
    },
    "loses_per_order": {
        "en": "{name}: every order loses USD {loss} (it receives USD {price}, one order costs "
              "USD {costs}); fix the price or the costs before funding it.",
        "zh": "{name}每单亏损 {loss} 美元（实收 {price} 美元，单笔成本 {costs} 美元），"
              "应先调整定价或成本，再投入资金。",
    },
    "below_cost": {
        "en": "{name}: the price received, USD {price} a unit, is below the product's cost of "
              "USD {cost}.",
        "zh": "{name}的实收单价 {price} 美元，低于产品成本 {cost} 美元。",
    },
    "no_breakeven": {
        "en": "What the plan adds does not break even within {months} months (USD {cash} after "
              "{months} months).",
        "zh": "方案新增部分 {months} 个月内不回本（{months} 个月累计 {cash} 美元）。",
    },
    "test_cut": {
        "en": "{name}: paid acquisition stops after its {months}-month test, as each customer "
              "costs more than it brings in (stop rule).",
        "zh": "{name}的付费获客在 {months} 个月测试期后停止，因为获客成本高于其带来的贡献（止损规则）。",
    },
    "rule_unknown": {
        "en": "{rule} is not known for {date}; the figures use {planned} ({how}).",
        "zh": "{rule}在 {date} 的取值暂无可靠数据；测算按 {planned} 计（{how}）。",
    },
}


def money(value: float) -> str:
    """USD for a sentence: whole dollars with thousands separators."""
    return f"{value:,.0f}"


def cents(value: float) -> str:
    return f"{value:,.2f}"


def name(channel: str, kind: str | None, lang: str) -> str:
    """A plan channel's display name (a distribution channel by its kind)."""
    key = kind if channel == "distribution" and kind else channel
    text = NAMES.get(key, NAMES["distribution"])["zh" if lang == "zh" else "en"]
    return text[:1].upper() + text[1:]


def warning(code: str, channel: str | None, lang: str, **values: Any) -> dict[str, Any]:
    """One warning entry `{channel, code, text}`."""
    text = TEXTS[code]["zh" if lang == "zh" else "en"].format(**values)
    return {"channel": channel, "code": code, "text": zh_spacing(text) if lang == "zh" else text}


def plan_warnings(plan: Mapping[str, Any], horizon: int, lang: str,
                  test_months: int) -> list[dict[str, Any]]:
    """The warnings of a costed plan, most important first (the order of `CODES`)."""
    out: list[dict[str, Any]] = []
    if not plan["affordable"]:
        source = SOURCES[plan["cash_source"]]["zh" if lang == "zh" else "en"]
        out.append(warning("short_of_cash", None, lang, need=money(plan["need_usd"]),
                           cash=money(plan["cash_available_usd"]), source=source,
                           short=money(plan["shortfall_usd"])))
    channels: Sequence[Mapping[str, Any]] = plan["channels"]
    for entry in channels:
        order = entry.get("per_order")
        if entry["role"] == "wind_down" or not order:
            continue
        label = name(entry["channel"], entry.get("kind"), lang)
        if order["contribution_usd"] < 0:
            costs = order["net_price_usd"] - order["contribution_usd"]
            out.append(warning("loses_per_order", entry["channel"], lang, name=label,
                               loss=cents(-order["contribution_usd"]),
                               price=cents(order["net_price_usd"]), costs=cents(costs)))
        if (entry["channel"] == "distribution" and order["net_price_usd"] > 0
                and order["net_price_usd"] < order["product_cost_usd"]):
            out.append(warning("below_cost", entry["channel"], lang, name=label,
                               price=cents(order["net_price_usd"]),
                               cost=cents(order["product_cost_usd"])))
    if plan["breakeven_month"] is None:
        out.append(warning("no_breakeven", None, lang, months=min(36, horizon),
                           cash=money(plan["cash_36m_usd"])))
    for entry in channels:
        if entry.get("test_usd", 0) > 0:
            out.append(warning("test_cut", entry["channel"], lang,
                               name=name(entry["channel"], entry.get("kind"), lang),
                               months=test_months))
    return sorted(out, key=lambda w: CODES.index(w["code"]))


def unknown_rule_warnings(rules: Sequence[Mapping[str, Any]], as_of: Any,
                          lang: str) -> list[dict[str, Any]]:
    """A `rule_unknown` warning for each dated rule whose value on `as_of` is not known."""
    from modelfit.outcome.rules import shown

    return [warning("rule_unknown", None, lang, rule=r["label"], date=str(as_of),
                    planned=shown(r["planned"], lang, r["unit"]), how=r["how"])
            for r in rules if r["value"] is None]
