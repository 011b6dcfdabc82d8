"""Batch rendering: parallel workers, failures isolated and named, the portfolio at the end."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from modelfit.cli import main
from modelfit.core.errors import ModelfitError
from modelfit.run.batch import collect, render_batch
from modelfit.views.portfolio import load_reports

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """One cluster of two worker processes for the module's batches: their warm kernels serve
    test after test, as they would serve batch after batch."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                      ) as cluster:
        yield str(cluster.scheduler_address)


@pytest.mark.kernel
@pytest.mark.cluster
def test_broken_profile_fails_alone_and_named(tmp_path: Path) -> None:
    """Two good companies render on two workers; a broken one fails alone, named, exit 1."""
    params = tmp_path / "params"
    params.mkdir()
    for cid in ("demo", "sprout"):
        shutil.copy(ROOT / "params" / f"{cid}.yaml", params)
    (params / "broken.yaml").write_text("company: B\nstage: later\n", "utf-8")
    out = tmp_path / "out"
    result = render_batch(params, out, workers=2, root=ROOT, progress=False)
    assert result.rendered == ["demo", "sprout"]
    assert list(result.failed) == ["broken"]
    assert "stage must be one of startup, growth, mature, got 'later'" in result.failed["broken"]
    assert "FAILED broken:" in result.summary()
    for cid in ("demo", "sprout"):
        for suffix in ("ipynb", "html", "json"):
            assert (out / f"{cid}.{suffix}").is_file()
    assert not (out / "broken.json").exists()
    table = pd.read_csv(out / "portfolio.csv", index_col="company_id")
    assert list(table.index) == ["demo", "sprout"]
    assert (out / "portfolio.html").is_file()
    assert not list(out.glob(".*"))
    assert main(["batch", "--params-dir", str(params), "--out", str(tmp_path / "o2"),
                 "--workers", "1", "sprout", "broken"]) == 1


@pytest.mark.kernel
@pytest.mark.cluster
def test_portfolio_table_matches_reports(tmp_path: Path, scheduler: str) -> None:
    """The portfolio rows are read from the reports' JSON: primary, margin and how sure per
    company (lumen: the hybrid held by the close call, half a point behind the own site)."""
    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(ROOT / "params" / "lumen.yaml", params)
    render_batch(params, tmp_path / "out", root=ROOT, progress=False, scheduler=scheduler)
    table = load_reports(tmp_path / "out")
    assert table.loc["lumen", "primary"] == "hybrid"
    assert table.loc["lumen", "margin"] == pytest.approx(-0.5)
    assert table.loc["lumen", "level"] == "low"
    assert table.loc["lumen", "held_by"] == "C2"


@pytest.mark.parametrize(
    ("ids", "message"),
    [(["../x"], r"company id must match"), (["Bad Id"], r"company id must match")],
)
def test_batch_refuses_ids_that_are_not_plain(tmp_path: Path, ids: list[str], message: str) -> None:
    """IDS on the batch command line must be plain company ids."""
    with pytest.raises(ModelfitError, match=message):
        collect(ROOT / "params", ids)


def test_batch_refuses_missing_params_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A --params-dir that is not a folder exits 2 naming it."""
    assert main(["batch", "--params-dir", str(tmp_path / "nope")]) == 2
    assert "--params-dir must be a folder" in capsys.readouterr().err


def test_workers_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    """--workers 0 is a usage error (exit 2) that says what is allowed."""
    with pytest.raises(SystemExit) as exc:
        main(["batch", "--workers", "0"])
    assert exc.value.code == 2
    assert "must be a whole number >= 1, got '0'" in capsys.readouterr().err


def _one_company(tmp_path: Path, cid: str = "lumen") -> Path:
    params = tmp_path / "params"
    params.mkdir(exist_ok=True)
    shutil.copy(ROOT / "params" / f"{cid}.yaml", params)
    return params


@pytest.mark.kernel
@pytest.mark.cluster
def test_second_batch_skips_unchanged_and_renders_what_changed(
    tmp_path: Path, scheduler: str,
) -> None:
    """Issue 14, 3: a second batch with nothing changed renders nothing, portfolio included;
    an edited profile is rendered again (and the portfolio with it); --force renders all."""
    params = _one_company(tmp_path)
    shutil.copy(ROOT / "params" / "sprout.yaml", params)
    out = tmp_path / "out"
    first = render_batch(params, out, root=ROOT, progress=False, scheduler=scheduler)
    assert first.rendered == ["lumen", "sprout"]
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = render_batch(params, out, root=ROOT, progress=False, scheduler=scheduler)
    assert (again.rendered, again.skipped, again.portfolio_skipped) == (
        [], ["lumen", "sprout"], True)
    assert "2 unchanged (skipped" in again.summary()
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    edited = params / "sprout.yaml"
    edited.write_text(edited.read_text("utf-8").replace("team_size: ", "team_size: 1"), "utf-8")
    third = render_batch(params, out, root=ROOT, progress=False, scheduler=scheduler)
    assert (third.rendered, third.skipped, third.portfolio_skipped) == (
        ["sprout"], ["lumen"], False)
    assert (out / "lumen.json").stat().st_mtime_ns == stamps["lumen.json"]
    forced = render_batch(params, out, root=ROOT, progress=False, scheduler=scheduler, force=True)
    assert forced.rendered == ["lumen", "sprout"]
    assert not list(out.glob(".*"))


@pytest.mark.kernel
@pytest.mark.cluster
def test_batch_renders_on_a_running_scheduler(
    tmp_path: Path, scheduler: str, capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 14, 1: `modelfit batch --scheduler ADDRESS` sends the renders to a running cluster
    (here a LocalCluster of two worker processes); nothing but the progress bar and the summary
    is printed."""
    params = _one_company(tmp_path)
    shutil.copy(ROOT / "params" / "pebble.yaml", params)
    assert main(["batch", "--params-dir", str(params), "--out", str(tmp_path / "out"),
                 "--scheduler", scheduler]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("rendered 2 report(s), 0 failed; portfolio: ")
    noise = [line for line in captured.err.replace("\r", "\n").splitlines()
             if line.strip() and not line.startswith("Rendering reports")]
    assert noise == []
    result = render_batch(params, tmp_path / "out", root=ROOT, progress=False,
                          scheduler=scheduler, force=True)
    assert result.ok, result.summary()
    assert result.rendered == ["lumen", "pebble"]
    assert result.portfolio == tmp_path / "out" / "portfolio.ipynb"
    payload = json.loads((tmp_path / "out" / "lumen.json").read_text("utf-8"))
    assert payload["primary"] == "hybrid"  # the close call keeps both running channels
    assert len(payload["run"]["input_key"]) == 64
    # The notebooks' records name the project's notebook and the reports' folder, not the
    # worker's temporary files.
    report = json.loads((tmp_path / "out" / "lumen.ipynb").read_text("utf-8"))
    assert report["metadata"]["papermill"]["input_path"] == "notebooks/company_report.ipynb"
    assert report["metadata"]["papermill"]["output_path"] == "lumen.ipynb"
    portfolio = json.loads((tmp_path / "out" / "portfolio.ipynb").read_text("utf-8"))
    out = str((tmp_path / "out").resolve())
    assert portfolio["metadata"]["papermill"]["parameters"]["reports_dir"] == out
    assert f'reports_dir = "{out}"' in "".join(portfolio["cells"][1]["source"])
    assert len(portfolio["metadata"]["modelfit"]["input_key"]) == 64


def test_scheduler_that_does_not_answer_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 14, 1: a --scheduler address where nothing listens is a one-line error, exit 2,
    and nothing is written."""
    import socket

    from modelfit.run import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    with socket.socket() as probe:  # a free port: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    params = _one_company(tmp_path)
    out = tmp_path / "out"
    assert main(["batch", "--params-dir", str(params), "--out", str(out),
                 "--scheduler", f"tcp://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert f"--scheduler tcp://127.0.0.1:{port}: no Dask scheduler answered" in err
    assert "Traceback" not in err
    assert not list(out.glob("*"))


def test_workers_and_scheduler_together_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """--workers sizes the local cluster; with --scheduler it is a usage error (exit 2)."""
    params = _one_company(tmp_path)
    assert main(["batch", "--params-dir", str(params), "--out", str(tmp_path / "o"),
                 "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "drop --workers" in capsys.readouterr().err


@pytest.mark.parametrize("address", ["notanaddress", "http://x:8786", "tcp://h:99999", "a b:1"])
def test_malformed_scheduler_address_exits_2_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str,
) -> None:
    """A --scheduler value that is not tcp://HOST:PORT is refused before anything connects (no
    wait, no traceback), naming the value and what is allowed."""
    params = _one_company(tmp_path)
    assert main(["batch", "--params-dir", str(params), "--out", str(tmp_path / "o"),
                 "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert f"--scheduler {address!r}: not a Dask scheduler address; give tcp://HOST:PORT" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_scheduler_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """$DASK_SCHEDULER_ADDRESS is used when --scheduler is not given."""
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:8786")
    params = _one_company(tmp_path)
    assert main(["batch", "--params-dir", str(params), "--out", str(tmp_path / "o"),
                 "--workers", "2"]) == 2
    assert "with --scheduler (tcp://127.0.0.1:8786)" in capsys.readouterr().err
