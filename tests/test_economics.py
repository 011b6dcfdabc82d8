"""The money plan: its JSON contract, per-order parts that add up, kinds of distribution, the
`modelfit economics` command and `recommend --json`'s `economics`."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
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
    ("en", ("The economics", "break-even month", "contribution", "Marketplace platform")),
    ("zh", ("经济账", "回本月份", "单笔贡献", "平台模式")),
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
    assert data["economics"] == money_plan(profile, kind).to_dict()


@pytest.mark.parametrize(("lang", "heading"), [("en", "## The economics"), ("zh", "## 经济账")])
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
