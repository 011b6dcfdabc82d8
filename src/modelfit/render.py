"""Rendering reports: papermill runs the report notebook, nbconvert makes the client's HTML.

`render_report` validates the profile before any kernel starts, runs the notebook in the
project's own kernel (`modelfit`, installed into `.venv` by `make setup`, and on the fly when
missing), and writes `<id>.ipynb`, `<id>.html` and `<id>.json` atomically: everything is made
in a temporary folder beside them and moved into place only when all three exist. A failed run
leaves the last good report untouched, keeps the failed notebook as `<id>.failed.ipynb`, and
raises `RenderError` naming the failing cell.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelfit.errors import ModelfitError
from modelfit.framework import Framework
from modelfit.profile import COMPANY_ID, Profile, check_company_id, load_profile

KERNEL_NAME = "modelfit"
REPORT_NOTEBOOK = "company_report.ipynb"
TEMPLATES = Path(__file__).parent / "templates"


class RenderError(Exception):
    """A report notebook that failed while running (not bad input)."""


@dataclass(frozen=True)
class Rendered:
    """The three files of one rendered report."""

    notebook: Path
    html: Path
    json: Path


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: cwd) holding notebooks/ and params/."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks" / REPORT_NOTEBOOK).is_file():
            return folder
    raise ModelfitError(
        f"no notebooks/{REPORT_NOTEBOOK} in {here} or above it: run modelfit report inside the "
        "modelfit project folder"
    )


def resolve_company(target: str, *, params_dir: Path, id_only: bool = False) -> Path:
    """The profile path for a company id (params_dir/<id>.yaml) or, unless id_only, a path."""
    if COMPANY_ID.fullmatch(target):
        path = params_dir / f"{target}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in params_dir.glob("*.yaml"))
            import difflib

            close = difflib.get_close_matches(target, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else (
                f"; the companies are {', '.join(known)}" if known else "")
            shown = os.path.relpath(path) if path.is_absolute() else str(path)
            raise ModelfitError(f"{shown}: no such company profile (COMPANY={target!r}){hint}")
        return path
    if id_only:
        check_company_id(target, what="COMPANY")
    path = Path(target)
    if not path.suffix:
        check_company_id(target, what="COMPANY")
    return path


def ensure_kernel() -> str:
    """Make sure the `modelfit` kernel runs this interpreter; install it into sys.prefix if not."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="modelfit (.venv)", prefix=sys.prefix)
    return KERNEL_NAME


def _kernel_manager_class() -> Any:
    from uuid import uuid4

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import CaselessStrEnum, default

    class IPCKernelManager(AsyncKernelManager):
        """Talks to the kernel over local IPC sockets instead of unencrypted TCP.

        Each kernel gets its own socket name: jupyter_client's default for IPC can fall back to
        `kernel-ipc-N` in the working folder, which parallel runs would share.
        """

        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _unique_ip(self) -> str:
            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(parents=True, exist_ok=True)
            return str(runtime / f"modelfit-{uuid4().hex[:12]}-ipc")

    return IPCKernelManager


def render_report(
    target: str | Path, *, out_dir: Path, lang: str = "en", seed: int = 0,
    framework_path: str | None = None, id_only: bool = False, progress: bool = True,
    root: Path | None = None,
) -> Rendered:
    """Validate, run the report notebook and write `<id>.ipynb/.html/.json` into `out_dir`."""
    root = root or project_root()
    if isinstance(target, Path):
        path = target
    else:
        path = resolve_company(target, params_dir=root / "params", id_only=id_only)
    profile = load_profile(path)  # bad input stops here: no kernel, nothing written
    from modelfit.framework import Framework

    fw = Framework.load(framework_path)
    if framework_path is not None:
        framework_path = str(Path(framework_path).resolve())
    return _run(profile, fw, root=root, out_dir=out_dir, lang=lang, seed=seed,
                framework_path=framework_path, progress=progress)


def _run(
    profile: Profile, fw: Framework, *, root: Path, out_dir: Path, lang: str,
    seed: int, framework_path: str | None, progress: bool,
) -> Rendered:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    # nbconvert takes seconds to import: do it on the other core while the kernel runs.
    warm = threading.Thread(target=_import_nbconvert, daemon=True)
    warm.start()

    cid = profile.company_id
    out_dir.mkdir(parents=True, exist_ok=True)
    final = Rendered(out_dir / f"{cid}.ipynb", out_dir / f"{cid}.html", out_dir / f"{cid}.json")
    failed = out_dir / f"{cid}.failed.ipynb"
    tmp = Path(tempfile.mkdtemp(prefix=f".{cid}-", dir=out_dir))
    try:
        nb_path = tmp / f"{cid}.ipynb"
        try:
            pm.execute_notebook(
                str(root / "notebooks" / REPORT_NOTEBOOK), str(nb_path),
                parameters={
                    "company_id": cid, "profile": profile.fields(), "lang": lang, "seed": seed,
                    "framework_path": framework_path, "profile_sha256": profile.source_sha256,
                },
                kernel_name=ensure_kernel(), progress_bar=progress, cwd=str(root / "notebooks"),
                kernel_manager_class=_kernel_manager_class(), log_output=False,
            )
        except PapermillExecutionError as exc:
            if nb_path.exists():
                os.replace(nb_path, failed)
            raise RenderError(
                f"report for {cid} failed in cell {exc.exec_count} ({exc.ename}: {exc.evalue}); "
                f"the failed notebook is {failed}; the last good report is untouched"
            ) from None
        (tmp / f"{cid}.html").write_text(export_html(nb_path, lang=lang,
                                                     title=f"{profile.company}"), "utf-8")
        payload = kernel_payload(nb_path)
        payload["run"] = _run_record(profile, fw, seed, payload)
        (tmp / f"{cid}.json").write_text(
            json.dumps(payload, ensure_ascii=False, indent=2) + "\n", "utf-8")
        for produced, target in zip(
            (nb_path, tmp / f"{cid}.html", tmp / f"{cid}.json"), final.__dict__.values(),
            strict=True,
        ):
            os.replace(produced, target)
        failed.unlink(missing_ok=True)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _import_nbconvert() -> None:
    import nbconvert  # noqa: F401


PAYLOAD_TAG = "modelfit-payload"


def kernel_payload(nb_path: Path) -> dict[str, Any]:
    """The report's JSON as the kernel computed it: the output of the cell tagged PAYLOAD_TAG.

    The JSON file is taken from the executed notebook rather than computed again, so the two
    cannot differ and the work is done once.
    """
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if PAYLOAD_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                data = output.get("data", {}).get("application/json")
                if isinstance(data, dict):
                    return dict(data)
    raise RenderError(f"{nb_path}: no cell tagged {PAYLOAD_TAG!r} with a JSON output")


def _run_record(
    profile: Profile, fw: Framework, seed: int, payload: dict[str, Any],
) -> dict[str, str]:
    from modelfit.report import run_record

    return run_record(profile, fw, seed, payload.get("classifier_sha256"))


def export_html(nb_path: Path, *, lang: str, title: str) -> str:
    """The client's HTML: no code, no prompts, figures embedded with alt text, phone-ready.

    Uses the package's `modelfit_report` template (JupyterLab's look without network scripts).
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(nb_path, as_version=4)
    nb, _ = TagRemovePreprocessor(remove_cell_tags={PAYLOAD_TAG}).preprocess(nb, {})
    exporter = HTMLExporter(
        template_name="modelfit_report", extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        exclude_markdown=True, language_code=lang,
    )
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return str(html)
