"""The market layer's dated records in the money plan (modelfit.outcome.market_costs): which
generic assumptions the records of the day replace, and that the money plan moves with them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from modelfit import load_profile
from modelfit.outcome.assumptions import load_assumptions
from modelfit.outcome.economics import money_plan
from modelfit.outcome.market_costs import market_assumptions

ROOT = Path(__file__).resolve().parents[1]


def _applied(markets: list[str], day: date) -> dict[str, tuple[object, bool]]:
    _, applied = market_assumptions(load_assumptions(), markets, day)
    return {a.assumption: (a.value, a.kept) for a in applied}


def test_the_eu_parcel_duty_follows_the_day() -> None:
    """Before 1 July 2026 the €150 relief (0); from then €3 at the day's 1.16 dollars a euro
    (3.48); after June 2028 the record is unknown and the generic figure stays."""
    assert _applied(["eu"], date(2026, 6, 30))["markets.eu_parcel_duty_usd"] == (0.0, False)
    assert _applied(["eu"], date(2026, 7, 2))["markets.eu_parcel_duty_usd"] == (3.48, False)
    generic = load_assumptions()["markets"]["eu_parcel_duty_usd"]
    assert _applied(["eu"], date(2028, 8, 1))["markets.eu_parcel_duty_usd"] == (generic, True)


def test_vat_comes_from_the_rules_of_each_market() -> None:
    """EU: the mean of DE 19, FR 20, IT 22, ES 21 = 20.5%; UK 20%; only the markets named."""
    got = _applied(["eu", "uk"], date(2026, 12, 6))
    assert got["markets.vat.eu"] == (0.205, False)
    assert got["markets.vat.uk"] == (0.2, False)
    assert "markets.vat.sea" not in got


def test_us_parcels_pay_full_duty_once_de_minimis_is_gone() -> None:
    """The $800 threshold (2024) means no duty on a parcel; 0 (since 2025) means full duty."""
    assert _applied(["us"], date(2024, 6, 1))["markets.parcel_duty_share.us"] == (0.0, False)
    assert _applied(["us"], date(2026, 6, 1))["markets.parcel_duty_share.us"] == (1.0, False)


def test_the_generic_assumptions_are_not_changed_in_place() -> None:
    """The assumptions passed in stay as they were."""
    a = load_assumptions()
    before = a["markets"]["eu_parcel_duty_usd"]
    market_assumptions(a, ["eu"], date(2026, 6, 30))
    assert a["markets"]["eu_parcel_duty_usd"] == before


@pytest.mark.parametrize("company", ["lumen"])
def test_the_money_plan_moves_with_the_eu_parcel_duty(company: str) -> None:
    """An EU seller's parcels cost more in duties from 2 July 2026 than on 30 June: the money
    plan's duties per order rise for a model that ships parcels, and never fall."""
    profile = load_profile(ROOT / "params" / f"{company}.yaml")
    plans = {}
    for day in (date(2026, 6, 30), date(2026, 7, 2)):
        a, _ = market_assumptions(load_assumptions(), profile.target_markets, day)
        plans[day] = money_plan(profile, assumptions=a).to_dict()["models"]
    before, after = plans[date(2026, 6, 30)], plans[date(2026, 7, 2)]
    rises = [m for m in before if after[m]["per_order"]["duties_taxes_usd"]
             > before[m]["per_order"]["duties_taxes_usd"]]
    assert rises
    assert all(after[m]["per_order"]["duties_taxes_usd"]
               >= before[m]["per_order"]["duties_taxes_usd"] for m in before)
