"""The portfolio view: every company's answer side by side, from rendered reports' JSON files."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML, Image, Markdown
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from modelfit.core.errors import ModelfitError
from modelfit.core.safe import markdown_text, spreadsheet_cell
from modelfit.core.vocab import LANGUAGES
from modelfit.decision.framework import Framework
from modelfit.decision.robustness import HIGH_CONFIDENCE, sureness
from modelfit.inputs.profile import RESERVED_IDS
from modelfit.provenance import report_stem, stem_parts
from modelfit.views import charts

NEAR_MARGIN = 3.0  # points between the top two models below which a company is near a boundary
NEAR_CONFIDENCE = 0.6  # first-rank acceptability below which a company is near a boundary


def row(payload: dict[str, Any]) -> dict[str, Any]:
    """One portfolio row from a report's JSON payload."""
    scores = payload["scores"]
    ranking = payload["ranking"]
    robustness = payload.get("robustness") or {}
    classifier = payload.get("classifier") or {}
    out: dict[str, Any] = {
        "company_id": payload["company_id"],
        "company": payload["company"],
        "stage": payload["stage"],
        "primary": payload["primary"],
        "channels": " + ".join(payload["channels"]),
        **{f"score_{m}": round(float(scores[m]), 2) for m in scores},
        # The lead over the best rival no rule holds back (NaN: a rule holds every rival back).
        "margin": (np.nan if "margin" in robustness and robustness["margin"] is None
                   else round(float(robustness["margin"]), 2) if "margin" in robustness
                   else round(float(scores[ranking[0]]) - float(scores[ranking[1]]), 2)),
        "runner_up": ranking[1],
        "confidence": robustness.get("confidence", np.nan),
        "classifier_primary": classifier.get("primary"),
        "held_by": " ".join(robustness.get("held_by") or ()),
    }
    out["classifier_agrees"] = (None if out["classifier_primary"] is None
                                else out["classifier_primary"] == out["primary"])
    out["level"] = robustness.get("level") or level_of(out)
    return out


def report_languages(folder: Path) -> dict[str, list[str]]:
    """Company id -> the languages its reports in `folder` are in (English first): `<id>.json`
    is the English report, `<id>.zh.json` the Chinese one (modelfit.provenance.report_stem)."""
    # The portfolio's own files are named by the reserved id `portfolio`, so a company such as
    # `portfolio-co` is in the table.
    found: dict[str, list[str]] = {}
    for path in sorted(Path(folder).glob("*.json")):
        cid, lang = stem_parts(path.stem)
        if cid not in RESERVED_IDS and lang in LANGUAGES:
            found.setdefault(cid, []).append(lang)
    return {cid: sorted(langs, key=LANGUAGES.index) for cid, langs in found.items()}


def level_of(row: dict[str, Any]) -> str:
    """How sure, in one word, on the report's scale (`sureness`), from a row's figures."""
    confidence = _confidence(row)
    margin = row.get("margin")
    return sureness(1.0 if confidence is None else confidence,
                    None if margin is None or pd.isna(margin) else float(margin),
                    row.get("classifier_agrees") is False)


def load_reports(folder: Path) -> pd.DataFrame:
    """The portfolio table from the reports in `folder`, one row per company (its English
    `<id>.json`, else its report in another language), sorted by company id."""
    found = report_languages(folder)
    if not found:
        raise ModelfitError(f"{folder}: no <company_id>.json reports to build a portfolio from")
    rows = []
    for cid, langs in sorted(found.items()):
        path = Path(folder) / f"{report_stem(cid, langs[0])}.json"
        try:
            rows.append(row(json.loads(path.read_text("utf-8"))))
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelfitError(f"{path}: not a modelfit report JSON ({exc})") from None
    return pd.DataFrame(rows).set_index("company_id")


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell (and the index) safe from formula injection in a
    spreadsheet: a name such as `=cmd|' /C calc'!A0` is written as text."""
    def cell(value: Any) -> Any:
        return spreadsheet_cell(value) if isinstance(value, str) else value

    out = table.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(cell)
    out.index = out.index.map(cell)
    out.columns = out.columns.map(cell)
    return out


def from_params(params_dir: Path, lang: str = "en") -> pd.DataFrame:
    """The portfolio table computed directly from the profiles in `params_dir` (no rendering)."""
    from modelfit.inputs.profile import load_profile, profile_paths
    from modelfit.views import report

    rows = []
    for path in profile_paths(params_dir):
        profile = load_profile(path)
        data = report.build(profile.company_id, profile.fields(), lang=lang,
                            profile_sha256=profile.source_sha256)
        rows.append(row(data.to_dict()))
    return pd.DataFrame(rows).set_index("company_id")


def _confidence(row: dict[str, Any]) -> float | None:
    value = row.get("confidence")
    return None if value is None or pd.isna(value) else float(value)


def attention(row: dict[str, Any]) -> list[str]:
    """Why a company needs attention, as label keys: a close call (the report's 'too close to
    call' rule), low confidence (below the summary's 'high' bar), a classifier that disagrees."""
    reasons = []
    level = row.get("level") or level_of(row)
    if level == "low":
        reasons.append("p_close")
    elif (_confidence(row) or 1.0) < HIGH_CONFIDENCE:
        reasons.append("p_low")
    if row.get("classifier_agrees") is False:
        reasons.append("p_disagrees")
    return reasons


def _rows(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(cid): {str(k): v for k, v in row.items()}
            for cid, row in table.to_dict("index").items()}


def _lead(margin: Any) -> float:
    """A lead for sorting: a lead a rule holds (NaN) sorts after every lead in points."""
    return float("inf") if margin is None or pd.isna(margin) else float(margin)


def attention_order(table: pd.DataFrame) -> list[str]:
    """Company ids, those that need attention first: close calls, then low confidence, then a
    disagreeing classifier; within each, the least sure (confidence, then margin) first."""
    rows = _rows(table)

    def key(cid: str) -> tuple[Any, ...]:
        reasons = attention(rows[cid])
        confidence = _confidence(rows[cid])
        return ("p_close" not in reasons, "p_low" not in reasons, "p_disagrees" not in reasons,
                1.0 if confidence is None else confidence,
                _lead(rows[cid]["margin"]), cid)

    return sorted(rows, key=key)


LANGUAGE_NAMES = {"en": "English", "zh": "中文"}  # each language named in itself


@dataclass(frozen=True)
class Portfolio:
    """Tables and figures over a portfolio table."""

    table: pd.DataFrame
    fw: Framework
    lang: str
    links: bool = False  # the companies link to <id>.html (and <id>.zh.html) beside the portfolio
    languages: dict[str, list[str]] = field(default_factory=dict)  # id -> its reports' languages

    def _label(self, key: str) -> str:
        return self.fw.label(key, self.lang)

    def _name(self, model: Any) -> str:
        if model in self.fw.models:
            return self.fw.model_name(model, self.lang)
        return "" if model is None or pd.isna(model) else str(model)

    def heading(self) -> Markdown:
        """Title with the count of companies, in the report's language."""
        text = self.fw.text("report.portfolio_title", self.lang, count=len(self.table))
        return Markdown(f"# {markdown_text(text)}")

    def section(self, title: str) -> Markdown:
        """A section heading: a label key of the framework (`p_mix`), or literal text."""
        with contextlib.suppress(KeyError):
            title = self.fw.label(title, self.lang)
        return Markdown(f"## {markdown_text(title)}")

    def companies(self) -> HTML:
        """Every company, those that need attention first: display names in the report's
        language, confidence as a percent, each company linked to its own report."""
        from modelfit.core.safe import html_text

        rows = []
        data = _rows(self.table)
        for cid in attention_order(self.table):
            row = data[cid]
            name = html_text(row["company"])
            if self.links:
                name = self._linked(cid, name)
            confidence = _confidence(row)
            pick = row.get("classifier_primary")
            classifier = "" if pick is None or pd.isna(pick) else self._name(pick)
            stage = str(row["stage"])
            rows.append({
                self._label("company"): name,
                self._label("stage"): html_text(self.fw.stage_name(stage, self.lang)
                                                if stage in self.fw.stages else stage),
                self._label("primary"): html_text(self._name(row["primary"])),
                self._label("score"): f"{row['score_' + str(row['primary'])]:.1f}",
                self._label("x_lead"): html_text(self._lead_text(row["margin"])),
                self._label("x_runner_up"): html_text(self._name(row["runner_up"])),
                self._label("sum_confidence"): ("–" if confidence is None
                                                else f"{100 * confidence:.0f}%"),
                self._label("sum_how_sure"): html_text(self._label(
                    f"sure_{row.get('level') or level_of(row)}")),
                self._label("sum_classifier"): html_text(classifier),
                self._label("p_attention"): ("、" if self.lang == "zh" else ", ").join(
                    html_text(self._label(k)) for k in attention(row)),
            })
        table = pd.DataFrame(rows).to_html(index=False, escape=False, border=0,
                                           classes="dataframe modelfit-portfolio")
        return HTML(table)

    def _linked(self, cid: str, name: str) -> str:
        """The company's name linked to its report in the portfolio's language (or the first
        there is), followed by a link to each other language's report: 中文, English."""
        from modelfit.core.safe import html_text

        langs = self.languages.get(cid) or ["en"]
        first = self.lang if self.lang in langs else langs[0]
        links = [f'<a href="{html_text(report_stem(cid, first))}.html">{name}</a>']
        links += [f'<a href="{html_text(report_stem(cid, lang))}.html" hreflang="{lang}">'
                  f"{LANGUAGE_NAMES[lang]}</a>" for lang in langs if lang != first]
        return " · ".join(links)

    def mix(self) -> pd.DataFrame:
        """How many companies each model is recommended to, by display name."""
        counts = self.table["primary"].value_counts().reindex(list(self.fw.models), fill_value=0)
        frame = counts.rename(self._label("p_count")).to_frame()
        frame.index = pd.Index([self._name(m) for m in frame.index])
        return frame

    def mix_figure(self) -> Image:
        """The mix of recommended models as bars."""
        lang = charts.figure_lang(self.lang)
        counts = self.table["primary"].value_counts().reindex(list(self.fw.models),
                                                               fill_value=0)
        fig = Figure(figsize=(6.4, 2.6))
        ax = fig.add_subplot()
        ax.barh([self.fw.model_name(m, lang) for m in counts.index], counts.to_numpy(),
                color=[charts.MODEL_COLOURS[m] for m in counts.index])
        ax.set_xlabel("companies" if lang == "en" else "企业数")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        return Image(data=charts.to_png(fig), format="png",
                     metadata={"alt": ", ".join(f"{self._name(m)}: {n}" for m, n in counts.items())})

    def stage_by_model(self) -> pd.DataFrame:
        """Stage (rows) against recommended model (columns), counts."""
        table = pd.crosstab(
            pd.Categorical(self.table["stage"], categories=list(self.fw.stages)),
            pd.Categorical(self.table["primary"], categories=list(self.fw.models)),
            rownames=[self._label("stage")], colnames=[self._label("primary")], dropna=False,
        )
        table.index = pd.Index([self.fw.stage_name(s, self.lang) for s in table.index],
                               name=self._label("stage"))
        table.columns = pd.Index([self._name(m) for m in table.columns],
                                 name=self._label("primary"))
        return table

    def _lead_text(self, margin: Any) -> str:
        """The lead in points, or "held by a rule" when a rule holds every rival back."""
        if margin is None or pd.isna(margin):
            return self._label("lead_held")
        return f"{float(margin):.1f}"

    def near_boundary(self) -> pd.DataFrame | Markdown:
        """Companies whose top two models are close (margin or confidence), closest first."""
        near = self.table["margin"] < NEAR_MARGIN
        if self.table["confidence"].notna().any():
            near |= self.table["confidence"] < NEAR_CONFIDENCE
        picked = self.table.loc[near].sort_values("margin", kind="stable")  # ties keep file order on any CPU
        if picked.empty:
            return Markdown(markdown_text(self._label("p_none_near")))
        return pd.DataFrame({
            self._label("primary"): [self._name(m) for m in picked["primary"]],
            self._label("x_runner_up"): [self._name(m) for m in picked["runner_up"]],
            self._label("x_lead"): [self._lead_text(m) for m in picked["margin"]],
            self._label("sum_confidence"): ["–" if pd.isna(c) else f"{100 * c:.0f}%"
                                            for c in picked["confidence"]],
        }, index=pd.Index(list(picked["company"]), name=self._label("company")))


def portfolio(
    reports_dir: str | None = None, params_dir: str | None = None, lang: str = "en",
    framework_path: str | None = None,
) -> Portfolio:
    """The portfolio from rendered reports (`reports_dir`) or straight from profiles."""
    pd.set_option("display.max_colwidth", None)
    if reports_dir:
        table = load_reports(Path(reports_dir))
    elif params_dir:
        table = from_params(Path(params_dir), lang)
    else:
        raise ModelfitError("portfolio needs reports_dir or params_dir")
    return Portfolio(table, Framework.load(framework_path), lang, links=bool(reports_dir),
                     languages=report_languages(Path(reports_dir)) if reports_dir else {})
