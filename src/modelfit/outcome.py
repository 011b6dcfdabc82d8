"""Outcome model: a simulated three-year result of each operating model, from unit economics.

For every company and every model, month by month over the horizon, the model builds a cash
flow from the assumptions in `data/outcomes.yaml` (each with its source):

- platform: ad spend with diminishing returns (`H * ln(1 + S/H)`), sales = effective spend /
  ACoS (50% at launch, 30% after) plus organic sales that ramp up; minus referral fee, FBA fee,
  product cost, subscription and the ads;
- own site: new customers = effective spend / CAC (category CAC, higher at launch, lowered by
  brand and tech), repeat orders from the active customer base; minus payment fees,
  fulfilment, product cost, Shopify fees and the ads;
- distribution: the better of dropshipping (30% gross margin, $8 of sales per ad dollar, no
  stock) and overseas distributors (partners signed per trade-marketing dollar, each selling
  every month; the distributor keeps its category margin);
- hybrid: the best budget split over two or three of those channels, with a coordination cost
  and, beside a platform, a cheaper own-site CAC.

Every plan pays its set-up in month 0 (waived for a channel the company already runs), ties up
working capital in stock, and hires the staff its channels need beyond the team. A plan whose
cumulative cash ever falls below the company's capital fails: the company loses that capital.

A plan's value is its cash over the horizon plus a terminal value: what the customer or partner
base it *owns* at the horizon still earns with no further marketing (an own site's active
repeat buyers, a distributor network's active partners), run off over `terminal.runoff_months`
and discounted to the horizon. Marketplace organic sales follow ad-driven sales (the platform
owns the customer) and dropshipping sells only through ads: they carry none by default. The
platform's cash also bears the documented rise of its take (`platform.take_drift_year`) and an
expected loss from account suspension; a hybrid's channels share part of their set-up
(`hybrid.shared_setup_saving`). Each model takes its best feasible plan (spend level, variant
or split) by that value. The capabilities move
the numbers only through those economic terms; this module never reads the framework.

Demand noise is one lognormal draw per company and channel (mean one), from a seeded
`numpy.random.Generator`: every plan of a company sees the same luck.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from modelfit.errors import ModelfitError
from modelfit.profile import CATEGORIES, MARKETS

MODELS = ("platform", "distribution", "independent_site", "hybrid")
CHANNELS = ("platform", "independent_site", "dropship", "distributor")
_DIST = "distribution"  # the plan slot filled by the better of dropship and distributor
BUNDLED = "outcomes.yaml"
CHUNK_ROWS = 4096
NEEDED_COLUMNS = (
    "capital", "supply_chain", "brand_content", "tech_data", "category", "avg_order_value_usd",
    "gross_margin_pct", "marketing_budget_usd", "team_size", "target_markets",
    "existing_channels",
)


def load_assumptions(path: str | Path | None = None) -> dict[str, Any]:
    """The outcome model's assumptions as plain values (sources dropped).

    Reads `path`, or the bundled `data/outcomes.yaml`; every `{value, source}` leaf becomes its
    value. Raises `ModelfitError` naming the file if a leaf has no source.
    """
    if path is None:
        text = resources.files("modelfit").joinpath("data", BUNDLED).read_text("utf-8")
        label = BUNDLED
    else:
        label = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ModelfitError(f"{label}: cannot be read ({exc.strerror})") from None
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ModelfitError(f"{label}: an assumptions file must be a mapping")
    problems: list[str] = []
    values = _strip_sources(data, "", label, problems)
    if problems:
        raise ModelfitError(problems)
    assert isinstance(values, dict)
    return values


def assumption_sources(path: str | Path | None = None) -> pd.DataFrame:
    """Every assumption with its value and source, one row each (for a notebook or the docs)."""
    if path is None:
        text = resources.files("modelfit").joinpath("data", BUNDLED).read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    rows: list[dict[str, Any]] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict) and "value" in node and "source" in node:
            rows.append({"assumption": where, "value": node["value"], "source": node["source"]})
        elif isinstance(node, dict):
            for key, child in node.items():
                if key != "version":
                    walk(child, f"{where}.{key}" if where else str(key))

    walk(yaml.safe_load(text), "")
    return pd.DataFrame(rows)


def _strip_sources(node: Any, where: str, label: str, problems: list[str]) -> Any:
    if isinstance(node, dict) and "value" in node:
        if not str(node.get("source", "")).strip():
            problems.append(f"{label}: {where} has no source; every assumption needs one")
        return node["value"]
    if isinstance(node, dict):
        return {k: _strip_sources(v, f"{where}.{k}" if where else str(k), label, problems)
                for k, v in node.items()}
    if where == "version":
        return node
    problems.append(f"{label}: {where} must be {{value: ..., source: ...}}, got {node!r}")
    return node


@dataclass(frozen=True)
class _Rows:
    """Per-company inputs of the outcome model, as arrays."""

    aov: np.ndarray
    margin: np.ndarray
    budget: np.ndarray
    team: np.ndarray
    capital_usd: np.ndarray
    supply: np.ndarray
    brand: np.ndarray
    tech: np.ndarray
    category: np.ndarray
    market_weight: np.ndarray
    n_markets: np.ndarray
    existing: Mapping[str, np.ndarray]
    noise: Mapping[str, np.ndarray]

    def take(self, rows: slice) -> _Rows:
        """The same inputs for a slice of rows."""
        return _Rows(
            aov=self.aov[rows], margin=self.margin[rows], budget=self.budget[rows],
            team=self.team[rows], capital_usd=self.capital_usd[rows], supply=self.supply[rows],
            brand=self.brand[rows], tech=self.tech[rows], category=self.category[rows],
            market_weight=self.market_weight[rows], n_markets=self.n_markets[rows],
            existing={k: v[rows] for k, v in self.existing.items()},
            noise={k: v[rows] for k, v in self.noise.items()},
        )


def simulate_outcomes(
    df: pd.DataFrame, seed: int, assumptions: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Simulate every model for every company of `df` (profile columns; list fields as tuples).

    Returns, on `df`'s index, per model `m`: `profit_m` (cash in USD over the horizon; a failed
    model shows minus the capital lost), `terminal_m` (the terminal value of the base it owns at
    the horizon; 0 if failed), `value_m` (`profit_m + terminal_m`, what the label compares),
    `failed_m` (its best plan needs more cash than the company
    has), `need_m` (peak cash the best feasible plan needs), `breakeven_m` (first month, 1-based,
    from which cumulative cash stays >= 0; NaN if never) and `plan_m` (which plan won), plus
    `capital_usd`, the company's cash.
    """
    a = dict(assumptions) if assumptions is not None else load_assumptions()
    rng = np.random.default_rng(seed)
    rows = _prepare(df, a, rng)
    n = len(df)
    parts = [
        _simulate_chunk(rows.take(slice(start, min(start + CHUNK_ROWS, n))), a)
        for start in range(0, n, CHUNK_ROWS)
    ]
    out = pd.concat(parts, ignore_index=True) if parts else _simulate_chunk(rows, a)
    out.index = df.index
    out["capital_usd"] = rows.capital_usd
    return out


def best_model_labels(outcomes: pd.DataFrame) -> pd.Series:
    """The model with the best result per company (ties: the lighter plan first).

    Compares `value_m` (cash over the horizon plus terminal value), or `profit_m` for a frame
    without value columns. `hybrid` wins only where its best split beats each channel alone,
    since each single model is also a candidate; failed models count with the capital they lose.
    """
    kind = "value" if all(f"value_{m}" in outcomes.columns for m in MODELS) else "profit"
    profits = outcomes[[f"{kind}_{m}" for m in MODELS]].to_numpy(dtype=float)
    best = np.argmax(profits, axis=1)
    return pd.Series(np.asarray(MODELS, dtype=object)[best], index=outcomes.index, name="outcome")


def _prepare(df: pd.DataFrame, a: Mapping[str, Any], rng: np.random.Generator) -> _Rows:
    missing = [c for c in NEEDED_COLUMNS if c not in df.columns]
    if missing:
        raise ModelfitError(f"simulate_outcomes: missing column(s) {', '.join(missing)}; "
                            f"needs {', '.join(NEEDED_COLUMNS)}")
    n = len(df)
    cats = df["category"].astype(str).to_numpy()
    unknown = sorted(set(cats) - set(CATEGORIES))
    if unknown:
        raise ModelfitError(f"simulate_outcomes: column category must be one of "
                            f"{', '.join(CATEGORIES)}; got {', '.join(map(repr, unknown[:3]))}")
    weights = a["market_weight"]
    markets = df["target_markets"].tolist()
    market_weight = np.asarray([sum(weights[m] for m in ms) for ms in markets], dtype=float)
    n_markets = np.asarray([len(ms) for ms in markets], dtype=float)
    if np.any(n_markets < 1) or any(m not in MARKETS for ms in markets for m in ms):
        raise ModelfitError("simulate_outcomes: column target_markets must hold non-empty "
                            f"lists of {', '.join(MARKETS)}")
    existing_lists = df["existing_channels"].tolist()
    existing = {
        "platform": np.asarray(["platform" in e for e in existing_lists], dtype=bool),
        "independent_site": np.asarray(["independent_site" in e for e in existing_lists],
                                       dtype=bool),
        "dropship": np.asarray(["distribution" in e for e in existing_lists], dtype=bool),
    }
    existing["distributor"] = existing["dropship"]
    capital = df["capital"].to_numpy(dtype=np.int64)
    table = {int(k): float(v) for k, v in a["capital_usd"].items()}
    base_cash = np.asarray([table[int(c)] for c in capital], dtype=float)
    # Draw order is fixed: capital luck, then demand luck per channel (CHANNELS order).
    cap_sd = float(a["noise"]["capital_sd"])
    capital_usd = base_cash * np.exp(cap_sd * rng.standard_normal(n) - cap_sd**2 / 2)
    sd = float(a["noise"]["demand_sd"])
    draws = rng.standard_normal((n, len(CHANNELS)))
    noise = {c: np.exp(sd * draws[:, i] - sd**2 / 2) for i, c in enumerate(CHANNELS)}
    return _Rows(
        aov=df["avg_order_value_usd"].to_numpy(dtype=float),
        margin=df["gross_margin_pct"].to_numpy(dtype=float) / 100.0,
        budget=df["marketing_budget_usd"].to_numpy(dtype=float),
        team=df["team_size"].to_numpy(dtype=float),
        capital_usd=capital_usd,
        supply=df["supply_chain"].to_numpy(dtype=float) - 3.0,
        brand=df["brand_content"].to_numpy(dtype=float) - 3.0,
        tech=df["tech_data"].to_numpy(dtype=float) - 3.0,
        category=cats,
        market_weight=market_weight,
        n_markets=n_markets,
        existing=existing,
        noise=noise,
    )


def _by_category(table: Mapping[str, Any], category: np.ndarray) -> np.ndarray:
    return np.asarray([float(table[c]) for c in CATEGORIES])[
        pd.Index(list(CATEGORIES)).get_indexer(pd.Index(category))
    ]


def saturate(spend: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Effective spend `H * ln(1 + S / H)`: the first dollars work fully, returns then diminish."""
    out: np.ndarray = half * np.log1p(spend / half)
    return out


@dataclass(frozen=True)
class _Flow:
    """One channel's result: monthly cash (n x horizon), terminal value and set-up paid (n)."""

    cash: np.ndarray
    terminal: np.ndarray
    setup: np.ndarray


def _setup_and_stock(
    flow: np.ndarray, cogs: np.ndarray, setup: float, months: float, r: _Rows, existing: np.ndarray,
    a: Mapping[str, Any], terminal: np.ndarray | None = None,
) -> _Flow:
    """Add the set-up (month 0, unless the channel runs already) and working capital in stock."""
    extra = float(a["setup_per_extra_market"])
    cost = np.where(existing, 0.0, setup * (1.0 + extra * (r.n_markets - 1.0)))
    flow = flow.copy()
    flow[:, 0] -= cost
    stock = months * cogs
    flow -= np.diff(stock, axis=1, prepend=0.0)
    flow[:, -1] += stock[:, -1]  # the stock is sold off at the end: it ties up cash, not profit
    if terminal is None:
        terminal = np.zeros(flow.shape[0])
    return _Flow(flow, terminal, cost)


def runoff_value(
    contribution: np.ndarray, retention: float, fixed: float, a: Mapping[str, Any],
) -> np.ndarray:
    """Terminal value at the horizon of a base that keeps earning with no new marketing.

    Month k = 1 .. `terminal.runoff_months` after the horizon earns `contribution x retention^k`
    less `fixed`, discounted by `(1 + terminal.discount_month)^k`; the owner stops once a month
    would lose money (the net falls with k, so only the positive months count). Never negative.
    """
    t = a["terminal"]
    k = np.arange(1, int(t["runoff_months"]) + 1, dtype=float)[None, :]
    net = contribution[:, None] * retention**k - fixed
    out: np.ndarray = (np.maximum(net, 0.0) / (1.0 + float(t["discount_month"])) ** k).sum(1)
    return out


def _platform_flow(r: _Rows, share: float, a: Mapping[str, Any]) -> _Flow:
    p = a["platform"]
    horizon = int(a["horizon_months"])
    t = np.arange(horizon)[None, :]
    spend = share * r.budget
    effective = saturate(spend, float(p["saturation_usd"]) * r.market_weight)[:, None]
    live = r.existing["platform"][:, None]
    acos = np.where(live | (t >= int(p["launch_months"])), float(p["acos_steady"]),
                    float(p["acos_launch"])) * np.exp(-float(p["tech_effect"]) * r.tech)[:, None]
    ramp = np.where(live, 1.0, np.minimum(1.0, (t + 1) / float(p["organic_ramp_months"])))
    organic = float(p["organic_ratio"]) * np.exp(
        float(p["supply_chain_effect"]) * r.supply + float(p["brand_effect"]) * r.brand
    )[:, None] * ramp
    revenue = effective / acos * (1.0 + organic) * r.noise["platform"][:, None]
    aov = r.aov[:, None]
    orders = revenue / aov
    rate = _by_category(p["referral_fee"], r.category)[:, None]
    referral = np.maximum(rate * aov, float(p["referral_min_usd"])) * orders
    fba = np.where(aov <= float(p["small_max_aov"]), float(p["fba_fee_small"]),
                   float(p["fba_fee_large"])) * orders
    cogs = (1.0 - r.margin[:, None]) * revenue
    fixed = float(p["subscription_month"]) * r.n_markets[:, None]
    # the platform's take keeps rising: extra fees grow linearly from month 0
    drift = float(p["take_drift_year"]) * t / 12.0
    other = (float(p["other_fees_pct"]) + drift) * revenue
    operating = revenue - cogs - referral - fba - other - spend[:, None]
    # expected loss from account suspension: a monthly hazard times the months of margin lost
    hazard = float(p["suspension_rate_year"]) / 12.0 * float(p["suspension_months_lost"])
    flow = operating - hazard * np.maximum(operating, 0.0) - fixed
    # organic sales run on after the ads stop only as far as `organic_runoff_retention` allows
    unit = (revenue - cogs - referral - fba - other)[:, -1] * (organic[:, -1] / (1.0 + organic[:, -1]))
    terminal = runoff_value(unit, float(p["organic_runoff_retention"]), 0.0, a)
    return _setup_and_stock(flow, cogs, float(p["setup_usd"]), float(p["working_capital_months"]),
                            r, r.existing["platform"], a, terminal)


def _site_flow(r: _Rows, share: float, a: Mapping[str, Any], *, synergy: bool) -> _Flow:
    s = a["independent_site"]
    horizon = int(a["horizon_months"])
    t = np.arange(horizon)[None, :]
    spend = share * r.budget
    effective = saturate(spend, float(s["saturation_usd"]) * r.market_weight)[:, None]
    cac = _by_category(s["cac_usd"], r.category) * (
        r.aov / float(s["cac_reference_aov"])) ** float(s["cac_aov_elasticity"])
    cac = cac * np.exp(-float(s["brand_effect"]) * r.brand - float(s["tech_effect"]) * r.tech)
    if synergy:
        cac = cac * float(s["platform_synergy"])
    launch = float(s["launch_cac_multiplier"])
    ramp = launch - (launch - 1.0) * np.minimum(1.0, t / float(s["ramp_months"]))
    multiplier = np.where(r.existing["independent_site"][:, None], 1.0, ramp)
    paid = effective / (cac[:, None] * multiplier)
    organic = float(s["organic_ratio"]) * np.exp(float(s["organic_brand_effect"]) * r.brand)
    grown = np.where(r.existing["independent_site"][:, None], 1.0,
                     np.minimum(1.0, (t + 1) / float(s["ramp_months"])))
    new = paid * (1.0 + organic[:, None] * grown) * r.noise["independent_site"][:, None]
    repeat = _by_category(s["repeat_rate_month"], r.category) * np.exp(
        float(s["repeat_brand_effect"]) * r.brand + float(s["repeat_tech_effect"]) * r.tech)
    repeat = np.minimum(repeat, 0.5)
    churn = float(s["churn_month"])
    orders = np.empty_like(new)
    base = np.zeros(new.shape[0])
    for month in range(horizon):
        orders[:, month] = new[:, month] + repeat * base
        base = base * (1.0 - churn) + new[:, month]
    aov = r.aov[:, None]
    revenue = orders * aov
    cogs = (1.0 - r.margin[:, None]) * revenue
    payment = float(s["payment_pct"]) * revenue + float(s["payment_fixed_usd"]) * orders
    fee = np.where(r.aov <= float(a["platform"]["small_max_aov"]), float(s["fulfilment_small"]),
                   float(s["fulfilment_large"]))
    fulfil = fee[:, None] * orders
    flow = revenue - cogs - payment - fulfil - spend[:, None] - float(s["fees_month"])
    # terminal value: the active base at the horizon keeps ordering (owned list, no ads), less
    # the site's fees; `base` is the active base entering month `horizon`
    per_order = (r.aov * (r.margin - float(s["payment_pct"])) - float(s["payment_fixed_usd"])
                 - fee)
    terminal = runoff_value(base * repeat * per_order, 1.0 - churn, float(s["fees_month"]), a)
    return _setup_and_stock(flow, cogs, float(s["setup_usd"]), float(s["working_capital_months"]),
                            r, r.existing["independent_site"], a, terminal)


def _dropship_flow(r: _Rows, share: float, a: Mapping[str, Any]) -> _Flow:
    d = a["dropship"]
    horizon = int(a["horizon_months"])
    spend = share * r.budget
    effective = saturate(spend, float(d["saturation_usd"]) * r.market_weight)
    yield_ = float(d["revenue_per_ad_usd"]) * np.exp(
        float(d["brand_effect"]) * r.brand + float(d["tech_effect"]) * r.tech)
    fatigue = (1.0 - float(d["ad_decay_month"])) ** np.arange(horizon)
    revenue = (effective * yield_ * r.noise["dropship"])[:, None] * fatigue[None, :]
    margin = float(d["gross_margin"]) + float(d["supply_chain_effect"]) * r.supply
    flow = (revenue * (margin - float(d["other_fees_pct"]))[:, None] - spend[:, None]
            - float(d["tools_month"]))
    return _setup_and_stock(flow, np.zeros_like(flow), float(d["setup_usd"]), 0.0, r,
                            r.existing["dropship"], a)


def _distributor_flow(r: _Rows, share: float, a: Mapping[str, Any]) -> _Flow:
    d = a["distributor"]
    horizon = int(a["horizon_months"])
    spend = share * r.budget
    effective = saturate(spend, float(d["saturation_usd"]) * r.market_weight)
    signed = effective / float(d["cost_per_partner_usd"]) * np.exp(
        float(d["supply_chain_effect"]) * r.supply) * r.noise["distributor"]
    churn = float(d["partner_churn_month"])
    partners = np.empty((len(spend), horizon))
    active = np.zeros(len(spend))
    for month in range(horizon):
        partners[:, month] = active  # partners signed this month sell from the next
        active = active * (1.0 - churn) + signed
    retail = partners * float(d["retail_sales_per_partner_month"])
    keep = 1.0 - _by_category(d["distributor_margin"], r.category)[:, None]
    revenue = retail * keep
    cogs = (1.0 - r.margin[:, None]) * retail
    flow = revenue - cogs - float(d["freight_pct"]) * revenue - spend[:, None]
    # terminal value: the partners active at the horizon keep ordering with no trade marketing
    per_partner = float(d["retail_sales_per_partner_month"]) * (
        keep[:, 0] * (1.0 - float(d["freight_pct"])) - (1.0 - r.margin))
    terminal = runoff_value(active * per_partner, 1.0 - churn, 0.0, a)
    return _setup_and_stock(flow, cogs, float(d["setup_usd"]),
                            float(d["working_capital_months"]), r, r.existing["distributor"], a,
                            terminal)


@dataclass(frozen=True)
class _Plan:
    model: str
    parts: tuple[tuple[str, float], ...]  # (channel or "distribution", budget share)

    @property
    def label(self) -> str:
        return " + ".join(f"{c} {round(s * 100)}%" for c, s in self.parts)


def plans(a: Mapping[str, Any]) -> tuple[_Plan, ...]:
    """Every plan tried: each single channel at each spend level; hybrids at each split."""
    levels = [float(x) for x in a["spend_levels"]]
    out: list[_Plan] = []
    for level in levels:
        out.append(_Plan("platform", (("platform", level),)))
        out.append(_Plan("independent_site", (("independent_site", level),)))
        out.append(_Plan("distribution", (("dropship", level),)))
        out.append(_Plan("distribution", (("distributor", level),)))
    base = ("platform", "independent_site", _DIST)
    for level in levels:
        for pair in combinations(base, 2):
            for split in a["hybrid"]["splits_two"]:
                out.append(_Plan("hybrid", tuple(
                    (c, level * float(s)) for c, s in zip(pair, split, strict=True))))
        for split in a["hybrid"]["splits_three"]:
            out.append(_Plan("hybrid", tuple(
                (c, level * float(s)) for c, s in zip(base, split, strict=True))))
    return tuple(out)


def _simulate_chunk(r: _Rows, a: Mapping[str, Any]) -> pd.DataFrame:
    horizon = int(a["horizon_months"])
    n = len(r.budget)
    cache: dict[tuple[str, float, bool], _Flow] = {}

    def flow(channel: str, share: float, with_platform: bool) -> _Flow:
        key = (channel, round(share, 6), with_platform and channel == "independent_site")
        if key not in cache:
            if channel == "platform":
                cache[key] = _platform_flow(r, share, a)
            elif channel == "independent_site":
                cache[key] = _site_flow(r, share, a, synergy=key[2])
            elif channel == "dropship":
                cache[key] = _dropship_flow(r, share, a)
            elif channel == "distributor":
                cache[key] = _distributor_flow(r, share, a)
            else:  # the better distribution variant at this share, company by company
                drop = flow("dropship", share, False)
                dist = flow("distributor", share, False)
                pick = dist.cash.sum(1) + dist.terminal > drop.cash.sum(1) + drop.terminal
                cache[key] = _Flow(np.where(pick[:, None], dist.cash, drop.cash),
                                   np.where(pick, dist.terminal, drop.terminal),
                                   np.where(pick, dist.setup, drop.setup))
        return cache[key]

    staff = a["team"]["min_staff"]
    hire = float(a["team"]["hire_cost_month"])
    h = a["hybrid"]
    coordination = float(h["coordination_month"]) * np.exp(
        -float(h["coordination_tech_effect"]) * r.tech)
    saving = float(h["shared_setup_saving"])
    result: dict[str, Any] = {}
    best: dict[str, dict[str, np.ndarray]] = {}
    for plan in plans(a):
        channels = [c for c, _ in plan.parts]
        with_platform = "platform" in channels
        total = np.zeros((n, horizon))
        terminal = np.zeros(n)
        setups = []
        for channel, share in plan.parts:
            part = flow(channel, share, with_platform)
            total = total + part.cash
            terminal = terminal + part.terminal
            setups.append(part.setup)
        if len(setups) > 1:
            # shared content, photography and samples: every set-up beyond the costliest is cheaper
            paid = np.vstack(setups)
            total[:, 0] += saving * (paid.sum(0) - paid.max(0))
        needed = sum(float(staff["dropship"]) if c == _DIST else float(staff[c]) for c in channels)
        total = total - (np.maximum(0.0, needed - r.team) * hire)[:, None]
        if len(channels) > 1:
            total = total - (coordination * (len(channels) - 1))[:, None]
        cum = np.cumsum(total, axis=1)
        profit = cum[:, -1]
        need = np.maximum(0.0, -cum.min(axis=1))
        feasible = need <= r.capital_usd
        value = np.where(feasible, profit + terminal, -np.inf)
        below = cum < 0
        last_below = np.where(below.any(1), horizon - 1 - np.argmax(below[:, ::-1], axis=1), -1)
        breakeven = np.where(last_below + 1 < horizon, last_below + 2.0, np.nan)
        current = best.get(plan.model)
        if current is None:
            best[plan.model] = {
                "value": value, "profit": profit, "terminal": terminal, "need": need,
                "breakeven": breakeven, "plan": np.full(n, plan.label, dtype=object),
            }
            continue
        better = value > current["value"]
        current["value"] = np.where(better, value, current["value"])
        current["profit"] = np.where(better, profit, current["profit"])
        current["terminal"] = np.where(better, terminal, current["terminal"])
        current["need"] = np.where(better, need, current["need"])
        current["breakeven"] = np.where(better, breakeven, current["breakeven"])
        current["plan"] = np.where(better, plan.label, current["plan"])
    for model in MODELS:
        b = best[model]
        failed = ~np.isfinite(b["value"])
        result[f"profit_{model}"] = np.where(failed, -r.capital_usd, b["profit"])
        result[f"terminal_{model}"] = np.where(failed, 0.0, b["terminal"])
        result[f"value_{model}"] = np.where(failed, -r.capital_usd, b["value"])
        result[f"failed_{model}"] = failed
        result[f"need_{model}"] = np.where(failed, np.nan, b["need"])
        result[f"breakeven_{model}"] = np.where(failed, np.nan, b["breakeven"])
        result[f"plan_{model}"] = np.where(failed, "", b["plan"])
    return pd.DataFrame(result)


def label_shares(labels: pd.Series) -> dict[str, float]:
    """Share of each model among `labels`, all four ids (for the data card and the docs)."""
    counts = labels.value_counts(normalize=True)
    return {m: float(counts.get(m, 0.0)) for m in MODELS}

