"""modelfit.plot: the report's figures from an answer, with a style a notebook can override;
Recommendation.to_frame: the contributions as a tidy table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from matplotlib.figure import Figure

import modelfit
from modelfit import plot
from modelfit.core.errors import ModelfitError
from modelfit.views import charts

from .conftest import PARAMS

DEMO = PARAMS / "demo.yaml"


@pytest.fixture(scope="module")
def answer() -> modelfit.Analysis:
    return modelfit.analyse(modelfit.load_profile(DEMO), model=None)


@pytest.fixture
def fresh_style() -> Iterator[None]:
    saved = dict(plot.STYLE)
    yield
    plot.STYLE.clear()
    plot.STYLE.update(saved)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in
            [*ax.get_yticklabels(), *ax.get_xticklabels(), ax.xaxis.label, ax.yaxis.label]]


@pytest.mark.parametrize("name", ["contributions", "scores", "radar", "acceptability",
                                  "stability", "cash"])
def test_every_figure_of_an_answer_is_a_figure(answer: modelfit.Analysis, name: str) -> None:
    """Each public figure takes the full answer and returns a matplotlib Figure with axes."""
    fig = getattr(plot, name)(answer)
    assert isinstance(fig, Figure)
    assert fig.axes


def test_the_recommendation_alone_draws_its_own_figures(answer: modelfit.Analysis) -> None:
    """contributions, scores and radar also take `modelfit.recommend`'s answer; the figures of
    robustness refuse it, naming what they need."""
    rec = answer.rec
    assert isinstance(plot.contributions(rec), Figure)
    with pytest.raises(ModelfitError, match=r"modelfit.plot.acceptability: needs the full answer "
                                            r"of modelfit.analyse, got Recommendation"):
        plot.acceptability(rec)  # type: ignore[arg-type]
    with pytest.raises(ModelfitError, match=r"expected what modelfit.analyse or modelfit."
                                            r"recommend returns, got dict"):
        plot.scores({"primary": "platform"})  # type: ignore[arg-type]


def test_a_figure_speaks_the_answers_language() -> None:
    """A Chinese answer gives Chinese labels (the framework's model names), as in the report."""
    fw = modelfit.Framework.load()
    rec = modelfit.recommend(modelfit.load_profile(DEMO), lang="zh")
    texts = _texts(plot.scores(rec))
    assert fw.model_name(rec.primary, "zh") in texts
    assert fw.model_name(rec.primary, "en") not in texts
    assert fw.model_name(rec.primary, "en") in _texts(plot.scores(rec, lang="en"))


def test_style_of_one_figure_and_of_the_notebook(answer: modelfit.Analysis,
                                                 fresh_style: None) -> None:
    """`style=` changes one figure; `STYLE.update` every later one; neither leaks into
    matplotlib's own defaults."""
    from matplotlib import rcParams

    before = rcParams["font.size"]
    base = plot.scores(answer).axes[0].xaxis.label.get_fontsize()
    big = plot.scores(answer, style={"axes.labelsize": 21}).axes[0].xaxis.label.get_fontsize()
    assert (base, big) == (10.0, 21.0)
    plot.STYLE.update({"axes.labelsize": 15})
    assert plot.scores(answer).axes[0].xaxis.label.get_fontsize() == 15.0
    assert rcParams["font.size"] == before


def test_bad_lang_is_refused(answer: modelfit.Analysis) -> None:
    """lang must be en or zh."""
    with pytest.raises(ModelfitError, match=r"lang must be one of en, zh, got 'fr'"):
        plot.radar(answer, lang="fr")


def test_framework_figures(answer: modelfit.Analysis) -> None:
    """weights and priors draw the framework itself."""
    assert isinstance(plot.weights(), Figure)
    assert isinstance(plot.priors(lang="zh"), Figure)


def test_the_report_and_the_public_figure_are_the_same_drawing(answer: modelfit.Analysis) -> None:
    """plot.contributions at the default style draws what the report draws
    (charts.contributions): the same PNG bytes."""
    fw = modelfit.Framework.load()
    report_png = charts.to_png(charts.contributions(answer.rec, fw, "en"))
    assert charts.to_png(plot.contributions(answer)) == report_png


def test_to_frame_is_tidy_and_sums_to_the_scores(answer: modelfit.Analysis) -> None:
    """One row per (model, term); each model's points sum to its score; ranking order."""
    table = answer.rec.to_frame()
    assert list(table.columns) == ["model", "term", "points"]
    assert list(dict.fromkeys(table["model"])) == list(answer.rec.ranking)
    sums = table.groupby("model")["points"].sum()
    for model, score in answer.rec.scores.items():
        assert sums[model] == pytest.approx(score)
    assert answer.to_frame().equals(table)
    assert not table.duplicated(["model", "term"]).any()
