"""The framework file: where the bundled one is, reading an edited copy (capped, regular files
only) and parsing its YAML safely into a mapping. Validation is framework_build's."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from modelfit.core import reading
from modelfit.core.errors import FrameworkError
from modelfit.core.reading import StrictLoader, nesting

BUNDLED = "framework.yaml"
MAX_FRAMEWORK_BYTES = 1024 * 1024  # the bundled file is about 25 KB
MAX_FRAMEWORK_NESTING = 40  # levels of lists and mappings (the bundled file needs 6)


def bundled_text() -> str:
    """The text of the framework file shipped with the package (`data/framework.yaml`)."""
    return resources.files("modelfit").joinpath("data", BUNDLED).read_text("utf-8")


def read_capped(path: Path) -> str:
    """The text of a regular file of at most MAX_FRAMEWORK_BYTES (core.reading: a FIFO or
    /dev/zero would block or never end); FrameworkError otherwise."""
    raw = reading.read_capped(path, MAX_FRAMEWORK_BYTES, "a framework file", FrameworkError)
    return raw.decode("utf-8")


def parse(text: str, source: str) -> tuple[dict[str, Any], str]:
    """The mapping a framework file's `text` holds, with its `source` (named in every problem);
    FrameworkError when it nests too deep, is not plain YAML or is not a mapping."""
    depth = nesting(text)
    if depth > MAX_FRAMEWORK_NESTING:
        raise FrameworkError(f"{source}: lists or mappings nested {depth} deep; a framework "
                             f"file may nest at most {MAX_FRAMEWORK_NESTING} levels")
    try:
        # The profiles' loader: safe, and refuses duplicate keys, anchors and aliases.
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise FrameworkError(f"{source}: nested too deep to read; a framework file may nest at "
                             f"most {MAX_FRAMEWORK_NESTING} levels") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        if type(exc) is yaml.MarkedYAMLError:  # refused by the strict loader itself
            raise FrameworkError(f"{source}: {exc.problem}{where}") from None
        raise FrameworkError(f"{source}: not valid YAML ({exc.problem}{where})") from None
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise FrameworkError(f"{source}: a framework file must be a mapping")
    return data, source


def bundled_raw() -> dict[str, Any]:
    """The bundled framework file as plain data, the reference an edited copy is checked against."""
    data = yaml.safe_load(bundled_text())
    assert isinstance(data, dict)
    return data
