"""Rendering many companies at once: validate all, render in parallel, then the portfolio.

Every profile is validated first; the valid ones render in worker processes (default: one per
core) with one progress bar over the batch. A company that fails does not stop the others; a
kernel that fails to start (a start-up race between parallel runs) is retried once. At the end
the portfolio notebook runs over the rendered reports, and a summary names every failure.
"""

from __future__ import annotations

import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from modelfit.errors import ModelfitError
from modelfit.profile import check_company_id, load_profile, profile_paths

PORTFOLIO_NOTEBOOK = "portfolio.ipynb"


@dataclass
class BatchResult:
    """What a batch rendered, and what failed and why."""

    rendered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    portfolio: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every company (and the portfolio) rendered."""
        return not self.failed

    def summary(self) -> str:
        """One line for the batch, then one line per failure."""
        lines = [f"rendered {len(self.rendered)} report(s), {len(self.failed)} failed"
                 + (f"; portfolio: {self.portfolio}" if self.portfolio else "")]
        lines += [f"  FAILED {cid}: {why}" for cid, why in sorted(self.failed.items())]
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


def _render_one(path: str, out_dir: str, lang: str, seed: int, root: str) -> str:
    from modelfit.render import RenderError, render_report

    attempts = 2  # a kernel start race between parallel runs is retried once
    for attempt in range(attempts):
        try:
            render_report(Path(path), out_dir=Path(out_dir), lang=lang, seed=seed,
                          progress=False, root=Path(root))
            return Path(path).stem
        except (RenderError, ModelfitError):
            raise
        except Exception:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def render_batch(
    params_dir: Path, out_dir: Path, *, workers: int | None = None, ids: list[str] | None = None,
    lang: str = "en", seed: int = 0, root: Path | None = None, progress: bool = True,
) -> BatchResult:
    """Validate every profile, render the valid ones in parallel, then the portfolio."""
    from tqdm import tqdm

    from modelfit.render import check_out_dir, check_seed, ensure_kernel, project_root

    root = root or project_root()
    check_seed(seed)
    check_out_dir(out_dir)
    result = BatchResult()
    valid: list[Path] = []
    for path in collect(params_dir, ids):
        try:
            load_profile(path)
            valid.append(path)
        except ModelfitError as exc:
            result.failed[path.stem] = "; ".join(exc.problems)
    out_dir.mkdir(parents=True, exist_ok=True)
    ensure_kernel()  # once, before the workers race to read the kernelspec
    workers = max(1, min(workers or default_workers(), max(1, len(valid))))
    # Spawned, not forked: a fork of a process that has run kernels (zmq threads, locks held
    # mid-flight) can deadlock in the child.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_render_one, str(p), str(out_dir), lang, seed, str(root)): p.stem
                   for p in valid}
        bar = tqdm(total=len(futures), desc="Rendering reports", unit="report",
                   disable=not progress, file=sys.stderr)
        for future in as_completed(futures):
            cid = futures[future]
            try:
                result.rendered.append(future.result())
            except Exception as exc:  # one company's failure never stops the others
                result.failed[cid] = str(exc) or type(exc).__name__
            bar.update(1)
        bar.close()
    result.rendered.sort()
    if result.rendered:
        try:
            result.portfolio = render_portfolio(out_dir, lang=lang, root=root, progress=progress)
        except Exception as exc:
            result.failed["(portfolio)"] = str(exc) or type(exc).__name__
    return result


def render_portfolio(out_dir: Path, *, lang: str = "en", root: Path, progress: bool = True) -> Path:
    """Run the portfolio notebook over the reports in out_dir: portfolio.ipynb/.html/.csv."""
    import papermill as pm

    from modelfit.portfolio import load_reports, spreadsheet_safe
    from modelfit.render import _kernel_manager_class, ensure_kernel, export_html, replace_together

    table = load_reports(out_dir)
    target = out_dir / "portfolio.ipynb"
    tmp = out_dir / ".portfolio.tmp.ipynb"
    pm.execute_notebook(
        str(root / "notebooks" / PORTFOLIO_NOTEBOOK), str(tmp),
        parameters={"reports_dir": str(out_dir.resolve()), "params_dir": None, "lang": lang},
        kernel_name=ensure_kernel(), progress_bar=False, cwd=str(root / "notebooks"),
        kernel_manager_class=_kernel_manager_class(),
    )
    html = export_html(tmp, lang=lang, title="Portfolio")
    csv_tmp = out_dir / ".portfolio.tmp.csv"
    spreadsheet_safe(table).to_csv(csv_tmp)
    html_tmp = out_dir / ".portfolio.tmp.html"
    html_tmp.write_text(html, "utf-8")
    xlsx_tmp = _portfolio_workbook(out_dir, table, lang)
    with tempfile.TemporaryDirectory(prefix=".portfolio.previous.", dir=out_dir) as backup:
        replace_together([(tmp, target), (html_tmp, out_dir / "portfolio.html"),
                          (csv_tmp, out_dir / "portfolio.csv"),
                          (xlsx_tmp, out_dir / "portfolio.xlsx")],
                         backup=Path(backup), rescue=out_dir / "portfolio.previous",
                         what="portfolio")
    del progress
    return target


def _portfolio_workbook(out_dir: Path, table: Any, lang: str) -> Path:
    """portfolio.xlsx (made as a temporary file): the companies of the portfolio table, in the
    portfolio page's order (what needs attention first), from their reports' JSON."""
    import json

    from modelfit import workbook
    from modelfit.framework import Framework
    from modelfit.pdf import run_date
    from modelfit.portfolio import attention_order

    payloads = [json.loads((out_dir / f"{cid}.json").read_text("utf-8"))
                for cid in attention_order(table)]
    tmp = out_dir / ".portfolio.tmp.xlsx"
    workbook.build(payloads, Framework.load(), lang, run_date()).save(tmp)
    return tmp
