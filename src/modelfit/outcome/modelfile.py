"""Model files: saving a classifier, and checking a file before anything in it is loaded.

Model files are skops files, never pickles. `save_model` writes the archive with fixed bytes, the
predictor copy beside it and the card (`<name>.card.json`: format, file hash, library versions).
`load_model` checks the card, refuses anything that is not a skops (zip) archive before reading a
byte of it as a model, refuses an archive that would inflate beyond the caps, and refuses any
type outside `ALLOWED_TYPES` as skops' `get_untrusted_types` reports them. `load_fast` answers
from the predictor copy when the card names one.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform as _platform
import zipfile
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.reading import read_capped
from modelfit.core.vocab import MODELS
from modelfit.outcome.pipelines import INPUT_COLUMNS, to_model_frame

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from modelfit.outcome.predictor import Predictor

MODEL_NAME = "classifier.skops"
CARD_FORMAT = "modelfit-classifier"
CARD_VERSION = 1
# Caps on what a model file may make modelfit read: the default model is 1.4 MB on disk,
# 3.2 MB inflated (schema.json 0.8 MB) in about 1,800 members; the caps leave 20 times that.
MAX_MODEL_BYTES = 32 * 1024 * 1024
MAX_MODEL_INFLATED_BYTES = 64 * 1024 * 1024
MAX_MODEL_SCHEMA_BYTES = 16 * 1024 * 1024
MAX_MODEL_MEMBERS = 50_000
MAX_CARD_BYTES = 64 * 1024

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
    # the skops file is checked against the card too: a tampered one is refused on this path
    # as on load_model's (the predictor copy alone would not notice it)
    _check_model_hash(path, read_capped(path, MAX_MODEL_BYTES, "a model file"), card)
    predictor = load_predictor(predictor_path(path), expected)
    if not set(map(str, predictor.classes_)) <= set(MODELS):
        raise ModelfitError(f"{path}: not a modelfit classifier (classes must be model ids)")
    return predictor


def _check_model_hash(path: Path, data: bytes, card: dict[str, Any]) -> None:
    """Refuse a model file whose bytes `data` do not hash to the card's model_sha256."""
    digest = hashlib.sha256(data).hexdigest()
    if card.get("model_sha256") != digest:
        raise ModelfitError(f"{path}: the file does not match its card {card_path(path).name} "
                            f"(model_sha256 {card.get('model_sha256')!r}, file {digest!r}); "
                            "retrain it or restore the matching card")


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
    _check_model_hash(path, data, card)
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
    if not path.exists():  # a FIFO or a device exists: read_capped refuses it by its kind
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
