"""The escaping boundary (src/modelfit/safe.py): each function's one promise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from modelfit.core.safe import (
    html_text,
    markdown_fill,
    markdown_template,
    markdown_text,
    spreadsheet_cell,
    terminal_text,
    visible,
)

from .conftest import examples

HOSTILE = [
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "Acme\n\n# Recommended: nothing\n\n![x](https://example.com/x.png)",
    "<img src=\"https://example.com/t.png\">",
    "https://example.com www.example.com a@example.com",
    "**bold** _it_ `code` ~~s~~ | a | b |",
    "=cmd|' /C calc'!A0",
]


def _html(markdown: str) -> str:
    """Markdown as nbconvert renders it into the report's HTML."""
    return str(markdown2html_mistune(markdown))


def test_visible_shows_controls_as_pictures() -> None:
    """C0 controls and DEL become their Unicode control pictures."""
    assert visible("a\x1b[31mb\nc\x00\x7f") == "a␛[31mb␊c␀␡"


def test_visible_shows_bidi_and_zero_width_as_code_points() -> None:
    """A right-to-left override and a zero-width space are shown as code points."""
    assert visible("a\u202eb\u200b") == "a⟨U+202E⟩b⟨U+200B⟩"


def test_visible_keeps_chinese_and_ordinary_text() -> None:
    """Printable text, Chinese included, is unchanged."""
    assert visible("深圳 Acme 跨境 (Ltd.)") == "深圳 Acme 跨境 (Ltd.)"


def test_html_text_escapes_markup_and_quotes() -> None:
    """`< > & " '` become entities, so nothing is an element or leaves an attribute."""
    assert html_text("<b a=\"1\" c='2'>&") == "&lt;b a=&quot;1&quot; c=&#x27;2&#x27;&gt;&amp;"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markdown_text_renders_nothing_live(hostile: str) -> None:
    """Markdown from the input renders as one paragraph of text: no tag but <p>."""
    out = _html(markdown_text(hostile))
    assert out.startswith("<p>")
    assert out.rstrip().endswith("</p>")
    assert out.count("<") == 2, out


@settings(max_examples=examples(500))
@given(st.text())
def test_markdown_text_renders_as_one_paragraph(s: str) -> None:
    """Any string renders as at most one paragraph of text, with no other element."""
    out = _html(markdown_text(s)).strip()
    assert out == "" or (out.startswith("<p>") and out.endswith("</p>") and out.count("<") == 2)


def test_markdown_text_reads_as_itself() -> None:
    """The escaped text renders back to the visible characters of the input."""
    assert _html(markdown_text("A*B_[c](d) <e> & f")).strip() == (
        "<p>A*B_[c](d) &lt;e&gt; &amp; f</p>")


def test_markdown_template_keeps_emphasis_and_code() -> None:
    """A framework text keeps its bold, italics and code spans."""
    out = _html(markdown_template("**Recommended: x.** run `make model`, *now*"))
    assert "<strong>" in out
    assert "<code>" in out
    assert "<em>" in out


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "[a](javascript:alert(1))",
    "![a](https://example.com/a.png)",
    "# heading",
    "<https://example.com>",
    "intro\n\n# Recommended\n\n> quote\n\n- item\n\n1. item",
])
def test_markdown_template_renders_no_html_link_image_or_block(text: str) -> None:
    """A framework text cannot add HTML, a link, an image, a heading, a quote or a list."""
    out = _html(markdown_template(text))
    for tag in ("<script", "<a ", "<img", "<h1", "<blockquote", "<ul", "<ol"):
        assert tag not in out, out


def test_terminal_text_has_no_escape_sequence() -> None:
    """An ANSI escape sequence is shown, not sent to the terminal."""
    assert "\x1b" not in terminal_text("\x1b]0;pwned\x07\x1b[2J")


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\t=1",
                                   "\r=1", "  =1", "＝1"])
def test_spreadsheet_cell_makes_formulas_text(value: str) -> None:
    """A value a spreadsheet would read as a formula starts with an apostrophe."""
    assert spreadsheet_cell(value).startswith("'")


def test_spreadsheet_cell_keeps_plain_text() -> None:
    """A plain name is unchanged."""
    assert spreadsheet_cell("Acme Ltd. 深圳") == "Acme Ltd. 深圳"


@settings(max_examples=examples(500))
@given(st.text())
def test_markdown_template_renders_only_text_emphasis_and_code(s: str) -> None:
    """Any framework text renders to paragraphs, emphasis and code spans only."""
    import re

    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", _html(markdown_template(s))))
    assert tags <= {"p", "strong", "em", "code", "br"}, tags


def test_markdown_fill_escapes_values_not_the_template() -> None:
    """The template keeps its bold; a value's markup shows as text."""
    out = _html(markdown_fill("**Recommended: $primary.**", {"primary": "*x* <b>y</b>"}))
    assert out.strip() == "<p><strong>Recommended: *x* &lt;b&gt;y&lt;/b&gt;.</strong></p>"


def test_markdown_text_leaves_ordinary_punctuation_alone() -> None:
    """Common punctuation stays as written, so the notebook's Markdown stays readable."""
    assert markdown_text("Acme Co. (R1): 0.62, 3-4") == "Acme Co. (R1): 0.62, 3-4"


@pytest.mark.parametrize("text", ["1.0.0", "-5%", "+3 points", "2024"])
def test_markdown_text_leaves_non_markers_at_line_start_alone(text: str) -> None:
    """Text that CommonMark would not read as a block marker is not escaped."""
    assert markdown_text(text) == text


@pytest.mark.parametrize(("text", "tag"), [("# x", "<h1"), ("1. x", "<ol"), ("- x", "<ul"),
                                           ("> x", "<blockquote"), ("---", "<hr")])
def test_markdown_text_escapes_block_markers(text: str, tag: str) -> None:
    """A value that would start a heading, list, quote or rule at a line start does not."""
    assert tag not in _html(markdown_text(text))


# Exact outputs: the promises above are checked by how the text renders, which cannot tell
# `&amp;` from `&AMP;` (both valid HTML) or see a line joined wrongly; mutation testing
# (docs/testing.md) showed those changes passing. The spelling is pinned here.
@pytest.mark.parametrize(("text", "escaped"), [
    ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
    ("&lt;b&gt; shows as written", "&amp;lt;b&amp;gt; shows as written"),
    ("x > y", "x &gt; y"),
    ("> quote > inner", "\\> quote &gt; inner"),  # the quote marker escaped, not made an entity
], ids=["entities", "written-entity", "greater-than", "quote-marker"])
def test_markdown_text_spells_each_escape_exactly(text: str, escaped: str) -> None:
    """& < > become &amp; &lt; &gt;, except a quote marker at a line start, backslashed."""
    assert markdown_text(text) == escaped


@pytest.mark.parametrize(("text", "escaped"), [
    ("one\r\ntwo\n\nthree", "one\ntwo\n\nthree"),  # CRLF read as a line break; breaks kept
    ("a `x` b `y` c *d* [e]", "a `x` b `y` c *d* \\[e\\]"),  # text between spans kept once
    ("`<b>` & <i>", "`<b>` &amp; &lt;i&gt;"),  # a code span is literal already
], ids=["line-breaks", "code-spans", "html-beside-code"])
def test_markdown_template_keeps_lines_and_code_spans_exactly(text: str, escaped: str) -> None:
    """Line breaks, code spans and the text around them come out once each, in order."""
    assert markdown_template(text) == escaped


@pytest.mark.parametrize(("value", "cell"), [
    ("\tabc", "'␉abc"),  # a leading tab is a formula start, even before plain text
    ("X=1", "X=1"),      # only spaces are skipped before the first character
    ("  @x", "'  @x"),
], ids=["leading-tab", "letter-first", "spaces-then-at"])
def test_spreadsheet_cell_exact(value: str, cell: str) -> None:
    """The apostrophe goes before a formula start found after spaces only."""
    assert spreadsheet_cell(value) == cell


def test_terminal_text_is_the_text_made_visible() -> None:
    """terminal_text shows its own argument, escape characters as pictures."""
    assert terminal_text("a\x1b[31mb") == "a␛[31mb"
