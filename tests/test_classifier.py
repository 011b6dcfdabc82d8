"""Classifier: training report, skops round trip, refusals, second opinion and CSV training."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from modelfit import ModelfitError, Profile
from modelfit.core.vocab import MODELS
from modelfit.outcome.classifier import second_opinion
from modelfit.outcome.modelfile import card_path, load_model, save_model
from modelfit.outcome.pipelines import to_model_frame
from modelfit.outcome.synthetic import generate_profiles
from modelfit.outcome.training import TrainingReport, train, train_from_csv, training_set
from modelfit.views.classifier_charts import (
    plot_calibration,
    plot_confusion,
    plot_importances,
    plot_population,
)

SEED = 5


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, TrainingReport, Path]:
    """A small model (2,000 synthetic companies, 3 folds) saved once for the module."""
    profiles, labels = training_set(2000, SEED)
    keep = labels.map(labels.value_counts()) >= 10  # rare classes would break stratified CV
    pipeline, report = train(profiles[keep], labels[keep], SEED, folds=3, importance_repeats=2)
    path = tmp_path_factory.mktemp("model") / "classifier.skops"
    save_model(pipeline, path, {"seed": SEED, "metrics": report.metrics})
    return pipeline, report, path


def profile() -> Profile:
    """A valid growth-stage profile."""
    return Profile.from_mapping({"company": "Acme", "stage": "growth", "capital": 3,
                                 "supply_chain": 4, "brand_content": 2, "tech_data": 3},
                                company_id="acme")


@pytest.mark.training
def test_held_out_accuracy_beats_the_majority_class(trained: tuple[Any, TrainingReport, Path]) -> None:
    """Held-out accuracy is clearly above always guessing the most common outcome."""
    _, report, _ = trained
    assert report.metrics["accuracy"] > report.metrics["baseline_accuracy"] + 0.1
    assert set(report.metrics) == {"accuracy", "baseline_accuracy", "macro_f1", "log_loss"}


@pytest.mark.training
def test_report_holds_every_evaluation(trained: tuple[Any, TrainingReport, Path]) -> None:
    """The report has CV per candidate, calibration, confusion, importances and agreement."""
    _, report, _ = trained
    assert set(report.cv.index) == {"hist_gradient_boosting", "logistic_regression"}
    assert report.estimator == report.cv["log_loss"].idxmin()
    assert report.calibration["count"].sum() == report.n_test
    assert report.confusion.to_numpy().sum() == report.n_test
    assert "gross_margin_pct" in set(report.importances["feature"])
    assert 0.0 <= report.agreement["classifier_vs_framework"] <= 1.0
    assert {"rows", "agreement", "classifier_instead"} <= set(report.disagreement.columns)
    json.dumps(report.to_dict(), default=str)


@pytest.mark.training
def test_skops_round_trip_gives_the_same_probabilities(
    trained: tuple[Any, TrainingReport, Path],
) -> None:
    """A saved and reloaded model predicts exactly the same probabilities."""
    pipeline, _, path = trained
    x = to_model_frame(generate_profiles(200, 99))
    np.testing.assert_array_equal(load_model(path).predict_proba(x), pipeline.predict_proba(x))


@pytest.mark.training
def test_card_records_versions_hash_and_metrics(trained: tuple[Any, TrainingReport, Path]) -> None:
    """The card beside the file holds the format, file hash, versions, seed and metrics."""
    _, _, path = trained
    card = json.loads(card_path(path).read_text("utf-8"))
    assert card["format"] == "modelfit-classifier"
    assert {"scikit-learn", "skops", "numpy", "pandas", "modelfit"} <= set(card["versions"])
    assert card["seed"] == SEED
    assert len(card["model_sha256"]) == 64


@pytest.mark.training
def test_saving_twice_gives_identical_bytes(
    trained: tuple[Any, TrainingReport, Path], tmp_path: Path,
) -> None:
    """The same model saved twice gives byte-identical files (deterministic artefact)."""
    pipeline, _, _ = trained
    save_model(pipeline, tmp_path / "a.skops", {})
    save_model(pipeline, tmp_path / "b.skops", {})
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()


@pytest.mark.training
def test_second_opinion_covers_all_four_ids(trained: tuple[Any, TrainingReport, Path]) -> None:
    """Probabilities cover the four ids, sum to 1, and primary is the most probable."""
    pipeline, _, _ = trained
    opinion = second_opinion(pipeline, profile())
    assert list(opinion["probabilities"]) == list(MODELS)
    assert sum(opinion["probabilities"].values()) == pytest.approx(1.0)
    assert opinion["primary"] == max(opinion["probabilities"], key=opinion["probabilities"].get)


@pytest.mark.training
def test_second_opinion_gives_zero_to_a_class_absent_in_training() -> None:
    """A model trained without independent_site still returns it, with probability 0."""
    profiles = generate_profiles(120, 1)
    labels = np.where(profiles["capital"] >= 3, "hybrid", "platform")
    pipeline, _ = train(profiles, labels, 1, folds=3, importance_repeats=1)
    opinion = second_opinion(pipeline, profile())
    assert opinion["probabilities"]["independent_site"] == 0.0
    assert opinion["probabilities"]["distribution"] == 0.0
    assert sum(opinion["probabilities"].values()) == pytest.approx(1.0)


def test_pickle_renamed_skops_is_refused_without_running(tmp_path: Path) -> None:
    """A pickle renamed .skops is refused before unpickling: its payload never runs.

    The payload opens (creates) a marker file when unpickled; the control shows it would.
    """

    class Payload:
        def __init__(self, marker: Path) -> None:
            self.marker = marker

        def __reduce__(self) -> tuple[Any, ...]:
            return (open, (str(self.marker), "w"))

    control = tmp_path / "control-ran"
    pickle.loads(pickle.dumps(Payload(control))).close()  # noqa: S301 - proves the payload is live
    assert control.exists()
    marker = tmp_path / "payload-ran"
    path = tmp_path / "classifier.skops"
    path.write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(ModelfitError, match=r"classifier.skops: not a skops file .*pickle"):
        load_model(path)
    assert not marker.exists()


def test_unknown_type_is_refused(tmp_path: Path) -> None:
    """A skops file holding a type outside the allow-list (os.system) is refused by name."""
    import os

    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier().fit(np.zeros((4, 1)), ["platform", "hybrid"] * 2)
    evil = Pipeline([("f", FunctionTransformer(os.system)), ("m", tree)])  # never fitted: never run
    path = tmp_path / "evil.skops"
    save_model(evil, path, {})
    with pytest.raises(ModelfitError, match=r"evil.skops: refusing to load types outside "
                                            r"modelfit's allow-list: posix.system"):
        load_model(path)


@pytest.mark.parametrize(("change", "message"), [
    ("drop_card", r"its card .*classifier.card.json is missing"),
    ("tamper", r"does not match its card classifier.card.json"),
    ("old_sklearn", r"trained with scikit-learn 0.1, but .* is installed; retrain"),
    ("bad_card", r"classifier.card.json: not a modelfit classifier card"),
])
@pytest.mark.training
def test_card_problems_are_refused(
    trained: tuple[Any, TrainingReport, Path], tmp_path: Path, change: str, message: str,
) -> None:
    """A missing, mismatched, outdated or foreign card stops the load with a clear message."""
    _, _, source = trained
    path = tmp_path / "classifier.skops"
    path.write_bytes(source.read_bytes())
    card = json.loads(card_path(source).read_text("utf-8"))
    if change == "tamper":
        card["model_sha256"] = "0" * 64
    elif change == "old_sklearn":
        card["versions"]["scikit-learn"] = "0.1"
    elif change == "bad_card":
        card["format"] = "other"
    if change != "drop_card":
        card_path(path).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelfitError, match=message):
        load_model(path)


@pytest.mark.parametrize(("name", "message"), [
    ("model.pkl", r"model.pkl: a model file must be a .skops file, got '.pkl'"),
    ("absent.skops", r"absent.skops: no such model file; train one with `make model`"),
])
def test_bad_model_paths_are_refused(tmp_path: Path, name: str, message: str) -> None:
    """A wrong suffix or a missing file is refused, naming the file."""
    (tmp_path / "model.pkl").write_bytes(b"x")
    with pytest.raises(ModelfitError, match=message):
        load_model(tmp_path / name)


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a training table as a firm would: lists joined with ';'."""
    out = frame.drop(columns=["company_id"], errors="ignore").copy()
    for name in ("target_markets", "existing_channels"):
        if name in out:
            out[name] = [";".join(v) for v in out[name]]
    out.to_csv(path, index=False)
    return path


@pytest.mark.training
def test_train_from_csv_learns_a_table_it_has_never_seen(tmp_path: Path) -> None:
    """A firm's history with its own rule (not the outcome model's) is learnt from the CSV.

    The outcome here is `distribution` for strong supply chains, else `independent_site` for
    strong brands, else `platform`: the trained model recovers it on new companies.
    """
    def rule(frame: pd.DataFrame) -> np.ndarray:
        return np.where(frame["supply_chain"] >= 4, "distribution",
                        np.where(frame["brand_content"] >= 4, "independent_site", "platform"))

    history = generate_profiles(600, 123)
    history["outcome"] = rule(history)
    out = tmp_path / "firm.skops"
    path, report = train_from_csv(write_csv(tmp_path / "history.csv", history), out, seed=1)
    assert path == out
    assert card_path(out).exists()
    fresh = generate_profiles(300, 456)
    predicted = load_model(out).predict(to_model_frame(fresh))
    assert (predicted == rule(fresh)).mean() > 0.95
    assert report.metrics["accuracy"] > 0.9


def csv_problem(tmp_path: Path, edit: str) -> Path:
    """A small valid training CSV, then broken by `edit`."""
    history = generate_profiles(40, 8)
    history["outcome"] = np.where(history.index % 2 == 0, "platform", "hybrid")
    if edit == "missing":
        history = history.drop(columns=["stage"])
    elif edit == "label":
        history.loc[1, "outcome"] = "amazon"
    elif edit == "value":
        history["capital"] = history["capital"].astype(object)
        history.loc[0, "capital"] = 7
    elif edit == "few":
        history["outcome"] = ["hybrid"] * 3 + ["platform"] * 37
    elif edit == "column":
        history["captial"] = 1
    return write_csv(tmp_path / "history.csv", history)


@pytest.mark.parametrize(("edit", "message"), [
    ("missing", r"history.csv: missing column\(s\) stage; a training table needs at least"),
    ("label", r"history.csv: row 3: outcome must be one of platform, distribution, "
              r"independent_site, hybrid, got 'amazon'"),
    ("value", r"history.csv: row 2: capital must be an integer from 1 to 5, got 7"),
    ("few", r"history.csv: too few rows per outcome \('hybrid' has 3\); each outcome present "
            r"needs at least 10 rows"),
    ("column", r"history.csv: column 'captial' is not a profile column or 'outcome'"),
])
def test_bad_training_csv_is_refused(tmp_path: Path, edit: str, message: str) -> None:
    """Each kind of bad table raises ModelfitError naming file, row, column, value and rule."""
    with pytest.raises(ModelfitError, match=message):
        train_from_csv(csv_problem(tmp_path, edit), tmp_path / "out.skops")


def test_out_path_must_be_skops(tmp_path: Path) -> None:
    """--out must name a .skops file."""
    with pytest.raises(ModelfitError, match=r"out.pkl: --out must be a .skops file"):
        train_from_csv(tmp_path / "history.csv", tmp_path / "out.pkl")


@pytest.mark.training
def test_figures_are_matplotlib_figures(trained: tuple[Any, TrainingReport, Path]) -> None:
    """The plotting helpers return Figures built without pyplot."""
    _, report, _ = trained
    profiles, labels = training_set(300, 2)
    figures = [plot_confusion(report), plot_calibration(report), plot_importances(report),
               plot_population(profiles, labels)]
    assert all(isinstance(f, Figure) for f in figures)


def test_missing_feature_columns_are_named() -> None:
    """The model frame needs the profile columns and names the missing ones."""
    with pytest.raises(ModelfitError, match=r"classifier: missing column\(s\) stage"):
        to_model_frame(generate_profiles(5, 1).drop(columns=["stage"]))


@pytest.mark.training
def test_model_file_holds_no_process_specific_ids(trained: tuple[Any, TrainingReport, Path]) -> None:
    """The archive names nothing by Python object id, so retraining gives the same bytes (the
    only long numbers are a seeded random generator's state)."""
    import re
    import zipfile

    _, _, path = trained
    with zipfile.ZipFile(path) as archive:
        schema = archive.read("schema.json").decode("utf-8")
        names = archive.namelist()
    # long numbers only inside a seeded PCG64 generator's state (fixed by the seed)
    for match in re.finditer(r"\d{9,}", schema):
        assert "PCG64" in schema[max(0, match.start() - 400):match.start()]
    assert all(len(n.split(".")[0]) < 9 for n in names)
