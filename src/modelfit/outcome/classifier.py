"""Classifier: a trained second opinion, learned from outcomes rather than from the framework.

The labels come from the outcome model (`modelfit.outcome.simulation`, unit economics) on a synthetic
population (`modelfit.outcome.synthetic`), or from a firm's own history of client outcomes (a CSV with
the profile columns and an `outcome` column). The framework is used only afterwards, to measure
how often the two agree and where they part.

Model files are skops files, never pickles. `load_model` checks the card beside the file
(`<name>.card.json`: format, file hash, library versions), refuses anything that is not a skops
(zip) archive before reading a byte of it as a model, and refuses any type outside `ALLOWED_TYPES`
as skops' `get_untrusted_types` reports them.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform as _platform
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError, ProfileError
from modelfit.core.reading import read_capped
from modelfit.core.reproducible import DECIMALS, numpy_dispatch_in_use, on_baseline
from modelfit.core.vocab import BASE_CHANNELS, CATEGORIES, MARKETS, MODELS, RATINGS, STAGES
from modelfit.inputs.profile import FIELD_NAMES, Profile

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from sklearn.pipeline import Pipeline

    from modelfit.outcome.predictor import Predictor

DEFAULT_SEED = 20240601
DEFAULT_N = 20_000
MODEL_NAME = "classifier.skops"
CARD_FORMAT = "modelfit-classifier"
CARD_VERSION = 1
CV_FOLDS = 5
TEST_SIZE = 0.2
MIN_ROWS_PER_CLASS = 10
MAX_SHOWN_PROBLEMS = 20
# Caps on what a model file may make modelfit read: the default model is 1.4 MB on disk,
# 3.2 MB inflated (schema.json 0.8 MB) in about 1,800 members; the caps leave 20 times that.
MAX_MODEL_BYTES = 32 * 1024 * 1024
MAX_MODEL_INFLATED_BYTES = 64 * 1024 * 1024
MAX_MODEL_SCHEMA_BYTES = 16 * 1024 * 1024
MAX_MODEL_MEMBERS = 50_000
MAX_CARD_BYTES = 64 * 1024
# A training table of past companies: 20,000 rows take about 2 MB.
MAX_TRAINING_CSV_BYTES = 50 * 1024 * 1024
LIST_FIELDS = ("target_markets", "existing_channels")
MONEY_FIELDS = ("avg_order_value_usd", "marketing_budget_usd", "team_size")
PLAIN_NUMERIC = (*RATINGS, "gross_margin_pct")
INPUT_COLUMNS = tuple(name for name in FIELD_NAMES if name != "company")
REQUIRED_CSV_COLUMNS = ("stage", *RATINGS, "outcome")

# Every type a modelfit model file may contain; anything else is refused before loading.
ALLOWED_TYPES = frozenset({
    "numpy.log1p",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.feature_extraction.text.CountVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "sklearn.utils._bunch.Bunch",
    "builtins.slice",
})


# ---------------------------------------------------------------------------------------------
# Features and pipelines


def to_model_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The pipeline's input: the profile columns, list fields joined with ';' (`us;eu`)."""
    missing = [c for c in INPUT_COLUMNS if c not in df.columns]
    if missing:
        raise ModelfitError(f"classifier: missing column(s) {', '.join(missing)}; "
                            f"needs {', '.join(INPUT_COLUMNS)}")
    out = pd.DataFrame(index=df.index)
    for name in INPUT_COLUMNS:
        col = df[name]
        if name in LIST_FIELDS:
            out[name] = [v if isinstance(v, str) else ";".join(v) for v in col]
        elif name in ("stage", "category"):
            out[name] = col.astype(str).to_numpy(dtype=object)
        else:
            out[name] = col.to_numpy(dtype=float)
    return out


def _features() -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    def onehot(values: Sequence[str]) -> OneHotEncoder:
        return OneHotEncoder(categories=[list(values)], handle_unknown="ignore",
                             sparse_output=False)

    def multihot(values: Sequence[str]) -> CountVectorizer:
        return CountVectorizer(vocabulary=list(values), token_pattern=r"[a-z_]+",  # noqa: S106 - a regex, not a password
                               lowercase=False, binary=True)

    return ColumnTransformer(
        [
            ("stage", onehot(STAGES), ["stage"]),
            ("category", onehot(CATEGORIES), ["category"]),
            ("markets", multihot(MARKETS), "target_markets"),
            ("channels", multihot(BASE_CHANNELS), "existing_channels"),
            ("ratings", "passthrough", list(PLAIN_NUMERIC)),
            ("log", FunctionTransformer(np.log1p, feature_names_out="one-to-one"),
             list(MONEY_FIELDS)),
        ],
        sparse_threshold=0.0,
    )


def candidate_pipelines(seed: int) -> dict[str, Pipeline]:
    """The estimators compared by cross-validation, each behind the same feature step."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "hist_gradient_boosting": Pipeline([
            ("features", _features()),
            ("model", HistGradientBoostingClassifier(
                max_iter=150, learning_rate=0.08, max_leaf_nodes=31, l2_regularization=1.0,
                early_stopping=False, random_state=seed)),
        ]),
        "logistic_regression": Pipeline([
            ("features", _features()),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=2000, C=1.0)),
        ]),
    }


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
    _check_labels(y, "train")
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


def _check_labels(y: pd.Series, where: str) -> None:
    unknown = sorted(set(map(str, y)) - set(MODELS))
    if unknown:
        raise ModelfitError(f"{where}: labels must be model ids ({', '.join(MODELS)}); "
                            f"got {', '.join(map(repr, unknown[:5]))}")
    counts = y.value_counts()
    if len(counts) < 2:
        raise ModelfitError(f"{where}: the outcomes need at least 2 different models to learn "
                            f"from, got only {', '.join(map(str, counts.index))}")
    few = counts[counts < MIN_ROWS_PER_CLASS]
    if len(few):
        shown = ", ".join(f"{m!r} has {int(c)}" for m, c in few.items())
        raise ModelfitError(f"{where}: too few rows per outcome ({shown}); each outcome present "
                            f"needs at least {MIN_ROWS_PER_CLASS} rows for stratified "
                            "cross-validation")


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


def framework_agreement(
    df: pd.DataFrame, predicted: np.ndarray, outcome: pd.Series | None = None,
) -> tuple[dict[str, float], pd.DataFrame]:
    """How often the classifier's primary equals the framework's, and where they differ.

    Returns rates (`classifier_vs_framework`, and `outcome_vs_framework` when outcomes are
    given) and a table by stage x framework primary: rows, agreement rate and the classifier's
    most common answer where it disagrees.
    """
    from modelfit.decision.scoring import score_profiles

    primary = score_profiles(df)["primary"].to_numpy(dtype=object)
    agree = primary == predicted
    rates = {"classifier_vs_framework": float(agree.mean())}
    if outcome is not None:
        rates["outcome_vs_framework"] = float((primary == outcome.to_numpy(dtype=object)).mean())
    frame = pd.DataFrame({"stage": df["stage"].to_numpy(dtype=object),
                          "framework": primary, "classifier": predicted, "agree": agree})
    rows = []
    for (stage, fw), group in frame.groupby(["stage", "framework"], sort=True):
        differ = group.loc[~group["agree"], "classifier"]
        rows.append({
            "stage": stage, "framework": fw, "rows": len(group),
            "agreement": float(group["agree"].mean()),
            "classifier_instead": str(differ.value_counts().idxmax()) if len(differ) else "",
        })
    table = pd.DataFrame(rows).set_index(["stage", "framework"])
    return rates, table


# ---------------------------------------------------------------------------------------------
# Second opinion


PROBABILITY_DECIMALS = DECIMALS  # reproducible.py: the same figures on every machine


def second_opinion(model: Pipeline | Predictor, profile: Profile) -> dict[str, Any]:
    """The classifier's view of one profile: `{"primary": id, "probabilities": {id: p}}`.

    Probabilities cover all four model ids (0 for a class absent from training), are rounded at
    the source to `PROBABILITY_DECIMALS` places (the last bits of a float sum differ between
    machines and thread counts) and sum to 1 (the most probable id takes the rounding residue);
    `primary` is the most probable id (ties: the lighter plan first).
    """
    frame = pd.DataFrame([profile.fields()])
    proba = np.asarray(model.predict_proba(to_model_frame(frame))[0], dtype=float)
    full = dict.fromkeys(MODELS, 0.0)
    for cls, p in zip(model.classes_, proba, strict=True):
        full[str(cls)] = float(p)
    total = sum(full.values())
    full = {m: round(p / total, PROBABILITY_DECIMALS) for m, p in full.items()}
    primary = max(MODELS, key=lambda m: (full[m], -MODELS.index(m)))
    full[primary] = round(1.0 - sum(p for m, p in full.items() if m != primary),
                          PROBABILITY_DECIMALS)
    return {"primary": primary, "probabilities": full}


# ---------------------------------------------------------------------------------------------
# Saving and loading


def card_path(model_path: str | Path) -> Path:
    """The card beside a model file: `classifier.skops` → `classifier.card.json`."""
    path = Path(model_path)
    return path.with_name(f"{path.stem}.card.json")


def versions() -> dict[str, str]:
    """Library versions a model file depends on."""
    out = {"python": _platform.python_version()}
    for name in ("modelfit", "scikit-learn", "skops", "numpy", "pandas"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            out[name] = "unknown"
    return out


def save_model(pipeline: Pipeline, path: str | Path, card: Mapping[str, Any]) -> Path:
    """Write `pipeline` as a skops file at `path` and its card beside it; return the card path.

    The archive is rewritten with fixed timestamps so the same model gives the same bytes.
    """
    import skops.io as sio

    path = Path(path)
    if path.suffix != ".skops":
        raise ModelfitError(f"{path}: a model file must end in .skops, got "
                            f"{path.suffix or 'no suffix'!r}")
    from modelfit.outcome.predictor import can_export, export, predictor_path

    path.parent.mkdir(parents=True, exist_ok=True)
    # A fitted HistGradientBoosting keeps the thread count its bin mapper was built with; it is
    # never used again after fitting, so it is fixed here to keep the bytes thread-independent.
    mapper = getattr(pipeline.steps[-1][1], "_bin_mapper", None)
    if mapper is not None and hasattr(mapper, "n_threads"):
        mapper.n_threads = 1
    raw = sio.dumps(pipeline)
    data = _normalise_zip(raw)
    # the code-free copy for answering, when the pipeline is one it can copy (a pipeline fitted
    # on other columns than a profile gives gets none: loading it refuses it by name)
    fast = (export(pipeline, to_model_frame(_check_sample()))
            if can_export(pipeline) and _takes_profile_columns(pipeline) else None)
    path.write_bytes(data)
    copy: dict[str, str] = {}
    if fast is not None:
        predictor_path(path).write_bytes(fast)
        copy = {"predictor_file": predictor_path(path).name,
                "predictor_sha256": hashlib.sha256(fast).hexdigest()}
    else:
        predictor_path(path).unlink(missing_ok=True)
    full = {
        "format": CARD_FORMAT, "card_version": CARD_VERSION, "model_file": path.name,
        "model_sha256": hashlib.sha256(data).hexdigest(), "versions": versions(), **copy,
        "classes": [str(c) for c in pipeline.classes_], **dict(card),
    }
    target = card_path(path)
    target.write_text(json.dumps(full, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _check_sample() -> pd.DataFrame:
    """Profiles the predictor copy is checked on before it is written (fixed seed)."""
    from modelfit.outcome.synthetic import generate_profiles

    return generate_profiles(300, 1)


def load_fast(path: str | Path) -> Pipeline | Predictor:
    """The model at `path` for answering: its predictor copy (numpy only, milliseconds) when
    the card names one, checked against the card's hash; else the skops file (`load_model`).

    The same refusals as `load_model` apply to the name, the card and the library version.
    """
    from modelfit.outcome.predictor import load_predictor, predictor_path

    path = _model_path(path)
    card = read_card(path)
    expected = card.get("predictor_sha256")
    if not isinstance(expected, str):
        return load_model(path)
    trained = card.get("versions", {}).get("scikit-learn")
    installed = _installed_sklearn()
    if trained != installed:
        raise ModelfitError(f"{path}: trained with scikit-learn {trained}, but {installed} is "
                            "installed; retrain it with `make model`")
    predictor = load_predictor(predictor_path(path), expected)
    if not set(map(str, predictor.classes_)) <= set(MODELS):
        raise ModelfitError(f"{path}: not a modelfit classifier (classes must be model ids)")
    return predictor


def _installed_sklearn() -> str:
    try:
        return version("scikit-learn")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _normalise_zip(raw: bytes) -> bytes:
    """Rewrite a skops archive deterministically, so the same model gives the same bytes.

    skops names array files and memo entries by Python object ids, and CountVectorizer stores
    `_stop_words_id = id(stop_words)`: all differ from run to run. Ids are renumbered in order
    of appearance, the stop-words id is zeroed (it only skips a consistency check, which then
    runs once), and the zip entries get fixed timestamps.
    """
    src = zipfile.ZipFile(io.BytesIO(raw))
    schema = json.loads(src.read("schema.json").decode("utf-8"))
    ids: dict[str, str] = {}

    def renumber(old: Any) -> str:
        return ids.setdefault(str(old), str(len(ids) + 1))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "__id__" in node:
                node["__id__"] = int(renumber(node["__id__"]))
            if isinstance(node.get("file"), str) and node["file"].endswith(".npy"):
                node["file"] = f"{renumber(node['file'][:-4])}.npy"
            stop = node.get("_stop_words_id")
            if isinstance(stop, dict) and "content" in stop:
                stop["content"] = "0"
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        entries = {}
        for name in src.namelist():
            stem, _, ext = name.partition(".")
            entries[f"{ids[stem]}.{ext}" if ext == "npy" and stem in ids else name] = name
        for target in sorted(entries):
            info = zipfile.ZipInfo(target, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            data = (json.dumps(schema, sort_keys=False).encode("utf-8")
                    if target == "schema.json" else src.read(entries[target]))
            dst.writestr(info, data)
    return out.getvalue()


def load_model(path: str | Path) -> Pipeline:
    """Load a model file after checking it; raise `ModelfitError` naming the file if unsafe.

    Refused, before anything is loaded: a missing file, a name not ending in .skops, a file that
    is not a skops (zip) archive (e.g. a pickle renamed .skops), a missing or unreadable card, a
    card whose hash does not match the file or whose scikit-learn version differs from the one
    installed, and any type in the file outside `ALLOWED_TYPES`.
    """
    import skops.io as sio

    path = _model_path(path)
    data = read_capped(path, MAX_MODEL_BYTES, "a model file")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ModelfitError(f"{path}: not a skops file (skops files are zip archives); refusing "
                            "to load it: it may be a pickle, which could run code")
    check_skops_archive(path, data)
    card = read_card(path)
    digest = hashlib.sha256(data).hexdigest()
    if card.get("model_sha256") != digest:
        raise ModelfitError(f"{path}: the file does not match its card {card_path(path).name} "
                            f"(model_sha256 {card.get('model_sha256')!r}, file {digest!r}); "
                            "retrain it or restore the matching card")
    trained = card.get("versions", {}).get("scikit-learn")
    installed = versions()["scikit-learn"]
    if trained != installed:
        raise ModelfitError(f"{path}: trained with scikit-learn {trained}, but {installed} is "
                            "installed; retrain it with `make model`")
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        # skops audits every type in the file against `trusted` before constructing anything,
        # so one pass both checks and loads (a separate get_untrusted_types parse doubled it).
        model = sio.loads(data, trusted=sorted(ALLOWED_TYPES))
    except UntrustedTypesFoundException:
        unknown = sorted(set(sio.get_untrusted_types(data=data)) - ALLOWED_TYPES)
        raise ModelfitError(f"{path}: refusing to load types outside modelfit's allow-list: "
                            f"{', '.join(unknown)}") from None
    except Exception as exc:  # any failure to read or build it is a refusal, never a traceback
        raise ModelfitError(f"{path}: not a readable skops file ({exc})") from None
    from sklearn.pipeline import Pipeline

    if (not isinstance(model, Pipeline) or not hasattr(model, "classes_")
            or not set(map(str, model.classes_)) <= set(MODELS)):
        raise ModelfitError(f"{path}: not a modelfit classifier (a Pipeline over the four "
                            "model ids)")
    check_features(path, model)
    return model


def check_skops_archive(path: Path, data: bytes) -> None:
    """Refuse a skops (zip) archive that would inflate beyond the caps, before any of it is
    decompressed: total size, schema size and member count, as the archive declares them
    (zipfile never inflates a member past its declared size)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ModelfitError(f"{path}: not a readable skops file ({exc})") from None
    if len(members) > MAX_MODEL_MEMBERS:
        raise ModelfitError(f"{path}: holds {len(members)} files; a model file may hold at most "
                            f"{MAX_MODEL_MEMBERS}")
    inflated = sum(m.file_size for m in members)
    if inflated > MAX_MODEL_INFLATED_BYTES:
        raise ModelfitError(f"{path}: would inflate to {inflated} bytes; a model file may "
                            f"inflate to at most {MAX_MODEL_INFLATED_BYTES} bytes")
    schema = sum(m.file_size for m in members if m.filename == "schema.json")
    if schema > MAX_MODEL_SCHEMA_BYTES:
        raise ModelfitError(f"{path}: its schema.json is {schema} bytes; at most "
                            f"{MAX_MODEL_SCHEMA_BYTES} are allowed")


def _takes_profile_columns(model: Pipeline) -> bool:
    names = getattr(model, "feature_names_in_", None)
    return names is not None and [str(n) for n in names] == list(INPUT_COLUMNS)


def check_features(path: Path, model: Pipeline) -> None:
    """Refuse a model trained on other input columns than a profile gives."""
    names = getattr(model, "feature_names_in_", None)
    got = [str(n) for n in names] if names is not None else []
    if got != list(INPUT_COLUMNS):  # scikit-learn needs the same columns in the same order
        missing = sorted(set(INPUT_COLUMNS) - set(got))
        extra = sorted(set(got) - set(INPUT_COLUMNS))
        raise ModelfitError(
            f"{path}: trained on other features than a profile gives (missing: "
            f"{', '.join(missing) or 'none'}; unknown: {', '.join(extra)[:200] or 'none'}); "
            "retrain it with `make model` or `modelfit train --data`")


def _model_path(path: str | Path) -> Path:
    """`path` as a model file's path, refused by name when it is not an existing .skops file."""
    path = Path(path)
    if path.suffix != ".skops":
        raise ModelfitError(f"{path}: a model file must be a .skops file, got "
                            f"{path.suffix or 'no suffix'!r}")
    if not path.is_file():
        raise ModelfitError(f"{path}: no such model file; train one with `make model` or "
                            "`modelfit train --data FILE.csv --out PATH`")
    return path


def read_card(model_path: str | Path) -> dict[str, Any]:
    """Read and check the card beside `model_path`; raise `ModelfitError` naming it."""
    target = card_path(model_path)
    if not target.exists():
        raise ModelfitError(f"{model_path}: its card {target} is missing; a model file is "
                            "loaded only with its card")
    try:
        card = json.loads(read_capped(target, MAX_CARD_BYTES, "a model card").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelfitError(f"{target}: not a readable JSON card "
                            f"({str(exc)[:120] or type(exc).__name__})") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise ModelfitError(f"{target}: not a modelfit classifier card (format must be "
                            f"{CARD_FORMAT!r})")
    stamped = card.get("versions")
    if not isinstance(stamped, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in stamped.items()):
        raise ModelfitError(f"{target}: versions must map each library to its version text, "
                            f"got {str(stamped)[:80]!r}")
    return card


# ---------------------------------------------------------------------------------------------
# Training entry points


def data_hash(x: pd.DataFrame, y: pd.Series) -> str:
    """SHA-256 of the training table (features and labels), independent of the index."""
    frame = to_model_frame(x).reset_index(drop=True)
    frame["outcome"] = np.asarray(y, dtype=object)
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def _card(report: TrainingReport, source: str, rows: int, digest: str) -> dict[str, Any]:
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
    from modelfit.outcome.simulation import best_model_labels, simulate_outcomes
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


def read_training_csv(path: str | Path) -> tuple[pd.DataFrame, pd.Series]:
    """Read and validate a training CSV; return profiles (list fields as tuples) and outcomes."""
    path = Path(path)
    try:
        if path.exists():
            _check_training_csv(path)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ModelfitError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise ModelfitError(f"{path}: not a readable CSV table ({exc})") from None
    columns = [str(c).strip() for c in raw.columns]
    raw.columns = pd.Index(columns)
    problems: list[str] = []
    known = {*FIELD_NAMES, "company_id", "outcome"}
    for name in columns:
        if name not in known:
            problems.append(f"{path}: column {name!r} is not a profile column or 'outcome'; "
                            f"the columns are {', '.join((*FIELD_NAMES, 'outcome'))}")
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in columns]
    if missing:
        problems.append(f"{path}: missing column(s) {', '.join(missing)}; a training table "
                        f"needs at least {', '.join(REQUIRED_CSV_COLUMNS)}")
    if problems:
        raise ModelfitError(problems)
    if raw.empty:
        raise ModelfitError(f"{path}: the table has no rows")
    records: list[dict[str, Any]] = []
    outcomes: list[str] = []
    for i, row in enumerate(raw.to_dict("records")):
        where = f"{path}: row {i + 2}"  # line number in the file: the header is line 1
        outcome = str(row.get("outcome", "")).strip()
        if outcome not in MODELS:
            problems.append(f"{where}: outcome must be one of {', '.join(MODELS)}, "
                            f"got {outcome!r}")
        mapping = _csv_mapping({str(k): v for k, v in row.items()}, i)
        try:
            profile = Profile.from_mapping(mapping, source=where, company_id="row")
        except ProfileError as exc:
            problems.extend(exc.problems)
            continue
        fields = profile.fields()
        records.append({n: tuple(v) if isinstance(v, list) else v for n, v in fields.items()})
        outcomes.append(outcome)
    if problems:
        shown = problems[:MAX_SHOWN_PROBLEMS]
        if len(problems) > MAX_SHOWN_PROBLEMS:
            shown.append(f"{path}: ... and {len(problems) - MAX_SHOWN_PROBLEMS} more problems")
        raise ModelfitError(shown)
    profiles = pd.DataFrame(records)
    labels = pd.Series(outcomes, name="outcome", dtype=object)
    _check_labels(labels, str(path))
    return profiles, labels


def _check_training_csv(path: Path) -> None:
    """A training CSV must be a regular file of at most MAX_TRAINING_CSV_BYTES."""
    import stat

    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ModelfitError(f"{path}: is not a regular file (a pipe, socket, device or folder); "
                            "--data must be a CSV file")
    if info.st_size > MAX_TRAINING_CSV_BYTES:
        raise ModelfitError(f"{path}: the file is {info.st_size} bytes; a training CSV may be at "
                            f"most {MAX_TRAINING_CSV_BYTES} bytes (about 500,000 companies)")


def _csv_mapping(row: Mapping[str, Any], i: int) -> dict[str, Any]:
    """One CSV row as a profile mapping: empty optional cells dropped, numbers parsed."""
    out: dict[str, Any] = {}
    for name in FIELD_NAMES:
        if name not in row:
            continue
        text = str(row[name]).strip()
        if name in LIST_FIELDS:
            out[name] = [p.strip() for p in text.split(";") if p.strip()]
            if name == "target_markets" and not out[name]:
                del out[name]  # empty: the documented default
            continue
        if text == "" and name not in REQUIRED_CSV_COLUMNS:
            continue
        out[name] = _parse_number(text) if name not in ("company", "stage", "category") else text
    out.setdefault("company", f"row {i + 2}")
    return out


def _parse_number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text and "e" not in text else value


# ---------------------------------------------------------------------------------------------
# Figures (matplotlib's object API, no pyplot state)


def plot_confusion(report: TrainingReport) -> Figure:
    """The held-out confusion matrix, counts in each cell."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2, 4.4))
    ax = fig.add_subplot()
    matrix = report.confusion.to_numpy()
    ax.imshow(matrix, cmap="Blues")
    labels = list(report.confusion.index)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(j, i, str(v), ha="center", va="center",
                color="white" if v > matrix.max() / 2 else "black")
    ax.set_xlabel("classifier")
    ax.set_ylabel("outcome model")
    ax.set_title("Held-out confusion matrix")
    fig.tight_layout()
    return fig


def plot_calibration(report: TrainingReport) -> Figure:
    """Reliability of the top-class probability against the diagonal."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6, 4.4))
    ax = fig.add_subplot()
    table = report.calibration
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", label="perfect")
    ax.plot(table["confidence"], table["accuracy"], marker="o", color="#0072B2",
            label=f"classifier (ECE {report.expected_calibration_error:.3f})")
    ax.set_xlabel("predicted probability of the top class")
    ax.set_ylabel("share correct")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title("Calibration (held out)")
    fig.tight_layout()
    return fig


def plot_importances(report: TrainingReport) -> Figure:
    """Permutation importance of each profile field (drop in held-out accuracy)."""
    from matplotlib.figure import Figure

    table = report.importances.iloc[::-1]
    fig = Figure(figsize=(5.6, 4.4))
    ax = fig.add_subplot()
    ax.barh(table["feature"], table["importance"], xerr=table["sd"], color="#009E73")
    ax.set_xlabel("drop in accuracy when shuffled")
    ax.set_title("Permutation importance (held out)")
    fig.tight_layout()
    return fig


def plot_population(profiles: pd.DataFrame, labels: pd.Series | None = None) -> Figure:
    """The synthetic population: stage mix, capital by stage, budget, and label shares."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 6.0))
    axes = fig.subplots(2, 2)
    stage = profiles["stage"].value_counts().reindex(list(STAGES), fill_value=0)
    axes[0, 0].bar(stage.index, stage.to_numpy(), color="#56B4E9")
    axes[0, 0].set_title("stage")
    capital = pd.crosstab(profiles["stage"], profiles["capital"], normalize="index")
    capital = capital.reindex(list(STAGES))
    bottom = np.zeros(len(capital))
    for rating in capital.columns:
        axes[0, 1].bar(capital.index, capital[rating].to_numpy(), bottom=bottom,
                       label=str(rating))
        bottom += capital[rating].to_numpy()
    axes[0, 1].set_title("capital rating by stage")
    axes[0, 1].legend(title="capital", fontsize="small")
    budget = np.log10(profiles["marketing_budget_usd"].to_numpy(dtype=float) + 1.0)
    axes[1, 0].hist(budget, bins=40, color="#E69F00")
    axes[1, 0].set_title("monthly marketing budget (log10 USD)")
    if labels is not None:
        shares = pd.Series(labels).value_counts(normalize=True).reindex(list(MODELS),
                                                                         fill_value=0.0)
        axes[1, 1].bar(shares.index, shares.to_numpy(), color="#CC79A7")
        axes[1, 1].tick_params(axis="x", rotation=20)
        axes[1, 1].set_title("best model (outcome model)")
    else:
        axes[1, 1].axis("off")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# Agreement with the framework, by stage and model, and why they part


REASONS = {
    "unfunded": "the framework's model needs more cash than the company has",
    "loses": "the framework's model loses money over 36 months; the outcome's pick does not",
    "running": "the outcome's pick builds on a channel the company already runs",
    "worth_more": "both fundable; the outcome's pick is worth more (cash + owned base)",
}


def agreement_by_stage(df: pd.DataFrame, labels: pd.Series | np.ndarray) -> pd.DataFrame:
    """Share of companies whose `labels` (outcome or classifier) equal the framework's primary,
    by stage and framework model, with the number of rows; rounded to 4 places."""
    from modelfit.decision.scoring import score_profiles

    primary = score_profiles(df)["primary"].to_numpy(dtype=object)
    frame = pd.DataFrame({"stage": df["stage"].to_numpy(dtype=object), "framework": primary,
                          "agree": primary == np.asarray(labels, dtype=object)})
    rows = []
    for (stage, fw), group in frame.groupby(["stage", "framework"], sort=True):
        rows.append({"stage": stage, "framework": fw, "rows": len(group),
                     "agreement": round(float(group["agree"].mean()), 4)})
    for stage, group in frame.groupby("stage", sort=True):
        rows.append({"stage": stage, "framework": "all", "rows": len(group),
                     "agreement": round(float(group["agree"].mean()), 4)})
    return pd.DataFrame(rows).set_index(["stage", "framework"])


def disagreement_reasons(
    df: pd.DataFrame, outcomes: pd.DataFrame, labels: pd.Series, top: int = 8,
) -> pd.DataFrame:
    """Where the outcome label and the framework's primary differ: the most common (framework,
    outcome) pairs with the economic reason the outcome model gives, first that applies of
    `REASONS` (unfunded, loses, running, worth_more); share of all companies, 4 places."""
    from modelfit.decision.scoring import score_profiles

    primary = score_profiles(df)["primary"].to_numpy(dtype=object)
    label = np.asarray(labels, dtype=object)
    differ = primary != label
    running = [set(e) for e in df["existing_channels"]]
    reasons = []
    for i in np.flatnonzero(differ):
        fw, pick = str(primary[i]), str(label[i])
        if bool(outcomes[f"failed_{fw}"].iloc[i]):
            reasons.append((fw, pick, "unfunded"))
        elif outcomes[f"value_{fw}"].iloc[i] < 0 <= outcomes[f"value_{pick}"].iloc[i]:
            reasons.append((fw, pick, "loses"))
        elif (pick in running[i] or (pick == "hybrid" and len(running[i]) >= 2)) and (
                fw not in running[i]):
            reasons.append((fw, pick, "running"))
        else:
            reasons.append((fw, pick, "worth_more"))
    table = pd.DataFrame(reasons, columns=["framework", "outcome", "reason"])
    counts = table.value_counts().head(top).reset_index(name="rows")
    counts["share"] = (counts["rows"] / max(1, len(df))).round(4)
    counts["why"] = counts["reason"].map(REASONS)
    return counts
