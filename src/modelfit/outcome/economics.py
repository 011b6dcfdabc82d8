"""The money plan: what each operating model costs and earns a company, in plain dollars.

`money_plan(profile)` runs the outcome model (`modelfit.outcome.simulation`) for one company with no luck
(demand and capital noise off): for each model its best plan over the horizon gives the set-up
cost, the working capital it needs beyond that, the month it breaks even, the cumulative cash at
36 months and one order's unit economics. `MoneyPlan.to_dict()` is the JSON contract of
`modelfit economics --json` and of `recommend --json`'s `economics`:

    {company_id, currency: "USD", horizon_months, distribution_kind,
     models: {<model>: {setup_usd, working_capital_usd, breakeven_month, cash_36m_usd,
                        per_order: {net_price_usd, product_cost_usd, channel_fees_usd, ads_usd,
                                    logistics_usd, duties_taxes_usd, returns_usd,
                                    contribution_usd},
                        fixed_month_usd, test_usd}},
     assumptions_version,
     plan: {channels: [{channel, role, kind, start_month, calibrated, setup_usd,
                        working_capital_usd, fixed_month_usd, test_usd, cash_36m_usd,
                        per_order}],
            setup_usd, working_capital_usd, fixed_month_usd, breakeven_month, cash_36m_usd,
            running_cash_36m_usd, need_usd, cash_available_usd, cash_source, affordable,
            shortfall_usd} or null,
     warnings: [{channel, code, text}],
     as_of: "YYYY-MM-DD",
     rules: [{key, market, label, unit, value, planned, how, valid_from, valid_to, grade,
              source, ahead: [...]}]}

`plan` is the recommended plan itself, costed (`modelfit.outcome.plan_cost`; null when no
recommendation was given), and `warnings` what its own money says no to, most important first
(`modelfit.outcome.money_warnings`).

Definitions. `net_price_usd` is what the company itself receives for one order: the retail
price when it sells to the consumer (dropshipping included, where the supplier's price is its
product cost), its wholesale price when distributors or retailers sell. The per-order costs and
`contribution_usd` add up to it exactly (whole cents). Per-order figures are averages over the
plan's 36 months (a hybrid's over all its channels), and count what one more order costs:
fixed monthly costs (subscriptions, site apps and tools, account management, hires and
coordination) are `fixed_month_usd` (their average a month), and set-up is not per order
either. Paid acquisition follows a stop rule (`paid_acquisition` in the assumptions): a channel
whose cost per acquisition at the end of its test is above what an order (an own site: a
customer within the payback window) leaves is cut; the ads of that test are `test_usd`, a
one-off, not per-order ads. `setup_usd` is the set-up the plan pays in month 0;
`working_capital_usd` the most cash it needs at once beyond that set-up (stock, and losses before
break-even); `breakeven_month` the first month (1-based) from which cumulative cash stays at or
above zero, or null when it does not within the horizon; `cash_36m_usd` the cumulative cash at
the horizon (remaining stock counted at cost). A plan is shown even when the company's capital
could not fund it: its working capital then exceeds that capital.

Distribution comes in three kinds (`dropshipping`, `small_b`, `distributors`). Given a kind,
the distribution figures (and a hybrid's distribution channel) are that kind's; without one the
plan takes the kind that is worth most for this company (the outcome model's choice) and names it.
Money is rounded to whole dollars, per-order figures to cents.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import MODELS
from modelfit.inputs.profile import Profile
from modelfit.outcome.assumptions import load_assumptions
from modelfit.outcome.flows import KINDS, PARTS
from modelfit.outcome.money_warnings import plan_warnings, unknown_rule_warnings
from modelfit.outcome.plan_cost import cost_plan
from modelfit.outcome.plan_text import format_costed, format_rules
from modelfit.outcome.rules import dated_assumptions
from modelfit.outcome.simulation import simulate_detail

CURRENCY = "USD"
CONTRACT_KEYS = ("company_id", "currency", "horizon_months", "distribution_kind", "models",
                 "assumptions_version", "plan", "warnings", "as_of", "rules")
MODEL_KEYS = ("setup_usd", "working_capital_usd", "breakeven_month", "cash_36m_usd", "per_order",
              "fixed_month_usd", "test_usd")
PER_ORDER_KEYS = (*PARTS, "contribution_usd")
DEFAULT_KIND = None  # no kind named: the kind worth most for the company

# Labels of the text and table output, in both languages.
TEXT: Mapping[str, Mapping[str, str]] = {
    "title": {"en": "The money plan", "zh": "经营测算"},
    "intro": {
        "en": "What each model would cost {company} and return over {months} months, in USD, "
              "under typical conditions (assumptions version {version}, each with its source). "
              "Distribution figures are for {kind}.",
        "zh": "以下测算{company}在各模式下 {months} 个月的投入与回报，以美元计，按常规情况测算"
              "（测算假设版本 {version}，每项假设均注明来源）。分销模式的数字按{kind}计算。",
    },
    "model": {"en": "model", "zh": "模式"},
    "setup_usd": {"en": "set-up (USD)", "zh": "启动投入（美元）"},
    "working_capital_usd": {"en": "working capital (USD)", "zh": "营运资金（美元）"},
    "breakeven_month": {"en": "break-even month", "zh": "回本月份"},
    "cash_36m_usd": {"en": "cash at 36 months (USD)", "zh": "36 个月累计现金（美元）"},
    "never": {"en": "not within {months} months", "zh": "{months} 个月内不回本"},
    "month": {"en": "month {n}", "zh": "第 {n} 个月"},
    "per_order": {"en": "One order (USD)", "zh": "单笔订单（美元）"},
    "net_price_usd": {"en": "price received", "zh": "实收单价"},
    "product_cost_usd": {"en": "product cost", "zh": "产品成本"},
    "channel_fees_usd": {"en": "channel fees", "zh": "渠道费用"},
    "ads_usd": {"en": "ads", "zh": "广告"},
    "logistics_usd": {"en": "logistics", "zh": "物流"},
    "duties_taxes_usd": {"en": "import duties and taxes", "zh": "进口关税及增值税"},
    "returns_usd": {"en": "returns", "zh": "退货"},
    "contribution_usd": {"en": "contribution", "zh": "单笔贡献"},
    "chart_title": {"en": "Cumulative cash by model", "zh": "各模式累计现金"},
    "chart_x": {"en": "month", "zh": "月份"},
    "chart_y": {"en": "cumulative cash (USD)", "zh": "累计现金（美元）"},
}
KIND_NAMES: Mapping[str, Mapping[str, str]] = {
    "dropshipping": {"en": "dropshipping", "zh": "一件代发"},
    "small_b": {"en": "small-B distribution", "zh": "小B分销"},
    "distributors": {"en": "overseas distributors", "zh": "海外分销商"},
}


def text(key: str, lang: str, **values: Any) -> str:
    """One label or sentence of the economics output in `lang` (en or zh)."""
    return TEXT[key]["zh" if lang == "zh" else "en"].format(**values)


def kind_name(kind: str, lang: str) -> str:
    """A kind of distribution's display name."""
    return KIND_NAMES[kind]["zh" if lang == "zh" else "en"]


@dataclass(frozen=True)
class MoneyPlan:
    """One company's money plan: the JSON contract plus the monthly cumulative cash."""

    company_id: str
    company: str
    horizon_months: int
    distribution_kind: str
    models: Mapping[str, Mapping[str, Any]]
    cumulative: Mapping[str, tuple[float, ...]]  # per model, month 1..horizon, whole dollars
    assumptions_version: str
    plan: Mapping[str, Any] | None = None  # the recommended plan costed (plan_cost.cost_plan)
    warnings: tuple[Mapping[str, Any], ...] = ()  # [{channel, code, text}], most important first
    as_of: str | None = None  # the day whose dated rules the figures use (YYYY-MM-DD)
    rules: tuple[Mapping[str, Any], ...] = ()  # the dated rules used (outcome.rules.rule_entries)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (see the module docstring)."""
        return {
            "company_id": self.company_id, "currency": CURRENCY,
            "horizon_months": self.horizon_months, "distribution_kind": self.distribution_kind,
            "models": {m: {k: (dict(v) if isinstance(v, Mapping) else v)
                           for k, v in self.models[m].items()} for m in MODELS},
            "assumptions_version": self.assumptions_version,
            "plan": None if self.plan is None else copy.deepcopy(dict(self.plan)),
            "warnings": [dict(w) for w in self.warnings],
            "as_of": self.as_of,
            "rules": [copy.deepcopy(dict(r)) for r in self.rules],
        }


def plan_kind(channel_details: Any) -> str | None:
    """The kind of distribution a recommendation names: the first distribution entry of its
    `channel_details` (a list of {channel, role, kind}); None when it names none."""
    if not channel_details:
        return None
    for entry in channel_details:
        get = entry.get if isinstance(entry, Mapping) else (lambda k, e=entry: getattr(e, k, None))
        if get("channel") == "distribution" and get("kind") in KINDS:
            return str(get("kind"))
    return None


def money_plan(
    profile: Profile, distribution_kind: str | None = DEFAULT_KIND,
    assumptions: Mapping[str, Any] | None = None, *, channel_details: Any = None,
    lang: str = "en", as_of: date | None = None,
) -> MoneyPlan:
    """The money plan of `profile`; `distribution_kind` one of `KINDS` or None (the best kind).
    With `channel_details` (a recommendation's), the plan itself is costed too (`plan`) and
    its `warnings` are written in `lang`. Duties, parcel reliefs and VAT are the dated rules in
    force on `as_of` (default: today; `modelfit.outcome.rules`).

    Raises `ModelfitError` for an unknown kind.
    """
    if distribution_kind is not None and distribution_kind not in KINDS:
        raise ModelfitError(f"economics: distribution kind must be one of {', '.join(KINDS)}, "
                            f"got {distribution_kind!r}")
    day = as_of or date.today()
    markets = list(profile.target_markets)
    if assumptions is None:  # the bundled assumptions take the dated rules of the day
        a, rules = dated_assumptions(load_assumptions(), markets, day, lang)
    else:  # given assumptions are used as they are; the rules of the day are listed
        a = copy.deepcopy(dict(assumptions))
        rules = dated_assumptions(a, markets, day, lang)[1]
    a["settings"]["demand_sd"] = 0.0  # a plan for the client: no luck either way
    a["settings"]["capital_sd"] = 0.0
    horizon = int(a["settings"]["horizon_months"])
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in profile.outcome_fields().items()}
    frame = pd.DataFrame([fields])
    kinds = KINDS if distribution_kind is None else (distribution_kind,)
    _, chunks = simulate_detail(frame, 0, a, distribution_kinds=kinds, detail=True,
                                require_funding=False)
    best = chunks[0]
    kind = distribution_kind or _kind_of(str(best["distribution"].plan[0]))
    models: dict[str, dict[str, Any]] = {}
    cumulative: dict[str, tuple[float, ...]] = {}
    for model in MODELS:
        b = best[model]
        assert b.cumulative is not None
        cum = b.cumulative[0]
        setup = float(b.setup[0])
        breakeven = b.breakeven[0]
        models[model] = {
            "setup_usd": _dollars(setup),
            "working_capital_usd": _dollars(max(0.0, float(b.need[0]) - setup)),
            "breakeven_month": None if not np.isfinite(breakeven) else int(breakeven),
            "cash_36m_usd": _dollars(float(cum[min(36, horizon) - 1])),
            "per_order": per_order({k: float(v[0]) for k, v in b.parts.items()},
                                   float(b.orders[0])),
            "fixed_month_usd": _dollars(float(b.fixed[0]) / horizon),
            "test_usd": _dollars(float(b.test[0])),
        }
        cumulative[model] = tuple(_dollars(float(x)) for x in cum)
    plan = None
    warnings: list[dict[str, Any]] = []
    if channel_details:
        plan = cost_plan(profile, channel_details, a, kind)
        warnings = plan_warnings(plan, horizon, lang,
                                 int(a["paid_acquisition"]["test_months"]))
    warnings += unknown_rule_warnings(rules, day, lang)
    return MoneyPlan(profile.company_id, profile.company, horizon, kind, models, cumulative,
                     str(a.get("version", "")), plan, tuple(warnings), day.isoformat(),
                     tuple(rules))


def _kind_of(label: str) -> str:
    for kind in KINDS:
        if label.startswith(kind):
            return kind
    return KINDS[0]


def _dollars(value: float) -> float:
    return float(round(value))


def per_order(totals: Mapping[str, float], orders: float) -> dict[str, float]:
    """One order's parts from a plan's horizon totals, in whole cents; the costs and the
    contribution add up to `net_price_usd` exactly (the contribution takes the remainder).
    A plan with less than one order over the horizon shows zeros."""
    cents = {k: (round(100 * totals[k] / orders) if orders >= 1 else 0) for k in PARTS}
    cents["contribution_usd"] = cents["net_price_usd"] - sum(
        cents[k] for k in PARTS if k != "net_price_usd")
    return {k: cents[k] / 100 for k in PER_ORDER_KEYS}


def adds_up(order: Mapping[str, float]) -> bool:
    """Whether one order's costs and contribution add up to its net price (to the cent)."""
    parts = sum(round(100 * order[k]) for k in PER_ORDER_KEYS if k != "net_price_usd")
    return bool(parts == round(100 * order["net_price_usd"]))


# ---------------------------------------------------------------------------------------------
# Display


def summary_table(plan: MoneyPlan, model_name: Any, lang: str = "en") -> pd.DataFrame:
    """Set-up, working capital, break-even and cash at 36 months, one row per model.

    `model_name(model)` gives a model's display name (e.g. the framework's, in `lang`).
    """
    rows = {}
    for model in MODELS:
        m = plan.models[model]
        month = m["breakeven_month"]
        rows[model_name(model)] = {
            text("setup_usd", lang): _money(m["setup_usd"]),
            text("working_capital_usd", lang): _money(m["working_capital_usd"]),
            text("breakeven_month", lang): (text("never", lang, months=plan.horizon_months)
                                            if month is None else text("month", lang, n=month)),
            text("cash_36m_usd", lang): _money(m["cash_36m_usd"]),
        }
    return pd.DataFrame(rows).T


def order_table(plan: MoneyPlan, model_name: Any, lang: str = "en") -> pd.DataFrame:
    """One order's unit economics, one row per model, a column per part (USD, cents)."""
    rows = {model_name(m): {text(k, lang): f"{plan.models[m]['per_order'][k]:,.2f}"
                            for k in PER_ORDER_KEYS} for m in MODELS}
    return pd.DataFrame(rows).T


def _money(value: float) -> str:
    return f"{value:,.0f}"


def format_plan(plan: MoneyPlan, model_name: Any, lang: str = "en") -> str:
    """The money plan as text for a terminal."""
    intro = text("intro", lang, company=plan.company, months=plan.horizon_months,
                 version=plan.assumptions_version, kind=kind_name(plan.distribution_kind, lang))
    lines = [text("title", lang), "", intro, "",
             summary_table(plan, model_name, lang).to_string(), "",
             text("per_order", lang),
             order_table(plan, model_name, lang).to_string()]
    lines += format_costed(plan.plan, plan.warnings, min(36, plan.horizon_months), lang)
    lines += format_rules(plan.rules, plan.as_of, lang)
    return "\n".join(lines)
