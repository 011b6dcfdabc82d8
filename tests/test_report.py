"""Reports end to end: papermill runs, nbconvert HTML, atomic writes, nbval re-execution."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from modelfit import load_profile, recommend
from modelfit.cli import main
from modelfit.core.errors import ModelfitError
from modelfit.deliver.render import RenderError, render_report

ROOT = Path(__file__).resolve().parents[1]
PARAMS = sorted((ROOT / "params").glob("*.yaml"))
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every company in params/ rendered once, in English, into one folder: one after another on
    one warm kernel, as a `modelfit batch` worker renders them (`render_report` runs the same
    job on a kernel of its own)."""
    from modelfit.decision.framework import Framework
    from modelfit.deliver.kernels import WarmKernel
    from modelfit.deliver.render import (
        REPORT_NOTEBOOK,
        make_job,
        notebook_bytes,
        render_job,
        write_report,
    )
    from modelfit.provenance import report_key

    out = tmp_path_factory.mktemp("reports")
    fw = Framework.load()
    notebook = notebook_bytes(ROOT / "notebooks" / REPORT_NOTEBOOK)
    with WarmKernel(ROOT / "notebooks") as kernel:
        for path in PARAMS:
            profile = load_profile(path)
            key = report_key(profile, fw, notebook=notebook, root=ROOT, lang="en", seed=0)
            job = make_job(profile, notebook=notebook, lang="en", seed=0, framework_path=None,
                           input_key=key)
            write_report(render_job(job, kernel), out)
    return out


@pytest.mark.kernel
@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.stem)
def test_every_company_renders_three_files(rendered: Path, path: Path) -> None:
    """Each company gets <id>.ipynb (executed), <id>.html and <id>.json, and nothing else."""
    cid = path.stem
    nb = nbformat.read(rendered / f"{cid}.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert all(c.get("outputs") or c.cell_type != "code" or "parameters" in str(c.metadata)
               or not c.source.strip() or c.source.startswith(("from ", "r = "))
               for c in nb.cells)
    payload = json.loads((rendered / f"{cid}.json").read_text("utf-8"))
    assert payload["primary"] == recommend(load_profile(path)).primary
    assert payload["run"]["profile_sha256"] == load_profile(path).source_sha256
    html = (rendered / f"{cid}.html").read_text("utf-8")
    assert load_profile(path).company in html
    assert not list(rendered.glob(".*"))  # no temporary folder left behind


@pytest.mark.kernel
def test_html_has_no_code_and_embeds_figures(rendered: Path) -> None:
    """The client's HTML hides code and prompts, embeds PNG figures, and fits a phone."""
    html = (rendered / "demo.html").read_text("utf-8")
    assert "from modelfit import report" not in html
    assert "report.build(" not in html
    assert html.count("data:image/png;base64,") >= 3
    assert 'name="viewport"' in html
    assert "max-width: 100%" in html
    assert "For analysts" not in html  # markdown notes are for the notebook only


@pytest.mark.kernel
def test_chinese_report_has_chinese_headings(tmp_path: Path) -> None:
    """With lang zh every heading and table label is Chinese, from the framework's texts."""
    render_report("demo", out_dir=tmp_path, lang="zh", root=ROOT, progress=False)
    html = (tmp_path / "demo.zh.html").read_text("utf-8")  # Chinese: <id>.zh.html
    for zh in ("推荐方案", "推荐理由", "阶段发展路径", "企业概况", "运行记录", "平台模式"):
        assert zh in html
    for en in ("The recommendation", "Why this answer", "Stage roadmap", "Marketplace platform"):
        assert en not in html
    assert '<html lang="zh">' in html


@pytest.mark.kernel
def test_executed_report_reexecutes_under_nbval(rendered: Path, tmp_path: Path) -> None:
    """An executed report re-executes under pytest --nbval with the sanitize file and passes."""
    shutil.copy(rendered / "atlas.ipynb", tmp_path / "atlas.ipynb")
    # Outside the project the default model is named by $MODELFIT_MODEL; the run record holds
    # its hash, so re-executing with another model would fail the comparison.
    env = {**os.environ, "MODELFIT_MODEL": str(ROOT / "data" / "classifier.skops")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval", "-q",
         f"--nbval-sanitize-with={SANITIZE}", "--rootdir", str(tmp_path), "-c", "/dev/null",
         str(tmp_path / "atlas.ipynb")],
        capture_output=True, text=True, cwd=tmp_path, check=False, env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(
    ("company", "message"),
    [
        ("../params/demo", r"COMPANY must match \[a-z0-9\]"),
        ("demo; rm -rf x", r"COMPANY must match"),
        ("Demo", r"COMPANY must match"),
        ("dmeo", r"no such company profile \(COMPANY='dmeo'\); did you mean 'demo'\?"),
    ],
)
def test_bad_company_is_refused_before_anything_is_written(
    tmp_path: Path, company: str, message: str,
) -> None:
    """A COMPANY that is not a plain, existing id is refused and no file or folder is made."""
    out = tmp_path / "out"
    with pytest.raises(ModelfitError, match=message):
        render_report(company, out_dir=out, id_only=True, root=ROOT, progress=False)
    assert not out.exists()


def test_invalid_profile_is_refused_before_any_kernel(tmp_path: Path) -> None:
    """A profile with a bad value exits 2 through the CLI, naming file, field and value."""
    bad = tmp_path / "broken.yaml"
    bad.write_text("company: X\nstage: startup\ncapital: 9\nsupply_chain: 3\n"
                   "brand_content: 3\ntech_data: 3\n", "utf-8")
    out = tmp_path / "out"
    assert main(["report", str(bad), "--out", str(out)]) == 2
    assert not out.exists()


@pytest.mark.kernel
def test_failed_run_keeps_last_good_report(tmp_path: Path) -> None:
    """A notebook that fails leaves the last good files, keeps <id>.failed.ipynb, names the cell."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    shutil.copytree(ROOT / "params", root / "params")
    nb = nbformat.read(ROOT / "notebooks" / "company_report.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    nbformat.write(nb, root / "notebooks" / "company_report.ipynb")
    out = tmp_path / "reports"
    out.mkdir()
    for suffix in ("ipynb", "html", "json"):
        (out / f"demo.{suffix}").write_text(f"last good {suffix}", "utf-8")
    with pytest.raises(RenderError, match=r"failed in cell \d+ \(RuntimeError: boom\)"):
        render_report("demo", out_dir=out, root=root, progress=False)
    for suffix in ("ipynb", "html", "json"):
        assert (out / f"demo.{suffix}").read_text("utf-8") == f"last good {suffix}"
    assert (out / "demo.failed.ipynb").is_file()
    assert not list(out.glob(".demo-*"))


@pytest.fixture(scope="module")
def zh_report() -> object:
    """The forge company's report content in Chinese, built without papermill."""
    import yaml

    from modelfit.views import report

    profile = yaml.safe_load((ROOT / "params" / "forge.yaml").read_text("utf-8"))
    return report.build("forge", profile, lang="zh")


def test_report_shows_what_to_build_and_what_to_protect(zh_report: object) -> None:
    """The report has two sections: improvements (flips) and declines (risks), each as a table
    of rating changes read as a consultant would."""
    from modelfit.views.report import Report

    assert isinstance(zh_report, Report)
    build = zh_report.flips_table()
    assert "提升至" in " ".join(map(str, build.index))
    # forge's only strength is its supply chain (5), and no decline of it alone changes the
    # answer: nothing to protect but the platform store it runs; its weak brand and tech (2)
    # are never listed as strengths to protect
    assert "任何一项优势" in zh_report.risks_table().data
    assert "平台店铺" in zh_report.risks_intro().data
    import yaml

    from modelfit.views import report as report_module

    lumen = report_module.build("lumen", yaml.safe_load((ROOT / "params" / "lumen.yaml").read_text(
        "utf-8")), lang="zh")
    protect = lumen.risks_table()
    assert "降至" in " ".join(map(str, protect.index))
    assert all(("资金" in row or "品牌" in row or "技术" in row) for row in map(str, protect.index))
    assert zh_report.heading("h_build", 3).data.startswith("### 能力建设")
    assert zh_report.heading("h_protect", 3).data.startswith("### 风险防范")


def test_report_channel_table_names_the_kind(zh_report: object) -> None:
    """The channel table names distribution by its kind (forge: 小B分销) with its role."""
    from modelfit.views.report import Report

    assert isinstance(zh_report, Report)
    table = zh_report.channel_table()
    assert list(table.index) == ["平台店铺", "小B分销", "独立站"]
    assert table.iloc[2, 0].startswith("下一步")  # brand and tech both 2: the own site waits
    assert zh_report.verdict().data.endswith("平台店铺 → 小B分销。")
