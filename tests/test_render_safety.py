"""Report sets replaced all together or not at all, and runs refused in one line (issue 13)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from modelfit.cli import main
from modelfit.core.errors import ModelfitError
from modelfit.deliver.render import (
    RenderError,
    check_out_dir,
    check_seed,
    remove_stale_temporaries,
    replace_together,
)
from modelfit.run.batch import collect, render_batch
from modelfit.views.portfolio import load_reports, spreadsheet_safe

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = ("ipynb", "html", "json")


def _sets(tmp_path: Path) -> tuple[Path, Path, list[tuple[Path, Path]]]:
    """An old report set in out/ and a new one in work/, paired file by file."""
    out, work = tmp_path / "out", tmp_path / "work"
    out.mkdir()
    work.mkdir()
    pairs = []
    for suffix in SUFFIXES:
        (out / f"acme.{suffix}").write_text(f"old {suffix}", "utf-8")
        (work / f"acme.{suffix}").write_text(f"new {suffix}", "utf-8")
        pairs.append((work / f"acme.{suffix}", out / f"acme.{suffix}"))
    return out, work, pairs


def test_report_set_is_replaced_together(tmp_path: Path) -> None:
    """All three new files are in place after a successful replace."""
    out, work, pairs = _sets(tmp_path)
    replace_together(pairs, backup=work / "previous", rescue=out / "acme.previous",
                     what="report for acme")
    assert [(out / f"acme.{s}").read_text("utf-8") for s in SUFFIXES] == [
        f"new {s}" for s in SUFFIXES]


def test_failed_last_rename_keeps_the_previous_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13, 4: when the JSON cannot be replaced, .ipynb/.html/.json are all the old ones,
    and one line says so."""
    out, work, pairs = _sets(tmp_path)
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(src) == work / "acme.json":
            raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(RenderError, match=r"^report for acme not written: .*acme\.json could not "
                       r"be replaced \(Permission denied\); the previous files are intact$"):
        replace_together(pairs, backup=work / "previous", rescue=out / "acme.previous",
                         what="report for acme")
    assert [(out / f"acme.{s}").read_text("utf-8") for s in SUFFIXES] == [
        f"old {s}" for s in SUFFIXES]


def test_first_report_failing_leaves_no_partial_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no previous set, a failure leaves no file of the new one behind."""
    out, work, pairs = _sets(tmp_path)
    for _, target in pairs:
        target.unlink()
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith("acme.json"):
            raise OSError(28, "No space left on device", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(RenderError, match=r"No space left on device"):
        replace_together(pairs, backup=work / "previous", rescue=out / "acme.previous",
                         what="report for acme")
    assert list(out.iterdir()) == []


def test_report_to_a_failing_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 13, 9: `--out` naming a file is one line and exit 2, before any kernel."""
    target = tmp_path / "file.txt"
    target.write_text("x", "utf-8")
    assert main(["report", "--out", str(target), str(ROOT / "params" / "demo.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is a file, not a folder" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any folder")
def test_unwritable_out_folder_is_refused(tmp_path: Path) -> None:
    """Issue 13, 9: an unwritable --out folder is refused in one line."""
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(ModelfitError, match=r"cannot be written"):
        check_out_dir(folder)


def test_out_below_a_file_is_refused(tmp_path: Path) -> None:
    """Issue 13, 9: an --out path running through a file is refused in one line."""
    (tmp_path / "f").write_text("x", "utf-8")
    with pytest.raises(ModelfitError, match=r"is a file|is not a folder|cannot be created"):
        check_out_dir(tmp_path / "f" / "reports")


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_bad_seed_is_refused(seed: int) -> None:
    """Issue 13, 10: `--seed -1` is refused before any kernel starts."""
    with pytest.raises(ModelfitError, match=r"--seed must be a whole number from 0 to 4294967295"):
        check_seed(seed)


def test_report_with_negative_seed_exits_2_without_a_kernel(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13, 10: the seed is checked before papermill is ever called."""
    import modelfit.deliver.render as render

    def no_kernel(*args: object, **kwargs: object) -> None:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(render, "_run", no_kernel)
    assert main(["report", "--seed", "-1", str(ROOT / "params" / "demo.yaml")]) == 2
    assert "--seed must be a whole number" in capsys.readouterr().err


def test_stale_temporary_folder_of_a_dead_run_is_removed(tmp_path: Path) -> None:
    """Issue 13, 10: after kill -9, the next run removes the dead run's working folder."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".acme.{dead}.x1y2"
    stale.mkdir()
    (stale / "acme.ipynb").write_text("{}", "utf-8")
    live = tmp_path / f".acme.{os.getpid()}.z3"
    live.mkdir()
    other = tmp_path / f".acme-co.{dead}.q"
    other.mkdir()
    remove_stale_temporaries(tmp_path, "acme")
    assert not stale.exists()
    assert live.exists()
    assert other.exists()


def test_batch_names_each_company_once() -> None:
    """Issue 13, 10: `batch demo demo` renders demo once."""
    assert collect(ROOT / "params", ["demo", "demo", "sprout"]) == [
        ROOT / "params" / "demo.yaml", ROOT / "params" / "sprout.yaml"]


def test_batch_does_not_hang_on_a_fifo(tmp_path: Path) -> None:
    """Issue 13, 6: a FIFO among the profiles fails alone, at once."""
    params = tmp_path / "params"
    params.mkdir()
    os.mkfifo(params / "x.yaml")
    result = render_batch(params, tmp_path / "out", workers=1, root=ROOT, progress=False)
    assert list(result.failed) == ["x"]
    assert "is not a regular file" in result.failed["x"]


def test_portfolio_csv_cells_are_not_formulas() -> None:
    """Issue 13, 5: a company name such as =cmd|' /C calc'!A0 is written as text."""
    table = pd.DataFrame({"company": ["=cmd|' /C calc'!A0", "Acme"], "margin": [-1.5, 2.0]},
                         index=pd.Index(["evil", "acme"], name="company_id"))
    safe = spreadsheet_safe(table)
    assert safe.loc["evil", "company"] == "'=cmd|' /C calc'!A0"
    assert safe.loc["acme", "company"] == "Acme"
    assert safe.loc["evil", "margin"] == -1.5  # numbers stay numbers


def test_portfolio_reads_ids_that_start_with_portfolio(tmp_path: Path) -> None:
    """Issue 13, 3: `portfolio-co.json` is a company's report and is in the table."""
    import json

    payload = {"company_id": "portfolio-co", "company": "P", "stage": "growth",
               "primary": "platform", "channels": ["platform"],
               "scores": {"platform": 60.0, "hybrid": 50.0}, "ranking": ["platform", "hybrid"]}
    (tmp_path / "portfolio-co.json").write_text(json.dumps(payload), "utf-8")
    assert list(load_reports(tmp_path).index) == ["portfolio-co"]


def test_kernel_log_does_not_reach_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13, 10: the kernel is started with its stderr discarded, so Ctrl-C does not print
    its 20-line traceback about closed sockets (modelfit prints `interrupted`)."""
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    from modelfit.deliver.kernelspec import kernel_manager_class

    seen: dict[str, object] = {}

    async def launch(self: object, kernel_cmd: list[str], **kw: object) -> None:
        seen.update(kw)

    monkeypatch.setattr(AsyncKernelManager, "_async_launch_kernel", launch)
    manager = kernel_manager_class()()
    asyncio.run(manager._launch_kernel(["python"]))
    assert seen["stderr"] == subprocess.DEVNULL
    # Issue 14: its stdout too, where it logged "KeyboardInterrupt caught in kernel" at shutdown.
    assert seen["stdout"] == subprocess.DEVNULL


def _connection(runtime: Path, name: str, age: float, ip_name: str = "") -> tuple[Path, Path]:
    import json
    import time

    ip = runtime / (ip_name or f"modelfit-{name}-ipc")
    conn = runtime / f"kernel-{name}.json"
    conn.write_text(json.dumps({"transport": "ipc", "ip": str(ip), "shell_port": 1}), "utf-8")
    then = time.time() - age
    os.utime(conn, (then, then))
    return conn, Path(f"{ip}-1")


def test_stale_kernel_connection_files_are_removed(tmp_path: Path) -> None:
    """Issue 13, 10: after kill -9, a modelfit kernel's connection file and sockets are removed
    by the next run; live, young and other programs' kernels are left alone."""
    import socket

    from modelfit.deliver.kernelspec import STALE_CONNECTION_SECONDS, remove_stale_connection_files

    old = STALE_CONNECTION_SECONDS + 60
    dead, dead_socket = _connection(tmp_path, "dead", old)
    dead_socket.write_text("", "utf-8")
    young, _ = _connection(tmp_path, "young", 1)
    other, _ = _connection(tmp_path, "other", old, ip_name="kernel-ipc")
    live, live_socket = _connection(tmp_path, "live", old)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(live_socket))
        server.listen()
        removed = remove_stale_connection_files(tmp_path)
    assert sorted(removed) == sorted([dead, dead_socket])
    assert young.exists()
    assert other.exists()
    assert live.exists()


# --- exact behaviour of the atomic writes (mutation testing, docs/testing.md) -------------------
def test_check_out_dir_creates_a_missing_folder_and_keeps_an_existing_one(tmp_path: Path) -> None:
    """A folder several levels deep is created; an existing folder is accepted as it is; both
    are returned."""
    deep = tmp_path / "a" / "b" / "reports"
    assert check_out_dir(deep) == deep
    assert deep.is_dir()
    (deep / "kept.txt").write_text("x", "utf-8")
    assert check_out_dir(deep) == deep
    assert (deep / "kept.txt").read_text("utf-8") == "x"


def test_check_out_dir_names_each_problem_exactly(tmp_path: Path) -> None:
    """A file, a path through a file and a dangling link each get their own one line."""
    target = tmp_path / "file.txt"
    target.write_text("x", "utf-8")
    with pytest.raises(ModelfitError, match=rf"^--out {target}: is a file, not a folder; name a "
                       r"folder for the reports$"):
        check_out_dir(target)
    with pytest.raises(ModelfitError, match=rf"^--out {target}/reports: cannot be created "
                       r"\(Not a directory\)$"):
        check_out_dir(target / "reports")
    dangling = tmp_path / "gone"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(ModelfitError, match=rf"^--out {dangling}: a part of this path is a file, "
                       r"not a folder$"):
        check_out_dir(dangling)


def test_check_out_dir_asks_for_write_and_search_permission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The folder must be writable and searchable (W_OK | X_OK), else one line says so (root
    may write anywhere, so the answer is the stand-in's)."""
    asked: list[tuple[str, int]] = []

    def access(path: object, mode: int) -> bool:
        asked.append((str(path), mode))
        return False

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(ModelfitError, match=rf"^--out {tmp_path}: cannot be written \(permission "
                       r"denied\); name a folder you can write to$"):
        check_out_dir(tmp_path)
    assert asked == [(str(tmp_path), os.W_OK | os.X_OK)]


@pytest.mark.parametrize("seed", [0, 64, 2**31, 2**32 - 1])
def test_every_seed_from_0_to_2_to_the_32_is_accepted(seed: int) -> None:
    """The documented range is 0 to 4294967295, both ends included."""
    assert check_seed(seed) == seed


def _dead_pid() -> str:
    return subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_only_working_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    """Among many entries, each stale working folder is removed wherever it comes; a name that
    is not `.<id>.<pid>.<suffix>` with a number for pid, and a file, are left alone."""
    dead = _dead_pid()
    stale = [tmp_path / f".acme.{dead}.s{i}" for i in range(3)]
    kept = [tmp_path / f".acme.{dead}.x.y", tmp_path / ".acme.notapid.x",
            *(tmp_path / f".acme.{dead}{chr(97 + i)}.x" for i in range(20))]
    for folder in stale + kept:
        folder.mkdir()
    afile = tmp_path / f".acme.{dead}.f"
    afile.write_text("x", "utf-8")
    remove_stale_temporaries(tmp_path, "acme")
    assert [f.exists() for f in stale] == [False] * 3
    assert all(f.is_dir() for f in kept)
    assert afile.is_file()


def test_a_stale_folder_that_cannot_be_removed_is_left_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Clearing litter never stops a run: a stale folder whose files cannot be removed stays."""
    stale = tmp_path / f".acme.{_dead_pid()}.s"
    stale.mkdir()
    (stale / "acme.ipynb").write_text("{}", "utf-8")

    def unlink(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "unlink", unlink)
    remove_stale_temporaries(tmp_path, "acme")
    assert (stale / "acme.ipynb").exists()


def test_alive_never_signals_the_process_it_asks_about() -> None:
    """process_alive sends signal 0 (a probe): a live process is reported alive and goes on
    running."""
    from modelfit.core.files import process_alive

    # The child exits at any signal it can catch (a run under nohup ignores SIGHUP, and
    # ignored signals are inherited: the child sets its own handlers).
    code = ("import signal, sys, time\n"
            "for s in signal.valid_signals():\n"
            "    try:\n"
            "        signal.signal(s, lambda *a: sys.exit(3))\n"
            "    except (OSError, ValueError, RuntimeError):\n"
            "        pass\n"
            "print('ready', flush=True)\n"
            "time.sleep(30)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        assert process_alive(child.pid) is True
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert process_alive(child.pid) is False


def test_another_users_live_process_counts_as_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Probing a process of another user is refused (PermissionError): it is alive."""
    from modelfit.core.files import process_alive

    def kill(pid: int, sig: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", kill)
    assert process_alive(12345) is True


def test_backup_folder_is_made_with_its_parents_or_reused(tmp_path: Path) -> None:
    """The backup folder may not exist yet (nor its parent), or may exist already."""
    out, work, pairs = _sets(tmp_path)
    replace_together(pairs, backup=work / "new" / "previous", rescue=out / "acme.previous",
                     what="report for acme")
    for produced, _ in pairs:
        produced.write_text("newer", "utf-8")
    replace_together(pairs, backup=work / "new" / "previous", rescue=out / "acme.previous",
                     what="report for acme")
    assert [(out / f"acme.{s}").read_text("utf-8") for s in SUFFIXES] == ["newer"] * 3


def test_a_failure_without_a_file_name_says_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An OSError that names no file still gives one whole line."""
    out, work, pairs = _sets(tmp_path)
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(src) == work / "acme.html":
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(RenderError, match=r"^report for acme not written: a file could not be "
                       r"replaced \(Input/output error\); the previous files are intact$"):
        replace_together(pairs, backup=work / "previous", rescue=out / "acme.previous",
                         what="report for acme")


def test_previous_files_that_cannot_be_put_back_are_kept_in_the_rescue_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The JSON cannot be replaced and the old notebook cannot be put back: the previous set is
    moved to the rescue folder, and the line says where."""
    out, work, pairs = _sets(tmp_path)
    backup, rescue = work / "previous", out / "acme.previous"
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(src) == work / "acme.json" or Path(src) == backup / "acme.ipynb":
            raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(RenderError, match=rf"^report for acme not written: .*acme\.json could not "
                       rf"be replaced \(Permission denied\); the previous files could not all be "
                       rf"put back; they are in {rescue}$"):
        replace_together(pairs, backup=backup, rescue=rescue, what="report for acme")
    assert (rescue / "acme.ipynb").read_text("utf-8") == "old ipynb"
    assert (out / "acme.html").read_text("utf-8") == "old html"


def test_a_new_file_that_cannot_be_taken_back_sends_the_old_ones_to_rescue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The JSON fails after the notebook was placed, and the placed notebook cannot be removed:
    the set is not restored, so the previous files go to the rescue folder."""
    out, work, pairs = _sets(tmp_path)
    backup, rescue = work / "previous", out / "acme.previous"
    real_replace, real_unlink = os.replace, Path.unlink

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(src) == work / "acme.json":
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self == out / "acme.ipynb":
            raise PermissionError(13, "Permission denied", str(self))
        real_unlink(self, missing_ok)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(RenderError, match=rf"could not all be put back; they are in {rescue}$"):
        replace_together(pairs, backup=backup, rescue=rescue, what="report for acme")
    assert rescue.is_dir()


def test_a_rescue_that_fails_too_still_gives_the_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even when the rescue move fails (its folder is taken), the error is the RenderError
    line, not a second exception."""
    out, work, pairs = _sets(tmp_path)
    backup, rescue = work / "previous", out / "acme.previous"
    rescue.mkdir()
    (rescue / "taken").write_text("x", "utf-8")
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(src) in (work / "acme.json", backup / "acme.ipynb"):
            raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(RenderError, match=r"could not all be put back"):
        replace_together(pairs, backup=backup, rescue=rescue, what="report for acme")
    assert (backup / "acme.ipynb").read_text("utf-8") == "old ipynb"
