"""The per-company report's content: what each notebook cell displays, in English or Chinese.

`build()` computes everything once; the notebook then makes one call per cell on the result
(`r.heading("h_why")`, `r.scores_figure()`, ...). All text comes from the framework file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
from IPython.display import JSON, Image, Markdown

from modelfit import provenance
from modelfit.analysis import Analysis, analyse_company
from modelfit.core.safe import markdown_fill, markdown_template, markdown_text
from modelfit.decision.framework import Framework
from modelfit.decision.recommend import Recommendation, channel_name, recommend
from modelfit.decision.robustness import Flip, describe_changes
from modelfit.inputs.assessment import assess
from modelfit.inputs.profile import FIELDS, Profile
from modelfit.inputs.rubric import load_rubric
from modelfit.views import assessment as views_assessment
from modelfit.views import charts, summary
from modelfit.views.robustness import (
    central_weights_table,
    confidence_sentence,
    entropy_sentence,
    plot_acceptability,
    plot_stability,
    winning_table,
)

SHARP = 2  # figures are drawn at SHARP x charts.DPI and shown at 1x

KEY_LIBRARIES = provenance.KEY_LIBRARIES
run_record = provenance.run_record


@dataclass(frozen=True)
class Report:
    """Everything one company's report shows, computed once."""

    profile: Profile
    analysis: Analysis
    fw: Framework
    lang: str
    seed: int
    figure_lang: str

    @property
    def rec(self) -> Recommendation:
        """The framework's recommendation."""
        return self.analysis.rec

    # --- text -------------------------------------------------------------------------------
    # Every Markdown output goes through modelfit.core.safe: profile and framework texts are data,
    # never markup (a company name cannot add a link, an image, a heading or HTML).
    def _md(self, key: str, **values: Any) -> str:
        """The framework text at `key` as safe Markdown, its placeholders filled with `values`."""
        template = self.fw.text(key, self.lang, **{k: "${" + k + "}" for k in values})
        return markdown_fill(template, values)

    def _label(self, key: str) -> str:
        """A framework label as literal Markdown text."""
        return markdown_text(self.fw.label(key, self.lang))

    def heading(self, key: str, level: int = 2) -> Markdown:
        """A section heading from the framework's labels."""
        return Markdown(f"{'#' * level} {self._label(key)}")

    def title(self) -> Markdown:
        """The report's title and one-paragraph introduction."""
        intro = self._md("report.intro", company=self.profile.company, version=self.fw.version)
        return Markdown(f"# {markdown_text(self.profile.company)}: {self._label('report_title')}"
                        f"\n\n{intro}")

    def _name(self, model: str) -> str:
        return self.fw.model_name(model, self.lang)

    # --- summary (the one page a busy reader needs; see summary.py) ---------------------------
    @cached_property
    def _summary(self) -> summary.Summary:
        return summary.summarise(self.analysis, self.profile, self.fw, self.lang)

    def summary(self) -> summary.Summary:
        """The summary page's content as data."""
        return self._summary

    def summary_plan(self) -> Markdown:
        """The plan: core and auxiliary channels, and how sure the answer is."""
        return Markdown(summary.plan_markdown(self._summary, self.fw, self.lang))

    def summary_steps(self) -> Markdown:
        """The three next steps."""
        return Markdown(summary.steps_markdown(self._summary, self.fw, self.lang))

    def summary_figures(self) -> pd.DataFrame:
        """The headline figures, each with the section that develops it."""
        return _unnamed(summary.figures_table(self._summary, self.fw, self.lang))

    # --- at a glance ----------------------------------------------------------------------
    def glance_table(self) -> pd.DataFrame:
        """The profile as a table (field, value), defaults filled in, in the report's language."""
        fields = self.profile.fields()
        rows = {}
        for spec in FIELDS:
            value = fields[spec.name]
            if spec.name == "stage":
                value = self.fw.stage_name(value, self.lang)
            rows[self._field_name(spec.name)] = self._field_value(spec.name, value)
        return pd.DataFrame({self.fw.label("value", self.lang): rows})

    def assessment_summary(self) -> pd.DataFrame | Markdown:
        """Per criterion: the stated rating, the one the answers give, and the one used
        (empty when the profile has no answers)."""
        if not self.profile.assessment:
            return Markdown("")
        rows = views_assessment.summary_rows(assess(self.profile), self.fw, self.lang)
        return pd.DataFrame(rows).T

    def assessment_derivation(self) -> Markdown:
        """How each rating follows from the answers, and any stated rating they contradict."""
        if not self.profile.assessment:
            return Markdown("")
        rubric = load_rubric()
        text = views_assessment.derivation_markdown(assess(self.profile), self.fw, self.lang)
        return Markdown(f"### {markdown_text(rubric.text('h_assessment', self.lang))}\n\n{text}")

    def radar_figure(self) -> Image:
        """Radar chart: the company's ratings against what each model leans on."""
        return _image(charts.radar(self.rec, self.fw, self.lang),
                      self.fw.text("report.radar_caption", self.lang))

    def radar_caption(self) -> Markdown:
        """How to read the radar chart."""
        return Markdown(f"*{self._md('report.radar_caption')}*")

    # --- recommendation ---------------------------------------------------------------------
    def verdict(self) -> Markdown:
        """The primary model and the channels, in one bold sentence."""
        channels = " → ".join(channel_name(self.fw, d, self.lang)
                              for d in self.rec.channel_details)
        return Markdown(self._md("report.verdict", primary=self._name(self.rec.primary),
                                 channels=channels))

    def channel_table(self) -> pd.DataFrame:
        """The plan's channels with their role (core or auxiliary) and what each is for."""
        rows = []
        colon = ": " if self.lang == "en" else ":"
        for detail in self.rec.channel_details:
            what = (self.fw.kind_role(detail.kind, self.lang) if detail.kind is not None
                    else self.fw.model_info(detail.channel, "role", self.lang))
            rows.append({
                self.fw.label("channel", self.lang): channel_name(self.fw, detail, self.lang),
                self.fw.label("role", self.lang): (
                    f"{self.fw.label(detail.role, self.lang)}{colon}{what}"
                ),
            })
        return _unnamed(pd.DataFrame(rows).set_index(self.fw.label("channel", self.lang)))

    def score_table(self) -> pd.DataFrame:
        """Scores 0–100 by rank: the key result, compared exactly by nbval."""
        return pd.DataFrame(
            {self.fw.label("score", self.lang): [round(self.rec.scores[m], 2)
                                                 for m in self.rec.ranking]},
            index=[self._name(m) for m in self.rec.ranking],
        )

    def scores_figure(self) -> Image:
        """Scores as a bar chart."""
        return _image(charts.score_bars(self.rec, self.fw, self.lang), ", ".join(
            f"{self._name(m)} {self.rec.scores[m]:.1f}" for m in self.rec.ranking))

    def contribution_table(self) -> pd.DataFrame:
        """Points per term (rows) and model (columns); the last row is the score."""
        terms = ["stage_prior", *self.fw.criteria]
        screens = sorted({k for c in self.rec.contributions.values() for k in c
                          if k.startswith("screen_")})
        rows = {}
        for term in [*terms, *screens]:
            label = (self.fw.label("stage_prior", self.lang) if term == "stage_prior"
                     else f"{self.fw.label('screen', self.lang)} {term.removeprefix('screen_')}"
                     if term.startswith("screen_") else self.fw.criterion_name(term, self.lang))
            rows[label] = [round(self.rec.contributions[m].get(term, 0.0), 2) + 0.0
                           for m in self.rec.ranking]
        rows[self.fw.label("total", self.lang)] = [round(self.rec.scores[m], 2)
                                                   for m in self.rec.ranking]
        return pd.DataFrame(rows, index=[self._name(m) for m in self.rec.ranking]).T

    def contributions_figure(self) -> Image:
        """Contributions as a stacked chart."""
        return _image(charts.contributions(self.rec, self.fw, self.lang),
                      self.fw.text("report.contributions_caption", self.lang))

    def contributions_caption(self) -> Markdown:
        """How to read the contributions chart."""
        return Markdown(f"*{self._md('report.contributions_caption')}*")

    # --- why --------------------------------------------------------------------------------
    def why(self) -> Markdown:
        """The rationale, one bullet per rule that fired, rule id first."""
        lines = []
        for item in self.rec.rationale:
            text = item.text
            if item.rule != "score" and text.startswith(item.rule):
                text = text[len(item.rule):].lstrip()
            tag = "" if item.rule == "score" else f"**{markdown_text(item.rule)}** "
            lines.append(f"- {tag}{markdown_template(text)}")
        return Markdown("\n".join(lines))

    # --- robustness -------------------------------------------------------------------------
    def robustness_sentence(self) -> Markdown:
        """'Too close to call' when it is, else how often the primary stays first."""
        sentence = confidence_sentence(self.analysis.robustness, self.fw, self.lang)
        return Markdown(f"**{markdown_template(sentence)}**")

    def acceptability_table(self) -> pd.DataFrame:
        """Share of weight scenarios (%) in which each model ranks 1st, 2nd, 3rd, 4th."""
        acc = self.analysis.robustness.acceptability
        rank = self.fw.label("rank", self.lang)
        return pd.DataFrame(
            {f"{rank} {r + 1}": [f"{100 * acc[m][r]:.1f}%" for m in self.rec.ranking]
             for r in range(len(self.fw.models))},
            index=[self._name(m) for m in self.rec.ranking],
        )

    def acceptability_figure(self) -> Image:
        """Rank acceptability as stacked bars."""
        acc = self.analysis.robustness.acceptability
        return _image(plot_acceptability(self.analysis.robustness, self.fw, self.lang),
                      ", ".join(f"{self._name(m)} {100 * acc[m][0]:.0f}%" for m in self.rec.ranking))

    def stability_table(self) -> pd.DataFrame:
        """Per criterion, the range of its weight (× the framework's) that keeps the primary."""
        spans = self.analysis.robustness.stability_multiplier
        return pd.DataFrame(
            {self.fw.label("low", self.lang): [f"{spans[c][0]:.2f}×" for c in self.fw.criteria],
             self.fw.label("high", self.lang): [f"{spans[c][1]:.2f}×" for c in self.fw.criteria]},
            index=[self.fw.criterion_name(c, self.lang) for c in self.fw.criteria],
        )

    def stability_figure(self) -> Image:
        """The stability ranges as bars around the framework's weight (1×)."""
        return _image(plot_stability(self.analysis.robustness, self.fw, self.lang),
                      self.fw.text("report.stability_caption", self.lang))

    def stability_caption(self) -> Markdown:
        """How to read the stability ranges."""
        return Markdown(f"*{self._md('report.stability_caption')}*")

    def flips_table(self) -> pd.DataFrame | Markdown:
        """What to build: the smallest rating improvements that change the primary."""
        return self._changes_table(self.analysis.robustness.flips, "report.no_flips")

    def risks_table(self) -> pd.DataFrame | Markdown:
        """What to protect: the smallest rating declines that change the primary."""
        return self._changes_table(getattr(self.analysis.robustness, "risks", ()),
                                   "report.no_risks")

    def risks_intro(self) -> Markdown:
        """One line saying what the risks table is."""
        return Markdown(self._md("report.risks_intro"))

    def plan_notes(self) -> Markdown:
        """The plan's notes: the next step and its trigger (S2), local platforms (S3), the light
        own-site test."""
        return Markdown("\n".join(
            f"- **{markdown_text(n.rule)}** "
            f"{markdown_template(n.text.removeprefix(n.rule).lstrip(' :'))}"
            for n in self.rec.plan_notes))

    def _changes_table(self, flips: tuple[Flip, ...], empty: str) -> pd.DataFrame | Markdown:
        if not flips:
            return Markdown(self._md(empty))
        rows = [{
            self.fw.label("changes", self.lang): describe_changes(
                flip.changes, {c: self.rec.ratings[c] for c in flip.changes}, self.fw,
                self.lang),
            self.fw.label("becomes", self.lang): self._name(flip.primary),
        } for flip in flips]
        return _unnamed(pd.DataFrame(rows).set_index(self.fw.label("changes", self.lang)))

    def flips_intro(self) -> Markdown:
        """One line saying what the flip table is."""
        return Markdown(self._md("report.flips_intro"))

    def winning_caption(self) -> Markdown:
        """How to read the pairwise winning indices."""
        return Markdown(f"*{self._md('client.winning_caption')}*")

    def winning_table(self) -> pd.DataFrame:
        """SMAA-2's pairwise winning indices: how often the row's model ranks above the column's."""
        return winning_table(self.analysis.robustness, self.fw, self.lang)

    def central_weights_caption(self) -> Markdown:
        """How to read the central weights."""
        return Markdown(f"*{self._md('client.central_caption')}*")

    def central_weights_table(self) -> pd.DataFrame:
        """Each model's central weights, as multiples of the framework's weights."""
        return central_weights_table(self.analysis.robustness, self.fw, self.lang)

    def entropy(self) -> Markdown:
        """The decision entropy of the first place and of the whole ranking."""
        return Markdown(markdown_template(entropy_sentence(self.analysis.robustness, self.fw,
                                                           self.lang)))

    # --- the client's own weights -------------------------------------------------------------
    def client_heading(self) -> Markdown:
        """The section heading for the client's own weights."""
        return Markdown(f"## {self._md('client.heading')}")

    def client_summary(self) -> Markdown:
        """The client's answer beside the framework's and, where they differ, why."""
        client = self.analysis.client
        if client is None:
            return Markdown(self._md("client.none"))
        return Markdown(markdown_template(client.summary(self.fw, self.lang)))

    def client_weights_table(self) -> pd.DataFrame | Markdown:
        """The framework's and the client's importance of each criterion."""
        from modelfit.decision.client import weights_table

        client = self.analysis.client
        return Markdown("") if client is None else weights_table(client, self.fw, self.lang)

    def client_scores_table(self) -> pd.DataFrame | Markdown:
        """Scores and ranks under the framework's weights and under the client's."""
        from modelfit.decision.client import scores_table

        client = self.analysis.client
        return Markdown("") if client is None else scores_table(client, self.fw, self.lang)

    # --- second opinion ---------------------------------------------------------------------
    def second_opinion(self) -> Markdown:
        """Whether the trained classifier agrees with the framework, in one sentence."""
        opinion = self.analysis.classifier
        if opinion is None:
            return Markdown(self._md("report.no_classifier"))
        primary = opinion.primary
        key = "classifier_agrees" if primary == self.rec.primary else "classifier_disagrees"
        return Markdown(self._md(
            f"report.{key}", primary=self._name(primary),
            probability=f"{100 * opinion.probabilities[primary]:.0f}%",
            framework=self._name(self.rec.primary)))

    def second_opinion_table(self) -> pd.DataFrame | Markdown:
        """Framework scores beside the classifier's probabilities, model by model."""
        opinion = self.analysis.classifier
        if opinion is None:
            return Markdown("")
        return pd.DataFrame({
            self.fw.label("framework_score", self.lang):
                [round(self.rec.scores[m], 2) for m in self.rec.ranking],
            self.fw.label("classifier_probability", self.lang):
                [f"{100 * opinion.probabilities[m]:.1f}%" for m in self.rec.ranking],
        }, index=[self._name(m) for m in self.rec.ranking])

    def drivers_intro(self) -> Markdown:
        """One line introducing the drivers table (empty without a classifier)."""
        if self.analysis.classifier is None or not self.analysis.drivers:
            return Markdown("")
        return Markdown(self._md("report.drivers_intro",
                                 primary=self._name(self.analysis.classifier.primary)))

    def drivers_table(self) -> pd.DataFrame | Markdown:
        """Which profile fields pushed the classifier toward its pick, strongest first."""
        if not self.analysis.drivers:
            return Markdown("")
        return _unnamed(pd.DataFrame([{
            self.fw.label("field", self.lang): self._field_name(d.field),
            self.fw.label("value", self.lang): self._field_value(d.field, d.value),
            self.fw.label("neutral", self.lang): self._field_value(d.field, d.reference),
            self.fw.label("push", self.lang): f"{100 * d.push:+.1f}",
        } for d in self.analysis.drivers]).set_index(self.fw.label("field", self.lang)))

    # --- the economics (logic in modelfit.outcome.economics) ----------------------------------------
    def economics_heading(self) -> Markdown:
        """The money plan's section heading: "The economics" / "经济账"."""
        from modelfit.outcome.economics import text

        return Markdown(f"## {markdown_text(text('title', self.lang))}")

    def economics_intro(self) -> Markdown:
        """One paragraph: what the money plan is and which kind of distribution it plans."""
        from modelfit.outcome.economics import kind_name, text

        plan = self.analysis.economics
        if plan is None:
            return Markdown("")
        template = text("intro", self.lang, company="${company}", months=plan.horizon_months,
                        version=plan.assumptions_version,
                        kind=kind_name(plan.distribution_kind, self.lang))
        return Markdown(markdown_fill(template, {"company": self.profile.company}))

    def economics_table(self) -> pd.DataFrame | Markdown:
        """Set-up, working capital, break-even and cash at 36 months, per model."""
        from modelfit.outcome.economics import summary_table

        plan = self.analysis.economics
        if plan is None:
            return Markdown("")
        return _unnamed(summary_table(plan, self._name, self.lang))

    def economics_order_table(self) -> pd.DataFrame | Markdown:
        """One order's unit economics per model: price received, costs, contribution."""
        from modelfit.outcome.economics import order_table

        plan = self.analysis.economics
        if plan is None:
            return Markdown("")
        return _unnamed(order_table(plan, self._name, self.lang))

    def economics_figure(self) -> Image | Markdown:
        """Cumulative cash of each model's plan over the horizon."""
        from modelfit.outcome.economics import text
        from modelfit.views.charts import plot_cumulative

        plan = self.analysis.economics
        if plan is None:
            return Markdown("")
        def name(model: str) -> str:  # labels in the figure's language (CJK font or not)
            return self.fw.model_name(model, self.figure_lang)

        return _image(plot_cumulative(plan, name, self.figure_lang),
                      text("chart_title", self.lang))

    def _field_name(self, name: str) -> str:
        """A profile field's display name."""
        if name in self.fw.criteria:
            return self.fw.criterion_name(name, self.lang)
        return self.fw.label(f"f_{name}", self.lang)

    def _field_value(self, name: str, value: Any) -> str:
        """A profile field's value as the report shows it."""
        if name in self.fw.criteria:
            return f"{value} / 5"
        if name == "category":
            return self.fw.label(f"cat_{value}", self.lang)
        if isinstance(value, (list, tuple)):
            sep = "、" if self.lang == "zh" else ", "
            return sep.join(self._name(v) if v in self.fw.models else str(v).upper()
                            for v in value) or self.fw.label("none", self.lang)
        if isinstance(value, float):
            return f"{value:,.0f}" if value >= 100 else f"{value:g}"
        return str(value)

    # --- roadmap ----------------------------------------------------------------------------
    def roadmap(self) -> Markdown:
        """What the next stage asks for, and which capabilities to build for it."""
        stage = self.rec.stage
        nxt = self.fw.next_stage(stage)
        if nxt is None:
            rule = self.fw.text(f"stage_rule.{self.fw.stage_rule(stage)}", self.lang)
            return Markdown(self._md("report.roadmap_last", rule=rule))
        future = recommend(self.profile.model_copy(update={"stage": nxt}), self.fw, self.lang)
        rule = self.fw.text(f"stage_rule.{self.fw.stage_rule(nxt)}", self.lang)
        return Markdown(self._md("report.roadmap_next", stage=self.fw.stage_name(nxt, self.lang),
                                 primary=self._name(future.primary), rule=rule))

    def roadmap_table(self) -> pd.DataFrame | Markdown:
        """Capabilities below 4 that the next stage's plan leans on most, strongest first."""
        stage = self.fw.next_stage(self.rec.stage) or self.rec.stage
        future = recommend(self.profile.model_copy(update={"stage": stage}), self.fw, self.lang)
        m = self.fw.models.index(future.primary)
        gains = []
        for c, crit in enumerate(self.fw.criteria):
            weight = float(self.fw.weights[c, m])
            now = self.rec.ratings[crit]
            if weight > 0 and now < 4:
                gains.append((weight * (4 - now) / 2, crit, now))
        if not gains:
            return Markdown(self._md("report.roadmap_none"))
        rows = [{
            self.fw.label("build", self.lang): self.fw.criterion_name(crit, self.lang),
            self.fw.label("now", self.lang): now,
            self.fw.label("target", self.lang): 4,
            self.fw.label("points", self.lang): f"+{gain:.1f}",
        } for gain, crit, now in sorted(gains, key=lambda g: -g[0])]
        return _unnamed(pd.DataFrame(rows).set_index(self.fw.label("build", self.lang)))

    # --- checklist and notes ------------------------------------------------------------------
    def checklist(self) -> Markdown:
        """The O-points for each channel of the plan that has them."""
        if not self.rec.checklist:
            return Markdown(self._md("report.no_checklist"))
        parts = [f"*{self._md('o_points_note')}*"]
        for channel, items in self.rec.checklist.items():
            prefix = "O-P" if channel == "platform" else "O-S"
            parts.append(f"\n**{markdown_text(self._name(channel))}**\n")
            parts += [f"{i}. **{prefix}{i}** {markdown_template(item)}"
                      for i, item in enumerate(items, 1)]
        return Markdown("\n".join(parts))

    def notes(self) -> Markdown:
        """The F-notes that apply to this company."""
        return Markdown("\n".join(f"- **{markdown_text(k)}** {markdown_template(v)}"
                                  for k, v in self.rec.notes.items()))

    # --- run record -------------------------------------------------------------------------
    def run_record(self) -> pd.DataFrame:
        """Versions, framework, profile hash and seed: what it takes to reproduce this report."""
        record = run_record(self.profile, self.fw, self.seed, self.analysis.model_sha256)
        return pd.DataFrame({self.fw.label("value", self.lang): list(record.values())},
                            index=list(record))

    def to_dict(self) -> dict[str, Any]:
        """`recommend --json`'s object, and the hash of the classifier that gave its view."""
        out = self.analysis.to_dict()
        out["classifier_sha256"] = self.analysis.model_sha256
        if self.profile.assessment:
            out["assessment"] = assess(self.profile).to_dict()
        return out

    def payload(self) -> JSON:
        """The machine-readable result as a JSON output: `modelfit report` writes <id>.json from
        it, nbval compares it exactly, and the client's HTML leaves it out."""
        return JSON(self.to_dict(), expanded=False)


def build(
    company_id: str, profile: dict[str, Any], *, lang: str = "en", seed: int = 0,
    framework_path: str | None = None, profile_sha256: str = "", model_path: str | None = None,
) -> Report:
    """Validate the injected profile and compute everything the report shows."""
    fw = Framework.load(framework_path)
    prof = Profile.from_mapping(
        dict(profile), source=f"params/{company_id}.yaml", company_id=company_id,
        sha256=profile_sha256 or _hash_fields(profile),
    )
    analysis = analyse_company(prof, fw, lang=lang, seed=seed, model_path=model_path)
    # Long texts (roles, checklist lines) must not be cut with an ellipsis in a client's report.
    pd.set_option("display.max_colwidth", None)
    return Report(profile=prof, analysis=analysis, fw=fw, lang=lang, seed=seed,
                  figure_lang=charts.figure_lang(lang))


def _hash_fields(profile: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(profile, sort_keys=True).encode()).hexdigest()


def _unnamed(df: pd.DataFrame) -> pd.DataFrame:
    """Drop the index name: its header row reads as an empty second header in HTML."""
    df.index.name = None
    return df


def _image(fig: Any, alt: str) -> Image:
    """A figure as a PNG display object; `alt` becomes the image's alt text in the HTML.

    Drawn at twice the screen resolution and shown at the screen size (the `width`), so the
    figures stay sharp on high-density screens and in the PDF (about 200 dpi on A4).
    """
    png = charts.to_png(fig, dpi=SHARP * charts.DPI)
    width = int.from_bytes(png[16:20], "big") // SHARP  # the PNG header's pixel width
    return Image(data=png, format="png", width=width, metadata={"alt": alt})
