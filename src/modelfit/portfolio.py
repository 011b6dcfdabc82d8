"""The portfolio view: every company's answer side by side, from rendered reports' JSON files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import Image, Markdown
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from modelfit import charts
from modelfit.errors import ModelfitError
from modelfit.framework import Framework
from modelfit.profile import RESERVED_IDS
from modelfit.safe import markdown_text, spreadsheet_cell

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
        "margin": round(float(scores[ranking[0]]) - float(scores[ranking[1]]), 2),
        "runner_up": ranking[1],
        "confidence": robustness.get("confidence", np.nan),
        "classifier_primary": classifier.get("primary"),
    }
    out["classifier_agrees"] = (None if out["classifier_primary"] is None
                                else out["classifier_primary"] == out["primary"])
    return out


def load_reports(folder: Path) -> pd.DataFrame:
    """The portfolio table from every `<id>.json` report in `folder`, sorted by company id."""
    # Every <id>.json: the portfolio's own files are named by the reserved id `portfolio`, so a
    # company such as `portfolio-co` is in the table.
    paths = sorted(p for p in Path(folder).glob("*.json") if p.stem not in RESERVED_IDS)
    if not paths:
        raise ModelfitError(f"{folder}: no <company_id>.json reports to build a portfolio from")
    rows = []
    for path in paths:
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
    from modelfit import report
    from modelfit.profile import load_profile, profile_paths

    rows = []
    for path in profile_paths(params_dir):
        profile = load_profile(path)
        data = report.build(profile.company_id, profile.fields(), lang=lang,
                            profile_sha256=profile.source_sha256)
        rows.append(row(data.to_dict()))
    return pd.DataFrame(rows).set_index("company_id")


@dataclass(frozen=True)
class Portfolio:
    """Tables and figures over a portfolio table."""

    table: pd.DataFrame
    fw: Framework
    lang: str

    def heading(self) -> Markdown:
        """Title with the count of companies."""
        return Markdown(f"# Portfolio: {len(self.table)} companies")

    def section(self, title: str) -> Markdown:
        """A section heading."""
        return Markdown(f"## {markdown_text(title)}")

    def companies(self) -> pd.DataFrame:
        """Every company with its primary, channels, scores, confidence and classifier view."""
        return self.table

    def mix(self) -> pd.DataFrame:
        """How many companies each model is recommended to."""
        counts = self.table["primary"].value_counts().reindex(list(self.fw.models), fill_value=0)
        return counts.rename("companies").to_frame()

    def mix_figure(self) -> Image:
        """The mix of recommended models as bars."""
        lang = charts.figure_lang(self.lang)
        counts = self.mix()["companies"]
        fig = Figure(figsize=(6.4, 2.6))
        ax = fig.add_subplot()
        ax.barh([self.fw.model_name(m, lang) for m in counts.index], counts.to_numpy(),
                color=[charts.MODEL_COLOURS[m] for m in counts.index])
        ax.set_xlabel("companies" if lang == "en" else "企业数")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        return Image(data=charts.to_png(fig), format="png",
                     metadata={"alt": ", ".join(f"{m}: {n}" for m, n in counts.items())})

    def stage_by_model(self) -> pd.DataFrame:
        """Stage (rows) against recommended model (columns), counts."""
        return pd.crosstab(
            pd.Categorical(self.table["stage"], categories=list(self.fw.stages)),
            pd.Categorical(self.table["primary"], categories=list(self.fw.models)),
            rownames=["stage"], colnames=["primary"], dropna=False,
        )

    def near_boundary(self) -> pd.DataFrame | Markdown:
        """Companies whose top two models are close (margin or confidence), closest first."""
        near = self.table["margin"] < NEAR_MARGIN
        if self.table["confidence"].notna().any():
            near |= self.table["confidence"] < NEAR_CONFIDENCE
        picked = self.table.loc[near, ["primary", "runner_up", "margin", "confidence"]]
        if picked.empty:
            return Markdown("No company is near a boundary.")
        return picked.sort_values("margin")


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
    return Portfolio(table, Framework.load(framework_path), lang)
