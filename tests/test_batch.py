"""Batch rendering: parallel workers, failures isolated and named, the portfolio at the end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from modelfit.batch import collect, render_batch
from modelfit.cli import main
from modelfit.errors import ModelfitError
from modelfit.portfolio import load_reports

ROOT = Path(__file__).resolve().parents[1]


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


def test_portfolio_table_matches_reports(tmp_path: Path) -> None:
    """The portfolio rows are read from the reports' JSON: primary and margin per company."""
    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(ROOT / "params" / "lumen.yaml", params)
    render_batch(params, tmp_path / "out", workers=1, root=ROOT, progress=False)
    table = load_reports(tmp_path / "out")
    assert table.loc["lumen", "primary"] == "independent_site"
    assert table.loc["lumen", "margin"] == pytest.approx(0.5)


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
