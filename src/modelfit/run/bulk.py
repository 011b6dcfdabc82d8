"""Scoring files of any size: `modelfit score INPUT --out OUTPUT` (docs/scoring.md).

INPUT is a CSV file, a Parquet file or a folder of Parquet files of company profiles, one row
each. It is read in chunks and every chunk goes through one function, `score_chunk`: rows
with a bad value are set apart with their reasons (`modelfit.decision.scoring.check_rows`), the others
are scored with `score_profiles`. OUTPUT (.parquet or .csv, by its suffix) gets the id of each
good row (`company_id` if the input has it, else `row`, the row's number counting from 1 at
the first data row), one score per model and `primary`; `<stem>.rejects.csv` next to it gets
one line per bad value: row, company_id (if any), column, value and reason.

Two ways to run, one chunk function:
- locally (default): one process, chunked reading (`ParquetFile.iter_batches`,
  `read_csv(chunksize=...)`) and streaming writing (`ParquetWriter`, CSV appended), so memory
  stays bounded by the chunk size whatever the file's size;
- on a Dask cluster (`scheduler=ADDRESS`): `dask.dataframe` reads the input in partitions and
  `map_partitions` runs `score_chunk` on the workers, each writing its partition's part files
  into the output folder (input and output must be reachable by every worker at the same
  path); the driver then joins the parts in order into OUTPUT.

Both write all-or-nothing: everything goes into a temporary folder next to OUTPUT, and OUTPUT
and its rejects file are moved into place together at the end; a failed or interrupted run
leaves them as they were. Text written to CSV is escaped against formula injection
(`modelfit.core.safe.spreadsheet_cell`). Scores are rounded to `SCORE_DECIMALS` at the source.
"""

from __future__ import annotations

import csv
import importlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.safe import spreadsheet_cell
from modelfit.decision.scoring import check_rows, rating_values, score_profiles

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework

__all__ = ["CHUNK_ROWS", "SCORE_DECIMALS", "ScoreResult", "rejects_path", "score_chunk",
           "score_file"]

CHUNK_ROWS = 250_000  # rows per chunk read locally: about 100 MB of working memory
SCORE_DECIMALS = 6
INPUT_SUFFIXES = (".csv", ".parquet")
OUTPUT_SUFFIXES = (".parquet", ".csv")
ID_COLUMN = "company_id"
ROW_COLUMN = "row"
OPTIONAL_COLUMNS = ("existing_channels", ID_COLUMN)
REJECT_COLUMNS = (ROW_COLUMN, ID_COLUMN, "column", "value", "reason")
_VALUE_CHARS = 100  # a rejected value is shown up to this many characters
# Text that spreadsheet_cell returns unchanged: plain ASCII, not starting with a formula mark.
_PLAIN_TEXT = r"[A-Za-z0-9_.][A-Za-z0-9_.\-/ ]*"
_TEXT_COLUMNS = ("stage", "existing_channels", ID_COLUMN)

Format = Literal["csv", "parquet"]


@dataclass(frozen=True)
class Source:
    """An input checked before anything is written: its format, files and columns to read."""

    path: Path
    format: Format
    files: tuple[Path, ...]
    columns: tuple[str, ...]
    rows: int | None  # known up front for Parquet (from the files' metadata)

    @property
    def has_id(self) -> bool:
        return ID_COLUMN in self.columns


@dataclass(frozen=True)
class ScoreResult:
    """What `score_file` did."""

    output: Path
    rejects: Path
    rows: int
    scored: int
    bad_rows: int

    def summary(self) -> str:
        line = f"scored {self.scored:,} of {self.rows:,} rows into {self.output}"
        if self.bad_rows:
            return line + f"; {self.bad_rows:,} bad row(s) set apart in {self.rejects}"
        return line + f"; no bad rows ({self.rejects} lists none)"


def rejects_path(output: Path) -> Path:
    """Where the bad rows of a run writing `output` go: `<stem>.rejects.csv` next to it."""
    return output.with_name(output.stem + ".rejects.csv")


def score_file(
    input_path: str | Path, output_path: str | Path, fw: Framework | None = None, *,
    scheduler: str | None = None, chunk_rows: int = CHUNK_ROWS, progress: bool = True,
) -> ScoreResult:
    """Score every row of `input_path` into `output_path` (see the module's docstring).

    `scheduler` is a Dask scheduler's address (run on that cluster); None runs locally.
    Bad input raises ModelfitError before anything is written.
    """
    from modelfit.decision.framework import Framework as _Framework

    fw = fw or _Framework.load()
    if chunk_rows < 1:
        raise ModelfitError(f"chunk_rows must be a whole number >= 1, got {chunk_rows!r}")
    source = open_source(Path(input_path), fw)
    out = check_output(Path(output_path), source)
    rejects = rejects_path(out)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise ModelfitError(f"{out.parent}: cannot write the output there ({exc.strerror}); "
                            "choose an --out in a folder you can write to") from None
    try:
        tmp_out, tmp_rejects = work / f"output{out.suffix}", work / "rejects.csv"
        if scheduler:
            rows, bad = _run_distributed(source, fw, scheduler, work, tmp_out, tmp_rejects,
                                         progress)
        else:
            rows, bad = _run_local(source, fw, tmp_out, tmp_rejects, chunk_rows, progress)
        _place_together([(tmp_out, out), (tmp_rejects, rejects)], work / "previous")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ScoreResult(output=out, rejects=rejects, rows=rows, scored=rows - bad, bad_rows=bad)


def _arrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet (untyped libraries: used through Any)."""
    return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")


# --- checking the input and the output ----------------------------------------------------------


def open_source(path: Path, fw: Framework) -> Source:
    """Check that `path` is a readable CSV, Parquet file or folder of Parquet files holding the
    needed columns; nothing is read past the header or the Parquet metadata."""
    allowed = "a .csv or .parquet file, or a folder of .parquet files"
    if path.is_dir():
        files = tuple(sorted(p for p in path.iterdir() if p.suffix == ".parquet" and p.is_file()))
        if not files:
            raise ModelfitError(f"{path}: a folder with no .parquet files; INPUT must be {allowed}")
        fmt: Format = "parquet"
    elif not path.exists():
        raise ModelfitError(f"{path}: no such file or folder; INPUT must be {allowed}")
    elif path.suffix.lower() not in INPUT_SUFFIXES:
        raise ModelfitError(f"{path}: unknown suffix {path.suffix or '(none)'!r}; INPUT must be "
                            f"{allowed}")
    else:
        files = (path,)
        fmt = "csv" if path.suffix.lower() == ".csv" else "parquet"
    needed = ("stage", *fw.criteria)
    rows: int | None = 0
    present: set[str] | None = None
    for file in files:
        names, count = _parquet_header(file) if fmt == "parquet" else (_csv_header(file), None)
        missing = [c for c in needed if c not in names]
        if missing:
            raise ModelfitError(
                f"{file}: missing column(s) {', '.join(missing)}; needs {', '.join(needed)} "
                f"(optional: {', '.join(OPTIONAL_COLUMNS)})")
        rows = None if rows is None or count is None else rows + count
        present = set(names) if present is None else present & set(names)
    columns = needed + tuple(c for c in OPTIONAL_COLUMNS if c in (present or set()))
    return Source(path=path, format=fmt, files=files, columns=columns, rows=rows)


def _parquet_header(file: Path) -> tuple[list[str], int]:
    pa, pq = _arrow()
    try:
        with pq.ParquetFile(file) as handle:  # the Arrow schema: top-level names, lists too
            return list(handle.schema_arrow.names), int(handle.metadata.num_rows)
    except (pa.ArrowException, OSError) as exc:
        raise ModelfitError(f"{file}: not a readable Parquet file ({_short(exc)})") from None


def _csv_header(file: Path) -> list[str]:
    try:
        return [str(c) for c in pd.read_csv(file, nrows=0, **_CSV_OPTIONS).columns]
    except pd.errors.EmptyDataError:
        raise ModelfitError(f"{file}: an empty CSV file; the first line must name the columns "
                            "(stage, capital, ...)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise ModelfitError(f"{file}: not a readable CSV file ({_short(exc)}); it must be "
                            "UTF-8 text with a header line") from None


def check_output(out: Path, source: Source) -> Path:
    """Check OUTPUT's suffix and folder, and that neither it nor its rejects file is the input."""
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise ModelfitError(f"{out}: --out must end in .parquet or .csv, got "
                            f"{out.suffix or 'no suffix'!r}")
    parent = out.parent
    if not parent.is_dir():
        raise ModelfitError(f"{out}: the output folder {parent} does not exist; create it or "
                            "choose another --out")
    if out.is_dir():
        raise ModelfitError(f"{out}: is a folder; --out must name a file (.parquet or .csv)")
    inputs = {f.resolve() for f in source.files}
    for target in (out, rejects_path(out)):
        resolved = target.resolve()
        if resolved in inputs or (source.path.is_dir()
                                  and resolved.parent == source.path.resolve()):
            raise ModelfitError(f"{target}: would overwrite or join the input {source.path}; "
                                "--out must be outside the input")
    return out


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# --- the chunk function -------------------------------------------------------------------------


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
    plain = text.str.fullmatch(_PLAIN_TEXT).fillna(True).to_numpy(dtype=bool)
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


# --- writing ------------------------------------------------------------------------------------


def _schema(fw: Framework, has_id: bool) -> Any:
    pa, _ = _arrow()
    first = (ID_COLUMN, pa.string()) if has_id else (ROW_COLUMN, pa.int64())
    return pa.schema([first, *[(m, pa.float64()) for m in fw.models], ("primary", pa.string())])


class _Sink:
    """A file written chunk by chunk: Parquet (one row group per chunk) or CSV (appended)."""

    def __init__(self, path: Path, schema: Any, *, header: bool = True) -> None:
        self.path = path
        self.schema = schema
        self.header = header
        self._writer: Any = None
        self._text: Any = None
        if schema is not None:
            _, pq = _arrow()
            self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        else:
            self._text = path.open("w", encoding="utf-8", newline="")

    def write(self, frame: pd.DataFrame) -> None:
        if self._writer is not None:
            pa, _ = _arrow()
            if len(frame):
                self._writer.write_table(pa.Table.from_pandas(frame, schema=self.schema,
                                                              preserve_index=False))
        else:
            if self.header or len(frame):
                frame.to_csv(self._text, header=self.header, index=False, lineterminator="\n")
            self.header = False

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._text is not None:
            self._text.close()


def _sinks(fw: Framework, source: Source, out: Path, rejects: Path) -> tuple[_Sink, _Sink]:
    """The output and rejects files, opened, with their CSV headers written."""
    schema = _schema(fw, source.has_id)
    scores_sink = _Sink(out, schema if out.suffix.lower() == ".parquet" else None)
    rejects_sink = _Sink(rejects, None)
    scores_sink.write(pd.DataFrame(columns=schema.names))
    rejects_sink.write(pd.DataFrame(columns=[c for c in REJECT_COLUMNS
                                             if c != ID_COLUMN or source.has_id]))
    return scores_sink, rejects_sink


def _place_together(pairs: list[tuple[Path, Path]], backup: Path) -> None:
    """Move each finished file onto its target: all of them, or none (the previous targets are
    moved aside first and put back if a move fails)."""
    backup.mkdir()
    saved: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for i, (_, target) in enumerate(pairs):
            if target.exists() or target.is_symlink():
                aside = backup / f"{i}{target.suffix}"
                os.replace(target, aside)
                saved.append((target, aside))
        for produced, target in pairs:
            os.replace(produced, target)
            placed.append(target)
    except BaseException:
        for target in placed:
            target.unlink(missing_ok=True)
        for target, aside in saved:
            os.replace(aside, target)
        raise


def _bar(total: int | None, progress: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="Scoring", unit=" rows", unit_scale=True, file=sys.stderr,
                disable=not progress)


# --- running locally ----------------------------------------------------------------------------

_CSV_OPTIONS: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_values": [""],
                                "encoding": "utf-8-sig"}


def _chunks(source: Source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The input in chunks of at most `chunk_rows` rows, files in name order."""
    if source.format == "csv":
        with pd.read_csv(source.files[0], usecols=list(source.columns), chunksize=chunk_rows,
                         **_CSV_OPTIONS) as reader:
            yield from reader
        return
    _, pq = _arrow()
    for file in source.files:
        with pq.ParquetFile(file) as handle:
            for batch in handle.iter_batches(batch_size=chunk_rows, columns=list(source.columns)):
                yield batch.to_pandas()


def _run_local(source: Source, fw: Framework, out: Path, rejects: Path, chunk_rows: int,
               progress: bool) -> tuple[int, int]:
    """Score chunk by chunk in this process; return (rows, bad rows)."""
    scores_sink, rejects_sink = _sinks(fw, source, out, rejects)
    rows = bad = 0
    bar = _bar(source.rows, progress)
    try:
        for chunk in _read_guarded(source, _chunks(source, chunk_rows)):
            scored, rejected = score_chunk(chunk, rows + 1, fw, has_id=source.has_id,
                                           for_csv=scores_sink.schema is None)
            scores_sink.write(scored)
            rejects_sink.write(rejected)
            rows += len(chunk)
            bad += len(chunk) - len(scored)
            bar.update(len(chunk))
    finally:
        bar.close()
        scores_sink.close()
        rejects_sink.close()
    return rows, bad


def _read_guarded(source: Source, chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """`chunks`, with a file that turns out unreadable part-way reported in one line."""
    pa, _ = _arrow()
    kind = "Parquet" if source.format == "parquet" else "CSV"
    try:
        yield from chunks
    except (pa.ArrowException, pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise ModelfitError(f"{source.path}: not a readable {kind} file ({_short(exc)})") from None


# --- running on a Dask cluster ------------------------------------------------------------------


def _run_distributed(source: Source, fw: Framework, address: str, work: Path, out: Path,
                     rejects: Path, progress: bool) -> tuple[int, int]:
    """Score on the Dask cluster at `address`: partitions scored and written by the workers
    into `work`, then joined here in order into `out` and `rejects`; return (rows, bad rows)."""
    import dask.dataframe as dd

    from modelfit.run.cluster import check_address, connect

    distributed: Any = importlib.import_module("distributed")  # untyped: used through Any
    client = connect(check_address(address, "--scheduler"))
    try:
        paths = [str(f.resolve()) for f in source.files]
        if source.format == "parquet":
            ddf = dd.read_parquet(paths, columns=list(source.columns), split_row_groups=True)
        else:
            ddf = dd.read_csv(paths[0], usecols=list(source.columns), **_CSV_OPTIONS)
        # Each partition's first row number needs the lengths of those before it: one pass
        # counting rows over the same frame (a column projection could merge partitions).
        lengths = [int(n) for n in client.compute(ddf.map_partitions(len)).result()]
        firsts = (1 + np.cumsum([0, *lengths[:-1]])).tolist()
        meta = pd.DataFrame({"rows": pd.Series(dtype="int64"), "bad": pd.Series(dtype="int64")})
        parts = ddf.map_partitions(_score_part, firsts, str(work.resolve()), fw, source.has_id,
                                   out.suffix.lower(), meta=meta, enforce_metadata=False)
        if parts.npartitions != len(lengths):  # pragma: no cover - dask changed its partitions
            raise RuntimeError(f"{len(lengths)} partitions counted, {parts.npartitions} to score")
        bar = _bar(sum(lengths), progress)
        total = bad = 0
        try:
            for future in distributed.as_completed(client.compute(parts.to_delayed()),
                                                   loop=client.loop):
                counts = future.result()
                total += int(counts["rows"].sum())
                bad += int(counts["bad"].sum())
                bar.update(int(counts["rows"].sum()))
        finally:
            bar.close()
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise ModelfitError(f"{source.path}: not readable on the cluster ({_short(exc)})") from None
    finally:
        client.close()
    _join_parts(source, fw, work, out, rejects, len(lengths))
    return total, bad


def _part_names(work: Path, number: int, suffix: str) -> tuple[Path, Path]:
    return work / f"part-{number:06d}{suffix}", work / f"rejects-{number:06d}.csv"


def _score_part(part: pd.DataFrame, firsts: list[int], work: str, fw: Framework, has_id: bool,
                suffix: str, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """On a worker: score one partition with `score_chunk` and write its part files."""
    if partition_info is None:  # pragma: no cover - dask passes it to functions that take it
        raise RuntimeError("_score_part needs dask's partition_info to number its rows")
    number = int(partition_info["number"])
    scored, rejected = score_chunk(part, firsts[number], fw, has_id=has_id,
                                   for_csv=suffix == ".csv")
    out, rejects = _part_names(Path(work), number, suffix)
    schema = _schema(fw, has_id) if suffix == ".parquet" else None
    for sink, frame in ((_Sink(out, schema, header=False), scored),
                        (_Sink(rejects, None, header=False), rejected)):
        try:
            sink.write(frame)
        finally:
            sink.close()
    return pd.DataFrame({"rows": [len(part)], "bad": [len(part) - len(scored)]})


def _join_parts(source: Source, fw: Framework, work: Path, out: Path, rejects: Path,
                count: int) -> None:
    """Join the workers' part files, in partition order, into `out` and `rejects`."""
    _, pq = _arrow()
    scores_sink, rejects_sink = _sinks(fw, source, out, rejects)
    try:
        for number in range(count):
            part, part_rejects = _part_names(work, number, out.suffix.lower())
            if scores_sink.schema is not None:
                with pq.ParquetFile(part) as handle:
                    for batch in handle.iter_batches():
                        scores_sink._writer.write_batch(batch)
            else:
                _append(part, scores_sink)
            _append(part_rejects, rejects_sink)
            part.unlink()
            part_rejects.unlink()
    finally:
        scores_sink.close()
        rejects_sink.close()


def _append(part: Path, sink: _Sink) -> None:
    with part.open("r", encoding="utf-8", newline="") as handle:
        shutil.copyfileobj(handle, sink._text)

