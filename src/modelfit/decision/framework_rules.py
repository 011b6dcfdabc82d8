"""The framework's rules as typed objects: screens, R-rule triggers, the channels an R-rule adds
to a plan, and the rules that name a distribution channel's kind.

Each is built once, when a framework file loads and after it validated, from its entry in the
file (`Screen.of(entry)` and so on); the file's own mappings stay in `Framework.raw`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


class _FileKeys:
    """Read access by the file's keys (`screen["id"]`, `trigger.get("max_rating", 5)`) for code
    written against the mappings these objects replace. A field that is None is a key the
    file's entry did not give."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key) if key in self.__dataclass_fields__ else None
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """The value at file key `key`, or `default` when the entry did not give it."""
        try:
            return self[key]
        except KeyError:
            return default


@dataclass(frozen=True)
class Screen(_FileKeys):
    """A screen (`screens` in the file): when every condition it names holds, each of `models`
    loses `penalty` points and ranks after every model it did not screen.

    Conditions (None: not a condition of this screen): a rating of `criterion` at or below
    `max_rating`; the company's stage one of `stage`; none of the base channels of
    `without_channel` running, by a profile that says which channels run (a profile that does
    not say fires it only when `if_unknown`); the own site's readiness (`Readiness`) one of
    `own_site`.
    """

    id: str
    models: tuple[str, ...]
    penalty: float
    criterion: str | None = None
    max_rating: int | None = None
    stage: tuple[str, ...] | None = None
    without_channel: tuple[str, ...] | None = None
    own_site: tuple[str, ...] | None = None
    if_unknown: bool = False  # `without_channel` for a profile that does not say which run

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Screen:
        """The screen of a validated `screens` entry (its `stage` already a list)."""
        has_criterion = "criterion" in entry
        return cls(
            id=entry["id"],
            models=tuple(entry.get("models", ())),
            penalty=entry["penalty"],
            criterion=entry["criterion"] if has_criterion else None,
            max_rating=entry.get("max_rating") if has_criterion else None,
            stage=tuple(entry["stage"]) if "stage" in entry else None,
            without_channel=(tuple(entry["without_channel"]) if "without_channel" in entry
                             else None),
            own_site=tuple(entry["own_site"]) if "own_site" in entry else None,
            if_unknown=bool(entry.get("if_unknown", False)),
        )


READINESS = ("ready", "partial", "weak")  # the own site's readiness levels, best first


@dataclass(frozen=True)
class Readiness:
    """Whether a company can make the own site its core (`situation.own_site` in the file, rule
    `rule`): `ready` when no capability of `capabilities` is weak (rated `weak` or less), or one
    is strong (`strong` or more) and capital is strong (`capital_strong` or more); `weak` when
    every capability is weak; `partial` otherwise."""

    rule: str
    capabilities: tuple[str, ...]
    weak: int
    strong: int
    capital: str
    capital_strong: int

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Readiness:
        """The readiness rule of a validated `situation.own_site` entry."""
        return cls(rule=entry["rule"], capabilities=tuple(entry["capabilities"]),
                   weak=entry["weak"], strong=entry["strong"], capital=entry["capital"],
                   capital_strong=entry["capital_strong"])


@dataclass(frozen=True)
class CloseCall:
    """Rule `rule` (`situation.close_call` in the file): when unscreened models score within
    `margin` points of the best, the one whose own plan keeps more of the running channels
    leads, then the stage rule's model, then the higher score."""

    rule: str
    margin: float
    keep_rule: str  # the rule that keeps running channels in the plan

    @classmethod
    def of(cls, entry: dict[str, Any]) -> CloseCall:
        """The close-call rule of a validated `situation.close_call` entry."""
        return cls(rule=entry["rule"], margin=float(entry["margin"]),
                   keep_rule=entry["keep_rule"])


@dataclass(frozen=True)
class WindDown:
    """When a running channel leaves the plan (`situation.wind_down` in the file): `channel`
    runs, the R-rule `rule` holds and the own site's readiness is one of `own_site`."""

    channel: str
    rule: str
    own_site: tuple[str, ...]

    @classmethod
    def of(cls, entry: dict[str, Any]) -> WindDown:
        """The wind-down rule of a validated `situation.wind_down` entry."""
        return cls(channel=entry["channel"], rule=entry["rule"],
                   own_site=tuple(entry["own_site"]))


@dataclass(frozen=True)
class Trigger(_FileKeys):
    """When an R-rule holds (`rule_triggers` in the file): a rating of `criterion` from
    `min_rating` to `max_rating`; `model` is the model whose points on that criterion the
    rule's text quotes."""

    criterion: str
    model: str
    min_rating: int = 1
    max_rating: int = 5

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Trigger:
        """The trigger of a validated `rule_triggers` entry."""
        return cls(criterion=entry["criterion"], model=entry.get("model", ""),
                   min_rating=entry.get("min_rating", 1), max_rating=entry.get("max_rating", 5))


@dataclass(frozen=True)
class PlanAddition:
    """Channels an R-rule adds to a plan (`channels.auxiliary` in the file): when `rule` holds
    and the plan runs any of `with_any`, the channels of `add` join it, unless one of the screens
    `kept_out_by` fired."""

    rule: str
    with_any: tuple[str, ...]
    add: tuple[str, ...]
    kept_out_by: tuple[str, ...] = ()

    @classmethod
    def of(cls, entry: dict[str, Any]) -> PlanAddition:
        """The addition of a validated `channels.auxiliary` entry."""
        return cls(rule=entry["rule"], with_any=tuple(entry["with_any"]), add=tuple(entry["add"]),
                   kept_out_by=tuple(entry.get("kept_out_by") or ()))


@dataclass(frozen=True)
class KindRule:
    """An entry of `channels.distribution_kinds`: a plan's distribution channel is of `kind`
    when every condition given holds (None: not a condition): it is (`core` True) or is not
    (False) the plan's core, the stage is one of `stage`, the R-rule `rule` holds. The first
    entry that matches names the kind."""

    kind: str
    core: bool | None = None
    stage: tuple[str, ...] | None = None
    rule: str | None = None

    @classmethod
    def of(cls, entry: dict[str, Any]) -> KindRule:
        """The rule of a validated `channels.distribution_kinds` entry."""
        return cls(kind=entry["kind"],
                   core=bool(entry["core"]) if "core" in entry else None,
                   stage=tuple(entry["stage"]) if "stage" in entry else None,
                   rule=entry.get("rule"))

