"""The answer for a terminal: `modelfit recommend`'s plain-text output (the command line escapes
each line with `modelfit.core.safe.terminal_text` before printing it)."""

from __future__ import annotations

import unicodedata

from modelfit.analysis import Analysis
from modelfit.decision.framework import Framework
from modelfit.decision.recommend import Recommendation, channel_name
from modelfit.views.opinion_why import why_disagree
from modelfit.views.report_robustness import protected


def format_summary(rec: Recommendation, fw: Framework) -> str:
    """A readable terminal summary: scores, ranking, channels and why."""
    lang = rec.lang

    def name(model: str) -> str:
        return fw.model_name(model, lang)

    width = max(_display_width(name(m)) for m in rec.ranking)
    lines = [
        f"{rec.company} ({fw.stage_name(rec.stage, lang)})",
        "",
        f"{fw.label('primary', lang)}: {name(rec.primary)}",
        f"{fw.label('channels', lang)}: "
        + " → ".join(channel_name(fw, d, lang) for d in rec.channel_details
                     if d.role in ("core", "auxiliary")),
    ]
    colon = ": " if lang == "en" else "："
    for d in rec.channel_details:
        if d.role in ("next_step", "wind_down"):
            role = fw.label(d.role, lang)
            role = role[:1].upper() + role[1:]  # a line's label: "Next step", "Wind down"
            lines.append(f"{role}{colon}{channel_name(fw, d, lang)}"
                         f"{' — ' if lang == 'en' else '——'}{d.reason or ''}")
    lines += [
        "",
        f"{fw.label('scores', lang)}:",
    ]
    for i, model in enumerate(rec.ranking, 1):
        score = rec.scores[model]
        bar = "█" * round(score / 5)
        pad = " " * (width - _display_width(name(model)))
        lines.append(f"  {i}. {name(model)}{pad}  {score:5.1f}  {bar}")
    lines += ["", f"{fw.label('why', lang)}:"]
    lines += [f"  - {r.text}" for r in rec.rationale]
    if rec.plan_notes:
        lines += ["", f"{fw.label('h_plan_notes', lang)}:"]
        lines += [f"  - {n.text}" for n in rec.plan_notes]
    return "\n".join(lines)


def format_robustness(result: Analysis, fw: Framework) -> str:
    """How sure the answer is, what would flip it, and the classifier's view, for a terminal."""
    from modelfit.views.robustness import confidence_sentence

    lang = result.rec.lang
    rob = result.robustness
    lines = ["", f"{fw.label('h_robustness', lang)}:", f"  {confidence_sentence(rob, fw, lang)}"]
    if rob.flips:
        lines += [f"  {fw.label('h_build', lang)}:"]
        lines += [f"  - {flip.describe(fw, lang)}" for flip in rob.flips]
    risks = protected(rob.risks, result.rec.ratings)
    if risks:
        lines += [f"  {fw.label('h_protect', lang)}:"]
        lines += [f"  - {risk.describe(fw, lang, key='risk')}" for risk in risks]
    lines += ["", f"{fw.label('h_second_opinion', lang)}:"]
    if result.classifier is None:
        lines.append(f"  {fw.text('report.no_classifier', lang)}")
    else:
        primary = result.classifier.primary
        probability = f"{100 * result.classifier.probabilities[primary]:.0f}%"
        key = "classifier_agrees" if primary == result.rec.primary else "classifier_disagrees"
        lines.append("  " + fw.text(f"report.{key}", lang, primary=fw.model_name(primary, lang),
                                    probability=probability,
                                    framework=fw.model_name(result.rec.primary, lang)))
        lines += [f"  {line}" for line in why_disagree(result, fw, lang)]
    if result.client is not None:
        lines += ["", f"{fw.text('client.heading', lang)}:", f"  {result.client.summary(fw, lang)}"]
    return "\n".join(lines)


def _display_width(text: str) -> int:
    """Terminal columns of `text`: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
