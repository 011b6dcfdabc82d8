"""Company profiles: `params/<company_id>.yaml`, read safely and validated all at once.

Every problem in a file is reported together, each naming the file, the field, the value and
what is allowed. YAML is read with a `SafeLoader` subclass that also refuses duplicate keys,
anchors and aliases (alias bombs fail at the first alias), oversized files and non-UTF-8 bytes.
Nothing a file contains is ever executed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from modelfit.core.errors import ModelfitError, ProfileError, kind, shown
from modelfit.core.reading import StrictLoader, nesting, read_capped
from modelfit.core.vocab import BASE_CHANNELS, CATEGORIES, MARKETS, RATINGS
from modelfit.inputs.money import MONEY_KEYS, read_money
from modelfit.inputs.notes import NOTES, parse_notes
from modelfit.inputs.preferences import parse
from modelfit.inputs.rubric import fill_ratings

MAX_PROFILE_BYTES = 64 * 1024
COMPANY_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
# A company id names files (<id>.ipynb, .<id>-XXXX/ while rendering, <id>.failed.ipynb): short
# enough for any file system's 255-byte names, and never a name the batch writes for itself.
MAX_COMPANY_ID = 64
RESERVED_IDS = frozenset({"portfolio"})
MAX_NESTING = 20  # levels of lists and mappings in a profile (a flat file needs 2)



@dataclass(frozen=True)
class FieldSpec:
    """One profile field as the README's field reference documents it."""

    name: str
    kind: str
    allowed: str
    default: Any
    unit: str
    meaning: str


# The single source for the field reference, the validation messages and the generator ranges.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("company", "string", "a non-empty string of at most 200 characters", None, "",
              "display name"),
    FieldSpec("stage", "choice", "one of startup, growth, mature", None, "",
              "0→1, 1→10, 10→100 (S-rules)"),
    FieldSpec("capital", "integer", "an integer from 1 to 5", None, "rating",
              "capital strength (R1)"),
    FieldSpec("supply_chain", "integer", "an integer from 1 to 5", None, "rating",
              "supply chain strength and product advantage (R2)"),
    FieldSpec("brand_content", "integer", "an integer from 1 to 5", None, "rating",
              "brand design and content marketing capability (R3)"),
    FieldSpec("tech_data", "integer", "an integer from 1 to 5", None, "rating",
              "technical and data operations capability (R4)"),
    FieldSpec("category", "choice", "one of " + ", ".join(CATEGORIES), "other", "",
              "main product category"),
    FieldSpec("avg_order_value_usd", "number", "a number from 1 to 5000", 40.0, "USD per order",
              "average order value"),
    FieldSpec("gross_margin_pct", "number", "a number from 0 to 95", 45.0, "% of price",
              "share of the consumer price left after the ex-works cost of the goods, before "
              "freight, duties, fees, returns and ads"),
    FieldSpec("marketing_budget_usd", "number", "a number from 0 to 10000000", 5000.0,
              "USD per month", "monthly marketing budget"),
    FieldSpec("team_size", "integer", "an integer from 1 to 100000", 5, "people",
              "people working on the overseas business"),
    FieldSpec("target_markets", "list", "a non-empty list of " + ", ".join(MARKETS), ["us"], "",
              "markets sold to"),
    FieldSpec("existing_channels", "list", "a list of " + ", ".join(BASE_CHANNELS), None, "",
              "base channels already running ([] for none; left out: not known)"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
_SPEC = {f.name: f for f in FIELDS}
# Optional sections beside the fields: the client's own criterion weights (modelfit.inputs.preferences).
PREFERENCES = "preferences"

Rating = Field(ge=1, le=5)


class Profile(BaseModel):
    """A validated company profile. Build one with `Profile.from_yaml` or `load_profile`."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    company_id: str
    company: StrictStr = Field(min_length=1, max_length=200)
    stage: Literal["startup", "growth", "mature"]
    capital: StrictInt = Rating
    supply_chain: StrictInt = Rating
    brand_content: StrictInt = Rating
    tech_data: StrictInt = Rating
    category: Literal[
        "apparel", "beauty", "electronics", "food", "home", "jewelry", "pet", "sports", "toys",
        "other",
    ] = "other"
    avg_order_value_usd: float = Field(default=40.0, ge=1, le=5000, allow_inf_nan=False)
    gross_margin_pct: float = Field(default=45.0, ge=0, le=95, allow_inf_nan=False)
    marketing_budget_usd: float = Field(default=5000.0, ge=0, le=10_000_000, allow_inf_nan=False)
    team_size: StrictInt = Field(default=5, ge=1, le=100_000)
    target_markets: tuple[Literal["us", "eu", "uk", "jp", "sea", "latam", "mea", "other"], ...] = (
        Field(default=("us",), min_length=1)
    )
    # None: the profile does not say (not known), which is not the same as () (nothing runs).
    existing_channels: tuple[Literal["platform", "distribution", "independent_site"], ...] | None = (
        None
    )
    preferences: dict[str, Any] | None = None  # validated by modelfit.inputs.preferences.parse
    # The money inputs beside the fields (modelfit.inputs.money): None when not given.
    product_cost_pct: float | None = None
    cash_usd: float | None = None
    current: dict[str, dict[str, float]] | None = None
    source_sha256: str = ""
    # Answers to the assessment rubric (modelfit.inputs.assessment), and the ratings derived from them.
    assessment: dict[str, int | float | str] = Field(default_factory=dict)
    derived_ratings: tuple[str, ...] = ()
    # The analyst's notes per report section and language (modelfit.inputs.notes); never scored.
    notes: dict[str, dict[str, str]] = Field(default_factory=dict)

    def __hash__(self) -> int:
        # The answers are a dict; hash the profile by its content so that it stays hashable.
        return hash(json.dumps(self.model_dump(), sort_keys=True))

    def ratings(self) -> dict[str, int]:
        """The four capability ratings, in framework order."""
        return {name: getattr(self, name) for name in RATINGS}

    @property
    def channels_known(self) -> bool:
        """Whether the profile says which channels run (an empty list says: none)."""
        return self.existing_channels is not None

    @property
    def running(self) -> tuple[str, ...]:
        """The base channels known to run: () when none run or the profile does not say."""
        return tuple(self.existing_channels or ())

    def fields(self) -> dict[str, Any]:
        """The profile's fields as written in a params file (defaults filled in; channels that
        the profile does not name are read as none running, the outcome model's assumption)."""
        data = self.model_dump(include=set(FIELD_NAMES))
        if data.get("existing_channels") is None:
            data["existing_channels"] = []
        return {name: list(v) if isinstance(v, tuple) else v for name, v in data.items()}

    @property
    def margin_pct(self) -> float:
        """The margin the money plan and the classifier read: 100 − product_cost_pct when the
        profile gives the cost, else gross_margin_pct."""
        if self.product_cost_pct is not None:
            return round(100.0 - self.product_cost_pct, 6)
        return self.gross_margin_pct

    def outcome_fields(self) -> dict[str, Any]:
        """`fields()` with `gross_margin_pct` read as `margin_pct` (the cost, when given, wins)."""
        return {**self.fields(), "gross_margin_pct": self.margin_pct}

    def params(self) -> dict[str, Any]:
        """What a params file holds: the fields (ratings derived from answers left out), the
        answers under `assessment:` and the client's `preferences:` when there are any."""
        data = {k: v for k, v in self.fields().items() if k not in self.derived_ratings}
        if not self.channels_known:
            del data["existing_channels"]  # not known stays not known when written back
        if self.assessment:
            data["assessment"] = dict(self.assessment)
        if self.preferences is not None:
            data[PREFERENCES] = dict(self.preferences)
        if self.notes:
            data[NOTES] = {k: dict(v) for k, v in self.notes.items()}
        for key in MONEY_KEYS:
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_yaml(cls, path: str | Path) -> Profile:
        """Read and validate `path`; raise `ProfileError` listing every problem in it."""
        path = Path(path)
        raw = _read_bytes(path)
        data = _parse_yaml(raw, path)
        # A bad file name is reported together with the problems of the content.
        problems: list[str] = []
        try:
            company_id = _company_id(path)
        except ProfileError as exc:
            problems.extend(exc.problems)
            company_id = "profile"
        try:
            profile = cls.from_mapping(data, source=str(path), company_id=company_id,
                                       sha256=hashlib.sha256(raw).hexdigest())
        except ProfileError as exc:
            problems.extend(exc.problems)
        if problems:
            raise ProfileError(problems)
        return profile

    @classmethod
    def from_mapping(
        cls, data: Any, *, source: str = "<profile>", company_id: str = "profile", sha256: str = "",
    ) -> Profile:
        """Validate an already-parsed mapping; raise `ProfileError` listing every problem."""
        if not isinstance(data, dict):
            raise ProfileError(
                f"{source}: a profile must be a mapping of field: value, got {kind(data)}"
            )
        problems = []
        for key in data:
            if not isinstance(key, str) or (key not in _SPEC and key not in ("assessment",
                                                                               PREFERENCES, NOTES,
                                                                               *MONEY_KEYS)):
                problems.append(_unknown_key(source, key))
        fields = {k: v for k, v in data.items() if isinstance(k, str) and k in _SPEC}
        company = fields.get("company")
        if isinstance(company, str) and company and (problem := _company_name_problem(company)):
            problems.append(f"{source}: company {problem}, got {shown(company)}")
            fields.pop("company")
        extra: dict[str, Any] = {}
        if "assessment" in data:
            answers, derived, bad = fill_ratings(fields, data["assessment"], source)
            problems.extend(bad)
            extra = {"assessment": answers, "derived_ratings": derived}
        if data.get(PREFERENCES) is not None:
            try:
                fields[PREFERENCES] = parse(data[PREFERENCES], RATINGS,
                                            source=f"{source}: {PREFERENCES}").to_dict()
            except ModelfitError as exc:
                problems.extend(exc.problems)
        if data.get(NOTES) is not None:
            extra[NOTES], bad = parse_notes(data[NOTES], source)
            problems.extend(bad)
        listed = data.get("existing_channels")
        running = tuple(str(c) for c in listed) if isinstance(listed, list) else ()
        extra.update(read_money(data, source, running, problems))
        for name in ("target_markets", "existing_channels"):
            if isinstance(fields.get(name), list):
                items = fields[name]
                dupes = sorted({str(v) for i, v in enumerate(items)
                                if isinstance(v, str) and v in items[:i]})
                if dupes:
                    problems.append(f"{source}: {name} lists {', '.join(dupes)} more than "
                                    "once; name each at most once")
                try:
                    fields[name] = tuple(dict.fromkeys(items))
                except TypeError:  # an unhashable item: pydantic names it below
                    fields[name] = tuple(items)
        for name in ("avg_order_value_usd", "gross_margin_pct", "marketing_budget_usd"):
            value = fields.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                fields[name] = float(value)
        try:
            profile = cls(company_id=company_id, source_sha256=sha256, **fields, **extra)
        except ValidationError as exc:
            # A missing rating the answers could not give is already reported, with its questions;
            # a company name refused above is not also "missing".
            told = tuple(p.split(";")[0] for p in problems if " is missing;" in p)
            problems.extend(p for p in _describe(source, exc, fields)
                            if not p.startswith(told or "\0")
                            and not (p.startswith(f"{source}: company is missing")
                                     and "company" in data))
            raise ProfileError(problems) from None
        if problems:
            raise ProfileError(problems)
        return profile


def load_profile(path: str | Path) -> Profile:
    """Read and validate the company profile at `path` (see `Profile.from_yaml`)."""
    return Profile.from_yaml(path)


def profile_paths(folder: str | Path) -> list[Path]:
    """Every `.yaml` profile in `folder`, sorted by name; an error when there is none."""
    paths = sorted(Path(folder).glob("*.yaml"))
    if not paths:
        raise ProfileError(f"{folder}: no .yaml profiles in this folder")
    return paths


def check_company_id(value: str, *, what: str = "company id") -> str:
    """Return `value` if it is a plain company id, else raise `ProfileError` naming it.

    An id is at most MAX_COMPANY_ID characters and never one of RESERVED_IDS (files the batch
    writes for itself, such as portfolio.ipynb).
    """
    if not COMPANY_ID.fullmatch(value):
        raise ProfileError(
            f"{what} must match [a-z0-9][a-z0-9_-]* (lower-case letters, digits, '_' and '-', "
            f"no paths or spaces), got {shown(value)}"
        )
    if len(value) > MAX_COMPANY_ID:
        raise ProfileError(f"{what} may be at most {MAX_COMPANY_ID} characters, got "
                           f"{len(value)} ({shown(value)})")
    if value in RESERVED_IDS:
        raise ProfileError(f"{what} {value!r} is reserved for the batch's own files "
                           f"({value}.ipynb, .html, .csv); name the company otherwise")
    return value


# Letters and symbols that print as nothing: Hangul fillers, the blank Braille pattern, the
# Mongolian vowel separator and Khmer's invisible vowels.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5")


def _company_name_problem(name: str) -> str | None:
    """Why a display name cannot be used (blank, invisible, controls, bidi overrides), or None."""
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return ("must not hold control characters (line breaks, tabs, NUL, escape sequences)")
    if any(unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Co", "Cs") for ch in name):
        return ("must not hold invisible formatting characters (zero-width characters, "
                "right-to-left overrides)")
    if not any(ch.isprintable() and not ch.isspace() and ch not in _BLANK_LOOKING
               and unicodedata.category(ch) not in ("Mn", "Me") for ch in name):
        return "must hold at least one visible character"
    return None


def _company_id(path: Path) -> str:
    return check_company_id(path.stem, what=f"{path}: the file name (the company id)")


def _read_bytes(path: Path) -> bytes:
    if path.suffix != ".yaml":
        got = path.suffix or "no suffix"
        hint = "; rename it to .yaml (report and batch read <id>.yaml)" if got == ".yml" else ""
        raise ProfileError(f"{path}: a profile must be a .yaml file, got {got!r}{hint}")
    if path.is_symlink() and path.resolve().suffix != ".yaml":
        raise ProfileError(f"{path}: is a link to a file that is not a .yaml profile; "
                           "give the profile file itself")
    return read_capped(path, MAX_PROFILE_BYTES, "a profile", ProfileError)


def _parse_yaml(raw: bytes, path: Path) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            f"{path}: not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise ProfileError(f"{path}: the file is empty; a profile needs at least company, stage "
                           "and the four ratings")
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise ProfileError(f"{path}: lists or mappings nested {depth} deep; a profile may nest "
                           f"at most {MAX_NESTING} levels")
    try:
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise ProfileError(f"{path}: nested too deep to read; a profile may nest at most "
                           f"{MAX_NESTING} levels") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = exc.problem or "invalid YAML"
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
            problem = f"{problem}; only plain YAML values are allowed, tags are never run"
        raise ProfileError(f"{path}: {problem}{where}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from None
    if data is None:
        raise ProfileError(f"{path}: the file is empty; a profile needs at least company, stage "
                           "and the four ratings")
    return data



def _unknown_key(source: str, key: Any) -> str:
    message = f"{source}: {shown(key)} is not a field"
    names = (*FIELD_NAMES, PREFERENCES, NOTES, *MONEY_KEYS)
    close = difflib.get_close_matches(str(key).lower(), names, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; the fields are {', '.join(names)}"


def _describe(source: str, exc: ValidationError, fields: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        if name in seen or name not in _SPEC:
            continue
        seen.add(name)
        spec = _SPEC[name]
        if error["type"] == "missing":
            problems.append(f"{source}: {name} is missing; it must be {spec.allowed}")
            continue
        value = fields.get(name)
        bad = list(value) if isinstance(value, tuple) else value
        problems.append(f"{source}: {name} must be {spec.allowed}, got {shown(bad)}")
    return problems
