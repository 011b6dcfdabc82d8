"""The per-company report's content: what each notebook cell displays, in English or Chinese.

`build()` computes everything once; the notebook then makes one call per cell on the result
(`r.heading("h_why")`, `r.scores_figure()`, ...). All text comes from the framework file.
`Report` joins the report's sections, each in its own module: the opening and the company at
a glance (`report_glance`), the recommendation and why (`report_recommendation`), robustness
(`report_robustness`), the client's own weights (`report_client`), the classifier's second
opinion (`report_opinion`), the money plan (`report_economics`), markets and platforms
(`report_markets`), roadmap, checklist and notes
(`report_roadmap`), and the run record and JSON payload (`report_record`); what they share is
in `report_section`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from modelfit import provenance
from modelfit.analysis import analyse_company
from modelfit.core.dated import parse_as_of
from modelfit.decision.framework import Framework
from modelfit.inputs.profile import Profile
from modelfit.views import charts
from modelfit.views.report_client import ClientSection
from modelfit.views.report_economics import EconomicsSection
from modelfit.views.report_glance import GlanceSection
from modelfit.views.report_markets import MarketsSection
from modelfit.views.report_opinion import OpinionSection
from modelfit.views.report_recommendation import RecommendationSection
from modelfit.views.report_record import RecordSection
from modelfit.views.report_roadmap import RoadmapSection
from modelfit.views.report_robustness import RobustnessSection

KEY_LIBRARIES = provenance.KEY_LIBRARIES
run_record = provenance.run_record


@dataclass(frozen=True)
class Report(GlanceSection, RecommendationSection, RobustnessSection, ClientSection,
             OpinionSection, EconomicsSection, MarketsSection, RoadmapSection, RecordSection):
    """Everything one company's report shows, computed once: one method per notebook cell,
    from the sections in the order the report shows them."""


def build(
    company_id: str, profile: dict[str, Any], *, lang: str = "en", seed: int = 0,
    framework_path: str | None = None, profile_sha256: str = "", model_path: str | None = None,
    as_of: str | None = None,
) -> Report:
    """Validate the injected profile and compute everything the report shows; `as_of`
    (YYYY-MM-DD, default today) is the day whose market fees and rules apply."""
    day = parse_as_of(as_of, option="as_of")
    fw = Framework.load(framework_path)
    prof = Profile.from_mapping(
        dict(profile), source=f"params/{company_id}.yaml", company_id=company_id,
        sha256=profile_sha256 or _hash_fields(profile),
    )
    analysis = analyse_company(prof, fw, lang=lang, seed=seed, model_path=model_path,
                               as_of=day)
    # Long texts (roles, checklist lines) must not be cut with an ellipsis in a client's report.
    pd.set_option("display.max_colwidth", None)
    return Report(profile=prof, analysis=analysis, fw=fw, lang=lang, seed=seed,
                  figure_lang=charts.figure_lang(lang))


def _hash_fields(profile: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(profile, sort_keys=True).encode()).hexdigest()
