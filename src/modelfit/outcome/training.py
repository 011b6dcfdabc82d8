"""Training: a classifier learned from outcomes rather than from the framework, and its report.

The labels come from the outcome model (`modelfit.outcome.simulation`, unit economics) on a
synthetic population (`modelfit.outcome.synthetic`, `training_set`), or from a firm's own history
of client outcomes (`modelfit.outcome.history`, `train_from_csv`). `train` chooses an estimator
by stratified cross-validation and measures it on held-out rows (`TrainingReport`: metrics,
calibration, importances); the framework is used only afterwards, to measure how often the two
agree and where they part (`modelfit.outcome.disagreement`). `train_default` and
`train_from_csv` write the model file and its card (`modelfit.outcome.modelfile`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.reproducible import numpy_dispatch_in_use, on_baseline
from modelfit.core.vocab import MODELS
from modelfit.outcome.classifier import PROBABILITY_DECIMALS
from modelfit.outcome.disagreement import framework_agreement
from modelfit.outcome.history import read_training_csv
from modelfit.outcome.modelfile import MODEL_NAME, save_model
from modelfit.outcome.pipelines import (
    INPUT_COLUMNS,
    candidate_pipelines,
    check_labels,
    to_model_frame,
)

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

DEFAULT_SEED = 20240601
DEFAULT_N = 20_000
CV_FOLDS = 5
TEST_SIZE = 0.2


# ---------------------------------------------------------------------------------------------
# Training and evaluation


@dataclass
class TrainingReport:
    """What training measured: model choice, held-out metrics, calibration, importances, agreement."""

    estimator: str
    seed: int
    n_train: int
    n_test: int
    classes: tuple[str, ...]
    label_shares: dict[str, float]
    cv: pd.DataFrame
    metrics: dict[str, float]
    confusion: pd.DataFrame
    calibration: pd.DataFrame
    expected_calibration_error: float
    importances: pd.DataFrame
    agreement: dict[str, float]
    disagreement: pd.DataFrame
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary (tables as records)."""
        return {
            "estimator": self.estimator, "seed": self.seed, "n_train": self.n_train,
            "n_test": self.n_test, "classes": list(self.classes),
            "label_shares": self.label_shares, "metrics": self.metrics,
            "expected_calibration_error": self.expected_calibration_error,
            "agreement": self.agreement, "seconds": round(self.seconds, 2),
            "cv": self.cv.reset_index().to_dict("records"),
            "confusion": self.confusion.to_dict(),
            "importances": self.importances.to_dict("records"),
            "disagreement": self.disagreement.reset_index().to_dict("records"),
        }


def train(
    df: pd.DataFrame, labels: pd.Series | Sequence[str], seed: int = DEFAULT_SEED, *,
    folds: int = CV_FOLDS, importance_repeats: int = 3,
) -> tuple[Pipeline, TrainingReport]:
    """Choose an estimator by stratified CV, evaluate it on a held-out 20%, refit on all rows.

    `df` holds the profile columns (list fields as tuples or ';'-joined strings); `labels` one
    model id per row. Returns the pipeline fitted on every row and the report of the held-out
    evaluation (metrics, calibration, confusion matrix, permutation importance, agreement with
    the framework's `primary`).
    """
    # threadpoolctl limits only the pools already loaded when it is called: the estimators'
    # modules load scikit-learn's OpenMP runtime and scipy's BLAS first. (Loaded later, they kept
    # every core, and gradient boosting on a busy machine ran ten times slower than on one.)
    import sklearn.ensemble
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    # One thread for every library pool (OpenMP, BLAS): tree building and float sums then run in
    # one fixed order, so the same data and seed give the same model bytes on any thread count.
    with threadpool_limits(limits=1):
        return _train(df, labels, seed, folds=folds, importance_repeats=importance_repeats)


def _train(
    df: pd.DataFrame, labels: pd.Series | Sequence[str], seed: int, *, folds: int,
    importance_repeats: int,
) -> tuple[Pipeline, TrainingReport]:
    from sklearn.base import clone
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss
    from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split

    started = time.perf_counter()
    x = to_model_frame(df)
    y = pd.Series(np.asarray(labels, dtype=object), index=df.index, name="outcome")
    check_labels(y, "train")
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SIZE, stratify=y, random_state=seed)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    rows = []
    for name, pipe in candidate_pipelines(seed).items():
        scores = cross_validate(pipe, x_train, y_train, cv=cv,
                                scoring=("neg_log_loss", "accuracy", "f1_macro"))
        rows.append({
            "estimator": name,
            "log_loss": float(-scores["test_neg_log_loss"].mean()),
            "log_loss_sd": float(scores["test_neg_log_loss"].std()),
            "accuracy": float(scores["test_accuracy"].mean()),
            "macro_f1": float(scores["test_f1_macro"].mean()),
        })
    cv_table = pd.DataFrame(rows).set_index("estimator").sort_values("log_loss", kind="stable")
    chosen = str(cv_table.index[0])
    pipe = clone(candidate_pipelines(seed)[chosen]).fit(x_train, y_train)

    proba = pipe.predict_proba(x_test)
    classes = tuple(str(c) for c in pipe.classes_)
    predicted = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
    majority = y_train.value_counts().idxmax()
    metrics = {
        "accuracy": float(accuracy_score(y_test, predicted)),
        "baseline_accuracy": float((y_test == majority).mean()),
        "macro_f1": float(f1_score(y_test, predicted, average="macro", zero_division=0)),
        "log_loss": float(log_loss(y_test, proba, labels=list(classes))),
    }
    present = [m for m in MODELS if m in set(y)]
    confusion = pd.DataFrame(
        confusion_matrix(y_test, predicted, labels=present),
        index=pd.Index(present, name="outcome"), columns=pd.Index(present, name="predicted"))
    calibration, ece = calibration_table(proba, y_test.to_numpy(), classes)
    imp = permutation_importance(pipe, x_test, y_test, scoring="accuracy",
                                 n_repeats=importance_repeats, random_state=seed)
    importances = pd.DataFrame({
        "feature": list(x_test.columns), "importance": imp.importances_mean,
        "sd": imp.importances_std,
    }).sort_values("importance", ascending=False, ignore_index=True, kind="stable")
    agreement, disagreement = framework_agreement(df.loc[x_test.index], predicted, y_test)

    final = clone(candidate_pipelines(seed)[chosen]).fit(x, y)
    shares = y.value_counts(normalize=True)
    report = TrainingReport(
        estimator=chosen, seed=seed, n_train=len(x_train), n_test=len(x_test), classes=classes,
        label_shares={m: float(shares.get(m, 0.0)) for m in MODELS}, cv=cv_table,
        metrics=metrics, confusion=confusion, calibration=calibration,
        expected_calibration_error=ece, importances=importances, agreement=agreement,
        disagreement=disagreement, seconds=time.perf_counter() - started,
    )
    return final, report


def calibration_table(
    proba: np.ndarray, truth: np.ndarray, classes: Sequence[str], bins: int = 10,
) -> tuple[pd.DataFrame, float]:
    """Reliability of the top-class probability: per bin, mean confidence vs accuracy.

    Returns the table (bin, confidence, accuracy, count) and the expected calibration error
    (count-weighted mean |accuracy - confidence|).
    """
    top = np.max(proba, axis=1)
    correct = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)] == truth
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(top, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            rows.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                         "confidence": float(top[mask].mean()),
                         "accuracy": float(correct[mask].mean()), "count": int(mask.sum())})
    table = pd.DataFrame(rows)
    ece = float((table["count"] * (table["accuracy"] - table["confidence"]).abs()).sum()
                / max(1, len(top)))
    return table, ece


# ---------------------------------------------------------------------------------------------
# Training entry points


def data_hash(x: pd.DataFrame, y: pd.Series) -> str:
    """SHA-256 of the training table (features and labels), independent of the index."""
    frame = to_model_frame(x).reset_index(drop=True)
    frame["outcome"] = np.asarray(y, dtype=object)
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def _card(report: TrainingReport, source: str, rows: int, digest: str) -> dict[str, Any]:
    """The card fields training knows (seed, data, metrics, reproducibility); `save_model`
    adds the file's own (format, hashes, versions, classes)."""
    return {
        "seed": report.seed, "estimator": report.estimator,
        "data": {"source": source, "rows": rows, "sha256": digest},
        "features": list(INPUT_COLUMNS),
        "metrics": {k: round(v, 6) for k, v in report.metrics.items()},
        "agreement": {k: round(v, 6) for k, v in report.agreement.items()},
        "label_shares": {k: round(v, 6) for k, v in report.label_shares.items()},
        # What the bytes depend on besides the seed and the data: see docs/classifier.md.
        "numpy_simd": "baseline" if on_baseline() else " ".join(numpy_dispatch_in_use()),
        "reproducibility": (
            "trained with one thread in every library pool (threadpoolctl) and numpy on its "
            "baseline code paths (modelfit train): the same data and seed give byte-identical "
            "model and predictor files whatever OMP_NUM_THREADS is and whatever vector "
            "instructions the CPU has, with the same library versions on the same CPU "
            "architecture; second-opinion "
            f"probabilities are rounded to {PROBABILITY_DECIMALS} decimals at the source"),
    }


def training_set(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.Series]:
    """Synthetic profiles and their outcome-model labels (the default training data)."""
    from modelfit.outcome.labels import best_model_labels
    from modelfit.outcome.simulation import simulate_outcomes
    from modelfit.outcome.synthetic import generate_profiles

    profiles = generate_profiles(n, seed)
    labels = best_model_labels(simulate_outcomes(profiles, seed))
    return profiles, labels


def train_default(
    out_dir: str | Path = "data", n: int = DEFAULT_N, seed: int = DEFAULT_SEED,
) -> tuple[Path, TrainingReport]:
    """Train the default model on `n` synthetic profiles: write `out_dir/classifier.skops` + card.

    Deterministic by `seed`. Returns the model path and the training report.
    """
    profiles, labels = training_set(n, seed)
    pipeline, report = train(profiles, labels, seed)
    path = Path(out_dir) / MODEL_NAME
    source = f"synthetic: generate_profiles(n={n}, seed={seed}) + outcome model"
    save_model(pipeline, path, _card(report, source, n, data_hash(profiles, labels)))
    return path, report


def train_from_csv(
    path: str | Path, out: str | Path, seed: int = DEFAULT_SEED,
) -> tuple[Path, TrainingReport]:
    """Train on a firm's own table of past companies and write the model to `out` (+ card).

    The CSV holds the profile columns (at least stage and the four ratings; optional ones take
    their documented defaults when missing or empty; lists as `us;eu`) and an `outcome` column
    holding a model id. Every problem is reported at once as a `ModelfitError` naming the file,
    row, column, value and what is allowed.
    """
    path = Path(path)
    out = Path(out)
    if out.suffix != ".skops":
        raise ModelfitError(f"{out}: --out must be a .skops file, got "
                            f"{out.suffix or 'no suffix'!r}")
    profiles, labels = read_training_csv(path)
    pipeline, report = train(profiles, labels, seed)
    save_model(pipeline, out, _card(report, f"csv: {path.name}", len(profiles),
                                    data_hash(profiles, labels)))
    return out, report
