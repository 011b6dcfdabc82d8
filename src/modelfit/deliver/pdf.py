"""The report as a PDF: WeasyPrint turns the client's HTML into A4 pages.

Each page has the company and the run's date in its header and "page / pages" at its foot; the
summary fills the first page and the details start on the next (the notebook tags that cell
`modelfit-details`). Text is set in Noto Sans CJK SC, shipped by mplfonts, embedded (subset) in
the file, so Chinese reads the same on every machine. Figures keep their full resolution.

Nothing is fetched: the HTML's figures are data: URLs, the only file read is that font, and any
other URL is refused. WeasyPrint needs Pango from the system (Debian: libpango-1.0-0,
libpangoft2-1.0-0); `unavailable()` says why it cannot run where it is missing.

The date comes from the run (`run_date`: SOURCE_DATE_EPOCH when set, else today in UTC); it is
in the PDF only, never in the notebook or the JSON that tests compare.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from modelfit.core.errors import ModelfitError
from modelfit.core.safe import html_text

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FONT_FAMILY = "modelfit Noto Sans CJK SC"
DETAILS_TAG = "modelfit-details"

PRINT_CSS = """
@font-face { font-family: "@FAMILY@"; src: url("@FONT@"); }
@font-face { font-family: "@FAMILY@ Bold"; src: url("@BOLD@"); }
@page {
  size: A4; margin: 20mm 15mm 18mm 15mm;
  @top-left { content: element(mf-company); vertical-align: bottom; }
  @top-right { content: element(mf-date); vertical-align: bottom; }
  @bottom-center { content: counter(page) " / " counter(pages);
                   font-family: "@FAMILY@"; font-size: 8.5pt; color: #555; }
}
html, body, .jp-RenderedHTMLCommon, .jp-RenderedHTMLCommon * , table, td, th {
  font-family: "@FAMILY@", sans-serif !important;
}
strong, b, th, .jp-RenderedHTMLCommon strong, .jp-RenderedHTMLCommon th {
  font-family: "@FAMILY@ Bold", sans-serif !important; font-weight: normal !important;
}
body { max-width: none !important; margin: 0 !important; padding: 0 !important; }
.mf-company { position: running(mf-company); font-size: 8.5pt; color: #555; }
.mf-date { position: running(mf-date); font-size: 8.5pt; color: #555; }
.jp-RenderedHTMLCommon { font-size: 10pt !important; line-height: 1.45 !important; }
.jp-RenderedHTMLCommon h1 { font-size: 17pt; margin-top: 0; }
.jp-RenderedHTMLCommon h2 { font-size: 13pt; break-after: avoid; margin-top: 10pt; }
.jp-RenderedHTMLCommon h3 { font-size: 11pt; break-after: avoid; }
.jp-RenderedHTMLCommon table { display: table !important; overflow: visible !important;
  width: 100% !important; font-size: 8.5pt !important; break-inside: auto; }
.jp-RenderedHTMLCommon tr { break-inside: avoid; }
/* Figures sized to the column and never taller than 105 mm, so a figure fits on the page
   under the table before it instead of leaving that page mostly empty. */
.jp-OutputArea-output img { width: auto !important; max-width: 100% !important;
  max-height: 105mm !important; height: auto !important; break-inside: avoid; }
.mf-cover { break-after: avoid; padding-top: 6mm; }
.mf-cover-title { font-size: 22pt !important; }
.jp-RenderedHTMLCommon p { orphans: 3; widows: 3; }
.jp-InternalAnchorLink { display: none !important; }
.celltag_@TAG@ { break-before: page; }
.celltag_modelfit-heading { break-after: avoid; }
"""


class PdfUnavailable(ModelfitError):
    """WeasyPrint or its system libraries are missing."""


def unavailable() -> str | None:
    """Why a PDF cannot be made here (WeasyPrint or Pango missing), or None when it can."""
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401
    except (ImportError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return (f"PDF reports need WeasyPrint and the Pango libraries "
                f"(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0): {first}")
    if font_path() is None:
        return f"PDF reports need {FONT_FILE} from mplfonts (pip install mplfonts)"
    return None


def font_path() -> Path | None:
    """Noto Sans CJK SC as shipped by mplfonts, or None."""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    return path if path.is_file() else None


def bold_font_path() -> Path:
    """The bold face: Noto Sans CJK SC Bold when the system has it (Debian fonts-noto-cjk),
    else SimHei from mplfonts (a heavy sans with Latin and Chinese), else the regular face."""
    import shutil
    import subprocess

    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{family}\t%{style}\t%{file}", "Noto Sans CJK SC:bold"],
                capture_output=True, text=True, timeout=10, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            found = ""
        parts = found.split("\t")
        if (len(parts) == 3 and "Noto Sans CJK SC" in parts[0] and "Bold" in parts[1]
                and Path(parts[2]).is_file()):
            return Path(parts[2])
    regular = font_path()
    assert regular is not None
    simhei = regular.with_name("SimHei.ttf")
    return simhei if simhei.is_file() else regular


def run_date() -> dt.date:
    """The run's date: SOURCE_DATE_EPOCH (reproducible builds) when set, else today in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def print_html(html: str, *, company: str, date: dt.date, lang: str) -> str:
    """The client's HTML with the print style sheet and the running header added."""
    font = font_path()
    assert font is not None
    css = (PRINT_CSS.replace("@FAMILY@", FONT_FAMILY).replace("@FONT@", font.as_uri())
           .replace("@BOLD@", bold_font_path().as_uri()).replace("@TAG@", DETAILS_TAG))
    label = "报告日期：" if lang == "zh" else "Date: "
    head = (f'<meta name="dcterms.created" content="{date.isoformat()}">'
            f'<meta name="dcterms.modified" content="{date.isoformat()}">'
            f"<style>{css}</style></head>")
    header = (f'<div class="mf-company">{html_text(company)}</div>'
              f'<div class="mf-date">{html_text(label)}{date.isoformat()}</div>')
    html = html.replace("</head>", head, 1)
    start = html.find("<body")
    if start < 0:
        raise ModelfitError("report HTML has no <body>: cannot make a PDF from it")
    end = html.index(">", start) + 1
    return html[:end] + header + html[end:]


def write_pdf(
    html: str, out: Path, *, company: str, date: dt.date | None = None, lang: str = "en",
) -> Path:
    """Write `html` (the client's report HTML) as an A4 PDF to `out`."""
    render(html, company=company, date=date, lang=lang).write_pdf(str(out))
    return out


def render(html: str, *, company: str, date: dt.date | None = None, lang: str = "en") -> Any:
    """The laid-out pages (a WeasyPrint Document) of `html` as the PDF shows them."""
    reason = unavailable()
    if reason is not None:
        raise PdfUnavailable(reason)
    import weasyprint

    return weasyprint.HTML(
        string=print_html(html, company=company, date=date or run_date(), lang=lang),
        url_fetcher=_fetcher_class()(),
    ).render()


def _fetcher_class() -> Any:
    """A URL fetcher that reads data: URLs and the bundled font, and refuses everything else."""
    import weasyprint

    font = font_path()
    allowed = {font.as_uri(), bold_font_path().as_uri()} if font is not None else set()

    class LocalOnly(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or url in allowed:
                return super().fetch(url, headers)
            raise ValueError(f"modelfit PDF: refusing to fetch {url[:80]}")

    return LocalOnly
