"""Write the notebooks' cells (sources only). `make notebooks` then executes them in place.

The notebooks are kept thin: a `parameters` cell of literal defaults, one import, then one
library call per cell. Edit the cell lists here rather than the .ipynb files by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
KERNEL = {"name": "modelfit", "display_name": "modelfit (.venv)", "language": "python"}


def _notebook(cells: list[tuple[str, str]], params: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    out = []
    for kind, source in cells:
        if kind == "md":
            out.append(nbformat.v4.new_markdown_cell(source))
        elif kind == "payload":
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["tags"] = ["modelfit-payload"]
            out.append(cell)
        elif kind == "params":
            cell = nbformat.v4.new_code_cell(params)
            cell.metadata["tags"] = ["parameters"]
            out.append(cell)
        else:
            out.append(nbformat.v4.new_code_cell(source))
    nb.cells = out
    return nb


def company_report() -> nbformat.NotebookNode:
    demo = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text("utf-8"))
    params = (
        'company_id = "demo"\n'
        f"profile = {demo!r}\n"
        'lang = "en"\n'
        "seed = 0\n"
        "framework_path = None\n"
        'profile_sha256 = ""\n'
    )
    cells = [
        ("params", ""),
        ("md", "**For analysts.** `modelfit report COMPANY` injects the validated profile into the "
               "cell above and runs this notebook with papermill; each cell below is one library "
               "call from `modelfit.report`. Markdown cells like this one are left out of the "
               "client's HTML."),
        ("code", "from modelfit import report"),
        ("code", "r = report.build(company_id, profile, lang=lang, seed=seed, "
                 "framework_path=framework_path, profile_sha256=profile_sha256)"),
        ("code", "r.title()"),
        ("code", 'r.heading("h_glance")'),
        ("code", "r.glance_table()"),
        ("code", "r.radar_figure()"),
        ("code", "r.radar_caption()"),
        ("code", 'r.heading("h_recommendation")'),
        ("code", "r.verdict()"),
        ("code", "r.channel_table()"),
        ("code", "r.score_table()"),
        ("code", "r.scores_figure()"),
        ("code", "r.contribution_table()"),
        ("code", "r.contributions_figure()"),
        ("code", "r.contributions_caption()"),
        ("code", 'r.heading("h_why")'),
        ("code", "r.why()"),
        ("code", 'r.heading("h_robustness")'),
        ("code", "r.robustness_sentence()"),
        ("code", "r.acceptability_table()"),
        ("code", "r.acceptability_figure()"),
        ("code", "r.stability_table()"),
        ("code", "r.stability_figure()"),
        ("code", "r.stability_caption()"),
        ("code", "r.flips_intro()"),
        ("code", "r.flips_table()"),
        ("code", 'r.heading("h_second_opinion")'),
        ("code", "r.second_opinion()"),
        ("code", "r.second_opinion_table()"),
        ("code", "r.drivers_intro()"),
        ("code", "r.drivers_table()"),
        ("code", "r.economics_heading()"),
        ("code", "r.economics_intro()"),
        ("code", "r.economics_table()"),
        ("code", "r.economics_order_table()"),
        ("code", "r.economics_figure()"),
        ("code", 'r.heading("h_roadmap")'),
        ("code", "r.roadmap()"),
        ("code", "r.roadmap_table()"),
        ("code", 'r.heading("h_checklist")'),
        ("code", "r.checklist()"),
        ("code", 'r.heading("h_notes")'),
        ("code", "r.notes()"),
        ("code", 'r.heading("h_run")'),
        ("code", "r.run_record()"),
        ("payload", "r.payload()"),
    ]
    return _notebook(cells, params)


def framework_book() -> nbformat.NotebookNode:
    params = 'lang = "en"\nframework_path = None\nparams_dir = "../params"\n'
    cells = [
        ("params", ""),
        ("md", "# The framework\nThe consultancy's decision framework as modelfit encodes it: "
               "criteria, weights, stage priors, screens, and how the example companies land."),
        ("code", "from modelfit import explore"),
        ("code", "fx = explore.framework_view(lang=lang, framework_path=framework_path)"),
        ("code", "fx.heading()"),
        ("code", "fx.models_table()"),
        ("code", "fx.criteria_table()"),
        ("code", "fx.weights_table()"),
        ("code", "fx.weights_figure()"),
        ("code", "fx.priors_table()"),
        ("code", "fx.priors_figure()"),
        ("code", "fx.screens_table()"),
        ("code", "fx.channel_plans_table()"),
        ("code", "fx.examples_table(params_dir)"),
    ]
    return _notebook(cells, params)


def portfolio_book() -> nbformat.NotebookNode:
    params = 'reports_dir = None\nparams_dir = "../params"\nlang = "en"\n'
    cells = [
        ("params", ""),
        ("md", "**For analysts.** `modelfit batch` runs this notebook over the reports it has "
               "just rendered (`reports_dir`); by default it scores the profiles in `params/`."),
        ("code", "from modelfit import portfolio"),
        ("code", "pf = portfolio.portfolio(reports_dir=reports_dir, params_dir=params_dir, "
                 "lang=lang)"),
        ("code", "pf.heading()"),
        ("code", 'pf.section("Every company")'),
        ("code", "pf.companies()"),
        ("code", 'pf.section("The mix of recommended models")'),
        ("code", "pf.mix()"),
        ("code", "pf.mix_figure()"),
        ("code", 'pf.section("Stage against recommended model")'),
        ("code", "pf.stage_by_model()"),
        ("code", 'pf.section("Near a boundary: the top two models are close")'),
        ("code", "pf.near_boundary()"),
    ]
    return _notebook(cells, params)


def classifier_book() -> nbformat.NotebookNode:
    params = "n = 4000\nseed = 7\n"
    cells = [
        ("params", ""),
        ("md", "# The second opinion: synthetic population, outcome model, classifier\n"
               "A population of synthetic companies, a three-year outcome simulation of each "
               "operating model from unit economics (its assumptions are listed with sources), "
               "and a classifier trained on the model that paid off. The outcome model never "
               "reads the framework's weights: agreement with the framework is a finding. "
               "`make model` trains the default model on 20,000 companies; this notebook retrains "
               "a smaller one (`n`) so that it runs in seconds."),
        ("code", "from modelfit import explore"),
        ("code", "cv = explore.classifier_view(n=n, seed=seed)"),
        ("md", "## The population"),
        ("code", "cv.data_card()"),
        ("code", "cv.stage_mix()"),
        ("code", "cv.stage_by_capability()"),
        ("code", "cv.population_figure()"),
        ("md", "## The outcome model"),
        ("code", "cv.assumptions()"),
        ("code", "cv.judged_share()"),
        ("md", "Which model pays best, overall and by stage. A model best for fewer than 5% of "
               "the population would be a defect of the economics, not a finding."),
        ("code", "cv.label_mix()"),
        ("md", "## Sensitivity\nEach assumption varied across its range, one at a time, on the "
               "first 150 companies: the change in each model's label share at each end, and "
               "the share of companies whose best model changes. Hatched bars are judged "
               "assumptions: a finding that moves with one of them hinges on a judgement."),
        ("code", "cv.sensitivity().head(12)"),
        ("code", "cv.tornado_figure()"),
        ("md", "## The classifier"),
        ("code", "cv.cv_table()"),
        ("code", "cv.metrics()"),
        ("code", "cv.confusion_figure()"),
        ("code", "cv.calibration_figure()"),
        ("code", "cv.importances_figure()"),
        ("md", "## Agreement with the framework"),
        ("code", "cv.agreement()"),
        ("code", "cv.agreement_by_stage()"),
        ("code", "cv.disagreement_reasons()"),
        ("code", "cv.disagreement()"),
        ("md", "## The default model"),
        ("code", "cv.default_model()"),
    ]
    return _notebook(cells, params)


BOOKS = {"company_report": company_report, "framework": framework_book,
         "classifier": classifier_book,
         "portfolio": portfolio_book}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BOOKS)
    for name in names:
        path = ROOT / "notebooks" / f"{name}.ipynb"
        nbformat.write(BOOKS[name](), path)
        print(f"wrote {path.relative_to(ROOT)}")
