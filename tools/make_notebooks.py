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
        elif kind == "widget":
            # Live widgets: their state and model ids change every run, so nbval skips the output.
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["tags"] = ["nbval-ignore-output"]
            out.append(cell)
        elif kind == "details":  # where the details start: the PDF begins a new page here
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["tags"] = ["modelfit-details"]
            out.append(cell)
        elif kind == "params":
            cell = nbformat.v4.new_code_cell(params)
            cell.metadata["tags"] = ["parameters"]
            out.append(cell)
        else:
            out.append(nbformat.v4.new_code_cell(source))
    for i, cell in enumerate(out):
        cell["id"] = f"cell-{i}"  # fixed ids: regenerating gives the same file, not a new uuid each
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
               "call from `modelfit.views.report`. Markdown cells like this one are left out of the "
               "client's HTML."),
        ("code", "from modelfit import report"),
        ("code", "r = report.build(company_id, profile, lang=lang, seed=seed, "
                 "framework_path=framework_path, profile_sha256=profile_sha256)"),
        ("code", "r.title()"),
        ("code", 'r.heading("h_summary")'),
        ("code", "r.summary_plan()"),
        ("code", "r.summary_steps()"),
        ("code", "r.summary_figures()"),
        ("details", 'r.heading("h_glance")'),
        ("code", "r.glance_table()"),
        ("code", "r.assessment_summary()"),
        ("code", "r.assessment_derivation()"),
        ("code", "r.radar_figure()"),
        ("code", "r.radar_caption()"),
        ("code", 'r.heading("h_recommendation")'),
        ("code", "r.verdict()"),
        ("code", "r.channel_table()"),
        ("code", "r.plan_notes()"),
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
        ("code", 'r.heading("h_build", 3)'),
        ("code", "r.flips_intro()"),
        ("code", "r.flips_table()"),
        ("code", 'r.heading("h_protect", 3)'),
        ("code", "r.risks_intro()"),
        ("code", "r.risks_table()"),
        ("code", "r.entropy()"),
        ("code", "r.winning_caption()"),
        ("code", "r.winning_table()"),
        ("code", "r.central_weights_caption()"),
        ("code", "r.central_weights_table()"),
        ("code", "r.client_heading()"),
        ("code", "r.client_summary()"),
        ("code", "r.client_weights_table()"),
        ("code", "r.client_scores_table()"),
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
        ("code", 'pf.section("p_companies")'),
        ("code", "pf.companies()"),
        ("code", 'pf.section("p_mix")'),
        ("code", "pf.mix()"),
        ("code", "pf.mix_figure()"),
        ("code", 'pf.section("p_stage_by_model")'),
        ("code", "pf.stage_by_model()"),
        ("code", 'pf.section("p_near")'),
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
               "its swing, the net shift of the label mix. Hatched bars are judged "
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


def intake_book() -> nbformat.NotebookNode:
    params = ('lang = "en"\nparams_dir = "../params"\ncompany_id = "new-client"\n'
              'profile_path = "../params/harbor.yaml"\n')
    cells = [
        ("params", ""),
        ("md", "# Intake: a new client's profile\n"
               "**For analysts.** Fill in the profile and answer the questions; the ratings are "
               "derived from the answers (or typed in), the recommendation updates as you go, and "
               "the button writes `params/<company id>.yaml`. The form is generated from the "
               "profile schema and the assessment rubric. Set `profile_path = None` to start "
               "blank, or point it at an existing profile to start from it."),
        ("code", "from modelfit import intake"),
        ("code", "f = intake.form(params_dir=params_dir, lang=lang, company_id=company_id, "
                 "profile_path=profile_path)"),
        ("widget", "f.widget()"),
        ("code", "f.overview()"),
    ]
    return _notebook(cells, params)


def whatif_book() -> nbformat.NotebookNode:
    params = 'company_id = "demo"\nparams_dir = "../params"\nlang = "en"\nseed = 0\n'
    cells = [
        ("params", ""),
        ("md", "# What if\nMove a control and the view follows: the stage, the four ratings, and "
               "how much each criterion counts (a multiplier of its framework weight; the "
               "multipliers are relative, so all at 1 is the framework). **Reset** returns to the "
               "company's profile; **Save as a new profile** writes the scenario to "
               "`params/<new id>.yaml`. Open it with `make lab`. The tables under the app are the "
               "company as its profile stands."),
        ("code", "from modelfit import whatif"),
        ("code", "app = whatif.load(company_id, params_dir=params_dir, lang=lang, seed=seed)"),
        ("widget", "app.widget()"),
        ("md", "## The profile as it stands"),
        ("code", "app.view.ranking_table()"),
        ("code", "app.view.weights_table()"),
        ("code", "app.view.acceptability_table()"),
        ("code", "app.view.flips_table()"),
    ]
    return _notebook(cells, params)


BOOKS = {"company_report": company_report, "framework": framework_book, "intake": intake_book,
         "classifier": classifier_book,
         "portfolio": portfolio_book, "whatif": whatif_book}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BOOKS)
    for name in names:
        path = ROOT / "notebooks" / f"{name}.ipynb"
        nbformat.write(BOOKS[name](), path)
        print(f"wrote {path.relative_to(ROOT)}")
