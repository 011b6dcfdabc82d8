"""Rendering many companies at once, on one machine or a Dask cluster, skipping what is done.

1. Every profile is validated first; a bad one fails alone, named, before any work starts.
2. Each valid company gets its key (`modelfit.provenance`): a company whose report already
   records the same key, with all its files there, is skipped (`force=True` renders it anyway).
3. The others are rendered as Dask distributed futures: on the cluster at `scheduler` (or
   `$DASK_SCHEDULER_ADDRESS`), else on a `LocalCluster` started for the batch on the loopback
   interface (processes with one thread each, no dashboard unless asked). One code path for both.
   Each worker keeps a warm kernel (`modelfit.deliver.kernels`) and renders company after company on it;
   the task gets everything it needs as plain data (the profile, the notebook's cells) and
   returns the rendered files' bytes, so workers need no shared disk. This process writes each
   company's files with the all-or-nothing rule as they arrive. A worker that dies has its
   companies retried on another; a failing company fails alone.
4. The portfolio (notebook, HTML, CSV, workbook) is rendered the same way over the reports, when
   its own key changed.

A worker's warm kernel is shut down when the worker process exits.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from modelfit.core.errors import ModelfitError
from modelfit.inputs.profile import Profile, check_company_id, load_profile, profile_paths
from modelfit.run import cluster
from modelfit.run.cluster import scheduler_address

PORTFOLIO_NOTEBOOK = "portfolio.ipynb"
PORTFOLIO_FILES = ("portfolio.ipynb", "portfolio.html", "portfolio.csv", "portfolio.xlsx")
REPORT_FILES = ("ipynb", "html", "json")
IN_FLIGHT_PER_WORKER = 4  # companies submitted ahead per worker


@dataclass
class BatchResult:
    """What a batch rendered, skipped as unchanged, and what failed and why."""

    rendered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    portfolio: Path | None = None
    portfolio_skipped: bool = False

    @property
    def ok(self) -> bool:
        """True when every company (and the portfolio) rendered or was already up to date."""
        return not self.failed

    def summary(self) -> str:
        """One line for the batch, then one line per failure."""
        parts = [f"rendered {len(self.rendered)} report(s)"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} unchanged (skipped; --force renders them)")
        parts.append(f"{len(self.failed)} failed")
        line = ", ".join(parts)
        if self.portfolio:
            line += f"; portfolio: {self.portfolio}" + (" (unchanged)" if self.portfolio_skipped
                                                          else "")
        lines = [line] + [f"  FAILED {cid}: {why}" for cid, why in sorted(self.failed.items())]
        return "\n".join(lines)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def collect(params_dir: Path, ids: list[str] | None) -> list[Path]:
    """The profile paths of the batch: the named ids, or every .yaml in params_dir."""
    if not params_dir.is_dir():
        raise ModelfitError(f"{params_dir}: --params-dir must be a folder of <company_id>.yaml "
                            "profiles")
    if ids:  # each company once, in the order given (`batch demo demo` renders demo once)
        return [params_dir / f"{check_company_id(i, what='company id')}.yaml"
                for i in dict.fromkeys(ids)]
    return profile_paths(params_dir)


def render_batch(
    params_dir: Path, out_dir: Path, *, workers: int | None = None, ids: list[str] | None = None,
    lang: str = "en", seed: int = 0, root: Path | None = None, progress: bool = True,
    scheduler: str | None = None, force: bool = False, dashboard: bool = False,
) -> BatchResult:
    """Validate every profile, render the changed ones on a Dask cluster, then the portfolio.

    `lang` is one language or several (`"en,zh"`): each company is rendered in each, English as
    `<id>.html`, Chinese as `<id>.zh.html` (and so on), side by side; the portfolio is in the
    first language and links every company's reports in all of them."""
    from modelfit.decision.framework import Framework
    from modelfit.deliver.render import (
        REPORT_NOTEBOOK,
        check_out_dir,
        check_seed,
        make_job,
        notebook_bytes,
        project_root,
    )
    from modelfit.provenance import (
        classifier_digest,
        parse_langs,
        recorded_key,
        report_key,
        report_stem,
    )

    root = root or project_root()
    langs = parse_langs(lang)
    lang = langs[0]  # the portfolio's
    check_seed(seed)
    scheduler = scheduler_address(scheduler)
    if scheduler and workers:
        raise ModelfitError("--workers sets the size of the local cluster; with --scheduler "
                            f"({scheduler}) the batch uses that cluster's workers: drop --workers")
    paths = collect(params_dir, ids)
    check_out_dir(out_dir)  # made only once the command's arguments are accepted
    result = BatchResult()
    profiles: list[Profile] = []
    for path in paths:
        try:
            profiles.append(load_profile(path))
        except ModelfitError as exc:
            result.failed[path.stem] = "; ".join(exc.problems)
    fw = Framework.load()
    notebook = notebook_bytes(root / "notebooks" / REPORT_NOTEBOOK)
    classifier = classifier_digest(root)
    jobs = []
    today = date.today().isoformat()  # the day whose market fees and rules the reports apply
    for profile in profiles:
        for report_lang in langs:
            key = report_key(profile, fw, notebook=notebook, root=root, lang=report_lang,
                             seed=seed, classifier=classifier, as_of=today)
            stem = report_stem(profile.company_id, report_lang)
            if not force and recorded_key(out_dir, stem, REPORT_FILES) == key:
                result.skipped.append(stem)
            else:
                jobs.append(make_job(profile, notebook=notebook, lang=report_lang, seed=seed,
                                     framework_path=None, input_key=key, as_of=today))
    portfolio_nb = notebook_bytes(root / "notebooks" / PORTFOLIO_NOTEBOOK)
    if not jobs and not profiles:
        return result
    if not jobs and not _portfolio_stale(out_dir, portfolio_nb, lang, force):
        result.portfolio, result.portfolio_skipped = out_dir / PORTFOLIO_NOTEBOOK, True
        return result
    size = max(1, min(workers or default_workers(), len(jobs) or 1))
    with cluster.client(scheduler, workers=size, dashboard=dashboard) as client:
        _render_companies(client, jobs, out_dir, str(root), result, progress)
        if result.rendered or result.skipped:
            if _portfolio_stale(out_dir, portfolio_nb, lang, force=bool(result.rendered) or force):
                try:
                    result.portfolio = _render_portfolio(client, out_dir, portfolio_nb, lang,
                                                         str(root))
                except Exception as exc:
                    result.failed["(portfolio)"] = str(exc) or type(exc).__name__
            else:
                result.portfolio, result.portfolio_skipped = out_dir / PORTFOLIO_NOTEBOOK, True
    result.rendered.sort()
    result.skipped.sort()
    return result


# --- the companies and the portfolio on the cluster ------------------------------------------
def _render_companies(
    client: Any, jobs: list[Any], out_dir: Path, root: str, result: BatchResult, progress: bool,
) -> None:
    """Render the jobs on the cluster and write each company's files as it finishes.

    The notebook's cells go to every worker once (scattered), not with each company, and at most
    IN_FLIGHT_PER_WORKER companies per worker are submitted ahead: the driver's and the
    scheduler's memory stay bounded however many companies the batch has.
    """
    from distributed import as_completed
    from tqdm import tqdm

    from modelfit.deliver.render import RenderError, write_report
    from modelfit.provenance import report_stem

    if not jobs:
        return
    notebook = client.scatter(jobs[0].notebook, broadcast=True, hash=False)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    waiting = iter(jobs)
    futures: dict[Any, str] = {}
    running = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]
    run_id = uuid.uuid4().hex[:8]  # keys unique per batch: a shared cluster may run several

    def submit_next() -> None:
        job = next(waiting, None)
        if job is not None:
            light = dataclasses.replace(job, notebook=b"")
            stem = report_stem(job.company_id, job.lang)
            future = client.submit(render_on_worker, light, notebook, root, pure=False,
                                   key=f"report-{stem}-{run_id}", retries=1)
            futures[future] = stem
            running.add(future)  # type: ignore[no-untyped-call]

    for _ in range(IN_FLIGHT_PER_WORKER * workers):
        submit_next()
    bar = tqdm(total=len(jobs), desc="Rendering reports", unit="report",
               disable=not progress, file=sys.stderr)
    for future in running:
        cid = futures.pop(future)
        submit_next()
        try:
            write_report(future.result(), out_dir)
            result.rendered.append(cid)
        except RenderError as exc:
            result.failed[cid] = str(exc)
        except Exception as exc:  # one company's failure never stops the others
            result.failed[cid] = str(exc) or type(exc).__name__
        future.release()  # its files are written: the worker may forget them
        bar.update(1)
    bar.close()


def _portfolio_stale(out_dir: Path, notebook: bytes, lang: str, force: bool) -> bool:
    from modelfit.provenance import portfolio_key, recorded_portfolio_key

    if force or not all((out_dir / name).is_file() for name in PORTFOLIO_FILES):
        return True
    return recorded_portfolio_key(out_dir) != portfolio_key(out_dir, notebook=notebook, lang=lang)


def _render_portfolio(client: Any, out_dir: Path, notebook: bytes, lang: str, root: str) -> Path:
    """Render the portfolio over the reports in out_dir on a worker; write its four files."""
    from modelfit.deliver.render import replace_together
    from modelfit.inputs.profile import RESERVED_IDS
    from modelfit.provenance import portfolio_key

    reports = {p.name: p.read_bytes() for p in sorted(out_dir.glob("*.json"))
               if p.stem not in RESERVED_IDS}
    if not reports:
        raise ModelfitError(f"{out_dir}: no <company_id>.json reports to build a portfolio from")
    key = portfolio_key(out_dir, notebook=notebook, lang=lang)
    files = client.submit(portfolio_on_worker, reports, notebook, lang, key, root,
                          str(out_dir.resolve()),
                          key=f"portfolio-{uuid.uuid4().hex[:8]}", pure=False,
                          retries=1).result()
    with tempfile.TemporaryDirectory(prefix=".portfolio.", dir=out_dir) as work:
        made = []
        for name in PORTFOLIO_FILES:
            (Path(work) / name).write_bytes(files[name])
            made.append((Path(work) / name, out_dir / name))
        replace_together(made, backup=Path(work) / "previous",
                         rescue=out_dir / "portfolio.previous", what="portfolio")
    return out_dir / PORTFOLIO_NOTEBOOK


# --- on a worker ------------------------------------------------------------------------------
_KERNELS: dict[str, Any] = {}
_KERNELS_CLOSE_AT_EXIT: list[bool] = []


def worker_kernel(root_hint: str) -> Any:
    """This worker's warm kernel, started at the first company (one per project folder)."""
    from modelfit.deliver.kernels import WarmKernel

    root = _worker_root(root_hint)
    kernel = _KERNELS.get(str(root))
    if kernel is None:
        close_kernels()  # one project (one kernel) per worker at a time
        if not _KERNELS_CLOSE_AT_EXIT:
            atexit.register(close_kernels)  # the worker's exit shuts its kernel down
            _KERNELS_CLOSE_AT_EXIT.append(True)
        kernel = WarmKernel(root / "notebooks")
        kernel.start()
        _KERNELS[str(root)] = kernel
    return kernel


def close_kernels() -> None:
    """Shut down this process's warm kernels."""
    while _KERNELS:
        _KERNELS.popitem()[1].close()


def _worker_root(hint: str) -> Path:
    """The project folder on this worker: the driver's when it exists here (one machine), else
    the one the worker was started in (`dask worker` run inside the project folder)."""
    from modelfit.deliver.render import REPORT_NOTEBOOK, project_root

    if (Path(hint) / "notebooks" / REPORT_NOTEBOOK).is_file():
        return Path(hint)
    try:
        return project_root()
    except ModelfitError:
        raise ModelfitError(
            "this Dask worker has no modelfit project: start `dask worker` inside the project "
            "folder (with its notebooks/ and data/), with modelfit installed"
        ) from None


def render_on_worker(job: Any, notebook: bytes, root_hint: str) -> Any:
    """A Dask task: render one company on this worker's warm kernel; return its files' bytes.
    `notebook` is the report notebook's cells (sent to each worker once)."""
    from modelfit.deliver.render import render_job

    return render_job(dataclasses.replace(job, notebook=notebook), worker_kernel(root_hint))


def portfolio_on_worker(
    reports: dict[str, bytes], notebook: bytes, lang: str, key: str, root_hint: str,
    out_dir: str = "reports",
) -> dict[str, bytes]:
    """A Dask task: the portfolio over the reports' JSON (given as bytes) on this worker's warm
    kernel; returns the bytes of portfolio.ipynb, .html, .csv and .xlsx. The notebook's record
    names `out_dir`, where the driver writes the reports, as the reports' folder."""
    import json

    from modelfit.decision.framework import Framework
    from modelfit.deliver import workbook
    from modelfit.deliver.pdf import run_date
    from modelfit.deliver.render import export_html, finish_notebook
    from modelfit.views.portfolio import attention_order, load_reports, spreadsheet_safe

    kernel = worker_kernel(root_hint)
    with tempfile.TemporaryDirectory(prefix=".portfolio.") as work:
        folder = Path(work)
        reports_dir = folder / "reports"
        reports_dir.mkdir()
        for name, data in reports.items():
            (reports_dir / Path(name).name).write_bytes(data)
        source = folder / "input.ipynb"
        source.write_bytes(notebook)
        nb_path = folder / "portfolio.ipynb"
        kernel.execute(source, nb_path, {"reports_dir": str(reports_dir), "params_dir": None,
                                         "lang": lang})
        nb = finish_notebook(nb_path, PORTFOLIO_NOTEBOOK, shown={str(reports_dir): out_dir},
                              metadata={"modelfit": {"input_key": key}})
        html = export_html(nb, lang=lang, title="Portfolio")
        table = load_reports(reports_dir)
        payloads = [json.loads((reports_dir / f"{cid}.json").read_text("utf-8"))
                    for cid in attention_order(table)]
        xlsx = folder / "portfolio.xlsx"
        workbook.build(payloads, Framework.load(), lang, run_date()).save(xlsx)
        return {"portfolio.ipynb": nb_path.read_bytes(), "portfolio.html": html.encode("utf-8"),
                "portfolio.csv": spreadsheet_safe(table).to_csv().encode("utf-8"),
                "portfolio.xlsx": xlsx.read_bytes()}
