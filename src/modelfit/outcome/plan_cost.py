"""The recommended plan itself, costed: its channels with their roles, checked against the cash.

`cost_plan(profile, details, a)` costs the channels `recommend` returns (`channel_details`:
channel, role, kind; without roles the first channel is the core and the rest auxiliary):

- the core takes `plan.core_weight` shares of the budget, every other active channel one; a
  channel that already runs with `current:` figures keeps its own ad spend, and the plan shares
  out what is left of the budget;
- a channel that already runs and has `current:` figures is calibrated on them (its orders,
  price, ad spend and fees, held at today's level) instead of being simulated; without them its
  base comes from the outcome model's estimate;
- a `next_step` starts in month `plan.next_step_month` (its set-up paid then); an own site that
  is not the core is a test on a template store (`plan.template_site_usd`), not an agency build;
- a `wind_down` channel runs off with no marketing;
- staff beyond the team and coordination between channels are fixed monthly costs.

Cash from the channels that already run (at today's level, or running off) is shown apart from
what the plan adds; the plan is affordable when the company's cash covers the lowest point of
both together. Money in whole dollars, per-order figures in cents.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from modelfit.inputs.profile import Profile
from modelfit.outcome.flows import (
    BASES,
    KINDS,
    PARTS,
    Flow,
    Rows,
    dropship_flow,
    idle_flow,
    partner_flow,
    platform_flow,
    prepare,
    site_flow,
    unit_economics,
)

ACTIVE = ("core", "auxiliary", "next_step")


def plan_details(channel_details: Any) -> list[tuple[str, str, str | None]]:
    """(channel, role, kind) of each entry of a recommendation's `channel_details` (objects or
    mappings); a missing role reads as core for the first channel and auxiliary after it."""
    out: list[tuple[str, str, str | None]] = []
    for i, entry in enumerate(channel_details or ()):
        def get(key: str, e: Any = entry) -> Any:
            return e.get(key) if isinstance(e, Mapping) else getattr(e, key, None)
        role = get("role") or ("core" if i == 0 else "auxiliary")
        out.append((str(get("channel")), str(role), get("kind")))
    return out


def base_of(channel: str) -> str:
    """The base channel a plan channel belongs to (a kind of distribution: distribution)."""
    return "distribution" if channel in (*KINDS, "distribution") else channel


def dollars(value: float) -> float:
    return float(round(value))


def per_order(totals: Mapping[str, float], orders: float) -> dict[str, float]:
    """One order's parts in whole cents; the contribution takes the remainder, so the parts add
    up to the price exactly. Less than one order shows zeros."""
    cents = {k: (round(100 * totals[k] / orders) if orders >= 1 else 0) for k in PARTS}
    cents["contribution_usd"] = cents["net_price_usd"] - sum(
        cents[k] for k in PARTS if k != "net_price_usd")
    return {k: cents[k] / 100 for k in (*PARTS, "contribution_usd")}


def breakeven(cum: np.ndarray) -> int | None:
    """First month (1-based) from which cumulative cash stays at or above zero, or None."""
    below = np.flatnonzero(cum < 0)
    if len(below) == 0:
        return 1
    last = int(below[-1])
    return None if last + 1 >= len(cum) else last + 2


def calibrated(r: Rows, base: str, figures: Mapping[str, float], kind: str,
               a: Mapping[str, Any]) -> tuple[dict[str, float], float, float]:
    """One order's parts of a running channel from its `current:` figures, its monthly orders
    and its monthly ad spend. Fees given replace the modelled ones (a marketplace's include
    fulfilment, so only freight stays in logistics); duties, returns and freight are modelled."""
    price0 = float(r.price[0])
    orders = figures.get("monthly_orders") or figures["monthly_revenue_usd"] / price0
    revenue = figures.get("monthly_revenue_usd") or orders * price0
    price = revenue / orders
    rows = dataclasses.replace(r, price=np.asarray([price]))
    channel = {"platform": "platform", "independent_site": "independent_site"}.get(base, kind)
    unit = {k: float(v[0]) for k, v in unit_economics(rows, channel, a).items()}
    if base == "distribution":  # through partners the sales are what the company receives
        if "monthly_revenue_usd" in figures:
            unit["net_price_usd"] = price
        else:
            price = float(unit_economics(r, channel, a)["net_price_usd"][0])
            unit["net_price_usd"] = price
    if "fees_usd" in figures:
        # fees are paid out of sales (the profile checks it against the consumer price); a
        # partner channel's can be no more than what one unit brings in
        unit["channel_fees_usd"] = min(figures["fees_usd"] / orders, unit["net_price_usd"])
        if base == "platform":
            unit["logistics_usd"] = float(a["logistics"]["bulk_freight_share"]) * float(rows.cost[0])
    ads = figures.get("ad_spend_usd")
    if ads is None:  # not known: its share of the budget, as the outcome model assumes
        ads = float(r.budget[0]) / max(1, sum(bool(r.existing[b][0]) for b in BASES))
    unit["ads_usd"] = ads / orders
    return unit, orders, ads


def shifted(flow: Flow, start: int, horizon: int) -> np.ndarray:
    """A flow's monthly cash started `start` months late, padded to the horizon."""
    return np.concatenate([np.zeros((1, start)), flow.cash], axis=1)[:, :horizon]


def cost_plan(profile: Profile, channel_details: Any, a: Mapping[str, Any],
              default_kind: str) -> dict[str, Any]:
    """The plan's money (see the module docstring): {channels: [...], setup_usd,
    working_capital_usd, fixed_month_usd, breakeven_month, cash_36m_usd, running_cash_36m_usd,
    need_usd, cash_available_usd, cash_source, affordable, shortfall_usd}. `a`: the assumptions
    with luck off."""
    fields = {k: tuple(v) if isinstance(v, list) else v
              for k, v in profile.outcome_fields().items()}
    r = prepare(pd.DataFrame([fields]), a, np.random.default_rng(0))
    horizon = int(a["settings"]["horizon_months"])
    p = a["plan"]
    current = dict(profile.current or {})
    details = plan_details(channel_details)
    roles = {base_of(c): role for c, role, _ in details}
    kinds = {base_of(c): (k if k in KINDS else default_kind) for c, _, k in details}
    running = [b for b in BASES if bool(r.existing[b][0])]
    channels: list[dict[str, Any]] = []
    running_cash = np.zeros((1, horizon))
    added = np.zeros((1, horizon))
    kept_ads = 0.0
    calibration: dict[str, tuple[dict[str, float], float, float]] = {}
    cut: dict[str, float] = {}  # running channels whose current ads the stop rule ends
    for b in running:
        kind = kinds.get(b) or ("distributors" if b == "distribution" else b)
        if b in current:
            unit, orders, ads = calibrated(r, b, current[b], kind, a)
            month = orders * (unit["net_price_usd"] - sum(
                unit[k] for k in PARTS if k != "net_price_usd"))
            stopped = unit["ads_usd"] > float(a["paid_acquisition"]["stop_rule"]) * (
                month / orders + unit["ads_usd"])
            if stopped:  # the stop rule: its ads cost more than an order leaves, so they stop
                cut[b] = ads
                month += ads
                unit = {**unit, "ads_usd": 0.0}
            calibration[b] = (unit, orders, ads)
            if roles.get(b) == "wind_down" or b not in roles or stopped:
                keep = runoff_keep(b, a)
                before_ads = month if stopped else month + ads
                k = np.arange(1, horizon + 1, dtype=float)[None, :]
                running_cash += np.maximum(before_ads * keep**k, 0.0)
            else:
                running_cash += month
                kept_ads += ads
        else:
            running_cash += idle_flow(r, b, a)
    budget = float(r.budget[0])
    left = max(0.0, budget - kept_ads) / budget if budget > 0 else 0.0
    active = [(c, role, k) for c, role, k in details if role in ACTIVE]
    weights = [float(p["core_weight"]) if role == "core" else 1.0 for _, role, _ in active]
    with_platform = any(base_of(c) == "platform" for c, _, _ in active)
    setups: list[float] = []
    firsts: list[float] = []  # set-ups paid in month 0, which share content and samples
    fixed_total = 0.0
    for (channel, role, named), weight in zip(active, weights, strict=True):
        base = base_of(channel)
        share = left * weight / sum(weights)
        start = int(p["next_step_month"]) if role == "next_step" else 0
        b_rows = r
        if base in calibration:  # the plan grows it beyond today's level
            b_rows = dataclasses.replace(
                r, base_revenue={**r.base_revenue, base: np.zeros(1)})
        ac: dict[str, Any] = copy.deepcopy(dict(a))
        ac["settings"]["horizon_months"] = horizon - start
        if base == "independent_site" and role != "core":
            ac["channels"]["setup_usd"]["independent_site"] = float(p["template_site_usd"])
        kind = named if named in KINDS else default_kind
        flow = channel_flow(b_rows, base, kind, share, ac, synergy=with_platform)
        cash = shifted(flow, start, horizon)
        if base in running and base not in calibration:
            cash = cash - idle_flow(r, base, a)  # its run-off is counted as what already runs
        added += cash
        setups.append(float(flow.setup[0]))
        firsts.append(float(flow.setup[0]) if start == 0 else 0.0)
        fixed_total += float(flow.fixed_total()[0])
        orders = float(flow.orders[0])
        if base in calibration and orders < 1:
            unit = calibration[base][0]
            order = per_order({k: unit[k] for k in PARTS}, 1.0)
        else:
            order = per_order({k: float(v[0]) for k, v in flow.parts.items()}, orders)
        channels.append({
            "channel": channel, "role": role,
            "kind": kind if base == "distribution" else None,
            "start_month": start + 1, "calibrated": base in calibration,
            "setup_usd": dollars(float(flow.setup[0])),
            "working_capital_usd": dollars(float(flow.stock_peak[0])),
            "fixed_month_usd": dollars(float(flow.fixed_total()[0]) / max(1, horizon - start)),
            "test_usd": dollars(float(flow.test_total()[0]) + cut.get(base, 0.0)),
            "cash_36m_usd": dollars(float(np.cumsum(cash)[min(36, horizon) - 1])),
            "per_order": (per_order({k: calibration[base][0][k] for k in PARTS}, 1.0)
                          if base in calibration else order),
        })
    for b, role in roles.items():
        if role == "wind_down":
            channels.append({
                "channel": b, "role": role, "kind": kinds.get(b) if b == "distribution" else None,
                "start_month": 1, "calibrated": b in calibration, "setup_usd": 0.0,
                "working_capital_usd": 0.0, "fixed_month_usd": 0.0, "test_usd": 0.0,
                "cash_36m_usd": 0.0,
                "per_order": (per_order({k: calibration[b][0][k] for k in PARTS}, 1.0)
                              if b in calibration else None),
            })
    staff = a["team"]["min_staff"]
    needed = sum(float(staff["dropshipping" if base_of(c) == "distribution" else base_of(c)])
                 for c, _, _ in active)
    overhead = max(0.0, needed - float(r.team[0])) * float(a["team"]["hire_cost_month"])
    if len(active) > 1:
        tech = float(r.tech[0])
        effect = float(a["channels"]["capability_effects"]["coordination_tech"])
        overhead += (float(a["hybrid"]["coordination_month"]) * float(np.exp(-effect * tech))
                     * (len(active) - 1))
    added -= overhead
    saving = 0.0
    if sum(1 for x in firsts if x > 0) > 1:
        saving = float(a["hybrid"]["shared_setup_saving"]) * (sum(firsts) - max(firsts, default=0.0))
        added[:, 0] += saving
    setup = sum(setups) - saving
    cum_added = np.cumsum(added[0])
    cum_total = np.cumsum((added + running_cash)[0])
    need = max(0.0, -float(cum_total.min()))
    need_added = max(0.0, -float(cum_added.min()))
    available, source = ((float(profile.cash_usd), "cash_usd") if profile.cash_usd is not None else
                    (float(a["capital_usd"][int(profile.capital)]), "capital_rating"))
    at = min(36, horizon) - 1
    return {
        "channels": channels,
        "setup_usd": dollars(setup),
        "working_capital_usd": dollars(max(0.0, need_added - setup)),
        "fixed_month_usd": dollars(fixed_total / horizon + overhead),
        "breakeven_month": breakeven(cum_added),
        "cash_36m_usd": dollars(float(cum_added[at])),
        "running_cash_36m_usd": dollars(float(np.cumsum(running_cash[0])[at])),
        "need_usd": dollars(need),
        "cash_available_usd": dollars(available),
        "cash_source": source,
        "affordable": bool(need <= available),
        "shortfall_usd": dollars(max(0.0, need - available)),
    }


def runoff_keep(base: str, a: Mapping[str, Any]) -> float:
    """Monthly share of a running channel's sales kept with no marketing."""
    if base == "platform":
        return float(a["platform"]["organic_retention"])
    if base == "independent_site":
        return 1.0 - float(a["independent_site"]["churn_month"])
    return 1.0 - float(a["distributors"]["partner_churn_month"])


def channel_flow(r: Rows, base: str, kind: str, share: float, a: Mapping[str, Any], *,
                 synergy: bool) -> Flow:
    """The flow of one plan channel at `share` of the budget."""
    if base == "platform":
        return platform_flow(r, share, a)
    if base == "independent_site":
        return site_flow(r, share, a, synergy=synergy)
    if kind == "dropshipping":
        return dropship_flow(r, share, a)
    return partner_flow(r, share, a, kind)

