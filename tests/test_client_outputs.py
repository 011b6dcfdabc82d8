"""Nothing of the machinery in a client file (issue 24, item 5): a company's name in any script
renders in every language's figures, and no warning, path or traceback reaches the client's
HTML (the PDF is made from the same HTML).

The defect quoted in the issue: an English report for a company with a Chinese name showed □□□□
in the radar legend and printed four `charts.py:99: UserWarning: Glyph … missing from font(s)
DejaVu Sans` lines on page 4 of the PDF and in the HTML.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import nbformat
import pytest
import yaml

from modelfit.deliver.render import export_html
from modelfit.views import charts, report

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["深圳光子科技有限公司", "株式会社ルミナ", "Ёлка Трейд"]


@pytest.mark.skipif(charts.cjk_font_path() is None, reason="mplfonts (the CJK font) is missing")
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", NAMES)
def test_a_name_in_any_script_draws_without_a_missing_glyph(name: str, lang: str) -> None:
    """The report's figures for a company named in Chinese, Japanese or Cyrillic letters draw
    every glyph (matplotlib warns "Glyph ... missing" otherwise: the warning is an error here)."""
    profile = yaml.safe_load((ROOT / "params" / "lumen.yaml").read_text("utf-8"))
    profile["company"] = name
    r = report.build("lumen", profile, lang=lang)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for figure in ("radar_figure", "scores_figure", "contributions_figure",
                       "acceptability_figure", "stability_figure", "economics_figure"):
            getattr(r, figure)()


def test_the_client_html_shows_no_printed_text_warning_or_traceback(tmp_path: Path) -> None:
    """A cell that printed a warning with a path and a cell that failed show only what they
    display: the HTML holds neither the warning, the path nor the traceback."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("r.radar_figure()")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=(
            "/home/analyst/modelfit/src/modelfit/views/charts.py:99: UserWarning: Glyph 28145 "
            "missing from font(s) DejaVu Sans.\n")),
        nbformat.v4.new_output("stream", name="stdout", text="debug: /var/cache/x\n"),
        nbformat.v4.new_output("display_data", data={"text/markdown": "**Shown to the client**"}),
    ]
    failed = nbformat.v4.new_code_cell("r.boom()")
    failed.outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="boom",
                                             traceback=["Traceback (most recent call last)",
                                                        'File "/srv/x.py", line 1'])]
    nb.cells = [cell, failed]
    html = export_html(nb, lang="en", title="Acme")
    assert "Shown to the client" in html
    for leak in ("UserWarning", "charts.py", "/home/analyst", "debug:", "/var/cache/x", "Traceback",
                 "ValueError", "/srv/x.py"):
        assert leak not in html, leak
