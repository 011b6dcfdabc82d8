"""The escaping boundary: text from profiles, framework files, model cards and CSVs is data.

Every place that shows such text passes it through one of these functions on its way out:

- `html_text`: safe inside an HTML element or a quoted attribute value.
- `markdown_text`: safe inside Markdown (a notebook's Markdown output, the report's HTML): no
  live HTML, link, image, autolink, heading, list, table cell break or emphasis from the input.
- `markdown_template`: a framework text that may use emphasis (`**bold**`, `*italic*`) and code
  spans, and nothing else live: no HTML, links, images or headings.
- `terminal_text`: safe to print; no escape sequence reaches the terminal.
- `spreadsheet_cell`: safe in a CSV or Excel cell; never read as a formula.

All of them first make invisible and control characters visible (`visible`): C0/C1 controls as
their Unicode control pictures or `⟨U+XXXX⟩`, and bidirectional overrides, zero-width and
other format characters as `⟨U+XXXX⟩`, so a name cannot hide or reorder what follows it.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = [
    "html_text",
    "markdown_template",
    "markdown_text",
    "spreadsheet_cell",
    "terminal_text",
    "visible",
]

# Categories shown as code points: controls, format characters (bidi overrides and isolates,
# zero-width characters, the BOM, soft hyphen), line and paragraph separators, private use and
# lone surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})
_ASCII_PUNCTUATION = frozenset("!\"#$%'()*+,-./:;=?@[\\]^_`{|}~")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _visible_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (␉ tab, ␊ line feed, ␍ carriage return, ␛ escape)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"⟨U+{code:04X}⟩"


def visible(s: object) -> str:
    """`s` as text with every control, format or separator character shown as a visible mark."""
    text = str(s)
    if text.isprintable() and not any(unicodedata.category(ch) in _HIDDEN_CATEGORIES
                                      for ch in text):
        return text
    return "".join(_visible_char(ch) if unicodedata.category(ch) in _HIDDEN_CATEGORIES else ch
                   for ch in text)


def html_text(s: object) -> str:
    """`s` escaped for HTML element content and quoted attribute values."""
    return html.escape(visible(s), quote=True)


def _markdown_escape(text: str, keep: frozenset[str] = frozenset()) -> str:
    out = []
    for ch in text:
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch in _ASCII_PUNCTUATION and ch not in keep:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def markdown_text(s: object) -> str:
    """`s` as literal text inside Markdown: it renders as itself and nothing in it is live.

    Line breaks and other controls become visible marks (no new block can start), `& < >`
    become entities (no HTML) and every other ASCII punctuation mark is backslash-escaped (no
    link, image, autolink, heading, list, emphasis, code span or table cell break).
    """
    return _markdown_escape(visible(s))


_TEMPLATE_LINE_START = re.compile(r"^(\s*)([#>+=|-]|\d+[.)])", re.MULTILINE)


def markdown_template(s: object) -> str:
    """A framework text as Markdown that keeps emphasis and code spans and nothing else live.

    Paragraph breaks (blank lines) are kept; HTML, links, images, autolinks, headings, block
    quotes, lists and tables written in the text show as the characters they are.
    """
    text = "\n".join(visible(line) for line in str(s).replace("\r\n", "\n").split("\n"))
    return _markdown_escape(text, keep=frozenset("*`"))


def terminal_text(s: object) -> str:
    """`s` safe to print: escape sequences, other controls and bidi overrides made visible."""
    return visible(s)


def spreadsheet_cell(s: object) -> str:
    """`s` as a CSV or Excel text cell that no spreadsheet reads as a formula.

    Controls become visible, and a value that starts (after any spaces) with `= + - @`, a tab,
    a carriage return or a line feed gets a leading apostrophe so it stays text.
    """
    raw = str(s)
    text = visible(raw)
    if raw.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + text
    return text
