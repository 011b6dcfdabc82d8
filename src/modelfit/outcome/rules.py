"""Dated rules the money plan applies, picked by an as-of date: the US duty stack on goods
from China here (`data/rules.yaml`: MFN and Section 301, then the IEEPA tariffs and the Section
122 surcharge), and the market layer's VAT, EU parcel duty and US de minimis
(`modelfit.outcome.market_costs`, `data/markets.yaml`).

`dated_assumptions(a, markets, as_of)` returns a copy of the outcome model's assumptions with
the values in force on `as_of` and one entry per rule for the JSON and the report
(`rule_entries`): the value in force (None when unknown: shown as unknown, never as zero), the
value the figures use (`planned`, which says how it was judged when the value is unknown), its
period, grade and source, and the changes ahead within a year.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import yaml

from modelfit.core.dated import UNKNOWN, Dated, ahead, pick, read_records
from modelfit.core.errors import ModelfitError

BUNDLED = "rules.yaml"
LABELS = {"markets.vat": {"en": "Standard VAT or GST on consumer prices",
                          "zh": "消费者价格中的标准增值税"}}
GENERIC = {"en": "the record is unknown: the outcome model's own figure, judged",
           "zh": "该记录暂无可靠数据：沿用结果模型自身的估计"}
KEYS = ("us_duty_base", "us_surcharge")
# The market layer's rules whose changes ahead the money plan lists, by the assumption they set.
MARKET_RULES = {"markets.eu_parcel_duty_usd": "eu_duty_eur3",
                "markets.parcel_duty_share.us": "us_de_minimis"}


@dataclass(frozen=True)
class Rule:
    """One rule: its records, what it is called, and the value planned when it is unknown."""

    key: str
    market: str
    label: Mapping[str, str]
    unit: str
    planned: Any
    planned_how: Mapping[str, str]  # what the planned value was judged from, en and zh
    records: tuple[Dated, ...]


def load_rules() -> dict[str, Rule]:
    """The bundled dated rules, checked (every problem one line; ModelfitError)."""
    text = resources.files("modelfit").joinpath("data", BUNDLED).read_text("utf-8")
    data = yaml.safe_load(text)
    problems: list[str] = []
    rules: dict[str, Rule] = {}
    body = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise ModelfitError(f"{BUNDLED}: needs a mapping `rules:` of rule keys")
    for key in KEYS:
        node = body.get(key)
        if not isinstance(node, dict):
            problems.append(f"{BUNDLED}: rules.{key} is missing; every rule of {', '.join(KEYS)} "
                            "is needed")
            continue
        records = read_records(node.get("records"), f"rules.{key}.records", BUNDLED, problems)
        planned = node.get("planned") or {}
        how = planned.get("judgement")
        if not (isinstance(how, dict) and all(isinstance(how.get(k), str) for k in ("en", "zh"))):
            problems.append(f"{BUNDLED}: rules.{key}.planned.judgement is {how!r}; give "
                            "{en: ..., zh: ...}, what the planned value was judged from")
            continue
        rules[key] = Rule(key, str(node.get("market", "")), dict(node.get("label") or {}),
                          str(node.get("unit", "")), planned.get("value"), dict(how), records)
    if problems:
        raise ModelfitError(problems)
    return rules


def value_on(rule: Rule, as_of: date) -> tuple[Any, Dated | None]:
    """The value in force on `as_of` (None when unknown or no record covers the day) and the
    record in force."""
    record = pick(rule.records, as_of)
    return (None if record is None else record.value), record


def used(rule: Rule, as_of: date) -> Any:
    """The value the figures use: the one in force, else the rule's planned value."""
    value, _ = value_on(rule, as_of)
    return rule.planned if value is None else value


def apply_rules(a: Mapping[str, Any], as_of: date,
                rules: Mapping[str, Rule] | None = None) -> dict[str, Any]:
    """A copy of the assumptions `a` with the US duty in force on `as_of` (base + surcharge)."""
    rules = rules or load_rules()
    out = copy.deepcopy(dict(a))
    out["markets"]["duty_us"] = round(float(used(rules["us_duty_base"], as_of))
                                      + float(used(rules["us_surcharge"], as_of)), 6)
    return out


def dated_assumptions(a: Mapping[str, Any], markets: Sequence[str], as_of: date,
                      lang: str = "en") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`a` with every dated rule in force on `as_of` for a company selling to `markets`: the US
    duty stack (when it sells to the US) and the market layer's records; and the rule entries."""
    from modelfit.inputs.markets_data import load_markets
    from modelfit.outcome.market_costs import market_assumptions

    out, applied = market_assumptions(apply_rules(a, as_of), markets, as_of)
    entries = [r for r in rule_entries(as_of, lang) if r["market"] in markets]
    data = load_markets()
    language = "zh" if lang == "zh" else "en"
    for item in applied:
        record = item.records[0] if item.records else None
        rule = next((r for r in data.rules if r.id == MARKET_RULES.get(item.assumption)), None)
        entries.append({
            "key": item.assumption, "market": item.assumption.split(".")[-1]
            if item.assumption.startswith("markets.vat.") else
            ("eu" if "eu_" in item.assumption else "us"),
            "label": (rule.name.get(language, item.assumption) if rule is not None
                      else LABELS.get(item.assumption.rsplit(".", 1)[0], {}).get(
                          language, item.assumption)),
            "unit": "share" if "vat" in item.assumption or "share" in item.assumption
            else "USD per parcel",
            "value": None if item.kept else item.value,
            "planned": item.value,
            "how": GENERIC[language] if item.kept else None,
            "valid_from": None if record is None else record.valid_from.isoformat(),
            "valid_to": (None if record is None or record.valid_to is None
                         else record.valid_to.isoformat()),
            "grade": None if record is None else record.grade,
            "source": (None if record is None or record.source is None
                       else record.source.to_dict()),
            "ahead": [] if rule is None else [r.to_dict() for r in ahead(rule.records, as_of)],
        })
    return out, entries


def rule_entries(as_of: date, lang: str = "en",
                 rules: Mapping[str, Rule] | None = None) -> list[dict[str, Any]]:
    """One entry per rule for the JSON and the report: {key, market, label, unit, value,
    planned, how, valid_from, valid_to, grade, source, ahead: [{value, valid_from, ...}]}."""
    rules = rules or load_rules()
    language = "zh" if lang == "zh" else "en"
    out = []
    for key in KEYS:
        rule = rules[key]
        value, record = value_on(rule, as_of)
        out.append({
            "key": key, "market": rule.market, "label": rule.label.get(language, key),
            "unit": rule.unit, "value": value,
            "planned": rule.planned if value is None else value,
            "how": rule.planned_how[language] if value is None else None,
            "valid_from": None if record is None else record.valid_from.isoformat(),
            "valid_to": (None if record is None or record.valid_to is None
                         else record.valid_to.isoformat()),
            "grade": None if record is None else record.grade,
            "source": (None if record is None or record.source is None
                       else record.source.to_dict()),
            "ahead": [r.to_dict() for r in ahead(rule.records, as_of)],
        })
    return out


def shown(value: Any, lang: str, unit: str = "") -> str:
    """A rule's value for a sentence: unknown as 'unknown' / '暂无可靠数据', never 0; shares
    as percentages."""
    if value is None:
        return UNKNOWN["zh" if lang == "zh" else "en"]
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {shown(v, lang, unit)}" for k, v in value.items())
    if unit.startswith("share") and isinstance(value, (int, float)):
        return f"{100 * float(value):g}%"
    return f"{value:g}" if isinstance(value, float) else f"{value}"
