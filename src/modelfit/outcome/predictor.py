"""A fast, code-free copy of a trained classifier for answering one company in milliseconds.

Loading a skops file means importing scikit-learn and rebuilding every estimator object: about
a second and a half, several times the rest of `modelfit recommend`. Beside each model file
`save_model` therefore writes `<name>.predictor.npz`: the fitted numbers only, as a zip of
`header.json` and `.npy` arrays (read with `numpy.load(allow_pickle=False)`: no pickle, no
code, nothing to construct), hashed in the card. `Predictor` evaluates them with numpy alone:

- the feature step (one-hot stage and category, multi-hot markets and channels, ratings and
  margin as numbers, log1p of order value, budget and team), the same columns in the same order
  as the pipeline's `ColumnTransformer`;
- a HistGradientBoosting model as flat node arrays (feature, threshold, children, leaf values)
  walked for all trees at once, summed onto the baseline and passed through a softmax (or the
  logistic link for two classes); or a logistic regression as its scaler and coefficients.

`export` checks, before writing, that the copy gives the pipeline's probabilities on a sample
(within 1e-9); `load_predictor` checks the card's hash and every array's shape and type.
Probabilities are float64; callers round them (see `classifier.second_opinion`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from modelfit.core.errors import ModelfitError
from modelfit.core.reading import read_capped
from modelfit.core.vocab import BASE_CHANNELS, CATEGORIES, MARKETS, RATINGS, STAGES

DEFAULT_MODEL = Path("data") / "classifier.skops"
MODEL_ENV = "MODELFIT_MODEL"

FORMAT = "modelfit-predictor"
MAX_PREDICTOR_BYTES = 64 * 1024 * 1024  # the default model's copy is about 0.5 MB
VERSION = 1
SUFFIX = ".predictor.npz"
CHANNELS = BASE_CHANNELS
PLAIN = (*RATINGS, "gross_margin_pct")
LOGGED = ("avg_order_value_usd", "marketing_budget_usd", "team_size")
N_FEATURES = len(STAGES) + len(CATEGORIES) + len(MARKETS) + len(CHANNELS) + len(PLAIN) + len(
    LOGGED)
TREE_ARRAYS = {"feature": np.int32, "threshold": np.float64, "left": np.int32,
               "right": np.int32, "is_leaf": np.bool_, "missing_left": np.bool_,
               "value": np.float64}


def predictor_path(model_path: str | Path) -> Path:
    """The predictor beside a model file: `classifier.skops` -> `classifier.predictor.npz`."""
    path = Path(model_path)
    return path.with_name(f"{path.stem}{SUFFIX}")


def features(frame: Any) -> np.ndarray:
    """The model's input matrix from a frame (or mapping of columns) of profile fields, list
    fields joined with ';' as `pipelines.to_model_frame` makes them."""
    n = len(frame["stage"])
    out = np.zeros((n, N_FEATURES))
    col = 0
    vocab: tuple[str, ...]
    for name, vocab in (("stage", STAGES), ("category", CATEGORIES)):
        values = list(frame[name])
        for j, v in enumerate(vocab):
            out[:, col + j] = [1.0 if str(x) == v else 0.0 for x in values]
        col += len(vocab)
    for name, vocab in (("target_markets", MARKETS), ("existing_channels", CHANNELS)):
        values = [set(str(x).split(";")) for x in frame[name]]
        for j, v in enumerate(vocab):
            out[:, col + j] = [1.0 if v in x else 0.0 for x in values]
        col += len(vocab)
    for name in PLAIN:
        out[:, col] = np.asarray(list(frame[name]), dtype=float)
        col += 1
    for name in LOGGED:
        out[:, col] = np.log1p(np.asarray(list(frame[name]), dtype=float))
        col += 1
    return out


class Predictor:
    """A classifier's fitted numbers, evaluated with numpy; `classes_` and `predict_proba` as a
    scikit-learn pipeline has them."""

    def __init__(self, header: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        self.header = dict(header)
        self.kind = str(header["kind"])
        self.classes_ = np.asarray(header["classes"], dtype=object)
        self.arrays = dict(arrays)

    def predict_proba(self, frame: Any) -> np.ndarray:
        """Probabilities of each class (rows x classes) for a model frame."""
        x = features(frame)
        if self.kind == "logistic_regression":
            a = self.arrays
            raw = ((x - a["mean"]) / a["scale"]) @ a["coef"].T + a["intercept"]
        else:
            raw = self._raw_gbdt(x)
        if raw.shape[1] == 1:  # two classes: one score, the logistic link
            p1 = 1.0 / (1.0 + np.exp(-raw[:, 0]))
            return np.column_stack([1.0 - p1, p1])
        raw = raw - raw.max(axis=1, keepdims=True)
        e = np.exp(raw)
        out: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return out

    def _raw_gbdt(self, x: np.ndarray) -> np.ndarray:
        a = self.arrays
        roots = a["roots"]  # iterations x trees per iteration, global node indices
        n_iter, per = roots.shape
        node = np.broadcast_to(roots.reshape(1, -1), (x.shape[0], roots.size)).copy()
        rows = np.arange(x.shape[0])[:, None]
        for _ in range(int(self.header["max_depth"]) + 1):
            leaf = a["is_leaf"][node]
            if leaf.all():
                break
            values = x[rows, a["feature"][node]]
            go_left = np.where(np.isnan(values), a["missing_left"][node],
                               values <= a["threshold"][node])
            node = np.where(leaf, node, np.where(go_left, a["left"][node], a["right"][node]))
        leaves = a["value"][node].reshape(x.shape[0], n_iter, per)
        # iterations summed in order, as scikit-learn accumulates its raw predictions
        raw = np.broadcast_to(a["baseline"], (x.shape[0], per)).copy()
        for i in range(n_iter):
            raw += leaves[:, i, :]
        return raw


def can_export(pipeline: Any) -> bool:
    """Whether `pipeline` is one `export` can copy: modelfit's feature step, then a
    HistGradientBoosting or (scaled) logistic regression model."""
    steps = getattr(pipeline, "steps", None)
    if not steps or steps[0][0] != "features":
        return False
    return type(steps[-1][1]).__name__ in ("HistGradientBoostingClassifier", "LogisticRegression")


def export(pipeline: Any, sample: Any) -> bytes:
    """The predictor file's bytes for a fitted pipeline (deterministic: same model, same
    bytes). Raises `ModelfitError` if the copy does not reproduce the pipeline on `sample`."""
    model = pipeline.steps[-1][1]
    name = type(model).__name__
    classes = [str(c) for c in pipeline.classes_]
    arrays: dict[str, np.ndarray]
    if name == "HistGradientBoostingClassifier":
        arrays, depth = _trees(model)
        header = {"kind": "hist_gradient_boosting", "max_depth": depth}
    elif name == "LogisticRegression":
        scale = pipeline.named_steps["scale"]
        arrays = {"mean": np.asarray(scale.mean_, dtype=np.float64),
                  "scale": np.asarray(scale.scale_, dtype=np.float64),
                  "coef": np.asarray(model.coef_, dtype=np.float64),
                  "intercept": np.asarray(model.intercept_, dtype=np.float64)}
        header = {"kind": "logistic_regression"}
    else:
        raise ModelfitError(f"predictor: cannot copy a {name}; only HistGradientBoosting and "
                            "logistic regression pipelines")
    header.update({"format": FORMAT, "version": VERSION, "classes": classes,
                   "features": {"stage": list(STAGES), "category": list(CATEGORIES),
                                "target_markets": list(MARKETS),
                                "existing_channels": list(CHANNELS), "plain": list(PLAIN),
                                "log1p": list(LOGGED)}})
    copy = Predictor(header, arrays)
    expected = pipeline.predict_proba(sample)
    if not np.allclose(copy.predict_proba(sample), expected, rtol=0.0, atol=1e-9):
        raise ModelfitError("predictor: the copy does not reproduce the pipeline's "
                            "probabilities; the feature step must have changed")
    return _zip(header, arrays)


def _trees(model: Any) -> tuple[dict[str, np.ndarray], int]:
    parts: dict[str, list[np.ndarray]] = {k: [] for k in TREE_ARRAYS}
    roots = []
    offset = 0
    depth = 0
    for iteration in model._predictors:
        row = []
        for tree in iteration:
            nodes = tree.nodes
            if np.any(nodes["is_categorical"]):
                raise ModelfitError("predictor: categorical splits are not supported")
            row.append(offset)
            parts["feature"].append(nodes["feature_idx"])
            parts["threshold"].append(nodes["num_threshold"])
            parts["left"].append(nodes["left"].astype(np.int64) + offset)
            parts["right"].append(nodes["right"].astype(np.int64) + offset)
            parts["is_leaf"].append(nodes["is_leaf"].astype(bool))
            parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
            parts["value"].append(nodes["value"])
            depth = max(depth, int(nodes["depth"].max()))
            offset += len(nodes)
        roots.append(row)
    arrays: dict[str, np.ndarray] = {k: np.concatenate(v).astype(TREE_ARRAYS[k])
                                     for k, v in parts.items()}
    arrays["roots"] = np.asarray(roots, dtype=np.int32)
    arrays["baseline"] = np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1)
    return arrays, depth


def _zip(header: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        entries = {"header.json": json.dumps(header, sort_keys=True).encode("utf-8")}
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[key]),
                                      allow_pickle=False)
            entries[f"{key}.npy"] = buf.getvalue()
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    return out.getvalue()


def load_predictor(path: str | Path, expected_sha256: str) -> Predictor:
    """Read a predictor file after checking its hash against the card's; every problem is a
    `ModelfitError` naming the file. Nothing in the file is executed or unpickled."""
    path = Path(path)
    data = read_capped(path, MAX_PREDICTOR_BYTES, "a predictor file")
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_sha256:
        raise ModelfitError(f"{path}: the file does not match its card (predictor_sha256 "
                            f"{expected_sha256!r}, file {digest!r}); retrain it with `make model`")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            header = json.loads(src.read("header.json").decode("utf-8"))
            arrays = {name[:-4]: np.load(io.BytesIO(src.read(name)), allow_pickle=False)
                      for name in src.namelist() if name.endswith(".npy")}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelfitError(f"{path}: not a readable predictor file ({exc})") from None
    _check(path, header, arrays)
    return Predictor(header, arrays)


def _check(path: Path, header: Any, arrays: Mapping[str, np.ndarray]) -> None:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelfitError(f"{path}: not a modelfit predictor (format must be {FORMAT!r})")
    classes = header.get("classes")
    if not isinstance(classes, list) or len(classes) < 2:
        raise ModelfitError(f"{path}: a predictor needs at least two classes")
    kind = header.get("kind")
    if kind == "hist_gradient_boosting":
        needed: Sequence[str] = (*TREE_ARRAYS, "roots", "baseline")
    elif kind == "logistic_regression":
        needed = ("mean", "scale", "coef", "intercept")
    else:
        raise ModelfitError(f"{path}: unknown predictor kind {kind!r}")
    missing = [k for k in needed if k not in arrays]
    if missing:
        raise ModelfitError(f"{path}: missing array(s) {', '.join(missing)}")
    if any(arrays[k].dtype.kind not in "biuf" for k in needed):
        raise ModelfitError(f"{path}: arrays must hold numbers")
    if kind == "hist_gradient_boosting":
        n = len(arrays["value"])
        nodes = [arrays[k] for k in ("left", "right", "roots")]
        if any(len(arrays[k]) != n for k in TREE_ARRAYS) or any(
                a.size and (a.min() < 0 or a.max() >= n) for a in nodes) or (
                arrays["feature"].size and (arrays["feature"].min() < 0
                                            or arrays["feature"].max() >= N_FEATURES)):
            raise ModelfitError(f"{path}: inconsistent tree arrays")


def find_default_model(start: Path | None = None) -> Path | None:
    """The default classifier: `$MODELFIT_MODEL` when set, else `data/classifier.skops` in the
    working folder or the nearest folder above it; None when there is none."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_MODEL
        if candidate.is_file():
            return candidate
    return None
