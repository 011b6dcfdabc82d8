"""Outcome model: one order's economics by hand, wholesale and landed costs, stage as an input,
funding failure, hybrid, labels and their mix, sources and ranges, independence."""

from __future__ import annotations

import ast
import copy
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelfit import ModelfitError
from modelfit.core.vocab import MODELS
from modelfit.outcome.assumptions import (
    assumption_table,
    judged_share,
    load_assumptions,
    vary_assumption,
)
from modelfit.outcome.flows import KINDS, PARTS, prepare, runoff_value, unit_economics
from modelfit.outcome.labels import best_model_labels, label_mix
from modelfit.outcome.simulation import simulate_outcomes
from modelfit.outcome.synthetic import generate_profiles


def company(**fields: Any) -> pd.DataFrame:
    """One company: growth, average ratings, category other, $100 orders, 75% margin, US only."""
    base: dict[str, Any] = {
        "company": "Case", "stage": "growth", "capital": 5, "supply_chain": 3,
        "brand_content": 3, "tech_data": 3, "category": "other", "avg_order_value_usd": 100.0,
        "gross_margin_pct": 75.0, "marketing_budget_usd": 1000.0, "team_size": 10,
        "target_markets": ("us",), "existing_channels": (),
    }
    base.update(fields)
    return pd.DataFrame([base])


@pytest.fixture
def exact() -> dict[str, Any]:
    """The bundled assumptions without noise, spending the whole budget (one spend level)."""
    a = copy.deepcopy(load_assumptions())
    a["settings"]["demand_sd"] = 0.0
    a["settings"]["capital_sd"] = 0.0
    a["settings"]["spend_levels"] = [1.0]
    return a


def units(frame: pd.DataFrame, channel: str, a: dict[str, Any]) -> dict[str, float]:
    rows = prepare(frame, a, np.random.default_rng(0))
    return {k: float(v[0]) for k, v in unit_economics(rows, channel, a).items()}


def test_platform_order_by_hand_for_the_us(exact: dict[str, Any]) -> None:
    """A $100 order, 75% margin, category other, US: product $25; referral 15% + other fees 5%
    = $20; FBA large $6.57 + container freight 8% of $25; duty 28% of $25 (no de minimis for
    stock either); no VAT (US sales tax is the buyer's); returns 12% x (100 - 0.7 x 25 + 6.57)."""
    u = units(company(), "platform", exact)
    assert u["net_price_usd"] == 100.0
    assert u["product_cost_usd"] == pytest.approx(25.0)
    assert u["channel_fees_usd"] == pytest.approx(20.0)
    assert u["logistics_usd"] == pytest.approx(6.57 + 2.0)
    assert u["duties_taxes_usd"] == pytest.approx(0.28 * 25.0)
    assert u["returns_usd"] == pytest.approx(0.12 * (100 - 17.5 + 6.57))


def test_eu_vat_is_remitted_on_kept_orders(exact: dict[str, Any]) -> None:
    """In the EU the consumer price includes 20.5% VAT: the seller remits 0.205/1.205 of the
    price on every order not refunded, plus 5% duty on the product cost."""
    u = units(company(target_markets=("eu",)), "independent_site", exact)
    vat = 100 * 0.205 / 1.205 * (1 - 0.12)
    assert u["duties_taxes_usd"] == pytest.approx(vat + 0.05 * 25.0)


def test_distributors_pay_the_brand_its_wholesale_price(exact: dict[str, Any]) -> None:
    """Through distributors the brand receives its ex-works price: 40% of the pre-VAT retail
    price (category other) less the importer's duty; in the US 100 x 0.40 / 1.28 = $31.25,
    well under two thirds of retail, and it pays no duty or VAT itself."""
    u = units(company(), "distributors", exact)
    assert u["net_price_usd"] == pytest.approx(40 / 1.28)
    assert u["duties_taxes_usd"] == 0.0
    assert u["returns_usd"] == pytest.approx(0.02 * 40 / 1.28)


def test_small_b_gets_the_distributor_markup_less_commission(exact: dict[str, Any]) -> None:
    """Selling to small retailers (小B端) the brand keeps the distributor's 25% markup and pays a
    15% marketplace commission on it."""
    u = units(company(), "small_b", exact)
    assert u["net_price_usd"] == pytest.approx(1.25 * 40 / 1.28)
    assert u["channel_fees_usd"] == pytest.approx(0.15 * 1.25 * 40 / 1.28)


def test_dropshipping_parcels_pay_us_duty_but_not_uk(exact: dict[str, Any]) -> None:
    """A parcel to a US consumer pays the full duty since de minimis ended (28% of the product
    cost); to the UK it pays none below GBP 135 but the VAT (20/120 of kept orders)."""
    us = units(company(), "dropshipping", exact)
    uk = units(company(target_markets=("uk",)), "dropshipping", exact)
    assert us["duties_taxes_usd"] == pytest.approx(0.28 * 25.0)
    assert uk["duties_taxes_usd"] == pytest.approx(100 * 0.2 / 1.2 * (1 - 0.12))
    assert us["product_cost_usd"] == 25.0  # the company's own product cost, from its margin


def test_dropshipping_ad_returns_follow_order_value(exact: dict[str, Any]) -> None:
    """Dropshipping's customers per ad dollar come from the category's acquisition cost at the
    company's own order value, and each order earns the company's own margin: no fixed return
    per ad dollar. A $20 order at 40% margin loses on every ad dollar; a $150 order at 85%
    margin loses far less (one-off orders rarely repay a paid customer: no repeat buyers)."""
    cheap = simulate_outcomes(company(avg_order_value_usd=20.0, gross_margin_pct=40.0), 0,
                              exact, distribution_kinds=("dropshipping",))
    rich = simulate_outcomes(company(avg_order_value_usd=150.0, gross_margin_pct=85.0), 0,
                             exact, distribution_kinds=("dropshipping",))
    assert cheap.loc[0, "value_distribution"] < rich.loc[0, "value_distribution"]
    assert cheap.loc[0, "value_distribution"] < 0


def test_every_order_part_adds_up(exact: dict[str, Any]) -> None:
    """Each channel's parts are non-negative costs below a positive price."""
    frame = company(target_markets=("us", "eu", "uk"))
    for channel in ("platform", "independent_site", *KINDS):
        u = units(frame, channel, exact)
        assert set(u) == set(PARTS) - {"ads_usd"}
        assert u["net_price_usd"] > 0
        assert all(u[k] >= 0 for k in u)


def test_a_running_site_compounds_from_its_customers(exact: dict[str, Any]) -> None:
    """A mature brand's own site starts from the customers it already has (its budget over the
    mature marketing share, as revenue, divided by order value x repeat rate): worth more than
    the same site launched from nothing, and more than a growth firm's."""
    running = simulate_outcomes(company(stage="mature", existing_channels=("independent_site",)),
                                0, exact)
    new = simulate_outcomes(company(stage="mature"), 0, exact)
    growth = simulate_outcomes(company(existing_channels=("independent_site",)), 0, exact)
    assert running.loc[0, "value_independent_site"] > new.loc[0, "value_independent_site"]
    assert running.loc[0, "value_independent_site"] > growth.loc[0, "value_independent_site"]


def test_leaving_out_a_running_channel_lets_it_run_off(exact: dict[str, Any]) -> None:
    """A plan without the running site still earns the site's base running off (no marketing):
    the platform plan of a site owner is worth more than a newcomer's."""
    owner = simulate_outcomes(company(stage="mature", existing_channels=("independent_site",)),
                              0, exact)
    newcomer = simulate_outcomes(company(stage="mature"), 0, exact)
    assert owner.loc[0, "value_platform"] > newcomer.loc[0, "value_platform"]


def test_plans_name_their_kind_of_distribution(exact: dict[str, Any]) -> None:
    """A distribution plan names its kind; limiting the kinds limits the plans."""
    out = simulate_outcomes(company(), 0, exact, distribution_kinds=("small_b",))
    assert out.loc[0, "plan_distribution"].startswith("small_b ")
    with pytest.raises(ModelfitError, match=r"distribution_kinds must be some of dropshipping"):
        simulate_outcomes(company(), 0, exact, distribution_kinds=("wholesale",))


def test_runoff_value_by_hand(exact: dict[str, Any]) -> None:
    """$1,000 a month retained 90% a month, $500 fixed: months 1-6 pay (0.9^7 x 1000 < 500).

    Value = sum over k = 1..6 of (1000 x 0.9^k - 500) / 1.0095^k = 1,189.35; never negative.
    """
    value = runoff_value(np.array([1000.0, 100.0]), 0.9, 500.0, exact)
    expected = sum((1000 * 0.9**k - 500) / 1.0095**k for k in range(1, 7))
    assert value[0] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(1189.35, abs=0.01)
    assert value[1] == 0.0


def test_a_model_the_company_cannot_fund_fails(exact: dict[str, Any]) -> None:
    """Capital rating 1 ($10,000) cannot pay an own site's $12,000 set-up: it fails, losing all
    its capital."""
    cash = float(exact["capital_usd"][1])
    assert cash < float(exact["channels"]["setup_usd"]["independent_site"])
    out = simulate_outcomes(company(capital=1), seed=0, assumptions=exact)
    assert bool(out.loc[0, "failed_independent_site"])
    assert out.loc[0, "profit_independent_site"] == pytest.approx(-cash)
    assert out.loc[0, "plan_independent_site"] == ""


def test_hybrid_wins_where_channels_together_beat_each_alone(exact: dict[str, Any]) -> None:
    """A rich beauty brand spending $20K a month saturates a marketplace store: a store with
    distributors beside it pays most (outcome model 2.3.0: its own site does not pay back its
    customers within the stop rule's window, so the winning split is store + distributors; at
    $60K a month the store alone is worth as much)."""
    frame = company(category="beauty", gross_margin_pct=80.0, avg_order_value_usd=40.0,
                    brand_content=5, tech_data=5, supply_chain=4, team_size=200,
                    marketing_budget_usd=20_000.0, target_markets=("us", "eu"))
    out = simulate_outcomes(frame, seed=0, assumptions=exact)
    others = [out.loc[0, f"value_{m}"] for m in MODELS if m != "hybrid"]
    assert out.loc[0, "value_hybrid"] > max(others)
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


def test_every_model_is_best_for_at_least_five_percent() -> None:
    """Sanity: on 4,000 synthetic companies each model is best for at least 5% of them (fewer
    would be a defect of the economics, not a finding)."""
    profiles = generate_profiles(4000, 2)
    mix = label_mix(profiles, best_model_labels(simulate_outcomes(profiles, 2)))
    assert list(mix.index) == ["all", "startup", "growth", "mature"]
    assert mix.loc["all"].min() >= 0.05


def test_every_assumption_has_a_range_and_a_source_or_judgement() -> None:
    """Each assumption carries a range, and a source (publisher, title, year, address) or a
    judgement that says what it was judged from; the judged share is a number in 0..1."""
    table = assumption_table()
    assert len(table) > 40
    assert table["range"].map(len).eq(2).all()
    sourced = table[~table["judged"]]
    assert sourced["url"].str.startswith("http").all()
    assert table.loc[table["judged"], "source"].str.len().min() > len("judgement: ") + 30
    assert 0.0 < judged_share() < 1.0


def test_the_economics_doc_tabulates_every_assumption_as_the_yaml_has_it() -> None:
    """docs/economics.md has one row per assumption, marked judgement exactly where the YAML
    judges it, scalar values as in the YAML, and states the current judged count."""
    doc = (Path(__file__).parents[1] / "docs" / "economics.md").read_text(encoding="utf-8")
    lines = doc.splitlines()
    start = lines.index("| assumption | value | range | source |") + 2
    rows = {}
    for line in lines[start:]:
        if not line.startswith("| `"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells
    table = assumption_table()
    for record in table.to_dict("records"):
        cells = rows[str(record["assumption"])]
        assert cells[3].startswith("**judgement**") == bool(record["judged"]), cells[0]
        if not isinstance(record["value"], dict):
            assert float(cells[1]) == pytest.approx(float(record["value"])), cells[0]
    judged = int(table["judged"].sum())
    assert f"Judged share: {judged} of {len(table)} assumptions" in doc


def test_an_assumption_without_source_is_refused(tmp_path: Path) -> None:
    """A copy with a value but no source is refused, naming the file and the assumption."""
    path = tmp_path / "outcomes.yaml"
    path.write_text("platform:\n  fee:\n    value: 0.1\n    range: [0, 1]\n", encoding="utf-8")
    with pytest.raises(ModelfitError, match=r"outcomes.yaml: platform.fee has no source"):
        load_assumptions(path)


def test_a_value_outside_its_range_is_refused(tmp_path: Path) -> None:
    """A value outside its own range is refused, naming it."""
    path = tmp_path / "outcomes.yaml"
    path.write_text("fee:\n  value: 2\n  range: [0, 1]\n  judgement: 'a guess from x'\n",
                    encoding="utf-8")
    with pytest.raises(ModelfitError, match=r"fee value 2 lies outside its range \[0, 1\]"):
        load_assumptions(path)


def test_vary_assumption_scales_tables_and_sets_numbers(exact: dict[str, Any]) -> None:
    """A number takes the bound; a table is multiplied by it; brand equity scales above 1."""
    assert vary_assumption(exact, "markets.duty_us", 0.2)["markets"]["duty_us"] == 0.2
    varied = vary_assumption(exact, "returns.rate", 1.4)["returns"]["rate"]
    assert varied["apparel"] == pytest.approx(0.28)
    equity = vary_assumption(exact, "stage.brand_equity", 0.5)["stage"]["brand_equity"]
    assert equity == {"startup": 1.0, "growth": 1.125, "mature": 1.3}


def test_missing_columns_are_named() -> None:
    """A frame without the needed columns raises ModelfitError naming them."""
    with pytest.raises(ModelfitError, match=r"missing column\(s\) capital"):
        simulate_outcomes(company().drop(columns=["capital"]), seed=0)


def test_outcome_model_never_reads_the_framework() -> None:
    """The outcome model (outcome/assumptions.py, flows.py, simulation.py, labels.py) imports
    neither the framework, scoring nor recommend, nor names framework.yaml."""
    sources = [resources.files("modelfit").joinpath("outcome", name).read_text("utf-8")
               for name in ("assumptions.py", "flows.py", "simulation.py", "labels.py")]
    source = "\n".join(sources)
    imported = set()
    for node in (n for text in sources for n in ast.walk(ast.parse(text))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not imported & {"modelfit.decision.framework", "modelfit.decision.scoring",
                           "modelfit.decision.recommend", "modelfit.decision.features"}
    assert "framework.yaml" not in source
