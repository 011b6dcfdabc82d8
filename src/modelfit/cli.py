"""The `modelfit` command line. Bad input exits with status 2 and one line per problem on stderr."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from modelfit.core.errors import ModelfitError
from modelfit.core.files import write_new
from modelfit.core.safe import terminal_text
from modelfit.core.vocab import LANGUAGES
from modelfit.decision.framework import Framework
from modelfit.inputs.profile import load_profile
from modelfit.outcome.plan_text import money_check
from modelfit.run import markets

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, with a did-you-mean for mistyped subcommands and options."""

    def error(self, message: str) -> NoReturn:
        if "invalid choice:" in message:
            bad = message.split("invalid choice:")[1].split("'")[1]
            choices = [c for c in _COMMANDS if c != bad]
            close = difflib.get_close_matches(bad, choices, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


_COMMANDS = ("recommend", "validate", "report", "batch", "train", "economics", "questionnaire",
             "assess", "import", "score", "markets")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="modelfit",
        description="Which cross-border e-commerce operating model fits a company, why, and how sure.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)

    rec = sub.add_parser("recommend", help="score one company profile")
    rec.add_argument("path", metavar="PATH.yaml", help="a company profile, e.g. params/demo.yaml")
    rec.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    rec.add_argument("--framework", metavar="PATH", help="an edited copy of the framework file")
    rec.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the text (en, zh)")
    rec.add_argument("--model", metavar="PATH",
                     help="trained classifier for the second opinion (default: data/classifier.skops)")
    rec.add_argument("--no-model", action="store_true", help="skip the classifier's second opinion")
    rec.add_argument("--seed", type=int, default=0, help="seed of the acceptability samples (0)")
    rec.add_argument("--weights", metavar="FILE",
                     help="the client's own criterion weights (YAML/JSON: method rank, swing or "
                          "ahp), instead of the profile's preferences")
    rec.add_argument("--constraint", action="append", default=[], metavar="A>=B",
                     type=_constraint,
                     help="restrict the acceptability's weight samples: criterion A matters at "
                          "least as much as B (repeatable), e.g. capital>=brand_content")

    val = sub.add_parser("validate", help="check profiles and list every problem")
    val.add_argument("paths", nargs="+", metavar="PATH.yaml")
    val.add_argument("--framework", metavar="PATH", help="also validate this framework file")
    rep = sub.add_parser("report", help="render a company's report (.ipynb, .html, .json)")
    rep.add_argument("target", metavar="COMPANY_ID_OR_PATH",
                     help="a company id (params/<id>.yaml) or a profile path")
    rep.add_argument("--lang", default="en", help="report language: en, zh, or both (en,zh); "
                     "English is written as <id>.html, Chinese as <id>.zh.html")
    rep.add_argument("--out", metavar="DIR", default="reports", help="output folder (reports)")
    rep.add_argument("--seed", type=int, default=0, help="seed of the random parts (0)")
    rep.add_argument("--framework", metavar="PATH", help="an edited copy of the framework file")
    rep.add_argument("--id-only", action="store_true",
                     help="accept only a plain company id, never a path (what make uses)")
    rep.add_argument("--pdf", action="store_true",
                     help="also write <id>.pdf (A4; needs the Pango libraries, see README)")
    rep.add_argument("--xlsx", action="store_true", help="also write the workbook <id>.xlsx")
    bat = sub.add_parser("batch", help="render many companies in parallel, then the portfolio")
    bat.add_argument("ids", nargs="*", metavar="ID", help="company ids (default: every profile)")
    bat.add_argument("--params-dir", metavar="DIR", default="params", help="profiles (params)")
    bat.add_argument("--out", metavar="DIR", default="reports", help="output folder (reports)")
    bat.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                     help="worker processes of the local cluster (default: one per core)")
    bat.add_argument("--scheduler", metavar="ADDRESS", default=None,
                     help="render on the Dask cluster whose scheduler is at ADDRESS "
                          "(tcp://HOST:PORT; default: $DASK_SCHEDULER_ADDRESS, else a local "
                          "cluster)")
    bat.add_argument("--force", action="store_true",
                     help="render every company, even those whose report is up to date")
    bat.add_argument("--dashboard", action="store_true",
                     help="serve the local cluster's Dask dashboard (port 8787) while it runs")
    bat.add_argument("--lang", default="en", help="report language: en, zh, or both (en,zh); "
                     "the portfolio is in the first")
    bat.add_argument("--seed", type=int, default=0, help="seed of the random parts (0)")
    tr = sub.add_parser("train", help="train the classifier (synthetic data, or your own CSV)")
    tr.add_argument("--data", metavar="FILE.csv",
                    help="past companies: profile columns plus an `outcome` model id "
                         "(default: the synthetic population)")
    tr.add_argument("--out", metavar="PATH", default=None,
                    help="model file to write (default: data/classifier.skops)")
    tr.add_argument("--n", type=_positive_int, default=None, metavar="N",
                    help="synthetic profiles to train on (default: 20000)")
    tr.add_argument("--seed", type=int, default=None, help="training seed")
    _add_assessment_commands(sub)
    _add_score_command(sub)
    eco = sub.add_parser("economics", help="the money plan: set-up, working capital, break-even, "
                                           "cash and one order's economics per model")
    eco.add_argument("path", metavar="PATH.yaml", help="a company profile, e.g. params/demo.yaml")
    eco.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    eco.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the text (en, zh)")
    eco.add_argument("--as-of", metavar="DATE", default=None,
                     help="apply the duties, parcel reliefs and VAT in force on DATE "
                          "(YYYY-MM-DD; default: today)")
    eco.add_argument("--kind", choices=("dropshipping", "small_b", "distributors"), default=None,
                     help="kind of distribution to plan for (default: the one the recommended "
                          "plan names, else the kind worth most)")
    markets.add_parser(sub)
    return parser


def _add_assessment_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    """questionnaire, assess and import: ratings from facts and profiles from a spreadsheet."""
    que = sub.add_parser("questionnaire", help="a blank profile with every assessment question")
    que.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the questions")
    que.add_argument("--json", action="store_true", help="print the rubric as JSON instead")
    que.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout (never overwrites)")
    ass = sub.add_parser("assess", help="the ratings a profile's answers give, and how")
    ass.add_argument("path", metavar="PATH.yaml", help="a company profile with assessment: answers")
    ass.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ass.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the text (en, zh)")
    imp = sub.add_parser("import", help="profiles from a client spreadsheet (.csv or .xlsx)")
    imp.add_argument("table", metavar="FILE.csv|FILE.xlsx", help="one row per company")
    imp.add_argument("--out", metavar="DIR", required=True, help="folder for the profiles (params/)")
    imp.add_argument("--skip-bad", action="store_true",
                     help="write the good rows and list the bad ones (default: write nothing)")
    imp.add_argument("--force", action="store_true", help="overwrite existing profiles")


def _add_score_command(sub: argparse._SubParsersAction[_Parser]) -> None:
    """score: a CSV or Parquet file of profiles of any size, scored in chunks."""
    sco = sub.add_parser("score", help="score a CSV or Parquet file of profiles, of any size")
    sco.add_argument("input", metavar="INPUT",
                     help="a .csv or .parquet file, or a folder of .parquet files, one profile a row")
    sco.add_argument("--out", metavar="OUTPUT", required=True,
                     help="scores to write (.parquet or .csv); bad rows go to <stem>.rejects.csv")
    sco.add_argument("--scheduler", metavar="ADDRESS",
                     default=None,
                     help="run on the Dask cluster at ADDRESS (default: $DASK_SCHEDULER_ADDRESS, "
                          "else locally in this process)")
    sco.add_argument("--framework", metavar="PATH", help="an edited copy of the framework file")


def _score(args: argparse.Namespace) -> int:
    from modelfit.run.bulk import score_file
    from modelfit.run.cluster import scheduler_address

    result = score_file(args.input, args.out, _load_framework(args.framework),
                        scheduler=scheduler_address(args.scheduler))
    print(terminal_text(result.summary()))
    return 0


def _constraint(text: str) -> tuple[str, str]:
    parts = [p.strip() for p in text.split(">=")]
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError(
            f"must read A>=B with A and B criteria (A matters at least as much as B), got {text!r}")
    return parts[0], parts[1]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "recommend":
            return _recommend(args)
        if args.command == "validate":
            return _validate(args)
        if args.command == "report":
            return _report(args)
        if args.command == "batch":
            return _batch(args)
        if args.command == "train":
            return _train(args)
        if args.command in ("questionnaire", "assess", "import"):
            return _ASSESSMENT_COMMANDS[args.command](args)
        if args.command == "economics":
            return _economics(args)
        if args.command == "score":
            return _score(args)
        if args.command == "markets":
            return markets.command(args)
    except ModelfitError as exc:
        for line in exc.problems:
            print(f"modelfit: {terminal_text(line)}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("modelfit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except OSError as exc:  # a file or folder the system refused: one line, never a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"modelfit: {terminal_text(where)}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    raise AssertionError(f"unhandled command {args.command!r}")  # pragma: no cover


def _load_framework(path: str | None) -> Framework:
    return Framework.load(path)


def _recommend(args: argparse.Namespace) -> int:
    from modelfit.analysis import analyse_company
    from modelfit.inputs.preferences import read_file
    from modelfit.views.terminal import format_robustness, format_summary

    fw = _load_framework(args.framework)
    profile = load_profile(args.path)
    prefs = None if args.weights is None else read_file(args.weights, fw.criteria)
    result = analyse_company(profile, fw, lang=args.lang, seed=args.seed,
                             model_path=args.model, use_model=not args.no_model,
                             preferences=prefs, constraints=args.constraint)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(terminal_text(line) for line in format_summary(result.rec, fw).splitlines()))
        if (check := money_check(result.economics, args.lang)) is not None:
            print(f"\n{terminal_text(check)}")
        print("\n".join(terminal_text(line)
                        for line in format_robustness(result, fw).splitlines()))
    return 0


def _economics(args: argparse.Namespace) -> int:
    from modelfit.core.dated import parse_as_of
    from modelfit.decision.recommend import recommend
    from modelfit.outcome.economics import format_plan, money_plan, plan_kind

    day = parse_as_of(args.as_of)  # a bad date exits 2 before any work
    profile = load_profile(args.path)
    # Without --kind, the kind the recommended plan names (else the kind worth most).
    details = recommend(profile).channel_details
    plan = money_plan(profile, args.kind or plan_kind(details), channel_details=details,
                      lang=args.lang, as_of=day)
    if args.json:
        print(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
    else:
        fw = _load_framework(None)
        print(format_plan(plan, lambda m: fw.model_name(m, args.lang), args.lang))
    return 0


def _report(args: argparse.Namespace) -> int:
    from modelfit.deliver.render import RenderError, render_report
    from modelfit.provenance import parse_langs

    for lang in parse_langs(args.lang):
        try:
            done = render_report(args.target, out_dir=Path(args.out), lang=lang, seed=args.seed,
                                 framework_path=args.framework, id_only=args.id_only,
                                 pdf=args.pdf, xlsx=args.xlsx)
        except RenderError as exc:
            print(f"modelfit: {terminal_text(exc)}", file=sys.stderr)
            return 1
        files = [str(p) for p in (done.notebook, done.html, done.json, done.pdf, done.xlsx) if p]
        print(f"wrote {', '.join(files[:-1])} and {files[-1]}")
    return 0


def _batch(args: argparse.Namespace) -> int:
    from modelfit.run.batch import render_batch

    result = render_batch(Path(args.params_dir), Path(args.out), workers=args.workers,
                          ids=args.ids or None, lang=args.lang, seed=args.seed,
                          scheduler=args.scheduler, force=args.force, dashboard=args.dashboard)
    print("\n".join(terminal_text(line) for line in result.summary().splitlines()),
          file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def _train(args: argparse.Namespace) -> int:
    from modelfit.core.reproducible import baseline_environment, on_baseline
    from modelfit.outcome import modelfile, training

    if not on_baseline():
        # A model file holds the last bits of its floats, and numpy's SIMD code paths differ
        # there between CPUs: train in a process that runs numpy's baseline paths, so the same
        # seed writes the same bytes on any machine (docs/classifier.md).
        command = [sys.executable, "-m", "modelfit.cli", *args.argv]
        done = subprocess.run(command, env=baseline_environment(), check=False,
                              capture_output=True, text=True)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        return done.returncode

    seed = training.DEFAULT_SEED if args.seed is None else args.seed
    if args.data is not None:
        if args.n is not None:
            raise ModelfitError("--n is for synthetic training; it does not go with --data")
        out = Path(args.out or "data/classifier.skops")
        path, report = training.train_from_csv(args.data, out, seed=seed)
    else:
        out = Path(args.out or "data/classifier.skops")
        if out.suffix != ".skops":
            raise ModelfitError(f"{out}: --out must be a .skops file, got {out.suffix or 'no suffix'!r}")
        out.parent.mkdir(parents=True, exist_ok=True)
        # Train into a folder of its own, then move: writing straight into out.parent would
        # overwrite the default data/classifier.skops when --out names another file there.
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            made, report = training.train_default(tmp, n=args.n or training.DEFAULT_N,
                                                  seed=seed)
            from modelfit.outcome.predictor import predictor_path

            os.replace(modelfile.card_path(made), modelfile.card_path(out))
            os.replace(predictor_path(made), predictor_path(out))
            os.replace(made, out)
        path = out
    m = report.metrics
    print(f"wrote {path} and {modelfile.card_path(path)}")
    print(f"  held-out accuracy {m['accuracy']:.3f} (majority class {m['baseline_accuracy']:.3f}), "
          f"macro-F1 {m['macro_f1']:.3f}, log loss {m['log_loss']:.3f}; "
          f"{report.n_train} training rows, {report.seconds:.1f} s")
    return 0


def _validate(args: argparse.Namespace) -> int:
    problems: list[str] = []
    if args.framework:
        try:
            _load_framework(args.framework)
        except ModelfitError as exc:
            problems.extend(exc.problems)
    ok = 0
    for path in args.paths:
        try:
            profile = load_profile(Path(path))
            ok += 1
        except ModelfitError as exc:
            problems.extend(exc.problems)
            continue
        if profile.assessment:
            from modelfit.inputs.assessment import assess

            for warning in assess(profile, source=str(path)).warnings:
                print(f"modelfit: warning: {warning}", file=sys.stderr)
    if problems:
        raise ModelfitError(problems)
    print(f"{ok} profile(s) valid")
    return 0


def _questionnaire(args: argparse.Namespace) -> int:
    from modelfit.inputs.rubric import load_rubric
    from modelfit.views.assessment import questionnaire

    if args.json:
        text = json.dumps(load_rubric().to_json(args.lang), ensure_ascii=False, indent=2) + "\n"
    else:
        text = questionnaire(_load_framework(None), args.lang)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.exists() or out.is_symlink():  # a dangling link too: never written through
        raise ModelfitError(f"{out}: already exists; choose another --out (it is never overwritten)")
    if not args.json and out.suffix == ".xlsx":
        from modelfit.deliver.questionnaire_book import write

        write(out, _load_framework(None), args.lang)
        print(f"wrote {out}")
        return 0
    if not args.json and out.suffix not in (".yaml", ".yml"):
        raise ModelfitError(f"{out}: --out must be a .yaml file (for analysts) or a .xlsx "
                            f"workbook (for a client), got {out.suffix or 'no suffix'!r}")
    # never overwritten, never through a link, and nothing left behind when the write fails
    write_new(out, text, exists="already exists; choose another --out (it is never overwritten)")
    print(f"wrote {out}")
    return 0


def _assess(args: argparse.Namespace) -> int:
    from modelfit.inputs.assessment import assess
    from modelfit.views.assessment import format_assessment

    result = assess(load_profile(args.path), source=args.path)
    for warning in result.warnings:
        print(f"modelfit: warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_assessment(result, _load_framework(None), args.lang))
    return 0


def _import(args: argparse.Namespace) -> int:
    from modelfit.inputs.spreadsheet import import_table

    result = import_table(args.table, args.out, skip_bad=args.skip_bad, force=args.force)
    for problem in result.problems:
        print(f"modelfit: {problem}", file=sys.stderr)
    print(result.summary())
    return 0


_ASSESSMENT_COMMANDS = {"questionnaire": _questionnaire, "assess": _assess, "import": _import}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
