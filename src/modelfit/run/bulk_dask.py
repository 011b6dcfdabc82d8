"""The Dask path of a bulk scoring run (`modelfit score --scheduler ADDRESS`, modelfit.run.bulk).

`dask.dataframe` reads the input in partitions and `map_partitions` runs
`modelfit.run.bulk_chunk.score_chunk` on the workers, each writing its partition's part files
into the run's work folder (input and output must be reachable by every worker at the same
path); the driver then joins the parts in order into the output and rejects files.
"""

from __future__ import annotations

import csv
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.run.bulk_chunk import score_chunk
from modelfit.run.bulk_io import (
    CSV_OPTIONS,
    Sink,
    Source,
    build_schema,
    describe_error,
    open_sinks,
    progress_bar,
)

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework


def run_distributed(source: Source, fw: Framework, address: str, work: Path, out: Path,
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
            ddf = dd.read_csv(paths[0], usecols=list(source.columns), **CSV_OPTIONS)
        # Each partition's first row number needs the lengths of those before it: one pass
        # counting rows over the same frame (a column projection could merge partitions).
        lengths = [int(n) for n in client.compute(ddf.map_partitions(len)).result()]
        firsts = (1 + np.cumsum([0, *lengths[:-1]])).tolist()
        meta = pd.DataFrame({"rows": pd.Series(dtype="int64"), "bad": pd.Series(dtype="int64")})
        parts = ddf.map_partitions(_score_part, firsts, str(work.resolve()), fw, source.has_id,
                                   out.suffix.lower(), meta=meta, enforce_metadata=False)
        if parts.npartitions != len(lengths):  # pragma: no cover - dask changed its partitions
            raise RuntimeError(f"{len(lengths)} partitions counted, {parts.npartitions} to score")
        bar = progress_bar(sum(lengths), progress)
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
        raise ModelfitError(f"{source.path}: not readable on the cluster "
                            f"({describe_error(exc)})") from None
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
    schema = build_schema(fw, has_id) if suffix == ".parquet" else None
    for sink, frame in ((Sink(out, schema, header=False), scored),
                        (Sink(rejects, None, header=False), rejected)):
        try:
            sink.write(frame)
        finally:
            sink.close()
    return pd.DataFrame({"rows": [len(part)], "bad": [len(part) - len(scored)]})


def _join_parts(source: Source, fw: Framework, work: Path, out: Path, rejects: Path,
                count: int) -> None:
    """Join the workers' part files, in partition order, into `out` and `rejects`."""
    scores_sink, rejects_sink = open_sinks(fw, source, out, rejects)
    try:
        for number in range(count):
            part, part_rejects = _part_names(work, number, out.suffix.lower())
            scores_sink.append(part)
            rejects_sink.append(part_rejects)
            part.unlink()
            part_rejects.unlink()
    finally:
        scores_sink.close()
        rejects_sink.close()
