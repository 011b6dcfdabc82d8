"""Issue 25 (hostile inputs, third round) for `score`: pipes and devices, chunks bounded by bytes
as well as rows, nested or duplicate Parquet columns, and company ids kept as they were
written. Each test names the item it reproduces."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modelfit import Framework, ModelfitError
from modelfit.cli import main
from modelfit.core.vocab import RATINGS
from modelfit.run.bulk import score_file
from modelfit.run.bulk_io import MAX_ROW_BYTES, open_source, read_chunks


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail instead of hanging: what used to block for ever gets 20 seconds."""
    def expire(*_: Any) -> None:
        raise TimeoutError("blocked: the call did not return within 20 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def table(n: int, **extra: Any) -> dict[str, Any]:
    return {"stage": ["growth"] * n, **{r: [3] * n for r in RATINGS}, **extra}


# --- item 1: pipes and devices ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["x.csv", "x.parquet"])
def test_item1_a_fifo_input_is_refused_at_once(tmp_path: Path, name: str, deadline: None,
                                               framework: Framework) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    with pytest.raises(ModelfitError, match=rf"^{fifo}: is not a regular file \(a pipe"):
        score_file(fifo, tmp_path / "out.csv", framework, progress=False)


def test_item1_a_link_to_dev_zero_is_refused(tmp_path: Path, deadline: None,
                                             framework: Framework) -> None:
    link = tmp_path / "z.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(ModelfitError, match=rf"^{link}: is not a regular file"):
        score_file(link, tmp_path / "out.csv", framework, progress=False)


def test_item1_a_fifo_in_a_parquet_folder_is_refused_not_skipped(
    tmp_path: Path, deadline: None, framework: Framework,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    pd.DataFrame(table(3)).to_parquet(folder / "a.parquet")
    os.mkfifo(folder / "b.parquet")
    with pytest.raises(ModelfitError, match=r"b\.parquet: is not a regular file"):
        score_file(folder, tmp_path / "out.csv", framework, progress=False)


# --- item 2: chunks bounded by bytes ------------------------------------------------------------------
def _wide(n: int, width: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    ids = ["".join(rng.choice(list("abcdefgh"), width)) for _ in range(n)]
    return pd.DataFrame(table(n, company_id=ids))


def test_item2_parquet_chunks_are_bounded_by_bytes_not_only_rows(
    tmp_path: Path, framework: Framework,
) -> None:
    """2,000 rows of 2 KB unique ids with a 1 MiB budget: chunks of a few hundred rows, not one
    chunk of 2,000 (the row bound alone was 250,000)."""
    _wide(2000, 2048).to_parquet(tmp_path / "in.parquet", row_group_size=2000)
    source = open_source(tmp_path / "in.parquet", framework)
    sizes = [len(c) for c in read_chunks(source, 250_000, chunk_bytes=1 << 20)]
    assert sum(sizes) == 2000
    assert max(sizes) <= 1 + (1 << 20) // 2048


def test_item2_csv_chunks_are_bounded_by_bytes_not_only_rows(
    tmp_path: Path, framework: Framework,
) -> None:
    _wide(3000, 2048).to_csv(tmp_path / "in.csv", index=False)
    source = open_source(tmp_path / "in.csv", framework)
    chunks = list(read_chunks(source, 250_000, chunk_bytes=1 << 20))
    assert sum(len(c) for c in chunks) == 3000
    # the first chunk is FIRST_CHUNK_ROWS, the next ones sized from its bytes per row
    assert max(c.memory_usage(deep=True, index=False).sum() for c in chunks[1:]) <= 1 << 20


def test_item2_rows_that_inflate_past_a_profiles_size_are_refused(
    tmp_path: Path, framework: Framework,
) -> None:
    """A tiny file (one repeated string compresses to nothing) whose rows unpack to more than
    MAX_ROW_BYTES each is refused from its metadata before a row is read."""
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table(table(50, company_id=["x" * (MAX_ROW_BYTES + 1)] * 50)), path,
                   use_dictionary=False, compression="zstd")
    assert path.stat().st_size < 100_000
    with pytest.raises(ModelfitError, match=rf"^{path}: row group 0 holds \d+ bytes unpacked for "
                       rf"50 row\(s\); a profile row may take at most {MAX_ROW_BYTES} bytes$"):
        score_file(path, tmp_path / "out.csv", framework, progress=False)


# --- item 6: nested or duplicate Parquet columns ---------------------------------------------------------
@pytest.mark.parametrize(("column", "kind"), [
    (pa.array([["growth"]] * 3), "list<element: string>"),
    (pa.array([{"a": "growth"}] * 3), "struct<a: string>"),
])
def test_item6_a_nested_stage_column_is_one_line(
    tmp_path: Path, framework: Framework, capsys: pytest.CaptureFixture[str], column: Any,
    kind: str,
) -> None:
    data = table(3)
    data["stage"] = column
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table(data), path)
    assert main(["score", str(path), "--out", str(tmp_path / "out.csv")]) == 2
    assert capsys.readouterr().err == (f"modelfit: {path}: column stage is of type {kind}; it "
                                       "must hold text or a number, one value per row\n")


def test_item6_duplicate_parquet_columns_are_one_line(tmp_path: Path, framework: Framework) -> None:
    names = ["stage", *RATINGS, "capital"]
    arrays = [pa.array(["growth"] * 2)] + [pa.array([3, 3])] * (len(RATINGS) + 1)
    path = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_arrays(arrays, names=names), path)
    with pytest.raises(ModelfitError, match=rf"^{path}: column\(s\) 'capital' appear more than "
                       r"once in the header; each column once$"):
        score_file(path, tmp_path / "out.csv", framework, progress=False)


# --- item 9: duplicate CSV headers, integer company ids ----------------------------------------------
def test_item9_a_duplicate_csv_header_is_refused_as_in_import(
    tmp_path: Path, framework: Framework,
) -> None:
    path = tmp_path / "in.csv"
    path.write_text("stage," + ",".join(RATINGS) + ",capital\ngrowth,3,3,3,3,5\n", "utf-8")
    with pytest.raises(ModelfitError, match=rf"^{path}: column\(s\) 'capital' appear more than "
                       r"once in the header; each column once$"):
        score_file(path, tmp_path / "out.csv", framework, progress=False)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_item9_integer_company_ids_stay_integers_and_a_missing_one_stays_missing(
    tmp_path: Path, framework: Framework, suffix: str,
) -> None:
    path = tmp_path / "in.parquet"
    pd.DataFrame(table(3, company_id=pd.array([1, None, 3], dtype="Int64"))).to_parquet(path)
    score_file(path, tmp_path / f"out{suffix}", framework, progress=False)
    if suffix == ".csv":
        lines = (tmp_path / "out.csv").read_text("utf-8").splitlines()
        assert [line.split(",")[0] for line in lines] == ["company_id", "1", "", "3"]
    else:
        assert pq.read_table(tmp_path / "out.parquet")["company_id"].to_pylist() == [
            "1", None, "3"]
