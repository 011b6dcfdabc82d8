"""The money plan: its JSON contract, per-order parts that add up, kinds of distribution, the
`modelfit economics` command and `recommend --json`'s `economics`."""

from __future__ import annotations

import itertools
import json
import math
from datetime import date
from importlib import resources
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from modelfit import ModelfitError, Profile
from modelfit.cli import main
from modelfit.core.vocab import MODELS
from modelfit.inputs.profile import load_profile
from modelfit.outcome.assumptions import load_assumptions
from modelfit.outcome.economics import (
    CONTRACT_KEYS,
    MODEL_KEYS,
    PER_ORDER_KEYS,
    adds_up,
    money_plan,
    per_order,
    plan_kind,
)
from modelfit.outcome.flows import KINDS

from .conftest import PARAMS, profiles_st

DEMO = PARAMS / "demo.yaml"



@settings(max_examples=15, deadline=None)
@given(profiles_st, st.sampled_from((None, *KINDS)))
def test_per_order_parts_add_up_for_every_model_on_random_profiles(
    profile: Profile, kind: str | None,
) -> None:
    """For any profile and kind, every model's per-order costs and contribution add up to its
    net price to the cent, and the object holds exactly the contract's keys."""
    data = money_plan(profile, kind).to_dict()
    assert tuple(data) == CONTRACT_KEYS
    assert set(data["models"]) == set(MODELS)
    for model in MODELS:
        m = data["models"][model]
        assert tuple(m) == MODEL_KEYS
        assert tuple(m["per_order"]) == PER_ORDER_KEYS
        assert adds_up(m["per_order"])
        assert m["breakeven_month"] is None or isinstance(m["breakeven_month"], int)


# --- an independent oracle: one company's per-order figures by hand -------------------------
# The property test above cannot fail on arithmetic: `per_order` makes the contribution the
# remainder, so the parts add up whatever they are. Here one concrete company's figures are
# worked out a second way, in plain Python from the raw `data/outcomes.yaml` and the arithmetic
# `modelfit.outcome.simulation` documents (unit economics per channel, then 36 months of orders),
# and compared with `money_plan`.
#
# The company: growth stage, sells to the EU only, beauty, an $80 order at 70% gross margin,
# $6,000 a month of marketing, all capabilities rated 3 (so every capability effect is
# exp(0) = 1), no channel running yet (no base revenue, no run-off of an idle channel), a team of
# 10 (no hires for any one channel). `money_plan` turns demand and capital luck off
# (demand_sd = 0: every noise factor is exp(0) = 1), so the figures are exact, not averages
# over draws: the only tolerance is the rounding to cents.
# The day whose dated rules outcomes.yaml carries (settings.rules_as_of; tests/test_rules.py):
# the oracle reads that file's values.
RULES_DAY = date(2026, 12, 1)
ORACLE_COMPANY = {"company": "Oracle Co", "stage": "growth", "capital": 3, "supply_chain": 3,
                  "brand_content": 3, "tech_data": 3, "category": "beauty",
                  "avg_order_value_usd": 80, "gross_margin_pct": 70,
                  "marketing_budget_usd": 6000, "team_size": 10, "target_markets": ["eu"],
                  "existing_channels": []}
# A second company the same way, in the US (tariff on the product cost, no VAT, duty on every
# parcel): its platform plan loses money in the launch months and earns later, so the
# suspension risk's "only on months that earn" is exercised too.
US_COMPANY = {**ORACLE_COMPANY, "category": "home", "avg_order_value_usd": 60,
              "target_markets": ["us"]}


def _outcomes() -> tuple[dict[str, Any], Any]:
    """The raw assumptions file, and a reader of one assumption's value by dotted name."""
    raw = yaml.safe_load(resources.files("modelfit").joinpath("data", "outcomes.yaml")
                         .read_text("utf-8"))

    def value(name: str) -> Any:
        node = raw
        for key in name.split("."):
            node = node[key]
        return node["value"]

    return raw, value


def _runoff(contribution: float, keep: float, months: int, monthly_rate: float) -> float:
    """Month k after the horizon earns contribution * keep**k, discounted; never negative."""
    return sum(max(contribution * keep**k, 0.0) / (1 + monthly_rate) ** k
               for k in range(1, months + 1))


def _oracle(channel: str, c: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """Company `c`'s per-order parts (unrounded) on `channel`, platform or dropshipping, at
    the spend level whose plan is worth most (cash over 36 months plus terminal value), and
    that plan's set-up, working capital, break-even month and cash at 36 months (unrounded)."""
    raw, v = _outcomes()
    settings_ = raw["settings"]
    (market,) = c["target_markets"]
    horizon, category = settings_["horizon_months"], str(c["category"])
    price, budget = float(c["avg_order_value_usd"]), float(c["marketing_budget_usd"])
    cost = price * (1 - float(c["gross_margin_pct"]) / 100)
    returned = v("returns.rate")[category]
    vat_rate = v("markets.vat")[market]
    vat = vat_rate / (1 + vat_rate) * (1 - returned) * price  # in the price; none on a refund
    duty = v("markets.duty_us") if market == "us" else v("markets.duty_other")[market]
    small = price <= v("logistics.small_max_aov")
    half = v("channels.saturation_usd")["platform" if channel == "platform" else "dropshipping"]
    half *= v("markets.weight")[market]
    if channel == "platform":
        fba = v("logistics.fulfilment_usd")["platform_small" if small else "platform_large"]
        unit = {"net_price_usd": price, "product_cost_usd": cost,
                "channel_fees_usd": max(v("platform.referral_fee")[category] * price,
                                        v("platform.referral_min_usd"))
                + v("platform.other_fees_pct") * price,
                "logistics_usd": fba + v("logistics.bulk_freight_share") * cost,
                "duties_taxes_usd": vat + duty * cost,
                "returns_usd": returned * (price - v("returns.resale_share") * cost + fba)}
    else:
        parcel_duty = min(1.0, v("markets.parcel_duty_share")[market]) * duty * cost
        if market == "eu":
            parcel_duty += v("markets.eu_parcel_duty_usd")  # the EU's flat duty per parcel
        unit = {"net_price_usd": price, "product_cost_usd": cost,
                "channel_fees_usd": v("payment.card_pct") * price + v("payment.card_fixed_usd"),
                "logistics_usd": v("logistics.parcel_usd")["small" if small else "large"],
                "duties_taxes_usd": vat + parcel_duty, "returns_usd": returned * price}
    margin = price - sum(x for k, x in unit.items() if k != "net_price_usd")
    equity = v("stage.brand_equity")[str(c["stage"])]
    setup = v("channels.setup_usd")[channel]  # one market: no extra-market set-up
    stock_months = v("channels.working_capital_months")[channel]
    plans = []
    for level in settings_["spend_levels"]:
        spend = level * budget
        effective = half * math.log(1 + spend / half)
        orders, fees, flows, terminal, ads = [], 0.0, [], 0.0, 0.0
        test = v("paid_acquisition.test_months")
        if channel == "platform":
            # the stop rule judges the ads once launch and organic ramp are over: their cost per
            # order they bring against what an order leaves (less the risen take)
            judge = max(v("platform.launch_months"), v("platform.organic_ramp_months"))
            month = []
            for t in range(horizon):
                launch = t < v("platform.launch_months")
                acos = v("platform.acos")["launch" if launch else "steady"]
                organic = v("platform.organic_ratio") * equity * min(
                    1.0, (t + 1) / v("platform.organic_ramp_months"))
                month.append((effective / acos * (1 + organic), organic))
            revenue, _ = month[judge - 1]
            rise = v("platform.take_drift_year") * (judge - 1) / 12 * price
            cut = spend / (revenue / price) > v("paid_acquisition.stop_rule") * (margin - rise)
            for t, (revenue, _) in enumerate(month):
                funded = t < judge or not cut
                revenue = revenue if funded else 0.0
                paid = spend if funded else 0.0
                ads += paid
                orders.append(revenue / price)
                drift = v("platform.take_drift_year") * t / 12 * revenue
                operating = orders[-1] * margin - drift - paid
                risk = (v("platform.suspension_rate_year") / 12
                        * v("platform.suspension_months_lost") * max(operating, 0.0))
                fixed = v("platform.subscription_month")  # one market: a fixed cost
                fees += drift + risk
                flows.append(operating - fixed - risk)
            tested = ads if cut else 0.0
            organic = month[-1][1]
            # the organic share of the last month's sales runs on after the horizon
            kept = (orders[-1] * margin - drift) * organic / (1 + organic)
            terminal = _runoff(kept, v("platform.organic_retention"),
                               settings_["runoff_months"], v("cost_of_capital_month"))
        else:  # new customers from ads at the category's CAC for this order value, no repeat
            cac = v("independent_site.cac_usd")[category] * (
                price / v("independent_site.cac_aov")["reference_aov"]
            ) ** v("independent_site.cac_aov")["elasticity"]
            brought = [effective / (cac * (1 + v("dropship.ad_decay_month")) ** t)
                       for t in range(horizon)]
            # the stop rule: cut when a test ends above break-even, then as soon as the rising
            # cost per order passes what the order leaves
            ok = [spend / x <= v("paid_acquisition.stop_rule") * margin for x in brought]
            cut = not ok[test - 1]
            funded = True
            for t in range(horizon):
                if t >= test:
                    funded = funded and not cut and ok[t]
                orders.append(brought[t] if funded else 0.0)
                ads += spend if funded else 0.0
                flows.append(orders[-1] * margin - (spend if funded else 0.0)
                             - v("dropship.tools_month"))
            tested = ads if cut else 0.0
        flows[0] -= setup
        # stock of `stock_months` of sales at cost, bought ahead and sold off at the end
        held = 0.0
        for t in range(horizon):
            flows[t] -= stock_months * cost * orders[t] - held
            held = stock_months * cost * orders[t]
        flows[-1] += held
        cumulative = list(itertools.accumulate(flows))
        # break-even: the month after the last one with cumulative cash below zero
        last_below = max((t for t in range(horizon) if cumulative[t] < 0), default=-1)
        month = last_below + 2 if last_below + 1 < horizon else None
        plan = {"setup_usd": setup,
                "working_capital_usd": max(0.0, -min(cumulative) - setup),
                "breakeven_month": month, "cash_36m_usd": cumulative[35]}
        plans.append((cumulative[-1] + terminal, level, {
            **unit, "channel_fees_usd": unit["channel_fees_usd"] + fees / sum(orders),
            "ads_usd": (ads - tested) / sum(orders)}, plan))
    worth = sorted(p[0] for p in plans)
    assert worth[-1] - worth[-2] > 100, "the best spend level must win clearly"
    _, _, best, plan = max(plans, key=lambda p: p[0])
    best["contribution_usd"] = price - sum(x for k, x in best.items() if k != "net_price_usd")
    return best, plan


@pytest.mark.parametrize("company", [ORACLE_COMPANY, US_COMPANY], ids=["eu", "us"])
@pytest.mark.parametrize(("model", "kind", "channel"), [
    ("platform", None, "platform"),
    ("distribution", "dropshipping", "dropshipping"),
])
def test_per_order_figures_match_a_hand_computation(
    model: str, kind: str | None, channel: str, company: dict[str, Any],
) -> None:
    """One company's per-order figures, computed a second way from the raw assumptions file,
    equal `money_plan`'s to the cent; the contribution is what the rounded costs leave of the
    price, within 3 cents of the unrounded figure (six costs, each rounded by at most half a
    cent). The plan's set-up, working capital, break-even month and cash at 36 months equal
    the hand figures to the dollar."""
    hand, plan = _oracle(channel, company)
    for part, x in hand.items():
        assert abs((100 * x) % 1 - 0.5) > 1e-6, (
            f"{part} = {x} sits on a half cent: pick another company")
    for part in ("working_capital_usd", "cash_36m_usd"):
        assert abs(plan[part] % 1 - 0.5) > 1e-6, f"{part} sits on a half dollar"
    whole = money_plan(Profile.from_mapping(company, company_id="oracle"), kind,
                       as_of=RULES_DAY).to_dict()["models"][model]
    assert {k: whole[k] for k in plan} == {
        k: (x if x is None or k == "breakeven_month" else float(round(x)))
        for k, x in plan.items()}
    got = whole["per_order"]
    costs = [k for k in PER_ORDER_KEYS if k not in ("net_price_usd", "contribution_usd")]
    for part in ("net_price_usd", *costs):
        assert got[part] == round(hand[part], 2), part
    assert got["contribution_usd"] == round(
        round(hand["net_price_usd"], 2) - sum(round(hand[k], 2) for k in costs), 2)
    assert abs(got["contribution_usd"] - hand["contribution_usd"]) <= 0.03 + 1e-9


def test_per_order_figures_as_derived_by_hand() -> None:
    """The same company's figures written out (outcome assumptions 2.3.0; re-derive them when
    `data/outcomes.yaml` changes). Price $80, cost 30% of it = $24. EU VAT is 20.5% of the pre-
    VAT price, so 0.205 / 1.205 of the consumer price, paid on the 94% of sales that are not
    returned (beauty returns 6%): 12.793. Platform: referral 15% = 12 plus other fees 5% = 4,
    i.e. $16 an order before fixed fees; FBA large $6.57 plus freight 8% of cost (1.92) = 8.49;
    VAT 12.793 plus 5% duty on cost (1.20) = 13.99; returns 6% of (80 - 70% x 24 resold + 6.57)
    = 4.19. Dropshipping: card fees 4.4% + $0.30 = 3.82 before tools; a large parcel $15; VAT
    plus the EU's flat $3.48 parcel duty (EUR 3, in force from July 2026) = 16.27; returns 6% of
    80 = 4.80. Fees, ads and contribution below come from the 36-month hand computation above
    (take drift and suspension risk spread over the orders; the subscription and the tools are
    fixed monthly costs, not per order; ads = spend / orders). Dropshipping's cost per order
    (USD 127.68 before) is above the USD 16.11 an order leaves at the end of its two-month test,
    so the stop rule cuts it: its USD 3,000 of test ads are a one-off, not per-order ads."""
    plan = money_plan(Profile.from_mapping(ORACLE_COMPANY, company_id="oracle"), "dropshipping",
                      as_of=RULES_DAY)
    assert plan.assumptions_version == "2.3.0"
    assert plan.models["platform"]["per_order"] == {
        "net_price_usd": 80.0, "product_cost_usd": 24.0, "channel_fees_usd": 18.49,
        "ads_usd": 9.83, "logistics_usd": 8.49, "duties_taxes_usd": 13.99, "returns_usd": 4.19,
        "contribution_usd": 1.01}
    assert plan.models["distribution"]["per_order"] == {
        "net_price_usd": 80.0, "product_cost_usd": 24.0, "channel_fees_usd": 3.82,
        "ads_usd": 0.0, "logistics_usd": 15.0, "duties_taxes_usd": 16.27, "returns_usd": 4.8,
        "contribution_usd": 16.11}
    assert (plan.models["distribution"]["test_usd"],
            plan.models["distribution"]["fixed_month_usd"]) == (3000.0, 100.0)


def test_demo_contract_values() -> None:
    """The demo's plan: USD, 36 months, the assumptions' version, set-up and working capital
    never negative, break-even an integer month or null."""
    data = money_plan(load_profile(DEMO)).to_dict()
    assert (data["company_id"], data["currency"], data["horizon_months"]) == ("demo", "USD", 36)
    assert data["assumptions_version"] == load_assumptions()["version"]
    assert data["assumptions_version"].count(".") == 2
    assert data["distribution_kind"] in KINDS
    for m in data["models"].values():
        assert m["setup_usd"] >= 0
        assert m["working_capital_usd"] >= 0


def test_net_price_is_retail_to_consumers_and_wholesale_through_partners() -> None:
    """Platform, own site and dropshipping receive the retail price (the demo's $45); through
    distributors the company receives its wholesale price, well under two thirds of retail."""
    profile = load_profile(DEMO)
    retail = money_plan(profile, "dropshipping").to_dict()["models"]
    for model in ("platform", "independent_site", "distribution"):
        assert retail[model]["per_order"]["net_price_usd"] == 45.0
    wholesale = money_plan(profile, "distributors").to_dict()["models"]["distribution"]
    assert 0 < wholesale["per_order"]["net_price_usd"] < 2 / 3 * 45
    assert wholesale["per_order"]["duties_taxes_usd"] == 0.0  # the importer pays them


def test_a_named_kind_gives_that_kinds_figures() -> None:
    """Naming a kind plans distribution (and a hybrid's distribution channel) with that kind."""
    profile = load_profile(DEMO)
    a = money_plan(profile, "small_b")
    b = money_plan(profile, "distributors")
    assert (a.distribution_kind, b.distribution_kind) == ("small_b", "distributors")
    assert a.models["distribution"] != b.models["distribution"]


def test_unknown_kind_is_refused() -> None:
    """An unknown kind of distribution raises ModelfitError naming the allowed ones."""
    with pytest.raises(ModelfitError, match=r"kind must be one of dropshipping, small_b, "
                                             r"distributors, got 'wholesale'"):
        money_plan(load_profile(DEMO), "wholesale")


def test_plan_kind_reads_channel_details_as_dicts_or_objects() -> None:
    """The kind comes from the first distribution entry of channel_details; none without one."""
    details = [{"channel": "platform", "role": "core", "kind": None},
               {"channel": "distribution", "role": "auxiliary", "kind": "small_b"}]
    assert plan_kind(details) == "small_b"
    assert plan_kind([SimpleNamespace(channel="distribution", role="core",
                                      kind="distributors")]) == "distributors"
    assert plan_kind(None) is None
    assert plan_kind([{"channel": "platform", "role": "core", "kind": None}]) is None


def test_per_order_with_no_orders_is_all_zero() -> None:
    """A plan that sells nothing shows zeros, still adding up."""
    order = per_order(dict.fromkeys(PER_ORDER_KEYS[:-1], 0.0), 0.0)
    assert set(order.values()) == {0.0}
    assert adds_up(order)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_economics_json_prints_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """`modelfit economics PROFILE --json` prints the money plan's object."""
    code, out, err = run(capsys, "economics", str(DEMO), "--json")
    assert (code, err) == (0, "")
    assert tuple(json.loads(out)) == CONTRACT_KEYS


@pytest.mark.parametrize(("lang", "needles"), [
    ("en", ("The money plan", "break-even month", "contribution", "Marketplace platform")),
    ("zh", ("经营测算", "回本月份", "单笔贡献", "平台模式")),
])
def test_economics_text_in_each_language(
    capsys: pytest.CaptureFixture[str], lang: str, needles: tuple[str, ...],
) -> None:
    """Without --json, the money plan as tables in the chosen language."""
    code, out, err = run(capsys, "economics", str(DEMO), "--lang", lang)
    assert (code, err) == (0, "")
    assert all(n in out for n in needles)


def test_economics_of_a_bad_profile_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: object,
) -> None:
    """A missing profile is a one-line error and exit 2."""
    code, out, err = run(capsys, "economics", "params/nope.yaml")
    assert code == 2
    assert out == ""
    assert err.startswith("modelfit: ")


def test_recommend_json_carries_the_money_plan(capsys: pytest.CaptureFixture[str]) -> None:
    """`recommend --json` gains `economics`: the money plan with the distribution figures of
    the kind the plan names (the demo's plan sells to small-B buyers)."""
    from modelfit import recommend
    from modelfit.outcome.economics import plan_kind

    code, out, _ = run(capsys, "recommend", str(DEMO), "--json", "--no-model")
    assert code == 0
    data = json.loads(out)
    profile = load_profile(DEMO)
    kind = plan_kind(recommend(profile).channel_details)
    assert kind == "small_b"
    details = recommend(profile).channel_details
    assert data["economics"] == money_plan(profile, kind, channel_details=details).to_dict()


@pytest.mark.parametrize(("lang", "heading"), [("en", "## The money plan"), ("zh", "## 经营测算")])
def test_report_section_shows_the_money_plan(lang: str, heading: str) -> None:
    """The report's economics section: heading, intro naming the kind, a table per model, one
    order's economics and the cumulative-cash chart, in the report's language."""
    from IPython.display import Image

    from modelfit.views import report

    fields = load_profile(DEMO).fields()
    r = report.build("demo", fields, lang=lang)
    assert r.economics_heading().data == heading
    assert len(r.economics_table()) == len(MODELS)
    assert len(r.economics_order_table()) == len(MODELS)
    assert isinstance(r.economics_figure(), Image)
    assert r.analysis.economics is not None
    assert r.to_dict()["economics"] == r.analysis.economics.to_dict()


def test_economics_command_plans_the_kind_the_recommendation_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --kind, `modelfit economics --json` gives the same money plan as
    `recommend --json` (the demo's plan sells to small-B buyers); --kind overrides it."""
    code, out, _ = run(capsys, "economics", str(DEMO), "--json")
    assert code == 0
    alone = json.loads(out)
    code, out, _ = run(capsys, "recommend", str(DEMO), "--json", "--no-model")
    assert alone == json.loads(out)["economics"]
    code, out, _ = run(capsys, "economics", str(DEMO), "--json", "--kind", "dropshipping")
    assert json.loads(out) != alone
