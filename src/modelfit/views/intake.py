"""The analysts' intake form: ipywidgets generated from the profile schema and the rubric.

One widget per profile field (`profile.FIELDS`) and per rubric question (`data/rubric.yaml`), so
the form cannot drift from either. Every change re-validates the profile, re-derives the ratings
and re-scores the recommendation; the save button writes `params/<company_id>.yaml` (never over
an existing file unless "overwrite" is ticked). `notebooks/intake.ipynb` only displays the form;
tests drive the widgets directly.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w  # type: ignore[import-untyped]
from IPython.display import Markdown

from modelfit.core.errors import ModelfitError
from modelfit.core.files import place_all, staged_file
from modelfit.core.vocab import BASE_CHANNELS, CATEGORIES, MARKETS, RATINGS, STAGES
from modelfit.decision.framework import Framework
from modelfit.decision.recommend import recommend
from modelfit.inputs.profile import FIELDS, FieldSpec, Profile, check_company_id
from modelfit.inputs.rubric import Question, Rubric, load_rubric
from modelfit.inputs.spreadsheet import profile_yaml

FROM_ANSWERS = "—"
_CHOICES = {"stage": STAGES, "category": CATEGORIES}
_LISTS = {"target_markets": MARKETS, "existing_channels": BASE_CHANNELS}
_TEXTS = {
    "en": {"company_id": "File name (company id)", "save": "Write params file",
           "overwrite": "overwrite an existing file", "valid": "Valid profile.",
           "problems": "Fix these before saving:", "primary": "Recommended model",
           "ratings": "Ratings", "from_answers": "from the answers", "stated": "stated",
           "answers": "Answers", "fields": "Profile", "wrote": "Wrote {path}",
           "blank": "(blank: not answered)", "rating_hint": "— = derive from the answers"},
    "zh": {"company_id": "文件名(企业 id)", "save": "写入档案文件",
           "overwrite": "覆盖已有文件", "valid": "档案有效。",
           "problems": "保存前请修正:", "primary": "推荐模式",
           "ratings": "评分", "from_answers": "由回答得出", "stated": "直接填写",
           "answers": "问卷回答", "fields": "企业档案", "wrote": "已写入 {path}",
           "blank": "(留空:未回答)", "rating_hint": "— = 由回答得出"},
}


class IntakeForm:
    """A profile form with live validation, derived ratings and the recommendation."""

    def __init__(
        self, *, params_dir: str | Path = "params", lang: str = "en",
        framework: Framework | None = None, rubric: Rubric | None = None,
        initial: dict[str, Any] | None = None, company_id: str = "",
    ) -> None:
        self.params_dir = Path(params_dir)
        self.lang = lang
        self.fw = framework or Framework.load()
        self.rubric = rubric or load_rubric()
        self.t = _TEXTS[lang]
        self.company_id = w.Text(value=company_id, description=self.t["company_id"],
                                 style={"description_width": "initial"})
        self.fields: dict[str, w.ValueWidget] = {s.name: self._field_widget(s) for s in FIELDS}
        self.answers: dict[str, w.ValueWidget] = {
            q.id: self._question_widget(q) for q in self.rubric.questions.values()}
        self.overwrite = w.Checkbox(value=False, description=self.t["overwrite"])
        self.save_button = w.Button(description=self.t["save"], button_style="primary")
        self.status = w.HTML()
        self.ratings_view = w.HTML()
        self.recommendation_view = w.HTML()
        self.saved = w.HTML()
        self.problems: list[str] = []
        self.profile: Profile | None = None
        if initial:
            self.load(initial)
        for widget in (self.company_id, *self.fields.values(), *self.answers.values()):
            widget.observe(self._changed, names="value")
        self.save_button.on_click(lambda _: self._save_clicked())
        self.refresh()

    # --- building ---------------------------------------------------------------------------
    def _field_widget(self, spec: FieldSpec) -> w.ValueWidget:
        label = self._field_label(spec.name)
        style = {"description_width": "16em"}
        layout = w.Layout(width="40em")
        if spec.name in RATINGS:
            return w.Dropdown(options=[(FROM_ANSWERS, None), *[(str(i), i) for i in range(1, 6)]],
                              value=None, description=label, style=style, layout=layout)
        if spec.name in _CHOICES:
            options: list[tuple[str, str | None]] = [
                (self._choice_label(spec.name, v), v) for v in _CHOICES[spec.name]]
            default = spec.default if spec.default is not None else None
            if default is None:
                options = [("", None), *options]
            return w.Dropdown(options=options, value=default, description=label, style=style,
                              layout=layout)
        if spec.name in _LISTS:
            return w.SelectMultiple(options=[(self._choice_label(spec.name, v), v)
                                             for v in _LISTS[spec.name]],
                                    value=tuple(spec.default or ()), description=label, style=style,
                                    layout=layout)
        if spec.kind in ("number", "integer"):
            return w.Text(value=_as_text(spec.default), description=label, placeholder=spec.allowed,
                          style=style, layout=layout)
        return w.Text(value="", description=label, placeholder=spec.allowed, style=style,
                      layout=layout)

    def _question_widget(self, q: Question) -> w.ValueWidget:
        style = {"description_width": "0"}
        layout = w.Layout(width="40em")
        if q.options is not None:
            return w.Dropdown(options=[(self.t["blank"], None),
                                       *[(o.label[self.lang], o.value) for o in q.options]],
                              value=None, style=style, layout=layout)
        return w.Text(value="", placeholder=q.allowed(self.lang), style=style, layout=layout)

    def _field_label(self, name: str) -> str:
        if name in RATINGS:
            return self.fw.criterion_name(name, self.lang)
        try:
            return self.fw.label(f"f_{name}", self.lang)
        except KeyError:
            return name

    def _choice_label(self, field: str, value: str) -> str:
        if field == "stage":
            return self.fw.stage_name(value, self.lang)
        if field == "category":
            return self.fw.label(f"cat_{value}", self.lang)
        if field == "existing_channels":
            return self.fw.model_name(value, self.lang)
        return value.upper()

    # --- reading the widgets -----------------------------------------------------------------
    def data(self) -> dict[str, Any]:
        """The profile the widgets hold, as a params file would (blank fields left out)."""
        return self._read("form")[0]

    def _read(self, source: str) -> tuple[dict[str, Any], list[str]]:
        """The widgets' data, and a problem per typed value that is not a number."""
        data: dict[str, Any] = {}
        problems: list[str] = []
        for spec in FIELDS:
            value = self.fields[spec.name].value
            if spec.name in _LISTS:
                if value or spec.default is not None:  # no channel ticked: not said
                    data[spec.name] = list(value)
            elif spec.kind in ("number", "integer") and spec.name not in RATINGS:
                if str(value).strip():
                    number = _number(str(value))
                    if number is None:
                        problems.append(f"{source}: {spec.name} must be {spec.allowed}, "
                                        f"got {value!r}")
                    else:
                        data[spec.name] = number
            elif value is not None and value != "":
                data[spec.name] = value
        answers: dict[str, Any] = {}
        for qid, widget in self.answers.items():
            value = widget.value
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            question = self.rubric.questions[qid]
            if question.is_choice:
                answers[qid] = value
                continue
            number = _number(str(value))
            if number is None:
                problems.append(f"{source}: assessment.{qid} must be {question.allowed()}, "
                                f"got {value!r}")
            else:
                answers[qid] = number
        # Always present, so that a missing rating is explained with the questions that give it.
        data["assessment"] = answers
        return data, problems

    def load(self, data: dict[str, Any]) -> None:
        """Set the widgets from a profile's data (e.g. a params file read with yaml)."""
        for spec in FIELDS:
            if spec.name not in data:
                continue
            value = data[spec.name]
            if spec.name in _LISTS:
                self.fields[spec.name].value = tuple(value)
            elif spec.kind in ("number", "integer") and spec.name not in RATINGS:
                self.fields[spec.name].value = _as_text(value)
            else:
                self.fields[spec.name].value = value
        for qid, value in (data.get("assessment") or {}).items():
            if qid in self.answers:
                self.answers[qid].value = value if isinstance(value, str) else _as_text(value)

    # --- live results --------------------------------------------------------------------------
    def _changed(self, _change: Any) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-validate, re-derive the ratings and re-score; update the three views."""
        self.saved.value = ""
        cid = self.company_id.value.strip() or "new"
        source = f"{self.params_dir / cid}.yaml"
        self.problems = []
        self.profile = None
        try:
            check_company_id(cid, what=self.t["company_id"])
        except ModelfitError as exc:
            self.problems += exc.problems
        data, typed = self._read(source)
        self.problems += typed
        try:
            profile = Profile.from_mapping(data, source=source, company_id=cid)
        except ModelfitError as exc:
            self.problems += exc.problems
        else:
            self.profile = None if typed else profile
        if not self.company_id.value.strip():
            self.problems.insert(0, f"{self.t['company_id']}: empty")
        self.status.value = self.status_html()
        self.ratings_view.value = self.ratings_html()
        self.recommendation_view.value = self.recommendation_html()

    def derived(self) -> dict[str, int | None]:
        """The rating each criterion's current answers give (None where too few)."""
        answers, _ = self.rubric.check(self.data().get("assessment", {}), "form")
        category = self.fields["category"].value or "other"
        return self.rubric.derive(answers, category)

    def primary(self) -> str | None:
        """The recommended model for the current answers, or None while the form is invalid."""
        return None if self.profile is None else recommend(self.profile, self.fw, self.lang).primary

    def status_html(self) -> str:
        """'Valid profile.' or the list of problems, escaped."""
        if not self.problems:
            return f"<b>{html.escape(self.t['valid'])}</b>"
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        return f"<b>{html.escape(self.t['problems'])}</b><ul>{items}</ul>"

    def ratings_html(self) -> str:
        """Each criterion: the stated rating or the one the answers give."""
        derived = self.derived()
        rows = []
        for criterion in RATINGS:
            stated = self.fields[criterion].value
            got = derived[criterion]
            shown = (f"{stated} ({self.t['stated']})" if stated is not None
                     else f"{got} ({self.t['from_answers']})" if got is not None else "?")
            if stated is not None and got is not None and abs(stated - got) >= self.rubric.warn_gap:
                shown += " ⚠ " + html.escape(self.rubric.text(
                    "differs", self.lang, criterion=self.fw.criterion_name(criterion, self.lang),
                    stated=stated, derived=got))
            rows.append(f"<tr><td>{html.escape(self.fw.criterion_name(criterion, self.lang))}</td>"
                        f"<td>{shown}</td></tr>")
        return f"<b>{html.escape(self.t['ratings'])}</b><table>{''.join(rows)}</table>"

    def recommendation_html(self) -> str:
        """The primary model and the four scores, or nothing while the profile is invalid."""
        if self.profile is None:
            return ""
        rec = recommend(self.profile, self.fw, self.lang)
        scores = ", ".join(f"{html.escape(self.fw.model_name(m, self.lang))} {rec.scores[m]:.1f}"
                           for m in rec.ranking)
        return (f"<b>{html.escape(self.t['primary'])}: "
                f"{html.escape(self.fw.model_name(rec.primary, self.lang))}</b><br>{scores}")

    def overview(self) -> Markdown:
        """The form's state as one line of markdown (what the notebook shows to nbval)."""
        return Markdown(html.escape(self.summary()))

    def summary(self) -> str:
        """A plain-text line of the form's state (what the notebook prints for nbval)."""
        derived = ", ".join(f"{c} {v if v is not None else '?'}" for c, v in self.derived().items())
        primary = self.primary() or "-"
        return f"{len(self.problems)} problem(s); derived ratings: {derived}; primary: {primary}"

    # --- saving --------------------------------------------------------------------------------
    def save(self) -> Path:
        """Write params/<company_id>.yaml; raise ModelfitError while invalid or when it exists."""
        self.refresh()
        if self.problems or self.profile is None:
            raise ModelfitError(self.problems)
        path = self.params_dir / f"{self.profile.company_id}.yaml"
        if path.exists() and not self.overwrite.value:
            raise ModelfitError(f"{path}: already exists; tick '{self.t['overwrite']}' to replace it")
        text = profile_yaml(self.profile.params(), note="written by the modelfit intake form")
        try:
            self.params_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ModelfitError(f"{self.params_dir}: the folder cannot be made "
                                f"({exc.strerror}); choose a folder you can write to") from None
        # written beside the profile with the ordinary mode, then moved into place; a read-only
        # folder or a full disk is one line naming the profile, and nothing is left behind
        place_all([(staged_file(path, text), path)])
        return path

    def _save_clicked(self) -> None:
        try:
            path = self.save()
        except ModelfitError as exc:
            self.saved.value = "<br>".join(html.escape(p) for p in exc.problems)
            return
        self.saved.value = html.escape(self.t["wrote"].format(path=path))

    # --- layout --------------------------------------------------------------------------------
    def widget(self) -> w.Widget:
        """The whole form: fields, the questions by criterion, live results and the save button."""
        field_box = w.VBox([self.company_id, *self.fields.values(),
                            w.HTML(f"<i>{html.escape(self.t['rating_hint'])}</i>")])
        sections = []
        for questions in self.rubric.criteria.values():
            rows = [w.VBox([w.HTML(html.escape(q.text[self.lang])), self.answers[q.id]])
                    for q in questions]
            sections.append(w.VBox(rows))
        answers = w.Accordion(children=sections, titles=tuple(
            self.fw.criterion_name(c, self.lang) for c in self.rubric.criteria))
        results = w.VBox([self.status, self.ratings_view, self.recommendation_view,
                          w.HBox([self.save_button, self.overwrite]), self.saved])
        return w.VBox([w.HTML(f"<h3>{html.escape(self.t['fields'])}</h3>"), field_box,
                       w.HTML(f"<h3>{html.escape(self.t['answers'])}</h3>"), answers, results])


def form(*, params_dir: str | Path = "params", lang: str = "en", company_id: str = "",
         profile_path: str | Path | None = None) -> IntakeForm:
    """A new intake form, empty or filled from an existing profile file."""
    initial = None
    if profile_path is not None:
        from modelfit.inputs.profile import load_profile

        loaded = load_profile(profile_path)
        initial = loaded.params()
        company_id = company_id or loaded.company_id
    return IntakeForm(params_dir=params_dir, lang=lang, initial=initial, company_id=company_id)


def _number(text: str) -> int | float | None:
    """A typed number (an int when written without a point), or None when it is not one."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
