"""Warm kernels (issue 14): one kernel renders company after company, each exactly as alone."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from modelfit.deliver import kernels
from modelfit.deliver.render import REPORT_NOTEBOOK, ReportFiles, make_job, notebook_bytes, render_job
from modelfit.inputs.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]


def _render(kernel: kernels.WarmKernel, cid: str, lang: str) -> ReportFiles:
    job = make_job(load_profile(ROOT / "params" / f"{cid}.yaml"),
                   notebook=notebook_bytes(ROOT / "notebooks" / REPORT_NOTEBOOK), lang=lang,
                   seed=0, framework_path=None, input_key="k")
    return render_job(job, kernel)


def _comparable(files: ReportFiles) -> dict[str, object]:
    """The files with papermill's wall-clock metadata (start, end, duration) taken out."""
    out: dict[str, object] = {}
    for name, data in files.files.items():
        if name.endswith(".ipynb"):
            nb = json.loads(data)
            nb["metadata"].pop("papermill", None)
            for cell in nb["cells"]:
                cell["metadata"].pop("papermill", None)
                cell["metadata"].pop("execution", None)
            out[name] = nb
        else:
            out[name] = data
    return out


@pytest.mark.kernel
def test_report_is_identical_alone_and_after_others() -> None:
    """A company rendered after two others (one in Chinese, whose figures switch matplotlib to a
    CJK font) on the same kernel gives the same notebook, HTML and JSON as on a fresh kernel,
    byte for byte once papermill's timings are taken out; execution counts start at 1."""
    with kernels.WarmKernel(ROOT / "notebooks") as fresh:
        alone = _render(fresh, "demo", "en")
    with kernels.WarmKernel(ROOT / "notebooks") as used:
        _render(used, "harbor", "zh")
        _render(used, "sprout", "en")
        after = _render(used, "demo", "en")
        assert used.notebooks_run == 3
    assert alone.error is None
    assert after.error is None
    assert _comparable(after) == _comparable(alone)
    counts = [c["execution_count"] for c in json.loads(after.files["demo.ipynb"])["cells"]
              if c["cell_type"] == "code"]
    assert counts[:3] == [1, 2, 3]


def test_reset_puts_back_what_a_notebook_may_change(tmp_path: Path) -> None:
    """`reset` restores matplotlib's settings, pandas' options, the warning filters and the
    working folder recorded by `warm_up`."""
    here = os.getcwd()
    filters = list(warnings.filters)
    try:
        kernels.warm_up()
        matplotlib.rcParams["font.sans-serif"] = ["Noto Sans CJK SC"]
        pd.set_option("display.max_colwidth", 3)
        warnings.simplefilter("ignore")
        os.chdir(tmp_path)
        kernels.reset()
        assert matplotlib.rcParams["font.sans-serif"] != ["Noto Sans CJK SC"]
        assert pd.get_option("display.max_colwidth") != 3
        assert list(warnings.filters) == filters
        assert os.getcwd() == here
    finally:
        os.chdir(here)
        warnings.filters[:] = filters  # type: ignore[index]
        pd.reset_option("display.max_colwidth")
        matplotlib.rcdefaults()


@pytest.mark.kernel
def test_a_failing_cell_is_returned_not_raised(tmp_path: Path) -> None:
    """One company's failing cell comes back as that company's error with its failed notebook;
    the kernel goes on to the next company."""
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / REPORT_NOTEBOOK, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    profile = load_profile(ROOT / "params" / "demo.yaml")
    with kernels.WarmKernel(ROOT / "notebooks") as kernel:
        failed = render_job(make_job(profile, notebook=notebook_bytes(broken), lang="en", seed=0,
                                     framework_path=None), kernel)
        assert failed.error is not None
        assert "failed in cell" in failed.error
        assert "RuntimeError: boom" in failed.error
        assert failed.failed_notebook is not None
        assert failed.files == {}
        ok = _render(kernel, "sprout", "en")
    assert ok.error is None
    assert set(ok.files) == {"sprout.ipynb", "sprout.html", "sprout.json"}
