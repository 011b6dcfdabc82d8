"""Model files (modelfit.outcome.modelfile): the committed default model's files, copied and
spoiled one way at a time, are refused with a line naming the file and the problem."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from modelfit.core.errors import ModelfitError
from modelfit.outcome.modelfile import card_path, load_fast, load_model, read_card

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "data" / "classifier.skops"
needs_model = pytest.mark.skipif(not DEFAULT.is_file(), reason="no data/classifier.skops")


def copy_model(tmp_path: Path) -> Path:
    """The default model's three files (model, card, code-free predictor) under tmp_path."""
    for suffix in (".skops", ".card.json", ".predictor.npz"):
        shutil.copy(DEFAULT.with_name("classifier" + suffix), tmp_path / ("classifier" + suffix))
    return tmp_path / "classifier.skops"


@needs_model
def test_the_card_sits_beside_the_model() -> None:
    """`model.skops`'s card is `model.card.json` in the same folder."""
    assert card_path(Path("a/b/model.skops")) == Path("a/b/model.card.json")


@needs_model
def test_a_copied_default_model_loads_both_ways(tmp_path: Path) -> None:
    """The untouched copy loads as a pipeline and as the code-free predictor, and both give the
    same classes."""
    path = copy_model(tmp_path)
    assert read_card(path)["format"] == json.loads(card_path(path).read_text("utf-8"))["format"]
    model = load_model(path)
    fast = load_fast(path)
    assert list(model.classes_) == list(fast.classes_)


@needs_model
@pytest.mark.parametrize(("spoil", "message"), [
    (lambda card: card.pop("model_sha256"), r"does not match its card classifier\.card\.json "
                                            r"\(model_sha256 None, file '[0-9a-f]{64}'\)"),
    (lambda card: card.update(model_sha256="0" * 64), r"model_sha256 '0{64}'"),
    (lambda card: card.update(format="something-else"),
     r"not a modelfit classifier card \(format must be 'modelfit-classifier'\)"),
    (lambda card: card["versions"].update({"scikit-learn": "0.1"}),
     r"trained with scikit-learn 0\.1, but \S+ is installed; retrain it with `make model`"),
    (lambda card: card.update(versions="1.9"), r"versions must map each library to its version"),
], ids=["no-hash", "other-hash", "other-format", "other-sklearn", "versions-text"])
def test_a_spoiled_card_is_refused(tmp_path: Path, spoil: object, message: str) -> None:
    """A card without the model's hash, with another hash, of another format, of another
    scikit-learn or with its versions as text is refused, the line naming the file."""
    path = copy_model(tmp_path)
    card = json.loads(card_path(path).read_text("utf-8"))
    spoil(card)  # type: ignore[operator]
    card_path(path).write_text(json.dumps(card), "utf-8")
    with pytest.raises(ModelfitError, match=message) as info:
        load_model(path)
    assert str(tmp_path) in info.value.problems[0]


@needs_model
def test_a_model_changed_after_its_card_was_written_is_refused(tmp_path: Path) -> None:
    """One byte appended to the model file no longer matches the card's hash."""
    path = copy_model(tmp_path)
    with path.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelfitError, match=str(path).replace(".", r"\.")):
        load_model(path)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip archive (as a skops file is) holding `members`."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(("cap", "members", "message"), [
    ("MAX_MODEL_MEMBERS", {"a": b"", "b": b"", "c": b""},
     r"^m\.skops: holds 3 files; a model file may hold at most 2$"),
    ("MAX_MODEL_INFLATED_BYTES", {"a": b"12", "b": b"345"},
     r"^m\.skops: would inflate to 5 bytes; a model file may inflate to at most 4 bytes$"),
    ("MAX_MODEL_SCHEMA_BYTES", {"schema.json": b"{}{}{}", "big.npy": b"x" * 99},
     r"^m\.skops: its schema\.json is 6 bytes; at most 5 are allowed$"),
], ids=["members", "inflated", "schema"])
def test_each_cap_refuses_one_past_it_and_admits_it_exactly(
    monkeypatch: pytest.MonkeyPatch, cap: str, members: dict[str, bytes], message: str,
) -> None:
    """Each declared-size cap admits an archive exactly at it and refuses one past it, the line
    naming the count, the size and the cap; only schema.json counts toward the schema cap."""
    from modelfit.outcome import modelfile

    limits = {"MAX_MODEL_MEMBERS": 2, "MAX_MODEL_INFLATED_BYTES": 4, "MAX_MODEL_SCHEMA_BYTES": 5}
    monkeypatch.setattr(modelfile, cap, limits[cap])
    with pytest.raises(ModelfitError, match=message):
        modelfile.check_skops_archive(Path("m.skops"), zip_bytes(members))
    at_cap = dict(list(members.items())[:-1]) if cap == "MAX_MODEL_MEMBERS" else None
    if cap == "MAX_MODEL_INFLATED_BYTES":
        at_cap = {"a": b"12", "b": b"34"}
    if cap == "MAX_MODEL_SCHEMA_BYTES":
        at_cap = {"schema.json": b"{}{}{", "big.npy": b"x" * 99}
    assert at_cap is not None
    modelfile.check_skops_archive(Path("m.skops"), zip_bytes(at_cap))  # no error


def test_a_broken_archive_is_named() -> None:
    """Bytes that start like a zip but are not one are refused in one line, never a traceback."""
    from modelfit.outcome.modelfile import check_skops_archive

    with pytest.raises(ModelfitError, match=r"^m\.skops: not a readable skops file \("):
        check_skops_archive(Path("m.skops"), b"PK\x03\x04 not really")


@needs_model
def test_load_fast_answers_from_the_code_free_copy(tmp_path: Path) -> None:
    """With a predictor named in the card, `load_fast` gives the numpy-only predictor; without
    one it falls back to the checked skops pipeline."""
    from sklearn.pipeline import Pipeline

    from modelfit.outcome.predictor import Predictor

    path = copy_model(tmp_path)
    assert isinstance(load_fast(path), Predictor)
    card = json.loads(card_path(path).read_text("utf-8"))
    del card["predictor_sha256"]
    card_path(path).write_text(json.dumps(card), "utf-8")
    assert isinstance(load_fast(path), Pipeline)


@needs_model
@pytest.mark.parametrize("loader", [load_fast, load_model], ids=["fast", "full"])
def test_both_loaders_refuse_another_scikit_learn_in_the_same_words(
    tmp_path: Path, loader: object,
) -> None:
    """A model trained with another scikit-learn is refused by either loader, naming both
    versions and how to retrain."""
    path = copy_model(tmp_path)
    card = json.loads(card_path(path).read_text("utf-8"))
    card["versions"]["scikit-learn"] = "0.1"
    card_path(path).write_text(json.dumps(card), "utf-8")
    with pytest.raises(ModelfitError, match=r": trained with scikit-learn 0\.1, but [0-9.]+ is "
                                            r"installed; retrain it with `make model`$"):
        loader(path)  # type: ignore[operator]


@needs_model
@pytest.mark.parametrize(("text", "message"), [  # {model}, {card}: the paths, escaped
    (None, r"^{model}: its card {card} is missing; a model file is loaded only with its card$"),
    ("{", r"^{card}: not a readable JSON card \(Expecting property name enclosed in double "
          r"quotes: line 1 column 2 \(char 1\)\)$"),
    ("\"x\"", r"^{card}: not a modelfit classifier card \(format must be "
              r"'modelfit-classifier'\)$"),
    ('{"format": "modelfit-classifier", "versions": {"numpy": 2}}',
     r"^{card}: versions must map each library to its version text, got \"\{{'numpy': 2\}}\"$"),
], ids=["missing", "not-json", "not-modelfit", "versions-not-text"])
def test_card_refusals_say_exactly_what_is_wrong(
    tmp_path: Path, text: str | None, message: str,
) -> None:
    """A missing card, a card that is not JSON, not a modelfit card, or whose versions are not
    text, each give their own line naming the file."""
    import re

    path = copy_model(tmp_path)
    card = card_path(path)
    if text is None:
        card.unlink()
    else:
        card.write_text(text, "utf-8")
    expected = message.format(model=re.escape(str(path)), card=re.escape(str(card)))
    with pytest.raises(ModelfitError, match=expected):
        read_card(path)


@needs_model
def test_a_pickle_renamed_skops_is_named_as_such(tmp_path: Path) -> None:
    """Bytes that are no zip archive are refused before anything is loaded, saying why."""
    path = copy_model(tmp_path)
    path.write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ModelfitError, match=r": not a skops file \(skops files are zip archives\); "
                                            r"refusing to load it: it may be a pickle, which "
                                            r"could run code$"):
        load_model(path)


def restamp(path: Path) -> None:
    """Make the card beside `path` claim the model file as it now is (hash), so that the checks
    after the hash are reached."""
    import hashlib

    card = json.loads(card_path(path).read_text("utf-8"))
    card["model_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    card_path(path).write_text(json.dumps(card), "utf-8")


@needs_model
def test_an_archive_skops_cannot_read_is_one_line(tmp_path: Path) -> None:
    """A zip archive whose card matches but that skops cannot read is refused in one line naming
    the file, never a traceback."""
    path = copy_model(tmp_path)
    path.write_bytes(zip_bytes({"schema.json": b"{}"}))
    restamp(path)
    with pytest.raises(ModelfitError, match=r"^.*classifier\.skops: not a readable skops file \("):
        load_model(path)


@needs_model
def test_an_estimator_that_is_not_a_pipeline_is_refused(tmp_path: Path) -> None:
    """A skops file of allowed types that holds a bare estimator, not a Pipeline over the model
    ids, is refused after loading, saying what a modelfit classifier is."""
    import numpy as np
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    path = copy_model(tmp_path)
    bare = LogisticRegression().fit(np.array([[0.0], [1.0]]), np.array(["platform", "hybrid"]))
    path.write_bytes(sio.dumps(bare))
    restamp(path)
    with pytest.raises(ModelfitError, match=r"classifier\.skops: not a modelfit classifier \(a "
                                            r"Pipeline over the four model ids\)$"):
        load_model(path)
