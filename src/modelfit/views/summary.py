"""The one-page summary that opens a report: the plan, how sure it is, three next steps and the
headline figures the later sections develop.

Everything here is derived from the company's `Analysis` (nothing is computed twice in another
way): the plan is the recommendation's channels, "how sure" combines the weight-scenario
confidence, the close-call rule and the classifier's view, the steps come from the core
channel's operating points, the capability roadmap and the next stage (or, for a close call, a
test of the challenger), and each headline figure names the section that develops it.
All words come from the framework file (`texts.report.summary_*`, `labels`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modelfit.analysis import Analysis
from modelfit.decision.framework import Framework
from modelfit.decision.numbers import number, signed_points
from modelfit.decision.recommend import ChannelDetail, Recommendation, channel_name, recommend
from modelfit.decision.robustness import Robustness, is_too_close
from modelfit.inputs.profile import Profile
from modelfit.outcome.plan_text import label as money_label
from modelfit.views.robustness import confidence_sentence

TARGET_RATING = 4  # the roadmap's target for a capability the next stage's plan leans on


@dataclass(frozen=True)
class PlanLine:
    """One channel of the plan: its role (core or auxiliary), display name and purpose."""

    role: str
    channel: str
    purpose: str


@dataclass(frozen=True)
class Figure:
    """A headline figure: what it is, its value as shown, and the section that develops it."""

    label: str
    value: str
    section: str


@dataclass(frozen=True)
class Gain:
    """A capability below the target rating that the (next stage's) plan leans on."""

    criterion: str
    now: int
    points: float  # rounded to 0.1: the score the plan would gain at the target rating


@dataclass(frozen=True)
class Summary:
    """The summary page's content, in the report's language."""

    primary: str  # the recommended model's display name
    plan: tuple[PlanLine, ...]
    level: str  # high / medium / low
    sureness: tuple[str, ...]
    steps: tuple[str, str, str]
    figures: tuple[Figure, ...]
    warning: str | None = None  # the money plan's most important warning, if any

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for workbooks and tests)."""
        return {
            "primary": self.primary,
            "plan": [vars(p) for p in self.plan],
            "level": self.level,
            "sureness": list(self.sureness),
            "steps": list(self.steps),
            "figures": [vars(f) for f in self.figures],
            "warning": self.warning,
        }


def points(value: float, lang: str) -> str:
    """A number of points to one decimal, without a trailing `.0` (70 分, not 70.0 分)."""
    return number(value)


def roadmap_gains(analysis: Analysis, profile: Profile, fw: Framework, lang: str) -> list[Gain]:
    """Capabilities below 4 that the next stage's plan leans on, most points first (ties: the
    framework's criterion order). At the last stage, today's plan."""
    rec = analysis.rec
    stage = fw.next_stage(rec.stage) or rec.stage
    future = recommend(profile.model_copy(update={"stage": stage}), fw, lang)
    m = fw.models.index(future.primary)
    gains = []
    for c, crit in enumerate(fw.criteria):
        weight = float(fw.weights[c, m])
        now = int(rec.ratings[crit])
        if weight > 0 and now < TARGET_RATING:
            gains.append(Gain(crit, now, round(weight * (TARGET_RATING - now) / 2, 1)))
    return sorted(gains, key=lambda g: -g.points)


def sureness_level(analysis: Analysis) -> str:
    """high / medium / low, on the one scale of the report, the portfolio and the JSON
    (`modelfit.decision.robustness.sureness`)."""
    return analysis.level


def summarise(analysis: Analysis, profile: Profile, fw: Framework, lang: str) -> Summary:
    """The summary page of one company's report."""
    rec = analysis.rec
    rob = analysis.robustness

    def name(model: str) -> str:
        return fw.model_name(model, lang)

    # The plan's channels as the recommendation names them: a distribution entry by its kind
    # (dropshipping, small-B buyers, overseas distributors).
    plan = tuple(
        PlanLine(_label(fw, d.role, lang), channel_name(fw, d, lang),
                 d.reason if d.role in ("next_step", "wind_down") and d.reason
                 else fw.kind_role(d.kind, lang) if d.kind is not None
                 else fw.model_info(d.channel, "role", lang))
        for d in rec.channel_details)

    sureness = [confidence_sentence(rob, fw, lang)]
    opinion = analysis.classifier
    if opinion is not None:
        pick = opinion.primary
        key = "classifier_agrees" if pick == rec.primary else "classifier_disagrees"
        sureness.append(_text(fw, f"report.{key}", lang, primary=name(pick),
                                probability=f"{100 * opinion.probabilities[pick]:.0f}%",
                                framework=name(rec.primary)))

    gains = roadmap_gains(analysis, profile, fw, lang)
    nxt = fw.next_stage(rec.stage)
    future = recommend(profile.model_copy(update={"stage": nxt}), fw, lang) if nxt else None
    later = [d for d in rec.channel_details if d.role == "next_step"]
    steps = (_core_step(rec, fw, lang),
             _later_step(later[0], fw, lang) if later else
             _build_step(gains, nxt or rec.stage, future.primary if future else rec.primary,
                         fw, lang),
             _decide_step(analysis, nxt, future.primary if future else None, fw, lang))

    figures = [
        Figure(_label(fw, "sum_score", lang), f"{points(rec.scores[rec.primary], lang)} / 100",
               _label(fw, "h_recommendation", lang)),
        Figure(_text(fw, "report.summary_lead", lang, second=name(rob.ranking[1])),
               lead_text(rob, fw, lang), _label(fw, "h_recommendation", lang)),
        Figure(_label(fw, "sum_confidence", lang), f"{100 * rob.confidence:.0f}%",
               _label(fw, "h_robustness", lang)),
    ]
    if rob.held_by:  # a rule holds the answer: the share it would have on scores alone too
        figures.append(Figure(_label(fw, "sum_by_scores", lang),
                              f"{100 * rob.score_confidence:.0f}%", _label(fw, "h_robustness", lang)))
    if opinion is not None:
        pick = opinion.primary
        figures.append(Figure(_label(fw, "sum_classifier", lang),
                              f"{name(pick)} {100 * opinion.probabilities[pick]:.0f}%",
                              _label(fw, "h_second_opinion", lang)))
    if future is not None and nxt is not None:
        figures.append(Figure(_text(fw, "report.summary_next_primary", lang,
                                      stage=fw.stage_name(nxt, lang)),
                              name(future.primary), _label(fw, "h_roadmap", lang)))
    money = analysis.economics
    warning = str(money.warnings[0]["text"]) if money is not None and money.warnings else None
    return Summary(primary=name(rec.primary), plan=plan, level=sureness_level(analysis),
                   sureness=tuple(sureness), steps=steps, figures=tuple(figures),
                   warning=warning)


def lead_text(rob: Robustness, fw: Framework, lang: str) -> str:
    """The lead over the runner-up as the summary shows it: points, or the rules that hold it
    (never `inf` or a negative lead)."""
    margin = rob.margin
    if rob.held_by or margin is None or margin < 0:
        return _label(fw, "lead_held", lang)
    return _text(fw, "report.summary_point" if points(margin, lang) == "1"
                 else "report.summary_points", lang, points=points(margin, lang))


def _names(fw: Framework, details: list[ChannelDetail], lang: str) -> str:
    names = [channel_name(fw, d, lang) for d in details]
    if lang == "zh":
        return "、".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _core_step(rec: Recommendation, fw: Framework, lang: str) -> str:
    """What to do with the plan's channels now: keep what runs, add what is new, wind down."""
    details = list(rec.channel_details)
    core_detail = details[0]
    core = core_detail.channel
    o_points = fw.o_points(core, lang) if core in ("platform", "independent_site") else []
    point = o_points[0] if o_points else ""
    running = set(rec.running)
    key = "report.summary_step_keep_core" if core in running else "report.summary_step_core"
    parts = [_text(fw, key, lang, core=channel_name(fw, core_detail, lang), point="").strip()]
    added = [d for d in details[1:] if d.role == "auxiliary" and d.channel not in running]
    kept = [d for d in details[1:] if d.role == "auxiliary" and d.channel in running]
    if added:
        parts.append(_text(fw, "report.summary_step_add", lang, channels=_names(fw, added, lang)))
    if kept:
        parts.append(_text(fw, "report.summary_step_keep", lang, channels=_names(fw, kept, lang)))
    for d in details:
        if d.role == "wind_down":
            parts.append(_text(fw, "report.summary_step_wind_down", lang,
                               channels=channel_name(fw, d, lang), reason=d.reason or ""))
    if point:
        parts.append(point)
    return ("" if lang == "zh" else " ").join(parts)


def _later_step(detail: ChannelDetail, fw: Framework, lang: str) -> str:
    """The plan's next step with its trigger."""
    return _text(fw, "report.summary_step_later", lang, channel=channel_name(fw, detail, lang),
                 reason=detail.reason or "")


def _build_step(gains: list[Gain], stage: str, primary: str, fw: Framework, lang: str) -> str:
    if not gains:
        return _text(fw, "report.roadmap_none", lang)
    top = gains[0]
    return _text(fw, "report.summary_step_build", lang,
                   capability=fw.criterion_name(top.criterion, lang), now=str(top.now),
                   target=str(TARGET_RATING), points=signed_points(top.points, lang),
                   primary=fw.model_name(primary, lang), stage=fw.stage_name(stage, lang))


def _decide_step(
    analysis: Analysis, nxt: str | None, future_primary: str | None, fw: Framework, lang: str,
) -> str:
    rec, rob = analysis.rec, analysis.robustness
    opinion = analysis.classifier
    challenger = None
    if is_too_close(rob):
        challenger = rob.challenger
    elif opinion is not None and opinion.primary != rec.primary:
        challenger = opinion.primary
    if challenger is not None:
        # A test on a small budget only of what the company does not already run.
        needs = set(fw.plans[challenger][rec.stage])
        key = ("report.summary_step_watch" if needs <= set(rec.running) | set(rec.channels)
               else "report.summary_step_test")
        return _text(fw, key, lang, challenger=fw.model_name(challenger, lang),
                     primary=fw.model_name(rec.primary, lang))
    if nxt is None or future_primary is None:
        return _text(fw, "report.summary_step_last", lang)
    return _text(fw, "report.summary_step_next", lang, stage=fw.stage_name(nxt, lang),
                   primary=fw.model_name(future_primary, lang))


def _text(fw: Framework, key: str, lang: str, **values: Any) -> str:
    return fw.text(key, lang, **values)


def _label(fw: Framework, key: str, lang: str) -> str:
    return fw.label(key, lang)


# --- display (escaped at the boundary: every text from the framework file is data) -------------
def plan_markdown(s: Summary, fw: Framework, lang: str) -> str:
    """The plan and how sure, as Markdown: two short labelled blocks."""
    from modelfit.core.safe import markdown_template, markdown_text

    zh = lang == "zh"
    colon, dash, stop, space = ("：", "——", "。", "") if zh else (": ", " — ", ".", " ")
    lines = [f"**{markdown_text(_label(fw, 'sum_plan', lang))}{colon}{markdown_text(s.primary)}**",
             ""]
    for p in s.plan:
        role = f"（{markdown_text(p.role)}）" if zh else f" ({markdown_text(p.role)})"
        lines.append(f"- **{markdown_text(p.channel)}**{role}{dash}{markdown_text(p.purpose)}")
    level = markdown_text(_label(fw, f"sure_{s.level}", lang))
    if s.warning is not None:
        # the colon after the bold: CommonMark does not close ** between "：" and a CJK letter
        lines += ["", f"**{markdown_text(money_label('money_check', lang))}**{colon}"
                      f"{markdown_text(s.warning)}"]
    lines += ["", f"**{markdown_text(_label(fw, 'sum_how_sure', lang))}{colon}{level}{stop}**",
              "", space.join(markdown_template(t) for t in s.sureness)]
    return "\n".join(lines)


def steps_markdown(s: Summary, fw: Framework, lang: str) -> str:
    """The three next steps as a numbered list under their label."""
    from modelfit.core.safe import markdown_template, markdown_text

    lines = [f"**{markdown_text(_label(fw, 'sum_steps', lang))}**", ""]
    lines += [f"{i}. {markdown_template(step)}" for i, step in enumerate(s.steps, 1)]
    return "\n".join(lines)


def figures_table(s: Summary, fw: Framework, lang: str) -> Any:
    """The headline figures as a table (figure → value, section); pandas escapes its cells."""
    import pandas as pd

    return pd.DataFrame(
        {_label(fw, "value", lang): [f.value for f in s.figures],
         _label(fw, "sum_section", lang): [f.section for f in s.figures]},
        index=pd.Index([f.label for f in s.figures], name=_label(fw, "sum_figure", lang)),
    )
