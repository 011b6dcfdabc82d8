"""PDF reports (modelfit.deliver.pdf): A4, header and page numbers, embedded CJK font, nothing fetched.

Skipped, with the reason, where WeasyPrint's system libraries (Pango) are missing; the checks
that read the PDF back also need poppler-utils (pdftotext, pdffonts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from modelfit.cli import main
from modelfit.core.errors import ModelfitError
from modelfit.deliver import pdf

ROOT = Path(__file__).resolve().parents[1]
REASON = pdf.unavailable()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"no PDF here: {REASON}")
PDFTOTEXT, PDFFONTS = shutil.which("pdftotext") or "", shutil.which("pdffonts") or ""
POPPLER = PDFTOTEXT and PDFFONTS
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts) "
                                   "not installed: apt-get install poppler-utils")
DAY = dt.date(2026, 11, 29)

PAGE = """<!DOCTYPE html><html><head><title>t</title></head><body>
<div class="jp-Cell"><div class="jp-RenderedHTMLCommon"><h1>Summary 摘要</h1>
<p><strong>方案:平台模式</strong> first page</p></div></div>
<div class="jp-Cell celltag_modelfit-details"><div class="jp-RenderedHTMLCommon">
<h2>Details</h2><p>second page</p></div></div></body></html>"""


def _text(path: Path, page: int) -> str:
    return subprocess.run([PDFTOTEXT, "-f", str(page), "-l", str(page), "-layout", str(path),
                           "-"], capture_output=True, text=True, check=True).stdout


def test_pages_are_a4() -> None:
    """Every page is 210 x 297 mm (WeasyPrint measures in CSS px: 96 per inch)."""
    doc = pdf.render(PAGE, company="Acme", date=DAY)
    for page in doc.pages:
        assert round(page.width * 25.4 / 96) == 210
        assert round(page.height * 25.4 / 96) == 297


def test_details_start_on_a_new_page() -> None:
    """The summary has page 1 to itself; the cell tagged modelfit-details opens page 2."""
    assert len(pdf.render(PAGE, company="Acme", date=DAY).pages) == 2


@needs_poppler
def test_header_has_company_and_run_date_and_footer_numbers_pages(tmp_path: Path) -> None:
    """Each page's header names the company and the run's date; its foot says 'n / N'."""
    out = pdf.write_pdf(PAGE, tmp_path / "a.pdf", company="Acme Trading", date=DAY)
    for n in (1, 2):
        text = _text(out, n)
        assert "Acme Trading" in text
        assert "Date: 2026-11-29" in text
        assert re.search(rf"\b{n}\s*/\s*2\b", text)


@needs_poppler
def test_chinese_header_uses_chinese_label(tmp_path: Path) -> None:
    """zh: the date reads 报告日期：2026-11-29 (full-width colon, no space)."""
    out = pdf.write_pdf(PAGE, tmp_path / "a.pdf", company="示例", date=DAY, lang="zh")
    assert "报告日期：2026-11-29" in _text(out, 1)


@needs_poppler
def test_cjk_font_is_embedded(tmp_path: Path) -> None:
    """Chinese is set in Noto Sans CJK SC and the font is embedded (subset) in the file."""
    out = pdf.write_pdf(PAGE, tmp_path / "a.pdf", company="示例", date=DAY)
    fonts = subprocess.run([PDFFONTS, str(out)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts)  # the `emb` column
    assert any("Noto-Sans-CJK-SC" in line for line in fonts)
    assert "摘要" in _text(out, 1)


def test_same_html_and_date_give_the_same_bytes(tmp_path: Path) -> None:
    """Reproducible: the date comes from the run, so two writes are byte-identical."""
    a = pdf.write_pdf(PAGE, tmp_path / "a.pdf", company="Acme", date=DAY)
    b = pdf.write_pdf(PAGE, tmp_path / "b.pdf", company="Acme", date=DAY)
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_run_date_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """SOURCE_DATE_EPOCH fixes the run's date (reproducible builds)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796000000")
    assert pdf.run_date() == dt.date(2026, 11, 30)


def test_company_name_in_header_is_escaped() -> None:
    """A hostile company name is text in the running header, not markup."""
    html = pdf.print_html(PAGE, company="<script>alert(1)</script>", date=DAY, lang="en")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("url", ["https://example.com/x.png", "http://127.0.0.1/x.css",
                                 "file:///etc/passwd"])
def test_fetcher_refuses_anything_but_data_and_the_font(url: str) -> None:
    """No network and no other file: only data: URLs and the bundled font are read."""
    with pytest.raises(ValueError, match="refusing to fetch"):
        pdf._fetcher_class()().fetch(url)


def test_html_pointing_at_the_network_still_renders_without_fetching() -> None:
    """An <img> to a remote address is refused (left out), and the page still renders."""
    html = PAGE.replace("first page", 'first page <img src="https://example.com/t.png">')
    assert len(pdf.render(html, company="Acme", date=DAY).pages) == 2


def test_report_pdf_refused_before_any_kernel_when_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without Pango, `report --pdf` says why in one line and writes nothing."""
    from modelfit.deliver import render

    monkeypatch.setattr(pdf, "unavailable", lambda: "PDF reports need WeasyPrint and Pango")
    with pytest.raises(ModelfitError, match="PDF reports need WeasyPrint"):
        render.render_report("demo", out_dir=tmp_path / "out", root=ROOT, pdf=True)
    assert not (tmp_path / "out").exists()


@pytest.mark.kernel
@needs_poppler
def test_report_writes_pdf_and_workbook_beside_the_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`modelfit report demo --pdf --xlsx` writes <id>.pdf (A4, summary on page 1) and .xlsx."""
    out = tmp_path / "r"
    assert main(["report", "demo", "--out", str(out), "--pdf", "--xlsx"]) == 0
    assert "demo.pdf" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "demo.html", "demo.ipynb", "demo.json", "demo.pdf", "demo.xlsx"]
    first = _text(out / "demo.pdf", 1)
    assert "Demo Home Goods Co." in first
    assert re.search(r"\b1\s*/\s*\d+\b", first)
