"""The assessment shown: `modelfit assess` as text, the report's derivation tables, and the
blank questionnaire a client fills in (`modelfit questionnaire`)."""

from __future__ import annotations

import yaml

from modelfit.core.safe import markdown_template, markdown_text
from modelfit.core.vocab import BASE_CHANNELS, CATEGORIES, MARKETS, RATINGS, STAGES
from modelfit.decision.framework import Framework
from modelfit.inputs.assessment import Assessment
from modelfit.inputs.money import DEFINITIONS, MONEY_KEYS, definition
from modelfit.inputs.profile import FIELDS
from modelfit.inputs.rubric import Rubric, load_rubric, number_text


def format_assessment(result: Assessment, fw: Framework, lang: str = "en",
                      rubric: Rubric | None = None) -> str:
    """`modelfit assess` as text: each rating, where it came from, and each answer's points."""
    rubric = rubric or load_rubric()
    lines = [result.company_id, ""]
    for criterion, steps in result.derivation.items():
        lines.append(f"{fw.criterion_name(criterion, lang)}: {result.ratings[criterion]}"
                     f"  ({_origin(result, criterion, rubric, lang)})")
        for step in steps:
            q = rubric.questions[step.question]
            lines.append(f"  - {q.text[lang]}: {q.label(step.answer, lang)} → {step.points}")
    return "\n".join(lines)


def _origin(result: Assessment, criterion: str, rubric: Rubric, lang: str) -> str:
    stated, derived = result.stated[criterion], result.derived[criterion]
    if stated is None:
        return rubric.text("origin_derived", lang, n=len(result.derivation[criterion]))
    if derived is None:
        return rubric.text("origin_stated_only", lang)
    return rubric.text("origin_stated", lang, derived=derived)


def summary_rows(result: Assessment, fw: Framework, lang: str,
                 rubric: Rubric | None = None) -> dict[str, dict[str, str]]:
    """Per criterion (display name): stated rating, rating from the answers, the one used."""
    rubric = rubric or load_rubric()
    rows: dict[str, dict[str, str]] = {}
    for criterion in result.derivation:
        stated, derived = result.stated[criterion], result.derived[criterion]
        rows[fw.criterion_name(criterion, lang)] = {
            rubric.text("stated", lang): rubric.text("not_stated", lang) if stated is None
            else f"{stated} / 5",
            rubric.text("derived", lang): rubric.text("too_few", lang) if derived is None
            else f"{derived} / 5",
            rubric.text("used", lang): f"{stated if stated is not None else derived} / 5",
            rubric.text("answered", lang): f"{len(result.derivation[criterion])}",
        }
    return rows


def derivation_markdown(result: Assessment, fw: Framework, lang: str,
                        rubric: Rubric | None = None) -> str:
    """The rule, each criterion's answers with their points, and every disagreement, as markdown.

    Answers are the profile's data: option labels come from the rubric, and numbers are numbers;
    nothing from the profile reaches the markdown unescaped.
    """
    rubric = rubric or load_rubric()
    # The rubric's texts (an edited rubric is the user's file) keep emphasis and nothing else
    # live: a Markdown table or heading in one of them is shown as the text it is.
    parts = [markdown_template(rubric.text("intro", lang, version=rubric.version))]
    for criterion, steps in result.derivation.items():
        if not steps:
            continue
        parts.append(f"\n**{_md(fw.criterion_name(criterion, lang))}**\n")
        parts.append(f"| {_md(rubric.text('question', lang))} | {_md(rubric.text('answer', lang))} "
                     f"| {_md(rubric.text('points', lang))} |\n|---|---|---:|")
        for step in steps:
            q = rubric.questions[step.question]
            parts.append(f"| {_md(q.text[lang])} | {_md(q.label(step.answer, lang))} | "
                         f"{step.points} / {rubric.points_max} |")
    for criterion in result.derivation:
        stated, derived = result.stated[criterion], result.derived[criterion]
        if stated is not None and derived is not None and abs(stated - derived) >= rubric.warn_gap:
            parts.append("\n> " + markdown_template(rubric.text(
                "differs", lang, criterion=fw.criterion_name(criterion, lang), stated=stated,
                derived=derived)))
    return "\n".join(parts)


def _md(text: str) -> str:
    """Text safe inside a markdown table cell: nothing in it is live (modelfit.core.safe)."""
    return markdown_text(text)


# --- the blank questionnaire -------------------------------------------------------------------
def questionnaire(fw: Framework, lang: str = "en", rubric: Rubric | None = None) -> str:
    """A blank, commented profile a client fills in: fields, then every question with its options.

    Loaded as it is, it names what is still missing; filled in, it is a valid profile whose
    ratings are derived from the answers.
    """
    rubric = rubric or load_rubric()
    lines = [f"# {rubric.text('questionnaire_head', lang)}",
             f"# rubric {rubric.version}, framework {fw.version}", ""]
    for spec in FIELDS:
        if spec.name in RATINGS:
            continue
        name = _field_title(fw, spec.name, lang)
        allowed = spec.allowed if lang == "en" else _allowed_zh(spec.allowed)
        options = choices(spec.name, fw, lang)
        if lang == "zh" and options:  # each value glossed in Chinese: 取值 startup = 初创期（0-1）
            allowed = "取值 " + "、".join(f"{value} = {label}" for label, value in options)
        if spec.default is None:
            lines += [f"# {name}：{allowed}" if lang == "zh" else f"# {name}: {allowed}",
                      f"{spec.name}:"]
        else:
            default = yaml.safe_dump(spec.default, default_flow_style=True).strip()
            default = default.removesuffix("...").strip()
            lines.append(f"# {name}：{allowed}" if lang == "zh" else f"# {name}: {allowed}")
            if spec.name in DEFINITIONS:
                lines.append(f"#   {definition(spec.name, lang)}")
            lines.append(f"{spec.name}: {default}")
    # The money inputs beside the fields: optional, left commented out.
    colon = "：" if lang == "zh" else ": "
    lines += [""] + [f"# {name}{colon}{definition(name, lang)}" for name in MONEY_KEYS]
    lines += ["# product_cost_pct:", "# cash_usd:", "# current:", "#   platform:",
              "#     monthly_orders:", "#     ad_spend_usd:", "#     fees_usd:"]
    lines += ["", f"# {rubric.text('questionnaire_ratings', lang, min_answers=rubric.min_answers)}"]
    lines += [f"# {c}:    # {fw.criterion_name(c, lang)}, 1–5" for c in RATINGS]
    lines += ["", f"# {rubric.text('questionnaire_answers', lang)}", "assessment:"]
    for criterion, questions in rubric.criteria.items():
        lines += ["", f"  # == {fw.criterion_name(criterion, lang)} ({criterion}) =="]
        for q in questions:
            lines.append(f"  # {q.text[lang]}")
            if q.options is not None:
                lines.append(f"  #   {rubric.text('options', lang)}:")
                lines += [f"  #   - {o.value}: {o.label[lang]}" for o in q.options]
            else:
                key = "larger_stronger" if q.ascending else "smaller_stronger"
                lines.append("  #   " + rubric.text("number", lang, min=number_text(q.min),
                                                      max=number_text(q.max),
                                                      direction=rubric.text(key, lang)))
            lines.append(f"  {q.id}:")
    return "\n".join(lines) + "\n"


def choices(name: str, fw: Framework, lang: str) -> list[tuple[str, str]]:
    """(label, value) of a profile field's allowed answers, in `lang`; empty for free answers."""
    labels = fw.raw["labels"][lang]
    if name == "stage":
        return [(fw.stage_name(s, lang), s) for s in STAGES]
    if name == "category":
        return [(fw.label(f"cat_{c}", lang), c) for c in CATEGORIES]
    if name == "target_markets":
        return [(str(labels.get(f"mkt_{m}", m)), m) for m in MARKETS]
    if name == "existing_channels":
        return [(fw.channel_label(c, lang), c) for c in BASE_CHANNELS]
    if name in RATINGS:
        return [(str(i), str(i)) for i in range(1, 6)]
    return []


def _field_title(fw: Framework, name: str, lang: str) -> str:
    try:
        return fw.label(f"f_{name}", lang)
    except KeyError:  # a field without a label shows its id
        return name


def _allowed_zh(allowed: str) -> str:
    """A field's `allowed` text in Chinese (the values themselves stay as written)."""
    for en, zh in (("a non-empty list of ", "非空列表,取值 "), ("a list of ", "列表,取值 "),
                   ("one of ", "取值 "), ("an integer from ", "整数 "), ("a number from ", "数字 "),
                   ("a non-empty string of at most 200 characters", "不超过 200 字的名称")):
        if allowed.startswith(en):
            return zh + allowed[len(en):].replace(" to ", " 到 ")
    return allowed


