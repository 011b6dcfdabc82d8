"""The report's figures as public functions of an answer: `modelfit.plot.contributions(answer)`.

Each function takes what `modelfit.analyse` returns (an `Analysis`; the charts of the
recommendation alone also take what `modelfit.recommend` returns) and returns a
`matplotlib.figure.Figure`, drawn by the same code as the report's figures
(`modelfit.views.charts`, `modelfit.views.robustness`), in the answer's language unless `lang`
is given. A notebook shows one by leaving it as a cell's last value.

    contributions(answer)  each model's score built up from the stage prior, term by term
    scores(answer)         the scores, best first
    radar(answer)          the four ratings against what each model leans on
    acceptability(answer)  how often each model ranks 1st..4th (needs an Analysis)
    stability(answer)      each weight's range that keeps the primary (needs an Analysis)
    cash(answer)           each model's cumulative cash, month by month (needs an Analysis)
    weights(framework)     the framework's weights; priors(framework): its stage priors

Style: `STYLE` holds matplotlib rcParams that apply while a figure is built (sizes of text and
lines, the figure's resolution on screen). A notebook changes them for every later figure with
`modelfit.plot.STYLE.update({"font.size": 12})`, or for one figure with
`contributions(answer, style={"font.size": 12})`; `style` wins over `STYLE`. Fonts for Chinese
are chosen by language, as in the report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from matplotlib import rc_context

from modelfit.analysis import Analysis
from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import LANGUAGES
from modelfit.decision.framework import Framework
from modelfit.decision.recommend import Recommendation
from modelfit.views import charts
from modelfit.views import robustness as robustness_views

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The report's look: matplotlib's defaults for text and lines, the report's resolution.
DEFAULT_STYLE: dict[str, Any] = {
    "figure.dpi": charts.DPI,
    "font.size": 10.0,
    "axes.titlesize": "large",
    "axes.labelsize": "medium",
    "xtick.labelsize": "medium",
    "ytick.labelsize": "medium",
    "lines.linewidth": 1.5,
}
STYLE: dict[str, Any] = dict(DEFAULT_STYLE)  # a notebook may update it (module docstring)


def contributions(answer: Analysis | Recommendation, *, lang: str | None = None,
                  framework: Framework | None = None,
                  style: Mapping[str, Any] | None = None) -> Figure:
    """Each model's score built up from the stage prior: criteria add (solid) or take away
    (hatched) points, a screen takes its penalty; the black tick is the score."""
    return _draw(lambda rec, fw, lg: charts.contributions(rec, fw, lg), answer, lang, framework,
                 style)


def scores(answer: Analysis | Recommendation, *, lang: str | None = None,
           framework: Framework | None = None, style: Mapping[str, Any] | None = None) -> Figure:
    """The scores (0-100) per model, best first, the primary in full colour."""
    return _draw(lambda rec, fw, lg: charts.score_bars(rec, fw, lg), answer, lang, framework,
                 style)


def radar(answer: Analysis | Recommendation, *, lang: str | None = None,
          framework: Framework | None = None, style: Mapping[str, Any] | None = None) -> Figure:
    """The company's four ratings against how strongly each model leans on each capability."""
    return _draw(lambda rec, fw, lg: charts.radar(rec, fw, lg), answer, lang, framework, style)


def acceptability(answer: Analysis, *, lang: str | None = None,
                  framework: Framework | None = None,
                  style: Mapping[str, Any] | None = None) -> Figure:
    """Stacked bars: the share of weight samples in which each model ranks 1st..4th."""
    analysis = _analysis(answer, "acceptability")
    return _draw(lambda _rec, fw, lg: robustness_views.plot_acceptability(
        analysis.robustness, fw, lg), answer, lang, framework, style)


def stability(answer: Analysis, *, lang: str | None = None, framework: Framework | None = None,
              style: Mapping[str, Any] | None = None) -> Figure:
    """Per criterion, the range of its weight (a multiple of the framework's) that keeps the
    primary; the dot is the framework's own weight."""
    analysis = _analysis(answer, "stability")
    return _draw(lambda _rec, fw, lg: robustness_views.plot_stability(
        analysis.robustness, fw, lg), answer, lang, framework, style)


def cash(answer: Analysis, *, lang: str | None = None, framework: Framework | None = None,
         style: Mapping[str, Any] | None = None) -> Figure:
    """Each model's cumulative cash, month by month, with the zero line (the money plan)."""
    analysis = _analysis(answer, "cash")
    plan = analysis.economics
    if plan is None:  # pragma: no cover - analyse always costs the plan
        raise ModelfitError("cash: this answer has no money plan")
    return _draw(lambda _rec, fw, lg: charts.plot_cumulative(
        plan, lambda m: fw.model_name(m, lg), lg), answer, lang, framework, style)


def weights(framework: Framework | None = None, *, lang: str = "en",
            style: Mapping[str, Any] | None = None) -> Figure:
    """The framework's weights, criterion by model, annotated with their points."""
    fw = framework or Framework.load()
    _check_lang(lang)
    with rc_context(_style(style)):
        fig = charts.weights_heatmap(fw, lang)
    charts.figure_lang(lang)
    return fig


def priors(framework: Framework | None = None, *, lang: str = "en",
           style: Mapping[str, Any] | None = None) -> Figure:
    """The stage priors: each model's score for an average company at each stage."""
    fw = framework or Framework.load()
    _check_lang(lang)
    with rc_context(_style(style)):
        fig = charts.priors_chart(fw, lang)
    charts.figure_lang(lang)
    return fig


def _draw(
    make: Callable[[Recommendation, Framework, str], Figure], answer: Analysis | Recommendation,
    lang: str | None, framework: Framework | None, style: Mapping[str, Any] | None,
) -> Figure:
    rec = _recommendation(answer)
    lang = rec.lang if lang is None else lang
    _check_lang(lang)
    fw = framework or Framework.load()
    with rc_context(_style(style)):
        fig = make(rec, fw, lang)
    # rc_context puts the fonts back on leaving; text is drawn later, in the answer's language
    charts.figure_lang(lang)
    return fig


def _style(style: Mapping[str, Any] | None) -> Any:  # rcParams keys, checked by matplotlib
    return {**STYLE, **(style or {})}


def _recommendation(answer: Any) -> Recommendation:
    if isinstance(answer, Analysis):
        return answer.rec
    if isinstance(answer, Recommendation):
        return answer
    raise ModelfitError("modelfit.plot: expected what modelfit.analyse or modelfit.recommend "
                        f"returns, got {type(answer).__name__}")


def _analysis(answer: Any, name: str) -> Analysis:
    if not isinstance(answer, Analysis):
        raise ModelfitError(f"modelfit.plot.{name}: needs the full answer of modelfit.analyse, "
                            f"got {type(answer).__name__}")
    return answer


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ModelfitError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
