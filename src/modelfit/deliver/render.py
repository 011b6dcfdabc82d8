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
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from modelfit.core.errors import ModelfitError, RunError
from modelfit.core.files import process_alive
from modelfit.decision.framework import Framework
from modelfit.deliver.kernelspec import skip_iri_grammar
from modelfit.inputs.profile import COMPANY_ID, Profile, check_company_id, load_profile

REPORT_NOTEBOOK = "company_report.ipynb"
# The outputs a client's HTML (and the PDF made from it) shows: what a cell displays, never its
# printed stream (warnings, paths) or an error's traceback; the .ipynb keeps them for analysts.
CLIENT_OUTPUTS = ("display_data", "execute_result")
TEMPLATES = Path(__file__).parent / "templates"


class RenderError(RunError):
    """A report notebook that failed while running (not bad input): exit status 1."""


DELIVERABLES = ("ipynb", "html", "json", "pdf", "xlsx")  # a report's files: <stem>.<suffix>


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
        from modelfit.deliver.pdf import PdfUnavailable, unavailable

        reason = unavailable()  # before any kernel starts
        if reason is not None:
            raise PdfUnavailable(reason)
    from modelfit.decision.framework import Framework

    fw = Framework.load(framework_path)
    check_seed(seed)
    check_out_dir(out_dir)
    if framework_path is not None:
        framework_path = str(Path(framework_path).resolve())
    return _run(profile, fw, root=root, out_dir=out_dir, lang=lang, seed=seed,
                framework_path=framework_path, progress=progress, pdf=pdf, xlsx=xlsx)


@dataclass(frozen=True)
class ReportJob:
    """Everything one report needs, as plain data: it travels to a Dask worker as it is.

    `notebook` is the report notebook's bytes (outputs removed), so a worker needs no copy of
    the driver's files; `input_key` is recorded in the JSON (see `modelfit.provenance`).
    """

    company_id: str
    company: str
    params: dict[str, Any]
    profile_sha256: str
    lang: str
    seed: int
    framework_path: str | None
    notebook: bytes
    input_key: str = ""
    pdf: bool = False
    xlsx: bool = False
    as_of: str | None = None  # the day whose market fees and rules apply (YYYY-MM-DD)


@dataclass
class ReportFiles:
    """What rendering one report gave: its files' bytes by name, or why it failed."""

    company_id: str
    files: dict[str, bytes]
    error: str | None = None
    failed_notebook: bytes | None = None
    lang: str = "en"

    @property
    def stem(self) -> str:
        """The report's file stem: `<id>` in English, `<id>.zh` in Chinese."""
        from modelfit.provenance import report_stem

        return report_stem(self.company_id, self.lang)


def notebook_bytes(path: Path) -> bytes:
    """A notebook's bytes with its outputs removed: what a run needs of it (a report notebook's
    reference outputs are most of its size). Plain JSON: papermill validates it when it runs."""
    try:
        nb = json.loads(path.read_bytes())
        for cell in nb["cells"]:
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelfitError(f"{path}: not a readable notebook ({exc})") from None
    return (json.dumps(nb, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def make_job(
    profile: Profile, *, notebook: bytes, lang: str, seed: int, framework_path: str | None,
    input_key: str = "", pdf: bool = False, xlsx: bool = False, as_of: str | None = None,
) -> ReportJob:
    """The job of one validated profile; `as_of` (default today) is the day whose market fees
    and rules the report applies."""
    return ReportJob(profile.company_id, profile.company, profile.params(), profile.source_sha256,
                     lang, seed, framework_path, notebook, input_key, pdf, xlsx,
                     as_of or date.today().isoformat())


def _run(
    profile: Profile, fw: Framework, *, root: Path, out_dir: Path, lang: str,
    seed: int, framework_path: str | None, progress: bool, pdf: bool = False, xlsx: bool = False,
) -> Rendered:
    from modelfit.deliver.kernels import WarmKernel
    from modelfit.provenance import report_key

    check_out_dir(out_dir)
    kernel = WarmKernel(root / "notebooks")
    try:
        kernel.start(wait=False)  # the kernel imports its libraries while this process goes on
        # nbconvert takes a second to import: do it while the kernel works. Only now, once
        # jupyter_client is imported: two threads importing one package can see it half-made.
        threading.Thread(target=_import_nbconvert, daemon=True).start()
        notebook = notebook_bytes(root / "notebooks" / REPORT_NOTEBOOK)
        today = date.today().isoformat()
        key = report_key(profile, fw, notebook=notebook, root=root, lang=lang, seed=seed,
                         pdf=pdf, xlsx=xlsx, as_of=today)
        job = make_job(profile, notebook=notebook, lang=lang, seed=seed,
                       framework_path=framework_path, input_key=key, pdf=pdf, xlsx=xlsx,
                       as_of=today)
        result = render_job(job, kernel, progress=progress)
    finally:
        kernel.close()
    return write_report(result, out_dir, pdf=pdf, xlsx=xlsx)


def render_job(job: ReportJob, kernel: Any, *, progress: bool = False) -> ReportFiles:
    """Run one report on `kernel` (a `WarmKernel`) in a working folder of its own and return
    its files' bytes: `<id>.ipynb`, `.html`, `.json` (and `.pdf`, `.xlsx` when asked). A failing
    cell is returned as an error with the failed notebook, never raised, so that in a batch one
    company's failure stays its own."""
    skip_iri_grammar()
    from papermill.exceptions import PapermillExecutionError

    from modelfit.provenance import report_stem

    cid = job.company_id
    stem = report_stem(cid, job.lang)
    with tempfile.TemporaryDirectory(prefix=f".{cid}.") as work:
        tmp = Path(work)
        source = tmp / "input.ipynb"
        source.write_bytes(job.notebook)
        nb_path = tmp / f"{stem}.ipynb"
        try:
            kernel.execute(source, nb_path, {
                "company_id": cid, "profile": job.params, "lang": job.lang, "seed": job.seed,
                "framework_path": job.framework_path, "profile_sha256": job.profile_sha256,
                "as_of": job.as_of,
            }, progress=progress)
        except PapermillExecutionError as exc:
            return ReportFiles(cid, {}, error=(
                f"report for {cid} failed in cell {exc.exec_count} ({exc.ename}: {exc.evalue})"),
                failed_notebook=nb_path.read_bytes() if nb_path.exists() else None,
                lang=job.lang)
        nb = finish_notebook(nb_path, REPORT_NOTEBOOK)
        html = export_html(nb, lang=job.lang, title=job.company)
        payload = kernel_payload(nb)
        payload["run"] = _job_run_record(job, payload)
        files = {nb_path.name: nb_path.read_bytes(), f"{stem}.html": html.encode("utf-8"),
                 f"{stem}.json": (json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
                 .encode("utf-8")}
        files.update(_deliverables(job, html, payload, tmp))
        return ReportFiles(cid, files, lang=job.lang)


def write_report(result: ReportFiles, out_dir: Path, *, pdf: bool = False,
                 xlsx: bool = False) -> Rendered:
    """Write a rendered report's files into `out_dir`, all of them or none (`replace_together`);
    a failed one leaves the last good report and keeps `<id>.failed.ipynb`, and raises."""
    cid, stem = result.company_id, result.stem
    final = Rendered(out_dir / f"{stem}.ipynb", out_dir / f"{stem}.html",
                     out_dir / f"{stem}.json", out_dir / f"{stem}.pdf" if pdf else None,
                     out_dir / f"{stem}.xlsx" if xlsx else None)
    failed = out_dir / f"{stem}.failed.ipynb"
    if result.error is not None:
        message = result.error
        if result.failed_notebook is not None:
            failed.write_bytes(result.failed_notebook)
            message += f"; the failed notebook is {failed}"
        raise RenderError(message + "; the last good report is untouched")
    remove_stale_temporaries(out_dir, cid)
    tmp = Path(tempfile.mkdtemp(prefix=f".{cid}.{os.getpid()}.", dir=out_dir))
    try:
        made = []
        for name, data in result.files.items():
            (tmp / name).write_bytes(data)
            made.append((tmp / name, out_dir / name))
        # what this run did not make (an old PDF beside the new HTML) leaves with the old set
        stale = [out_dir / f"{stem}.{ext}" for ext in DELIVERABLES
                 if f"{stem}.{ext}" not in result.files]
        replace_together(made, backup=tmp / "previous", rescue=out_dir / f"{stem}.previous",
                         what=f"report for {cid}", remove=stale)
        failed.unlink(missing_ok=True)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _job_run_record(job: ReportJob, payload: dict[str, Any]) -> dict[str, str]:
    from modelfit.provenance import run_record

    profile = Profile.from_mapping(dict(job.params), source=f"params/{job.company_id}.yaml",
                                   company_id=job.company_id, sha256=job.profile_sha256)
    record = run_record(profile, Framework.load(job.framework_path), job.seed,
                        payload.get("classifier_sha256"))
    if job.input_key:
        record["input_key"] = job.input_key
    return record


def _deliverables(job: ReportJob, html: str, payload: dict[str, Any], tmp: Path) -> dict[str, bytes]:
    """The PDF and the workbook the job asks for, by file name."""
    from modelfit.deliver.pdf import run_date
    from modelfit.provenance import report_stem

    stem = report_stem(job.company_id, job.lang)
    made: dict[str, bytes] = {}
    if job.pdf:
        from modelfit.deliver.pdf import write_pdf

        out = write_pdf(html, tmp / f"{stem}.pdf", company=job.company,
                        date=run_date(), lang=job.lang)
        made[out.name] = out.read_bytes()
    if job.xlsx:
        from modelfit.deliver import workbook

        out = workbook.write([payload], tmp / f"{stem}.xlsx",
                             Framework.load(job.framework_path), job.lang, run_date())
        made[out.name] = out.read_bytes()
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
        if not process_alive(int(parts[2])):
            shutil.rmtree(folder, ignore_errors=True)


def replace_together(
    pairs: list[tuple[Path, Path]], *, backup: Path, rescue: Path, what: str,
    remove: Sequence[Path] = (),
) -> None:
    """Move each produced file onto its target: all of them, or none.

    The current targets are first moved aside into `backup` (same file system, so each move is
    a rename); if any step fails, the new files are taken back out and the previous set is put
    back, and a RenderError says so in one line. Should even that fail, the previous files are
    kept in `rescue` and the line names it. The files in `remove` leave with the previous set
    (moved into `backup`, put back if the move fails).
    """
    backup.mkdir(parents=True, exist_ok=True)
    saved: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for target in [*(t for _, t in pairs), *remove]:
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


def finish_notebook(
    nb_path: Path, source: str, *, shown: dict[str, str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Any:
    """Make the executed notebook a record of its run that reads the same wherever it ran: the
    injected-parameters cell gets a fixed id instead of a random one (the same input renders the
    same notebook and HTML byte for byte), papermill's record names the project's notebook
    (`notebooks/<source>`) and the file written rather than the worker's temporary files, each
    temporary path in the parameters reads as `shown` maps it, and `metadata` is added.
    Returns the notebook."""
    skip_iri_grammar()
    import nbformat
    from papermill.translators import PythonTranslator

    nb = nbformat.read(nb_path, as_version=4)
    shown = shown or {}
    for cell in nb.cells:
        if INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            cell["id"] = INJECTED_TAG
            for temporary, path in shown.items():  # as papermill wrote them: quoted, escaped
                cell["source"] = cell["source"].replace(PythonTranslator.translate_str(temporary),
                                                        PythonTranslator.translate_str(path))
    record = nb.metadata.get("papermill")
    if record is not None:
        record["input_path"] = f"notebooks/{source}"
        record["output_path"] = nb_path.name
        for name, value in list(record.get("parameters", {}).items()):
            if isinstance(value, str) and value in shown:
                record["parameters"][name] = shown[value]
    nb.metadata.update(metadata or {})
    nbformat.write(nb, nb_path)
    return nb


def _notebook(nb: Path | Any, *, copy: bool = False) -> Any:
    """A notebook node: read from a path, or the node given (a deep copy when `copy`)."""
    skip_iri_grammar()
    import nbformat

    if isinstance(nb, Path):
        return nbformat.read(nb, as_version=4)
    return nbformat.from_dict(nb) if copy else nb


def _import_nbconvert() -> None:
    skip_iri_grammar()
    import nbconvert  # noqa: F401


PAYLOAD_TAG = "modelfit-payload"


def kernel_payload(nb_path: Path | Any) -> dict[str, Any]:
    """The report's JSON as the kernel computed it: the output of the cell tagged PAYLOAD_TAG.

    The JSON file is taken from the executed notebook rather than computed again, so the two
    cannot differ and the work is done once.
    """

    nb = _notebook(nb_path)
    for cell in nb.cells:
        if PAYLOAD_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                data = output.get("data", {}).get("application/json")
                if isinstance(data, dict):
                    return dict(data)
    where = nb_path if isinstance(nb_path, Path) else "the executed notebook"
    raise RenderError(f"{where}: no cell tagged {PAYLOAD_TAG!r} with a JSON output")


_EXPORTERS: dict[str, Any] = {}


def export_html(nb_path: Path | Any, *, lang: str, title: str) -> str:
    """The client's HTML: no code, no prompts, figures embedded with alt text, phone-ready.

    Uses the package's `modelfit_report` template (JupyterLab's look without network scripts).
    """
    skip_iri_grammar()
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = _notebook(nb_path, copy=True)
    nb, _ = TagRemovePreprocessor(remove_cell_tags={PAYLOAD_TAG}).preprocess(nb, {})
    for cell in nb.cells:  # nothing of the machinery: no printed text, warning or traceback
        if cell.get("cell_type") == "code":
            cell["outputs"] = [out for out in cell.get("outputs", [])
                               if out.get("output_type") in CLIENT_OUTPUTS]
    exporter = _EXPORTERS.get(lang)
    if exporter is None:  # compiling the templates is a tenth of a second: once per language
        exporter = _EXPORTERS[lang] = HTMLExporter(
            template_name="modelfit_report", extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
            exclude_markdown=True, language_code=lang,
        )
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return str(html)
