"""Dated, sourced values (modelfit.core.dated): reading records, picking the one in force, the
changes ahead and the ones about to end, and the --as-of date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from modelfit.core.dated import (
    GRADES,
    Dated,
    Source,
    ahead,
    expiring,
    parse_as_of,
    pick,
    read_records,
)
from modelfit.core.errors import ModelfitError
from modelfit.core.reading import StrictLoader

EU_DUTY = """
- value: null
  valid_from: 2020-01-01
  valid_to: 2026-06-30
  grade: judged
  judgement: no per-item duty before the reform; the amount was never set
- value: 3.0
  valid_from: 2026-07-01
  valid_to: null
  grade: official
  source: {publisher: Council of the EU, title: Customs duty on small parcels, year: 2025,
           url: "https://www.consilium.europa.eu/"}
  note: per item category, parcels under EUR 150
"""


def records(text: str) -> tuple[Dated, ...]:
    problems: list[str] = []
    read = read_records(yaml.load(text, Loader=StrictLoader),  # noqa: S506 - SafeLoader
                        "eu.parcel_duty", "rules.yaml", problems)
    assert problems == []
    return read


def problems_of(node: Any) -> list[str]:
    problems: list[str] = []
    read_records(node, "k", "rules.yaml", problems)
    return problems


def test_the_eu_parcel_duty_is_ahead_on_30_june_and_in_force_on_2_july() -> None:
    """The example of the contract: the €3 duty shows as a change ahead before 1 July 2026 and
    as the rule in force after it."""
    duty = records(EU_DUTY)
    before, after = date(2026, 6, 30), date(2026, 7, 2)
    assert pick(duty, before) is not None
    assert pick(duty, before).value is None
    assert [record.value for record in ahead(duty, before)] == [3.0]
    assert pick(duty, after) == duty[1]
    assert duty[1].value == 3.0
    assert ahead(duty, after) == ()
    assert duty[1].source == Source("Council of the EU", "Customs duty on small parcels", 2025,
                                    "https://www.consilium.europa.eu/")
    assert expiring(duty, date(2026, 6, 1)) == (duty[0],)
    assert expiring(duty, date(2026, 1, 1)) == ()
    assert duty[1].to_dict()["valid_from"] == "2026-07-01"


def test_both_ends_of_a_period_are_in_force() -> None:
    record = Dated(1, date(2026, 1, 1), date(2026, 1, 31), "judged", None, "a guess")
    assert record.in_force(date(2026, 1, 1))
    assert record.in_force(date(2026, 1, 31))
    assert not record.in_force(date(2025, 12, 31))
    assert not record.in_force(date(2026, 2, 1))
    assert pick([record], date(2026, 2, 1)) is None


def test_a_window_ahead_is_bounded() -> None:
    later = Dated(2, date(2027, 7, 1), None, "judged", None, "a guess")
    assert ahead([later], date(2026, 7, 1), days=364) == ()
    assert ahead([later], date(2026, 7, 1), days=365) == (later,)


@pytest.mark.parametrize(("node", "expected"), [
    ({"value": 1, "valid_from": "2026-13-01", "grade": "judged", "judgement": "x"},
     "rules.yaml: k.valid_from is '2026-13-01'; give the first day in force as YYYY-MM-DD"),
    ({"value": 1, "valid_from": "2026-01-01", "grade": "sure", "judgement": "x"},
     "rules.yaml: k.grade is 'sure'; allowed: official, trade press, vendor, judged"),
    ({"value": 1, "valid_from": "2026-01-01", "grade": "official"},
     "rules.yaml: k.source is missing; a official value needs its publisher, title, year and "
     "url (only a judged value may go without)"),
    ({"value": 1, "valid_from": "2026-01-01", "grade": "judged"},
     "rules.yaml: k.judgement is missing; give a text of at most 500 characters"),
    ({"value": float("nan"), "valid_from": "2026-01-01", "grade": "judged", "judgement": "x"},
     "rules.yaml: k.value is nan; give a finite number, a text, or null for unknown"),
    ({"value": 1, "valid_from": "2026-02-01", "valid_to": "2026-01-01", "grade": "judged",
      "judgement": "x"},
     "rules.yaml: k.valid_to 2026-01-01 is before valid_from 2026-02-01; the period must not "
     "end before it starts"),
    ({"value": 1, "valid_from": "2026-01-01", "grade": "judged", "judgement": "x", "rate": 2},
     "rules.yaml: k has the unknown field 'rate'; allowed: value, valid_from, valid_to, grade, "
     "source, judgement, note"),
    ({"value": 1, "valid_from": "2026-01-01", "grade": "vendor",
      "source": {"publisher": "P", "title": "T", "year": 25, "url": "ftp://x"}},
     "rules.yaml: k.source.year is 25; give a year such as 2025"),
    ("3%", "rules.yaml: k is the text '3%'; give a mapping with value, valid_from, valid_to, "
     "grade and source"),
    ([], "rules.yaml: k is an empty list; give at least one record"),
])
def test_a_bad_record_is_one_line_naming_file_place_value_and_what_is_allowed(
        node: Any, expected: str) -> None:
    assert problems_of(node)[0] == expected


def test_a_bad_url_is_named_too() -> None:
    node = {"value": 1, "valid_from": "2026-01-01", "grade": "vendor",
            "source": {"publisher": "P", "title": "T", "year": 2025, "url": "ftp://x"}}
    assert problems_of(node) == ["rules.yaml: k.source.url is 'ftp://x'; give an address "
                                 "starting with https:// or http://, or null"]


def test_overlapping_periods_of_one_key_are_a_problem() -> None:
    node = [{"value": 1, "valid_from": "2026-01-01", "valid_to": "2026-07-01", "grade": "judged",
             "judgement": "x"},
            {"value": 2, "valid_from": "2026-07-01", "grade": "judged", "judgement": "y"}]
    assert problems_of(node) == [
        "rules.yaml: k has overlapping periods: one from 2026-01-01 (2026-07-01), another from "
        "2026-07-01; end the first before the second starts"]
    node[0]["valid_to"] = "2026-06-30"
    assert problems_of(node) == []
    open_ended = [dict(node[1]), dict(node[0])]
    open_ended[1]["valid_from"] = "2027-01-01"
    del open_ended[1]["valid_to"]
    assert "overlapping periods" in problems_of(open_ended)[0]


def test_parse_as_of() -> None:
    assert parse_as_of("2026-07-02") == date(2026, 7, 2)
    assert parse_as_of(None) == date.today()
    for bad in ("2026-7-2", "02/07/2026", "2026-02-30", "", "tomorrow"):
        with pytest.raises(ModelfitError) as caught:
            parse_as_of(bad)
        assert caught.value.problems == (
            f"--as-of: {bad!r} is not a date; give YYYY-MM-DD, e.g. 2026-07-02",)
        assert caught.value.exit_status == 2


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(starts=st.lists(days, min_size=1, max_size=6, unique=True), as_of=days,
       window=st.integers(0, 800))
def test_picked_ahead_and_expiring_agree_with_the_periods(
        starts: list[date], as_of: date, window: int) -> None:
    """Back-to-back periods (each ends the day before the next starts): at most one is in
    force on any day, the one picked is in force, and `ahead` / `expiring` keep only what their
    windows say."""
    starts = sorted(starts)
    node = [{"value": i, "valid_from": start.isoformat(),
             "valid_to": (starts[i + 1] - timedelta(days=1)).isoformat()
             if i + 1 < len(starts) else None,
             "grade": GRADES[i % len(GRADES)], "judgement": "j",
             "source": {"publisher": "p", "title": "t", "year": 2025, "url": None}}
            for i, start in enumerate(starts)]
    problems: list[str] = []
    read = read_records(node, "k", "f", problems)
    assert problems == []
    assert len(read) == len(starts)
    live = [record for record in read if record.in_force(as_of)]
    assert len(live) <= 1
    assert pick(read, as_of) == (live[0] if live else None)
    assert (pick(read, as_of) is None) == (as_of < starts[0])
    for record in ahead(read, as_of, window):
        assert as_of < record.valid_from <= as_of + timedelta(days=window)
    assert len(ahead(read, as_of, window)) == sum(
        as_of < start <= as_of + timedelta(days=window) for start in starts)
    for record in expiring(read, as_of, window):
        assert record.in_force(as_of)
        assert record.valid_to is not None
        assert record.valid_to <= as_of + timedelta(days=window)
