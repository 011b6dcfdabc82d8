"""The costed plan in words and tables, in English and Chinese: what the recommended channels
cost, what they add beside what already runs, whether the cash carries it, and its warnings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from modelfit.core.wording import zh_spacing
from modelfit.outcome.money_warnings import name

LABELS: Mapping[str, Mapping[str, str]] = {
    "title": {"en": "The recommended plan, costed", "zh": "推荐方案的经营测算"},
    "channel": {"en": "channel", "zh": "渠道"},
    "role": {"en": "role", "zh": "角色"},
    "starts": {"en": "starts", "zh": "开始"},
    "figures": {"en": "figures", "zh": "数据来源"},
    "calibrated": {"en": "its own figures", "zh": "企业实际数字"},
    "estimated": {"en": "estimated", "zh": "模型估算"},
    "setup_usd": {"en": "set-up (USD)", "zh": "启动投入（美元）"},
    "working_capital_usd": {"en": "stock (USD)", "zh": "库存占用（美元）"},
    "fixed_month_usd": {"en": "fixed a month (USD)", "zh": "每月固定费用（美元）"},
    "contribution_usd": {"en": "per order (USD)", "zh": "单笔贡献（美元）"},
    "cash_36m_usd": {"en": "cash at 36 months (USD)", "zh": "36 个月累计现金（美元）"},
    "month": {"en": "month {n}", "zh": "第 {n} 个月"},
    "core": {"en": "core", "zh": "核心"},
    "auxiliary": {"en": "auxiliary", "zh": "辅助"},
    "next_step": {"en": "next step", "zh": "下一步"},
    "wind_down": {"en": "wind down", "zh": "逐步收缩"},
    "summary": {
        "en": "What the plan adds: set-up USD {setup}, working capital USD {working}, fixed "
              "costs USD {fixed} a month, {breakeven}, USD {cash} after {months} months. What "
              "already runs: USD {running} after {months} months. Cash at the lowest point "
              "USD {need} against USD {available} ({source}): {verdict}.",
        "zh": "方案新增部分：启动投入 {setup} 美元，营运资金 {working} 美元，每月固定费用 {fixed} "
              "美元，{breakeven}，{months} 个月累计 {cash} 美元。现有渠道：{months} 个月累计 "
              "{running} 美元。资金最紧时需要 {need} 美元，可用 {available} 美元（{source}）："
              "{verdict}。",
    },
    "breaks_even": {"en": "breaks even in month {n}", "zh": "第 {n} 个月回本"},
    "never": {"en": "no break-even within {months} months", "zh": "{months} 个月内不回本"},
    "affordable": {"en": "the cash carries it", "zh": "资金足以支撑"},
    "short": {"en": "USD {short} short", "zh": "缺口 {short} 美元"},
    "stated": {"en": "the cash the profile states", "zh": "按档案填写的现金"},
    "rating": {"en": "the level its capital rating stands for", "zh": "按资金实力评分对应的水平"},
    "warnings": {"en": "What the numbers say no to", "zh": "测算提示的问题"},
    "money_check": {"en": "The money check", "zh": "经营测算提示"},
    "rules_title": {"en": "Duties and taxes as of {date}", "zh": "截至 {date} 的关税与税费"},
    "in_force": {"en": "{label}: {value} (in force from {start}; {grade})",
                 "zh": "{label}，现为 {value}（自 {start} 起施行；{grade}）"},
    "unknown_rule": {"en": "{label}: unknown; planned at {planned} ({how})",
                     "zh": "{label}，暂无可靠数据，按 {planned} 测算（{how}）"},
    "ahead": {"en": "  ahead: {value} from {start}", "zh": "  即将变化：自 {start} 起为 {value}"},
    "no_warnings": {"en": "Nothing: the plan's own money says yes.",
                    "zh": "无：测算结果支持该方案。"},
}


def label(key: str, lang: str, **values: Any) -> str:
    """One label or sentence of the costed plan in `lang` (en or zh; Chinese spaced as the
    house style has it, `core.wording.zh_spacing`)."""
    if lang == "zh":
        return zh_spacing(LABELS[key]["zh"].format(**values))
    return LABELS[key]["en"].format(**values)


def money(value: float) -> str:
    return f"{value:,.0f}"


def plan_table(plan: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """One row per plan channel: role, start, whose figures, set-up, stock, fixed costs, one
    order's contribution and its cash after 36 months."""
    rows = {}
    for entry in plan["channels"]:
        order = entry.get("per_order")
        rows[name(entry["channel"], entry.get("kind"), lang)] = {
            label("role", lang): label(entry["role"], lang),
            label("starts", lang): label("month", lang, n=entry["start_month"]),
            label("figures", lang): label("calibrated" if entry["calibrated"] else "estimated",
                                          lang),
            label("setup_usd", lang): money(entry["setup_usd"]),
            label("working_capital_usd", lang): money(entry["working_capital_usd"]),
            label("fixed_month_usd", lang): money(entry["fixed_month_usd"]),
            label("contribution_usd", lang): ("" if not order else
                                              f"{order['contribution_usd']:,.2f}"),
            label("cash_36m_usd", lang): money(entry["cash_36m_usd"]),
        }
    return pd.DataFrame(rows).T


def plan_summary(plan: Mapping[str, Any], months: int, lang: str = "en") -> str:
    """The plan in one paragraph: what it adds, what already runs, and the cash check."""
    month = plan["breakeven_month"]
    return label(
        "summary", lang, setup=money(plan["setup_usd"]),
        working=money(plan["working_capital_usd"]), fixed=money(plan["fixed_month_usd"]),
        breakeven=(label("never", lang, months=months) if month is None else
                   label("breaks_even", lang, n=month)),
        cash=money(plan["cash_36m_usd"]), running=money(plan["running_cash_36m_usd"]),
        months=months, need=money(plan["need_usd"]), available=money(plan["cash_available_usd"]),
        source=label("stated" if plan["cash_source"] == "cash_usd" else "rating", lang),
        verdict=(label("affordable", lang) if plan["affordable"] else
                 label("short", lang, short=money(plan["shortfall_usd"]))))


def format_costed(plan: Mapping[str, Any] | None, warnings: Any, months: int,
                  lang: str = "en") -> list[str]:
    """The costed plan as terminal lines (nothing without a plan)."""
    if plan is None:
        return []
    lines = ["", label("title", lang), plan_table(plan, lang).to_string(), "",
             plan_summary(plan, months, lang), "",
             label("warnings", lang) + ("：" if lang == "zh" else ":")]
    lines += [f"  - {w['text']}" for w in warnings] or [f"  {label('no_warnings', lang)}"]
    return lines


def rule_value(value: Any, lang: str, unit: str = "") -> str:
    """A rule's value as written: unknown as unknown, never 0; shares as percentages."""
    from modelfit.outcome.rules import shown

    return shown(value, lang, unit)


GRADES = {"official": "官方", "trade press": "行业媒体", "vendor": "服务商资料", "judged": "判断"}


def rules_lines(rules: Any, as_of: str | None, lang: str = "en") -> list[str]:
    """The dated rules the figures use, one line each, with the changes ahead."""
    lines = [label("rules_title", lang, date=as_of)]
    for r in rules:
        if r["value"] is None:
            lines.append("- " + label("unknown_rule", lang, label=r["label"],
                                      planned=rule_value(r["planned"], lang, r["unit"]),
                                      how=r["how"]))
        else:
            # the publisher (an English name) is in the JSON's source; the Chinese line gives
            # the grade alone
            source = r["source"]["publisher"] if r["source"] and lang != "zh" else ""
            name = GRADES.get(r["grade"], r["grade"]) if lang == "zh" else r["grade"]
            grade = f"{name}, {source}" if source else name
            lines.append("- " + label("in_force", lang, label=r["label"],
                                      value=rule_value(r["value"], lang, r["unit"]),
                                      start=r["valid_from"], grade=grade))
        lines += [label("ahead", lang, value=rule_value(x["value"], lang, r["unit"]),
                        start=x["valid_from"]) for x in r["ahead"]]
    return lines


def format_rules(rules: Any, as_of: str | None, lang: str = "en") -> list[str]:
    """The dated rules as terminal lines (nothing without rules)."""
    return ["", *rules_lines(rules, as_of, lang)] if rules else []


def money_check(money: Any, lang: str = "en") -> str | None:
    """The money plan's most important warning as one line for a terminal, or None."""
    if money is None or not money.warnings:
        return None
    colon = "：" if lang == "zh" else ": "
    return f"{label('money_check', lang)}{colon}{money.warnings[0]['text']}"
