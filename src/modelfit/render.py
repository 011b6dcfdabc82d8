"""Rendering reports: papermill runs the report notebook, nbconvert makes the client's HTML.

`render_report` validates the profile before any kernel starts, runs the notebook in the
project's own kernel (`modelfit`, installed into `.venv` by `make setup`, and on the fly when
missing), and writes `<id>.ipynb`, `<id>.html` and `<id>.json` atomically: everything is made
in a temporary folder beside them and moved into place only when all three exist. A failed run
leaves the last good report untouched, keeps the failed notebook as `<id>.failed.ipynb`, and
raises `RenderError` naming the failing cell.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
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
    pdf: Path | None = None
    xlsx: Path | None = None


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
        check_company_id(target, what="COMPANY")  # length and reserved ids
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


STALE_CONNECTION_SECONDS = 600.0  # a connection file this old whose kernel is gone is litter


def remove_stale_connection_files(runtime: Path | None = None) -> list[Path]:
    """Remove the connection files and IPC sockets of modelfit kernels whose run was killed
    (kill -9 leaves them behind); return what was removed.

    Only modelfit's own kernels (IPC sockets named `modelfit-*-ipc`) are considered, only files
    older than STALE_CONNECTION_SECONDS, and only when the kernel's shell socket no longer
    accepts a connection: a running kernel, or one just starting, is never touched.
    """
    import socket
    import time

    from jupyter_core.paths import jupyter_runtime_dir

    runtime = runtime or Path(jupyter_runtime_dir())
    removed: list[Path] = []
    now = time.time()
    for conn in runtime.glob("kernel-*.json"):
        try:
            if now - conn.stat().st_mtime < STALE_CONNECTION_SECONDS:
                continue
            info = json.loads(conn.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        ip = str(info.get("ip", "")) if isinstance(info, dict) else ""
        if info.get("transport") != "ipc" or not Path(ip).name.startswith("modelfit-"):
            continue
        shell = Path(f"{ip}-{info.get('shell_port')}")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.connect(str(shell))
            continue  # a live kernel answers
        except OSError:
            pass
        for path in [conn, *Path(ip).parent.glob(f"{Path(ip).name}-*")]:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def ensure_kernel() -> str:
    """Make sure the `modelfit` kernel runs this interpreter; install it into sys.prefix if not."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    remove_stale_connection_files()

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

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # The kernel's own log goes nowhere: after Ctrl-C it would print a 20-line
            # traceback about its closed sockets. A failing cell is reported from the notebook.
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

        _launch_kernel = _async_launch_kernel

    return IPCKernelManager


def render_report(
    target: str | Path, *, out_dir: Path, lang: str = "en", seed: int = 0,
    framework_path: str | None = None, id_only: bool = False, progress: bool = True,
    root: Path | None = None, pdf: bool = False, xlsx: bool = False,
) -> Rendered:
    """Validate, run the report notebook and write `<id>.ipynb/.html/.json` into `out_dir`
    (with `pdf`, also `<id>.pdf`; with `xlsx`, also `<id>.xlsx`)."""
    root = root or project_root()
    if isinstance(target, Path):
        path = target
    else:
        path = resolve_company(target, params_dir=root / "params", id_only=id_only)
    profile = load_profile(path)  # bad input stops here: no kernel, nothing written
    if pdf:
        from modelfit.pdf import PdfUnavailable, unavailable

        reason = unavailable()  # before any kernel starts
        if reason is not None:
            raise PdfUnavailable(reason)
    from modelfit.framework import Framework

    fw = Framework.load(framework_path)
    check_seed(seed)
    check_out_dir(out_dir)
    if framework_path is not None:
        framework_path = str(Path(framework_path).resolve())
    return _run(profile, fw, root=root, out_dir=out_dir, lang=lang, seed=seed,
                framework_path=framework_path, progress=progress, pdf=pdf, xlsx=xlsx)


def _run(
    profile: Profile, fw: Framework, *, root: Path, out_dir: Path, lang: str,
    seed: int, framework_path: str | None, progress: bool, pdf: bool = False, xlsx: bool = False,
) -> Rendered:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    # nbconvert takes seconds to import: do it on the other core while the kernel runs.
    warm = threading.Thread(target=_import_nbconvert, daemon=True)
    warm.start()

    cid = profile.company_id
    check_out_dir(out_dir)
    final = Rendered(out_dir / f"{cid}.ipynb", out_dir / f"{cid}.html", out_dir / f"{cid}.json",
                     out_dir / f"{cid}.pdf" if pdf else None,
                     out_dir / f"{cid}.xlsx" if xlsx else None)
    failed = out_dir / f"{cid}.failed.ipynb"
    remove_stale_temporaries(out_dir, cid)
    tmp = Path(tempfile.mkdtemp(prefix=f".{cid}.{os.getpid()}.", dir=out_dir))
    try:
        nb_path = tmp / f"{cid}.ipynb"
        try:
            pm.execute_notebook(
                str(root / "notebooks" / REPORT_NOTEBOOK), str(nb_path),
                parameters={
                    "company_id": cid, "profile": profile.params(), "lang": lang, "seed": seed,
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
        _fix_cell_ids(nb_path)
        html = export_html(nb_path, lang=lang, title=f"{profile.company}")
        (tmp / f"{cid}.html").write_text(html, "utf-8")
        payload = kernel_payload(nb_path)
        payload["run"] = _run_record(profile, fw, seed, payload)
        (tmp / f"{cid}.json").write_text(
            json.dumps(payload, ensure_ascii=False, indent=2) + "\n", "utf-8")
        made = [(nb_path, final.notebook), (tmp / f"{cid}.html", final.html),
                (tmp / f"{cid}.json", final.json)]
        made += _deliverables(html, payload, profile, fw, tmp, final, lang)
        replace_together(
            made, backup=tmp / "previous", rescue=out_dir / f"{cid}.previous",
            what=f"report for {cid}",
        )
        failed.unlink(missing_ok=True)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _deliverables(
    html: str, payload: dict[str, Any], profile: Profile, fw: Framework, tmp: Path,
    final: Rendered, lang: str,
) -> list[tuple[Path, Path]]:
    """The PDF and the workbook asked for, made in `tmp`: (made, final path) pairs."""
    from modelfit.pdf import run_date

    made: list[tuple[Path, Path]] = []
    if final.pdf is not None:
        from modelfit.pdf import write_pdf

        made.append((write_pdf(html, tmp / final.pdf.name, company=profile.company,
                               date=run_date(), lang=lang), final.pdf))
    if final.xlsx is not None:
        from modelfit import workbook

        made.append((workbook.write([payload], tmp / final.xlsx.name, fw, lang, run_date()),
                     final.xlsx))
    return made


def check_seed(seed: int) -> int:
    """`seed` if it can seed the random parts (0 to 2**32 - 1), else a ModelfitError."""
    if not 0 <= seed < 2**32:
        raise ModelfitError(f"--seed must be a whole number from 0 to {2**32 - 1}, got {seed}")
    return seed


def check_out_dir(out_dir: Path) -> Path:
    """Create the output folder, or say in one line why it cannot be (a file, not writable)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ModelfitError(f"--out {out_dir}: is a file, not a folder; name a folder for the "
                            "reports")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ModelfitError(f"--out {out_dir}: a part of this path is a file, not a folder") from None
    except OSError as exc:
        raise ModelfitError(f"--out {out_dir}: cannot be created ({exc.strerror})") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ModelfitError(f"--out {out_dir}: cannot be written (permission denied); name a "
                            "folder you can write to")
    return out_dir


def remove_stale_temporaries(out_dir: Path, cid: str) -> None:
    """Remove `.<cid>.<pid>.*` working folders left by runs that were killed (kill -9)."""
    for folder in out_dir.glob(f".{cid}.*"):
        parts = folder.name.split(".")
        if len(parts) != 4 or parts[1] != cid or not parts[2].isdigit() or not folder.is_dir():
            continue
        if not _alive(int(parts[2])):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def replace_together(
    pairs: list[tuple[Path, Path]], *, backup: Path, rescue: Path, what: str,
) -> None:
    """Move each produced file onto its target: all of them, or none.

    The current targets are first moved aside into `backup` (same file system, so each move is
    a rename); if any step fails, the new files are taken back out and the previous set is put
    back, and a RenderError says so in one line. Should even that fail, the previous files are
    kept in `rescue` and the line names it.
    """
    backup.mkdir(parents=True, exist_ok=True)
    saved: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for _, target in pairs:
            if target.exists() or target.is_symlink():
                aside = backup / target.name
                os.replace(target, aside)
                saved.append((target, aside))
        for produced, target in pairs:
            os.replace(produced, target)
            placed.append(target)
    except OSError as exc:
        failed_at = exc.filename or "a file"
        restored = True
        for target in placed:
            try:
                target.unlink()
            except OSError:
                restored = False
        for target, aside in saved:
            try:
                os.replace(aside, target)
            except OSError:
                restored = False
        if not restored:
            with contextlib.suppress(OSError):
                os.replace(backup, rescue)
        state = ("the previous files are intact" if restored else
                 f"the previous files could not all be put back; they are in {rescue}")
        raise RenderError(f"{what} not written: {failed_at} could not be replaced "
                          f"({exc.strerror or exc}); {state}") from None


INJECTED_TAG = "injected-parameters"


def _fix_cell_ids(nb_path: Path) -> None:
    """Give papermill's injected-parameters cell a fixed id instead of a random one, so the same
    input renders the same notebook and HTML byte for byte."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            cell["id"] = INJECTED_TAG
    nbformat.write(nb, nb_path)


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
