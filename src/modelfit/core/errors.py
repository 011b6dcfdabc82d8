"""The one exception root a user sees, and how a bad value is quoted in a message.

Every error modelfit raises is a `ModelfitError`. Its `problems` are one line each, naming the
file, the field, the value and what is allowed; the command line prints them and exits with
the class's `exit_status`: 2 for bad input (the default), 1 for a run that failed on good input
(a report notebook's cell, a kernel that would not start).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

MAX_SHOWN = 80  # characters of a bad value quoted in an error line


class ModelfitError(Exception):
    """Bad input. Each problem is one line naming the file, the field, the value and what is allowed.

    The command line prints the problems, one per line, and exits with `exit_status`.
    """

    exit_status: ClassVar[int] = 2

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__("\n".join(self.problems))


class ProfileError(ModelfitError):
    """A company profile that cannot be used."""


class FrameworkError(ModelfitError):
    """A framework file (or a rubric beside it) that cannot be used."""


class RunError(ModelfitError):
    """A run that failed on good input: a notebook cell, a kernel, a file that could not be
    replaced. Not the user's input, so the command line exits with status 1."""

    exit_status: ClassVar[int] = 1


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """`value` quoted for an error line: its repr (control characters escaped), cut to `limit`
    characters with the full size said, so a huge or hostile value never floods a message."""
    text = repr(list(value) if isinstance(value, tuple) else value)
    if len(text) > limit:
        size = (f"{len(value)} characters" if isinstance(value, str) else
                f"{len(value)} items" if isinstance(value, (list, tuple, dict)) else
                f"{len(text)} characters")
        text = f"{text[:limit]}… ({size})"
    return text


def kind(value: Any) -> str:
    """What sort of value came where a mapping was expected: 'a list', 'the text 'abc'', 'int 7'."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"{type(value).__name__} {shown(value)}"
