"""Safe reading of what enters: capped reads of regular files, and plain YAML.

Profiles, framework files, rubrics, weights files, model cards and spreadsheets all enter
through here: a FIFO, a device or a huge file never blocks modelfit or fills its memory, and
YAML is read without tags, anchors, aliases or duplicate keys, its nesting counted from the
parser's events before anything is built.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from modelfit.core.errors import ModelfitError

__all__ = ["StrictLoader", "nesting", "read_capped"]


def read_capped(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file `path`, refused (ModelfitError) when larger than `limit`:
    a FIFO, a device or a huge file never makes modelfit block or run out of memory."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ModelfitError(f"{path}: is not a regular file (a pipe, socket, device or "
                                f"folder); {what} must be a file")
        if info.st_size > limit:
            raise ModelfitError(f"{path}: the file is {info.st_size} bytes; {what} may be at "
                                f"most {limit} bytes")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ModelfitError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        raise ModelfitError(f"{path}: {what} may be at most {limit} bytes")
    return data



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
    return deepest
