"""History: a firm's own table of past companies and their outcomes, read and checked.

A training CSV holds the profile columns (at least stage and the four ratings; optional ones take
their documented defaults when missing or empty; lists as `us;eu`) and an `outcome` column holding
a model id. `read_training_csv` gives the profiles and outcomes a classifier is trained on, or
refuses the file with every problem at once, each naming the file, row, column and value.

It reads a user's file, but checks it against what a classifier can learn from (the outcome
vocabulary and `modelfit.outcome.pipelines.check_labels`), so it belongs to the outcome stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from modelfit.core.errors import ModelfitError, ProfileError
from modelfit.core.vocab import MODELS, RATINGS
from modelfit.inputs.profile import FIELD_NAMES, Profile
from modelfit.outcome.pipelines import LIST_FIELDS, check_labels

MAX_SHOWN_PROBLEMS = 20
# A training table of past companies: 20,000 rows take about 2 MB.
MAX_TRAINING_CSV_BYTES = 50 * 1024 * 1024
REQUIRED_CSV_COLUMNS = ("stage", *RATINGS, "outcome")


def read_training_csv(path: str | Path) -> tuple[pd.DataFrame, pd.Series]:
    """Read and validate a training CSV; return profiles (list fields as tuples) and outcomes."""
    path = Path(path)
    try:
        if path.exists():
            _check_training_csv(path)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ModelfitError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise ModelfitError(f"{path}: not a readable CSV table ({exc})") from None
    columns = [str(c).strip() for c in raw.columns]
    raw.columns = pd.Index(columns)
    problems: list[str] = []
    known = {*FIELD_NAMES, "company_id", "outcome"}
    for name in columns:
        if name not in known:
            problems.append(f"{path}: column {name!r} is not a profile column or 'outcome'; "
                            f"the columns are {', '.join((*FIELD_NAMES, 'outcome'))}")
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in columns]
    if missing:
        problems.append(f"{path}: missing column(s) {', '.join(missing)}; a training table "
                        f"needs at least {', '.join(REQUIRED_CSV_COLUMNS)}")
    if problems:
        raise ModelfitError(problems)
    if raw.empty:
        raise ModelfitError(f"{path}: the table has no rows")
    records: list[dict[str, Any]] = []
    outcomes: list[str] = []
    for i, row in enumerate(raw.to_dict("records")):
        where = f"{path}: row {i + 2}"  # line number in the file: the header is line 1
        outcome = str(row.get("outcome", "")).strip()
        if outcome not in MODELS:
            problems.append(f"{where}: outcome must be one of {', '.join(MODELS)}, "
                            f"got {outcome!r}")
        mapping = _csv_mapping({str(k): v for k, v in row.items()}, i)
        try:
            profile = Profile.from_mapping(mapping, source=where, company_id="row")
        except ProfileError as exc:
            problems.extend(exc.problems)
            continue
        fields = profile.fields()
        records.append({n: tuple(v) if isinstance(v, list) else v for n, v in fields.items()})
        outcomes.append(outcome)
    if problems:
        shown = problems[:MAX_SHOWN_PROBLEMS]
        if len(problems) > MAX_SHOWN_PROBLEMS:
            shown.append(f"{path}: ... and {len(problems) - MAX_SHOWN_PROBLEMS} more problems")
        raise ModelfitError(shown)
    profiles = pd.DataFrame(records)
    labels = pd.Series(outcomes, name="outcome", dtype=object)
    check_labels(labels, str(path))
    return profiles, labels


def _check_training_csv(path: Path) -> None:
    """A training CSV must be a regular file of at most MAX_TRAINING_CSV_BYTES."""
    import stat

    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ModelfitError(f"{path}: is not a regular file (a pipe, socket, device or folder); "
                            "--data must be a CSV file")
    if info.st_size > MAX_TRAINING_CSV_BYTES:
        raise ModelfitError(f"{path}: the file is {info.st_size} bytes; a training CSV may be at "
                            f"most {MAX_TRAINING_CSV_BYTES} bytes (about 500,000 companies)")


def _csv_mapping(row: Mapping[str, Any], i: int) -> dict[str, Any]:
    """One CSV row as a profile mapping: empty optional cells dropped, numbers parsed."""
    out: dict[str, Any] = {}
    for name in FIELD_NAMES:
        if name not in row:
            continue
        text = str(row[name]).strip()
        if name in LIST_FIELDS:
            out[name] = [p.strip() for p in text.split(";") if p.strip()]
            if name == "target_markets" and not out[name]:
                del out[name]  # empty: the documented default
            continue
        if text == "" and name not in REQUIRED_CSV_COLUMNS:
            continue
        out[name] = _parse_number(text) if name not in ("company", "stage", "category") else text
    out.setdefault("company", f"row {i + 2}")
    return out


def _parse_number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text and "e" not in text else value
