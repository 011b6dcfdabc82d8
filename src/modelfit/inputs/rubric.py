"""Ratings from facts: the assessment rubric (`data/rubric.yaml`) and the rule behind it.

Each of the four criteria has 4–6 questions a company can look up or state. A choice question
lists its options from the weakest to the strongest answer, each worth 0–4 points; a numeric
question has four thresholds, each reached threshold worth one point. A criterion's rating is
1 + the mean points of its answered questions, rounded half up, computed with exact fractions
so that the same answers give the same rating on any machine. A stronger answer never lowers a
rating: points never fall along the options or the thresholds, and the mean is monotone.

A profile may hold `assessment: {question_id: answer}`: `fill_ratings` checks the answers and
derives each rating the profile leaves out; `assess` says how every rating was derived and
flags stated ratings that the answers contradict.
"""

from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from modelfit.core.errors import FrameworkError, kind, shown
from modelfit.core.reading import StrictLoader, nesting, read_capped
from modelfit.core.vocab import LANGUAGES, RATINGS

MAX_RUBRIC_BYTES = 256 * 1024  # the bundled rubric is about 15 KB
MAX_RUBRIC_NESTING = 20  # the bundled one needs 5 levels

Answer = int | float | str
LANGS = LANGUAGES
CRITERIA = RATINGS
THRESHOLDS = 4


@dataclass(frozen=True)
class Option:
    """One answer of a choice question, with its points and its label in each language."""

    value: str
    points: int
    label: dict[str, str]


@dataclass(frozen=True)
class Question:
    """One rubric question: a choice (`options`) or a number (`min`..`max`, `thresholds`)."""

    id: str
    criterion: str
    text: dict[str, str]
    options: tuple[Option, ...] | None = None
    min: float | None = None
    max: float | None = None
    ascending: bool | None = None
    thresholds: tuple[float, ...] = ()
    scale: str | None = None

    @property
    def is_choice(self) -> bool:
        """True for a question answered by picking one of its options."""
        return self.options is not None

    def values(self) -> tuple[str, ...]:
        """The option values of a choice question, weakest first (empty for a number)."""
        return tuple(o.value for o in self.options or ())

    def allowed(self, lang: str = "en") -> str:
        """What an answer may be, in words (the tail of every message about a bad answer)."""
        if self.options is not None:
            return "one of " + ", ".join(self.values())
        return f"a number from {number_text(self.min)} to {number_text(self.max)}"

    def label(self, answer: Answer, lang: str) -> str:
        """An answer as a reader sees it: an option's label, or the number itself."""
        for option in self.options or ():
            if option.value == answer:
                return option.label[lang]
        if isinstance(answer, (int, float)):
            if float(answer).is_integer() and abs(answer) >= 1000:
                return f"{answer:,}"
            return number_text(answer)
        return str(answer)


@dataclass(frozen=True)
class Step:
    """One answered question's part in a derived rating."""

    question: str
    answer: Answer
    points: int


@dataclass(frozen=True)
class Rubric:
    """The questions of every criterion and the rule that turns answers into 1–5 ratings."""

    version: str
    min_answers: int
    warn_gap: int
    points_max: int
    cac_usd: dict[str, float]
    criteria: dict[str, tuple[Question, ...]]
    labels: dict[str, dict[str, str]]
    source: str = "bundled"

    @property
    def questions(self) -> dict[str, Question]:
        """Every question by id, in rubric order."""
        return {q.id: q for qs in self.criteria.values() for q in qs}

    def text(self, key: str, lang: str, **values: Any) -> str:
        """A label of the rubric in `lang`, with `{name}` placeholders filled."""
        return self.labels[lang][key].format(**values)

    def points(self, question: Question, answer: Answer, category: str = "other") -> int:
        """Points (0–4) of one valid answer; `scale: cac` counts customers the budget buys."""
        if question.options is not None:
            return next(o.points for o in question.options if o.value == answer)
        assert isinstance(answer, (int, float))
        assert not isinstance(answer, str)
        value = Fraction(answer)
        if question.scale == "cac":
            value /= Fraction(self.cac_usd.get(category, self.cac_usd["other"]))
        if question.ascending:
            return sum(1 for t in question.thresholds if value >= Fraction(t))
        return sum(1 for t in question.thresholds if value <= Fraction(t))

    def steps(self, criterion: str, answers: dict[str, Answer], category: str) -> list[Step]:
        """The answered questions of `criterion`, in rubric order, with their points."""
        return [Step(q.id, answers[q.id], self.points(q, answers[q.id], category))
                for q in self.criteria[criterion] if q.id in answers]

    def rating(self, steps: list[Step]) -> int | None:
        """1 + mean points rounded half up; None with fewer than `min_answers` answers."""
        if len(steps) < self.min_answers:
            return None
        mean = Fraction(sum(s.points for s in steps), len(steps))
        return 1 + math.floor(mean * 4 / self.points_max + Fraction(1, 2))

    def derive(self, answers: dict[str, Answer], category: str = "other") -> dict[str, int | None]:
        """The rating each criterion's answers give (None where too few were answered)."""
        return {c: self.rating(self.steps(c, answers, category)) for c in self.criteria}

    def check(self, data: Any, source: str) -> tuple[dict[str, Answer], list[str]]:
        """The valid answers in `data` (a mapping question id: answer) and a problem per bad one."""
        if not isinstance(data, dict):
            return {}, [f"{source}: assessment must be a mapping of question id: answer, "
                        f"got {kind(data)}"]
        questions = self.questions
        answers: dict[str, Answer] = {}
        problems: list[str] = []
        for key, value in data.items():
            question = questions.get(key) if isinstance(key, str) else None
            if question is None:
                problems.append(self._unknown(source, key))
                continue
            if value is None:
                continue  # a blank answer in a questionnaire: not answered
            if _valid(question, value):
                answers[key] = float(value) if isinstance(value, float) else value
            else:
                problems.append(f"{source}: assessment.{key} must be {question.allowed()}, "
                                f"got {shown(value)}")
        return answers, problems

    def _unknown(self, source: str, key: Any) -> str:
        message = f"{source}: assessment.{key} is not a question"
        close = difflib.get_close_matches(str(key), list(self.questions), n=1, cutoff=0.6)
        if close:
            return f"{message}; did you mean {close[0]!r}?"
        return f"{message}; `modelfit questionnaire` lists the questions"

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """`modelfit questionnaire --json`: each criterion's questions, options weakest first."""
        return {"criteria": {
            criterion: [{
                "id": q.id,
                "text": q.text[lang],
                "options": None if q.options is None else [
                    {"value": o.value, "label": o.label[lang]} for o in q.options],
                "min": _json_num(q.min),
                "max": _json_num(q.max),
                "ascending": q.ascending,
            } for q in questions]
            for criterion, questions in self.criteria.items()
        }}


# --- what a profile's answers give --------------------------------------------------------
def fill_ratings(
    fields: dict[str, Any], data: Any, source: str, rubric: Rubric | None = None,
) -> tuple[dict[str, Answer], tuple[str, ...], list[str]]:
    """Check a profile's `assessment:` answers and derive every rating `fields` leaves out.

    Returns the valid answers, the criteria whose ratings were derived (now set in `fields`),
    and one problem per bad answer or per missing rating with too few answers.
    """
    rubric = rubric or load_rubric()
    answers, problems = rubric.check(data, source)
    category = fields.get("category", "other")
    category = category if isinstance(category, str) else "other"
    derived: list[str] = []
    for criterion in rubric.criteria:
        if criterion in fields:
            continue
        steps = rubric.steps(criterion, answers, category)
        rating = rubric.rating(steps)
        if rating is None:
            ids = ", ".join(q.id for q in rubric.criteria[criterion])
            problems.append(
                f"{source}: {criterion} is missing; it must be an integer from 1 to 5, or be "
                f"derived from at least {rubric.min_answers} answers to its questions ({ids}) "
                f"under assessment:, got {len(steps)} answer(s)")
            continue
        fields[criterion] = rating
        derived.append(criterion)
    return answers, tuple(derived), problems



# --- loading ----------------------------------------------------------------------------------
@functools.cache
def _bundled() -> Rubric:
    text = resources.files("modelfit").joinpath("data", "rubric.yaml").read_text("utf-8")
    return parse_rubric(yaml.safe_load(text), "bundled")


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The bundled rubric, or a validated edited copy at `path`."""
    if path is None:
        return _bundled()
    p = Path(path)
    raw = read_capped(p, MAX_RUBRIC_BYTES, "a rubric file", FrameworkError)
    try:
        text = raw.decode("utf-8")
        if nesting(text) > MAX_RUBRIC_NESTING:
            raise FrameworkError(f"{p}: lists or mappings nested too deep; a rubric may nest at "
                                 f"most {MAX_RUBRIC_NESTING} levels")
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - SafeLoader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{p}: not a valid YAML rubric ({exc})") from None
    return parse_rubric(data, str(p))


def parse_rubric(data: Any, source: str) -> Rubric:
    """Validate a rubric's data: 4–6 questions per criterion, both languages, monotone points."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise FrameworkError(f"{source}: a rubric must be a mapping, got {kind(data)}")
    rule = data.get("rule") or {}
    criteria_data = data.get("criteria") or {}
    if not isinstance(criteria_data, dict) or tuple(criteria_data) != CRITERIA:
        got = list(criteria_data) if isinstance(criteria_data, dict) else criteria_data
        raise FrameworkError(f"{source}: criteria must be {', '.join(CRITERIA)} in this order, "
                             f"got {shown(got)}")
    points_max = rule.get("points_max", 4)
    criteria: dict[str, tuple[Question, ...]] = {}
    seen: set[str] = set()
    for criterion, items in criteria_data.items():
        if not isinstance(items, list) or not 4 <= len(items) <= 6:
            problems.append(f"{source}: criteria.{criterion} must list 4 to 6 questions, "
                            f"got {len(items) if isinstance(items, list) else shown(items)}")
            continue
        questions = []
        for item in items:
            try:
                question = _question(item, criterion, points_max)
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(f"{source}: criteria.{criterion}: a question is malformed ({exc})")
                continue
            problems += [f"{source}: {p}" for p in _question_problems(question, points_max)]
            if question.id in seen:
                problems.append(f"{source}: question id {question.id!r} appears twice")
            seen.add(question.id)
            questions.append(question)
        criteria[criterion] = tuple(questions)
    labels = data.get("labels") or {}
    for lang in LANGS:
        if not isinstance(labels.get(lang), dict):
            problems.append(f"{source}: labels.{lang} is missing")
    cac = data.get("cac_usd") or {}
    if "other" not in cac or not all(isinstance(v, (int, float)) and v > 0 for v in cac.values()):
        problems.append(f"{source}: cac_usd must give a positive cost for 'other' and each category")
    if problems:
        raise FrameworkError(problems)
    return Rubric(
        version=str(data.get("version", "")), min_answers=int(rule.get("min_answers", 3)),
        warn_gap=int(rule.get("warn_gap", 2)), points_max=int(points_max),
        cac_usd={str(k): float(v) for k, v in cac.items()}, criteria=criteria,
        labels={lang: {str(k): str(v) for k, v in labels[lang].items()} for lang in LANGS},
        source=source,
    )


def _question(item: dict[str, Any], criterion: str, points_max: int) -> Question:
    text = {lang: str(item["text"][lang]) for lang in LANGS}
    if "options" in item:
        options = tuple(Option(str(o["value"]), int(o["points"]),
                               {lang: str(o["label"][lang]) for lang in LANGS})
                        for o in item["options"])
        return Question(str(item["id"]), criterion, text, options=options)
    return Question(str(item["id"]), criterion, text, min=float(item["min"]),
                    max=float(item["max"]), ascending=bool(item["ascending"]),
                    thresholds=tuple(float(t) for t in item["thresholds"]),
                    scale=item.get("scale"))


def _question_problems(q: Question, points_max: int) -> list[str]:
    where = f"question {q.id}"
    if q.options is not None:
        points = [o.points for o in q.options]
        if not 3 <= len(points) <= 6:
            return [f"{where}: a choice question needs 3 to 6 options, got {len(points)}"]
        if points[0] != 0 or points[-1] != points_max or points != sorted(points):
            return [f"{where}: option points must rise from 0 to {points_max}, weakest option "
                    f"first, got {points}"]
        if len(set(q.values())) != len(points):
            return [f"{where}: option values must be distinct"]
        return []
    assert q.min is not None
    assert q.max is not None
    ts = list(q.thresholds)
    if len(ts) != THRESHOLDS:
        return [f"{where}: a numeric question needs {THRESHOLDS} thresholds, got {len(ts)}"]
    if ts != (sorted(ts) if q.ascending else sorted(ts, reverse=True)) or len(set(ts)) != len(ts):
        order = "rising" if q.ascending else "falling"
        return [f"{where}: thresholds must be strictly {order} (ascending: {q.ascending}), got {ts}"]
    if q.scale not in (None, "cac"):
        return [f"{where}: scale must be cac or absent, got {q.scale!r}"]
    if not q.min < q.max:
        return [f"{where}: min must be below max"]
    return []


def _valid(question: Question, value: Any) -> bool:
    if question.options is not None:
        return isinstance(value, str) and value in question.values()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    assert question.min is not None
    assert question.max is not None
    return math.isfinite(value) and question.min <= value <= question.max


def number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return f"{value}"


def _json_num(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value.is_integer() else value


