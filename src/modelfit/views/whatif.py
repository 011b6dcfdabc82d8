"""What if: the analyst's live view of one company, and the widgets that drive it.

`evaluate(profile, scenario)` is the whole logic: it takes a `Scenario` (stage, the four ratings,
and a relative multiplier per criterion weight) and returns the `View` the notebook shows:
ranking and scores, the contributions chart, rank acceptability and the flips, all under the
scenario's weights. `WhatIf` only wires ipywidgets controls to it (notebooks/whatif.ipynb).

Multipliers are relative importances: the importances are lambda_c = m_c / sum(m), and the
framework's weight row of c is multiplied by C * lambda_c (`modelfit.decision.client.reweighted`).
All multipliers 1 (or all equal) is the framework itself; (2, 1, 1, 1) says "capital matters
twice as much as each of the others". A profile with `preferences:` starts from the client's
weights (multipliers C * lambda_c). Acceptability and flips are those of `modelfit.decision.robustness`
run on the reweighted framework, so the weight samples are centred on the scenario's weights.

Saving writes a new profile `params/<new id>.yaml` (never over an existing file, validated before
it is written, written atomically); changed multipliers are saved as SWING preferences.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from modelfit.core.errors import ModelfitError
from modelfit.core.files import write_new
from modelfit.core.vocab import LANGUAGES
from modelfit.decision.client import reweighted
from modelfit.decision.framework import Framework
from modelfit.decision.recommend import Recommendation, recommend
from modelfit.decision.robustness import Robustness, analyse
from modelfit.inputs.preferences import from_multipliers, parse
from modelfit.inputs.profile import Profile, check_company_id, load_profile

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MULTIPLIER_MAX = 3.0
MULTIPLIER_STEP = 0.05
# Fewer samples than a report: the view must follow a slider. 4,000 samples keep the
# acceptability's standard error below 0.8 percentage points.
WHATIF_SAMPLES = 4_000


@dataclass(frozen=True)
class Scenario:
    """What the analyst has set: stage, ratings and a relative multiplier per criterion weight."""

    stage: str
    ratings: dict[str, int]
    multipliers: dict[str, float]

    @classmethod
    def of(cls, profile: Profile, framework: Framework | None = None) -> Scenario:
        """The company as its profile says (multipliers from its `preferences:`, else 1)."""
        fw = framework or Framework.load()
        mult = dict.fromkeys(fw.criteria, 1.0)
        if profile.preferences is not None:
            prefs = parse(profile.preferences, fw.criteria)
            mult = {c: round(v, 2) for c, v in prefs.multipliers().items()}
        return cls(stage=profile.stage, ratings=profile.ratings(), multipliers=mult)

    def check(self, framework: Framework) -> None:
        """Raise `ModelfitError` naming every value that cannot be used."""
        fw = framework
        problems = []
        if self.stage not in fw.stages:
            problems.append(f"stage must be one of {', '.join(fw.stages)}, got {self.stage!r}")
        for c in fw.criteria:
            v = self.ratings.get(c)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5:
                problems.append(f"{c} must be an integer from 1 to 5, got {v!r}")
            m = self.multipliers.get(c)
            if (isinstance(m, bool) or not isinstance(m, (int, float)) or not math.isfinite(m)
                    or m < 0):
                problems.append(f"the weight multiplier of {c} must be a number >= 0, got {m!r}")
        if not problems and not any(self.multipliers[c] > 0 for c in fw.criteria):
            problems.append("at least one weight multiplier must be above 0")
        if problems:
            raise ModelfitError(problems)


@dataclass(frozen=True)
class View:
    """What the what-if notebook shows for one scenario."""

    scenario: Scenario
    profile: Profile
    importances: dict[str, float]
    rec: Recommendation
    robustness: Robustness
    fw: Framework
    lang: str

    def _name(self, model: str) -> str:
        return self.fw.model_name(model, self.lang)

    def headline(self) -> str:
        """One line: the primary and how often it stays first (markdown)."""
        return self.fw.text("whatif.primary", self.lang, primary=self._name(self.rec.primary),
                            confidence=f"{100 * self.robustness.confidence:.0f}%")

    def ranking_table(self) -> pd.DataFrame:
        """Rank, score and first-rank acceptability per model, best first."""
        acc = self.robustness.acceptability
        return pd.DataFrame({
            self.fw.label("score", self.lang): [round(self.rec.scores[m], 2)
                                                for m in self.rec.ranking],
            f"{self.fw.label('rank', self.lang)} 1": [f"{100 * acc[m][0]:.1f}%"
                                                      for m in self.rec.ranking],
        }, index=pd.Index([self._name(m) for m in self.rec.ranking],
                          name=self.fw.label("ranking", self.lang)))

    def weights_table(self) -> pd.DataFrame:
        """Each criterion's importance and its multiplier of the framework weight."""
        c = len(self.fw.criteria)
        return pd.DataFrame({
            self.fw.text("client.importance", self.lang):
                [f"{100 * self.importances[k]:.1f}%" for k in self.fw.criteria],
            self.fw.text("client.multiplier", self.lang):
                [f"{c * self.importances[k]:.2f}×" for k in self.fw.criteria],
        }, index=[self.fw.criterion_name(k, self.lang) for k in self.fw.criteria])

    def acceptability_table(self) -> pd.DataFrame:
        """Share of weight scenarios (%) in which each model ranks 1st..4th."""
        acc = self.robustness.acceptability
        rank = self.fw.label("rank", self.lang)
        return pd.DataFrame(
            {f"{rank} {r + 1}": [f"{100 * acc[m][r]:.1f}%" for m in self.rec.ranking]
             for r in range(len(self.fw.models))},
            index=[self._name(m) for m in self.rec.ranking])

    def flips_table(self) -> pd.DataFrame:
        """The smallest rating changes that would change the primary under these weights."""
        sep = "; " if self.lang == "en" else ";"
        rows = [{
            self.fw.label("changes", self.lang): sep.join(
                f"{self.fw.criterion_name(c, self.lang)} {self.rec.ratings[c]} → {v}"
                for c, v in flip.changes.items()),
            self.fw.label("becomes", self.lang): self._name(flip.primary),
        } for flip in self.robustness.flips]
        columns = [self.fw.label("changes", self.lang), self.fw.label("becomes", self.lang)]
        return pd.DataFrame(rows, columns=columns)

    def contributions_figure(self) -> Figure:
        """Each model's score split into the stage prior and the reweighted criterion points."""
        from modelfit.views import charts

        return charts.contributions(self.rec, self.robustness_framework(), self.lang)

    def contributions_svg(self) -> str:
        """The contributions chart as inline SVG (faster to draw than a PNG, so the view keeps
        up with a slider; text is drawn as paths, so nothing in it is markup from a profile)."""
        import io

        buf = io.BytesIO()
        self.contributions_figure().savefig(buf, format="svg", metadata={"Date": None})
        text = buf.getvalue().decode("utf-8")
        return text[text.index("<svg"):]

    def robustness_framework(self) -> Framework:
        """The framework with the scenario's weights (what every figure here is computed on)."""
        return reweighted(self.fw, self.importances)

    def to_dict(self) -> dict[str, Any]:
        """Primary, ranking, scores, importances, acceptability and flips as plain JSON."""
        return {
            "primary": self.rec.primary,
            "ranking": list(self.rec.ranking),
            "scores": {m: round(v, 4) for m, v in self.rec.scores.items()},
            "importances": dict(self.importances),
            "acceptability": self.robustness.to_dict()["acceptability"],
            "flips": self.robustness.to_dict()["flips"],
        }


def evaluate(
    profile: Profile, scenario: Scenario, framework: Framework | None = None, *,
    lang: str = "en", samples: int = WHATIF_SAMPLES, seed: int = 0,
) -> View:
    """The view of `profile` changed to `scenario`: everything the what-if notebook shows."""
    fw = framework or Framework.load()
    if lang not in LANGUAGES:
        raise ModelfitError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    scenario.check(fw)
    changed = profile.model_copy(update={"stage": scenario.stage,
                                         **{c: scenario.ratings[c] for c in fw.criteria}})
    importances = from_multipliers({c: scenario.multipliers[c] for c in fw.criteria})
    scaled = reweighted(fw, importances)
    rec = recommend(changed, scaled, lang)
    rob = analyse(changed, scaled, samples=samples, seed=seed)
    return View(scenario=scenario, profile=changed, importances=importances, rec=rec,
                robustness=rob, fw=fw, lang=lang)


def scenario_params(profile: Profile, scenario: Scenario, framework: Framework) -> dict[str, Any]:
    """The params-file mapping of `profile` changed to `scenario` (changed multipliers become
    SWING preferences, equal multipliers none, the profile's own ones its own preferences)."""
    fw = framework
    data = profile.params()
    data["stage"] = scenario.stage
    data.update({c: int(scenario.ratings[c]) for c in fw.criteria})
    mult = {c: float(scenario.multipliers[c]) for c in fw.criteria}
    data.pop("preferences", None)
    if mult == Scenario.of(profile, fw).multipliers and profile.preferences is not None:
        data["preferences"] = dict(profile.preferences)
    elif len(set(mult.values())) > 1:
        top = max(mult.values())
        data["preferences"] = {"method": "swing",
                               "points": {c: round(100 * v / top, 1) for c, v in mult.items()}}
    return data


def save_profile(
    profile: Profile, scenario: Scenario, folder: str | Path, company_id: str,
    framework: Framework | None = None,
) -> Path:
    """Write the scenario as a new profile `<folder>/<company_id>.yaml` and return its path.

    Refuses an existing file or a bad id; the mapping is validated before anything is written,
    and the file appears atomically (written beside it, then renamed).
    """
    fw = framework or Framework.load()
    check_company_id(company_id, what="the new company id")
    scenario.check(fw)
    path = Path(folder) / f"{company_id}.yaml"
    data = scenario_params(profile, scenario, fw)
    Profile.from_mapping(data, source=str(path), company_id=company_id)
    text = (f"# What-if scenario of {profile.company_id}, saved from notebooks/whatif.ipynb.\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    # into a missing or read-only folder, or on a full disk: one line naming the file, nothing
    # left behind; written with the ordinary mode (core.files)
    write_new(path, text, exists="a profile of that id exists already; choose another id")
    return path


# --- the widgets --------------------------------------------------------------------------------
class WhatIf:
    """ipywidgets controls wired to `evaluate`: every change redraws the view."""

    def __init__(
        self, profile: Profile, framework: Framework | None = None, *, lang: str = "en",
        params_dir: str | Path = "params", samples: int = WHATIF_SAMPLES, seed: int = 0,
    ) -> None:
        import ipywidgets as w  # type: ignore[import-untyped]

        self.fw = fw = framework or Framework.load()
        self.profile, self.lang, self.params_dir = profile, lang, Path(params_dir)
        self.samples, self.seed = samples, seed
        self.initial = Scenario.of(profile, fw)
        wide = {"description_width": "16em"}
        self.stage = w.Dropdown(options=[(fw.stage_name(s, lang), s) for s in fw.stages],
                                value=self.initial.stage, description=fw.label("stage", lang),
                                style=wide)
        self.ratings = {c: w.IntSlider(value=self.initial.ratings[c], min=1, max=5,
                                       description=fw.criterion_name(c, lang), style=wide,
                                       continuous_update=False)
                        for c in fw.criteria}
        self.weights = {c: w.FloatSlider(value=self.initial.multipliers[c], min=0.0,
                                         max=MULTIPLIER_MAX, step=MULTIPLIER_STEP,
                                         description=f"{fw.criterion_name(c, lang)} "
                                                     f"{fw.text('whatif.weight', lang)}",
                                         style=wide, continuous_update=False, readout_format=".2f")
                        for c in fw.criteria}
        self.reset_button = w.Button(description=fw.text("whatif.reset", lang))
        self.new_id = w.Text(value=f"{profile.company_id}-whatif",
                             description=fw.text("whatif.new_id", lang), style=wide)
        self.save_button = w.Button(description=fw.text("whatif.save", lang))
        self.headline = w.HTML()
        self.ranking = w.HTML()
        self.weights_html = w.HTML()
        self.chart = w.HTML()
        self.acceptability = w.HTML()
        self.flips = w.HTML()
        self.status = w.HTML()
        self._quiet = False
        for control in (self.stage, *self.ratings.values(), *self.weights.values()):
            control.observe(self.update, names="value")
        self.reset_button.on_click(self.reset)
        self.save_button.on_click(self.save)
        self.view: View
        self.update()

    def scenario(self) -> Scenario:
        """The scenario the controls show now."""
        return Scenario(stage=str(self.stage.value),
                        ratings={c: int(s.value) for c, s in self.ratings.items()},
                        multipliers={c: round(float(s.value), 2) for c, s in self.weights.items()})

    def update(self, _change: Any = None) -> None:
        """Recompute the view for the controls' scenario and redraw every output."""
        if self._quiet:
            return
        try:
            view = evaluate(self.profile, self.scenario(), self.fw, lang=self.lang,
                            samples=self.samples, seed=self.seed)
        except ModelfitError as exc:
            self.status.value = _escape_lines(exc.problems)
            return
        self.view = view
        self.status.value = ""
        self.headline.value = _markdown_bold(view.headline())
        self.ranking.value = view.ranking_table().to_html(escape=True)
        self.weights_html.value = view.weights_table().to_html(escape=True)
        self.chart.value = view.contributions_svg()
        self.acceptability.value = view.acceptability_table().to_html(escape=True)
        self.flips.value = view.flips_table().to_html(escape=True, index=False)

    def reset(self, _button: Any = None) -> None:
        """Set every control back to the company's profile, then redraw once."""
        self._quiet = True
        try:
            self.stage.value = self.initial.stage
            for c, s in self.ratings.items():
                s.value = self.initial.ratings[c]
            for c, s in self.weights.items():
                s.value = self.initial.multipliers[c]
        finally:
            self._quiet = False
        self.update()

    def save(self, _button: Any = None) -> Path | None:
        """Save the scenario as `<params_dir>/<new id>.yaml`; the status line says how it went."""
        try:
            path = save_profile(self.profile, self.scenario(), self.params_dir,
                                str(self.new_id.value).strip(), self.fw)
        except ModelfitError as exc:
            self.status.value = _escape_lines(exc.problems)
            return None
        self.status.value = html.escape(self.fw.text("whatif.saved", self.lang, path=str(path)))
        return path

    def widget(self) -> Any:
        """The whole app: controls on the left, the view on the right."""
        import ipywidgets as w

        name = self.fw.text("whatif.title", self.lang, company=self.profile.company)
        title = w.HTML(f"<h3>{html.escape(name)}</h3>")
        controls = w.VBox([self.stage, *self.ratings.values(), *self.weights.values(),
                           self.reset_button, self.new_id, self.save_button, self.status])
        view = w.VBox([self.headline, self.ranking, self.weights_html, self.chart,
                       self.acceptability, self.flips])
        return w.VBox([title, w.HBox([controls, view])])


def load(
    company_id: str, *, params_dir: str | Path = "params", lang: str = "en",
    framework_path: str | None = None, samples: int = WHATIF_SAMPLES, seed: int = 0,
) -> WhatIf:
    """The what-if app for `<params_dir>/<company_id>.yaml`."""
    check_company_id(company_id)
    fw = Framework.load(framework_path)
    profile = load_profile(Path(params_dir) / f"{company_id}.yaml")
    return WhatIf(profile, fw, lang=lang, params_dir=params_dir, samples=samples, seed=seed)


def _escape_lines(lines: tuple[str, ...]) -> str:
    return "<br>".join(html.escape(line) for line in lines)


def _markdown_bold(text: str) -> str:
    """The headline's **bold** markdown as HTML, everything else escaped."""
    parts = html.escape(text).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))

