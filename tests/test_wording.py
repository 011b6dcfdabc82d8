"""The wording lint (modelfit.core.wording, docs/style-zh.md): every client-facing string the
tool renders, in English and in Chinese, is checked for what a consultant would not sign: inf or
nan, ASCII punctuation in Chinese, doubled colons, English ids or field names inside Chinese,
a term outside the glossary, a model named as a channel, method names outside the method
appendix, rule ids inside client sentences, a trailing .0.

What it renders: every text and label of the framework file (filled with sample values), every
rationale line, plan note and F-note over the whole space of stage x ratings x running channels,
every section of the report of every example company, the summary, the money plan's texts and
the assessment questionnaire's questions, options and headings.
"""

from __future__ import annotations

import collections
import html
import itertools
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from IPython.display import HTML, Markdown

from modelfit import Framework, Profile, recommend
from modelfit.core.vocab import LANGUAGES, RATINGS, STAGES
from modelfit.core.wording import BRANDS, problems, zh_spacing
from modelfit.decision.framework_texts import PLACEHOLDERS

ROOT = Path(__file__).resolve().parents[1]
COMPANIES = sorted(p.stem for p in (ROOT / "params").glob("*.yaml"))
# Texts shown only in the method appendix (they may name the methods).
APPENDIX_TEXTS = ("texts.client.entropy", "texts.client.central_caption",
                  "texts.client.winning_caption", "texts.client.consistency",
                  "texts.stage_prior_why", "texts.report.method_priors")
SAMPLE = {
    "en": dict(primary="Hybrid", second="Marketplace platform", top="Distribution",
               default="Hybrid", score="61.5", second_score="58", top_score="66.5",
               default_score="58", gap="3.5", points="+4.5", penalty="-10", rating="2",
               stage="Growth (1→10)", rule="", by="brand design and content at 5/5",
               changes="capital strength 3 → 4", company="Acme", version="1.0.0",
               channels="platform store, own site", confidence="86%", probability="71%",
               framework="Marketplace platform", criterion="Capital strength",
               text="a start-up's core is the platform", client="Hybrid",
               method="pairwise comparisons", multiplier="1.5×", cr="0.05", choice="0.59",
               ranking="1.43", path="params/acme.yaml", core="platform store",
               auxiliary="dropshipping", point="Know the platform rules.", capability="Capital",
               now="3", target="4", challenger="Hybrid", count="6", name="numpy",
               capital="2", brand="1", tech="2", reason="with capital at 1/5, the company "
               "cannot carry it", channel="own site", why="a start-up's core is the platform",
               leader="Distribution", share="81%", verb="runs", stays="stays",
               leaves="leaves", pick="Marketplace platform", pick_cash="$837,792",
               primary_cash="$823,127", pick_contribution="$3.35", pick_ads="$3.69",
               primary_contribution="$5.03", primary_ads="$4.20",
               fields="Gross margin (% of price) 70"),
    "zh": dict(primary="平台模式", second="混合模式", top="分销模式", default="混合模式",
               score="61.5", second_score="58", top_score="66.5", default_score="58", gap="3.5",
               points="加 4.5", penalty="减 10", rating="2", stage="成长期（1-10）", rule="",
               by="品牌设计与内容营销 5/5", changes="资金实力从 3 分提升至 4 分", company="示例公司",
               version="1.0.0", channels="平台店铺、独立站", confidence="86%",
               probability="71%", framework="平台模式", criterion="资金实力",
               text="初创期以平台店铺为核心", client="混合模式", method="两两比较",
               multiplier="1.5 倍", cr="0.05", choice="0.59", ranking="1.43",
               path="acme.yaml", core="平台店铺", auxiliary="一件代发", point="深钻平台规则。",
               capability="资金实力", now="3", target="4", challenger="混合模式", count="6",
               name="Python", capital="2", brand="1", tech="2", reason="资金实力仅 1/5，企业难以支撑",
               channel="独立站", why="初创期以平台店铺为核心", leader="分销模式", share="81%",
               verb="", stays="", leaves="", pick="平台模式", pick_cash="837,792 美元",
               primary_cash="823,127 美元", pick_contribution="3.35 美元",
               pick_ads="3.69 美元", primary_contribution="5.03 美元",
               primary_ads="4.20 美元", fields="毛利率（70）"),
}


def _leaves(node: Any, where: str) -> Iterator[tuple[str, str, str]]:
    """(where, lang, text) of every bilingual text below `node`."""
    if isinstance(node, dict):
        if any(isinstance(node.get(lang), str) for lang in LANGUAGES):
            for lang in LANGUAGES:
                if isinstance(node.get(lang), str):
                    yield where, lang, node[lang]
            return
        for key, value in node.items():
            yield from _leaves(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{where}[{i}]")


def _framework_texts() -> list[tuple[str, str, str]]:
    raw = Framework.load().raw
    # texts.whatif is the analysts' what-if notebook (file names, ids): not client text.
    out = [t for key in ("models", "criteria", "stages", "channels", "texts")
           for t in _leaves(raw[key], key) if not t[0].startswith("texts.whatif")]
    out += [(f"labels.{lang}.{k}", lang, v) for lang in LANGUAGES
            for k, v in raw["labels"][lang].items()]
    return out


FRAMEWORK_TEXTS = _framework_texts()


def _filled(where: str, lang: str, text: str) -> str:
    filled = string.Template(text).safe_substitute(SAMPLE[lang])
    return zh_spacing(filled) if lang == "zh" else filled


@pytest.mark.parametrize(("where", "lang", "text"), FRAMEWORK_TEXTS,
                         ids=[f"{w}.{lang}" for w, lang, _ in FRAMEWORK_TEXTS])
def test_every_framework_text_passes_the_lint(where: str, lang: str, text: str) -> None:
    """Each text and label of the framework file, filled with sample values, is clean."""
    appendix = where.startswith(APPENDIX_TEXTS) or ".rec_" in where
    assert problems(_filled(where, lang, text), lang, appendix=appendix) == [], (where, text)


def test_the_sample_values_cover_every_placeholder() -> None:
    """The lint fills every placeholder the framework may use (none is left as `$name`)."""
    used = set().union(*PLACEHOLDERS.values())
    for lang in LANGUAGES:
        assert used <= set(SAMPLE[lang]), sorted(used - set(SAMPLE[lang]))


@pytest.fixture(scope="module")
def generated() -> dict[str, set[str]]:
    """Every rationale line, plan note, F-note and checklist line over stage x ratings x (no
    channel running, a platform store running), in both languages."""
    fw = Framework.load()
    out: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for stage, ratings, existing in itertools.product(
            STAGES, itertools.product(range(1, 6), repeat=len(RATINGS)), ((), ("platform",))):
        profile = Profile.from_mapping({"company": "x", "stage": stage,
                                        **dict(zip(RATINGS, ratings, strict=True)),
                                        "existing_channels": list(existing)})
        for lang in LANGUAGES:
            rec = recommend(profile, fw, lang=lang)
            out[lang].update(r.text for r in rec.rationale)
            out[lang].update(n.text for n in rec.plan_notes)
            out[lang].update(rec.notes.values())
            out[lang].update(p for points in rec.checklist.values() for p in points)
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_generated_sentence_passes_the_lint(generated: dict[str, set[str]],
                                                  lang: str) -> None:
    """No sentence the recommendation writes, for any stage, ratings and running channels,
    has a defect."""
    bad = sorted((line, tuple(problems(line, lang))) for line in generated[lang]
                 if problems(line, lang))
    assert bad == []


NUMBER_CELL = re.compile(r"[+\-−]?\d[\d,]*(?:\.\d+)?%?")


def _strings(value: Any, data_cells: bool = False) -> Iterator[str]:
    """The client-visible strings of one report cell's output. A table's number cells keep
    the decimals of their column (23.0% beside 22.5%), so only their inf/nan is checked."""
    if isinstance(value, Markdown):
        yield str(value.data)
    elif isinstance(value, HTML):  # the cover block: each element's text on its own
        yield from (html.unescape(t) for t in re.split(r"<[^>]+>", str(value.data)) if t.strip())
    elif isinstance(value, pd.DataFrame):
        yield from (str(v) for v in value.columns)
        if not data_cells:
            yield from (str(v) for v in value.index)
        cells = [] if data_cells else value.to_numpy().ravel()
        for v in cells:
            if isinstance(v, float):
                yield "nan" if v != v else "inf" if abs(v) == float("inf") else "0"
            elif isinstance(v, str):
                yield re.sub(r"\.0(?=%?$)", "", v) if NUMBER_CELL.fullmatch(v) else v
    elif isinstance(value, str):
        yield value


# The report methods the client reads, and those of the method appendix.
APPENDIX_METHODS = ("entropy", "winning_caption", "winning_table", "central_weights_caption",
                    "central_weights_table", "run_record", "rule_table", "method_priors")
# Appendix tables whose cells are data (hashes, versions, rule ids): only their headers are
# client text.
DATA_CELLS = ("run_record", "rule_table")
# Tables of named sources, platforms and regulations: their Latin names stay as they are.
PROPER_NAMES = ("markets_detail",)
SKIPPED = ("payload", "to_dict", "summary", "heading", "build", "rec")


@pytest.fixture(scope="module", params=COMPANIES)
def report_texts(request: pytest.FixtureRequest) -> dict[str, list[tuple[str, str, bool]]]:
    """(method, text, appendix) of every text cell of one example company's report, per
    language."""
    from modelfit.views import report

    company = request.param
    profile = yaml.safe_load((ROOT / "params" / f"{company}.yaml").read_text("utf-8"))
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for lang in LANGUAGES:
        r = report.build(company, profile, lang=lang)
        texts: list[tuple[str, str, bool]] = []
        for name in dir(r):
            if name.startswith("_") or name in SKIPPED or name.endswith("figure"):
                continue
            method = getattr(r, name)
            if not callable(method):
                continue
            try:
                value = method()
            except TypeError:  # needs an argument: not a cell of its own
                continue
            texts += [(name, s, name in APPENDIX_METHODS)
                      for s in _strings(value, name in DATA_CELLS)]
        for key in r.fw.raw["labels"]["en"]:
            if key.startswith("h_"):
                texts.append((f"heading {key}", str(r.heading(key).data), False))
        out[lang] = texts
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_report_text_passes_the_lint(report_texts: dict[str, list[tuple[str, str, bool]]],
                                           lang: str) -> None:
    """Every section of the example company's report (summary, recommendation, robustness,
    client weights, second opinion, money plan, roadmap, checklist, notes) is clean."""
    company_names = {yaml.safe_load(p.read_text("utf-8")).get("company", "")
                     for p in (ROOT / "params").glob("*.yaml")}
    bad = [(name, text, found) for name, text, appendix in report_texts[lang]
           if (found := problems(text, lang, allowed=company_names, appendix=appendix,
                                 proper_names=name in PROPER_NAMES))]
    assert bad == []


def test_every_questionnaire_text_passes_the_lint() -> None:
    """The rubric's questions, options and headings (what the questionnaire shows a client)."""
    from modelfit.inputs.rubric import load_rubric

    raw = yaml.safe_load((ROOT / "src" / "modelfit" / "data" / "rubric.yaml").read_text("utf-8"))
    load_rubric()  # the file loads
    # The YAML questionnaire's head lines are for analysts (they name the command to run).
    bad = [(where, text, found) for where, lang, text in _leaves(raw, "")
           if ".questionnaire_" not in where and (found := problems(string.Template(text).safe_substitute(
               min="0", max="10", direction="", min_answers="3"), lang))]
    assert bad == []


def test_every_money_plan_text_passes_the_lint() -> None:
    """The money plan's labels and sentences (modelfit.outcome.economics)."""
    from modelfit.outcome import economics

    bad = []
    for table in (economics.TEXT, economics.KIND_NAMES):
        for key, texts in table.items():
            for lang in LANGUAGES:
                text = texts[lang].format_map(collections.defaultdict(
                    lambda: "36", company="Acme", version="2.2.0",
                    kind="一件代发" if lang == "zh" else "dropshipping"))
                text = zh_spacing(text) if lang == "zh" else text
                if found := problems(text, lang, allowed={"Acme"}):
                    bad.append((key, lang, texts[lang], found))
    assert bad == []


# --- the lint itself: each defect quoted in issue 24 is caught --------------------------------
@pytest.mark.parametrize(("text", "lang", "why"), [
    ("得分 inf 分", "zh", "a number that is not one"),
    ("Score: nan", "en", "a number that is not one"),
    ("能力建设:提升什么会改变结论:", "zh", "doubled colons"),
    ("能力建设：提升什么会改变结论：", "zh", "doubled colons"),
    ("渠道组合(核心渠道在前): 平台模式 → 小B端分销", "zh", "ASCII punctuation"),
    ("渠道组合（核心渠道在前）：平台模式 → 独立站", "zh", "a model named as a channel"),
    ("以独立站模式为核心渠道", "zh", "a model named as a channel"),
    ("交给海外经销商", "zh", "经销商: the glossary term is 海外分销商"),
    ("分类器的选择", "zh", "分类器: the glossary term is 分类模型"),
    ("维度排序，按秩序质心法计权", "zh", "a method name"),
    ("摆动权重法（SWING）", "zh", "a method name"),
    ("排名可接受度", "zh", "a method name"),
    ("中心权重", "zh", "a method name"),
    ("决策熵为 1.00 比特", "zh", "a method name"),
    ("按结果模型的假设", "zh", "a method name"),
    ("各模式的数字（不计运气好坏）", "zh", "a literal translation"),
    ("为 Lumen Skin Lab 花多少钱、赚多少钱", "zh", "a literal translation"),
    ("到手价格", "zh", "到手价: the glossary term is 实收单价"),
    ("关税和税费", "zh", "关税和税费: the glossary term"),
    ("档案未给出客户权重（preferences:）", "zh", "English inside Chinese"),
    ("目标市场：US、UK、EU", "zh", "English inside Chinese"),
    ("见运营要点 O-S1", "zh", "a rule id"),
    ("独立站能最大化发挥技术优势（R3）", "zh", "a rule id"),
    ("取值 startup, growth, mature", "zh", "English inside Chinese"),
    ("取值 sea、mea", "zh", "English inside Chinese"),
    ("企业的团队规模为 9.0 人", "zh", "a trailing .0"),
    ("本报告为Lumen Skin Lab编制", "zh", "spacing"),
    ("依据 modelfit 跨境电商运营模式决策框架", "zh", "English inside Chinese"),
    ("Acceptability by rank (SMAA-2)", "en", "a method name"),
    ("rank-order centroid weights", "en", "a method name"),
    ("the independent_site channel", "en", "a raw id"),
    ("why (R3)", "en", "a rule id"),
    ("推荐", "en", "Chinese characters in English"),
    ("独立站模式得分 75.5，因而胜出，优势来自品牌设计与内容营销 1/5（加 4 分）", "zh",
     "a weak rating called a strength"),
    ("Own site scores 58 and is recommended, on Technology and data operations at 2/5 "
     "(+1.5 points).", "en", "a weak rating called a strength"),
])
def test_the_lint_catches_each_quoted_defect(text: str, lang: str, why: str) -> None:
    """Each defect quoted under "Why" in issue 24 is caught, for the reason it is wrong."""
    found = problems(text, lang)
    assert any(why in f for f in found), found


@pytest.mark.parametrize(("text", "lang"), [
    ("入驻亚马逊（FBA）、eBay、速卖通、Shopee、TikTok Shop 等第三方国际电商平台销售。", "zh"),
    ("以平台店铺为核心渠道，一件代发为辅。", "zh"),
    ("在 10,000 种权重与评分假设下，推荐方案排第一的比例为 86%。", "zh"),
    ("把供应链产能批量供给小B买家。", "zh"),
    ("本报告为 Lumen Skin Lab 编制。", "zh"),
    ("Make the platform store the core channel, with dropshipping as auxiliary.", "en"),
])
def test_the_lint_passes_a_consultants_sentence(text: str, lang: str) -> None:
    """Well-written sentences pass: brands, the article's abbreviations, 10,000, 小B."""
    assert problems(text, lang, allowed={"Lumen Skin Lab"}) == []


def test_zh_spacing_puts_one_space_between_scripts() -> None:
    """A filled company name or number gets one space from Chinese, none from full-width
    punctuation; the Chinese words with a Latin letter keep none."""
    assert zh_spacing("本报告为Lumen Skin Lab编制") == "本报告为 Lumen Skin Lab 编制"
    assert zh_spacing("本报告为深圳光子编制") == "本报告为深圳光子编制"
    assert zh_spacing("得分61.5（满分 100）") == "得分 61.5（满分 100）"
    assert zh_spacing("发展小B分销业务，用A模式的打法") == "发展小B分销业务，用A模式的打法"
    assert zh_spacing("平台模式 ，独立站") == "平台模式，独立站"


def test_brands_are_kept_in_one_place() -> None:
    """The allow-list holds the platforms the article names."""
    assert {"Amazon", "eBay", "AliExpress", "Shopee", "TikTok Shop", "Shopify"} <= BRANDS
