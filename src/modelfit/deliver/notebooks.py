"""The notebooks' cells: what `notebooks/*.ipynb` hold before they run, written or checked.

The notebooks are kept thin: a `parameters` cell of literal defaults, one import, then one
library call per cell. Edit the cell lists here rather than the .ipynb files by hand.

`python -m modelfit.deliver.notebooks [NAME ...]` writes the cells (sources only; `make
notebooks` then executes them in place with papermill and strips the widget state);
`--check` names every committed notebook whose cells or metadata differ from what would be
written, or that carries widget state, and exits 1, touching no file; `--strip-widgets`
removes the widget state (`metadata.widgets`) that an executed notebook carries.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nbformat
import yaml

from modelfit.deliver.kernelspec import KERNEL_NAME, skip_iri_grammar
from modelfit.deliver.render import project_root

KERNEL = {"name": KERNEL_NAME, "display_name": "modelfit (.venv)", "language": "python"}
# What running a notebook adds and the generator never writes: papermill's record and timings,
# nbclient's execution timestamps, and the kernel's full language_info (the generator writes
# only its name).
RUN_METADATA = ("papermill", "execution")
WIDGETS = "widgets"
# The day the report notebook's reference outputs are for: its market fees and rules are
# dated, so the committed outputs name a fixed day; `modelfit report` injects the day it runs.
REFERENCE_AS_OF = "2026-12-06"


def _notebook(cells: list[tuple[str, str]], params: str) -> Any:
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
        elif kind == "code" and re.fullmatch(r"r\.(heading\(.*\)|\w+_heading\(\))", source):
            # a section heading: the PDF keeps it on the page of what follows
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["tags"] = ["modelfit-heading"]
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


def company_report(root: Path | None = None) -> Any:
    """The report notebook, its parameters the demo company of `root` (default: the project
    folder at or above the current one)."""
    root = root or project_root()
    demo = yaml.safe_load((root / "params" / "demo.yaml").read_text("utf-8"))
    params = (
        'company_id = "demo"\n'
        f"profile = {demo!r}\n"
        'lang = "en"\n'
        "seed = 0\n"
        "framework_path = None\n"
        'profile_sha256 = ""\n'
        f"as_of = {REFERENCE_AS_OF!r}\n"
    )
    cells = [
        ("params", ""),
        ("md", "**For analysts.** `modelfit report COMPANY` injects the validated profile into the "
               "cell above and runs this notebook with papermill; each cell below is one library "
               "call from `modelfit.views.report`. Markdown cells like this one are left out of the "
               "client's HTML."),
        ("code", "from modelfit import report"),
        ("code", "r = report.build(company_id, profile, lang=lang, seed=seed, "
                 "framework_path=framework_path, profile_sha256=profile_sha256, as_of=as_of)"),
        ("code", "r.cover()"),
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
        ("code", "r.economics_plan()"),
        ("code", "r.economics_table()"),
        ("code", "r.economics_order_table()"),
        ("code", "r.economics_figure()"),
        ("code", "r.markets_heading()"),
        ("code", "r.markets_intro()"),
        ("code", "r.markets_detail()"),
        ("code", 'r.heading("h_roadmap")'),
        ("code", "r.roadmap()"),
        ("code", "r.roadmap_table()"),
        ("code", 'r.heading("h_checklist")'),
        ("code", "r.checklist()"),
        ("code", 'r.heading("h_notes")'),
        ("code", "r.notes()"),
        ("code", 'r.heading("h_appendix")'),
        ("code", 'r.heading("h_rules", 3)'),
        ("code", "r.rule_table()"),
        ("code", "r.entropy()"),
        ("code", "r.winning_caption()"),
        ("code", "r.winning_table()"),
        ("code", "r.central_weights_caption()"),
        ("code", "r.central_weights_table()"),
        ("code", 'r.heading("h_method", 3)'),
        ("code", "r.method_priors()"),
        ("code", 'r.heading("h_run", 3)'),
        ("code", "r.run_record()"),
        ("payload", "r.payload()"),
    ]
    return _notebook(cells, params)


def framework_book(root: Path | None = None) -> Any:
    """The framework notebook: criteria, weights, priors, screens, the example companies."""
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


def portfolio_book(root: Path | None = None) -> Any:
    """The portfolio notebook: many companies side by side."""
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


def classifier_book(root: Path | None = None) -> Any:
    """The second-opinion notebook: population, outcome model, classifier."""
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


def intake_book(root: Path | None = None) -> Any:
    """The intake notebook: a new client's profile as a form."""
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


def whatif_book(root: Path | None = None) -> Any:
    """The what-if notebook: a live view of one company."""
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


def compare_book(root: Path | None = None) -> Any:
    """The comparison notebook: two companies side by side, then a company and its saved
    what-if scenarios."""
    params = ('company_ids = ["demo", "lumen"]\nparams_dir = "../params"\nlang = "en"\n'
              "seed = 0\n")
    cells = [
        ("params", ""),
        ("md", "# Compare\n**For analysts.** Several companies side by side, or one company and "
               "the scenarios saved from the what-if notebook: each answered in full (the "
               "confidence with the same seed for all), then set out as one table, the primary's "
               "score term by term, and one figure. `modelfit.compare` takes profiles, paths, "
               "answers of `modelfit.analyse` and what-if scenarios (docs/api.md)."),
        ("code", "import modelfit\nfrom modelfit.views.compare import scenarios_of"),
        ("code", "cmp = modelfit.compare([f\"{params_dir}/{c}.yaml\" for c in company_ids], "
                 "lang=lang, seed=seed)"),
        ("code", "cmp.table()"),
        ("code", "cmp.primary_contributions()"),
        ("code", "cmp.figure()"),
        ("md", "## A company and its saved what-if scenarios\nEvery profile in `params_dir` that "
               "the what-if notebook saved from the first company, beside it (the company alone "
               "when none is saved yet)."),
        ("code", "base = f\"{params_dir}/{company_ids[0]}.yaml\"\n"
                 "scenarios = modelfit.compare([base, *scenarios_of(company_ids[0], params_dir)], "
                 "lang=lang, seed=seed)"),
        ("code", "scenarios.table()"),
    ]
    return _notebook(cells, params)


BOOKS: dict[str, Callable[[Path | None], Any]] = {
    "company_report": company_report, "framework": framework_book, "intake": intake_book,
    "classifier": classifier_book, "portfolio": portfolio_book, "whatif": whatif_book,
    "compare": compare_book,
}


def compared(nb: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the check compares of a notebook: its metadata and each cell's type, id, source and
    metadata, without what a run adds (`RUN_METADATA`, the kernel's full language_info, empty
    tags) and without outputs."""
    meta = {k: v for k, v in nb.metadata.items() if k not in RUN_METADATA}
    if "language_info" in meta:
        meta["language_info"] = {"name": meta["language_info"].get("name")}
    cells = []
    for cell in nb.cells:
        cell_meta = {k: v for k, v in cell.metadata.items()
                     if k not in RUN_METADATA and not (k == "tags" and not v)}
        cells.append({"cell_type": cell.cell_type, "id": cell.get("id"), "source": cell.source,
                      "metadata": cell_meta})
    return meta, cells


def differences(name: str, root: Path) -> list[str]:
    """How the committed notebooks/<name>.ipynb differs from what the generator writes (empty:
    it does not)."""
    path = root / "notebooks" / f"{name}.ipynb"
    if not path.is_file():
        return [f"{path.relative_to(root)}: missing"]
    committed = nbformat.read(path, as_version=4)
    found = []
    if WIDGETS in committed.metadata:
        found.append(f"{path.relative_to(root)}: holds widget state (metadata.{WIDGETS}); "
                     "python -m modelfit.deliver.notebooks --strip-widgets removes it")
    meta, cells = compared(committed)
    meta.pop(WIDGETS, None)
    want_meta, want_cells = compared(BOOKS[name](root))
    if meta != want_meta:
        keys = sorted(k for k in {*meta, *want_meta} if meta.get(k) != want_meta.get(k))
        found.append(f"{path.relative_to(root)}: notebook metadata differ ({', '.join(keys)})")
    if len(cells) != len(want_cells):
        found.append(f"{path.relative_to(root)}: {len(cells)} cells, the generator writes "
                     f"{len(want_cells)}")
    else:
        for i, (have, want) in enumerate(zip(cells, want_cells, strict=True)):
            keys = [k for k in want if have[k] != want[k]]
            if keys:
                found.append(f"{path.relative_to(root)}: cell {i} differs ({', '.join(keys)})")
    return found


def strip_widgets(path: Path) -> bool:
    """Remove the widget state from the notebook at `path`, keeping its outputs; return
    whether there was any."""
    nb = nbformat.read(path, as_version=4)
    if WIDGETS not in nb.metadata:
        return False
    del nb.metadata[WIDGETS]
    nbformat.write(nb, path)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Write the named notebooks' cells (default: every notebook), or check or strip them;
    return the exit code (1: --check found a difference)."""
    parser = argparse.ArgumentParser(
        prog="python -m modelfit.deliver.notebooks",
        description="Write the notebooks' cells (sources only); `make notebooks` executes them.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"notebooks to write (default: all of {', '.join(BOOKS)})")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="name every committed notebook that differs from what would be "
                           "written or holds widget state, exit 1; write nothing")
    mode.add_argument("--strip-widgets", action="store_true",
                      help="remove the widget state (metadata.widgets) of executed notebooks")
    parser.add_argument("--root", type=Path, default=None,
                        help="the project folder (default: the one at or above the current)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BOOKS]
    if unknown:
        parser.error(f"no notebook {', '.join(map(repr, unknown))}; the notebooks are "
                     f"{', '.join(BOOKS)}")
    skip_iri_grammar()
    root = (args.root or project_root()).resolve()
    names = args.names or list(BOOKS)
    if args.check:
        found = [line for name in names for line in differences(name, root)]
        for line in found:
            print(line, file=sys.stderr)
        if found:
            print("the notebooks differ from src/modelfit/deliver/notebooks.py: run make notebooks",
                  file=sys.stderr)
        return 1 if found else 0
    for name in names:
        path = root / "notebooks" / f"{name}.ipynb"
        if args.strip_widgets:
            if path.is_file() and strip_widgets(path):
                print(f"stripped the widget state of {path.relative_to(root)}")
        else:
            nbformat.write(BOOKS[name](root), path)
            print(f"wrote {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
