"""Chinese a client would not flinch at: every zh text of the framework, and every zh text the
tool renders from it, is linted for the defects of machine-translated Chinese.

The full wording lint (full-width punctuation, the glossary, English inside Chinese, method
names) is tests/test_wording.py; this file keeps the checks of how numbers and points read.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
import yaml

from modelfit import Framework, Profile, recommend
from modelfit.core.vocab import RATINGS, STAGES
from modelfit.decision.flips import Flip, describe_changes

CJK = r"[\u3400-\u9fff]"
CJK_PUNCT = r"[\u3000-\u303f\uff00-\uffef“”‘’]"
DEFECTS = {
    "a negative number of points (write 减 9 分)": re.compile(r"[-−]\s*\d+(?:\.\d+)?\s*分"),
    "a trailing .0 (write 9 分)": re.compile(r"(?<![.\d])\d+\.0(?![\d.])"),
    "a space between two Chinese characters": re.compile(rf"{CJK}[ \t]+{CJK}"),
    "a space before Chinese punctuation": re.compile(rf"[ \t]+{CJK_PUNCT}"),
    "a space after Chinese punctuation": re.compile(rf"{CJK_PUNCT}[ \t]+(?=\S)"),
    "doubled colons": re.compile(r"[:：]\s*[:：]"),
    "a space after a colon or comma inside Chinese": re.compile(rf"{CJK}[,:;][ \t]+{CJK}"),
    "an unfilled placeholder": re.compile(r"\$[a-z_]"),
}


def lint(text: str) -> list[str]:
    """The defects found in one Chinese text."""
    return [name for name, pattern in DEFECTS.items() if pattern.search(text)]


def _zh_leaves(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("zh"), str):
            yield where, node["zh"]
        for key, value in node.items():
            if key != "zh":
                yield from _zh_leaves(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _zh_leaves(value, f"{where}[{i}]")


def _bundled() -> dict[str, Any]:
    text = resources.files("modelfit").joinpath("data", "framework.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


ZH_TEXTS = list(_zh_leaves(_bundled()))
ZH_LABELS = list(_bundled()["labels"]["zh"].items())


@pytest.mark.parametrize(("where", "text"), ZH_TEXTS, ids=[w for w, _ in ZH_TEXTS])
def test_every_zh_text_of_the_framework_is_clean(where: str, text: str) -> None:
    """Each zh text (filled with sample values) has none of the defects."""
    sample = string.Template(text).safe_substitute(
        primary="平台模式", second="混合模式", top="分销模式", default="混合模式", score="61.5",
        second_score="58", top_score="66.5", default_score="58", gap="3.5", points="加 4.5",
        penalty="减 10", rating="2", stage="成长期(1-10)", rule="S2", by="R1",
        changes="资金实力从 3 分提升至 4 分",
        company="示例公司", version="1.0.0", channels="平台模式 → 小B端分销", confidence="86%",
        probability="71%", framework="平台模式", criterion="资金实力", text="初创期以平台模式为核心",
        client="混合模式", method="层次分析法(AHP)两两比较", multiplier="1.5 倍", cr="0.05",
        choice="0.59", ranking="1.43", path="params/acme.yaml", core="平台模式",
        auxiliary="一件代发", point="深钻平台规则。", capability="资金实力", now="3", target="4",
        challenger="混合模式", count="6", capital="2", brand="1", tech="2",
        reason="资金实力仅 1/5（R1）", channel="独立站", rules="S1", why="初创期以平台模式为核心",
        leader="分销模式", share="81%", verb="", stays="", leaves="", pick="平台模式",
        pick_cash="837,792 美元", primary_cash="823,127 美元", pick_contribution="3.35 美元",
        pick_ads="3.69 美元", primary_contribution="5.03 美元", primary_ads="4.20 美元",
        fields="毛利率 70")
    assert lint(sample) == [], (where, sample)


@pytest.mark.parametrize(("key", "label"), ZH_LABELS, ids=[k for k, _ in ZH_LABELS])
def test_every_zh_label_is_clean(key: str, label: str) -> None:
    """Each zh label (table headers, headings) has none of the defects."""
    assert lint(label.replace("$name", "Python")) == [], (key, label)


def test_the_articles_terms_are_kept(framework: Framework) -> None:
    """The models and the kinds of distribution use the article's own terms."""
    assert [framework.model_name(m, "zh") for m in framework.models] == [
        "平台模式", "分销模式", "独立站模式", "混合模式"]
    assert framework.kind_name("dropshipping", "zh") == "一件代发"
    assert framework.kind_name("small_b", "zh") == "小B分销"
    assert "海外分销商" in framework.kind_name("distributors", "zh")


@pytest.fixture(scope="module")
def zh_outputs(framework: Framework) -> list[str]:
    """Every zh rationale line, plan note and F-note rendered over stages x ratings x (no
    channel running, a platform running)."""
    out: set[str] = set()
    for stage in STAGES:
        for ratings in itertools.product(range(1, 6), repeat=len(RATINGS)):
            for existing in ((), ("platform",)):
                profile = Profile.from_mapping(
                    {"company": "x", "stage": stage, **dict(zip(RATINGS, ratings, strict=True)),
                     "existing_channels": list(existing)})
                rec = recommend(profile, framework, lang="zh")
                out.update(r.text for r in rec.rationale)
                out.update(n.text for n in rec.plan_notes)
                out.update(rec.notes.values())
    return sorted(out)


def test_every_rendered_zh_line_is_clean(zh_outputs: list[str]) -> None:
    """No zh line the tool renders for any profile has a defect: points read 加/减 N 分 with no
    trailing .0, no stray spaces after a model name, no doubled colons."""
    bad = [(line, lint(line)) for line in zh_outputs if lint(line)]
    assert bad == []


def test_points_read_as_jia_and_jian(framework: Framework) -> None:
    """Chinese points are written 加 4.5 分 / 减 10 分, never -10.0 分."""
    rec = recommend(Profile.from_mapping({"company": "x", "stage": "growth", "capital": 1,
                                          "supply_chain": 4, "brand_content": 3,
                                          "tech_data": 3,
                                          "existing_channels": ["platform"]}),
                    framework, lang="zh")
    text = " ".join(r.text for r in rec.rationale)
    assert "各减 10 分" in text
    assert "加 4.5 分" in text


def test_rating_changes_read_as_a_consultant_would(framework: Framework) -> None:
    """A roadmap or risk line says 从 3 分提升至 4 分 / 从 3 分降至 2 分, in Chinese."""
    assert describe_changes({"capital": 4}, {"capital": 3}, framework, "zh") == (
        "资金实力从 3 分提升至 4 分")
    flip = Flip(changes={"capital": 2}, primary="platform", before={"capital": 3})
    assert flip.describe(framework, "zh", key="risk") == (
        "若资金实力从 3 分降至 2 分，首选模式将变为平台模式。")


@pytest.mark.parametrize("text", ["得分 -9.0 分", "平台模式 得分", "原因::", "加 9.0 分",
                                  "分数, 很高", "资金 、"])
def test_the_lint_catches_each_defect(text: str) -> None:
    """The lint itself: each known defect is caught."""
    assert lint(text)


def test_every_zh_text_of_a_report_is_clean() -> None:
    """The Chinese report's sentences and tables (forge and lumen: a close call, small-B
    distribution, flips and risks) have none of the defects."""
    from pathlib import Path

    import pandas as pd

    from modelfit.views import report

    root = Path(__file__).resolve().parents[1]
    for company in ("forge", "lumen"):
        profile = yaml.safe_load((root / "params" / f"{company}.yaml").read_text("utf-8"))
        r = report.build(company, profile, lang="zh")
        texts = [r.title().data, r.verdict().data, r.why().data, r.plan_notes().data,
                 r.robustness_sentence().data, r.flips_intro().data, r.risks_intro().data,
                 r.roadmap().data, r.checklist().data, r.notes().data, r.second_opinion().data]
        for table in (r.channel_table(), r.flips_table(), r.risks_table(), r.glance_table()):
            if isinstance(table, pd.DataFrame):
                texts += [str(v) for v in table.index] + [str(v) for v in table.to_numpy().ravel()]
        bad = [(t, lint(t.replace("**", ""))) for t in texts if lint(t.replace("**", ""))]
        assert bad == [], company
