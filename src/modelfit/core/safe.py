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
    "markdown_fill",
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


# Markdown that is live anywhere in a line: HTML and entities, emphasis, code spans, links and
# images (brackets), GFM tables, strikethrough, math, and backslash escapes themselves.
_MD_ANYWHERE = frozenset("\\`*_[]|~$")
# Markdown that is live at the start of a line: headings, quotes, lists, setext and rules.
# Only what reads as a block marker (`#` always: nbconvert's mistune needs no space after
# it); `1.0.0` or `-5%` stay as written.
_MD_LINE_START = re.compile(
    r"([ \t]*)(>|#|:(?=[ \t]|$)|[-+*](?=[ \t]|$|[-+* \t]*$)|\d{1,9}[.)](?=[ \t]|$)"
    r"|=+(?=[ \t]*$))")
# Autolinks: scheme://, www. and e-mail addresses.
_MD_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9]):(?=/)|(?<=www)\.|@", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _markdown_escape(text: str, keep: frozenset[str] = frozenset()) -> str:
    """Escape what is live in `text`, except the characters in `keep`."""
    out = []
    for line in text.split("\n"):
        head = _MD_LINE_START.match(line)
        escaped = []
        for i, ch in enumerate(line):
            if ch == "&":
                escaped.append("&amp;")
            elif ch == "<":
                escaped.append("&lt;")
            elif ch == ">" and not (head and i == head.start(2)):
                escaped.append("&gt;")
            elif ((ch in _MD_ANYWHERE and ch not in keep) or (head and i == head.end(2) - 1)
                  or _MD_AUTOLINK.match(line, i)):
                escaped.append("\\" + ch)
            else:
                escaped.append(ch)
        out.append("".join(escaped))
    return "\n".join(out)


def markdown_text(s: object) -> str:
    """`s` as literal text inside Markdown: it renders as itself and nothing in it is live.

    Line breaks and other controls become visible marks (no new block can start); `& < >`
    become entities (no HTML); emphasis, code, link, table, math and line-start marks and
    autolinks are backslash-escaped. Ordinary punctuation (`. , ( ) : -`) stays as written.
    """
    return _markdown_escape(visible(s))


def markdown_template(s: object) -> str:
    """A framework text as Markdown that keeps emphasis and code spans and nothing else live.

    Paragraph breaks (blank lines) are kept; HTML, links, images, autolinks, headings, block
    quotes, lists and tables written in the text show as the characters they are.
    """
    text = "\n".join(visible(line) for line in str(s).replace("\r\n", "\n").split("\n"))
    parts = []
    last = 0
    for span in _CODE_SPAN.finditer(text):  # a code span is literal text already
        parts.append(_markdown_escape(text[last:span.start()], keep=frozenset("*")))
        parts.append(span.group(0))
        last = span.end()
    parts.append(_markdown_escape(text[last:], keep=frozenset("*")))
    return "".join(parts)


def markdown_fill(template: str, values: dict[str, object]) -> str:
    """A framework text whose $-placeholders hold `values`, as Markdown: the text through
    `markdown_template`, each value through `markdown_text` (values never start markup)."""
    import string

    tokens = {f"MODELFITVALUE{i}X": markdown_text(v) for i, v in enumerate(values.values())}
    filled = string.Template(template).safe_substitute(
        {name: token for name, token in zip(values, tokens, strict=True)})
    out = markdown_template(filled)
    for token, text in tokens.items():
        out = out.replace(token, text)
    return out


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
