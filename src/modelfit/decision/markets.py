"""Where to sell, on which platform, by which route, under which rules: the market answer.

For each of a company's target markets, `market_answer` ranks the market's platforms for the
company (its plan, ratings, category and margin), each with its variant (self-run,
semi-managed, full-managed) and why; costs the routes from China per order with the monthly
volume at which each route beats the next dearer one; lists the rules in force on the as-of
day (the checklist before the first sale) and the changes within the next year. Every figure
is a dated record of `data/markets.yaml` picked for the as-of day; an unknown stays None.

The rules, stated once (docs/markets.md):
- Company type: factory-type when supply chain >= 4 and (capital <= 3 or brand <= 2);
  brand-led when brand >= 4 (and not factory-type); otherwise balanced.
- Full-managed fits a factory-type company, does not fit a brand-led one, and is possible
  for a balanced one. Semi-managed fits when supply chain >= 4 and capital >= 3, is possible
  otherwise. A self-run store fits when the plan has a marketplace channel, is possible
  otherwise.
- A platform that does not sell the company's category does not fit. A commission above half
  the gross margin lowers the fit one step.
- Order: fit, then the variant the company type suits first (factory-type: full, semi, self;
  otherwise self, semi, full), then the lower commission (unknown last).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from modelfit.core.dated import Dated, ahead, pick
from modelfit.decision.markets_text import text
from modelfit.inputs.markets_data import MarketData, Platform, Route, Rule, load_markets
from modelfit.inputs.profile import Profile

__all__ = ["FITS", "MarketAnswer", "MarketsAnswer", "company_type", "market_answer",
           "rate_text", "resolve_rate"]

FITS = ("good", "possible", "poor")
HORIZON_DAYS = 365
VARIANT_ORDER = {"factory": ("full_managed", "semi_managed", "self_run"),
                 "brand": ("self_run", "semi_managed", "full_managed"),
                 "balanced": ("self_run", "semi_managed", "full_managed")}
Band = tuple[float, float]


def company_type(profile: Profile) -> str:
    """factory, brand or balanced (module docstring)."""
    if profile.supply_chain >= 4 and (profile.capital <= 3 or profile.brand_content <= 2):
        return "factory"
    if profile.brand_content >= 4:
        return "brand"
    return "balanced"


def resolve_rate(value: Any, category: str) -> Band | None:
    """A commission value for `category` as a band (low, high), or None when unknown."""
    if isinstance(value, Mapping):
        value = value.get(category, value.get("default"))
    if value is None:
        return None
    if isinstance(value, list):
        return float(value[0]), float(value[1])
    return float(value), float(value)


def rate_text(band: Band) -> str:
    """8% or 8–15%."""
    lo, hi = (f"{v:g}" for v in band)
    return f"{lo}%" if lo == hi else f"{lo}–{hi}%"


def _band(value: Any) -> Band | None:
    if value is None:
        return None
    if isinstance(value, list):
        return float(value[0]), float(value[1])
    return float(value), float(value)


@dataclass(frozen=True)
class PlatformFit:
    """One platform ranked for the company."""

    platform: Platform
    fit: str
    why: tuple[str, ...]
    commission: Dated | None
    rate: Band | None  # the commission for the company's category

    def value(self, name: str, as_of: date) -> Dated | None:
        return pick(self.platform.fields.get(name, ()), as_of)


@dataclass(frozen=True)
class RouteCost:
    """One route costed for the company's order."""

    route: Route
    cost_per_order: Band | None  # USD
    days: Band | None
    stock_days: Band | None
    fixed_month: float | None
    wins_from_orders: int | None  # orders a month from which it beats `wins_over`
    records: Mapping[str, Dated | None]
    wins_over: str | None = None  # the dearer route (lower fixed cost) it beats


@dataclass(frozen=True)
class Change:
    """A record that comes into force within the next year."""

    what: str  # rule, platform or route id
    name: str
    record: Dated
    unit: str | None


@dataclass(frozen=True)
class MarketAnswer:
    """The answer for one target market."""

    market: str
    name: str
    platforms: tuple[PlatformFit, ...] = ()
    routes: tuple[RouteCost, ...] = ()
    compliance: tuple[tuple[Rule, Dated], ...] = ()
    changes: tuple[Change, ...] = ()
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarketsAnswer:
    """The answer for every target market of one company."""

    company_id: str
    as_of: date
    version: str
    lang: str
    company_type: str
    markets: tuple[MarketAnswer, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `modelfit markets --json` and `recommend --json`'s `markets`."""
        from modelfit.decision.markets_json import answer_dict

        return answer_dict(self)


def market_answer(
    profile: Profile, *, channels: Sequence[str], plan_name: str, lang: str = "en",
    as_of: date, data: MarketData | None = None,
) -> MarketsAnswer:
    """The market answer of `profile` for its target markets on `as_of`; `channels` are the
    recommended plan's base channels, `plan_name` its model's display name."""
    data = data or load_markets()
    kind = company_type(profile)
    markets = tuple(_one_market(profile, market, data, channels=channels, plan_name=plan_name,
                                kind=kind, lang=lang, as_of=as_of)
                    for market in profile.target_markets)
    return MarketsAnswer(profile.company_id, as_of, data.version, lang, kind, markets)


def _one_market(profile: Profile, market: str, data: MarketData, *, channels: Sequence[str],
                plan_name: str, kind: str, lang: str, as_of: date) -> MarketAnswer:
    if market not in data.names:
        return MarketAnswer(market, market.upper(), unknown=(text("no_market_data", lang),))
    platforms, routes, rules = data.of(market)
    fits = [_fit(p, profile, kind, channels, plan_name, lang, as_of) for p in platforms]
    order = VARIANT_ORDER[kind]
    fits.sort(key=lambda f: (FITS.index(f.fit), order.index(f.platform.variant),
                             math.inf if f.rate is None else sum(f.rate) / 2, f.platform.id))
    weight = pick(data.order_weight_kg, as_of)
    kg = None if weight is None else float(weight.value[profile.category])
    costed = _routes(routes, kg, as_of)
    compliance = tuple((rule, rec) for rule in rules
                       if (rec := pick(rule.records, as_of)) is not None)
    changes = _changes(platforms, routes, rules, lang, as_of)
    return MarketAnswer(market, data.names[market]["zh" if lang == "zh" else "en"],
                        tuple(fits), costed, compliance, changes,
                        _unknowns(fits, costed, compliance, lang, as_of))


def _fit(p: Platform, profile: Profile, kind: str, channels: Sequence[str], plan_name: str,
         lang: str, as_of: date) -> PlatformFit:
    commission = pick(p.fields.get("commission_pct", ()), as_of)
    rate = None if commission is None else resolve_rate(commission.value, profile.category)
    why: list[str] = []
    if p.categories is not None and profile.category not in p.categories:
        category = _category_name(profile.category, lang)
        return PlatformFit(p, "poor", (text("why_category", lang, category=category),),
                           commission, rate)
    if p.variant == "full_managed":
        fit = {"factory": "good", "brand": "poor", "balanced": "possible"}[kind]
        why.append(text(f"why_{kind}_full", lang))
    elif p.variant == "semi_managed":
        strong = profile.supply_chain >= 4 and profile.capital >= 3
        fit = "good" if strong and kind != "brand" else "possible"
        if kind == "brand":
            why.append(text("why_semi_brand", lang))
        elif profile.capital < 3:
            why.append(text("why_semi_capital", lang, capital=profile.capital))
        else:
            why.append(text("why_semi_stock", lang))
    else:
        in_plan = "platform" in channels
        fit = "good" if in_plan else "possible"
        why.append(text("why_plan" if in_plan else "why_plan_other", lang, plan=plan_name))
        if profile.brand_content <= 2 and profile.tech_data <= 2:
            why.append(text("why_self_run_work", lang, brand=profile.brand_content,
                            tech=profile.tech_data))
    if p.sets_price == "seller" and rate is not None and rate[1] > profile.gross_margin_pct / 2:
        fit = FITS[min(FITS.index(fit) + 1, len(FITS) - 1)]
        why.append(text("why_margin", lang, rate=rate_text(rate),
                        margin=f"{profile.gross_margin_pct:g}"))
    if rate is None and p.sets_price == "seller":
        why.append(text("why_unknown_rate", lang))
    return PlatformFit(p, fit, tuple(why), commission, rate)


def _category_name(category: str, lang: str) -> str:
    from modelfit.decision.framework import Framework

    return Framework.load().label(f"cat_{category}", lang)


def _routes(routes: Sequence[Route], kg: float | None, as_of: date) -> tuple[RouteCost, ...]:
    out = []
    for route in routes:
        recs = {name: pick(records, as_of) for name, records in route.fields.items()}

        def value(name: str, recs: Mapping[str, Dated | None] = recs) -> Band | None:
            rec = recs.get(name)
            return None if rec is None else _band(rec.value)

        per_kg, per_order = value("per_kg_usd"), value("per_order_usd")
        cost = None
        if kg is not None and per_kg is not None and per_order is not None:
            cost = (round(kg * per_kg[0] + per_order[0], 2), round(kg * per_kg[1] + per_order[1], 2))
        fixed = value("fixed_month_usd")
        out.append(RouteCost(route, cost, value("days"), value("stock_days"),
                             None if fixed is None else fixed[0], None, recs))
    out.sort(key=lambda r: (r.cost_per_order is None,
                            -sum(r.cost_per_order) if r.cost_per_order else 0, r.route.id))
    done: list[RouteCost] = []
    for r in out:
        wins, over = None, None
        if r.cost_per_order is not None and r.fixed_month is not None:
            # the nearest dearer route with a lower fixed cost: from how many orders a month
            # this one's lower cost per order pays for its higher fixed cost
            for d in reversed(done):
                if (d.cost_per_order is not None and d.fixed_month is not None
                        and d.fixed_month < r.fixed_month):
                    gap = sum(d.cost_per_order) / 2 - sum(r.cost_per_order) / 2
                    if gap > 0:
                        wins = math.ceil((r.fixed_month - d.fixed_month) / gap)
                        over = d.route.id
                    break
        done.append(RouteCost(r.route, r.cost_per_order, r.days, r.stock_days, r.fixed_month,
                              wins, r.records, over))
    return tuple(done)


def _changes(platforms: Sequence[Platform], routes: Sequence[Route], rules: Sequence[Rule],
             lang: str, as_of: date) -> tuple[Change, ...]:
    key = "zh" if lang == "zh" else "en"
    out = [Change(rule.id, rule.name[key], rec, None if rule.unit is None else rule.unit[key])
           for rule in rules for rec in ahead(rule.records, as_of, HORIZON_DAYS)]
    for p in platforms:
        for rec in ahead(p.fields.get("commission_pct", ()), as_of, HORIZON_DAYS):
            out.append(Change(p.id, text("commission_of", lang, name=p.name[key]), rec, "%"))
    for route in routes:
        for name, records in route.fields.items():
            for rec in ahead(records, as_of, HORIZON_DAYS):
                out.append(Change(route.id, f"{route.name[key]}: {name}", rec, None))
    out.sort(key=lambda c: (c.record.valid_from, c.what))
    return tuple(out)


def _unknowns(fits: Sequence[PlatformFit], routes: Sequence[RouteCost],
              compliance: Sequence[tuple[Rule, Dated]], lang: str, as_of: date,
              ) -> tuple[str, ...]:
    key = "zh" if lang == "zh" else "en"
    sep = "的" if lang == "zh" else ": "  # one colon per sentence (docs/style-zh.md)
    out = []
    for f in fits:
        for name in ("commission_pct", "monthly_fee", "payout_days"):
            rec = f.value(name, as_of)
            if name == "commission_pct" and f.platform.variant == "full_managed":
                continue  # sold at a supply price: no commission to know
            if rec is None or (f.rate is None if name == "commission_pct" else rec.value is None):
                out.append(f"{f.platform.name[key]}{sep}{text(_LABEL[name], lang)}")
    for r in routes:
        if r.cost_per_order is None:
            out.append(f"{r.route.name[key]}{sep}{text('cost_per_order', lang)}")
    for rule, rec in compliance:
        if rec.value is None:
            out.append(rule.name[key])
    return tuple(out)


_LABEL = {"commission_pct": "commission", "monthly_fee": "monthly_fee",
          "payout_days": "payout_days"}
