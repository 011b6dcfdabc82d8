"""Issue 25 items 7 and 8: a report run removes the deliverables of the same company (and
language) that it did not make this time, together with the move of the new ones; a killed
`score` leaves a working folder that the next run removes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from modelfit.core.vocab import RATINGS
from modelfit.deliver import render
from modelfit.deliver.render import ReportFiles, write_report
from modelfit.run.bulk import score_file


def _old_set(out: Path) -> None:
    out.mkdir()
    for name in ("acme.ipynb", "acme.html", "acme.json", "acme.pdf", "acme.xlsx",
                 "acme.zh.pdf", "acme2.pdf"):
        (out / name).write_bytes(b"old " + name.encode())


NEW = {"acme.ipynb": b"new nb", "acme.html": b"new html", "acme.json": b"{}"}


def test_item7_a_run_without_pdf_removes_the_old_pdf_of_that_company(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    _old_set(out)
    write_report(ReportFiles("acme", dict(NEW)), out)
    assert sorted(p.name for p in out.iterdir()) == [
        "acme.html", "acme.ipynb", "acme.json", "acme.zh.pdf", "acme2.pdf"]
    assert (out / "acme.html").read_bytes() == b"new html"


def test_item7_a_failed_move_puts_the_old_pdf_back_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "reports"
    _old_set(out)
    real = os.replace

    def refuse_json(src: Any, dst: Any) -> None:
        if Path(dst) == out / "acme.json" and "previous" not in Path(src).parts:
            raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(render.os, "replace", refuse_json)
    with pytest.raises(render.RenderError, match=r"the previous files are intact"):
        write_report(ReportFiles("acme", dict(NEW)), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        n: b"old " + n.encode() for n in ("acme.ipynb", "acme.html", "acme.json", "acme.pdf",
                                          "acme.xlsx", "acme.zh.pdf", "acme2.pdf")}


def test_item8_a_killed_score_leaves_a_folder_the_next_run_removes(
    tmp_path: Path, framework: Any,
) -> None:
    """The working folder of a run whose process is gone (kill -9) is removed by the next run;
    a live run's folder is left alone."""
    inp = tmp_path / "in.csv"
    inp.write_text("stage," + ",".join(RATINGS) + "\ngrowth,3,3,3,3\n", "utf-8")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    left = tmp_path / f".out.csv.{pid}.abcd1234"
    left.mkdir()
    (left / "output.csv").write_text("partial", "utf-8")
    live = tmp_path / f".out.csv.{os.getpid()}.live0000"
    live.mkdir()
    score_file(inp, tmp_path / "out.csv", framework, progress=False)
    assert not left.exists()
    assert live.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.csv", "out.csv", "out.rejects.csv", live.name])


# --- item 8: a killed report's kernel files -------------------------------------------------------
def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_item8_a_killed_runs_kernel_files_go_at_once_not_after_ten_minutes(
    tmp_path: Path,
) -> None:
    """A connection file (it holds the kernel's key) and five IPC sockets named with the id of
    a process that is gone are removed by the next run, young as they are; the same files of a
    live process stay."""
    import json

    from modelfit.deliver.kernelspec import remove_stale_connection_files

    made = {}
    for who, pid in (("dead", _dead_pid()), ("live", os.getpid())):
        ip = tmp_path / f"modelfit-{pid}-{who}00000000-ipc"
        conn = tmp_path / f"kernel-modelfit-{pid}-{who}.json"
        conn.write_text(json.dumps({"transport": "ipc", "ip": str(ip), "shell_port": 1,
                                    "key": "secret"}), "utf-8")
        sockets = [Path(f"{ip}-{n}") for n in range(1, 6)]
        for sock in sockets:
            sock.write_text("", "utf-8")
        made[who] = [conn, *sockets]
    orphan = tmp_path / f"modelfit-{_dead_pid()}-orphan000000-ipc-3"  # its file already gone
    orphan.write_text("", "utf-8")
    removed = remove_stale_connection_files(tmp_path)
    assert sorted(removed) == sorted([*made["dead"], orphan])
    assert all(p.exists() for p in made["live"])


def test_item8_the_kernel_connection_file_is_made_where_the_clean_up_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """jupyter_client's own default is an anonymous tmpXXXX.json in the temporary folder, which
    no clean-up could tell from anything else."""
    from modelfit.deliver.kernelspec import kernel_manager_class

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    manager = kernel_manager_class(sync=True)(kernel_name="python3")
    assert Path(manager.connection_file).parent == tmp_path
    assert Path(manager.connection_file).name.startswith(f"kernel-modelfit-{os.getpid()}-")
    assert Path(manager.ip).name.startswith(f"modelfit-{os.getpid()}-")
