"""Figures for the reports and notebooks: matplotlib's object API, no pyplot global state.

Every function returns a `matplotlib.figure.Figure`; `to_png` renders one deterministically
(fixed DPI, no timestamp metadata). Chinese figures use Noto Sans CJK SC, shipped by the
`mplfonts` package that the project installs; without it they fall back to English labels with
a warning.
"""

from __future__ import annotations

import io
import warnings
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import font_manager, rcParams
from matplotlib.figure import Figure

from modelfit.core.vocab import MODELS
from modelfit.outcome.economics import text as money_text

if TYPE_CHECKING:
    from modelfit.decision.framework import Framework
    from modelfit.decision.recommend import Recommendation
    from modelfit.outcome.economics import MoneyPlan

DPI = 110
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
# One colour per model, colour-blind safe (Okabe-Ito), in framework order.
MODEL_COLOURS = {
    "platform": "#0072B2",
    "distribution": "#E69F00",
    "independent_site": "#009E73",
    "hybrid": "#CC79A7",
}
TERM_COLOURS = {
    "stage_prior": "#BBBBBB",
    "capital": "#56B4E9",
    "supply_chain": "#E69F00",
    "brand_content": "#009E73",
    "tech_data": "#CC79A7",
}
SCREEN_COLOUR = "#D55E00"


class FontWarning(UserWarning):
    """No CJK font: Chinese figure labels fall back to English."""


@cache
def cjk_font_path() -> Path | None:
    """The bundled Noto Sans CJK SC file, or None when mplfonts is not installed."""
    spec = find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        candidate = Path(root) / "fonts" / CJK_FONT_FILE
        if candidate.is_file():
            return candidate
    return None


@cache
def _register_cjk() -> str | None:
    path = cjk_font_path()
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def figure_lang(lang: str) -> str:
    """Set the fonts for `lang` and return the language figures can be labelled in.

    For `zh` this is `zh` when the CJK font is there, else `en` with a `FontWarning`.
    """
    rcParams["font.family"] = "sans-serif"
    rcParams["svg.hashsalt"] = "modelfit"
    name = _register_cjk()
    if lang != "zh":
        # English labels in DejaVu Sans; a company's name in Chinese (or Japanese) characters
        # falls back glyph by glyph to the CJK font, never to empty boxes.
        # (font.family names both: a generic family resolves to its first font only).
        rcParams["font.sans-serif"] = ["DejaVu Sans"] + ([name] if name else [])
        if name:
            rcParams["font.family"] = ["DejaVu Sans", name]
        return lang
    if name is None:
        warnings.warn(
            "no CJK font found (the mplfonts package is not installed): figure labels stay in "
            "English; run `make setup` to install it",
            FontWarning,
            stacklevel=2,
        )
        rcParams["font.sans-serif"] = ["DejaVu Sans"]
        return "en"
    rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False
    return "zh"


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """Render `fig` to PNG bytes at `dpi`: same figure, same bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def radar(rec: Recommendation, fw: Framework, lang: str) -> Figure:
    """The company's four ratings against how strongly each model leans on each capability."""
    lang = figure_lang(lang)
    crits = list(fw.criteria)
    angles = np.linspace(0, 2 * np.pi, len(crits), endpoint=False)
    loop = np.append(angles, angles[0])
    fig = Figure(figsize=(6.4, 5.2))
    ax: Any = fig.add_subplot(projection="polar")  # PolarAxes: typed as plain Axes
    top = max(float(np.abs(fw.weights).max()), 1e-9)
    for m, model in enumerate(fw.models):
        asks = 1 + 4 * np.clip(fw.weights[:, m], 0, None) / top
        ax.plot(loop, np.append(asks, asks[0]), linestyle="--", linewidth=1.2,
                color=MODEL_COLOURS.get(model), label=fw.model_name(model, lang, short=True))
    ours = np.array([rec.ratings[c] for c in crits], dtype=float)
    ax.plot(loop, np.append(ours, ours[0]), color="black", linewidth=2.4,
            label=rec.company if lang == "en" else fw.label("company_rating", lang))
    ax.fill(loop, np.append(ours, ours[0]), color="black", alpha=0.08)
    ax.set_theta_offset(np.pi / 4)
    ax.set_xticks(angles)
    ax.set_xticklabels([fw.criterion_name(c, lang) for c in crits], fontsize=9)
    ax.tick_params(axis="x", pad=14)
    ax.set_ylim(0, 5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_yticklabels(["1", "2", "3", "4", "5"], fontsize=7, color="#666666")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8, frameon=False)
    return fig


def score_bars(rec: Recommendation, fw: Framework, lang: str) -> Figure:
    """Scores 0–100 per model, best first, the primary in full colour."""
    lang = figure_lang(lang)
    models = list(rec.ranking)[::-1]
    scores = [rec.scores[m] for m in models]
    fig = Figure(figsize=(6.4, 2.8))
    ax = fig.add_subplot()
    colours = [MODEL_COLOURS.get(m, "#888888") for m in models]
    bars = ax.barh([fw.model_name(m, lang) for m in models], scores, color=colours)
    for bar, model in zip(bars, models, strict=True):
        bar.set_alpha(1.0 if model == rec.primary else 0.45)
    ax.bar_label(bars, labels=[f"{s:.1f}" for s in scores], padding=3, fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel(fw.label("scores", lang))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def contributions(rec: Recommendation, fw: Framework, lang: str) -> Figure:
    """Each model's score built up from the stage prior: each criterion adds (solid) or takes
    away (hatched) points, and a screen takes its penalty; the black tick is the score."""
    lang = figure_lang(lang)
    models = list(rec.ranking)[::-1]
    fig = Figure(figsize=(7.2, 3.6))
    ax = fig.add_subplot()
    labels = [fw.model_name(m, lang) for m in models]
    running = np.zeros(len(models))
    terms: list[str] = ["stage_prior", *fw.criteria]
    if any(k.startswith("screen_") for m in models for k in rec.contributions[m]):
        terms.append("screen")
    for term in terms:
        values = np.array([
            sum(v for k, v in rec.contributions[m].items() if k.startswith("screen_"))
            if term == "screen" else rec.contributions[m][term]
            for m in models
        ])
        name = (fw.label("stage_prior", lang) if term == "stage_prior"
                else fw.label("screen", lang) if term == "screen"
                else fw.criterion_name(term, lang))
        colour = SCREEN_COLOUR if term == "screen" else TERM_COLOURS.get(term)
        left = np.minimum(running, running + values)
        ax.barh(labels, np.abs(values), left=left, label=name, color=colour,
                hatch=["//" if v < 0 else "" for v in values], edgecolor="white", linewidth=0.5)
        running = running + values
    for y, model in enumerate(models):
        ax.plot([rec.scores[model]] * 2, [y - 0.42, y + 0.42], color="black", linewidth=2.2)
        ax.text(rec.scores[model] + 1, y, f"{rec.scores[model]:.1f}", va="center", fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel(fw.label("points", lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def weights_heatmap(fw: Framework, lang: str) -> Figure:
    """The framework's weights, criterion × model, annotated with their points."""
    lang = figure_lang(lang)
    fig = Figure(figsize=(6.8, 3.4))
    ax = fig.add_subplot()
    limit = max(float(np.abs(fw.weights).max()), 1e-9)
    image = ax.imshow(fw.weights, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(len(fw.models)), [fw.model_name(m, lang, short=True) for m in fw.models])
    ax.set_yticks(range(len(fw.criteria)), [fw.criterion_name(c, lang) for c in fw.criteria])
    for (r, c), value in np.ndenumerate(fw.weights):
        ax.text(c, r, f"{value:+g}", ha="center", va="center", fontsize=10,
                color="white" if abs(value) > 0.6 * limit else "black")
    fig.colorbar(image, ax=ax, label=fw.label("points", lang))
    return fig


def priors_chart(fw: Framework, lang: str) -> Figure:
    """The stage priors: each model's score for an average company at each stage."""
    lang = figure_lang(lang)
    fig = Figure(figsize=(6.8, 3.0))
    ax = fig.add_subplot()
    width = 0.8 / len(fw.models)
    x = np.arange(len(fw.stages))
    for m, model in enumerate(fw.models):
        ax.bar(x + (m - (len(fw.models) - 1) / 2) * width, fw.priors[:, m], width,
               label=fw.model_name(model, lang, short=True), color=MODEL_COLOURS.get(model))
    ax.set_xticks(x, [fw.stage_name(s, lang) for s in fw.stages])
    ax.set_ylim(0, 100)
    ax.set_ylabel(fw.label("stage_prior", lang))
    ax.legend(fontsize=8, frameon=False, ncol=4, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_cumulative(plan: MoneyPlan, model_name: Any, lang: str = "en") -> Figure:
    """Cumulative cash of each model's plan, month by month, with the zero line."""
    fig = Figure(figsize=(7.2, 4.2))
    ax = fig.add_subplot()
    months = np.arange(1, plan.horizon_months + 1)
    ax.axhline(0.0, color="#999999", linewidth=0.8)
    for model in MODELS:
        ax.plot(months, plan.cumulative[model], color=MODEL_COLOURS[model], linewidth=2,
                label=model_name(model))
    ax.set_xlabel(money_text("chart_x", lang))
    ax.set_ylabel(money_text("chart_y", lang))
    ax.set_title(money_text("chart_title", lang))
    ax.legend(loc="best", fontsize="small")
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
    # no tight_layout: the PNG is cut to its contents when saved (charts.to_png), and long model
    # names from an edited framework must not make the layout warn
    return fig
