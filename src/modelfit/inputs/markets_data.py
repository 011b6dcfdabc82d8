"""The market layer's data: `data/markets.yaml`, read and checked like the framework.

Markets, the platforms of each market (with the variant: self-run, semi-managed or
full-managed, and for a managed programme what the seller gives up), the routes from China
and the rules (duties, taxes, registrations, product rules). Every value is a dated record
(`modelfit.core.dated.Dated`): a value, its validity period, a grade and a source (or, for a
judged value, what it was judged from). A record names its source by an id of the file's
`sources:` table; the loader puts the full source into the record.

`load_markets(path=None)` reads the bundled file or an edited copy and raises one
`ModelfitError` listing every problem (file, place, value, what is allowed). Unknown values
stay None.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from modelfit.core.dated import Dated, read_records
from modelfit.core.errors import ModelfitError, kind, shown
from modelfit.core.reading import StrictLoader, nesting, read_capped
from modelfit.core.vocab import CATEGORIES, LANGUAGES, MARKETS

__all__ = ["VARIANTS", "MarketData", "Platform", "Route", "Rule", "load_markets", "records_of"]

BUNDLED = "markets.yaml"
MAX_BYTES = 1_000_000
MAX_NESTING = 12
VARIANTS = ("self_run", "semi_managed", "full_managed")
SETS_PRICE = ("seller", "platform")
ROUTE_KINDS = ("parcel", "marketplace_warehouse", "overseas_warehouse")
RULE_KINDS = ("duty", "tax", "registration", "product", "platform")
PLATFORM_FIELDS = ("commission_pct", "monthly_fee", "payout_days", "fulfilment")
ROUTE_FIELDS = ("per_kg_usd", "per_order_usd", "days", "stock_days", "fixed_month_usd")
TOP_KEYS = ("version", "order_weight_kg", "fx_usd", "sources", "markets", "platforms", "routes",
            "rules")


@dataclass(frozen=True)
class Platform:
    """One platform (or one programme of a platform) in one market."""

    id: str
    market: str
    name: Mapping[str, str]
    variant: str
    sets_price: str
    currency: str
    categories: tuple[str, ...] | None  # None: every category
    fields: Mapping[str, tuple[Dated, ...]]  # commission_pct, monthly_fee, ... (gives_up)


@dataclass(frozen=True)
class Route:
    """One way to get the goods from China to the market's customers."""

    id: str
    market: str
    kind: str
    name: Mapping[str, str]
    fields: Mapping[str, tuple[Dated, ...]]  # per_kg_usd, per_order_usd, days, ...


@dataclass(frozen=True)
class Rule:
    """A duty, tax, registration or product rule of one market (or one country in it)."""

    id: str
    market: str
    country: str | None
    kind: str
    name: Mapping[str, str]
    unit: Mapping[str, str] | None
    records: tuple[Dated, ...]


@dataclass(frozen=True)
class MarketData:
    """The whole file, checked."""

    version: str
    label: str
    names: Mapping[str, Mapping[str, str]]  # market id -> {en, zh}
    order_weight_kg: tuple[Dated, ...]
    fx_usd: tuple[Dated, ...]  # {currency: US dollars per unit}
    platforms: tuple[Platform, ...]
    routes: tuple[Route, ...]
    rules: tuple[Rule, ...]

    def of(self, market: str) -> tuple[tuple[Platform, ...], tuple[Route, ...], tuple[Rule, ...]]:
        """The platforms, routes and rules of one market."""
        return (tuple(p for p in self.platforms if p.market == market),
                tuple(r for r in self.routes if r.market == market),
                tuple(r for r in self.rules if r.market == market))


def records_of(data: MarketData) -> list[tuple[str, Dated]]:
    """Every dated record of the file with its place (`platforms.amazon_us.commission_pct[0]`),
    for the checks and the refresh tool."""
    out: list[tuple[str, Dated]] = [(f"order_weight_kg[{i}]", r)
                                    for i, r in enumerate(data.order_weight_kg)]
    out += [(f"fx_usd[{i}]", r) for i, r in enumerate(data.fx_usd)]
    for p in data.platforms:
        for name, recs in p.fields.items():
            out += [(f"platforms.{p.id}.{name}[{i}]", r) for i, r in enumerate(recs)]
    for route in data.routes:
        for name, recs in route.fields.items():
            out += [(f"routes.{route.id}.{name}[{i}]", r) for i, r in enumerate(recs)]
    for rule in data.rules:
        out += [(f"rules.{rule.id}.records[{i}]", r) for i, r in enumerate(rule.records)]
    return out


def load_markets(path: str | Path | None = None) -> MarketData:
    """The market data of `path`, or of the bundled `data/markets.yaml` (read once)."""
    if path is None:
        return _bundled()
    label = str(path)
    raw = read_capped(Path(path), MAX_BYTES, "a markets file")
    return _parse(raw.decode("utf-8", errors="replace"), label)


@functools.lru_cache(maxsize=1)
def _bundled() -> MarketData:
    # The package's own file is read with the C parser (a tenth of the time): the strict
    # reading (no anchors, no duplicate keys, nesting capped) is for edited copies, and a test
    # reads the bundled file that way too.
    text = resources.files("modelfit").joinpath("data", BUNDLED).read_text("utf-8")
    return _parse(text, BUNDLED, strict=False)


def _parse(text: str, label: str, *, strict: bool = True) -> MarketData:
    if strict and nesting(text) > MAX_NESTING:
        raise ModelfitError(f"{label}: nested more than {MAX_NESTING} levels deep")
    loader = StrictLoader if strict else getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ModelfitError(f"{label}: not valid YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(data, dict):
        raise ModelfitError(f"{label}: a markets file must be a mapping, got {kind(data)}")
    problems: list[str] = []
    for key in data:
        if key not in TOP_KEYS:
            problems.append(f"{label}: {shown(key)} is not a section; allowed: "
                            f"{', '.join(TOP_KEYS)}")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        problems.append(f"{label}: version is {shown(version)}; give a text such as '2026-12-06'")
    sources = _sources(data.get("sources"), label, problems)
    names = _market_names(data.get("markets"), label, problems)
    weights = read_records(_resolve(data.get("order_weight_kg"), sources, "order_weight_kg",
                                    label, problems), "order_weight_kg", label, problems)
    for record in weights:
        value = record.value
        if not isinstance(value, Mapping) or set(value) != set(CATEGORIES) or not all(
                _number(v) and v > 0 for v in value.values()):
            problems.append(f"{label}: order_weight_kg has {shown(value)}; give a positive "
                            f"weight for each of {', '.join(CATEGORIES)}")
    fx = read_records(_resolve(data.get("fx_usd"), sources, "fx_usd", label, problems),
                      "fx_usd", label, problems)
    for record in fx:
        if not isinstance(record.value, Mapping) or not all(
                isinstance(k, str) and len(k) == 3 and _number(v) and v > 0
                for k, v in record.value.items()):
            problems.append(f"{label}: fx_usd has {shown(record.value)}; give US dollars per "
                            "unit for each three-letter currency code")
    platforms = tuple(_platform(item, i, sources, set(names), label, problems)
                      for i, item in enumerate(_items(data, "platforms", label, problems)))
    routes = tuple(_route(item, i, sources, set(names), label, problems)
                   for i, item in enumerate(_items(data, "routes", label, problems)))
    rules = tuple(_rule(item, i, sources, set(names), label, problems)
                  for i, item in enumerate(_items(data, "rules", label, problems)))
    for what, items in (("platforms", platforms), ("routes", routes), ("rules", rules)):
        seen: set[str] = set()
        for item in items:
            if item is not None and item.id in seen:
                problems.append(f"{label}: {what} has the id {shown(item.id)} twice; ids are unique")
            if item is not None:
                seen.add(item.id)
    if problems:
        raise ModelfitError(problems)
    return MarketData(str(version), label, names, weights, fx,
                      tuple(p for p in platforms if p is not None),
                      tuple(r for r in routes if r is not None),
                      tuple(r for r in rules if r is not None))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _items(data: Mapping[str, Any], key: str, label: str, problems: list[str]) -> list[Any]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        problems.append(f"{label}: {key} is {kind(items)}; give a non-empty list")
        return []
    return items


def _sources(raw: Any, label: str, problems: list[str]) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"{label}: sources is {kind(raw)}; give a mapping of id -> "
                        "{publisher, title, year, url}")
        return {}
    return {str(k): v for k, v in raw.items()}


def _market_names(raw: Any, label: str, problems: list[str]) -> dict[str, dict[str, str]]:
    if not isinstance(raw, Mapping):
        problems.append(f"{label}: markets is {kind(raw)}; give a mapping of market -> name")
        return {}
    out: dict[str, dict[str, str]] = {}
    for market, node in raw.items():
        if market not in MARKETS:
            problems.append(f"{label}: markets has {shown(market)}; allowed: {', '.join(MARKETS)}")
            continue
        name = _texts(node.get("name") if isinstance(node, Mapping) else None,
                      f"markets.{market}.name", label, problems)
        if name is not None:
            out[str(market)] = name
    return out


def _texts(raw: Any, where: str, label: str, problems: list[str]) -> dict[str, str] | None:
    """A text in each language: {en: ..., zh: ...}."""
    if (not isinstance(raw, Mapping) or set(raw) != set(LANGUAGES)
            or not all(isinstance(v, str) and v.strip() and len(v) <= 500 for v in raw.values())):
        problems.append(f"{label}: {where} is {shown(raw)}; give a non-empty text for each of "
                        f"{', '.join(LANGUAGES)}")
        return None
    return {str(k): str(v) for k, v in raw.items()}


def _resolve(node: Any, sources: Mapping[str, Any], where: str, label: str,
             problems: list[str]) -> Any:
    """The records of `node` with each `source: <id>` replaced by the source's mapping."""
    items = node if isinstance(node, list) else [node]
    out = []
    for i, raw in enumerate(items):
        if isinstance(raw, Mapping) and isinstance(raw.get("source"), str):
            ref = raw["source"]
            if ref not in sources:
                problems.append(f"{label}: {where}[{i}].source is {shown(ref)}, not an id of "
                                "sources:; add it there or name one that is")
                raw = {k: v for k, v in raw.items() if k != "source"}
            else:
                raw = {**raw, "source": sources[ref]}
        out.append(raw)
    return out if isinstance(node, list) else out[0]


def _head(item: Any, section: str, index: int, markets: set[str], label: str,
          problems: list[str], allowed: tuple[str, ...]) -> tuple[str, str] | None:
    """The id and market of one entry, with unknown fields reported."""
    if not isinstance(item, Mapping):
        problems.append(f"{label}: {section}[{index}] is {kind(item)}; give a mapping")
        return None
    ident = item.get("id")
    if not isinstance(ident, str) or not ident.replace("_", "").isalnum():
        problems.append(f"{label}: {section}[{index}].id is {shown(ident)}; give a plain id "
                        "(letters, digits, _)")
        return None
    for key in item:
        if key not in allowed:
            problems.append(f"{label}: {section}.{ident} has the unknown field {shown(key)}; "
                            f"allowed: {', '.join(allowed)}")
    market = item.get("market")
    if market not in markets:
        problems.append(f"{label}: {section}.{ident}.market is {shown(market)}; allowed: "
                        f"{', '.join(sorted(markets))}")
        return None
    return ident, str(market)


def _choice(item: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str,
            label: str, problems: list[str]) -> str:
    value = item.get(key)
    if value not in allowed:
        problems.append(f"{label}: {where}.{key} is {shown(value)}; allowed: {', '.join(allowed)}")
        return allowed[0]
    return str(value)


def _fields(item: Mapping[str, Any], names: tuple[str, ...], where: str,
            sources: Mapping[str, Any], label: str, problems: list[str],
            ) -> dict[str, tuple[Dated, ...]]:
    out: dict[str, tuple[Dated, ...]] = {}
    for name in names:
        if name not in item:
            if name != "gives_up" and name != "service_fee_pct":
                problems.append(f"{label}: {where}.{name} is missing; give its dated records "
                                "(null value with a judgement when unknown)")
            continue
        place = f"{where}.{name}"
        out[name] = read_records(_resolve(item[name], sources, place, label, problems), place,
                                 label, problems)
    return out


PLATFORM_KEYS = ("id", "market", "name", "variant", "sets_price", "currency", "categories",
                 *PLATFORM_FIELDS, "service_fee_pct", "gives_up")


def _platform(item: Any, index: int, sources: Mapping[str, Any], markets: set[str], label: str,
              problems: list[str]) -> Platform | None:
    head = _head(item, "platforms", index, markets, label, problems, PLATFORM_KEYS)
    if head is None:
        return None
    ident, market = head
    where = f"platforms.{ident}"
    name = _texts(item.get("name"), f"{where}.name", label, problems)
    variant = _choice(item, "variant", VARIANTS, where, label, problems)
    sets_price = _choice(item, "sets_price", SETS_PRICE, where, label, problems)
    currency = item.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        problems.append(f"{label}: {where}.currency is {shown(currency)}; give a three-letter "
                        "code such as USD")
    cats = item.get("categories")
    if cats is not None and (not isinstance(cats, list) or not cats
                             or any(c not in CATEGORIES for c in cats)):
        problems.append(f"{label}: {where}.categories is {shown(cats)}; give a list of "
                        f"{', '.join(CATEGORIES)} (or leave it out for every category)")
        cats = None
    fields = _fields(item, (*PLATFORM_FIELDS, "service_fee_pct", "gives_up"), where, sources,
                     label, problems)
    if variant != "self_run" and "gives_up" not in item:
        problems.append(f"{label}: {where}.gives_up is missing; a {variant} programme must say "
                        "what the seller gives up")
    for record in fields.get("commission_pct", ()):
        if not _rate(record.value):
            problems.append(f"{label}: {where}.commission_pct has {shown(record.value)}; give a "
                            "percentage, a band [low, high], a mapping by category (with "
                            "default), or null")
    for key in ("fulfilment", "gives_up"):
        for record in fields.get(key, ()):
            if record.value is not None and _texts(record.value, f"{where}.{key}", label,
                                                   problems) is None:
                continue
    if name is None:
        return None
    return Platform(ident, market, name, variant, sets_price, str(currency),
                    None if cats is None else tuple(cats), fields)


def _rate(value: Any) -> bool:
    """A commission: None, a number, a band [low, high], or {category|default: one of those}."""
    if value is None or _number(value):
        return value is None or 0 <= value <= 100
    if isinstance(value, list):
        return (len(value) == 2 and all(_number(v) for v in value)
                and 0 <= value[0] <= value[1] <= 100)
    if isinstance(value, Mapping):
        return ("default" in value and all(k == "default" or k in CATEGORIES for k in value)
                and all(not isinstance(v, Mapping) and _rate(v) for v in value.values()))
    return False


def _span(value: Any) -> bool:
    """A route figure: None, a non-negative number or a band [low, high]."""
    if value is None:
        return True
    if _number(value):
        return bool(value >= 0)
    return (isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)
            and 0 <= value[0] <= value[1])


ROUTE_KEYS = ("id", "market", "kind", "name", *ROUTE_FIELDS)


def _route(item: Any, index: int, sources: Mapping[str, Any], markets: set[str], label: str,
           problems: list[str]) -> Route | None:
    head = _head(item, "routes", index, markets, label, problems, ROUTE_KEYS)
    if head is None:
        return None
    ident, market = head
    where = f"routes.{ident}"
    name = _texts(item.get("name"), f"{where}.name", label, problems)
    route_kind = _choice(item, "kind", ROUTE_KINDS, where, label, problems)
    fields = _fields(item, ROUTE_FIELDS, where, sources, label, problems)
    for field, records in fields.items():
        for record in records:
            if not _span(record.value):
                problems.append(f"{label}: {where}.{field} has {shown(record.value)}; give a "
                                "number >= 0, a band [low, high], or null")
    if name is None:
        return None
    return Route(ident, market, route_kind, name, fields)


RULE_KEYS = ("id", "market", "country", "kind", "name", "unit", "records")


def _rule(item: Any, index: int, sources: Mapping[str, Any], markets: set[str], label: str,
          problems: list[str]) -> Rule | None:
    head = _head(item, "rules", index, markets, label, problems, RULE_KEYS)
    if head is None:
        return None
    ident, market = head
    where = f"rules.{ident}"
    name = _texts(item.get("name"), f"{where}.name", label, problems)
    unit = None if item.get("unit") is None else _texts(item["unit"], f"{where}.unit", label,
                                                         problems)
    rule_kind = _choice(item, "kind", RULE_KINDS, where, label, problems)
    country = item.get("country")
    if country is not None and (not isinstance(country, str) or len(country) != 2
                                or not country.islower()):
        problems.append(f"{label}: {where}.country is {shown(country)}; give a two-letter "
                        "lower-case code such as de")
        country = None
    if "records" not in item:
        problems.append(f"{label}: {where}.records is missing; give its dated records")
        return None
    records = read_records(_resolve(item["records"], sources, f"{where}.records", label,
                                    problems), f"{where}.records", label, problems)
    if name is None:
        return None
    return Rule(ident, market, country, rule_kind, name, unit, records)
