"""How sure the answer is, in words, tables and figures: the close-call sentence, decision
entropy, SMAA-2's winning indices and central weights, the acceptability bars and the stability
intervals of `modelfit.decision.robustness`'s result."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import LANGUAGES
from modelfit.decision.framework import Framework
from modelfit.decision.numbers import signed_points
from modelfit.decision.robustness import CLOSE_CONFIDENCE, CLOSE_MARGIN, Robustness, is_too_close
from modelfit.views.charts import MODEL_COLOURS, figure_lang


def too_close_to_call(
    result: Robustness, framework: Framework | None = None, lang: str = "en", *,
    min_confidence: float = CLOSE_CONFIDENCE, min_margin: float = CLOSE_MARGIN,
) -> str | None:
    """The 'too close to call' sentence in `lang` when `is_too_close`, else None."""
    _check_lang(lang)
    if not is_too_close(result, min_confidence=min_confidence, min_margin=min_margin):
        return None
    fw = framework or Framework.load()
    return fw.text("report.close_call", lang, primary=fw.model_name(result.primary, lang),
                   second=fw.model_name(result.challenger, lang))


def confidence_sentence(
    result: Robustness, framework: Framework | None = None, lang: str = "en", *,
    min_confidence: float = CLOSE_CONFIDENCE, min_margin: float = CLOSE_MARGIN,
) -> str:
    """One sentence for a report: the close-call warning, or how often the primary stays first;
    when rules, not the scores, hold the primary first, which rules and how often it leads on
    scores alone (never a bare 100%)."""
    close = too_close_to_call(result, framework, lang, min_confidence=min_confidence,
                              min_margin=min_margin)
    fw = framework or Framework.load()
    held = held_sentence(result, fw, lang)
    if close is not None:
        return close if held is None else close + ("" if lang == "zh" else " ") + held
    if held is not None:
        return held
    return fw.text("report.confident", lang, primary=fw.model_name(result.primary, lang),
                   confidence=f"{100 * result.confidence:.0f}%")


def held_sentence(result: Robustness, fw: Framework, lang: str = "en") -> str | None:
    """"A rule, not the scores, puts it first: a start-up's core is the platform ...; on scores
    alone the own site leads in 55% of scenarios", or None when the scores alone decide (the
    rules' ids are in `robustness.held_by`, not in the client's sentence)."""
    if not result.held_by:
        return None
    sep = "; " if lang == "en" else "；"
    whys = []
    for rule in result.held_by:
        screen = next((s for s in fw.screens if s.id == rule), None)
        if screen is not None:
            rating = result.ratings.get(screen.criterion, "") if screen.criterion else ""
            whys.append(fw.text(f"screen.{rule}", lang, rating=rating,
                                penalty=signed_points(-float(screen.penalty), lang)))
        else:
            whys.append(fw.text(f"held_why.{rule}", lang))
    share = f"{100 * result.score_confidence:.0f}%"
    leader = result.leader
    if leader == result.primary:
        return fw.text("report.held_scores", lang, why=sep.join(whys),
                       primary=fw.model_name(result.primary, lang), share=share)
    leader_share = result.score_share.get(leader, 1.0 - result.score_confidence)
    return fw.text("report.held", lang, why=sep.join(whys),
                   leader=fw.model_name(leader, lang), share=f"{100 * leader_share:.0f}%")


def entropy_sentence(result: Robustness, framework: Framework | None = None, lang: str = "en",
                     ) -> str:
    """The decision entropy of the first place and of the whole ranking, in bits, in `lang`."""
    _check_lang(lang)
    fw = framework or Framework.load()
    return fw.text("client.entropy", lang, choice=f"{result.entropy['choice']:.2f}",
                   ranking=f"{result.entropy['ranking']:.2f}")


def winning_table(result: Robustness, framework: Framework | None = None, lang: str = "en",
                  ) -> pd.DataFrame:
    """SMAA-2's pairwise winning indices (%): row model ranks above column model; ranking order."""
    _check_lang(lang)
    fw = framework or Framework.load()
    names = [fw.model_name(m, lang, short=True) for m in result.ranking]
    return pd.DataFrame(
        [["–" if a == b else f"{100 * result.winning[a][b]:.1f}%" for b in result.ranking]
         for a in result.ranking], index=names, columns=names)


def central_weights_table(result: Robustness, framework: Framework | None = None,
                          lang: str = "en") -> pd.DataFrame:
    """Each model's central weights as multipliers of the framework weight ("–" if it never
    comes first); models in ranking order, criteria as columns."""
    _check_lang(lang)
    fw = framework or Framework.load()
    c = len(result.criteria)
    rows = []
    for m in result.ranking:
        w = result.central_weights[m]
        rows.append(["–"] * c if w is None else [f"{c * x:.2f}×" for x in w])
    return pd.DataFrame(rows, index=[fw.model_name(m, lang) for m in result.ranking],
                        columns=[fw.criterion_name(k, lang) for k in result.criteria])


def plot_acceptability(
    result: Robustness, framework: Framework | None = None, lang: str = "en",
) -> Figure:
    """Stacked bars: for each model, the share of weight samples in which it ranks 1st..Mth."""
    _check_lang(lang)
    fw = framework or Framework.load()
    lang = figure_lang(lang)
    models = list(result.ranking)[::-1]
    fig = Figure(figsize=(6.8, 3.0))
    ax = fig.add_subplot()
    n_ranks = len(result.models)
    shades = [f"#{v:02x}{v:02x}{v:02x}" for v in np.linspace(40, 215, n_ranks).astype(int)]
    left = np.zeros(len(models))
    for r in range(n_ranks):
        share = np.array([result.acceptability[m][r] for m in models])
        ax.barh([fw.model_name(m, lang) for m in models], share, left=left, color=shades[r],
                edgecolor="white", linewidth=0.5, label=f"{_label(fw, 'rank', lang)} {r + 1}")
        left += share
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
    ax.set_xlabel(_label(fw, "share_of_scenarios", lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=n_ranks, fontsize=8,
              frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_stability(
    result: Robustness, framework: Framework | None = None, lang: str = "en",
) -> Figure:
    """For each criterion, the range of its weight (as a multiple of the framework's weight)
    within which the primary stays primary; the dot is the framework's weight (1x)."""
    _check_lang(lang)
    fw = framework or Framework.load()
    lang = figure_lang(lang)
    crits = list(result.criteria)[::-1]
    spans = result.stability_multiplier
    top = float(len(result.criteria))
    fig = Figure(figsize=(6.8, 2.8))
    ax = fig.add_subplot()
    colour = MODEL_COLOURS.get(result.primary, "#444444")
    for y, crit in enumerate(crits):
        lo, hi = spans[crit]
        ax.plot([lo, hi], [y, y], color=colour, linewidth=6, solid_capstyle="butt")
        ax.plot([1.0], [y], "o", color="black", markersize=6)
        ax.text(min(hi, top) + 0.05, y, f"{lo:.2f}×–{hi:.2f}×", va="center", fontsize=8)
    ax.set_yticks(range(len(crits)), [fw.criterion_name(c, lang) for c in crits])
    ax.set_xlim(0, top + 0.8)
    ax.axvline(1.0, color="#999999", linewidth=0.8, linestyle=":")
    ax.set_xlabel(_label(fw, "weight_multiplier", lang))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _label(fw: Framework, key: str, lang: str) -> str:
    return fw.label(key, lang)


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ModelfitError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
