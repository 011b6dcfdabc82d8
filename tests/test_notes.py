"""The analyst's notes (`notes:` in a profile): validated where they enter, shown on the summary
page and in their sections in the report's language, inert when hostile, never scored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import modelfit
from modelfit.core.errors import ProfileError
from modelfit.inputs.notes import MAX_NOTE_CHARS
from modelfit.inputs.profile import Profile
from modelfit.views import report

from .test_report_safety import DEMO, HOSTILE, _assert_nothing_live_added, _notebook_html, _parse

NOTES = {
    "summary": {"en": "The founder will not hold stock.", "zh": "创始人不愿压库存。"},
    "plan": {"en": "Start with two SKUs.\nAdd the rest in spring.", "zh": "先上两个单品。"},
    "economics": {"en": "Freight quotes are from March."},
    "markets": "Germany first",
}


def _profile(notes: Any, **extra: Any) -> Profile:
    return Profile.from_mapping({**DEMO, "notes": notes, **extra}, company_id="demo")


def test_notes_are_read_per_section_and_language() -> None:
    """A mapping of en/zh is kept as given; a plain text is the note in every language; the
    notes go back into the params a profile writes."""
    profile = _profile(NOTES)
    assert profile.notes["plan"]["en"] == "Start with two SKUs.\nAdd the rest in spring."
    assert profile.notes["markets"] == {"en": "Germany first", "zh": "Germany first"}
    assert "zh" not in profile.notes["economics"]
    again = Profile.from_mapping(profile.params(), company_id="demo")
    assert again.notes == profile.notes


@pytest.mark.parametrize(("notes", "message"), [
    ("just text", r"notes must be a mapping of summary, plan, economics, markets to text, "
                  r"got 'just text'"),
    ({"risks": "x"}, r"notes: 'risks' is not a section; the sections are summary, plan, "
                     r"economics, markets"),
    ({"plan": {"fr": "x"}}, r"notes.plan: 'fr' is not a language; use en or zh"),
    ({"plan": ["x"]}, r"notes.plan must be a text or a mapping of en and/or zh to text"),
    ({"plan": {"en": 3}}, r"notes.plan.en must be text, got 3"),
    ({"plan": {"en": "x" * (MAX_NOTE_CHARS + 1)}},
     rf"notes.plan.en may be at most {MAX_NOTE_CHARS} characters \(it has 2001\)"),
    ({"summary": "a\x1b[31mred"}, r"notes.summary.en must not hold control characters other "
                                  r"than line breaks"),
    ({"summary": {"zh": "看\u202e反"}}, r"notes.summary.zh must not hold invisible formatting"),
])
def test_bad_notes_are_refused_by_name(notes: Any, message: str) -> None:
    """Each bad note is one problem naming the file, the key, the value and what is allowed."""
    with pytest.raises(ProfileError, match=r"<profile>: " + message):
        Profile.from_mapping({**DEMO, "notes": notes})


def test_a_misspelt_notes_key_is_suggested() -> None:
    """`note:` is not a field; the message suggests `notes`."""
    with pytest.raises(ProfileError, match=r"'note' is not a field; did you mean 'notes'\?"):
        Profile.from_mapping({**DEMO, "note": {"plan": "x"}})


def test_notes_are_kept_out_of_the_answer() -> None:
    """The full answer (scores, robustness, economics, the classifier) is the same with and
    without notes: nothing reads them but the report."""
    plain = modelfit.analyse(Profile.from_mapping(DEMO, company_id="demo"))
    noted = modelfit.analyse(_profile(NOTES))
    assert noted.to_dict() == plain.to_dict()
    assert "notes" not in _profile(NOTES).fields()


@pytest.fixture(scope="module")
def reports() -> dict[str, report.Report]:
    return {lang: report.build("demo", {**DEMO, "notes": NOTES}, lang=lang)
            for lang in ("en", "zh")}


def test_the_summary_page_shows_every_note_in_english(reports: dict[str, report.Report]) -> None:
    """The summary page (after the next steps) quotes each section's note under its label."""
    text = reports["en"].summary_steps().data
    assert "**Analyst's notes**" in text
    assert "> **Summary: **The founder will not hold stock." in text
    assert "> **Plan: **Start with two SKUs.\n> Add the rest in spring." in text
    assert "> **Economics: **Freight quotes are from March." in text
    assert "> **Markets: **Germany first" in text
    assert "创始人" not in text


def test_the_summary_page_shows_the_chinese_notes(reports: dict[str, report.Report]) -> None:
    """A Chinese report shows the Chinese notes, full-width colons, and leaves out a note that
    has no Chinese text."""
    text = reports["zh"].summary_steps().data
    assert "**顾问备注**" in text
    assert "> **摘要：**创始人不愿压库存。" in text
    assert "> **方案：**先上两个单品。" in text
    assert "Freight" not in text
    assert "经济账" not in text


def test_each_note_is_shown_in_its_section(reports: dict[str, report.Report]) -> None:
    """The plan's note follows the plan notes; the economics and markets notes follow their
    sections' introductions."""
    r = reports["en"]
    assert "> Start with two SKUs.\n> Add the rest in spring." in r.plan_notes().data
    assert "> Freight quotes are from March." in r.economics_intro().data
    assert "> Germany first" in r.markets_intro().data
    assert "Freight" not in r.plan_notes().data


def test_without_notes_the_report_is_unchanged() -> None:
    """A profile without notes shows no notes block anywhere."""
    r = report.build("demo", DEMO)
    assert "Analyst" not in r.summary_steps().data
    assert ">" not in r.plan_notes().data


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The elements of the report with ordinary notes in every section, per language."""
    ordinary = {s: {"en": "ordinary text", "zh": "普通文字"} for s in NOTES}
    tmp = tmp_path_factory.mktemp("notes")
    return {lang: _parse(_notebook_html(report.build("demo", {**DEMO, "notes": ordinary},
                                                     lang=lang), tmp))
            for lang in ("en", "zh")}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("note", ["\n".join(HOSTILE[:4]), "\n".join(HOSTILE[4:])],
                         ids=["script-links-images-headings", "svg-style-markdown-entities"])
def test_a_hostile_note_is_inert(note: str, lang: str, baselines: dict[str, Any],
                                 tmp_path: Path) -> None:
    """Notes with script, links, images, headings or Markdown, one per line, add no element,
    attribute or URL to the client's HTML beyond what ordinary notes give."""
    hostile = {s: {"en": note, "zh": note} for s in NOTES}
    html = _notebook_html(report.build("demo", {**DEMO, "notes": hostile}, lang=lang), tmp_path)
    _assert_nothing_live_added(html, baselines[lang])
    assert "<script" not in html


@pytest.mark.kernel
@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "The founder will not hold stock."), ("zh", "创始人不愿压库存。")])
def test_a_rendered_report_shows_the_notes_on_its_summary_page(
    lang: str, expected: str, tmp_path: Path,
) -> None:
    """`modelfit report` of a profile with notes: the summary page (before the company at a
    glance) carries the note in the report's language; the JSON (the answer) does not."""
    import yaml

    from modelfit.deliver.render import render_report

    root = Path(__file__).resolve().parents[1]
    path = tmp_path / "noted.yaml"
    path.write_text(yaml.safe_dump({**DEMO, "notes": NOTES}, allow_unicode=True), "utf-8")
    render_report(path, out_dir=tmp_path / "out", lang=lang, root=root, progress=False)
    stem = "noted" if lang == "en" else "noted.zh"  # Chinese beside English: <id>.zh.*
    html = (tmp_path / "out" / f"{stem}.html").read_text("utf-8")
    glance = "The company at a glance" if lang == "en" else modelfit.Framework.load().label(
        "h_glance", "zh")
    assert expected in html.split(glance)[0]
    assert expected not in (tmp_path / "out" / f"{stem}.json").read_text("utf-8")
