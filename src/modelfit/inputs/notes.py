"""The analyst's own notes in a profile: free text per report section, in English and Chinese.

    notes:
      summary: {en: "The founder will not hold stock.", zh: "创始人不愿压库存。"}
      plan: "Text shown whatever the report's language."
      economics: {en: "..."}

Sections: `summary`, `plan`, `economics`, `markets` (`NOTE_SECTIONS`). A value is one text
(shown in every language) or a mapping of `en` and/or `zh` to text; a report shows the note
in its own language and leaves it out when that language has none. A text holds at most
`MAX_NOTE_CHARS` characters, line breaks allowed, no other control or invisible formatting
characters. Notes are data: validated here, escaped where a report shows them
(`modelfit.core.safe`), and never read by the scoring, the robustness analysis or the
classifier.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from modelfit.core.errors import shown
from modelfit.core.vocab import LANGUAGES

NOTES = "notes"
NOTE_SECTIONS = ("summary", "plan", "economics", "markets")
MAX_NOTE_CHARS = 2000
# What a report calls each section's note, and the notes as a whole.
NOTE_LABELS: dict[str, dict[str, str]] = {
    "en": {"notes": "Analyst's notes", "summary": "Summary", "plan": "Plan",
           "economics": "Economics", "markets": "Markets"},
    "zh": {"notes": "顾问备注", "summary": "摘要", "plan": "方案", "economics": "经济账",
           "markets": "市场"},
}


def parse_notes(value: Any, source: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """`notes:` as {section: {lang: text}} (a plain text given for every language), and the
    problems found, each naming the source, the key, the value and what is allowed."""
    where = f"{source}: {NOTES}"
    if not isinstance(value, dict):
        return {}, [f"{where} must be a mapping of {', '.join(NOTE_SECTIONS)} to text, "
                    f"got {shown(value)}"]
    out: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    for section, note in value.items():
        if section not in NOTE_SECTIONS:
            problems.append(f"{where}: {shown(section)} is not a section; the sections are "
                            f"{', '.join(NOTE_SECTIONS)}")
            continue
        texts = dict.fromkeys(LANGUAGES, note) if isinstance(note, str) else note
        if not isinstance(texts, dict) or not texts:
            problems.append(f"{where}.{section} must be a text or a mapping of "
                            f"{' and/or '.join(LANGUAGES)} to text, got {shown(note)}")
            continue
        kept: dict[str, str] = {}
        for lang, text in texts.items():
            if lang not in LANGUAGES:
                problems.append(f"{where}.{section}: {shown(lang)} is not a language; use "
                                f"{' or '.join(LANGUAGES)}")
            elif (problem := text_problem(text)) is not None:
                problems.append(f"{where}.{section}.{lang} {problem}, got {shown(text)}")
            else:
                kept[lang] = text
        out[section] = kept
    return out, problems


def text_problem(text: Any) -> str | None:
    """Why `text` cannot be a note, or None."""
    if not isinstance(text, str):
        return "must be text"
    if len(text) > MAX_NOTE_CHARS:
        return f"may be at most {MAX_NOTE_CHARS} characters (it has {len(text)})"
    if any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text):
        return "must not hold control characters other than line breaks"
    if any(unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Co", "Cs") for ch in text):
        return ("must not hold invisible formatting characters (zero-width characters, "
                "right-to-left overrides)")
    return None


def note_text(notes: dict[str, dict[str, str]], section: str, lang: str) -> str:
    """The note of `section` in `lang`, stripped; "" when there is none."""
    return notes.get(section, {}).get(lang, "").strip()
