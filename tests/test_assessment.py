"""The assessment rubric: questions, the rule from answers to 1–5 ratings, and answers in profiles."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from modelfit import Framework, ProfileError, load_profile
from modelfit.cli import main
from modelfit.core.errors import FrameworkError
from modelfit.core.vocab import CATEGORIES
from modelfit.inputs.assessment import assess
from modelfit.inputs.profile import Profile
from modelfit.inputs.rubric import CRITERIA, Question, Rubric, load_rubric, parse_rubric
from modelfit.views.assessment import derivation_markdown, questionnaire

from .conftest import PARAMS, examples

WriteProfile = Callable[..., Path]
HARBOR = str(PARAMS / "harbor.yaml")
RUBRIC = load_rubric()
QUESTIONS = list(RUBRIC.questions.values())
BASE = {"company": "Acme", "stage": "growth"}


def rubric_data() -> dict[str, Any]:
    text = resources.files("modelfit").joinpath("data", "rubric.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def answers_for(points: dict[str, int]) -> dict[str, Any]:
    """Answers to choice questions that earn the given points (first option with them)."""
    out: dict[str, Any] = {}
    for qid, want in points.items():
        question = RUBRIC.questions[qid]
        assert question.options is not None
        out[qid] = next(o.value for o in question.options if o.points == want)
    return out


# --- the rubric as data ------------------------------------------------------------------------
def test_every_criterion_has_four_to_six_questions_in_both_languages() -> None:
    """Each of the four criteria has 4–6 questions, each worded in English and Chinese."""
    assert tuple(RUBRIC.criteria) == CRITERIA
    for criterion, questions in RUBRIC.criteria.items():
        assert 4 <= len(questions) <= 6, criterion
        for q in questions:
            assert q.text["en"]
            assert q.text["zh"]
            assert all(o.label["en"] and o.label["zh"] for o in q.options or ())


def test_options_are_ordered_weakest_first() -> None:
    """Every choice question's option points rise from 0 to 4 along the list."""
    for q in QUESTIONS:
        if q.options is not None:
            points = [o.points for o in q.options]
            assert points == sorted(points), q.id
            assert (points[0], points[-1]) == (0, 4), q.id


def test_rubric_is_versioned() -> None:
    """The rubric file carries a version, shown in the report's derivation."""
    assert RUBRIC.version == "1.0.0"


def test_rubric_with_falling_option_points_is_refused() -> None:
    """An edited rubric whose options are not weakest-first is named and refused."""
    data = rubric_data()
    data["criteria"]["capital"][2]["options"][1]["points"] = 4
    with pytest.raises(FrameworkError, match=r"question cap_financing: option points must rise "
                                             r"from 0 to 4"):
        parse_rubric(data, "edited.yaml")


def test_rubric_with_three_questions_is_refused() -> None:
    """A criterion with fewer than four questions is refused."""
    data = rubric_data()
    data["criteria"]["tech_data"] = data["criteria"]["tech_data"][:3]
    with pytest.raises(FrameworkError, match=r"criteria.tech_data must list 4 to 6 questions, got 3"):
        parse_rubric(data, "edited.yaml")


def test_rubric_with_unordered_thresholds_is_refused() -> None:
    """A numeric question whose thresholds run against its direction is refused."""
    data = rubric_data()
    data["criteria"]["supply_chain"][2]["thresholds"] = [50, 200, 500, 1000]
    with pytest.raises(FrameworkError, match=r"sc_moq_units: thresholds must be strictly falling"):
        parse_rubric(data, "edited.yaml")


# --- the rule ----------------------------------------------------------------------------------
def test_rating_is_one_plus_mean_points_rounded_half_up() -> None:
    """Points 2, 3, 2, 3 (mean 2.5) give 4; 2, 2, 2, 2, 3 (mean 2.2) give 3."""
    answers = answers_for({"cap_financing": 2, "cap_inventory_cover": 3, "cap_profitability": 1})
    answers["cap_runway_months"] = 24  # 4 points
    assert RUBRIC.derive(answers)["capital"] == 4  # (2 + 3 + 1 + 4) / 4 = 2.5 → 1 + 3
    harbor = load_profile(HARBOR)
    steps = RUBRIC.steps("capital", dict(harbor.assessment), harbor.category)
    assert [s.points for s in steps] == [2, 2, 2, 2, 3]
    assert RUBRIC.rating(steps) == 3


def test_too_few_answers_give_no_rating() -> None:
    """With fewer than min_answers (3) answers a criterion has no derived rating."""
    answers = answers_for({"cap_financing": 4, "cap_profitability": 4})
    assert RUBRIC.derive(answers)["capital"] is None


@pytest.mark.parametrize(("value", "points"), [(2, 0), (3, 1), (11.9, 2), (12, 3), (24, 4), (120, 4)])
def test_numeric_thresholds_count_reached_thresholds(value: float, points: int) -> None:
    """Runway 3/6/12/24 months: each threshold reached is one point."""
    assert RUBRIC.points(RUBRIC.questions["cap_runway_months"], value) == points


@pytest.mark.parametrize(("value", "points"), [(5000, 0), (1000, 1), (300, 2), (200, 3), (50, 4)])
def test_smaller_is_stronger_when_not_ascending(value: int, points: int) -> None:
    """MOQ thresholds 1000/500/200/50 units: a smaller first order earns more points."""
    assert RUBRIC.points(RUBRIC.questions["sc_moq_units"], value) == points


def test_marketing_budget_is_counted_in_customers_of_the_category() -> None:
    """The budget is divided by the category's acquisition cost: $2,650 buys 50 food customers at
    $53 (2 points) but 29 jewelry ones at $91 (1 point)."""
    q = RUBRIC.questions["cap_ad_budget_usd"]
    assert RUBRIC.points(q, 2650, "food") == 2  # 50 customers at $53
    assert RUBRIC.points(q, 2650, "jewelry") == 1  # 29 customers at $91
    assert RUBRIC.points(q, 91_000, "jewelry") == 4  # 1,000 customers


def answer_strategy(q: Question) -> st.SearchStrategy[Any]:
    if q.options is not None:
        return st.sampled_from(q.values())
    assert q.min is not None
    assert q.max is not None
    return st.one_of(st.integers(int(q.min), int(q.max)),
                     st.floats(q.min, q.max, allow_nan=False, allow_infinity=False))


@st.composite
def answers_and_a_stronger_one(draw: st.DrawFn) -> tuple[dict[str, Any], str, Any, str]:
    answers = {q.id: draw(answer_strategy(q)) for q in QUESTIONS if draw(st.booleans())}
    q = draw(st.sampled_from(QUESTIONS))
    answers[q.id] = draw(answer_strategy(q))
    old = answers[q.id]
    if q.options is not None:
        stronger = draw(st.sampled_from(q.values()[q.values().index(old):]))
    else:
        assert q.min is not None
        assert q.max is not None
        lo, hi = (old, q.max) if q.ascending else (q.min, old)
        stronger = draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    return answers, q.id, stronger, draw(st.sampled_from(CATEGORIES))


@settings(max_examples=examples(400), deadline=None)
@given(answers_and_a_stronger_one())
def test_a_stronger_answer_never_lowers_a_rating(case: tuple[dict[str, Any], str, Any, str]) -> None:
    """Monotone: replacing any answer by a stronger one (a later option, or a number further in
    the stronger direction) never lowers any derived rating, whatever the other answers."""
    answers, qid, stronger, category = case
    before = RUBRIC.derive(answers, category)
    after = RUBRIC.derive({**answers, qid: stronger}, category)
    for criterion in CRITERIA:
        if before[criterion] is not None:
            assert after[criterion] is not None
            assert after[criterion] >= before[criterion], (criterion, qid)


def test_same_answers_same_rating_without_float_noise() -> None:
    """Means are exact fractions: 1/3-point means never round differently across machines."""
    answers = answers_for({"td_analytics": 1, "td_systems": 1, "td_paid_ads": 0})
    assert RUBRIC.derive(answers)["tech_data"] == 2  # mean 2/3 → 1.67 → 2


# --- answers in a profile ----------------------------------------------------------------------
def test_profile_with_answers_only_gets_every_rating_derived() -> None:
    """params/harbor.yaml states no rating: all four come from its answers."""
    harbor = load_profile(HARBOR)
    assert harbor.ratings() == {"capital": 3, "supply_chain": 4, "brand_content": 3, "tech_data": 2}
    assert harbor.derived_ratings == CRITERIA
    assert not set(CRITERIA) & set(harbor.params())


def test_stated_rating_wins_over_the_answers() -> None:
    """A stated rating is used as stated; the answers only fill ratings left out."""
    data = load_profile(HARBOR).params()
    profile = Profile.from_mapping({**data, "capital": 5}, company_id="x")
    assert profile.capital == 5
    assert "capital" not in profile.derived_ratings


def test_bad_answers_are_named_with_question_value_and_what_is_allowed() -> None:
    """Each bad answer is one problem naming the file, the question, the value and what is allowed."""
    data = {**BASE, "capital": 3, "supply_chain": 3, "brand_content": 3, "tech_data": 3,
            "assessment": {"cap_financing": "lots", "sc_moq_units": 0, "td_developers": True,
                           "cap_runway_month": 6}}
    with pytest.raises(ProfileError) as info:
        Profile.from_mapping(data, source="params/acme.yaml")
    assert info.value.problems == (
        "params/acme.yaml: assessment.cap_financing must be one of none, personal, bank_credit, "
        "investors, group_or_listed, got 'lots'",
        "params/acme.yaml: assessment.sc_moq_units must be a number from 1 to 1000000, got 0",
        "params/acme.yaml: assessment.td_developers must be a number from 0 to 10000, got True",
        "params/acme.yaml: assessment.cap_runway_month is not a question; did you mean "
        "'cap_runway_months'?",
    )


def test_missing_rating_with_too_few_answers_names_the_questions(write_profile: WriteProfile) -> None:
    """A rating left out with fewer than 3 answers is one problem naming its questions."""
    path = write_profile("company: Acme\nstage: growth\nsupply_chain: 3\nbrand_content: 3\n"
                         "tech_data: 3\nassessment:\n  cap_runway_months: 6\n")
    with pytest.raises(ProfileError, match=r"acme.yaml: capital is missing; it must be an integer "
                                           r"from 1 to 5, or be derived from at least 3 answers to "
                                           r"its questions \(cap_runway_months, .*\) under "
                                           r"assessment:, got 1 answer\(s\)$"):
        load_profile(path)


def test_assessment_must_be_a_mapping(write_profile: WriteProfile) -> None:
    """`assessment: [..]` is refused, saying what it must be."""
    path = write_profile("company: Acme\nstage: growth\ncapital: 3\nsupply_chain: 3\n"
                         "brand_content: 3\ntech_data: 3\nassessment: [6, 12]\n")
    with pytest.raises(ProfileError, match=r"assessment must be a mapping of question id: answer, "
                                           r"got a list"):
        load_profile(path)


def test_blank_answers_count_as_unanswered() -> None:
    """A question left blank (null) in a filled-in questionnaire is simply not answered."""
    profile = Profile.from_mapping({**BASE, "capital": 2, "supply_chain": 3, "brand_content": 3,
                                    "tech_data": 3, "assessment": {"cap_runway_months": None}})
    assert profile.assessment == {}


# --- assess --------------------------------------------------------------------------------------
def test_stated_and_derived_two_apart_warn() -> None:
    """A stated rating 2 or more away from the derived one gives a warning naming both."""
    data = load_profile(HARBOR).params()
    result = assess(Profile.from_mapping({**data, "tech_data": 4}, company_id="harbor"))
    assert result.warnings == [
        "params/harbor.yaml: tech_data is stated as 4 but the answers give 2; check the rating or "
        "the answers (td_developers, td_analytics, td_systems, td_paid_ads, td_experiments)"]
    assert result.ratings["tech_data"] == 2
    assert result.stated["tech_data"] == 4


def test_one_apart_does_not_warn() -> None:
    """A stated rating one away from the derived one is a judgement call, not a warning."""
    data = load_profile(HARBOR).params()
    assert assess(Profile.from_mapping({**data, "tech_data": 3}, company_id="harbor")).warnings == []


def test_assess_json_has_the_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """`assess --json`: company_id, ratings, derivation [{question, answer, points}], stated, warnings."""
    code, out, err = run(capsys, "assess", HARBOR, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"company_id", "ratings", "derivation", "stated", "warnings"}
    assert data["company_id"] == "harbor"
    assert data["ratings"] == {"capital": 3, "supply_chain": 4, "brand_content": 3, "tech_data": 2}
    assert data["stated"] == dict.fromkeys(CRITERIA)
    assert data["derivation"]["capital"][0] == {"question": "cap_runway_months", "answer": 9,
                                                "points": 2}
    assert all(set(step) == {"question", "answer", "points"}
               for steps in data["derivation"].values() for step in steps)
    assert data["warnings"] == []


def test_assess_text_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    """`assess --lang zh` shows criterion names, questions and option labels in Chinese."""
    code, out, _ = run(capsys, "assess", HARBOR, "--lang", "zh")
    assert code == 0
    assert "资金实力: 3  (由 5 个回答得出)" in out
    assert "自有工厂 → 4" in out


def test_assess_bad_answer_exits_2(capsys: pytest.CaptureFixture[str], write_profile: WriteProfile) -> None:
    """A bad answer exits 2 with one line naming the file, question, value and what is allowed."""
    path = write_profile("company: Acme\nstage: growth\ncapital: 3\nsupply_chain: 3\n"
                         "brand_content: 3\ntech_data: 3\nassessment:\n  br_review_stars: 7\n")
    code, out, err = run(capsys, "assess", str(path))
    assert (code, out) == (2, "")
    assert err == (f"modelfit: {path}: assessment.br_review_stars must be a number from 1 to 5, "
                   "got 7\n")


def test_validate_warns_but_passes(capsys: pytest.CaptureFixture[str], write_profile: WriteProfile) -> None:
    """validate prints a stated/derived disagreement as a warning and still exits 0."""
    data = load_profile(HARBOR).params()
    path = write_profile(yaml.safe_dump({**data, "capital": 5}), "harbor.yaml")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 0
    assert out == "1 profile(s) valid\n"
    assert err.startswith(f"modelfit: warning: {path}: capital is stated as 5 but the answers give 3")


# --- questionnaire ------------------------------------------------------------------------------
def test_questionnaire_json_has_the_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """`questionnaire --json`: {criteria: {c: [{id, text, options|null, min, max, ascending}]}},
    options in rubric order (weakest first)."""
    code, out, _ = run(capsys, "questionnaire", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"criteria"}
    assert tuple(data["criteria"]) == CRITERIA
    for question in (q for qs in data["criteria"].values() for q in qs):
        assert set(question) == {"id", "text", "options", "min", "max", "ascending"}
        rubric_q = RUBRIC.questions[question["id"]]
        if question["options"] is None:
            assert isinstance(question["ascending"], bool)
        else:
            assert [o["value"] for o in question["options"]] == list(rubric_q.values())
            assert question["min"] is None
    assert data["criteria"]["supply_chain"][2]["ascending"] is False


def test_questionnaire_json_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    """With --lang zh the questions and labels are Chinese."""
    _, out, _ = run(capsys, "questionnaire", "--json", "--lang", "zh")
    first = json.loads(out)["criteria"]["capital"][2]
    assert first["text"] == "自有资金之外的融资渠道"
    assert first["options"][0] == {"value": "none", "label": "没有"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_filled_in_questionnaire_is_a_profile(lang: str, tmp_path: Path, framework: Framework) -> None:
    """The blank questionnaire is YAML; with a name, a stage and the answers filled in, it loads
    as a profile whose ratings are derived."""
    text = questionnaire(framework, lang)
    blank = yaml.safe_load(text)
    assert set(blank["assessment"]) == set(RUBRIC.questions)
    harbor = load_profile(HARBOR)
    filled = text.replace("company:\n", "company: Filled In\n").replace("stage:\n", "stage: growth\n")
    for qid, answer in harbor.assessment.items():
        filled = filled.replace(f"  {qid}:\n", f"  {qid}: {answer}\n")
    path = tmp_path / "filled.yaml"
    path.write_text(filled, "utf-8")
    assert load_profile(path).ratings() == harbor.ratings()


def test_questionnaire_in_chinese_lists_options_in_chinese(framework: Framework) -> None:
    """The zh questionnaire words the questions and options in Chinese."""
    text = questionnaire(framework, "zh")
    assert "# 自有资金之外的融资渠道" in text
    assert "#   - own_factory: 自有工厂" in text
    assert "资金实力 (capital)" in text


def test_questionnaire_out_never_overwrites(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--out writes a new file and refuses an existing one (exit 2)."""
    out = tmp_path / "new.yaml"
    assert run(capsys, "questionnaire", "--out", str(out))[0] == 0
    assert out.read_text("utf-8").startswith("# modelfit company profile")
    code, _, err = run(capsys, "questionnaire", "--out", str(out))
    assert code == 2
    assert "already exists" in err


# --- the report's derivation ------------------------------------------------------------------
def test_derivation_markdown_shows_each_answer_and_a_disagreement(framework: Framework) -> None:
    """The report's derivation lists every answer with its points, and flags a stated rating the
    answers contradict."""
    data = load_profile(HARBOR).params()
    result = assess(Profile.from_mapping({**data, "tech_data": 4}, company_id="harbor"))
    text = derivation_markdown(result, framework, "en")
    assert "| Where your products are made | Our own factory | 4 / 4 |" in text
    assert "The stated rating of Technology and data operations is 4, but the answers give 2" in text
    zh = derivation_markdown(result, framework, "zh")
    assert "| 产品的生产来源 | 自有工厂 | 4 / 4 |" in zh


def test_derivation_markdown_escapes_markup(framework: Framework) -> None:
    """Rubric text with markdown or HTML characters is escaped where it leaves."""
    rubric = copy.deepcopy(rubric_data())
    rubric["criteria"]["capital"][2]["options"][0]["label"]["en"] = "<b>none</b> | *x*"
    edited = parse_rubric(rubric, "edited.yaml")
    profile = Profile.from_mapping({**BASE, "capital": 2, "supply_chain": 3, "brand_content": 3,
                                    "tech_data": 3, "assessment": {"cap_financing": "none"}})
    text = derivation_markdown(assess(profile, rubric=edited), Framework.load(), "en", edited)
    assert "<b>" not in text
    assert r"&lt;b&gt;none&lt;/b&gt; \| \*x\*" in text


def test_a_markdown_table_in_a_rubric_text_is_shown_as_text(framework: Framework) -> None:
    """Issue 25 item 10: a rubric text written as a Markdown table (a header, a delimiter row)
    renders as text in the report's HTML, not as a live <table>; the report's own table stays."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rubric = copy.deepcopy(rubric_data())
    table = "| EVIL | X |\n|---|---|\n| 1 | 2 |"
    rubric["labels"]["en"]["intro"] = table
    rubric["labels"]["en"]["question"] = "# Q"
    rubric["labels"]["en"]["differs"] = (table + " {criterion} {stated} {derived}")
    edited = parse_rubric(rubric, "edited.yaml")
    profile = Profile.from_mapping({**BASE, "capital": 5, "supply_chain": 3, "brand_content": 3,
                                    "tech_data": 3, "assessment": {"cap_financing": "none"}})
    result = assess(profile, rubric=edited)
    html = markdown2html_mistune(derivation_markdown(result, framework, "en", edited))
    assert "EVIL" in html
    assert "<th>EVIL</th>" not in html
    assert "<h1>" not in html
    assert html.count("<table>") == 1  # the derivation's own table


def test_rubric_type_is_frozen() -> None:
    """The rubric is an immutable value."""
    with pytest.raises(AttributeError):
        RUBRIC.version = "2"  # type: ignore[misc]
    assert isinstance(RUBRIC, Rubric)


# --- a full report from answers only ---------------------------------------------------------
@pytest.fixture(scope="module")
def answers_only_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder holding the report notebook as modelfit.deliver.notebooks writes it (with
    the derivation cells) and params/harbor.yaml."""
    import nbformat

    import modelfit.deliver.notebooks as tool

    root = tmp_path_factory.mktemp("project")
    (root / "notebooks").mkdir()
    (root / "params").mkdir()
    nbformat.write(tool.company_report(), root / "notebooks" / "company_report.ipynb")
    (root / "params" / "harbor.yaml").write_bytes((PARAMS / "harbor.yaml").read_bytes())
    return root


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ("How the ratings were derived", "From the answers", "Our own factory",
            "The recommendation")),
    ("zh", ("评分的来历", "由回答得出", "自有工厂", "推荐方案")),
])
@pytest.mark.kernel
def test_answers_only_profile_renders_a_full_report(
    answers_only_root: Path, tmp_path: Path, lang: str, expected: tuple[str, ...],
) -> None:
    """A profile with answers and no ratings renders a whole report in each language, with the
    derivation in its 'at a glance' section and in its JSON."""
    from modelfit.deliver.render import render_report

    done = render_report("harbor", out_dir=tmp_path, lang=lang, root=answers_only_root,
                         progress=False)
    html = done.html.read_text("utf-8")
    for text in expected:
        assert text in html, text
    payload = json.loads(done.json.read_text("utf-8"))
    assert payload["assessment"]["ratings"] == load_profile(HARBOR).ratings()
    assert payload["assessment"]["stated"] == dict.fromkeys(CRITERIA)


def test_profile_with_answers_stays_hashable() -> None:
    """Profiles with answers hash by content, as profiles without answers always did."""
    assert len({load_profile(HARBOR), load_profile(HARBOR), load_profile(PARAMS / "demo.yaml")}) == 2
