"""Both languages side by side (issue 24, item 6): English at `<id>.{ipynb,html,json,pdf,xlsx}`,
Chinese at `<id>.zh.{...}`; `--lang en,zh` names both; the portfolio reads one report per company
and links each company's reports in every language it has."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modelfit import Framework
from modelfit.core.errors import ModelfitError
from modelfit.deliver.render import ReportFiles, write_report
from modelfit.provenance import parse_langs, report_stem, stem_parts
from modelfit.views.portfolio import Portfolio, load_reports, report_languages

ROOT = Path(__file__).resolve().parents[1]


def _files(cid: str, lang: str, marker: str) -> ReportFiles:
    stem = report_stem(cid, lang)
    return ReportFiles(cid, {f"{stem}.{s}": f"{marker} {s}".encode() for s in
                             ("ipynb", "html", "json", "pdf", "xlsx")}, lang=lang)


def test_the_stem_names_english_plainly_and_chinese_with_zh() -> None:
    """acme -> acme (English), acme.zh (Chinese); the stem splits back unambiguously."""
    assert report_stem("acme", "en") == "acme"
    assert report_stem("acme", "zh") == "acme.zh"
    assert stem_parts("acme.zh") == ("acme", "zh")
    assert stem_parts("portfolio-co") == ("portfolio-co", "en")


def test_rendering_chinese_after_english_keeps_both(tmp_path: Path) -> None:
    """The defect quoted in issue 24: rendering the same company in zh after en replaced the
    English files and left the English workbook beside the Chinese report. Now both sets live
    together and each file holds its own language."""
    write_report(_files("acme", "en", "english"), tmp_path, pdf=True, xlsx=True)
    done = write_report(_files("acme", "zh", "chinese"), tmp_path, pdf=True, xlsx=True)
    assert done.html == tmp_path / "acme.zh.html"
    assert done.xlsx == tmp_path / "acme.zh.xlsx"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"acme.{s}" for s in ("html", "ipynb", "json", "pdf", "xlsx")]
                           + [f"acme.zh.{s}" for s in ("html", "ipynb", "json", "pdf", "xlsx")])
    assert (tmp_path / "acme.xlsx").read_bytes() == b"english xlsx"
    assert (tmp_path / "acme.zh.xlsx").read_bytes() == b"chinese xlsx"


def test_a_failed_chinese_run_keeps_its_own_failed_notebook(tmp_path: Path) -> None:
    """A failed zh run leaves `<id>.zh.failed.ipynb` and the English report untouched."""
    from modelfit.deliver.render import RenderError

    write_report(_files("acme", "en", "english"), tmp_path)
    failed = ReportFiles("acme", {}, error="report for acme failed in cell 3 (ValueError: x)",
                         failed_notebook=b"{}", lang="zh")
    with pytest.raises(RenderError, match=r"acme\.zh\.failed\.ipynb"):
        write_report(failed, tmp_path)
    assert (tmp_path / "acme.html").read_bytes() == b"english html"
    assert (tmp_path / "acme.zh.failed.ipynb").is_file()


@pytest.mark.parametrize(("value", "langs"), [("en", ("en",)), ("zh", ("zh",)),
                                              ("en,zh", ("en", "zh")), ("zh, en", ("zh", "en")),
                                              ("en,en", ("en",))])
def test_lang_takes_one_language_or_several(value: str, langs: tuple[str, ...]) -> None:
    """`--lang en,zh` names both languages, in the order given, each once."""
    assert parse_langs(value) == langs


def test_an_unknown_language_is_refused_in_one_line() -> None:
    """`--lang fr` names the value and what is allowed."""
    with pytest.raises(ModelfitError, match=r"--lang must be one or more of en, zh separated "
                                            r"by commas \(en,zh\), got 'en,fr'"):
        parse_langs("en,fr")


def _report_json(cid: str, company: str) -> str:
    return json.dumps({
        "company_id": cid, "company": company, "stage": "growth", "primary": "platform",
        "channels": ["platform"], "ranking": ["platform", "hybrid", "independent_site",
                                              "distribution"],
        "scores": {"platform": 60, "hybrid": 55, "independent_site": 50, "distribution": 40},
        "robustness": {"confidence": 0.9}, "classifier": None})


def test_the_portfolio_counts_each_company_once_and_links_both_languages(
        tmp_path: Path) -> None:
    """With acme.json and acme.zh.json beside each other, the portfolio has one row for acme,
    links its report in the portfolio's language and the other language's report."""
    (tmp_path / "acme.json").write_text(_report_json("acme", "Acme"), "utf-8")
    (tmp_path / "acme.zh.json").write_text(_report_json("acme", "Acme"), "utf-8")
    (tmp_path / "bolt.zh.json").write_text(_report_json("bolt", "Bolt"), "utf-8")
    assert report_languages(tmp_path) == {"acme": ["en", "zh"], "bolt": ["zh"]}
    table = load_reports(tmp_path)
    assert list(table.index) == ["acme", "bolt"]
    for lang, first, other in (("en", "acme.html", "acme.zh.html"),
                               ("zh", "acme.zh.html", "acme.html")):
        page = Portfolio(table, Framework.load(), lang, links=True,
                         languages=report_languages(tmp_path)).companies().data
        links = re.findall(r'href="([^"]+)"', page)
        assert links[:2] == [first, other], links
        assert "bolt.zh.html" in links
        assert "bolt.html" not in links
