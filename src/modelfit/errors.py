"""The one exception a user sees: bad input, named by file, field, value and what is allowed."""

from __future__ import annotations

from collections.abc import Sequence


class ModelfitError(Exception):
    """Bad input. Each problem is one line naming the file, the field, the value and what is allowed.

    The command line prints the problems, one per line, and exits with status 2.
    """

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__("\n".join(self.problems))


class ProfileError(ModelfitError):
    """A company profile that cannot be used."""


class FrameworkError(ModelfitError):
    """A framework file that cannot be used."""
