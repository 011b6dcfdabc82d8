"""Dated rules in the money plan (modelfit.outcome.rules, data/rules.yaml): the duties, parcel
reliefs and VAT in force on an as-of date, unknown shown as unknown, and --as-of on economics."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from modelfit import Profile
from modelfit.core.vocab import MARKETS
from modelfit.outcome.assumptions import load_assumptions
from modelfit.outcome.economics import money_plan
from modelfit.outcome.rules import KEYS, apply_rules, dated_assumptions, load_rules, rule_entries

EU_SELLER = {"company": "EU Parcels", "stage": "startup", "capital": 1, "supply_chain": 3,
             "brand_content": 2, "tech_data": 2, "category": "home", "avg_order_value_usd": 30,
             "gross_margin_pct": 70, "marketing_budget_usd": 2000, "target_markets": ["eu"],
             "existing_channels": []}


def test_the_outcome_models_values_are_the_rules_in_force_on_its_date() -> None:
    """outcomes.yaml carries the dated rules of settings.rules_as_of (the US duty stack and the
    market layer's VAT, EU parcel duty and de minimis): training and the rules cannot drift."""
    a = load_assumptions()
    day = a["settings"]["rules_as_of"]
    assert isinstance(day, date)
    assert apply_rules(a, day)["markets"] == a["markets"]
    assert dated_assumptions(a, MARKETS, day)[0]["markets"] == a["markets"]


def test_every_rule_loads_with_its_records() -> None:
    rules = load_rules()
    assert tuple(rules) == KEYS
    assert all(rule.records for rule in rules.values())


def test_the_us_surcharge_is_unknown_after_section_122_and_never_zero() -> None:
    """After 24 July 2026 the sources do not say: the value is unknown (None), the figures use
    the planned rate and say how, and a warning names it."""
    entries = {r["key"]: r for r in rule_entries(date(2026, 12, 1))}
    surcharge = entries["us_surcharge"]
    assert surcharge["value"] is None
    assert surcharge["planned"] == 0.10
    assert "judged" in surcharge["how"]
    assert {r["key"]: r for r in rule_entries(date(2026, 3, 1))}["us_surcharge"]["value"] == 0.10
    assert {r["key"]: r for r in rule_entries(date(2025, 12, 1))}["us_surcharge"]["value"] == 0.20
    us = Profile.from_mapping({**EU_SELLER, "target_markets": ["us"]})
    plan = money_plan(us, "dropshipping", as_of=date(2026, 12, 1))
    unknown = [w for w in plan.warnings if w["code"] == "rule_unknown"]
    assert len(unknown) == 1
    assert "is not known for 2026-12-01" in unknown[0]["text"]
    zh = money_plan(us, "dropshipping", as_of=date(2026, 12, 1), lang="zh")
    assert any("暂无可靠数据" in w["text"] for w in zh.warnings)
    assert not [w for w in money_plan(us, "dropshipping", as_of=date(2026, 3, 1)).warnings
                if w["code"] == "rule_unknown"]


def test_the_eu_parcel_duty_separates_30_june_from_2_july() -> None:
    """An EU seller's parcels pay the EUR 3 duty from 1 July 2026: the dropshipping order's
    duties differ by exactly EUR 3 at the planning rate, and before it the duty is a change
    ahead."""
    seller = Profile.from_mapping(EU_SELLER)
    before = money_plan(seller, "dropshipping", as_of=date(2026, 6, 30))
    after = money_plan(seller, "dropshipping", as_of=date(2026, 7, 2))
    duty = {d: p.models["distribution"]["per_order"]["duties_taxes_usd"]
            for d, p in (("before", before), ("after", after))}
    assert round(duty["after"] - duty["before"], 2) == 3.48  # EUR 3 at USD 1.16
    eu = {r["key"]: r for r in before.rules}["markets.eu_parcel_duty_usd"]
    assert eu["value"] == 0.0
    assert [x["value"] for x in eu["ahead"]] == [3]
    assert {r["key"]: r for r in after.rules}["markets.eu_parcel_duty_usd"]["value"] == 3.48
    assert (before.as_of, after.as_of) == ("2026-06-30", "2026-07-02")
    assert "us_surcharge" not in {r["key"] for r in before.rules}  # an EU-only seller


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "modelfit.cli", *argv], capture_output=True,
                          text=True, check=False)


def test_economics_as_of_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "eu.yaml"
    path.write_text(json.dumps(EU_SELLER), "utf-8")
    out = {}
    for day in ("2026-06-30", "2026-07-02"):
        done = run("economics", str(path), "--json", "--kind", "dropshipping", "--as-of", day)
        assert done.returncode == 0, done.stderr
        out[day] = json.loads(done.stdout)
    a, b = (out[d]["models"]["distribution"]["per_order"]["duties_taxes_usd"]
            for d in ("2026-06-30", "2026-07-02"))
    assert round(b - a, 2) == 3.48
    assert out["2026-07-02"]["as_of"] == "2026-07-02"
    text = run("economics", str(path), "--as-of", "2026-06-30")
    assert "Duties and taxes as of 2026-06-30" in text.stdout
    assert "ahead: 3 from 2026-07-01" in text.stdout


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "02/07/2026"])
def test_a_bad_as_of_date_exits_2_naming_it(bad: str) -> None:
    done = run("economics", "params/demo.yaml", "--as-of", bad)
    assert done.returncode == 2
    assert done.stderr == (f"modelfit: --as-of: {bad!r} is not a date; give YYYY-MM-DD, "
                           "e.g. 2026-07-02\n")
    assert done.stdout == ""
