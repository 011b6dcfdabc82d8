"""Company rows, one order's unit economics and each channel's cash flow, month by month.

`prepare` turns profile rows into the outcome model's per-company inputs (`Rows`), from the
assumptions in `data/outcomes.yaml`. One order's economics come first (`unit_economics`): the
price the company receives, product cost, channel fees, logistics, duties and taxes, and
returns, by market and category. Each channel's flow then builds its cash, per company and month:

- platform (a marketplace store, FBA): the retail price; referral fee by category, other fees
  and the documented rise of the take; FBA fee and container freight; VAT where prices include
  it and import duty on the product cost (US tariffs on Chinese goods, EU/UK/other MFN duties);
  returns refunded in full, part of the goods resold. Sales = ads / ACoS plus organic sales that
  ramp up (more for an established brand), plus a running store's existing sales;
- own site: the retail price; card fees; 3PL fulfilment and freight; VAT and duty as above; new
  customers = ads / CAC (category CAC at 2025 levels, by order value, brand, stage) plus organic
  ones, repeat orders from the active base, which starts from the customers a running site
  already has; beside a platform, a cheaper CAC;
- distribution, in three kinds: `dropshipping` (the retail price, the company's own product
  cost, parcels straight from China paying duty where there is no de minimis relief, new
  customers from ads at the category's acquisition cost for its order value, no repeat, no
  stock), `distributors` (the brand's ex-works price, a share of the pre-VAT retail price less
  the importer's duty; partners signed per trade-marketing dollar, each with an
  account-management cost and churn) and `small_b` (小B端: small overseas retailers buying
  through a B2B marketplace, a higher price less its commission, smaller and costlier lots,
  more churn).

Stage is an input: a company's starting revenue is its budget over the marketing share of
revenue at its stage, split over the channels it already runs (a running site's customers, a
running store's sales, a distributor network's partners), and brand equity by stage raises
organic demand and lowers acquisition cost. Each flow pays its set-up in month 0 (waived for a
channel the company already runs), ties up working capital in stock and carries the terminal
value of the base it owns at the horizon; a running channel a plan leaves out runs off with no
marketing (`idle_flow`).

Demand noise is one lognormal draw per company and channel (mean one), from a seeded
`numpy.random.Generator`: every plan of a company sees the same luck.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from modelfit.core.errors import ModelfitError
from modelfit.outcome.rows import (
    BASES,
    CHANNELS,
    KINDS,
    NEEDED_COLUMNS,
    PARTS,
    Rows,
    by_category,
    prepare,
    runoff_value,
    saturate,
)

__all__ = ["BASES", "CHANNELS", "KINDS", "NEEDED_COLUMNS", "PARTS", "Flow", "Rows", "by_category",
           "capability_effects", "dropship_flow", "horizon_months", "idle_flow", "partner_flow",
           "platform_flow", "prepare", "runoff_value", "saturate", "site_flow", "stop_rule",
           "unit_economics"]

# One order


def unit_economics(r: Rows, channel: str, a: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """One order's parts for `channel` (per company): price received and the variable costs.

    Keys are `PARTS` without ads (ads depend on the plan's spend): `net_price_usd` is what the
    company itself receives (the retail price when it sells to the consumer, its wholesale price
    when distributors or retailers sell), then product cost, channel fees, logistics, duties and
    taxes, and returns. For distributors and small retailers one "order" is one unit sold to a
    consumer through them; their fixed account costs are not in it.
    """
    price, cost = r.price, r.cost
    small = price <= float(a["logistics"]["small_max_aov"])
    freight = float(a["logistics"]["bulk_freight_share"]) * cost
    returns_rate = by_category(a["returns"]["rate"], r.category)
    resale = float(a["returns"]["resale_share"])
    vat = r.vat_share * (1.0 - returns_rate) * price  # no VAT on a refunded sale
    f = a["logistics"]["fulfilment_usd"]
    pay = a["payment"]
    if channel == "platform":
        p = a["platform"]
        fba = np.where(small, float(f["platform_small"]), float(f["platform_large"]))
        rate = by_category(p["referral_fee"], r.category)
        fees = np.maximum(rate * price, float(p["referral_min_usd"])) + float(p["other_fees_pct"]) * price
        return _unit(price, cost, fees, fba + freight, vat + r.duty * cost,
                     returns_rate * (price - resale * cost + fba))
    if channel == "independent_site":
        site = np.where(small, float(f["site_small"]), float(f["site_large"]))
        fees = float(pay["card_pct"]) * price + float(pay["card_fixed_usd"])
        return _unit(price, cost, fees, site + freight, vat + r.duty * cost,
                     returns_rate * (price - resale * cost + site))
    if channel == "dropshipping":
        parcel = a["logistics"]["parcel_usd"]
        ship = np.where(small, float(parcel["small"]), float(parcel["large"]))
        fees = float(pay["card_pct"]) * price + float(pay["card_fixed_usd"])
        return _unit(price, cost, fees, ship, vat + r.parcel_duty, returns_rate * price)
    if channel in ("distributors", "small_b"):
        d = a["distributors"]
        wholesale = (by_category(d["wholesale_share"], r.category) * price
                     * (1.0 - r.vat_share) / (1.0 + r.duty))
        fees = np.zeros_like(price)
        ship = freight
        if channel == "small_b":
            sb = a["small_b"]
            wholesale = wholesale * float(sb["price_over_distributor"])
            fees = float(sb["commission"]) * wholesale
            ship = freight * float(sb["freight_multiplier"])
        return _unit(wholesale, cost, fees, ship, np.zeros_like(price),
                     float(a["returns"]["b2b_allowance"]) * wholesale)
    raise ModelfitError(f"unit_economics: channel must be one of {', '.join(CHANNELS)}, "
                        f"got {channel!r}")


def _unit(price: np.ndarray, cost: np.ndarray, fees: np.ndarray, logistics: np.ndarray,
          duties: np.ndarray, returns: np.ndarray) -> dict[str, np.ndarray]:
    return {"net_price_usd": price, "product_cost_usd": cost, "channel_fees_usd": fees,
            "logistics_usd": logistics, "duties_taxes_usd": duties, "returns_usd": returns}


def _margin(unit: Mapping[str, np.ndarray]) -> np.ndarray:
    """What one order leaves before ads and fixed costs."""
    out: np.ndarray = unit["net_price_usd"] - sum(
        unit[k] for k in PARTS if k not in ("net_price_usd", "ads_usd"))
    return out


# ---------------------------------------------------------------------------------------------
# Channels, month by month


@dataclass(frozen=True)
class Flow:
    """One channel's result for one plan share (per company)."""

    cash: np.ndarray  # n x horizon, set-up and stock included
    terminal: np.ndarray  # value of the owned base at the horizon
    setup: np.ndarray  # set-up paid in month 0
    stock_peak: np.ndarray  # most cash tied up in stock at once
    parts: Mapping[str, np.ndarray]  # horizon totals of each of PARTS
    orders: np.ndarray  # horizon total of orders
    fixed: np.ndarray | None = None  # horizon total of fixed monthly costs (not per order)
    test: np.ndarray | None = None  # ads of a test the stop rule ended (a one-off, not per order)

    def fixed_total(self) -> np.ndarray:
        """Fixed monthly costs over the horizon (zeros when the flow has none)."""
        return self.fixed if self.fixed is not None else np.zeros(len(self.orders))

    def test_total(self) -> np.ndarray:
        """Ads of a failed test over the horizon (zeros when none)."""
        return self.test if self.test is not None else np.zeros(len(self.orders))


def horizon_months(a: Mapping[str, Any]) -> int:
    """Months simulated (`settings.horizon_months`)."""
    return int(a["settings"]["horizon_months"])


def capability_effects(a: Mapping[str, Any]) -> Mapping[str, float]:
    """How strongly each capability rating moves a channel (`channels.capability_effects`)."""
    return {k: float(v) for k, v in a["channels"]["capability_effects"].items()}


def _finish(
    r: Rows, channel: str, base: str, unit: Mapping[str, np.ndarray], orders: np.ndarray,
    ads: np.ndarray, extra_fees: np.ndarray, a: Mapping[str, Any], terminal: np.ndarray,
    fixed: np.ndarray | None = None, test: np.ndarray | None = None,
) -> Flow:
    """Cash of `orders` (n x T) at `unit` economics, less `ads`, variable `extra_fees` and
    `fixed` monthly costs (n x T), with the set-up (unless `base` runs already) and working
    capital in stock. Per-order parts count what one more order costs: `fixed` costs and the
    ads of a `test` the stop rule ended (n, already inside `ads`) are kept apart."""
    ch = a["channels"]
    total_orders = orders.sum(1)
    n = len(total_orders)
    fixed_month = np.zeros((n, 1)) if fixed is None else fixed
    tested = np.zeros(n) if test is None else test
    parts = {k: unit[k] * total_orders for k in PARTS if k != "ads_usd"}
    parts["channel_fees_usd"] = parts["channel_fees_usd"] + np.broadcast_to(
        extra_fees, orders.shape).sum(1)
    parts["ads_usd"] = np.broadcast_to(ads, orders.shape).sum(1) - tested
    cash = orders * _margin(unit)[:, None] - ads - extra_fees - fixed_month
    extra = float(ch["setup_per_extra_market"])
    setup = np.where(r.existing[base], 0.0,
                     float(ch["setup_usd"][channel]) * (1.0 + extra * (r.n_markets - 1.0)))
    cash[:, 0] -= setup
    months = float(ch["working_capital_months"][channel])
    if months > 0:
        stock = months * unit["product_cost_usd"][:, None] * orders
        # a running channel already holds the stock of its existing sales
        held = months * r.cost * r.base_revenue[base] / r.price
        cash -= np.diff(stock, axis=1, prepend=held[:, None])
        cash[:, -1] += stock[:, -1] - held  # sold off at the end: it ties up cash, not profit
        peak = stock.max(1)
    else:
        peak = np.zeros(len(total_orders))
    return Flow(cash, terminal, setup, peak, parts, total_orders,
                np.broadcast_to(fixed_month, orders.shape).sum(1), tested)


def stop_rule(cpa: np.ndarray, breakeven: np.ndarray, a: Mapping[str, Any], *,
              judge: np.ndarray | int | None = None, monthly: bool) -> tuple[np.ndarray, np.ndarray]:
    """Which months paid acquisition is funded (n x T booleans) and whether its test failed
    (n booleans), by the practitioner's rule (`paid_acquisition`): the months before `judge`
    (default `test_months`; per company or one for all) are a test; a channel whose cost per
    acquisition at the end of the test is above its break-even cost (`breakeven`, per company
    or per company and month, times `stop_rule`) is cut, and with `monthly` a month after the
    test is funded only while the cost stays at or under break-even. Once cut, it stays cut."""
    horizon = cpa.shape[1]
    test = int(a["paid_acquisition"]["test_months"]) if judge is None else judge
    months = np.clip(np.broadcast_to(np.asarray(test), (cpa.shape[0],)), 1, horizon)
    t = np.arange(horizon)[None, :]
    testing = t < months[:, None]
    bound = breakeven if breakeven.ndim == 2 else breakeven[:, None]
    ok = cpa <= float(a["paid_acquisition"]["stop_rule"]) * bound
    failed = ~ok[np.arange(cpa.shape[0]), months - 1]
    after = (np.cumprod(ok | testing, axis=1).astype(bool) if monthly
             else np.broadcast_to(~failed[:, None], cpa.shape))
    funded = np.where(testing, True, after & ~failed[:, None])
    return funded, failed


def platform_flow(r: Rows, share: float, a: Mapping[str, Any]) -> Flow:
    """A marketplace store (FBA) run with `share` of the budget: paid and organic sales."""
    p = a["platform"]
    e = capability_effects(a)
    horizon = horizon_months(a)
    t = np.arange(horizon)[None, :]
    spend = share * r.budget
    half = float(a["channels"]["saturation_usd"]["platform"]) * r.market_weight
    effective = saturate(spend, half)[:, None]
    live = r.existing["platform"][:, None]
    acos = np.where(live | (t >= int(p["launch_months"])), float(p["acos"]["steady"]),
                    float(p["acos"]["launch"])) * np.exp(-e["platform_acos_tech"] * r.tech)[:, None]
    ramp = np.where(live, 1.0, np.minimum(1.0, (t + 1) / float(p["organic_ramp_months"])))
    organic = (float(p["organic_ratio"]) * r.equity * np.exp(
        e["platform_organic_supply"] * r.supply + e["platform_organic_brand"] * r.brand)
    )[:, None] * ramp
    paid = effective / acos * r.noise["platform"][:, None]
    unit = unit_economics(r, "platform", a)
    rise = float(p["take_drift_year"]) * t / 12.0  # the take keeps rising
    # stop rule: judged once the launch and the organic ramp are over (a running store: after
    # the test); ads whose cost per order they bring exceeds what an order leaves are cut
    brought = paid * (1.0 + organic) / r.price[:, None]
    cpa = np.divide(spend[:, None], brought, out=np.full_like(brought, np.inf),
                    where=brought > 0)
    judge = np.where(r.existing["platform"], int(a["paid_acquisition"]["test_months"]),
                     max(int(p["launch_months"]), int(p["organic_ramp_months"])))
    funded, failed = stop_rule(cpa, _margin(unit)[:, None] - rise * r.price[:, None], a,
                               judge=judge, monthly=False)
    paid = np.where(funded, paid, 0.0)
    ads = np.where(funded, spend[:, None], 0.0)
    test = np.where(failed, ads.sum(1), 0.0)
    revenue = paid * (1.0 + organic) + r.base_revenue["platform"][:, None]
    orders = revenue / r.price[:, None]
    drift = rise * revenue
    fixed = float(p["subscription_month"]) * r.n_markets[:, None]
    operating = orders * _margin(unit)[:, None] - drift - ads
    # expected loss from account suspension: a monthly hazard times the months of margin lost
    hazard = float(p["suspension_rate_year"]) / 12.0 * float(p["suspension_months_lost"])
    risk = hazard * np.maximum(operating, 0.0)
    # organic and existing sales run on after the ads stop, as far as `organic_retention` allows
    owned = (paid * organic + r.base_revenue["platform"][:, None])[:, -1]
    kept = np.divide(owned, revenue[:, -1], out=np.zeros_like(owned), where=revenue[:, -1] > 0)
    last = (orders * _margin(unit)[:, None] - drift)[:, -1] * kept
    terminal = runoff_value(last, float(p["organic_retention"]), 0.0, a)
    return _finish(r, "platform", "platform", unit, orders, ads, drift + risk,
                   a, terminal, fixed=np.broadcast_to(fixed, orders.shape), test=test)


def _site_cac(r: Rows, a: Mapping[str, Any]) -> np.ndarray:
    s = a["independent_site"]
    ref = s["cac_aov"]
    cac: np.ndarray = by_category(s["cac_usd"], r.category) * (
        r.price / float(ref["reference_aov"])) ** float(ref["elasticity"])
    return cac


def site_flow(r: Rows, share: float, a: Mapping[str, Any], *, synergy: bool) -> Flow:
    """An own site run with `share` of the budget (`synergy`: beside a platform, cheaper CAC)."""
    s = a["independent_site"]
    e = capability_effects(a)
    horizon = horizon_months(a)
    t = np.arange(horizon)[None, :]
    spend = share * r.budget
    half = float(a["channels"]["saturation_usd"]["independent_site"]) * r.market_weight
    effective = saturate(spend, half)[:, None]
    cac = _site_cac(r, a) * np.exp(-e["site_cac_brand"] * r.brand - e["site_cac_tech"] * r.tech)
    cac = cac / np.sqrt(r.equity)
    if synergy:
        cac = cac * float(s["platform_synergy"])
    launch = float(s["launch"]["cac_multiplier"])
    months = float(s["launch"]["ramp_months"])
    live = r.existing["independent_site"][:, None]
    multiplier = np.where(live, 1.0, launch - (launch - 1.0) * np.minimum(1.0, t / months))
    paid = effective / (cac[:, None] * multiplier)
    organic = float(s["organic_ratio"]) * r.equity * np.exp(e["site_organic_brand"] * r.brand)
    grown = np.where(live, 1.0, np.minimum(1.0, (t + 1) / months))
    repeat = by_category(s["repeat_rate_month"], r.category) * np.exp(
        e["site_repeat_brand"] * r.brand + e["site_repeat_tech"] * r.tech)
    repeat = np.minimum(repeat, 0.5)
    churn = float(s["churn_month"])
    unit = unit_economics(r, "independent_site", a)
    # stop rule: a new customer must pay back its acquisition cost within the payback window
    window = int(a["paid_acquisition"]["payback_months"])
    kept = ((1.0 - churn) ** np.arange(1, window))[None, :]
    per_customer = _margin(unit) * (1.0 + repeat * kept.sum())
    cpa = np.divide(spend[:, None], paid, out=np.full_like(paid, np.inf), where=paid > 0)
    funded, failed = stop_rule(cpa, per_customer, a, monthly=False)
    paid = np.where(funded, paid, 0.0)
    ads = np.where(funded, spend[:, None], 0.0)
    test = np.where(failed, ads.sum(1), 0.0)
    new = paid * (1.0 + organic[:, None] * grown) * r.noise["independent_site"][:, None]
    orders = np.empty_like(new)
    base = r.base_revenue["independent_site"] / (r.price * repeat)  # customers it already has
    for month in range(horizon):
        orders[:, month] = new[:, month] + repeat * base
        base = base * (1.0 - churn) + new[:, month]
    fees = np.full((len(spend), 1), float(s["fees_month"]))
    # terminal value: the active base at the horizon keeps ordering (owned list, no ads)
    terminal = runoff_value(base * repeat * _margin(unit), 1.0 - churn, float(s["fees_month"]), a)
    return _finish(r, "independent_site", "independent_site", unit, orders, ads,
                   np.zeros((len(spend), 1)), a, terminal, fixed=fees, test=test)


def dropship_flow(r: Rows, share: float, a: Mapping[str, Any]) -> Flow:
    """Dropshipping with `share` of the budget: parcels from China, new customers only."""
    d = a["dropship"]
    e = capability_effects(a)
    horizon = horizon_months(a)
    t = np.arange(horizon)[None, :]
    spend = share * r.budget
    half = float(a["channels"]["saturation_usd"]["dropshipping"]) * r.market_weight
    effective = saturate(spend, half)[:, None]
    # new customers from ads at the category's acquisition cost for this order value (an
    # unbranded store: no brand equity), rising as the products' ads fatigue; no repeat orders
    cpa = (_site_cac(r, a) * np.exp(-e["dropship_cac_tech"] * r.tech))[:, None] * (
        1.0 + float(d["ad_decay_month"])) ** t
    orders = effective / cpa * r.noise["dropshipping"][:, None]
    unit = unit_economics(r, "dropshipping", a)
    # stop rule: a product whose cost per order stays above what the order leaves is cut
    paid_cpa = np.divide(spend[:, None], orders, out=np.full_like(orders, np.inf),
                         where=orders > 0)
    funded, failed = stop_rule(paid_cpa, _margin(unit), a, monthly=True)
    orders = np.where(funded, orders, 0.0)
    ads = np.where(funded, spend[:, None], 0.0)
    test = np.where(failed, ads.sum(1), 0.0)
    fees = np.full((len(spend), 1), float(d["tools_month"]))
    return _finish(r, "dropshipping", "distribution", unit, orders, ads,
                   np.zeros((len(spend), 1)), a, np.zeros(len(spend)), fixed=fees, test=test)


def partner_flow(r: Rows, share: float, a: Mapping[str, Any], kind: str) -> Flow:
    """Distributors or small retailers (`kind`) signed with `share` of the budget."""
    d = a[kind]
    e = capability_effects(a)
    horizon = horizon_months(a)
    spend = share * r.budget
    half = float(a["channels"]["saturation_usd"][kind]) * r.market_weight
    effective = saturate(spend, half)
    retail = float(d["partner_retail_month"])
    signed = effective / float(d["partner_cost_usd"]) * np.exp(
        e["partners_supply"] * r.supply) * r.noise[kind]
    churn = float(d["partner_churn_month"])
    unit = unit_economics(r, kind, a)
    per_partner = retail / r.price * _margin(unit) - float(d["account_cost_month"])
    # stop rule: a partner must pay back what it cost to sign within the payback window
    window = int(a["paid_acquisition"]["payback_months"])
    worth = per_partner * ((1.0 - churn) ** np.arange(1, window)).sum()
    cpa = np.divide(spend, signed, out=np.full_like(spend, np.inf), where=signed > 0)
    funded, failed = stop_rule(np.broadcast_to(cpa[:, None], (len(spend), horizon)), worth, a,
                               monthly=False)
    ads = np.where(funded, spend[:, None], 0.0)
    test = np.where(failed, ads.sum(1), 0.0)
    partners = np.empty((len(spend), horizon))
    active = r.base_revenue["distribution"] / retail  # partners it already has
    for month in range(horizon):
        partners[:, month] = active  # partners signed this month sell from the next
        active = active * (1.0 - churn) + np.where(funded[:, month], signed, 0.0)
    orders = partners * retail / r.price[:, None]
    account = float(d["account_cost_month"]) * partners
    # terminal value: the partners active at the horizon keep ordering, served but not recruited
    terminal = runoff_value(active * per_partner, 1.0 - churn, 0.0, a)
    return _finish(r, kind, "distribution", unit, orders, ads,
                   np.zeros((len(spend), 1)), a, terminal, fixed=account, test=test)


def idle_flow(r: Rows, base: str, a: Mapping[str, Any]) -> np.ndarray:
    """Monthly cash of a running channel a plan leaves out: its base runs off with no marketing
    (a store's organic sales, a site's customers, a distributor network's partners)."""
    horizon = horizon_months(a)
    k = np.arange(1, horizon + 1, dtype=float)[None, :]
    revenue = r.base_revenue[base]
    if base == "platform":
        unit = unit_economics(r, "platform", a)
        start = revenue / r.price * _margin(unit)
        keep, fixed = float(a["platform"]["organic_retention"]), 0.0
    elif base == "independent_site":
        unit = unit_economics(r, "independent_site", a)
        start = revenue / r.price * _margin(unit)
        keep = 1.0 - float(a["independent_site"]["churn_month"])
        fixed = float(a["independent_site"]["fees_month"])
    else:
        d = a["distributors"]
        unit = unit_economics(r, "distributors", a)
        partners = revenue / float(d["partner_retail_month"])
        start = partners * (float(d["partner_retail_month"]) / r.price * _margin(unit)
                            - float(d["account_cost_month"]))
        keep, fixed = 1.0 - float(d["partner_churn_month"]), 0.0
    out: np.ndarray = np.where(r.existing[base][:, None],
                               np.maximum(start[:, None] * keep**k - fixed, 0.0), 0.0)
    return out
