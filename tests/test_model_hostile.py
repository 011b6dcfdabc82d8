"""Issue 25 item 10 (models): every way a model is loaded checks the card. The path that
`recommend` and the reports use (`load_fast`, the predictor copy) used to check only the copy's
hash: a tampered classifier.skops beside an intact copy was accepted there. And item 9: a FIFO
named like a model file is refused as what it is, not reported missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from modelfit import ModelfitError
from modelfit.analysis import second_opinion_of
from modelfit.inputs.profile import load_profile
from modelfit.outcome.modelfile import card_path, load_fast, load_model
from modelfit.outcome.predictor import predictor_path

from .conftest import PARAMS

DEFAULT = PARAMS.parent / "data" / "classifier.skops"


@pytest.fixture
def model(tmp_path: Path) -> Path:
    if not DEFAULT.is_file():
        pytest.skip("no default model (make model)")
    for source in (DEFAULT, card_path(DEFAULT), predictor_path(DEFAULT)):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path / DEFAULT.name


def tamper(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_item10_the_fast_path_refuses_a_tampered_skops_file(model: Path) -> None:
    load_fast(model)  # intact: accepted
    tamper(model)
    with pytest.raises(ModelfitError, match=rf"^{model}: the file does not match its card "
                       r"classifier\.card\.json \(model_sha256 '[0-9a-f]{64}', file "
                       r"'[0-9a-f]{64}'\); retrain it or restore the matching card$"):
        load_fast(model)


def test_item10_the_report_path_refuses_a_tampered_skops_file(model: Path) -> None:
    """What `recommend` and the reports call (analysis.second_opinion_of)."""
    tamper(model)
    with pytest.raises(ModelfitError, match=r"does not match its card"):
        second_opinion_of(load_profile(PARAMS / "demo.yaml"), model)


def test_item10_both_loaders_refuse_a_tampered_predictor_copy(model: Path) -> None:
    tamper(predictor_path(model))
    with pytest.raises(ModelfitError, match=r"predictor_sha256"):
        load_fast(model)
    load_model(model)  # the skops file itself is intact and still loads


def test_item9_a_fifo_model_file_is_refused_as_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "m.skops"
    os.mkfifo(fifo)
    with pytest.raises(ModelfitError, match=rf"^{fifo}: is not a regular file"):
        load_model(fifo)
