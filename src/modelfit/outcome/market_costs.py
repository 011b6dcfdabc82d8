"""The market layer's dated records in the money plan: the outcome model's generic market
assumptions replaced, for the day asked, by the records of `data/markets.yaml` in force then.

`market_assumptions(a, markets, as_of)` returns a copy of the outcome model's assumptions
(`data/outcomes.yaml`, as `load_assumptions` gives them) and the list of what it replaced:

- `markets.vat`: the EU's (the mean standard rate of DE, FR, IT and ES), the UK's, Southeast
  Asia's (Singapore's GST on low-value goods, the reference lane) and the Middle East's (the mean
  of Saudi Arabia's and the UAE's VAT);
- `markets.eu_parcel_duty_usd`: the EU's €3 per item category on parcels up to €150 while it is
  in force (1 July 2026 to 30 June 2028), in dollars at the day's `fx_usd`; before it, 0 (the
  duty relief); after it, normal duty rates apply and the generic figure stays;
- `markets.parcel_duty_share.us`: 1 (every parcel pays full duty) once the US de minimis
  threshold is 0 (29 August 2025 for every country), 0 while the $800 threshold held.

A record whose value is unknown (null) replaces nothing: the generic assumption stays and the
list says so. US tariff stacks, platform fees and routes stay the outcome model's own (its
referral fees are Amazon US's by category; the market layer's per-market rates are shown in
the market answer, not averaged into one plan).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from modelfit.core.dated import Dated, pick
from modelfit.inputs.markets_data import MarketData, load_markets

__all__ = ["Applied", "market_assumptions"]

VAT_RULES = {"eu": ("eu_vat",), "uk": ("uk_vat",), "sea": ("sg_gst",), "mea": ("sa_vat", "ae_vat")}


@dataclass(frozen=True)
class Applied:
    """One generic assumption and what the market layer put in its place (None: kept)."""

    assumption: str  # e.g. markets.vat.eu
    generic: Any
    value: Any  # the value used; the generic one when the record is unknown
    records: tuple[Dated, ...]  # the records it came from (empty when none is in force)
    kept: bool = False  # True when the record is unknown and the generic value stays

    def to_dict(self) -> dict[str, Any]:
        return {"assumption": self.assumption, "generic": self.generic, "value": self.value,
                "kept_generic": self.kept, "records": [r.to_dict() for r in self.records]}


def _rule(data: MarketData, rule_id: str, as_of: date) -> Dated | None:
    for rule in data.rules:
        if rule.id == rule_id:
            return pick(rule.records, as_of)
    return None


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4)


def market_assumptions(
    a: Mapping[str, Any], markets: Sequence[str], as_of: date, data: MarketData | None = None,
) -> tuple[dict[str, Any], tuple[Applied, ...]]:
    """`a` with the markets' dated records of `as_of` in place of the generic figures, for the
    markets in `markets` (a profile's `target_markets`), and what was replaced."""
    data = data or load_markets()
    out = copy.deepcopy(dict(a))
    mk = out["markets"]
    applied: list[Applied] = []
    for market, rule_ids in VAT_RULES.items():
        if market not in markets:
            continue
        recs = [r for rid in rule_ids if (r := _rule(data, rid, as_of)) is not None]
        rates: list[float] = []
        for rec in recs:
            value = rec.value
            if isinstance(value, Mapping):
                rates += [float(v) for v in value.values() if v is not None]
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                rates.append(float(value))
        generic = mk["vat"][market]
        if recs and rates and all(r.value is not None for r in recs):
            mk["vat"][market] = _mean([r / 100 for r in rates])
            applied.append(Applied(f"markets.vat.{market}", generic, mk["vat"][market],
                                   tuple(recs)))
        elif recs:
            applied.append(Applied(f"markets.vat.{market}", generic, generic, tuple(recs), True))
    if "eu" in markets:
        applied.append(_eu_parcel_duty(data, mk, as_of))
    if "us" in markets:
        threshold = _rule(data, "us_de_minimis", as_of)
        generic = mk["parcel_duty_share"]["us"]
        if threshold is not None and isinstance(threshold.value, (int, float)):
            mk["parcel_duty_share"]["us"] = 1.0 if threshold.value == 0 else 0.0
            applied.append(Applied("markets.parcel_duty_share.us", generic,
                                   mk["parcel_duty_share"]["us"], (threshold,)))
    return out, tuple(applied)


def _eu_parcel_duty(data: MarketData, mk: dict[str, Any], as_of: date) -> Applied:
    generic = mk["eu_parcel_duty_usd"]
    rule = next(r for r in data.rules if r.id == "eu_duty_eur3")
    rec = pick(rule.records, as_of)
    if rec is None:
        if all(as_of < r.valid_from for r in rule.records):  # before the duty: the relief
            mk["eu_parcel_duty_usd"] = 0.0
            return Applied("markets.eu_parcel_duty_usd", generic, 0.0, ())
        return Applied("markets.eu_parcel_duty_usd", generic, generic, (), True)
    fx = pick(data.fx_usd, as_of)
    if rec.value is None or fx is None or "EUR" not in fx.value:
        return Applied("markets.eu_parcel_duty_usd", generic, generic,
                       tuple(r for r in (rec, fx) if r is not None), True)
    mk["eu_parcel_duty_usd"] = round(float(rec.value) * float(fx.value["EUR"]), 2)
    return Applied("markets.eu_parcel_duty_usd", generic, mk["eu_parcel_duty_usd"], (rec, fx))
