"""The full answer: recommendation, robustness and the classifier's second opinion together."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from modelfit import load_profile
from modelfit.analysis import analyse_company, classifier_drivers
from modelfit.cli import main
from modelfit.outcome.classifier import second_opinion
from modelfit.outcome.modelfile import load_model
from modelfit.outcome.predictor import find_default_model

from .conftest import PARAMS

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "data" / "classifier.skops"
DEMO = ROOT / "params" / "demo.yaml"


def test_json_has_robustness_and_classifier(capsys: pytest.CaptureFixture[str]) -> None:
    """recommend --json carries robustness and the classifier's probabilities over four ids."""
    assert main(["recommend", str(DEMO), "--json", "--model", str(MODEL)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {"acceptability", "confidence", "stability", "flips", "risks", "winning",
            "central_weights", "entropy"} <= set(payload["robustness"])
    assert payload["robustness"]["confidence"] == payload["robustness"]["acceptability"][
        payload["primary"]][0]
    probabilities = payload["classifier"]["probabilities"]
    assert set(probabilities) == {"platform", "distribution", "independent_site", "hybrid"}
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert payload["classifier"]["primary"] == max(probabilities, key=probabilities.__getitem__)


def test_json_is_identical_on_identical_input(capsys: pytest.CaptureFixture[str]) -> None:
    """Two runs on the same input print byte-identical JSON (seeded robustness included)."""
    outputs = []
    for _ in range(2):
        assert main(["recommend", str(DEMO), "--json", "--model", str(MODEL)]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


def test_no_model_gives_null_classifier(capsys: pytest.CaptureFixture[str]) -> None:
    """--no-model skips the second opinion: classifier is null."""
    assert main(["recommend", str(DEMO), "--json", "--no-model"]) == 0
    assert json.loads(capsys.readouterr().out)["classifier"] is None


def test_missing_default_model_gives_null(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a project with data/classifier.skops, the second opinion is simply absent."""
    monkeypatch.chdir(tmp_path)
    assert find_default_model() is None
    assert analyse_company(load_profile(DEMO)).classifier is None


def test_named_missing_model_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--model naming a file that is not there exits 2 and says how to make one."""
    assert main(["recommend", str(DEMO), "--model", str(tmp_path / "nope.skops")]) == 2
    assert "no such model file; train one with `make model`" in capsys.readouterr().err


def test_pickle_renamed_skops_is_refused_by_recommend(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    """A pickle renamed .skops is refused with exit 2 and never unpickled."""
    import pickle

    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(marker),))  # type: ignore[return-value]

    bad = tmp_path / "model.skops"
    bad.write_bytes(pickle.dumps(Payload()))
    assert main(["recommend", str(DEMO), "--model", str(bad)]) == 2
    assert "model.skops" in capsys.readouterr().err
    assert not marker.exists()


def test_drivers_explain_the_classifier_pick() -> None:
    """Each driver's push is the drop in P(pick) when that one field is set to neutral."""
    import pandas as pd

    from modelfit.outcome.pipelines import to_model_frame

    model = load_model(MODEL)
    profile = load_profile(ROOT / "params" / "lumen.yaml")
    pick = second_opinion(model, profile)["primary"]
    drivers = classifier_drivers(model, profile, pick)
    assert drivers
    assert [abs(d.push) for d in drivers] == sorted((abs(d.push) for d in drivers), reverse=True)
    first = drivers[0]
    neutral = {**profile.fields(), first.field: first.reference}
    classes = [str(c) for c in model.classes_]
    p = model.predict_proba(to_model_frame(pd.DataFrame([profile.fields(), neutral])))
    assert first.push == pytest.approx(p[0, classes.index(pick)] - p[1, classes.index(pick)])


@pytest.mark.training
def test_train_from_csv_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """modelfit train --data learns a table it has never seen and writes model and card."""
    from modelfit.outcome.training import training_set

    profiles, labels = training_set(600, 3)
    table = profiles.drop(columns=["company_id"]).assign(outcome=labels.to_numpy())
    for col in ("target_markets", "existing_channels"):
        table[col] = [";".join(v) for v in table[col]]
    csv = tmp_path / "history.csv"
    table.to_csv(csv, index=False)
    out = tmp_path / "firm.skops"
    assert main(["train", "--data", str(csv), "--out", str(out), "--seed", "1"]) == 0
    assert "held-out accuracy" in capsys.readouterr().out
    assert out.is_file()
    assert out.with_suffix(".card.json").is_file()
    load_model(out)


def test_train_refuses_bad_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV without the outcome column exits 2 naming the file and the column."""
    csv = tmp_path / "bad.csv"
    csv.write_text("stage,capital,supply_chain,brand_content,tech_data\ngrowth,3,3,3,3\n", "utf-8")
    assert main(["train", "--data", str(csv), "--out", str(tmp_path / "m.skops")]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err
    assert "outcome" in err


def test_train_refuses_n_with_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--n goes with synthetic training only."""
    assert main(["train", "--data", "x.csv", "--n", "10"]) == 2
    assert "--n is for synthetic training" in capsys.readouterr().err


@pytest.mark.kernel
def test_report_shows_second_opinion(tmp_path: Path) -> None:
    """The report's JSON carries the classifier's view when the project has a model."""
    from modelfit.deliver.render import render_report

    render_report("lumen", out_dir=tmp_path, root=ROOT, progress=False)
    payload = json.loads((tmp_path / "lumen.json").read_text("utf-8"))
    assert payload["classifier"] is not None
    html = (tmp_path / "lumen.html").read_text("utf-8")
    assert "Second opinion: the trained classifier" in html
    assert "Push (percentage points)" in html


@pytest.mark.training
def test_train_out_elsewhere_keeps_the_default_model(tmp_path: Path) -> None:
    """Synthetic training with --out naming another file leaves data/classifier.skops alone."""
    default = tmp_path / "classifier.skops"
    default.write_bytes(b"the default model")
    out = tmp_path / "other.skops"
    assert main(["train", "--out", str(out), "--n", "800", "--seed", "2"]) == 0
    assert default.read_bytes() == b"the default model"
    assert out.is_file()
    load_model(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "classifier.skops", "other.card.json", "other.predictor.npz", "other.skops"]


@pytest.mark.parametrize("path", sorted(PARAMS.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_python_answer_is_the_json_answer(path: Path) -> None:
    """`modelfit.analyse(profile).to_dict()` is exactly the object `modelfit recommend --json`
    prints, for every example company (the analyst's API and the command line cannot drift)."""
    import modelfit

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["recommend", str(path), "--json"]) == 0
    answer = modelfit.analyse(modelfit.load_profile(path))
    assert json.loads(json.dumps(answer.to_dict(), ensure_ascii=False)) == json.loads(out.getvalue())
