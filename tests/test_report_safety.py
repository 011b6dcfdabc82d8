"""The client's HTML with hostile text in every field (issue 13, items 1 and 2).

A company name or any framework text (O-points, F-notes, the intro, model names, labels) may hold
HTML, Markdown, links, images and control characters: the report shows it as text. The HTML is
built the way `modelfit report` builds it (the report notebook's cells, the `modelfit_report`
template) without starting a kernel: each cell's display object goes through IPython's formatter.
"""

from __future__ import annotations

import copy
import dataclasses
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from IPython.core.formatters import DisplayFormatter

from modelfit.core.errors import ProfileError
from modelfit.deliver.render import export_html
from modelfit.inputs.profile import Profile
from modelfit.views import report

from .conftest import examples

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "company_report.ipynb"
DEMO = {"company": "Acme Trading", "stage": "growth", "capital": 3, "supply_chain": 4,
        "brand_content": 2, "tech_data": 3}

HOSTILE = [
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "x\n\n# Recommended: nothing\n\n![t](https://example.com/t.png)",
    '<img src="https://example.com/t.png">',
    "<a href='https://example.com'>x</a> https://example.com www.example.com a@b.co",
    '"><svg onload=alert(1)>',
    "<style>body{background:url(https://example.com/x)}</style>",
    "<iframe src=https://example.com></iframe><link rel=stylesheet href=//example.com/x.css>",
    "`code` **bold** _em_ ~~s~~ | a | b |\n---\n> quote\n- item",
    "&lt;script&gt; &#60;img src=x&#62;",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.sampled_from(list("<>\"'&=/:()[]!#*_`|~-.\n ascriptimgonerrorhref")),
            min_size=1, max_size=60),
)


class _Elements(HTMLParser):
    """Every element and attribute of a page, and every URL it would load or link to."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[tuple[str, str]] = set()
        self.urls: list[str] = []
        self.policy = ""
        self.headings = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.headings += tag in ("h1", "h2", "h3", "h4", "h5", "h6")
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
            self.policy = dict(attrs).get("content") or ""
        for name, value in attrs:
            self.attrs.add((tag, name))
            if name in ("src", "href", "action", "formaction", "srcset", "poster", "data"):
                self.urls.append(value or "")


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def _notebook_html(r: report.Report, tmp: Path) -> str:
    """The report's HTML: every `r.…` cell of the report notebook, exported as `report` does."""
    formatter = DisplayFormatter()
    template = nbformat.read(NOTEBOOK, as_version=4)
    nb = nbformat.v4.new_notebook()
    for cell in template.cells:
        source = cell.source.strip()
        if cell.cell_type != "code" or not source.startswith("r."):
            continue
        data, metadata = formatter.format(eval(source, {"r": r}))  # noqa: S307 - our own cells
        code = nbformat.v4.new_code_cell(source)
        code.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
        nb.cells.append(code)
    path = tmp / "report.ipynb"
    nbformat.write(nb, path)
    return export_html(path, lang=r.lang, title=r.profile.company)


def _hostile_framework(data: dict[str, Any], text: str) -> dict[str, Any]:
    """The framework with `text` added to every user-facing text, label and name."""
    text = text.replace("$", "$$")
    out = copy.deepcopy(data)

    def spoil(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: spoil(v) for k, v in node.items()}
        if isinstance(node, list):
            return [spoil(v) for v in node]
        if isinstance(node, str):
            return f"{node} {text}"
        return node

    out["texts"] = spoil(out["texts"])
    out["labels"] = spoil(out["labels"])
    for section in ("models", "criteria", "stages"):
        for item in out.get(section, []):
            for key, value in item.items():
                if isinstance(value, dict) and set(value) >= {"en", "zh"}:
                    item[key] = spoil(value)
    return out


@pytest.fixture(scope="module")
def demo() -> report.Report:
    """The demo company's report, computed once."""
    return report.build("demo", DEMO)


@pytest.fixture(scope="module")
def baseline(demo: report.Report, tmp_path_factory: pytest.TempPathFactory) -> _Elements:
    """The elements and attributes of the demo company's report with ordinary text."""
    return _parse(_notebook_html(demo, tmp_path_factory.mktemp("baseline")))


def _renamed(demo: report.Report, name: str) -> report.Report:
    """The demo report for a company called `name`, validated as a profile file would be."""
    profile = Profile.from_mapping({**DEMO, "company": name}, company_id="demo")
    return dataclasses.replace(demo, profile=profile)


def _assert_nothing_live_added(html: str, baseline: _Elements) -> None:
    page = _parse(html)
    assert "script" not in page.tags
    # Code spans and emphasis are inert formatting a framework text may use.
    assert page.tags <= baseline.tags | {"code", "em", "strong"}, page.tags - baseline.tags
    assert page.attrs <= baseline.attrs, page.attrs - baseline.attrs
    assert not [a for a in page.attrs if a[1].startswith("on")]
    assert page.headings == baseline.headings  # no fake "Recommended" heading
    # Only embedded images and links to the page's own headings (nbconvert's anchors).
    assert all(u.startswith(("data:image/png;base64,", "#")) for u in page.urls), page.urls


def test_html_head_has_a_content_security_policy(demo: report.Report, tmp_path: Path) -> None:
    """The head forbids scripts and any fetch: default-src 'none', images only as data: URIs."""
    html = _notebook_html(demo, tmp_path)
    policy = _parse(html.split("</head>")[0]).policy
    assert "default-src 'none'" in policy
    assert "script-src 'none'" in policy
    assert "img-src data:" in policy
    assert "<script" not in html


@pytest.mark.parametrize("name", [*HOSTILE[:2], "=cmd|' /C calc'!A0",
                                  "# Recommended: nothing ![t](https://example.com/t.png)"])
def test_hostile_company_name_is_shown_as_text(
    name: str, demo: report.Report, baseline: _Elements, tmp_path: Path,
) -> None:
    """Issue 13, failures 1-2: a company name with script, links or Markdown is inert text."""
    html = _notebook_html(report.build("demo", {**DEMO, "company": name}), tmp_path)
    _assert_nothing_live_added(html, baseline)


def test_company_name_with_line_breaks_is_refused_where_it_enters() -> None:
    """Issue 13, 2: a name holding newlines and Markdown (a fake heading) is refused."""
    with pytest.raises(ProfileError, match=r"company must not hold control characters"):
        report.build("demo", {**DEMO, "company": HOSTILE[2]})


@settings(max_examples=examples(15, fast=3), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=hostile_text)
def test_generated_company_names_add_no_live_element(
    name: str, demo: report.Report, baseline: _Elements, tmp_path: Path,
) -> None:
    """Any generated hostile company name adds no element, attribute or URL to the HTML."""
    try:
        r = _renamed(demo, name)
    except ProfileError:
        assume(False)  # refused where it enters: also safe
        raise
    _assert_nothing_live_added(_notebook_html(r, tmp_path), baseline)


@settings(max_examples=examples(3, fast=1), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=hostile_text)
def test_generated_framework_texts_add_no_live_element(
    text: str, baseline: _Elements, tmp_path: Path, framework_data: dict[str, Any],
) -> None:
    """Hostile text in every framework text, label and model name adds nothing live."""
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(_hostile_framework(framework_data, text), allow_unicode=True),
                    "utf-8")
    r = report.build("demo", DEMO, framework_path=str(path))
    _assert_nothing_live_added(_notebook_html(r, tmp_path), baseline)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hostile_framework_file_is_shown_as_text(
    lang: str, baseline: _Elements, tmp_path: Path, framework_data: dict[str, Any],
) -> None:
    """Issue 13, failure 1: script and links in O-points, F-notes, intro and names are inert."""
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(_hostile_framework(framework_data, " ".join(HOSTILE)),
                                   allow_unicode=True), "utf-8")
    r = report.build("demo", DEMO, lang=lang, framework_path=str(path))
    html = _notebook_html(r, tmp_path)
    _assert_nothing_live_added(html, baseline)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_framework_view_heading_shows_version_and_source_as_text(
    framework_data: dict[str, Any], tmp_path: Path,
) -> None:
    """The framework notebook's title shows a hostile version text as text."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from modelfit.decision.framework import Framework
    from modelfit.views.explore import FrameworkView

    data = copy.deepcopy(framework_data)
    data["version"] = "<img src=x onerror=alert(1)>[a](javascript:x)"
    fw = Framework.load(_write_framework(tmp_path, data))
    html = markdown2html_mistune(FrameworkView(fw, "en").heading().data)
    assert "<img" not in html
    assert "<a " not in html


def test_portfolio_section_title_is_text() -> None:
    """A portfolio section title cannot start a link or HTML."""
    import pandas as pd
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from modelfit.decision.framework import Framework
    from modelfit.views.portfolio import Portfolio

    view = Portfolio(pd.DataFrame(), Framework.load(), "en")
    page = _parse(markdown2html_mistune(view.section("<script>x</script>[a](https://e.com)").data))
    assert "script" not in page.tags
    assert all(u.startswith("#") for u in page.urls)  # only nbconvert's heading anchor


def _write_framework(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path
