"""Scoring files of any size: `modelfit score INPUT --out OUTPUT` (docs/scoring.md).

INPUT is a CSV file, a Parquet file or a folder of Parquet files of company profiles, one row
each. It is read in chunks and every chunk goes through one function, `score_chunk`: rows
with a bad value are set apart with their reasons (`modelfit.decision.scoring.check_rows`), the others
are scored with `score_profiles`. OUTPUT (.parquet or .csv, by its suffix) gets the id of each
good row (`company_id` if the input has it, else `row`, the row's number counting from 1 at
the first data row), one score per model and `primary`; `<stem>.rejects.csv` next to it gets
one line per bad value: row, company_id (if any), column, value and reason.

Two ways to run, one chunk function (`modelfit.run.bulk_chunk`):
- locally (default): one process, chunked reading (`ParquetFile.iter_batches`,
  `read_csv(chunksize=...)`) and streaming writing (`ParquetWriter`, CSV appended), so memory
  stays bounded by the chunk size whatever the file's size (the files: `modelfit.run.bulk_io`);
- on a Dask cluster (`scheduler=ADDRESS`): `dask.dataframe` reads the input in partitions and
  `map_partitions` runs `score_chunk` on the workers, each writing its partition's part files
  into the output folder (input and output must be reachable by every worker at the same
  path); the driver then joins the parts in order into OUTPUT (`modelfit.run.bulk_dask`).

Both write all-or-nothing: everything goes into a temporary folder next to OUTPUT, and OUTPUT
and its rejects file are moved into place together at the end; a failed or interrupted run
leaves them as they were. Text written to CSV is escaped against formula injection
(`modelfit.core.safe.spreadsheet_cell`). Scores are rounded to `SCORE_DECIMALS` at the source.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from modelfit.core.errors import ModelfitError
from modelfit.core.files import process_alive
from modelfit.run.bulk_chunk import SCORE_DECIMALS, score_chunk
from modelfit.run.bulk_dask import run_distributed
from modelfit.run.bulk_io import (
    Source,
    check_output,
    guard_reading,
    open_sinks,
    open_source,
    place_together,
    progress_bar,
    read_chunks,
    rejects_path,
)

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework

__all__ = ["CHUNK_ROWS", "SCORE_DECIMALS", "ScoreResult", "rejects_path", "score_chunk",
           "score_file"]

CHUNK_ROWS = 250_000  # rows per chunk read locally: about 100 MB of working memory


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
    remove_dead_runs(out)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}.", dir=out.parent))
    except OSError as exc:
        raise ModelfitError(f"{out.parent}: cannot write the output there ({exc.strerror}); "
                            "choose an --out in a folder you can write to") from None
    try:
        tmp_out, tmp_rejects = work / f"output{out.suffix}", work / "rejects.csv"
        if scheduler:
            rows, bad = run_distributed(source, fw, scheduler, work, tmp_out, tmp_rejects,
                                        progress)
        else:
            rows, bad = _run_local(source, fw, tmp_out, tmp_rejects, chunk_rows, progress)
        place_together([(tmp_out, out), (tmp_rejects, rejects)], work / "previous")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ScoreResult(output=out, rejects=rejects, rows=rows, scored=rows - bad, bad_rows=bad)


def remove_dead_runs(out: Path) -> list[Path]:
    """Remove the working folders `.<OUTPUT name>.<pid>.<random>` of runs writing `out` whose
    process is gone (kill -9 leaves them); a live run's folder is left alone. Returns them."""
    removed: list[Path] = []
    prefix = f".{out.name}."
    for folder in out.parent.glob(f"{glob.escape(prefix)}*"):
        pid, _, rest = folder.name[len(prefix):].partition(".")
        if not (pid.isdigit() and rest and folder.is_dir() and not folder.is_symlink()):
            continue
        if not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _run_local(source: Source, fw: Framework, out: Path, rejects: Path, chunk_rows: int,
               progress: bool) -> tuple[int, int]:
    """Score chunk by chunk in this process; return (rows, bad rows)."""
    scores_sink, rejects_sink = open_sinks(fw, source, out, rejects)
    rows = bad = 0
    bar = progress_bar(source.rows, progress)
    try:
        for chunk in guard_reading(source, read_chunks(source, chunk_rows)):
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
