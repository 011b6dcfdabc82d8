"""Scoring one chunk of a bulk run: the one function, `score_chunk`, that both the local and
the Dask paths of `modelfit score` call (modelfit.run.bulk), and the layout of what it gives.

A chunk's rows with a bad value are set apart with their reasons
(`modelfit.decision.scoring.check_rows`), the others are scored with `score_profiles`. The
scores hold the id of each good row (`company_id` if the input has it, else `row`, the row's
number counting from 1 at the first data row), one score per model rounded to
`SCORE_DECIMALS`, and `primary`; the rejects hold one line per bad value: row, company_id (if
any), column, value and reason. Text bound for CSV is escaped against formula injection
(`modelfit.core.safe.spreadsheet_cell`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelfit.core.safe import spreadsheet_cell
from modelfit.decision.scoring import check_rows, rating_values, score_profiles

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework

SCORE_DECIMALS = 6
ID_COLUMN = "company_id"
ROW_COLUMN = "row"
REJECT_COLUMNS = (ROW_COLUMN, ID_COLUMN, "column", "value", "reason")
_VALUE_CHARS = 100  # a rejected value is shown up to this many characters
# Text that spreadsheet_cell returns unchanged: plain ASCII, not starting with a formula mark.
_PLAIN_TEXT = r"[A-Za-z0-9_.][A-Za-z0-9_.\-/ ]*"


def score_chunk(
    chunk: pd.DataFrame, first_row: int, fw: Framework, *, has_id: bool, for_csv: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score one chunk of rows: (scores of its good rows, one line per bad value).

    `first_row` is the number of the chunk's first row in the whole input (counting from 1).
    The scores frame holds the id column (`company_id`, or `row` when `has_id` is false), one
    column per model (rounded to SCORE_DECIMALS) and `primary`; the rejects frame holds
    REJECT_COLUMNS (without company_id when `has_id` is false). With `for_csv`, text cells are
    escaped for spreadsheets. Both the local and the Dask paths call this function.
    """
    chunk = _plain_strings(chunk.reset_index(drop=True))
    check = check_rows(chunk, fw)
    good = chunk.loc[check.good]
    clean = pd.DataFrame({"stage": good["stage"]})
    for name in fw.criteria:
        clean[name] = rating_values(good[name]).astype(np.int64)
    if "existing_channels" in good.columns:
        clean["existing_channels"] = good["existing_channels"]
    scores = score_profiles(clean, fw)
    out = pd.DataFrame(index=clean.index)
    if has_id:
        out[ID_COLUMN] = _id_text(good[ID_COLUMN], for_csv)
    else:
        out[ROW_COLUMN] = (first_row + clean.index.to_numpy()).astype(np.int64)
    for model in fw.models:
        out[model] = scores[model].to_numpy(dtype=float).round(SCORE_DECIMALS)
    out["primary"] = scores["primary"].astype("str")
    return out.reset_index(drop=True), _rejects(chunk, first_row, check.positions,
                                                check.columns, check.allowed, has_id)


def _plain_strings(chunk: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas' default `str` dtype (missing = NaN), whichever reader made them:
    Dask's pyarrow strings (missing = NA) would otherwise read differently from a local run."""
    for name in chunk.columns:
        dtype = chunk[name].dtype
        if isinstance(dtype, pd.StringDtype) and dtype.na_value is not np.nan:
            chunk[name] = chunk[name].astype(pd.StringDtype(na_value=np.nan))
    return chunk


def _id_text(ids: pd.Series, for_csv: bool) -> pd.Series:
    text = ids.astype(pd.StringDtype(na_value=np.nan))
    return _safe_text(text) if for_csv else text


def _safe_text(text: pd.Series) -> pd.Series:
    """A text column safe in a spreadsheet: `spreadsheet_cell` on every value that is not plain
    ASCII (vectorised: plain values are left as they are, which is what it would return)."""
    # a missing id stays missing (written empty), never the text "nan"
    plain = text.isna().to_numpy(dtype=bool) | text.str.fullmatch(_PLAIN_TEXT).fillna(
        True).to_numpy(dtype=bool)
    if plain.all():
        return text
    out = text.copy()
    out[~plain] = text[~plain].map(spreadsheet_cell)
    return out


def _rejects(
    chunk: pd.DataFrame, first_row: int, positions: np.ndarray, columns: tuple[str, ...],
    allowed: tuple[str, ...], has_id: bool,
) -> pd.DataFrame:
    values = [_cell_text(chunk[c].iloc[p]) for p, c in zip(positions.tolist(), columns, strict=True)]
    reasons = [("missing; " if v == "" else "") + "must be " + a
               for v, a in zip(values, allowed, strict=True)]
    data: dict[str, Any] = {ROW_COLUMN: (first_row + positions).astype(np.int64)}
    if has_id:
        ids = chunk[ID_COLUMN].iloc[positions].tolist()
        data[ID_COLUMN] = ["" if _missing(v) else spreadsheet_cell(v) for v in ids]
    data["column"] = list(columns)
    data["value"] = [spreadsheet_cell(v) for v in values]
    data["reason"] = [spreadsheet_cell(r) for r in reasons]
    return pd.DataFrame(data, columns=[c for c in REJECT_COLUMNS if c in data])


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _cell_text(value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    text = str(value)
    return text if len(text) <= _VALUE_CHARS else text[:_VALUE_CHARS] + "…"
