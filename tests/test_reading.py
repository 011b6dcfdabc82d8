"""Safe reading (modelfit.core.reading): the capped read, the strict YAML loader and the nesting
count, each promise checked on its own with exact messages and figures."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelfit.core import reading
from modelfit.core.errors import FrameworkError, ModelfitError
from modelfit.core.reading import StrictLoader, check_zip, nesting, open_regular, read_capped


# --- read_capped --------------------------------------------------------------------------------
def test_a_file_of_exactly_the_limit_is_read_whole(tmp_path: Path) -> None:
    """The limit is inclusive: a file of `limit` bytes comes back byte for byte."""
    path = tmp_path / "f.yaml"
    path.write_bytes(b"0123456789")
    assert read_capped(path, 10, "a test file") == b"0123456789"


def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path: Path) -> None:
    """One byte over: refused before reading, naming the size, the limit and what it is."""
    path = tmp_path / "f.yaml"
    path.write_bytes(b"0123456789X")
    with pytest.raises(ModelfitError, match=rf"^{path}: the file is 11 bytes; a test file may be "
                       r"at most 10 bytes$"):
        read_capped(path, 10, "a test file")


def test_a_file_larger_than_its_stated_size_is_refused_after_the_capped_read() -> None:
    """/proc files state size 0 and hold more: what is read is capped and still refused."""
    path = Path("/proc/self/status")
    with pytest.raises(ModelfitError, match=rf"^{path}: a test file may be at most 10 bytes$"):
        read_capped(path, 10, "a test file")


def test_never_more_than_limit_plus_one_bytes_are_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file that keeps growing is read with one bounded read of limit + 1 bytes."""
    path = tmp_path / "f.yaml"
    path.write_bytes(b"small")
    asked: list[Any] = []
    fd = os.open(path, os.O_RDONLY)

    class Endless(io.RawIOBase):
        def fileno(self) -> int:
            return fd

        def read(self, size: int | None = -1) -> bytes:
            asked.append(size)
            return b"x" * (size if isinstance(size, int) and size >= 0 else 10**6)

    try:
        monkeypatch.setattr(reading.os, "fdopen", lambda _fd, mode="r": Endless())
        with pytest.raises(ModelfitError, match=r"may be at most 100 bytes$"):
            read_capped(path, 100, "a test file")
    finally:
        os.close(fd)
    assert asked == [101]


def test_a_fifo_is_refused_without_reading(tmp_path: Path) -> None:
    """Not a regular file: refused at once (a FIFO would block a read for ever)."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ModelfitError, match=rf"^{fifo}: is not a regular file \(a pipe, "
                       r"socket, device or folder\); a test file must be a file$"):
        read_capped(fifo, 10, "a test file")


def test_a_folder_is_refused_as_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelfitError, match=rf"^{tmp_path}: is a folder, not a file; a test "
                       r"file must be a file$"):
        read_capped(tmp_path, 10, "a test file")


def test_a_link_to_a_device_is_refused_on_the_open_file(tmp_path: Path) -> None:
    """A symlink named like data that points at /dev/zero is refused from the opened descriptor,
    before a byte is read (it used to fill memory in `import` and `score`)."""
    link = tmp_path / "z.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(ModelfitError, match=rf"^{link}: is not a regular file"):
        open_regular(link, "a table")


def test_a_link_to_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_bytes(b"abc")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    assert read_capped(tmp_path / "link.yaml", 10, "a test file") == b"abc"


def test_the_error_class_is_the_callers() -> None:
    with pytest.raises(FrameworkError, match=r"no such file$"):
        read_capped(Path("/nonexistent/f.yaml"), 10, "a test file", FrameworkError)


def test_a_missing_file_is_one_line() -> None:
    """An OSError becomes a ModelfitError naming the path and the reason."""
    path = Path("/nonexistent/f.yaml")
    with pytest.raises(ModelfitError, match=rf"^{path}: no such file$"):
        read_capped(path, 10, "a test file")


# --- check_zip -----------------------------------------------------------------------------------
def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_is_refused_by_what_it_unpacks_to_not_its_size(tmp_path: Path) -> None:
    """A 1 MiB member of zeros is about 1 KB zipped: refused by its inflated size."""
    data = _zip({"a": b"\0" * (1 << 20)})
    assert len(data) < 5000
    with pytest.raises(ModelfitError, match=rf"^{tmp_path}: unpacks to 1048576 bytes; a test "
                       r"archive may unpack to at most 1048575 bytes$"):
        check_zip(tmp_path, data, (1 << 20) - 1, "a test archive")
    check_zip(tmp_path, data, 1 << 20, "a test archive")  # at the limit: accepted


def test_the_members_are_counted_together(tmp_path: Path) -> None:
    data = _zip({"a": b"x" * 600, "b": b"y" * 600})
    with pytest.raises(ModelfitError, match=r"unpacks to 1200 bytes"):
        check_zip(tmp_path, data, 1000, "a test archive")


def test_not_a_zip_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ModelfitError, match=rf"^{tmp_path}: not a zip archive \(.*\); a test "
                       r"archive must be one$"):
        check_zip(tmp_path, b"PK not really", 1000, "a test archive")


def test_zipfile_never_inflates_past_a_members_stated_size() -> None:
    """What check_zip relies on: a member whose stated size is smaller than its data is cut at
    the stated size (and fails its CRC), never inflated whole."""
    data = bytearray(_zip({"a": b"\0" * 100_000}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")  # the stated size: 10 bytes
    got = bytearray()

    def inflate() -> None:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive, archive.open("a") as member:
            while chunk := member.read(4096):
                got.extend(chunk)

    with pytest.raises(zipfile.BadZipFile):
        inflate()
    assert len(got) <= 10


# --- StrictLoader ---------------------------------------------------------------------------------
def _refusal(text: str) -> yaml.MarkedYAMLError:
    with pytest.raises(yaml.MarkedYAMLError) as info:
        yaml.load(text, Loader=StrictLoader)  # noqa: S506 - the strict SafeLoader
    assert type(info.value) is yaml.MarkedYAMLError  # refused by StrictLoader, not the parser
    return info.value


def test_an_alias_is_refused_where_it_stands() -> None:
    """An alias, even to no anchor: the problem and its line and column (0-based marks)."""
    error = _refusal("a: 1\nb: *x\n")
    assert error.problem == ("anchors and aliases (*name) are not allowed: modelfit files are "
                             "plain YAML")
    assert error.problem_mark is not None
    assert (error.problem_mark.line, error.problem_mark.column) == (1, 3)


def test_an_anchor_is_refused_where_it_stands() -> None:
    """An anchor on a value, before any alias could use it."""
    error = _refusal("a: 1\nb: &x 2\n")
    assert error.problem == ("anchors and aliases (&name) are not allowed: modelfit files are "
                             "plain YAML")
    assert error.problem_mark is not None
    assert (error.problem_mark.line, error.problem_mark.column) == (1, 3)


def test_a_duplicate_key_is_refused_at_its_second_appearance() -> None:
    """The duplicated key is named, and marked where it appears again."""
    error = _refusal("a: 1\nb: 2\na: 3\n")
    assert error.problem == "duplicate key 'a': each field may appear once"
    assert error.problem_mark is not None
    assert (error.problem_mark.line, error.problem_mark.column) == (2, 0)


def test_a_duplicate_after_a_collection_key_is_still_found() -> None:
    """A list or mapping used as a key is passed over, and the keys after it still checked."""
    error = _refusal("? [x, y]\n: 1\nb: 2\nb: 3\n")
    assert error.problem == "duplicate key 'b': each field may appear once"


def test_plain_yaml_loads_as_with_the_safe_loader() -> None:
    """Everything the strict loader allows loads exactly as yaml.safe_load loads it."""
    text = "a: 1\nb: [x, {c: 2.5, d: null}]\ne: {f: [true, 'g']}\n"
    assert yaml.load(text, Loader=StrictLoader) == yaml.safe_load(text)  # noqa: S506


def test_construct_mapping_keeps_pyyamls_shallow_default_and_deep_option() -> None:
    """The override keeps PyYAML's contract: shallow by default (nested values are filled in
    later by the loader), everything built at once with deep=True."""
    def construct(**kwargs: bool) -> Any:
        loader = StrictLoader("a: {b: 1}\n")
        try:
            return loader.construct_mapping(loader.get_single_node(), **kwargs)
        finally:
            loader.dispose()

    assert construct() == {"a": {}}
    assert construct(deep=False) == {"a": {}}
    assert construct(deep=True) == {"a": {"b": 1}}


# --- nesting ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "depth"), [
    ("", 0),
    ("just text", 0),
    ("a: 1", 1),
    ("[[]]", 2),
    ("a: [1]\nb: [2]\nc: {d: 3}", 2),  # siblings: the deepest, not the sum
    ("a: [1, [2]]", 3),
    ("a: [[1], [2, [3]]]", 4),  # back to depth 2 after a closed list, then deeper
    ("a: {b: {c: [1]}}", 4),
    ('a: "[[[[ {{"', 1),  # brackets in text do not count
    ("a: [[[", 4),  # a broken text: the depth reached before the error
], ids=["empty", "scalar", "mapping", "nested-lists", "siblings", "list-in-list", "down-and-up",
        "deep-mapping", "quoted-brackets", "broken"])
def test_nesting_counts_the_deepest_collection(text: str, depth: int) -> None:
    """Each list or mapping opened inside another adds one; closing one takes it back."""
    assert nesting(text) == depth
