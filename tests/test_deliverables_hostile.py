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


# --- item 9: the smaller ones ---------------------------------------------------------------------
def test_item9_questionnaire_on_a_full_disk_leaves_nothing_and_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from modelfit.cli import main
    from modelfit.core import files

    out = tmp_path / "q.yaml"

    class Full:
        def __init__(self, fd: int, *_: Any, **__: Any) -> None:
            os.close(fd)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *_: Any) -> None:
            pass

        def write(self, _: str) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fdopen", Full)
    assert main(["questionnaire", "--out", str(out)]) == 1
    assert capsys.readouterr().err == (f"modelfit: {out}: cannot be written (No space left on "
                                       "device)\n")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert main(["questionnaire", "--out", str(out)]) == 0  # the re-run is not refused
    assert out.read_text("utf-8").startswith("#")


def test_item9_questionnaire_never_follows_a_dangling_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from modelfit.cli import main

    link = tmp_path / "q.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")
    assert main(["questionnaire", "--out", str(link)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere.yaml").exists()


@pytest.mark.parametrize("name", ["\u3164", "\u3164\u3164", "\u2800", " \u2800 "])
def test_item9_names_that_print_as_nothing_are_refused(name: str) -> None:
    from modelfit import ModelfitError, Profile

    with pytest.raises(ModelfitError, match=r"company must hold at least one visible character"):
        Profile.from_mapping({"company": name, "stage": "growth", "capital": 3,
                              "supply_chain": 3, "brand_content": 3, "tech_data": 3,
                              "target_markets": ["us"]})


def test_item9_a_refused_batch_makes_no_out_folder(tmp_path: Path) -> None:
    from modelfit import ModelfitError
    from modelfit.run.batch import render_batch

    from .conftest import PARAMS

    with pytest.raises(ModelfitError):
        render_batch(PARAMS, tmp_path / "out", ids=["../x"], progress=False)
    with pytest.raises(ModelfitError):
        render_batch(PARAMS, tmp_path / "out", workers=2, scheduler="tcp://127.0.0.1:9",
                     progress=False)
    assert not (tmp_path / "out").exists()


def test_item9_saved_what_if_profiles_get_the_ordinary_mode_and_a_missing_folder_is_one_line(
    tmp_path: Path,
) -> None:
    import stat

    from modelfit import ModelfitError
    from modelfit.inputs.profile import load_profile
    from modelfit.views.whatif import Scenario, save_profile

    from .conftest import PARAMS

    profile = load_profile(PARAMS / "demo.yaml")
    path = save_profile(profile, Scenario.of(profile), tmp_path, "demo2")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    with pytest.raises(ModelfitError, match=rf"^{tmp_path / 'nope' / 'demo3.yaml'}: cannot be "
                       r"written \(No such file or directory\)$"):
        save_profile(profile, Scenario.of(profile), tmp_path / "nope", "demo3")


def test_item7_a_chinese_run_removes_only_the_chinese_deliverables(tmp_path: Path) -> None:
    """<id>.zh.* is its own set: a Chinese run without --pdf removes acme.zh.pdf, and the English
    acme.pdf stays."""
    out = tmp_path / "reports"
    _old_set(out)
    new = {"acme.zh.ipynb": b"n", "acme.zh.html": b"h", "acme.zh.json": b"{}"}
    write_report(ReportFiles("acme", new, lang="zh"), out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["acme.ipynb", "acme.html", "acme.json", "acme.pdf", "acme.xlsx", "acme2.pdf",
         "acme.zh.ipynb", "acme.zh.html", "acme.zh.json"])
