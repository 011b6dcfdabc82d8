"""The recommended plan costed (modelfit.outcome.plan_cost) and its warnings
(modelfit.outcome.money_warnings): per-order parts that are per order, breakdowns that add up,
and a warning wherever the plan's own money says no."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelfit import Profile, load_profile
from modelfit.decision.recommend import recommend
from modelfit.outcome.assumptions import load_assumptions
from modelfit.outcome.economics import adds_up, money_plan
from modelfit.outcome.flows import KINDS, PARTS
from modelfit.outcome.simulation import simulate_detail
from modelfit.outcome.synthetic import generate_profiles

from .conftest import CATEGORIES, MARKETS, PARAMS, examples

PLAN_KEYS = {"channels", "setup_usd", "working_capital_usd", "fixed_month_usd",
             "breakeven_month", "cash_36m_usd", "cash_available_usd", "affordable",
             "shortfall_usd"}


def orders_of(plan: Any) -> Iterator[tuple[str, Mapping[str, float]]]:
    """Every per-order breakdown of a money plan: each model's and each plan channel's."""
    for model, entry in plan.models.items():
        yield model, entry["per_order"]
    for entry in (plan.plan or {}).get("channels", []):
        if entry["per_order"]:
            yield f"plan:{entry['channel']}", entry["per_order"]


def check(profile: Profile) -> None:
    """The done-when properties for one profile's money plan."""
    details = recommend(profile).channel_details
    plan = money_plan(profile, None, channel_details=details)
    assert plan.plan is not None
    assert set(plan.plan) >= PLAN_KEYS
    for where, order in orders_of(plan):
        price = order["net_price_usd"]
        assert order["ads_usd"] <= price + 0.005, (profile.company_id, where, order)
        assert order["channel_fees_usd"] <= price + 0.005, (profile.company_id, where, order)
        assert adds_up(order), (where, order)
    flagged = {(w["channel"], w["code"]) for w in plan.warnings}
    for entry in plan.plan["channels"]:
        order = entry["per_order"]
        if entry["role"] != "wind_down" and order and order["contribution_usd"] < 0:
            assert (entry["channel"], "loses_per_order") in flagged, entry
    if not plan.plan["affordable"]:
        assert (None, "short_of_cash") in flagged
        assert plan.plan["shortfall_usd"] > 0
    if plan.plan["breakeven_month"] is None:
        assert (None, "no_breakeven") in flagged


@pytest.mark.parametrize("path", sorted(PARAMS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_company_keeps_the_money_properties(path: Path) -> None:
    check(load_profile(path))


ratings = st.integers(1, 5)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    channels = draw(st.lists(st.sampled_from(["platform", "distribution", "independent_site"]),
                             unique=True, max_size=3))
    data: dict[str, Any] = {
        "company": "Prop", "stage": draw(st.sampled_from(["startup", "growth", "mature"])),
        "capital": draw(ratings), "supply_chain": draw(ratings),
        "brand_content": draw(ratings), "tech_data": draw(ratings),
        "category": draw(st.sampled_from(CATEGORIES)),
        "avg_order_value_usd": draw(st.floats(1, 5000)),
        "gross_margin_pct": draw(st.floats(0, 95)),
        "marketing_budget_usd": draw(st.floats(0, 2_000_000)),
        "team_size": draw(st.integers(1, 500)),
        "target_markets": draw(st.lists(st.sampled_from(MARKETS), min_size=1, unique=True)),
        "existing_channels": channels,
    }
    if draw(st.booleans()):
        data["product_cost_pct"] = draw(st.floats(1, 99))
    if draw(st.booleans()):
        data["cash_usd"] = draw(st.floats(0, 5_000_000))
    current = {}
    for channel in channels:
        if draw(st.booleans()):
            orders = draw(st.floats(1, 50_000))
            sales = orders * data["avg_order_value_usd"]
            current[channel] = {"monthly_orders": orders,
                                "ad_spend_usd": draw(st.floats(0, 2)) * sales,
                                "fees_usd": draw(st.floats(0, 1)) * sales}
    if current:
        data["current"] = current
    return Profile.from_mapping(data)


@settings(max_examples=examples(40, 8), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles())
def test_the_money_properties_hold_across_the_space(profile: Profile) -> None:
    """Per-order ads and fees never exceed the price, every breakdown adds up to its
    contribution, and a plan channel that loses money per order is always warned about."""
    check(profile)


def test_per_order_ads_and_fees_stay_within_the_price_for_a_population() -> None:
    """All 2,000 synthetic companies at once, every model's best plan: ads and channel fees
    per order never exceed the price received (fixed monthly costs are not per order, and the
    stop rule ends paid acquisition that costs more than an order leaves)."""
    a = load_assumptions()
    frame = generate_profiles(2000, 11)
    _, chunks = simulate_detail(frame, 0, a, require_funding=False)
    for model, best in chunks[0].items():
        orders = best.orders
        has = orders >= 1
        price = best.parts["net_price_usd"][has] / orders[has]
        for part in ("ads_usd", "channel_fees_usd"):
            per = best.parts[part][has] / orders[has]
            assert np.all(per <= price + 1e-9), (model, part, float((per - price).max()))


def test_the_demo_runs_a_profitable_amazon_business_and_says_what_its_plan_lacks() -> None:
    """The demo's Amazon store is calibrated on its own figures and makes money on every
    order; the plan states the cash it used and warns about what loses money."""
    demo = load_profile(PARAMS / "demo.yaml")
    plan = money_plan(demo, None, channel_details=recommend(demo).channel_details)
    assert plan.plan is not None
    core = plan.plan["channels"][0]
    assert (core["channel"], core["role"], core["calibrated"]) == ("platform", "core", True)
    assert core["per_order"]["contribution_usd"] > 0
    assert core["per_order"]["channel_fees_usd"] == 13.0  # USD 19,500 over 1,500 orders
    assert core["per_order"]["ads_usd"] == 4.0
    assert plan.plan["cash_source"] == "capital_rating"
    assert plan.plan["cash_available_usd"] == 75000
    assert plan.plan["running_cash_36m_usd"] > 0
    for entry in plan.plan["channels"]:
        if entry["per_order"]["contribution_usd"] < 0:
            assert any(w["channel"] == entry["channel"] for w in plan.warnings)


def test_stated_cash_wins_and_a_short_plan_is_warned_first() -> None:
    base = {"company": "Tiny", "stage": "startup", "capital": 4, "supply_chain": 3,
            "brand_content": 3, "tech_data": 3, "marketing_budget_usd": 20000,
            "existing_channels": []}
    rich = Profile.from_mapping(base)
    poor = Profile.from_mapping({**base, "cash_usd": 100})
    details = recommend(rich).channel_details
    plan = money_plan(poor, None, channel_details=details)
    assert plan.plan is not None
    assert (plan.plan["cash_source"], plan.plan["cash_available_usd"]) == ("cash_usd", 100)
    assert plan.plan["affordable"] is False
    assert plan.warnings[0]["code"] == "short_of_cash"
    assert "USD 100 (the cash the profile states)" in plan.warnings[0]["text"]
    assert money_plan(rich, None, channel_details=details).plan["cash_source"] == \
        "capital_rating"  # type: ignore[index]


def test_a_light_own_site_is_a_template_store_and_a_next_step_starts_later() -> None:
    profile = load_profile(PARAMS / "demo.yaml")
    details = [{"channel": "platform", "role": "core", "kind": None},
               {"channel": "independent_site", "role": "next_step", "kind": None}]
    plan = money_plan(profile, None, channel_details=details).plan
    assert plan is not None
    site = plan["channels"][1]
    a = load_assumptions()
    extra = a["channels"]["setup_per_extra_market"]  # the demo sells to two markets
    assert site["setup_usd"] == a["plan"]["template_site_usd"] * (1 + extra)
    assert site["start_month"] == a["plan"]["next_step_month"] + 1
    assert site["setup_usd"] < a["channels"]["setup_usd"]["independent_site"]


def test_dropshipping_that_costs_more_than_an_order_leaves_is_cut_after_its_test() -> None:
    """The stop rule: a dropshipper whose cost per order exceeds what the order leaves spends
    on the test only, and its ads are a one-off, not per-order (was USD 86.51 per USD 35)."""
    profile = Profile.from_mapping({
        "company": "Drop", "stage": "startup", "capital": 1, "supply_chain": 2,
        "brand_content": 2, "tech_data": 2, "avg_order_value_usd": 35, "gross_margin_pct": 60,
        "marketing_budget_usd": 3000, "existing_channels": []})
    plan = money_plan(profile, "dropshipping")
    entry = plan.models["distribution"]
    assert entry["per_order"]["ads_usd"] <= entry["per_order"]["net_price_usd"]
    months = load_assumptions()["paid_acquisition"]["test_months"]
    if entry["test_usd"] > 0:
        assert entry["test_usd"] <= 3000 * months
    assert set(KINDS) >= {plan.distribution_kind}
    assert set(PARTS) <= set(entry["per_order"])


def test_recommend_json_carries_the_plan_and_its_warnings() -> None:
    done = subprocess.run([sys.executable, "-m", "modelfit.cli", "recommend",
                           str(PARAMS / "demo.yaml"), "--json", "--no-model"],
                          capture_output=True, text=True, check=True)
    economics = json.loads(done.stdout)["economics"]
    assert set(economics["plan"]) >= PLAN_KEYS
    assert all(set(w) == {"channel", "code", "text"} for w in economics["warnings"])
    assert {"models", "distribution_kind", "assumptions_version"} <= set(economics)
