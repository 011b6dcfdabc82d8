"""Outcome model: a simulated three-year result of each operating model, from unit economics.

For every company and every model, month by month over the horizon, the model builds a cash
flow from the assumptions in `data/outcomes.yaml` (`modelfit.outcome.assumptions`: each with a
value, a range and a source or a judgement); one order's economics and each channel's flow come
from `modelfit.outcome.flows`. This module owns the plans and the search over them:

- a single model is one channel (platform, own site, or a kind of distribution; the plan names
  the kind) at each spend level;
- hybrid: the best budget split over two or three of those channels, with a coordination cost
  and, beside a platform, a cheaper own-site CAC; its distribution slot takes the best allowed
  kind.

A plan that leaves out a running channel lets it run off (no marketing). Every plan pays its
set-up in month 0 (waived for a channel the company already runs), ties up working capital in
stock, and hires the staff its channels need beyond the team. A plan whose cumulative cash ever
falls below the company's capital fails: the company loses that capital. A plan's value is its
cash over the horizon plus the terminal value of the base it owns at the horizon (run off with
no marketing, discounted). Each model takes its best feasible plan by that value
(`simulate_outcomes`); `modelfit.outcome.labels` names the best model. This module never reads
the framework.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import MODELS
from modelfit.outcome.assumptions import load_assumptions
from modelfit.outcome.flows import (
    BASES,
    KINDS,
    PARTS,
    Flow,
    Rows,
    capability_effects,
    dropship_flow,
    horizon_months,
    idle_flow,
    partner_flow,
    platform_flow,
    prepare,
    site_flow,
)

_DIST = "distribution"  # the plan slot filled by the best allowed kind of distribution
CHUNK_ROWS = 4096


# ---------------------------------------------------------------------------------------------
# Plans


@dataclass(frozen=True)
class _Plan:
    model: str
    parts: tuple[tuple[str, float], ...]  # (channel or "distribution", budget share)

    @property
    def label(self) -> str:
        return " + ".join(f"{c} {round(s * 100)}%" for c, s in self.parts)


def plans(a: Mapping[str, Any], kinds: Sequence[str] = KINDS) -> tuple[_Plan, ...]:
    """Every plan tried: each single channel (each allowed kind of distribution) at each spend
    level; hybrids at each split, their distribution slot taking the best allowed kind."""
    s = a["settings"]
    levels = [float(x) for x in s["spend_levels"]]
    out: list[_Plan] = []
    for level in levels:
        out.append(_Plan("platform", (("platform", level),)))
        out.append(_Plan("independent_site", (("independent_site", level),)))
        out.extend(_Plan("distribution", ((kind, level),)) for kind in kinds)
    base = ("platform", "independent_site", _DIST)
    for level in levels:
        for pair in combinations(base, 2):
            for split in s["splits_two"]:
                out.append(_Plan("hybrid", tuple(
                    (c, level * float(x)) for c, x in zip(pair, split, strict=True))))
        for split in s["splits_three"]:
            out.append(_Plan("hybrid", tuple(
                (c, level * float(x)) for c, x in zip(base, split, strict=True))))
    return tuple(out)


def _slot(channel: str) -> str:
    return "distribution" if channel in (*KINDS, _DIST) else channel


@dataclass
class _Best:
    """The best plan so far of one model, per company."""

    value: np.ndarray
    profit: np.ndarray
    terminal: np.ndarray
    need: np.ndarray
    breakeven: np.ndarray
    plan: np.ndarray
    setup: np.ndarray
    stock: np.ndarray
    parts: dict[str, np.ndarray]
    orders: np.ndarray
    cumulative: np.ndarray | None
    fixed: np.ndarray  # horizon total of fixed monthly costs (channels, hires, coordination)
    test: np.ndarray  # ads of tests the stop rule ended (one-off)

    def update(self, other: _Best) -> None:
        better = other.value > self.value
        for name in ("value", "profit", "terminal", "need", "breakeven", "plan", "setup",
                     "stock", "orders", "fixed", "test"):
            setattr(self, name, np.where(better, getattr(other, name), getattr(self, name)))
        self.parts = {k: np.where(better, other.parts[k], self.parts[k]) for k in self.parts}
        if self.cumulative is not None and other.cumulative is not None:
            self.cumulative = np.where(better[:, None], other.cumulative, self.cumulative)


def _simulate_chunk(
    r: Rows, a: Mapping[str, Any], kinds: Sequence[str], detail: bool = False,
    require_funding: bool = True,
) -> tuple[pd.DataFrame, dict[str, _Best]]:
    horizon = horizon_months(a)
    n = len(r.budget)
    cache: dict[tuple[str, float, bool], Flow] = {}
    idle = {b: idle_flow(r, b, a) for b in BASES}

    def flow(channel: str, share: float, with_platform: bool) -> Flow:
        key = (channel, round(share, 6), with_platform and channel == "independent_site")
        if key not in cache:
            if channel == "platform":
                cache[key] = platform_flow(r, share, a)
            elif channel == "independent_site":
                cache[key] = site_flow(r, share, a, synergy=key[2])
            elif channel == "dropshipping":
                found = dropship_flow(r, share, a)
                # a partner base the company already has runs off beside its dropshipping
                cache[key] = Flow(found.cash + idle["distribution"], found.terminal,
                                   found.setup, found.stock_peak, found.parts, found.orders,
                                   found.fixed, found.test)
            elif channel in ("distributors", "small_b"):
                cache[key] = partner_flow(r, share, a, channel)
            else:  # the best allowed kind at this share, company by company
                options = [flow(kind, share, False) for kind in kinds]
                worth = np.vstack([o.cash.sum(1) + o.terminal for o in options])
                pick = np.argmax(worth, axis=0)

                def choose(values: list[np.ndarray]) -> np.ndarray:
                    stacked = np.stack(values)
                    out: np.ndarray = np.take_along_axis(
                        stacked, pick.reshape((1, -1) + (1,) * (stacked.ndim - 2)), 0)[0]
                    return out

                cache[key] = Flow(
                    choose([o.cash for o in options]), choose([o.terminal for o in options]),
                    choose([o.setup for o in options]), choose([o.stock_peak for o in options]),
                    {k: choose([o.parts[k] for o in options]) for k in PARTS},
                    choose([o.orders for o in options]),
                    choose([o.fixed_total() for o in options]),
                    choose([o.test_total() for o in options]))
                cache[("kind", round(share, 6), False)] = Flow(
                    np.zeros((0, 0)), pick.astype(float), pick.astype(float),
                    pick.astype(float), {}, pick.astype(float))
        return cache[key]

    team = a["team"]
    staff = team["min_staff"]
    hire = float(team["hire_cost_month"])
    h = a["hybrid"]
    e = capability_effects(a)
    coordination = float(h["coordination_month"]) * np.exp(-e["coordination_tech"] * r.tech)
    saving = float(h["shared_setup_saving"])
    best: dict[str, _Best] = {}
    for plan in plans(a, kinds):
        channels = [c for c, _ in plan.parts]
        slots = {_slot(c) for c in channels}
        with_platform = "platform" in channels
        total = sum((idle[b] for b in BASES if b not in slots), np.zeros((n, horizon)))
        terminal = np.zeros(n)
        setups, stock = [], np.zeros(n)
        parts = {k: np.zeros(n) for k in PARTS}
        orders = np.zeros(n)
        fixed = np.zeros(n)
        tested = np.zeros(n)
        labels = np.full(n, plan.label, dtype=object)
        for channel, share in plan.parts:
            part = flow(channel, share, with_platform)
            total = total + part.cash
            terminal = terminal + part.terminal
            setups.append(part.setup)
            stock = stock + part.stock_peak
            orders = orders + part.orders
            fixed = fixed + part.fixed_total()
            tested = tested + part.test_total()
            for k in PARTS:
                parts[k] = parts[k] + part.parts[k]
            if channel == _DIST:
                pick = cache[("kind", round(share, 6), False)].terminal.astype(int)
                labels = np.asarray([plan.label.replace(_DIST, k) for k in kinds],
                                    dtype=object)[pick]
        setup = np.sum(setups, axis=0)
        if len(setups) > 1:
            # shared content, photography and samples: every set-up beyond the costliest is cheaper
            paid = np.vstack(setups)
            total[:, 0] += saving * (paid.sum(0) - paid.max(0))
            setup = setup - saving * (paid.sum(0) - paid.max(0))
        needed = sum(float(staff["dropshipping" if c == _DIST else c]) for c in channels)
        hires = np.maximum(0.0, needed - r.team) * hire
        total = total - hires[:, None]
        fixed = fixed + hires * horizon
        if len(channels) > 1:
            total = total - (coordination * (len(channels) - 1))[:, None]
            fixed = fixed + coordination * (len(channels) - 1) * horizon
        cum = np.cumsum(total, axis=1)
        profit = cum[:, -1]
        need = np.maximum(0.0, -cum.min(axis=1))
        feasible = (need <= r.capital_usd) | (not require_funding)
        value = np.where(feasible, profit + terminal, -np.inf)
        below = cum < 0
        last_below = np.where(below.any(1), horizon - 1 - np.argmax(below[:, ::-1], axis=1), -1)
        breakeven = np.where(last_below + 1 < horizon, last_below + 2.0, np.nan)
        found = _Best(value, profit, terminal, need, breakeven, labels, setup, stock, parts,
                      orders, cum if detail else None, fixed, tested)
        if plan.model in best:
            best[plan.model].update(found)
        else:
            best[plan.model] = found
    result: dict[str, Any] = {}
    for model in MODELS:
        b = best[model]
        failed = ~np.isfinite(b.value)
        result[f"profit_{model}"] = np.where(failed, -r.capital_usd, b.profit)
        result[f"terminal_{model}"] = np.where(failed, 0.0, b.terminal)
        result[f"value_{model}"] = np.where(failed, -r.capital_usd, b.value)
        result[f"failed_{model}"] = failed
        result[f"need_{model}"] = np.where(failed, np.nan, b.need)
        result[f"breakeven_{model}"] = np.where(failed, np.nan, b.breakeven)
        result[f"plan_{model}"] = np.where(failed, "", b.plan)
    return pd.DataFrame(result), best


def simulate_outcomes(
    df: pd.DataFrame, seed: int, assumptions: Mapping[str, Any] | None = None, *,
    distribution_kinds: Sequence[str] = KINDS,
) -> pd.DataFrame:
    """Simulate every model for every company of `df` (profile columns; list fields as tuples).

    Returns, on `df`'s index, per model `m`: `profit_m` (cash in USD over the horizon; a failed
    model shows minus the capital lost), `terminal_m` (the terminal value of the base it owns at
    the horizon; 0 if failed), `value_m` (`profit_m + terminal_m`, what the label compares),
    `failed_m` (its best plan needs more cash than the company has), `need_m` (peak cash the
    best feasible plan needs), `breakeven_m` (first month, 1-based, from which cumulative cash
    stays >= 0; NaN if never) and `plan_m` (which plan won, naming the kind of distribution),
    plus `capital_usd`, the company's cash. `distribution_kinds` limits the kinds of
    distribution tried (default: all three).
    """
    out, _ = simulate_detail(df, seed, assumptions, distribution_kinds=distribution_kinds)
    return out


def simulate_detail(
    df: pd.DataFrame, seed: int, assumptions: Mapping[str, Any] | None = None, *,
    distribution_kinds: Sequence[str] = KINDS, detail: bool = False,
    require_funding: bool = True,
) -> tuple[pd.DataFrame, list[dict[str, _Best]]]:
    """`simulate_outcomes` plus, per chunk of rows, each model's best plan in full (set-up,
    stock, per-order parts, and with `detail` its cumulative cash month by month).
    `require_funding=False` lets a plan the company's capital cannot fund compete too (for a
    money plan that shows what each model would need)."""
    a = dict(assumptions) if assumptions is not None else load_assumptions()
    kinds = tuple(distribution_kinds)
    if not kinds or any(k not in KINDS for k in kinds):
        raise ModelfitError(f"simulate_outcomes: distribution_kinds must be some of "
                            f"{', '.join(KINDS)}, got {', '.join(map(repr, kinds)) or 'none'}")
    rng = np.random.default_rng(seed)
    rows = prepare(df, a, rng)
    n = len(df)
    frames: list[pd.DataFrame] = []
    bests: list[dict[str, _Best]] = []
    for start in range(0, max(n, 1), CHUNK_ROWS):
        frame, best = _simulate_chunk(rows.take(slice(start, min(start + CHUNK_ROWS, n))), a,
                                      kinds, detail, require_funding)
        frames.append(frame)
        bests.append(best)
    out = pd.concat(frames, ignore_index=True)
    out.index = df.index
    out["capital_usd"] = rows.capital_usd
    return out, bests
