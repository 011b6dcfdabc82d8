"""The predictor copy: same probabilities as the pipeline without scikit-learn, deterministic
bytes, hash-checked and code-free loading, rounded second opinions, thread-independent training."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from modelfit import ModelfitError, Profile
from modelfit.core.vocab import MODELS
from modelfit.outcome.classifier import PROBABILITY_DECIMALS, second_opinion
from modelfit.outcome.modelfile import load_fast, read_card, save_model
from modelfit.outcome.pipelines import to_model_frame
from modelfit.outcome.predictor import Predictor, export, features, load_predictor, predictor_path
from modelfit.outcome.synthetic import generate_profiles
from modelfit.outcome.training import train

SEED = 3


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """A small model (600 companies labelled by a rule, 3 folds) saved once for the module."""
    profiles = generate_profiles(600, SEED)
    labels = np.where(profiles["capital"] >= 4, "hybrid",
                      np.where(profiles["brand_content"] >= 3, "independent_site", "platform"))
    pipeline, _ = train(profiles, labels, SEED, folds=3, importance_repeats=1)
    path = tmp_path_factory.mktemp("model") / "classifier.skops"
    save_model(pipeline, path, {"seed": SEED})
    return pipeline, path


def acme() -> Profile:
    """A valid growth-stage profile."""
    return Profile.from_mapping({"company": "Acme", "stage": "growth", "capital": 3,
                                 "supply_chain": 4, "brand_content": 2, "tech_data": 3,
                                 "target_markets": ["us", "eu"]}, company_id="acme")


@pytest.mark.training
def test_copy_gives_the_pipelines_probabilities(saved: tuple[Any, Path]) -> None:
    """On 500 companies it has never seen, the predictor equals the pipeline to 1e-12."""
    pipeline, path = saved
    fast = load_fast(path)
    assert isinstance(fast, Predictor)
    frame = to_model_frame(generate_profiles(500, 99))
    assert np.abs(fast.predict_proba(frame) - pipeline.predict_proba(frame)).max() < 1e-12
    assert list(fast.classes_) == [str(c) for c in pipeline.classes_]


@pytest.mark.training
def test_feature_matrix_matches_the_column_transformer(saved: tuple[Any, Path]) -> None:
    """The numpy feature step gives the pipeline's ColumnTransformer output exactly."""
    pipeline, _ = saved
    frame = to_model_frame(generate_profiles(200, 7))
    expected = pipeline.named_steps["features"].transform(frame)
    assert np.array_equal(features(frame), expected)


@pytest.mark.training
def test_card_names_the_predictor_and_its_hash(saved: tuple[Any, Path]) -> None:
    """save_model writes <stem>.predictor.npz beside the model and its SHA-256 in the card."""
    _, path = saved
    card = read_card(path)
    data = predictor_path(path).read_bytes()
    assert card["predictor_file"] == "classifier.predictor.npz"
    assert card["predictor_sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.training
def test_export_is_deterministic(saved: tuple[Any, Path]) -> None:
    """The same pipeline exported twice gives byte-identical predictor files."""
    pipeline, _ = saved
    frame = to_model_frame(generate_profiles(50, 1))
    assert export(pipeline, frame) == export(pipeline, frame)


@pytest.mark.training
def test_tampered_predictor_is_refused(saved: tuple[Any, Path], tmp_path: Path) -> None:
    """A predictor whose bytes differ from the card's hash is refused, naming the file."""
    _, path = saved
    bad = tmp_path / "x.predictor.npz"
    bad.write_bytes(predictor_path(path).read_bytes() + b"\0")
    with pytest.raises(ModelfitError, match=r"x.predictor.npz: the file does not match its card"):
        load_predictor(bad, read_card(path)["predictor_sha256"])


def test_pickled_array_is_refused_without_running(tmp_path: Path) -> None:
    """An object array (a pickle inside an .npy) is refused: numpy.load never unpickles."""
    buf = io.BytesIO()
    np.save(buf, np.asarray([os.system], dtype=object), allow_pickle=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("header.json", json.dumps({"format": "modelfit-predictor"}))
        z.writestr("value.npy", buf.getvalue())
    path = tmp_path / "evil.predictor.npz"
    path.write_bytes(out.getvalue())
    with pytest.raises(ModelfitError, match=r"evil.predictor.npz: not a readable predictor"):
        load_predictor(path, hashlib.sha256(out.getvalue()).hexdigest())


@pytest.mark.training
def test_second_opinion_is_rounded_and_sums_to_one(saved: tuple[Any, Path]) -> None:
    """Probabilities are rounded to 6 decimals at the source, cover the four ids, sum to 1,
    and the fast copy and the pipeline give the same opinion."""
    pipeline, path = saved
    opinion = second_opinion(load_fast(path), acme())
    assert opinion == second_opinion(pipeline, acme())
    probs = opinion["probabilities"]
    assert list(probs) == list(MODELS)
    assert all(round(p, PROBABILITY_DECIMALS) == p for p in probs.values())
    assert round(sum(probs.values()), 12) == 1.0


@pytest.mark.training
def test_training_is_byte_identical_whatever_the_thread_count(tmp_path: Path) -> None:
    """Training pins every library pool to one thread: fresh processes with OMP_NUM_THREADS=1
    and =2 write the same model and predictor bytes."""
    script = (
        "import numpy as np, sys\n"
        "from modelfit.outcome.modelfile import save_model\n"
        "from modelfit.outcome.training import train\n"
        "from modelfit.outcome.synthetic import generate_profiles\n"
        f"p = generate_profiles(600, {SEED})\n"
        "y = np.where(p['capital'] >= 4, 'hybrid', np.where(p['brand_content'] >= 3, "
        "'independent_site', 'platform'))\n"
        f"m, _ = train(p, y, {SEED}, folds=3, importance_repeats=1)\n"
        f"save_model(m, sys.argv[1], {{'seed': {SEED}}})\n"
    )
    made = []
    for threads in ("1", "2"):
        out = tmp_path / threads / "classifier.skops"
        out.parent.mkdir()
        env = {**os.environ, "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads}
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env)
        made.append((out.read_bytes(), predictor_path(out).read_bytes()))
    assert made[0] == made[1]
