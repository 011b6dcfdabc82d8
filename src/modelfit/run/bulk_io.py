"""The files of a bulk scoring run (`modelfit score`, modelfit.run.bulk): checking INPUT and
OUTPUT before anything is written, reading the input in chunks, writing the outputs chunk by
chunk, moving them into place together, and the progress shown on stderr.

INPUT is a CSV file, a Parquet file or a folder of Parquet files, read in chunks
(`ParquetFile.iter_batches`, `read_csv(chunksize=...)`) so memory stays bounded by the chunk
size. OUTPUT (.parquet or .csv, by its suffix) is written as a stream (`ParquetWriter`, CSV
appended), and `<stem>.rejects.csv` next to it; both are moved into place together at the end
(`place_together`), so a failed or interrupted run leaves them as they were.
"""

from __future__ import annotations

import codecs
import csv
import importlib
import io
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.reading import open_regular
from modelfit.run.bulk_chunk import ID_COLUMN, REJECT_COLUMNS, ROW_COLUMN

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework

INPUT_SUFFIXES = (".csv", ".parquet")
OUTPUT_SUFFIXES = (".parquet", ".csv")
OPTIONAL_COLUMNS = ("existing_channels", ID_COLUMN)
CHUNK_BYTES = 64 * 1024 * 1024  # about what one chunk may take in memory, whatever its rows
FIRST_CHUNK_ROWS = 1000  # a CSV's first chunk, from which the next chunks are sized
MAX_ROW_BYTES = 64 * 1024  # a profile row is a few hundred bytes; more is not a profile
MAX_HEADER_BYTES = 1024 * 1024
# Parquet pages are read through a buffer of this size, not a whole column chunk at once
READ_BUFFER_BYTES = 1024 * 1024
# How every CSV input is read, locally and on a Dask cluster: all text, only "" missing.
CSV_OPTIONS: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_values": [""],
                               "encoding": "utf-8-sig"}

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


def import_arrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet (untyped libraries: used through Any)."""
    return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")


def describe_error(exc: BaseException) -> str:
    """An exception's message on one line, at most 200 characters (its type when it has none)."""
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# --- checking the input and the output ----------------------------------------------------------


def open_source(path: Path, fw: Framework) -> Source:
    """Check that `path` is a readable CSV, Parquet file or folder of Parquet files holding the
    needed columns, once each and of usable types; nothing is read past the header or the
    Parquet metadata. Files are opened through core.reading (regular files only: a FIFO or a
    link to a device is refused before a byte is read)."""
    allowed = "a .csv or .parquet file, or a folder of .parquet files"
    if path.is_dir():
        # every *.parquet entry but folders: a FIFO or a link to a device is refused when
        # opened, not skipped in silence
        files = tuple(sorted(p for p in path.iterdir() if p.suffix == ".parquet"
                             and not p.is_dir()))
        if not files:
            raise ModelfitError(f"{path}: a folder with no .parquet files; INPUT must be {allowed}")
        fmt: Format = "parquet"
    elif not path.exists() and not path.is_symlink():
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
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ModelfitError(f"{file}: column(s) {', '.join(map(repr, twice))} appear more "
                                "than once in the header; each column once")
        missing = [c for c in needed if c not in names]
        if missing:
            raise ModelfitError(
                f"{file}: missing column(s) {', '.join(missing)}; needs {', '.join(needed)} "
                f"(optional: {', '.join(OPTIONAL_COLUMNS)})")
        rows = None if rows is None or count is None else rows + count
        present = set(names) if present is None else present & set(names)
    columns = needed + tuple(c for c in OPTIONAL_COLUMNS if c in (present or set()))
    if fmt == "parquet":
        for file in files:
            _check_parquet(file, columns)
    return Source(path=path, format=fmt, files=files, columns=columns, rows=rows)


def _parquet_header(file: Path) -> tuple[list[str], int]:
    pa, pq = import_arrow()
    with open_regular(file, "a Parquet file") as raw:
        try:
            with pq.ParquetFile(raw) as handle:  # the Arrow schema: top-level names, lists too
                return list(handle.schema_arrow.names), int(handle.metadata.num_rows)
        except (pa.ArrowException, OSError) as exc:
            raise ModelfitError(f"{file}: not a readable Parquet file "
                                f"({describe_error(exc)})") from None


def _check_parquet(file: Path, columns: tuple[str, ...]) -> None:
    """Refuse a column of a type that cannot hold a profile value (a list or struct `stage`), and
    a file whose rows would inflate past MAX_ROW_BYTES each (the metadata's uncompressed sizes
    of the columns read)."""
    pa, pq = import_arrow()
    with open_regular(file, "a Parquet file") as raw, pq.ParquetFile(raw) as handle:
        schema = handle.schema_arrow
        for name in columns:
            kind = schema.field(name).type
            text_list = (name == "existing_channels" and pa.types.is_list(kind)
                         and _scalar(pa, kind.value_type))
            if not (_scalar(pa, kind) or text_list):
                what = "a list of text" if name == "existing_channels" else "text or a number"
                raise ModelfitError(f"{file}: column {name} is of type {kind}; it must hold "
                                    f"{what}, one value per row")
        meta = handle.metadata
        wanted = set(columns)
        for index in range(meta.num_row_groups):
            group = meta.row_group(index)
            size = sum(group.column(i).total_uncompressed_size for i in range(group.num_columns)
                       if group.column(i).path_in_schema.split(".")[0] in wanted)
            if group.num_rows and size / group.num_rows > MAX_ROW_BYTES:
                raise ModelfitError(
                    f"{file}: row group {index} holds {size} bytes unpacked for {group.num_rows} "
                    f"row(s); a profile row may take at most {MAX_ROW_BYTES} bytes")


def _scalar(pa: Any, kind: Any) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_integer(kind) or pa.types.is_floating(kind)
                or pa.types.is_null(kind) or pa.types.is_decimal(kind))


def _csv_header(file: Path) -> list[str]:
    """The header's names as written (duplicates kept, so that they can be refused)."""
    with open_regular(file, "a CSV file") as handle:
        head = handle.read(MAX_HEADER_BYTES)
    try:
        # a character cut at the end of what was read is left out, not an error
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        first = next(csv.reader(io.StringIO(text, newline="")), None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ModelfitError(f"{file}: not a readable CSV file ({describe_error(exc)}); it must "
                            "be UTF-8 text with a header line") from None
    if not first:
        raise ModelfitError(f"{file}: an empty CSV file; the first line must name the columns "
                            "(stage, capital, ...)")
    return [c.strip() for c in first]


def rejects_path(output: Path) -> Path:
    """Where the bad rows of a run writing `output` go: `<stem>.rejects.csv` next to it."""
    return output.with_name(output.stem + ".rejects.csv")


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


# --- reading ------------------------------------------------------------------------------------


def read_chunks(source: Source, chunk_rows: int,
                chunk_bytes: int = CHUNK_BYTES) -> Iterator[pd.DataFrame]:
    """The input in chunks of at most `chunk_rows` rows and about `chunk_bytes` bytes in memory,
    files in name order. A CSV's next chunk is sized from the bytes per row of the last one; a
    Parquet file's from its metadata (uncompressed bytes per row of the columns read, the
    widest row group's)."""
    if source.format == "csv":
        with open_regular(source.files[0], "a CSV file") as raw, \
                pd.read_csv(raw, usecols=list(source.columns), chunksize=1, **CSV_OPTIONS) as reader:
            size = min(chunk_rows, FIRST_CHUNK_ROWS)
            while True:
                try:
                    chunk = reader.get_chunk(size)
                except StopIteration:
                    return
                yield chunk
                size = _next_size(chunk, chunk_rows, chunk_bytes)
        return
    pa, pq = import_arrow()
    for file in source.files:
        with open_regular(file, "a Parquet file") as raw, pq.ParquetFile(
                raw, buffer_size=READ_BUFFER_BYTES, pre_buffer=False) as handle:
            meta = handle.metadata
            wanted = set(source.columns)
            widest = 1.0
            for index in range(meta.num_row_groups):
                group = meta.row_group(index)
                size = sum(group.column(i).total_uncompressed_size
                           for i in range(group.num_columns)
                           if group.column(i).path_in_schema.split(".")[0] in wanted)
                widest = max(widest, size / max(1, group.num_rows))
            size = max(1, min(chunk_rows, int(chunk_bytes // widest)))
            for batch in handle.iter_batches(batch_size=size, columns=list(source.columns)):
                if ID_COLUMN in batch.schema.names:
                    batch = _id_as_text(pa, batch)
                # the pandas metadata would turn the id back into the integers it was written as
                yield batch.to_pandas(ignore_metadata=True)


def _next_size(chunk: pd.DataFrame, chunk_rows: int, chunk_bytes: int) -> int:
    if not len(chunk):
        return chunk_rows
    per_row = max(1.0, chunk.memory_usage(deep=True, index=False).sum() / len(chunk))
    return max(1, min(chunk_rows, int(chunk_bytes // per_row)))


def _id_as_text(pa: Any, batch: Any) -> Any:
    """company_id as text whatever its Parquet type: an integer 1 as "1" (not "1.0" when the
    column has a gap), a missing one as missing (not "nan")."""
    pc = importlib.import_module("pyarrow.compute")
    index = batch.schema.get_field_index(ID_COLUMN)
    column = batch.column(index)
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = pc.cast(column, pa.string())
    return batch.set_column(index, ID_COLUMN, column)


def guard_reading(source: Source, chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """`chunks`, with a file that turns out unreadable part-way reported in one line."""
    pa, _ = import_arrow()
    kind = "Parquet" if source.format == "parquet" else "CSV"
    try:
        yield from chunks
    except (pa.ArrowException, pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise ModelfitError(f"{source.path}: not a readable {kind} file "
                            f"({describe_error(exc)})") from None


# --- writing ------------------------------------------------------------------------------------


def build_schema(fw: Framework, has_id: bool) -> Any:
    """The Arrow schema of a Parquet OUTPUT: the id column, one score per model, `primary`."""
    pa, _ = import_arrow()
    first = (ID_COLUMN, pa.string()) if has_id else (ROW_COLUMN, pa.int64())
    return pa.schema([first, *[(m, pa.float64()) for m in fw.models], ("primary", pa.string())])


class Sink:
    """A file written chunk by chunk: Parquet (one row group per chunk) or CSV (appended)."""

    def __init__(self, path: Path, schema: Any, *, header: bool = True) -> None:
        self.path = path
        self.schema = schema
        self.header = header
        self._writer: Any = None
        self._text: Any = None
        if schema is not None:
            _, pq = import_arrow()
            self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        else:
            self._text = path.open("w", encoding="utf-8", newline="")

    def write(self, frame: pd.DataFrame) -> None:
        """Add `frame`'s rows (a CSV's header first, once, when the sink writes one)."""
        if self._writer is not None:
            pa, _ = import_arrow()
            if len(frame):
                self._writer.write_table(pa.Table.from_pandas(frame, schema=self.schema,
                                                              preserve_index=False))
        else:
            if self.header or len(frame):
                frame.to_csv(self._text, header=self.header, index=False, lineterminator="\n")
            self.header = False

    def append(self, part: Path) -> None:
        """Add the rows of a part file written by a headerless sink of the same format."""
        if self._writer is not None:
            _, pq = import_arrow()
            with pq.ParquetFile(part) as handle:
                for batch in handle.iter_batches():
                    self._writer.write_batch(batch)
        else:
            with part.open("r", encoding="utf-8", newline="") as handle:
                shutil.copyfileobj(handle, self._text)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._text is not None:
            self._text.close()


def open_sinks(fw: Framework, source: Source, out: Path, rejects: Path) -> tuple[Sink, Sink]:
    """The output and rejects files, opened, with their CSV headers written."""
    schema = build_schema(fw, source.has_id)
    scores_sink = Sink(out, schema if out.suffix.lower() == ".parquet" else None)
    rejects_sink = Sink(rejects, None)
    scores_sink.write(pd.DataFrame(columns=schema.names))
    rejects_sink.write(pd.DataFrame(columns=[c for c in REJECT_COLUMNS
                                             if c != ID_COLUMN or source.has_id]))
    return scores_sink, rejects_sink


def place_together(pairs: list[tuple[Path, Path]], backup: Path) -> None:
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


def progress_bar(total: int | None, progress: bool) -> Any:
    """A bar on stderr counting scored rows (disabled when `progress` is false)."""
    from tqdm import tqdm

    return tqdm(total=total, desc="Scoring", unit=" rows", unit_scale=True, file=sys.stderr,
                disable=not progress)
