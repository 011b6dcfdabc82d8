"""The notebook generator: the committed notebooks hold the cells it writes and no widget state."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from modelfit.deliver.notebooks import BOOKS, main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's notebooks and params in a folder of its own."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "params", tmp_path / "params")
    return tmp_path


def test_committed_notebooks_are_what_the_generator_writes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`python -m modelfit.deliver.notebooks --check` passes on the committed notebooks: their
    cells and metadata are the generator's (outputs and papermill's record aside), and none
    carries widget state. After editing a cell list, `make notebooks`."""
    assert main(["--check", "--root", str(ROOT)]) == 0, capsys.readouterr().err


def test_check_names_every_notebook_that_differs_and_touches_nothing(
    project: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A notebook with widget state and one with an edited cell are both named; exit 1; no file
    changes."""
    intake = project / "notebooks" / "intake.ipynb"
    nb = nbformat.read(intake, as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, intake)
    framework = project / "notebooks" / "framework.ipynb"
    nb = nbformat.read(framework, as_version=4)
    nb.cells[3].source = "fx = None"
    nbformat.write(nb, framework)
    before = {p.name: p.read_bytes() for p in (project / "notebooks").iterdir()}

    assert main(["--check", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "notebooks/intake.ipynb: holds widget state (metadata.widgets)" in err
    assert "notebooks/framework.ipynb: cell 3 differs (source)" in err
    assert "whatif" not in err
    assert {p.name: p.read_bytes() for p in (project / "notebooks").iterdir()} == before


def test_strip_widgets_keeps_the_outputs(project: Path) -> None:
    """--strip-widgets removes metadata.widgets and nothing else."""
    path = project / "notebooks" / "whatif.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, path)

    assert main(["--strip-widgets", "--root", str(project), "whatif"]) == 0
    stripped = nbformat.read(path, as_version=4)
    assert "widgets" not in stripped.metadata
    del nb.metadata["widgets"]
    assert stripped == nb


def test_written_notebooks_pass_the_check(project: Path) -> None:
    """What the generator writes (cells only, no outputs yet) is what the check expects."""
    for name in BOOKS:
        (project / "notebooks" / f"{name}.ipynb").unlink()
    assert main(["--root", str(project)]) == 0
    assert main(["--check", "--root", str(project)]) == 0
    nb = nbformat.read(project / "notebooks" / "company_report.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "modelfit"
    assert not any(c.get("outputs") for c in nb.cells)
