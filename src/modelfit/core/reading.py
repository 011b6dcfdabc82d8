"""Safe reading of what enters: capped reads of regular files, and plain YAML.

Profiles, framework files, rubrics, weights files, models and their cards, spreadsheets and the
files `score` reads all enter through here (`open_regular`, `read_capped`, `check_zip`): a FIFO,
a device, a link to one, a huge file or a zip bomb never blocks modelfit or fills its memory, and
YAML is read without tags, anchors, aliases or duplicate keys, its nesting counted from the
parser's events before anything is built.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import IO, Any, ClassVar

import yaml

from modelfit.core.errors import ModelfitError

MAX_INT_DIGITS = 100  # no modelfit value needs more; Python refuses to convert 4,300 and up
DEEPEST = 1_000_000  # the nesting reported for a text too deep for the parser itself

__all__ = ["StrictLoader", "check_zip", "nesting", "open_regular", "read_capped"]


def open_regular(path: Path, what: str, error: type[ModelfitError] = ModelfitError) -> IO[bytes]:
    """`path` opened for reading in binary, if it is a regular file (after following links);
    `error` naming the path otherwise. The file is opened without blocking and checked on the
    open descriptor (`fstat`), so a FIFO, a socket, a device or a link to one (`/dev/zero`) is
    refused before a byte is read, and nothing can be swapped in between the check and the read.
    The one way modelfit opens a file a user hands in (`what` says what it should be)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error(f"{path}: is a folder, not a file; {what} must be a file")
        if not stat.S_ISREG(mode):
            raise error(f"{path}: is not a regular file (a pipe, socket, device or folder); "
                        f"{what} must be a file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: Path, limit: int, what: str,
                error: type[ModelfitError] = ModelfitError) -> bytes:
    """The bytes of the regular file `path` (`open_regular`), refused (`error`) when larger than
    `limit`: a FIFO, a device or a huge file never makes modelfit block or run out of memory."""
    with open_regular(path, what, error) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise error(f"{path}: the file is {size} bytes; {what} may be at most {limit} bytes")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise error(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        raise error(f"{path}: {what} may be at most {limit} bytes")
    return data


def check_zip(path: Path, data: bytes, limit: int, what: str,
              error: type[ModelfitError] = ModelfitError) -> None:
    """Refuse the zip archive `data` (read from `path`) when its members would inflate to more
    than `limit` bytes in all, counted from the sizes its directory states before anything is
    inflated. Python's zipfile never inflates a member past its stated size (it stops there and
    checks the CRC), so the stated sizes bound what any later reading of the archive takes."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise error(f"{path}: not a zip archive ({exc}); {what} must be one") from None
    total = sum(m.file_size for m in members)
    if total > limit:
        raise error(f"{path}: unpacks to {total} bytes; {what} may unpack to at most {limit} "
                    "bytes")


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (*name) are not allowed: modelfit files are plain YAML",
                problem_mark=event.start_mark,
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (&name) are not allowed: modelfit files are plain YAML",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: Any) -> Any:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise yaml.MarkedYAMLError(
                problem=f"an integer of {digits} digits; a number may have at most "
                        f"{MAX_INT_DIGITS} digits",
                problem_mark=node.start_mark,
            )
        return super().construct_yaml_int(node)

    # The int constructor is looked up in this table, not as a method: point it at the check.
    yaml_constructors: ClassVar[dict[Any, Any]] = {**yaml.SafeLoader.yaml_constructors,
                                                   "tag:yaml.org,2002:int": construct_yaml_int}

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (list, dict)):
                continue
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r}: each field may appear once",
                    problem_mark=key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def nesting(text: str) -> int:
    """The deepest nesting of lists and mappings in a YAML text, counted from the parser's event
    stream (iterative, unlike the recursive composer), so a deep file is refused before it is
    built. Brackets inside quoted or plain text do not count. A text that does not parse gives
    the depth reached so far: the real load reports the syntax error."""
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    except RecursionError:  # the scanner recurses on some deep flow collections
        return DEEPEST
    return deepest
