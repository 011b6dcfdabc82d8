"""Outcome model: hand-computed cash flows, funding failure, hybrid, labels, sources, independence."""

from __future__ import annotations

import ast
import copy
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelfit import ModelfitError
from modelfit.outcome import (
    MODELS,
    best_model_labels,
    load_assumptions,
    runoff_value,
    simulate_outcomes,
)
from modelfit.synthetic import generate_profiles


def company(**fields: Any) -> pd.DataFrame:
    """One company: average ratings, category other, $100 orders, 50% margin, US only."""
    base: dict[str, Any] = {
        "company": "Case", "stage": "growth", "capital": 5, "supply_chain": 3,
        "brand_content": 3, "tech_data": 3, "category": "other", "avg_order_value_usd": 100.0,
        "gross_margin_pct": 50.0, "marketing_budget_usd": 1000.0, "team_size": 10,
        "target_markets": ("us",), "existing_channels": (),
    }
    base.update(fields)
    return pd.DataFrame([base])


@pytest.fixture
def exact() -> dict[str, Any]:
    """The bundled assumptions without noise, spending the whole budget (one spend level)."""
    a = copy.deepcopy(load_assumptions())
    a["noise"]["demand_sd"] = 0.0
    a["noise"]["capital_sd"] = 0.0
    a["spend_levels"] = [1.0]
    return a


def test_dropshipping_three_year_profit_by_hand(exact: dict[str, Any]) -> None:
    """Dropshipping, $1,000/month, US only, average ratings, no noise.

    Effective spend = 5000 ln(1 + 1000/5000) = 911.61; sales in month t = 911.61 x 6.67 x 0.98^t;
    monthly result = 25% of sales (30% gross - 5% fees) - $1,000 ads - $100 tools; set-up $2,750.
    Profit = 0.25 x 911.61 x 6.67 x (1 - 0.98^36)/0.02 - 36 x 1,100 - 2,750 = -3,071: at this
    budget dropshipping loses money, yet less than distributors with their $10,000 set-up.
    Without terminal values (run-off of 0 months): with them the distributors' partner base wins
    (see the distributor terminal-value case).
    """
    exact["terminal"]["runoff_months"] = 0
    out = simulate_outcomes(company(), seed=0, assumptions=exact)
    sales = 5000 * math.log(1.2) * 6.67
    expected = 0.25 * sales * (1 - 0.98**36) / 0.02 - 36 * 1100 - 2750
    assert out.loc[0, "plan_distribution"] == "dropship 100%"
    assert out.loc[0, "profit_distribution"] == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(-3071.46, abs=0.01)


def test_platform_profit_by_hand_for_a_running_store(exact: dict[str, Any]) -> None:
    """Platform already running (no set-up, no launch), $4,000/month, $100 orders, 50% margin.

    Effective spend = 8000 ln 1.5 = 3243.73; sales = 3243.73 / 0.30 x (1 + 1.5) = 27,031.1;
    270.31 orders; product cost 50%; referral 15%; FBA large $6.57 per order; other fees 5%;
    subscription $39.99. Monthly = 27031.1 x (1 - 0.5 - 0.15 - 0.05) - 270.31 x 6.57 - 4000 - 39.99
    = 2,293.4; the two months of stock are bought in month 1 and sold in month 36, so the
    three-year profit is 36 x 2,293.4 = 82,561.5. Peak cash need: the stock (2 x 13,515.6)
    less the first month's result. Fee drift and suspension risk are off here (their own case).
    """
    exact["platform"]["take_drift_year"] = 0.0
    exact["platform"]["suspension_rate_year"] = 0.0
    out = simulate_outcomes(
        company(marketing_budget_usd=4000.0, existing_channels=("platform",)), seed=0,
        assumptions=exact)
    sales = 8000 * math.log(1.5) / 0.30 * 2.5
    monthly = sales * 0.30 - sales / 100 * 6.57 - 4000 - 39.99
    assert out.loc[0, "profit_platform"] == pytest.approx(36 * monthly, rel=1e-9)
    assert 36 * monthly == pytest.approx(82_561.5, abs=0.1)
    assert out.loc[0, "need_platform"] == pytest.approx(2 * 0.5 * sales - monthly, rel=1e-9)


def test_platform_fee_drift_and_suspension_risk_by_hand(exact: dict[str, Any]) -> None:
    """The running store above with the take rising 2 points a year and 5%/year suspension risk.

    Month t (0-based) operating margin = S x (0.30 - 0.02 t/12) - 270.31 x 6.57 - 4000 (positive
    all 36 months: 756 at t = 35); the expected suspension loss takes 0.05/12 x 2 = 1/120 of it.
    Profit = (1 - 1/120) x (36 x 2,333.39 - 0.02/12 x S x 630) - 36 x 39.99 = 53,715.5, against
    82,561.5 without: at 30% net before ads a marketplace seller feels every point of take.
    No terminal value: marketplace organic sales stop with the ads.
    """
    out = simulate_outcomes(
        company(marketing_budget_usd=4000.0, existing_channels=("platform",)), seed=0,
        assumptions=exact)
    sales = 8000 * math.log(1.5) / 0.30 * 2.5
    operating = [sales * (0.30 - 0.02 * t / 12) - sales / 100 * 6.57 - 4000 for t in range(36)]
    assert min(operating) > 0
    expected = (1 - 1 / 120) * sum(operating) - 36 * 39.99
    assert out.loc[0, "profit_platform"] == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(53_715.45, abs=0.01)
    assert out.loc[0, "terminal_platform"] == 0.0


def test_runoff_value_by_hand(exact: dict[str, Any]) -> None:
    """$1,000 a month retained 90% a month, $500 fixed: months 1-6 pay (0.9^7 x 1000 < 500).

    Value = sum over k = 1..6 of (1000 x 0.9^k - 500) / 1.0095^k = 1,189.35; never negative.
    """
    value = runoff_value(np.array([1000.0, 100.0]), 0.9, 500.0, exact)
    expected = sum((1000 * 0.9**k - 500) / 1.0095**k for k in range(1, 7))
    assert value[0] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(1189.35, abs=0.01)
    assert value[1] == 0.0


def test_own_site_terminal_value_by_hand(exact: dict[str, Any]) -> None:
    """A running own site, $1,000/month, $100 orders, 50% margin, category other, US only.

    New customers a month N = 30000 ln(1 + 1/30) / (65 x (100/60)^0.3) x (1 + 0.5 organic);
    active base at month 36 = N (1 - 0.965^36) / 0.035; each repeats 4% a month and an order
    leaves 100 x (0.50 - 0.044) - 0.30 - 8.50 = $36.80. The base then runs off at 3.5% churn
    less the $405 of site fees, while that is positive (10 months), discounted at 0.95% a month.
    """
    out = simulate_outcomes(company(existing_channels=("independent_site",)), seed=0,
                            assumptions=exact)
    new = 30000 * math.log1p(1000 / 30000) / (65 * (100 / 60) ** 0.3) * 1.5
    base = new * (1 - 0.965**36) / 0.035
    monthly = base * 0.04 * 36.8
    months = [k for k in range(1, 25) if monthly * 0.965**k > 405]
    assert months == list(range(1, 11))
    expected = sum((monthly * 0.965**k - 405) / 1.0095**k for k in months)
    assert out.loc[0, "terminal_independent_site"] == pytest.approx(expected, rel=1e-9)
    assert out.loc[0, "value_independent_site"] == pytest.approx(
        out.loc[0, "profit_independent_site"] + expected, rel=1e-12)


def test_distributor_terminal_value_by_hand(exact: dict[str, Any]) -> None:
    """The dropshipping case's company: distributors win the slot on their partner base.

    Partners signed a month = 8000 ln(1.125) / 10,000; active at month 36 = that x
    (1 - 0.97^36) / 0.03; each sells $3,000 retail a month, of which the firm keeps 80% less 5%
    freight and pays 50% product cost: $780. Run-off: 24 months at 3% churn, 0.95% discount.
    """
    out = simulate_outcomes(company(), seed=0, assumptions=exact)
    active = 8000 * math.log(1.125) / 10000 * (1 - 0.97**36) / 0.03
    expected = sum(active * 780 * 0.97**k / 1.0095**k for k in range(1, 25))
    assert out.loc[0, "plan_distribution"] == "distributor 100%"
    assert out.loc[0, "terminal_distribution"] == pytest.approx(expected, rel=1e-9)
    assert out.loc[0, "value_distribution"] > out.loc[0, "profit_distribution"]


def test_hybrid_shares_part_of_its_set_up(exact: dict[str, Any]) -> None:
    """Three channels launched in two markets (set-up x 1.25): platform $3,750, distributors
    $12,500, own site $25,000. Every set-up beyond the costliest is 25% cheaper:
    0.25 x (3,750 + 12,500) = $4,062.50 more cash than the plain sum."""
    frame = company(category="beauty", gross_margin_pct=70.0, avg_order_value_usd=40.0,
                    brand_content=5, tech_data=5, supply_chain=4, team_size=200,
                    marketing_budget_usd=200_000.0, target_markets=("us", "eu"))
    shared = simulate_outcomes(frame, seed=0, assumptions=exact)
    plain_a = copy.deepcopy(exact)
    plain_a["hybrid"]["shared_setup_saving"] = 0.0
    plain = simulate_outcomes(frame, seed=0, assumptions=plain_a)
    plan = "platform 25% + independent_site 50% + distribution 25%"
    assert shared.loc[0, "plan_hybrid"] == plain.loc[0, "plan_hybrid"] == plan
    assert shared.loc[0, "profit_hybrid"] - plain.loc[0, "profit_hybrid"] == pytest.approx(4062.5)


def test_a_model_the_company_cannot_fund_fails(exact: dict[str, Any]) -> None:
    """Capital rating 1 ($5,000) cannot pay an own site's $20,000 set-up: it fails, losing $5,000."""
    out = simulate_outcomes(company(capital=1), seed=0, assumptions=exact)
    assert bool(out.loc[0, "failed_independent_site"])
    assert out.loc[0, "profit_independent_site"] == pytest.approx(-5000)
    assert out.loc[0, "plan_independent_site"] == ""


def test_hybrid_wins_where_channels_together_beat_each_alone(exact: dict[str, Any]) -> None:
    """A rich beauty brand with a $200K budget saturates any one channel: splitting pays most."""
    frame = company(category="beauty", gross_margin_pct=70.0, avg_order_value_usd=40.0,
                    brand_content=5, tech_data=5, supply_chain=4, team_size=200,
                    marketing_budget_usd=200_000.0, target_markets=("us", "eu"))
    out = simulate_outcomes(frame, seed=0, assumptions=exact)
    others = [out.loc[0, f"profit_{m}"] for m in MODELS if m != "hybrid"]
    assert out.loc[0, "profit_hybrid"] > max(others)
    assert best_model_labels(out).iloc[0] == "hybrid"
    assert "+" in out.loc[0, "plan_hybrid"]


def test_labels_take_the_best_profit_and_break_ties_lightest_first() -> None:
    """The label is the argmax of profit; an exact tie goes to the model listed first."""
    frame = pd.DataFrame({"profit_platform": [1.0, 5.0], "profit_distribution": [2.0, 5.0],
                          "profit_independent_site": [3.0, 1.0], "profit_hybrid": [0.0, 5.0]})
    assert list(best_model_labels(frame)) == ["independent_site", "platform"]


def test_labels_compare_value_when_present() -> None:
    """With value columns (cash + terminal value) the label is their argmax, not cash alone."""
    frame = pd.DataFrame({f"profit_{m}": [1.0] for m in MODELS})
    frame["profit_platform"] = 9.0
    for m in MODELS:
        frame[f"value_{m}"] = frame[f"profit_{m}"]
    frame["value_independent_site"] = 10.0
    assert list(best_model_labels(frame)) == ["independent_site"]


def test_same_seed_same_outcomes() -> None:
    """Outcomes are deterministic by seed and change with it (noise is seeded)."""
    profiles = generate_profiles(300, 1)
    a = simulate_outcomes(profiles, 9)
    pd.testing.assert_frame_equal(a, simulate_outcomes(profiles, 9))
    assert not a["profit_platform"].equals(simulate_outcomes(profiles, 10)["profit_platform"])


def test_population_yields_every_model_as_a_label() -> None:
    """On 5,000 synthetic companies each of the four models is best for someone."""
    profiles = generate_profiles(5000, 2)
    labels = best_model_labels(simulate_outcomes(profiles, 2))
    assert set(labels) == set(MODELS)


def test_every_assumption_has_a_source() -> None:
    """Each leaf of data/outcomes.yaml carries a non-empty source."""
    text = resources.files("modelfit").joinpath("data", "outcomes.yaml").read_text("utf-8")
    assert "source:" in text
    load_assumptions()  # raises if any leaf lacks one


def test_an_assumption_without_source_is_refused(tmp_path: Path) -> None:
    """A copy with a value but no source is refused, naming the file and the assumption."""
    path = tmp_path / "outcomes.yaml"
    path.write_text("horizon_months:\n  value: 36\n  source: ''\n", encoding="utf-8")
    with pytest.raises(ModelfitError, match=r"outcomes.yaml: horizon_months has no source"):
        load_assumptions(path)


def test_missing_columns_are_named() -> None:
    """A frame without the needed columns raises ModelfitError naming them."""
    with pytest.raises(ModelfitError, match=r"missing column\(s\) capital"):
        simulate_outcomes(company().drop(columns=["capital"]), seed=0)


def test_outcome_model_never_reads_the_framework() -> None:
    """outcome.py imports neither the framework, scoring nor recommend, nor names framework.yaml."""
    source = resources.files("modelfit").joinpath("outcome.py").read_text("utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not imported & {"modelfit.framework", "modelfit.scoring", "modelfit.recommend",
                           "modelfit.features"}
    assert "framework.yaml" not in source
