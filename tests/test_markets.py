"""The market layer: the dated, sourced data of data/markets.yaml, the answer for a company
(platforms ranked with their variant, routes costed, rules in force and ahead), the
`modelfit markets` command and `markets` in `recommend --json`."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelfit import load_profile
from modelfit.cli import main
from modelfit.core.dated import GRADES
from modelfit.core.errors import ModelfitError
from modelfit.decision.framework import Framework
from modelfit.decision.markets import company_type, market_answer, resolve_rate
from modelfit.decision.recommend import recommend
from modelfit.inputs.markets_data import load_markets, records_of
from modelfit.views.markets import format_markets
from tests.test_zh_text import lint

ROOT = Path(__file__).resolve().parents[1]
BEFORE, AFTER = date(2026, 6, 30), date(2026, 7, 2)


def _raw() -> dict[str, Any]:
    text = resources.files("modelfit").joinpath("data", "markets.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def _records(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping of the file that is a dated record (it has a valid_from)."""
    if isinstance(node, dict):
        if "valid_from" in node:
            yield where, node
            return
        for key, value in node.items():
            yield from _records(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _records(value, f"{where}[{i}]")


def _answer(company: str, as_of: date, lang: str = "en") -> Any:
    fw = Framework.load()
    profile = load_profile(ROOT / "params" / f"{company}.yaml")
    rec = recommend(profile, fw, lang)
    return market_answer(profile, channels=rec.channels,
                         plan_name=fw.model_name(rec.primary, lang), lang=lang, as_of=as_of)


def _market(answer: dict[str, Any], market: str) -> dict[str, Any]:
    return next(m for m in answer["markets"] if m["market"] == market)


def test_every_value_has_a_grade_and_a_source_or_a_judgement() -> None:
    """Each record of the shipped file names a grade, and a source id of `sources:` (or, only
    when judged, what it was judged from); each source has publisher, title, year, address."""
    data = _raw()
    sources = data["sources"]
    found = list(_records({k: v for k, v in data.items() if k != "sources"}))
    assert len(found) > 150
    for where, record in found:
        assert record.get("grade") in GRADES, where
        assert "value" in record, where
        if record["grade"] == "judged":
            assert record.get("judgement"), where
        else:
            assert record.get("source") in sources, where
    for key, source in sources.items():
        assert source["publisher"], key
        assert source["title"], key
        assert 1990 <= source["year"] <= 2026, key
        assert source["url"].startswith(("https://", "http://")), key
    assert len(records_of(load_markets())) == len(found)


def test_the_bundled_file_reads_strictly_as_it_reads_fast() -> None:
    """The bundled file, read as an edited copy (strict: no anchors, no duplicate keys, nesting
    capped), gives the same data as the fast read of the package's own file."""
    path = Path(str(resources.files("modelfit").joinpath("data", "markets.yaml")))
    strict, fast = load_markets(path), load_markets()
    assert (strict.platforms, strict.routes, strict.rules, strict.fx_usd) == (
        fast.platforms, fast.routes, fast.rules, fast.fx_usd)


def test_a_record_without_a_source_is_refused(tmp_path: Path) -> None:
    """A copy of the file whose record lost its source fails to load, naming the file, the
    place and what is needed."""
    text = resources.files("modelfit").joinpath("data", "markets.yaml").read_text("utf-8")
    bad = text.replace("    monthly_fee:\n      - {value: 39.99, valid_from: 2020-01-01, grade: "
                       "official, source: amazon_us_fees, ",
                       "    monthly_fee:\n      - {value: 39.99, valid_from: 2020-01-01, grade: "
                       "official, ", 1)
    assert bad != text
    path = tmp_path / "markets.yaml"
    path.write_text(bad, "utf-8")
    with pytest.raises(ModelfitError, match=re.escape(
            f"{path}: platforms.amazon_us.monthly_fee[0].source is missing; a official value "
            "needs its publisher, title, year and url")):
        load_markets(path)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("source: amazon_us_fees,", "source: nowhere,",
     "platforms.amazon_us.monthly_fee[0].source is 'nowhere', not an id of sources:"),
    ("variant: full_managed", "variant: fully_managed",
     "platforms.temu_full_us.variant is 'fully_managed'; allowed: self_run, semi_managed, "
     "full_managed"),
    ("market: jp\n    kind: registration", "market: mars\n    kind: registration",
     "rules.jp_ior.market is 'mars'; allowed:"),
])
def test_a_bad_entry_is_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    """An unknown source id, variant or market is one line naming the place and the value."""
    text = resources.files("modelfit").joinpath("data", "markets.yaml").read_text("utf-8")
    assert old in text
    path = tmp_path / "markets.yaml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(ModelfitError, match=re.escape(message)):
        load_markets(path)


def test_a_managed_programme_must_say_what_the_seller_gives_up(tmp_path: Path) -> None:
    """A full- or semi-managed programme without `gives_up` is refused."""
    data = _raw()
    for p in data["platforms"]:
        if p["id"] == "temu_semi_us":
            del p["gives_up"]
    path = tmp_path / "markets.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ModelfitError, match=re.escape(
            "platforms.temu_semi_us.gives_up is missing; a semi_managed programme must say")):
        load_markets(path)


def test_forge_gets_platforms_managed_programmes_routes_and_rules() -> None:
    """The done-when of issue 23 for forge (US, EU, SEA): per market at least three platforms
    with commission, variant and source; managed programmes with what is given up; at least
    two routes with cost and days; rules with dates; GPSR, IOSS and the US de minimis end."""
    answer = _answer("forge", date(2026, 12, 6)).to_dict()
    assert answer["company_type"] == "factory"
    for market in answer["markets"]:
        assert len(market["platforms"]) >= 3, market["market"]
        for p in market["platforms"]:
            assert "commission_pct" in p
            assert p["variant"] in ("self_run", "semi_managed", "full_managed")
            assert p["commission"]["grade"] in GRADES
            assert p["commission"]["source"] or p["commission"]["judgement"]
        costed = [r for r in market["routes"] if r["cost_per_order_usd"] and r["days"]]
        assert len(costed) >= 2, market["market"]
        assert all(c["record"]["valid_from"] for c in market["compliance"])
    us, eu = _market(answer, "us"), _market(answer, "eu")
    assert {m["id"] for m in us["managed"]} >= {"temu_full_us", "tiktok_full",
                                                  "aliexpress_choice", "temu_semi_us"}
    assert all(m["gives_up"] for m in us["managed"])
    assert all(m["fit"] == "good" for m in us["managed"])
    assert {c["id"] for c in eu["compliance"]} >= {"eu_gpsr", "eu_ioss"}
    gpsr = next(c for c in eu["compliance"] if c["id"] == "eu_gpsr")
    assert gpsr["record"]["valid_from"] == "2024-12-13"
    de_minimis = next(c for c in us["compliance"] if c["id"] == "us_de_minimis")
    assert (de_minimis["record"]["valid_from"], de_minimis["record"]["value"]) == ("2025-08-29", 0)
    assert [c["id"] for c in us["changes_ahead"]] == ["us_de_minimis_statute"]


def test_the_eu_parcel_duty_is_ahead_on_30_june_and_in_force_on_2_july() -> None:
    """The €3 duty per item category starts on 1 July 2026: a change ahead the day before,
    a rule in force the day after."""
    before = _market(_answer("forge", BEFORE).to_dict(), "eu")
    after = _market(_answer("forge", AFTER).to_dict(), "eu")
    assert "eu_duty_eur3" in [c["id"] for c in before["changes_ahead"]]
    assert "eu_duty_eur3" not in [c["id"] for c in before["compliance"]]
    duty = next(c for c in after["compliance"] if c["id"] == "eu_duty_eur3")
    assert duty["record"]["value"] == 3
    assert "eu_duty_eur3" not in [c["id"] for c in after["changes_ahead"]]


def test_a_brand_led_company_sees_why_full_managed_does_not_fit() -> None:
    """lumen (brand 5): every full-managed programme does not fit, with the reason, and sits
    below every self-run store."""
    answer = _answer("lumen", date(2026, 12, 6))
    assert answer.company_type == "brand"
    for market in answer.markets:
        fits = [f.fit for f in market.platforms]
        full = [f for f in market.platforms if f.platform.variant == "full_managed"]
        assert full
        assert all(f.fit == "poor" for f in full)
        assert all("does not fit a brand-led company" in f.why[0] for f in full)
        assert fits == sorted(fits, key=("good", "possible", "poor").index)


def test_company_type_follows_the_stated_rule() -> None:
    """factory: supply chain >= 4 and (capital <= 3 or brand <= 2); brand: brand >= 4."""
    base = load_profile(ROOT / "params" / "forge.yaml")
    assert company_type(base) == "factory"
    assert company_type(base.model_copy(update={"capital": 4, "brand_content": 3})) == "balanced"
    assert company_type(base.model_copy(update={"supply_chain": 3, "brand_content": 4})) == "brand"


def test_commission_for_a_category_falls_back_to_the_default() -> None:
    """A mapping by category gives the category's rate, else the default; a band stays a band."""
    assert resolve_rate({"default": 15, "electronics": 8}, "electronics") == (8.0, 8.0)
    assert resolve_rate({"default": 15, "electronics": 8}, "sports") == (15.0, 15.0)
    assert resolve_rate({"default": None, "apparel": 11}, "sports") is None
    assert resolve_rate([8, 15], "home") == (8.0, 15.0)


def test_route_costs_and_the_volume_at_which_sea_beats_air_by_hand() -> None:
    """forge (sports, 1.2 kg an order), US: air DDP $3.5-8/kg + $3.45-5.75 handling =
    $7.65-15.35; sea $1.8-3.2/kg + the same = $5.61-9.59; sea's $400 a month against air's
    $150 pays from ceil(250 / (11.50 - 7.60)) = 65 orders a month."""
    us = _market(_answer("forge", date(2026, 12, 6)).to_dict(), "us")
    routes = {r["id"]: r for r in us["routes"]}
    assert routes["air_fba_us"]["cost_per_order_usd"] == [7.65, 15.35]
    assert routes["sea_fba_us"]["cost_per_order_usd"] == [5.61, 9.59]
    assert routes["sea_fba_us"]["wins_from_orders_month"] == math.ceil(250 / (11.5 - 7.6)) == 65
    assert routes["sea_fba_us"]["wins_over"] == "air_fba_us"
    assert routes["parcel_us"]["cost_per_order_usd"] is None  # unsourced: null, never 0


def test_unknown_values_are_null_in_json_and_named_in_text() -> None:
    """An unsourced commission is null in JSON and reads unknown / 暂无可靠数据 in text."""
    answer = _answer("forge", date(2026, 12, 6))
    sea = _market(answer.to_dict(), "sea")
    tiktok = next(p for p in sea["platforms"] if p["id"] == "tiktok_sea")
    assert tiktok["commission_pct"] is None
    assert tiktok["commission"]["value"] is None
    text = format_markets(answer, "Forge")
    assert "commission: unknown" in text
    assert "commission: 0%; monthly fee: unknown" not in text
    zh = format_markets(_answer("forge", date(2026, 12, 6), "zh"), "Forge")
    assert "佣金：暂无可靠数据" in zh


def test_every_zh_line_reads_as_a_consultant_writes() -> None:
    """The Chinese answer of forge and lumen: full-width punctuation, no lint defect, no
    English label."""
    for company in ("forge", "lumen"):
        zh = format_markets(_answer(company, AFTER, "zh"), company)
        for line in zh.splitlines():
            assert lint(line) == [], line
            assert not re.search(r"[\u4e00-\u9fff][,:;()]", line), line
        for word in ("commission", "unknown", "self-run", "fits", "why:"):
            assert word not in zh


def test_the_markets_command_as_json_and_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    """`modelfit markets PATH --json --as-of D` prints the answer for day D; a bad date exits
    2 with one line naming the option and the value."""
    assert main(["markets", str(ROOT / "params" / "forge.yaml"), "--json",
                 "--as-of", "2026-07-02"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2026-07-02"
    assert [m["market"] for m in out["markets"]] == ["us", "eu", "sea"]
    assert main(["markets", str(ROOT / "params" / "forge.yaml"), "--as-of", "30/06/2026"]) == 2
    assert capsys.readouterr().err == ("modelfit: --as-of: '30/06/2026' is not a date; give "
                                       "YYYY-MM-DD, e.g. 2026-07-02\n")


def test_the_markets_command_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    """`--lang zh` prints the section in Chinese."""
    assert main(["markets", str(ROOT / "params" / "lumen.yaml"), "--lang", "zh",
                 "--as-of", "2026-12-06"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("市场与平台：Lumen Skin Lab")
    assert "不适合品牌驱动型企业" in out


def test_recommend_json_carries_the_markets() -> None:
    """`modelfit.analyse(...).to_dict()` (= `recommend --json`) has `markets` for the day."""
    from modelfit import analyse

    profile = load_profile(ROOT / "params" / "forge.yaml")
    result = analyse(profile, as_of=AFTER).to_dict()
    assert result["markets"]["as_of"] == "2026-07-02"
    assert result["markets"] == _answer("forge", AFTER).to_dict()
    assert {"economics", "robustness", "primary", "scores"} <= set(result)


def test_the_refresh_tool_lists_what_expires_and_refuses_a_bad_file(tmp_path: Path) -> None:
    """tools/markets_check.py names the Section 122 record ending on 24 July 2026 as expiring
    within 90 days of 30 June, the €3 duty as starting; a file without a source exits 2."""
    import subprocess
    import sys

    tool = str(ROOT / "tools" / "markets_check.py")
    done = subprocess.run([sys.executable, tool, "--as-of", "2026-06-30"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    expiring_part = done.stdout.split("expire within 90 days")[1].split("start within")[0]
    assert "2026-07-24  rules.us_section_122.records[0]" in expiring_part
    assert "2026-07-01  rules.eu_duty_eur3.records[0]" in done.stdout.split("start within")[1]
    bad = tmp_path / "markets.yaml"
    text = resources.files("modelfit").joinpath("data", "markets.yaml").read_text("utf-8")
    bad.write_text(text.replace("source: eurlex_gpsr, ", "", 1), "utf-8")
    done = subprocess.run([sys.executable, tool, str(bad)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert "rules.eu_gpsr.records[0].source is missing" in done.stderr
