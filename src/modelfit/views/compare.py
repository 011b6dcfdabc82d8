"""Side by side: several companies, or one company and its what-if scenarios.

`compare(items)` takes profiles (`Profile`, a path to a params file), full answers
(`modelfit.analyse`'s), what-if views (`whatif.View`) or what-if scenarios (`whatif.Scenario`,
applied to the first profile in the list), answers each (the recommendation, and its confidence
from `modelfit.decision.robustness` with the same seed for all), and returns a `Comparison`:
`.table()` side by side (one column per item), `.contributions()` (tidy: item, model, term,
points), `.figure()` (scores, the primary's contributions, confidence) and `.to_dict()`.

A what-if scenario saved from the what-if notebook is a params file whose first line names its
base company; `scenarios_of(company_id)` finds them, so `compare([base, *scenarios_of(base)])`
sets them beside their base.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelfit.analysis import Analysis
from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import LANGUAGES
from modelfit.decision.framework import Framework
from modelfit.decision.recommend import Recommendation, recommend
from modelfit.decision.robustness import DEFAULT_SAMPLES
from modelfit.decision.robustness import analyse as robustness_of
from modelfit.inputs.profile import Profile, check_company_id, load_profile
from modelfit.views import charts
from modelfit.views.whatif import Scenario, View, evaluate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Item = Profile | Analysis | View | Scenario | str | Path
# The what-if notebook's first line of a saved scenario (views.whatif.save_profile).
SAVED_HEADER = re.compile(r"# What-if scenario of ([a-z0-9][a-z0-9_-]*), saved from ")
WORDS = {
    "en": {"runner_up": "Runner-up", "margin": "Margin (points)", "confidence": "Confidence",
           "held_by": "Held in place by", "item": "Compared", "contributions":
           "The primary's score, term by term"},
    "zh": {"runner_up": "次优模式", "margin": "领先分差", "confidence": "把握度",
           "held_by": "由规则保留", "item": "对比项", "contributions": "首选模式得分构成"},
}


@dataclass(frozen=True)
class Entry:
    """One compared item: its label, recommendation, confidence and the screens holding it."""

    label: str
    rec: Recommendation
    confidence: float
    held_by: str


@dataclass(frozen=True)
class Comparison:
    """Several answers side by side (module docstring)."""

    entries: tuple[Entry, ...]
    fw: Framework
    lang: str

    def _word(self, key: str) -> str:
        return WORDS[self.lang][key]

    def table(self) -> pd.DataFrame:
        """One column per item: stage, primary, runner-up, margin, confidence, channels, the
        screens that hold the primary, then each model's score."""
        fw, lang = self.fw, self.lang
        sep = "、" if lang == "zh" else ", "
        rows: dict[str, list[Any]] = {
            fw.label("stage", lang): [fw.stage_name(e.rec.stage, lang) for e in self.entries],
            fw.label("primary", lang): [fw.model_name(e.rec.primary, lang) for e in self.entries],
            self._word("runner_up"): [fw.model_name(e.rec.runner_up, lang) for e in self.entries],
            self._word("margin"): [round(e.rec.margin, 2) for e in self.entries],
            self._word("confidence"): [f"{100 * e.confidence:.0f}%" for e in self.entries],
            fw.label("channels", lang): [sep.join(fw.model_name(c, lang) for c in e.rec.channels)
                                         for e in self.entries],
            self._word("held_by"): [sep.join(e.held_by.split(";")) if e.held_by else "–"
                                    for e in self.entries],
        }
        for m in fw.models:
            rows[f"{fw.label('score', lang)}: {fw.model_name(m, lang)}" if lang == "en" else
                 f"{fw.label('score', lang)}：{fw.model_name(m, lang)}"] = [
                round(e.rec.scores[m], 2) for e in self.entries]
        table = pd.DataFrame(rows, index=pd.Index(self.labels(), name=self._word("item"))).T
        table.columns.name = None
        return table

    def labels(self) -> list[str]:
        """The items' labels, in order."""
        return [e.label for e in self.entries]

    def contributions(self) -> pd.DataFrame:
        """Every item's contributions as one tidy table: item, model, term, points."""
        return pd.concat([e.rec.to_frame().assign(item=e.label) for e in self.entries],
                         ignore_index=True)[["item", "model", "term", "points"]]

    def primary_contributions(self) -> pd.DataFrame:
        """Each item's primary's score term by term (rows: the stage prior, the criteria, any
        screen; one column per item), with the primary and its score."""
        fw, lang = self.fw, self.lang
        terms = ["stage_prior", *fw.criteria]
        screens = sorted({k for e in self.entries for k in e.rec.contributions[e.rec.primary]
                          if k.startswith("screen_")})
        names = [fw.label("stage_prior", lang), *(fw.criterion_name(c, lang) for c in fw.criteria),
                 *(f"{fw.label('screen', lang)} {k.removeprefix('screen_')}" for k in screens)]
        rows: dict[str, list[Any]] = {
            name: [round(e.rec.contributions[e.rec.primary].get(term, 0.0), 2)
                   for e in self.entries]
            for name, term in zip(names, [*terms, *screens], strict=True)}
        rows[fw.label("primary", lang)] = [fw.model_name(e.rec.primary, lang)
                                           for e in self.entries]
        rows[fw.label("score", lang)] = [round(e.rec.scores[e.rec.primary], 2)
                                         for e in self.entries]
        return pd.DataFrame(rows, index=self.labels()).T

    def figure(self) -> Figure:
        """Three panels: every model's score per item; each item's primary's score built up
        term by term; each item's confidence in its primary."""
        from matplotlib.figure import Figure

        lang = charts.figure_lang(self.lang)
        fw = self.fw
        fig = Figure(figsize=(12.0, 3.8), layout="constrained")
        ax_s, ax_c, ax_k = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.3, 1.3, 0.8]})
        labels = self.labels()
        x = np.arange(len(labels))
        width = 0.8 / len(fw.models)
        for m, model in enumerate(fw.models):
            ax_s.bar(x + (m - (len(fw.models) - 1) / 2) * width,
                     [e.rec.scores[model] for e in self.entries], width,
                     color=charts.MODEL_COLOURS.get(model), label=fw.model_name(model, lang,
                                                                                 short=True))
        ax_s.set_xticks(x, labels, rotation=15, ha="right")
        ax_s.set_ylim(0, 100)
        ax_s.set_ylabel(fw.label("scores", lang))
        ax_s.legend(fontsize=7, frameon=False, ncol=2, loc="upper left")
        terms = ["stage_prior", *fw.criteria]
        running = np.zeros(len(labels))
        for term in [*terms, "screen"]:
            values = np.array([
                sum(v for k, v in e.rec.contributions[e.rec.primary].items()
                    if k.startswith("screen_")) if term == "screen"
                else e.rec.contributions[e.rec.primary][term] for e in self.entries])
            if term == "screen" and not values.any():
                continue
            name = (fw.label(term, lang) if term in ("stage_prior", "screen")
                    else fw.criterion_name(term, lang))
            colour = charts.SCREEN_COLOUR if term == "screen" else charts.TERM_COLOURS.get(term)
            ax_c.barh(labels, np.abs(values), left=np.minimum(running, running + values),
                      color=colour, label=name, edgecolor="white", linewidth=0.5,
                      hatch=["//" if v < 0 else "" for v in values])
            running = running + values
        for y, e in enumerate(self.entries):
            ax_c.text(running[y] + 1, y, fw.model_name(e.rec.primary, lang, short=True),
                      va="center", fontsize=8)
        ax_c.set_xlim(0, 110)
        ax_c.set_title(self._word("contributions"), fontsize=10)
        ax_c.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                    ncol=3)
        conf = [e.confidence for e in self.entries]
        bars = ax_k.barh(labels, conf, color=[charts.MODEL_COLOURS.get(e.rec.primary, "#888888")
                                             for e in self.entries])
        ax_k.bar_label(bars, labels=[f"{100 * c:.0f}%" for c in conf], padding=3, fontsize=8)
        ax_k.set_yticks(range(len(labels)), [""] * len(labels))  # the same rows as beside it
        ax_k.set_xlim(0, 1.15)
        ax_k.xaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
        ax_k.set_title(self._word("confidence"), fontsize=10)
        for ax in (ax_s, ax_c, ax_k):
            ax.spines[["top", "right"]].set_visible(False)
        return fig

    def to_dict(self) -> dict[str, Any]:
        """Per item: label, primary, runner-up, margin, confidence, channels, held_by, scores."""
        return {"items": [{"label": e.label, "primary": e.rec.primary,
                           "runner_up": e.rec.runner_up, "margin": e.rec.margin,
                           "confidence": e.confidence, "channels": list(e.rec.channels),
                           "held_by": [s for s in e.held_by.split(";") if s],
                           "scores": dict(e.rec.scores)} for e in self.entries]}


def compare(
    items: Sequence[Item], *, labels: Sequence[str] | None = None, seed: int = 0,
    lang: str = "en", framework: Framework | None = None, samples: int = DEFAULT_SAMPLES,
) -> Comparison:
    """Answer each item and set the answers side by side (module docstring).

    `labels` name the items (default: the company's name, or "what-if N" for a scenario);
    `seed` and `samples` fix the confidence's samples (the same for every item).
    """
    if lang not in LANGUAGES:
        raise ModelfitError(f"compare: lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    if isinstance(items, (str, Path)) or not isinstance(items, Sequence) or len(items) < 1:
        raise ModelfitError("compare: expected a list of profiles, answers or scenarios, got "
                            f"{type(items).__name__}")
    if labels is not None and len(labels) != len(items):
        raise ModelfitError(f"compare: {len(labels)} labels for {len(items)} items; give one "
                            "label per item")
    fw = framework or Framework.load()
    base: Profile | None = None
    entries: list[Entry] = []
    for i, item in enumerate(items):
        if isinstance(item, (str, Path)):
            item = load_profile(item)
        if isinstance(item, Profile):
            base = base or item
            rec = recommend(item, fw, lang)
            confidence = robustness_of(item, fw, seed=seed, samples=samples).confidence
            label = item.company
        elif isinstance(item, Analysis):
            rec, confidence, label = item.rec, item.robustness.confidence, item.rec.company
        elif isinstance(item, (View, Scenario)):
            if isinstance(item, Scenario):
                if base is None:
                    raise ModelfitError(f"compare: item {i + 1} is a what-if scenario; put the "
                                        "profile it changes before it")
                item = evaluate(base, item, fw, lang=lang, samples=samples, seed=seed)
            rec, confidence = item.rec, item.robustness.confidence
            label = f"{'what-if' if lang == 'en' else '假设情景'} {i}"
        else:
            raise ModelfitError(f"compare: item {i + 1} is a {type(item).__name__}; expected a "
                                "Profile, a path to a profile, an answer of modelfit.analyse, or "
                                "a what-if View or Scenario")
        held = ";".join(rec.held_by)  # the answer's own: screens, or the close call
        entries.append(Entry(label=str(labels[i]) if labels is not None else label, rec=rec,
                             confidence=float(confidence), held_by=held))
    return Comparison(entries=tuple(entries), fw=fw, lang=lang)


def scenarios_of(company_id: str, params_dir: str | Path = "params") -> list[Path]:
    """The what-if scenarios of `company_id` saved in `params_dir` (the files whose first line
    the what-if notebook wrote for this base company), sorted by name."""
    check_company_id(company_id)
    out = []
    for path in sorted(Path(params_dir).glob("*.yaml")):
        if not path.is_file():  # a FIFO or a device named .yaml is never opened
            continue
        with path.open("rb") as handle:
            first = handle.readline(512).decode("utf-8", "replace")
        match = SAVED_HEADER.match(first)
        if match and match.group(1) == company_id:
            out.append(path)
    return out
