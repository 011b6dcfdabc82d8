"""Dated, sourced values: a rule (a duty, a threshold, a rate) that is in force from one day to
another, with where it comes from and how sure it is.

One record in YAML:

    {value: 3.0, valid_from: 2026-07-01, valid_to: null, grade: official,
     source: {publisher: ..., title: ..., year: 2025, url: https://...}, note: ...}

A key holds one record or a list of them whose validity periods do not overlap; `pick` gives
the one in force on a day, `ahead` the ones that start within a window after it, `expiring`
the ones in force that end within a window. A value of None means unknown: it is shown as
"unknown" / "暂无可靠数据", never as 0.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from modelfit.core.errors import ModelfitError, kind, shown

__all__ = ["GRADES", "UNKNOWN", "Dated", "Source", "ahead", "expiring", "parse_as_of", "pick",
           "read_records"]

GRADES = ("official", "trade press", "vendor", "judged")
UNKNOWN = {"en": "unknown", "zh": "暂无可靠数据"}

RECORD_KEYS = ("value", "valid_from", "valid_to", "grade", "source", "judgement", "note")
SOURCE_KEYS = ("publisher", "title", "year", "url")
MAX_TEXT = 500  # characters of a publisher, title, judgement or note
MAX_DEPTH = 3   # nesting of a structured value (a mapping of rates, say)


@dataclass(frozen=True)
class Source:
    """Where a value comes from: publisher, title, year and (when it has one) its address."""

    publisher: str
    title: str
    year: int
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"publisher": self.publisher, "title": self.title, "year": self.year,
                "url": self.url}


@dataclass(frozen=True)
class Dated:
    """One value in force from `valid_from` to `valid_to` (inclusive; None = open-ended)."""

    value: Any
    valid_from: date
    valid_to: date | None
    grade: str
    source: Source | None
    judgement: str | None = None
    note: str | None = None

    def in_force(self, as_of: date) -> bool:
        """True when `as_of` lies within the validity period (both ends included)."""
        return self.valid_from <= as_of and (self.valid_to is None or as_of <= self.valid_to)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: dates as YYYY-MM-DD, the source as a mapping or None."""
        return {"value": self.value, "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat() if self.valid_to else None,
                "grade": self.grade,
                "source": self.source.to_dict() if self.source else None,
                "judgement": self.judgement, "note": self.note}


def parse_as_of(text: str | None, *, option: str = "--as-of") -> date:
    """The day named by `text` (YYYY-MM-DD); today when `text` is None. Anything else is a
    ModelfitError (exit 2) naming the option and the value."""
    if text is None:
        return date.today()
    if isinstance(text, str) and len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ModelfitError(f"{option}: {shown(text)} is not a date; give YYYY-MM-DD, e.g. 2026-07-02")


def day(raw: Any) -> date | None:
    """A YAML date (the loader makes one of 2026-07-01) or its ISO text; None when neither."""
    if isinstance(raw, datetime):
        return None
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str) and len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def plain(value: Any, depth: int = 0) -> bool:
    """True for a value a rule may hold: None, a bool, a finite number, text, or a list or
    mapping (text keys) of those, nested at most MAX_DEPTH deep."""
    if value is None or isinstance(value, (bool, int, str)):
        return not isinstance(value, str) or len(value) <= MAX_TEXT
    if isinstance(value, float):
        return math.isfinite(value)
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(plain(item, depth + 1) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and plain(item, depth + 1) for key, item in value.items())
    return False


def text(raw: Any, place: str, label: str, problems: list[str], *, required: bool) -> str | None:
    """A short, non-empty text field, or None (with a problem when it was required or bad)."""
    if raw is None:
        if required:
            problems.append(f"{label}: {place} is missing; give a text of at most {MAX_TEXT} "
                            "characters")
        return None
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_TEXT:
        problems.append(f"{label}: {place} is {shown(raw)}; give a non-empty text of at most "
                        f"{MAX_TEXT} characters")
        return None
    return raw


def read_source(raw: Any, where: str, label: str, problems: list[str]) -> Source | None:
    """The `source:` mapping of one record, or None with the problems appended."""
    if not isinstance(raw, Mapping):
        problems.append(f"{label}: {where}.source is {kind(raw)}; give a mapping with "
                        "publisher, title, year and url")
        return None
    before = len(problems)
    for key in raw:
        if key not in SOURCE_KEYS:
            problems.append(f"{label}: {where}.source has the unknown field {shown(key)}; "
                            f"allowed: {', '.join(SOURCE_KEYS)}")
    publisher = text(raw.get("publisher"), f"{where}.source.publisher", label, problems,
                     required=True)
    title = text(raw.get("title"), f"{where}.source.title", label, problems, required=True)
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        problems.append(f"{label}: {where}.source.year is {shown(year)}; give a year such as 2025")
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or len(url) > MAX_TEXT
                            or not url.startswith(("https://", "http://"))):
        problems.append(f"{label}: {where}.source.url is {shown(url)}; give an address starting "
                        "with https:// or http://, or null")
    if len(problems) > before or publisher is None or title is None or not isinstance(year, int):
        return None
    return Source(publisher, title, year, url)


def read_one(raw: Any, where: str, label: str, problems: list[str]) -> Dated | None:
    """One record mapping, or None with every problem of it appended."""
    if not isinstance(raw, Mapping):
        problems.append(f"{label}: {where} is {kind(raw)}; give a mapping with value, "
                        "valid_from, valid_to, grade and source")
        return None
    before = len(problems)
    for key in raw:
        if key not in RECORD_KEYS:
            problems.append(f"{label}: {where} has the unknown field {shown(key)}; allowed: "
                            f"{', '.join(RECORD_KEYS)}")
    if "value" not in raw:
        problems.append(f"{label}: {where}.value is missing; give a number, a text, or null "
                        "for unknown")
    elif not plain(raw["value"]):
        problems.append(f"{label}: {where}.value is {shown(raw['value'])}; give a finite number, "
                        "a text, or null for unknown")
    start = day(raw.get("valid_from"))
    if start is None:
        problems.append(f"{label}: {where}.valid_from is {shown(raw.get('valid_from'))}; give "
                        "the first day in force as YYYY-MM-DD")
    end_raw = raw.get("valid_to")
    end = None if end_raw is None else day(end_raw)
    if end_raw is not None and end is None:
        problems.append(f"{label}: {where}.valid_to is {shown(end_raw)}; give the last day in "
                        "force as YYYY-MM-DD, or null for open-ended")
    if start is not None and end is not None and end < start:
        problems.append(f"{label}: {where}.valid_to {end.isoformat()} is before valid_from "
                        f"{start.isoformat()}; the period must not end before it starts")
    grade = raw.get("grade")
    if grade not in GRADES:
        problems.append(f"{label}: {where}.grade is {shown(grade)}; allowed: {', '.join(GRADES)}")
    source = None
    if raw.get("source") is not None:
        source = read_source(raw["source"], where, label, problems)
    elif grade in GRADES and grade != "judged":
        problems.append(f"{label}: {where}.source is missing; a {grade} value needs its "
                        "publisher, title, year and url (only a judged value may go without)")
    judgement = text(raw.get("judgement"), f"{where}.judgement", label, problems,
                     required=grade == "judged")
    note = text(raw.get("note"), f"{where}.note", label, problems, required=False)
    if len(problems) > before or start is None or grade not in GRADES:
        return None
    return Dated(raw["value"], start, end, str(grade), source, judgement, note)


def read_records(node: Any, where: str, label: str, problems: list[str]) -> tuple[Dated, ...]:
    """The records of one key (`node`: one record mapping or a list of them), sorted by
    valid_from. Every problem is appended to `problems` as one line naming the file (`label`),
    the place (`where`), the value and what is allowed; overlapping periods are a problem."""
    items = node if isinstance(node, list) else [node]
    if not items:
        problems.append(f"{label}: {where} is an empty list; give at least one record")
        return ()
    read = []
    for index, raw in enumerate(items):
        place = f"{where}[{index}]" if isinstance(node, list) else where
        record = read_one(raw, place, label, problems)
        if record is not None:
            read.append(record)
    read.sort(key=lambda record: record.valid_from)
    for first, second in itertools.pairwise(read):
        if first.valid_to is None or first.valid_to >= second.valid_from:
            ends = first.valid_to.isoformat() if first.valid_to else "open-ended"
            problems.append(f"{label}: {where} has overlapping periods: one from "
                            f"{first.valid_from.isoformat()} ({ends}), another from "
                            f"{second.valid_from.isoformat()}; end the first before the second "
                            "starts")
    return tuple(read)


def pick(records: Sequence[Dated], as_of: date) -> Dated | None:
    """The record in force on `as_of` (the latest-starting one, should periods overlap), or None."""
    live = [record for record in records if record.in_force(as_of)]
    return max(live, key=lambda record: record.valid_from) if live else None


def ahead(records: Sequence[Dated], as_of: date, days: int = 365) -> tuple[Dated, ...]:
    """Records that come into force after `as_of` and at most `days` later, soonest first."""
    horizon = as_of + timedelta(days=days)
    return tuple(sorted((record for record in records if as_of < record.valid_from <= horizon),
                        key=lambda record: record.valid_from))


def expiring(records: Sequence[Dated], as_of: date, days: int = 90) -> tuple[Dated, ...]:
    """Records in force on `as_of` whose last day falls within `days` of it, soonest first."""
    horizon = as_of + timedelta(days=days)
    return tuple(sorted((record for record in records if record.in_force(as_of)
                         and record.valid_to is not None and record.valid_to <= horizon),
                        key=lambda record: record.valid_to or as_of))
