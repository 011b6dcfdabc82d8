"""Model files, cards and training CSVs from a hostile or careless hand (issue 13): capped and
refused in one line."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from modelfit.core.errors import ModelfitError
from modelfit.outcome.history import MAX_TRAINING_CSV_BYTES, read_training_csv
from modelfit.outcome.modelfile import (
    MAX_MODEL_INFLATED_BYTES,
    card_path,
    check_features,
    load_model,
    read_card,
    save_model,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "data" / "classifier.skops"
needs_model = pytest.mark.skipif(not DEFAULT.is_file(), reason="no data/classifier.skops")


def test_schema_that_inflates_past_the_cap_is_refused_before_inflating(tmp_path: Path) -> None:
    """Issue 13, 8: a small model file whose schema inflates to more than the cap is refused
    from the sizes the archive declares, without decompressing it."""
    path = tmp_path / "bomb.skops"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", b" " * (MAX_MODEL_INFLATED_BYTES + 1))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ModelfitError, match=r"bomb\.skops: would inflate to \d+ bytes; a model "
                       r"file may inflate to at most"):
        load_model(path)


def test_model_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    """Issue 13, 6: a FIFO named model.skops is refused without blocking."""
    fifo = tmp_path / "m.skops"
    os.mkfifo(fifo)
    with pytest.raises(ModelfitError, match=r"no such model file|is not a regular file"):
        load_model(fifo)


@needs_model
def test_card_whose_versions_is_a_string_is_refused(tmp_path: Path) -> None:
    """Issue 13, 9: a card with `versions: "1.0"` is one line, not an AttributeError."""
    model = tmp_path / "classifier.skops"
    shutil.copy(DEFAULT, model)
    card = json.loads(card_path(DEFAULT).read_text("utf-8"))
    card["versions"] = "1.0"
    card_path(model).write_text(json.dumps(card), "utf-8")
    with pytest.raises(ModelfitError, match=r"classifier\.card\.json: versions must map each "
                       r"library to its version text, got '1\.0'"):
        read_card(model)


@needs_model
def test_model_trained_on_other_features_is_refused(tmp_path: Path) -> None:
    """Issue 13, 9: a model trained on other columns is refused when it is loaded, not when a
    report cell asks it for a prediction."""
    model = load_model(DEFAULT)
    model.steps[0][1].feature_names_in_ = np.array(["charisma", "luck"], dtype=object)
    with pytest.raises(ModelfitError, match=r"trained on other features than a profile gives "
                       r"\(missing: .*capital.*; unknown: charisma, luck\)"):
        check_features(tmp_path / "m.skops", model)
    path = tmp_path / "other.skops"
    card = {k: v for k, v in read_card(DEFAULT).items() if k not in ("model_sha256", "model_file")}
    save_model(model, path, card)
    with pytest.raises(ModelfitError, match=r"other\.skops: trained on other features"):
        load_model(path)


def test_oversized_training_csv_is_refused_before_reading(tmp_path: Path) -> None:
    """Issue 13, 8: a CSV over the cap is refused from its size, before pandas reads it."""
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:  # sparse: the size without the bytes
        handle.truncate(MAX_TRAINING_CSV_BYTES + 1)
    with pytest.raises(ModelfitError, match=r"big\.csv: the file is \d+ bytes; a training CSV "
                       r"may be at most"):
        read_training_csv(path)


def test_training_csv_fifo_is_refused(tmp_path: Path) -> None:
    """Issue 13, 6: `train --data` naming a FIFO is refused at once."""
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    with pytest.raises(ModelfitError, match=r"x\.csv: is not a regular file"):
        read_training_csv(fifo)
