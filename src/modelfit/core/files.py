"""Writing files safely: temporary files with the ordinary mode, and moving a set of finished
files onto their targets all together or not at all.

Every file modelfit writes for a user gets the same mode, 0666 less the umask (0644 as a rule),
whether it is written in place or beside its target first (`tempfile.mkstemp` alone would give
0600). `place_all` moves finished files onto their targets: the old targets are moved aside
first and put back if any move fails, and the error names the target, never a temporary file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from modelfit.core.errors import ModelfitError, RunError

__all__ = ["ordinary_mode", "place_all", "process_alive", "staged_file", "write_new"]


def ordinary_mode() -> int:
    """0666 less the process's umask: the mode `open()` gives a new file (0644 as a rule)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def staged_file(target: Path, text: str) -> Path:
    """`text` written to a hidden temporary file beside `target`, with the ordinary mode; a
    ModelfitError naming `target` when its folder cannot be written."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ModelfitError(f"{target}: cannot be written ({exc.strerror})") from None
    try:
        os.fchmod(fd, ordinary_mode())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RunError(f"{target}: cannot be written ({exc.strerror})") from None
    return Path(tmp)


def place_all(pairs: list[tuple[Path, Path]]) -> None:
    """Move each finished file onto its target: all of them, or none. The targets that exist are
    moved aside first and put back if a move fails; the error names the target. The finished
    files left over are removed either way."""
    saved: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    current = pairs[0][1] if pairs else Path()
    try:
        for produced, target in pairs:
            current = target
            if target.is_dir() and not target.is_symlink():
                raise ModelfitError(f"{target}: is a folder; it cannot be replaced by a file")
            if target.exists() or target.is_symlink():
                aside = produced.with_name(produced.name + ".old")
                os.replace(target, aside)
                saved.append((target, aside))
        for produced, target in pairs:
            current = target
            os.replace(produced, target)
            placed.append(target)
    except OSError as exc:
        _undo(placed, saved)
        raise RunError(f"{current}: cannot be replaced ({exc.strerror}); nothing was "
                       "written") from None
    except BaseException:
        _undo(placed, saved)
        raise
    finally:
        for produced, _ in pairs:
            produced.unlink(missing_ok=True)
    for _, aside in saved:
        aside.unlink(missing_ok=True)


def _undo(placed: list[Path], saved: list[tuple[Path, Path]]) -> None:
    """Put the old targets back; what cannot be put back is named in one error."""
    for target in placed:
        target.unlink(missing_ok=True)
    lost: list[str] = []
    for target, aside in saved:
        try:
            os.replace(aside, target)
        except OSError as exc:
            lost.append(f"{target}: could not be restored ({exc.strerror}); the old file is "
                        f"{aside}")
    if lost:
        raise RunError(lost)


def process_alive(pid: int) -> bool:
    """Whether process `pid` still runs (someone else's live process counts as running): what
    tells a killed run's leftovers from a running one's."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_new(target: Path, text: str, *, exists: str = "already exists") -> None:
    """Write `text` to `target`, which must not exist (a dangling link counts as existing: it
    is never followed). The text is written beside it first and linked into place, so a full
    disk or a failed write leaves no file, not even an empty one; errors name `target`
    (`exists` says what is wrong when it is there already)."""
    if target.exists() or target.is_symlink():
        raise ModelfitError(f"{target}: {exists}")
    tmp = staged_file(target, text)
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise ModelfitError(f"{target}: {exists}") from None
    except OSError as exc:
        raise RunError(f"{target}: cannot be written ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)
