"""Scoring files of any size (`modelfit score`, modelfit.run.bulk): the same scores as
score_profiles, bad rows set apart, chunk boundaries, formats, all-or-nothing, CLI errors."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelfit import Framework, ModelfitError, score_profiles
from modelfit.cli import main
from modelfit.core.vocab import RATINGS, STAGES
from modelfit.run import bulk
from modelfit.run.bulk import rejects_path, score_chunk, score_file

from .conftest import MODELS, examples

CHANNELS = ["", "platform", "distribution;platform", "independent_site", "platform; distribution"]


def profiles(n: int, seed: int, *, ids: bool = True) -> pd.DataFrame:
    """n random valid profiles, with company ids and existing channels as `a;b` text."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"stage": rng.choice(STAGES, n),
                       **{r: rng.integers(1, 6, n) for r in RATINGS},
                       "existing_channels": rng.choice(CHANNELS, n)})
    df["existing_channels"] = df["existing_channels"].replace("", np.nan)
    if ids:
        df.insert(0, "company_id", [f"co{i:05d}" for i in range(n)])
    return df


def expected(df: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """What `modelfit score` should write for valid rows: score_profiles on the whole frame."""
    scores = score_profiles(df, fw)
    out = pd.DataFrame({"company_id": df["company_id"].astype("str")} if "company_id" in df
                       else {"row": np.arange(1, len(df) + 1, dtype=np.int64)})
    for m in MODELS:
        out[m] = scores[m].round(bulk.SCORE_DECIMALS).to_numpy()
    out["primary"] = scores["primary"].astype("str").to_numpy()
    return out


def read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={"company_id": "str"})
    return pd.read_parquet(path)


def with_bad_rows(df: pd.DataFrame) -> pd.DataFrame:
    """df with four bad values in three rows (positions 2, 5 and the last)."""
    bad = df.astype({r: object for r in RATINGS}).copy()
    bad.loc[2, "stage"] = "scaleup"
    bad.loc[5, "capital"] = 9
    bad.loc[5, "tech_data"] = None
    bad.loc[len(bad) - 1, "existing_channels"] = "amazon"
    return bad


def test_csv_scores_equal_score_profiles_on_the_whole_frame(
    tmp_path: Path, framework: Framework,
) -> None:
    """A CSV of valid profiles scores as score_profiles on the whole frame, company ids kept."""
    df = profiles(500, 1)
    df.to_csv(tmp_path / "in.csv", index=False)
    result = score_file(tmp_path / "in.csv", tmp_path / "out.csv", framework, progress=False)
    pd.testing.assert_frame_equal(read(tmp_path / "out.csv"), expected(df, framework),
                                  check_dtype=False)
    assert (result.rows, result.scored, result.bad_rows) == (500, 500, 0)


def test_parquet_without_ids_numbers_the_rows(tmp_path: Path, framework: Framework) -> None:
    """Without a company_id column each output row carries its row number, from 1."""
    df = profiles(300, 2, ids=False)
    df.to_parquet(tmp_path / "in.parquet")
    score_file(tmp_path / "in.parquet", tmp_path / "out.parquet", framework, progress=False)
    got = read(tmp_path / "out.parquet")
    assert got.columns.tolist() == ["row", *MODELS, "primary"]
    pd.testing.assert_frame_equal(got, expected(df, framework), check_dtype=False)


def test_a_folder_of_parquet_files_reads_as_one_table_in_name_order(
    tmp_path: Path, framework: Framework,
) -> None:
    """A folder of Parquet files scores as their rows one after the other, files in name
    order, row numbers running on across files."""
    df = profiles(250, 3, ids=False)
    folder = tmp_path / "in"
    folder.mkdir()
    for k, (lo, hi) in enumerate([(0, 100), (100, 130), (130, 250)]):
        df.iloc[lo:hi].to_parquet(folder / f"part-{k}.parquet")
    (folder / "notes.txt").write_text("not a table")
    score_file(folder, tmp_path / "out.parquet", framework, progress=False)
    pd.testing.assert_frame_equal(read(tmp_path / "out.parquet"), expected(df, framework),
                                  check_dtype=False)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("chunk_rows", [1, 3, 6, 1000])
def test_chunk_boundaries_change_nothing(
    tmp_path: Path, framework: Framework, suffix: str, chunk_rows: int,
) -> None:
    """Any chunk size gives the same scores and the same rejects (row numbers included), bad
    rows falling on either side of a chunk boundary."""
    df = with_bad_rows(profiles(20, 4))
    source = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        df.to_csv(source, index=False)
    else:
        df.astype({r: "float64" for r in RATINGS}).to_parquet(source)
    score_file(source, tmp_path / "out.csv", framework, chunk_rows=chunk_rows, progress=False)
    score_file(source, tmp_path / "whole.csv", framework, chunk_rows=10**6, progress=False)
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert (tmp_path / "out.rejects.csv").read_bytes() == (
        tmp_path / "whole.rejects.csv").read_bytes()


def test_bad_rows_are_set_apart_with_their_reasons(tmp_path: Path, framework: Framework) -> None:
    """A bad row does not fail the file: the good rows are scored, and each bad value is one
    line of the rejects file with row number, company id, column, value and reason."""
    df = with_bad_rows(profiles(8, 5))
    df.to_csv(tmp_path / "in.csv", index=False)
    result = score_file(tmp_path / "in.csv", tmp_path / "out.parquet", framework, progress=False)
    assert (result.rows, result.scored, result.bad_rows) == (8, 5, 3)
    good = df.drop(index=[2, 5, 7]).astype({r: "int64" for r in RATINGS})
    pd.testing.assert_frame_equal(read(tmp_path / "out.parquet"),
                                  expected(good.reset_index(drop=True), framework),
                                  check_dtype=False)
    rejects = pd.read_csv(tmp_path / "out.rejects.csv", dtype=str, keep_default_na=False)
    assert rejects.columns.tolist() == ["row", "company_id", "column", "value", "reason"]
    assert rejects.to_dict("records") == [
        {"row": "3", "company_id": "co00002", "column": "stage", "value": "scaleup",
         "reason": "must be one of startup, growth, mature"},
        {"row": "6", "company_id": "co00005", "column": "capital", "value": "9",
         "reason": "must be an integer from 1 to 5"},
        {"row": "6", "company_id": "co00005", "column": "tech_data", "value": "",
         "reason": "missing; must be an integer from 1 to 5"},
        {"row": "8", "company_id": "co00007", "column": "existing_channels", "value": "amazon",
         "reason": "must be a list of platform, distribution, independent_site (a;b in a text "
                   "cell)"},
    ]
    assert result.summary() == (f"scored 5 of 8 rows into {tmp_path / 'out.parquet'}; "
                                f"3 bad row(s) set apart in {tmp_path / 'out.rejects.csv'}")


def test_the_rejects_file_is_written_even_when_empty(tmp_path: Path, framework: Framework) -> None:
    """With no bad rows the rejects file holds its header only (no stale file from before)."""
    profiles(5, 6).to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "out.rejects.csv").write_text("old\n")
    score_file(tmp_path / "in.csv", tmp_path / "out.csv", framework, progress=False)
    assert (tmp_path / "out.rejects.csv").read_text() == "row,company_id,column,value,reason\n"


def test_parquet_list_channels_score_as_text_channels(tmp_path: Path, framework: Framework) -> None:
    """existing_channels as a Parquet list column scores as the same channels written `a;b`."""
    df = profiles(40, 7)
    lists = df.copy()
    lists["existing_channels"] = [[] if not isinstance(v, str) else
                                  [c.strip() for c in v.split(";")]
                                  for v in df["existing_channels"]]
    lists.to_parquet(tmp_path / "lists.parquet")
    score_file(tmp_path / "lists.parquet", tmp_path / "out.parquet", framework, progress=False)
    pd.testing.assert_frame_equal(read(tmp_path / "out.parquet"), expected(df, framework),
                                  check_dtype=False)


def test_text_written_to_csv_is_escaped_against_formulas(
    tmp_path: Path, framework: Framework,
) -> None:
    """A company id or a bad value starting a formula is written to CSV as text (leading
    apostrophe); Parquet keeps the id as it is."""
    df = profiles(3, 8)
    df.loc[0, "company_id"] = "=HYPERLINK(\"http://x\")"
    df["stage"] = df["stage"].astype(object)
    df.loc[1, "stage"] = "+cmd|' /C calc'!A0"
    df.to_csv(tmp_path / "in.csv", index=False)
    score_file(tmp_path / "in.csv", tmp_path / "out.csv", framework, progress=False)
    out = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert out["company_id"].tolist()[0] == "'=HYPERLINK(\"http://x\")"
    rejects = pd.read_csv(tmp_path / "out.rejects.csv", dtype=str)
    assert rejects["value"].tolist() == ["'+cmd|' /C calc'!A0"]
    score_file(tmp_path / "in.csv", tmp_path / "out.parquet", framework, progress=False)
    assert read(tmp_path / "out.parquet")["company_id"].tolist()[0] == "=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_a_failed_run_leaves_the_previous_output_and_no_temporary_files(
    tmp_path: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch,
    failure: BaseException,
) -> None:
    """All-or-nothing: a run that fails or is interrupted part-way leaves OUTPUT and its
    rejects file as they were, and nothing else in the output folder."""
    profiles(10, 9).to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out.csv"
    out.write_text("previous\n")
    rejects_path(out).write_text("previous rejects\n")
    calls = []
    real = bulk.score_chunk

    def failing(*args: object, **kwargs: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        calls.append(1)
        if len(calls) == 2:
            raise failure
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "score_chunk", failing)
    with pytest.raises(type(failure)):
        score_file(tmp_path / "in.csv", out, framework, chunk_rows=4, progress=False)
    assert out.read_text() == "previous\n"
    assert rejects_path(out).read_text() == "previous rejects\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv",
                                                          "out.rejects.csv"]


def test_an_output_is_replaced_whole(tmp_path: Path, framework: Framework) -> None:
    """An existing OUTPUT is replaced by the new one, and no temporary folder is left."""
    profiles(4, 10).to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "out.parquet").write_text("old")
    score_file(tmp_path / "in.csv", tmp_path / "out.parquet", framework, progress=False)
    assert len(read(tmp_path / "out.parquet")) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.parquet",
                                                          "out.rejects.csv"]


def test_a_file_unreadable_part_way_is_one_error_and_writes_nothing(
    tmp_path: Path, framework: Framework,
) -> None:
    """A CSV whose later lines are not UTF-8 text is refused in one line naming the file, and
    nothing is written."""
    text = profiles(10, 11).to_csv(index=False)
    (tmp_path / "in.csv").write_bytes(text.encode() * 400 + b"co,growth,\xff\xfe,3,3,3,\n")
    with pytest.raises(ModelfitError, match=r"in\.csv: not a readable CSV file"):
        score_file(tmp_path / "in.csv", tmp_path / "out.csv", framework, chunk_rows=4,
                   progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_scores_and_says_what_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`modelfit score INPUT --out OUTPUT` exits 0 and prints one summary line."""
    with_bad_rows(profiles(10, 12)).to_csv(tmp_path / "in.csv", index=False)
    code, out, err = cli(capsys, "score", str(tmp_path / "in.csv"), "--out",
                         str(tmp_path / "out.parquet"))
    assert code == 0
    assert out == (f"scored 7 of 10 rows into {tmp_path / 'out.parquet'}; 3 bad row(s) set apart "
                   f"in {tmp_path / 'out.rejects.csv'}\n")
    assert "Scoring" in err  # the progress bar, on stderr


def _garbage(path: Path) -> Path:
    path.write_bytes(b"PAR1 this is not parquet")
    return path


def _valid(path: Path) -> Path:
    profiles(2, 13).to_csv(path, index=False)
    return path


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(("make_input", "out_name", "message"), [
    pytest.param(lambda d: d / "nope.csv", "out.csv",
                 r"nope\.csv: no such file or folder; INPUT must be a \.csv or \.parquet file, "
                 r"or a folder of \.parquet files", id="missing-file"),
    pytest.param(lambda d: _csv(d / "in.xlsx", "x"), "out.csv",
                 r"in\.xlsx: unknown suffix '\.xlsx'; INPUT must be a \.csv", id="unknown-suffix"),
    pytest.param(lambda d: _csv(d / "in.csv", "stage,capital\ngrowth,3\n"), "out.csv",
                 r"in\.csv: missing column\(s\) supply_chain, brand_content, tech_data; needs "
                 r"stage, capital, supply_chain, brand_content, tech_data \(optional: "
                 r"existing_channels, company_id\)", id="missing-columns"),
    pytest.param(lambda d: _csv(d / "in.csv", ""), "out.csv",
                 r"in\.csv: an empty CSV file; the first line must name the columns",
                 id="empty-csv"),
    pytest.param(lambda d: _garbage(d / "in.parquet"), "out.csv",
                 r"in\.parquet: not a readable Parquet file \(", id="unreadable-parquet"),
    pytest.param(lambda d: (d / "empty").mkdir() or d / "empty", "out.csv",
                 r"empty: a folder with no \.parquet files", id="empty-folder"),
    pytest.param(lambda d: _valid(d / "in.csv"), "in.csv",
                 r"in\.csv: would overwrite or join the input .*in\.csv; --out must be outside "
                 r"the input", id="output-is-input"),
    pytest.param(lambda d: _valid(d / "in.csv"), "out.xlsx",
                 r"out\.xlsx: --out must end in \.parquet or \.csv, got '\.xlsx'",
                 id="output-suffix"),
    pytest.param(lambda d: _valid(d / "in.csv"), "no/such/dir/out.csv",
                 r"out\.csv: the output folder .*dir does not exist", id="output-folder"),
    pytest.param(lambda d: _valid(d / "in.csv"), "in.csv/out.csv",
                 r"out\.csv: the output folder .*in\.csv does not exist", id="output-folder-file"),
])
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_input: object, out_name: str,
    message: str,
) -> None:
    """Bad input or output gives one line naming the file and what is allowed, exit 2, no
    traceback, nothing written."""
    source = make_input(tmp_path)  # type: ignore[operator]
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = cli(capsys, "score", str(source), "--out", str(tmp_path / out_name))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("modelfit: ")
    assert re.search(message, lines[0]), lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_output_folder_that_cannot_be_written_is_one_error(
    tmp_path: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An output folder the system refuses is named in one line with what to do."""
    profiles(2, 14).to_csv(tmp_path / "in.csv", index=False)

    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(bulk.tempfile, "mkdtemp", refuse)
    with pytest.raises(ModelfitError, match=r"cannot write the output there \(Permission denied\); "
                       r"choose an --out in a folder you can write to"):
        score_file(tmp_path / "in.csv", tmp_path / "out.csv", framework, progress=False)


def test_a_scheduler_that_does_not_answer_is_one_error(
    tmp_path: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--scheduler naming no running scheduler gives one line naming the address."""
    from modelfit.run import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    profiles(2, 15).to_csv(tmp_path / "in.csv", index=False)
    with pytest.raises(ModelfitError, match=r"--scheduler tcp://127\.0\.0\.1:9: no Dask scheduler "
                       r"answered within 1 s"):
        score_file(tmp_path / "in.csv", tmp_path / "out.csv", framework,
                   scheduler="tcp://127.0.0.1:9", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.cluster
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_dask_cluster_gives_the_same_output_as_a_local_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str,
) -> None:
    """`--scheduler ADDRESS` scores through dask.dataframe on that cluster and writes the same
    scores and rejects as the local run (a folder of Parquet files in, a partition per row
    group: row numbers run on across partitions and files)."""
    from distributed import LocalCluster

    df = with_bad_rows(profiles(90, 16)).astype({r: "float64" for r in RATINGS})
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(3):  # the first file in row groups of 10 rows: a partition each
        df.iloc[30 * k:30 * (k + 1)].to_parquet(folder / f"part-{k}.parquet",
                                                row_group_size=10 if k == 0 else None)
    code, _, _ = cli(capsys, "score", str(folder), "--out", str(tmp_path / f"local{suffix}"))
    assert code == 0
    # An explicit free port: the default 8787 may be taken (a warning, an error under pytest).
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address="127.0.0.1:0") as cluster:
        code, out, err = cli(capsys, "score", str(folder), "--out",
                             str(tmp_path / f"dask{suffix}"), "--scheduler",
                             cluster.scheduler_address)
    assert code == 0, err
    assert out.startswith("scored 87 of 90 rows")
    pd.testing.assert_frame_equal(read(tmp_path / f"dask{suffix}"),
                                  read(tmp_path / f"local{suffix}"))
    assert (tmp_path / "dask.rejects.csv").read_bytes() == (
        tmp_path / "local.rejects.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in", f"local{suffix}", "local.rejects.csv", f"dask{suffix}", "dask.rejects.csv"])


def test_the_output_schema_is_fixed(tmp_path: Path, framework: Framework) -> None:
    """The Parquet output's columns and types: id, one float64 per model, primary text."""
    profiles(3, 17).to_csv(tmp_path / "in.csv", index=False)
    score_file(tmp_path / "in.csv", tmp_path / "out.parquet", framework, progress=False)
    schema = pq.read_schema(tmp_path / "out.parquet")
    assert [(f.name, f.type) for f in schema] == [
        ("company_id", pa.string()), *[(m, pa.float64()) for m in MODELS],
        ("primary", pa.string())]


def test_the_scheduler_address_may_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without --scheduler, DASK_SCHEDULER_ADDRESS names the cluster; without either, none;
    a malformed value is named with where it came from."""
    from modelfit.run.cluster import scheduler_address

    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    assert scheduler_address(None) is None
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://10.0.0.5:8786")
    assert scheduler_address(None) == "tcp://10.0.0.5:8786"
    assert scheduler_address("tcp://h:1") == "tcp://h:1"
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "10.0.0.5")
    with pytest.raises(ModelfitError, match=r"^DASK_SCHEDULER_ADDRESS '10\.0\.0\.5': not a Dask "
                       r"scheduler address"):
        scheduler_address(None)


@settings(max_examples=examples(40), deadline=None)
@given(cuts=st.lists(st.integers(0, 30), max_size=5), seed=st.integers(0, 2**16))
def test_score_chunk_gives_the_same_rows_however_the_input_is_cut(
    framework: Framework, cuts: list[int], seed: int,
) -> None:
    """score_chunk over any split of a frame (with bad rows), each piece numbered from its
    first row, gives the same scores and rejects as over the whole frame."""
    df = profiles(30, seed, ids=False)
    rng = np.random.default_rng(seed)
    df = df.astype({"capital": object})
    for i in rng.choice(30, 4, replace=False):
        df.loc[i, "capital"] = rng.choice([0, 9, None, "x"])
    whole = score_chunk(df, 1, framework, has_id=False, for_csv=True)
    bounds = [0, *sorted(set(cuts)), 30]
    pieces = [score_chunk(df.iloc[a:b], a + 1, framework, has_id=False, for_csv=True)
              for a, b in itertools.pairwise(bounds) if b > a]
    for k in range(2):
        joined = pd.concat([p[k] for p in pieces], ignore_index=True)
        pd.testing.assert_frame_equal(joined, whole[k], check_dtype=False)


def test_a_spreadsheet_csv_reads_as_written(tmp_path: Path, framework: Framework) -> None:
    """A CSV saved by a spreadsheet (byte-order mark, blanks around numbers, ids with leading
    zeros, an empty channel cell) scores like the same values typed cleanly."""
    (tmp_path / "in.csv").write_bytes(
        "\ufeffcompany_id,stage,capital,supply_chain,brand_content,tech_data,existing_channels\n"
        "007,growth, 3 ,4,2,3,\n0042,mature,5,5,5,5,platform;distribution\n".encode())
    score_file(tmp_path / "in.csv", tmp_path / "out.csv", framework, progress=False)
    clean = pd.DataFrame({"company_id": ["007", "0042"], "stage": ["growth", "mature"],
                          "capital": [3, 5], "supply_chain": [4, 5], "brand_content": [2, 5],
                          "tech_data": [3, 5],
                          "existing_channels": [np.nan, "platform;distribution"]})
    pd.testing.assert_frame_equal(read(tmp_path / "out.csv"), expected(clean, framework),
                                  check_dtype=False)
