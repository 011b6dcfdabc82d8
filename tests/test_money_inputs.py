"""The money inputs beside the profile fields (modelfit.inputs.money): product_cost_pct,
cash_usd and the running channels' `current:` figures, validated one line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modelfit import Profile, ProfileError, load_profile
from modelfit.inputs.money import definition
from modelfit.views.assessment import questionnaire

from .conftest import PARAMS

BASE = {"company": "Acme", "stage": "growth", "capital": 3, "supply_chain": 3,
        "brand_content": 3, "tech_data": 3, "existing_channels": ["platform"]}


def problems(extra: dict[str, object]) -> tuple[str, ...]:
    with pytest.raises(ProfileError) as caught:
        Profile.from_mapping({**BASE, **extra}, source="acme.yaml")
    return caught.value.problems


def test_product_cost_wins_over_the_margin() -> None:
    profile = Profile.from_mapping({**BASE, "gross_margin_pct": 48, "product_cost_pct": 25})
    assert profile.margin_pct == 75.0
    assert profile.outcome_fields()["gross_margin_pct"] == 75.0
    assert profile.fields()["gross_margin_pct"] == 48.0  # as written
    assert Profile.from_mapping({**BASE, "gross_margin_pct": 48}).margin_pct == 48.0


def test_money_inputs_survive_a_round_trip() -> None:
    data = {**BASE, "product_cost_pct": 30, "cash_usd": 20000,
            "current": {"platform": {"monthly_revenue_usd": 50000, "fees_usd": 12000}}}
    profile = Profile.from_mapping(data)
    again = Profile.from_mapping(profile.params())
    assert (again.product_cost_pct, again.cash_usd, again.current) == (
        30.0, 20000.0, {"platform": {"monthly_revenue_usd": 50000.0, "fees_usd": 12000.0}})


@pytest.mark.parametrize(("extra", "line"), [
    ({"product_cost_pct": 100}, "acme.yaml: product_cost_pct must be a number above 0 and below "
                                "100 (% of the consumer price), got 100"),
    ({"product_cost_pct": "25%"}, "acme.yaml: product_cost_pct must be a number above 0 and "
                                  "below 100 (% of the consumer price), got '25%'"),
    ({"cash_usd": float("nan")}, "acme.yaml: cash_usd must be a number from 0 to "
                                 "10,000,000,000 (USD), got nan"),
    ({"current": {"platform": {"monthly_orders": -5}}},
     "acme.yaml: current.platform.monthly_orders must be a number from 0 to 1,000,000,000 "
     "(orders a month), got -5"),
    ({"current": {"platform": {"ad_spend_usd": 100}}},
     "acme.yaml: current.platform needs monthly_orders or monthly_revenue_usd above 0 (the "
     "channel's sales a month)"),
    ({"current": {"platform": {"monthly_orders": 10, "profit": 1}}},
     "acme.yaml: current.platform has 'profit'; allowed: monthly_orders, monthly_revenue_usd, "
     "ad_spend_usd, fees_usd"),
    ({"current": {"independent_site": {"monthly_orders": 10}}},
     "acme.yaml: current.independent_site is given but existing_channels does not list "
     "independent_site; add it there or remove current.independent_site"),
    ({"current": {"amazon": {"monthly_orders": 10}}},
     "acme.yaml: current has 'amazon'; allowed channels: platform, distribution, "
     "independent_site"),
    ({"current": {"platform": {"monthly_orders": 10, "fees_usd": 500}}},
     "acme.yaml: current.platform.fees_usd is 500, more than the channel's sales of 400 a "
     "month; fees are paid out of sales, give at most the monthly sales"),
    ({"current": "lots"}, "acme.yaml: current must be a mapping of running channel to its "
                          "monthly figures (platform, distribution, independent_site), got the "
                          "text 'lots'"),
])
def test_a_bad_money_input_is_one_line(extra: dict[str, object], line: str) -> None:
    assert problems(extra) == (line,)


def test_a_bad_money_input_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text("company: Acme\nstage: growth\ncapital: 3\nsupply_chain: 3\n"
                    "brand_content: 3\ntech_data: 3\ncash_usd: lots\n", "utf-8")
    done = subprocess.run([sys.executable, "-m", "modelfit.cli", "economics", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr == (f"modelfit: {path}: cash_usd must be a number from 0 to "
                           "10,000,000,000 (USD), got 'lots'\n")
    assert done.stdout == ""


def test_the_demo_gives_its_real_amazon_figures() -> None:
    demo = load_profile(PARAMS / "demo.yaml")
    assert demo.product_cost_pct == 25.0
    assert demo.current is not None
    assert set(demo.current) == {"platform"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_questionnaire_defines_the_margin_and_the_money_inputs(lang: str) -> None:
    from modelfit.decision.framework import Framework

    text = questionnaire(Framework.load(), lang)
    for name in ("gross_margin_pct", "product_cost_pct", "cash_usd", "current"):
        assert definition(name, lang) in text
    assert "出厂采购成本" in definition("gross_margin_pct", "zh")
