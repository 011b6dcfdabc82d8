"""What every section of the per-company report shares: the computed data it shows and the
helpers that turn framework texts, profile fields, tables and figures into safe display objects.

Every Markdown output goes through modelfit.core.safe: profile and framework texts are data,
never markup (a company name cannot add a link, an image, a heading or HTML). The sections
(`modelfit.views.report_*`) extend `Section`; `modelfit.views.report.Report` joins them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from IPython.display import Image, Markdown

from modelfit.analysis import Analysis
from modelfit.core.safe import markdown_fill, markdown_text
from modelfit.core.wording import zh_spacing
from modelfit.decision.framework import Framework
from modelfit.decision.recommend import Recommendation
from modelfit.inputs.notes import NOTE_LABELS, NOTE_SECTIONS, note_text
from modelfit.inputs.profile import Profile
from modelfit.views import charts

SHARP = 2  # figures are drawn at SHARP x charts.DPI and shown at 1x


@dataclass(frozen=True)
class Section:
    """One company's computed report, as every section reads it, with the shared text helpers."""

    profile: Profile
    analysis: Analysis
    fw: Framework
    lang: str
    seed: int
    figure_lang: str

    @property
    def rec(self) -> Recommendation:
        """The framework's recommendation."""
        return self.analysis.rec

    # --- text -------------------------------------------------------------------------------
    def _md(self, key: str, **values: Any) -> str:
        """The framework text at `key` as safe Markdown, its placeholders filled with `values`."""
        template = self.fw.text(key, self.lang, **{k: "${" + k + "}" for k in values})
        filled = markdown_fill(template, values)
        return zh_spacing(filled) if self.lang == "zh" else filled

    def _label(self, key: str) -> str:
        """A framework label as literal Markdown text."""
        return markdown_text(self.fw.label(key, self.lang))

    def heading(self, key: str, level: int = 2) -> Markdown:
        """A section heading from the framework's labels."""
        return Markdown(f"{'#' * level} {self._label(key)}")

    def _name(self, model: str) -> str:
        return self.fw.model_name(model, self.lang)

    # --- the analyst's notes -------------------------------------------------------------------
    def _notes(self, sections: tuple[str, ...] = NOTE_SECTIONS) -> str:
        """The analyst's notes of `sections` in the report's language (modelfit.inputs.notes)
        as a quoted Markdown block under their label; "" when there are none."""
        return notes_markdown(self.profile.notes, sections, self.lang)

    # --- profile fields -----------------------------------------------------------------------
    def _field_name(self, name: str) -> str:
        """A profile field's display name."""
        if name in self.fw.criteria:
            return self.fw.criterion_name(name, self.lang)
        return self.fw.label(f"f_{name}", self.lang)

    def _field_value(self, name: str, value: Any) -> str:
        """A profile field's value as the report shows it."""
        return field_value(self.fw, name, value, self.lang)

    def _market(self, market: str) -> str:
        """A target market's name in the report's language (美国, not US)."""
        return market_name(self.fw, market, self.lang)


def field_value(fw: Framework, name: str, value: Any, lang: str) -> str:
    """A profile field's value as a client reads it: "3 / 5", the category's name, channels
    and markets by name (美国, not US), a number without a trailing .0."""
    if name in fw.criteria:
        return f"{value} / 5"
    if name == "category":
        return fw.label(f"cat_{value}", lang)
    if isinstance(value, (list, tuple)):
        sep = "、" if lang == "zh" else ", "
        return sep.join(fw.channel_label(v, lang) if v in fw.models
                        else market_name(fw, str(v), lang) for v in value
                        ) or fw.label("none", lang)
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:g}"
    return str(value)


def market_name(fw: Framework, market: str, lang: str) -> str:
    """A target market's name in `lang` (美国, not US)."""
    return str(fw.raw["labels"][lang].get(f"mkt_{market}", market.upper()))


def notes_markdown(notes: dict[str, dict[str, str]], sections: tuple[str, ...], lang: str) -> str:
    """Notes as a quoted block: "**Analyst's notes**", then each section's note under its
    label (the label left out when one section is asked for). Every line of a note is literal
    text (`markdown_text`): a note can add no link, image, heading or HTML."""
    labels = NOTE_LABELS[lang]
    colon = "：" if lang == "zh" else ": "
    blocks = []
    for section in sections:
        text = note_text(notes, section, lang)
        if not text:
            continue
        lines = [markdown_text(line) for line in text.split("\n")]
        if len(sections) > 1:
            lines[0] = f"**{markdown_text(labels[section])}{colon}**{lines[0]}"
        blocks.append("\n".join(f"> {line}".rstrip() for line in lines))
    if not blocks:
        return ""
    return f"**{markdown_text(labels['notes'])}**\n\n" + "\n>\n".join(blocks)


def drop_index_name(df: pd.DataFrame) -> pd.DataFrame:
    """Drop the index name: its header row reads as an empty second header in HTML."""
    df.index.name = None
    return df


def show_figure(fig: Any, alt: str) -> Image:
    """A figure as a PNG display object; `alt` becomes the image's alt text in the HTML.

    Drawn at twice the screen resolution and shown at the screen size (the `width`), so the
    figures stay sharp on high-density screens and in the PDF (about 200 dpi on A4).
    """
    png = charts.to_png(fig, dpi=SHARP * charts.DPI)
    width = int.from_bytes(png[16:20], "big") // SHARP  # the PNG header's pixel width
    return Image(data=png, format="png", width=width, metadata={"alt": alt})
