"""The README runs as written (issue 24, item 6): every shell command of its ```bash and
```console blocks is extracted and run, in README order, in a fresh copy of the project whose
`.venv/bin/modelfit` runs this checkout's modelfit. Commands that start a Jupyter kernel run in
the kernel-marked test; those that start a Dask cluster, train a model or run the test suite
itself are named with the reason they are not run here (the tests of those targets run them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
BASH = shutil.which("bash") or "/bin/bash"

# What is not run here, and why: each prefix is a command the README shows.
NOT_RUN = {
    "make test": "the test suite itself",
    "make mutation": "the mutation run (tools/mutation.py, tested by tests/test_mutation*)",
    "make lint": "the linters (run by every landing)",
    "make bench": "the benchmarks (minutes; bench/)",
    "make notebooks": "rewrites the committed notebooks (tests/test_notebooks.py)",
    "make clean": "removes reports/ (nothing to check)",
    "make lab": "starts JupyterLab, which does not return",
    "make model": "training (tests/test_classifier.py, marker training)",
    ".venv/bin/modelfit train": "training on the reader's own history.csv (marker training)",
    "--model data/firm.skops": "needs the model the train command makes",
    "make reports": "a Dask cluster (tests/test_batch.py, marker cluster)",
    ".venv/bin/dask": "a Dask cluster the reader starts (tests/test_batch.py)",
    "cd modelfit && .venv/bin/dask": "a Dask worker on another machine",
    ".venv/bin/modelfit batch": "a Dask cluster (tests/test_batch.py, marker cluster)",
    "--scheduler tcp://HOST": "a Dask cluster at the reader's address",
}
KERNEL = re.compile(r"(make report|(\.venv/bin/)?modelfit report)( |$)")


def readme_commands() -> list[str]:
    """The shell commands of the README's bash and console blocks, in order, without prompts
    and trailing comments."""
    commands, block = [], None
    for line in (ROOT / "README.md").read_text("utf-8").splitlines():
        if line.startswith("```"):
            block = line[3:].strip() if block is None else None
            continue
        if block not in ("bash", "console") or not line.strip() or line.lstrip().startswith("#"):
            continue
        if block == "console":
            if not line.startswith("$ "):
                continue  # the output a command prints
            line = line[2:]
        command = re.sub(r"\s+#\s.*$", "", line).strip()
        if command:
            commands.append(command)
    return commands


def _reason(command: str) -> str | None:
    return next((why for prefix, why in NOT_RUN.items()
                 if command.startswith(prefix) or prefix in command), None)


def _fresh_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the project (no git, reports, caches or venv) with a `.venv/bin/modelfit` that
    runs this checkout's modelfit from the copy's src/, and the environment to run commands in."""
    copy = tmp_path / "modelfit"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".git", "reports", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache",
        ".ruff_cache", "build", "*.egg-info", ".hypothesis", "mutants"))
    bin_dir = copy / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("modelfit", "python"):
        script = bin_dir / tool
        run = "-m modelfit.cli" if tool == "modelfit" else ""
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" {run} "$@"\n', "utf-8")
        script.chmod(0o755)
    stamp = copy / ".venv" / ".installed"
    stamp.touch()
    os.utime(stamp, (2**31, 2**31))  # newer than pyproject.toml: make does no set-up
    env = {**os.environ, "PYTHONPATH": str(copy / "src"),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return copy, env


def _run_all(commands: list[str], tmp_path: Path) -> list[tuple[str, int, str]]:
    copy, env = _fresh_copy(tmp_path)
    failed = []
    for command in commands:
        done = subprocess.run([BASH, "-c", command], cwd=copy, env=env, capture_output=True,
                              text=True, timeout=600, check=False)
        if done.returncode != 0:
            failed.append((command, done.returncode, (done.stderr or done.stdout)[-400:]))
        assert "Traceback" not in done.stderr, (command, done.stderr)
    # a quoted `--constraint 'capital>=brand_content'` writes no file named `=brand_content`
    assert not list(copy.glob("=*")), "a command wrote a file the shell named"
    return failed


def test_the_readme_has_commands_and_each_is_run_or_named() -> None:
    """The extraction finds the README's commands; every one is run here, run by the kernel
    test, or named in NOT_RUN with its reason."""
    commands = readme_commands()
    assert ".venv/bin/modelfit recommend params/demo.yaml --json" in commands
    assert any(c.startswith("make report ") for c in commands)
    assert all(_reason(c) or KERNEL.match(c) or c.startswith(
        ("cp ", ".venv/bin/modelfit ", "modelfit ", "make recommend", "make validate"))
               for c in commands), [c for c in commands if not _reason(c)]


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_the_readme_commands_run_as_written(tmp_path: Path) -> None:
    """Every command that needs no kernel, cluster or training exits 0 in a fresh copy: the
    example files it names exist, `--constraint` is quoted, the questionnaire lands in params/."""
    commands = [c for c in readme_commands() if not _reason(c) and not KERNEL.match(c)]
    assert len(commands) >= 10
    assert _run_all(commands, tmp_path) == []


@pytest.mark.kernel
@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_the_readme_report_commands_run_as_written(tmp_path: Path) -> None:
    """The report commands (a Jupyter kernel each) exit 0 in a fresh copy, and English and
    Chinese reports end up side by side."""
    commands = [c for c in readme_commands() if not _reason(c) and KERNEL.match(c)]
    assert commands
    assert _run_all(commands, tmp_path) == []
    reports = tmp_path / "modelfit" / "reports"
    assert (reports / "demo.html").is_file()
    assert (reports / "demo.zh.html").is_file()
