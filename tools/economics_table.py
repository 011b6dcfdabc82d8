"""Write the assumptions table of docs/economics.md from `outcome.assumption_table()`.

`python tools/economics_table.py` rewrites, in place, the table under the header
`| assumption | value | range | source |` and the judged-share sentence, so the doc says what
`src/modelfit/data/outcomes.yaml` says (tests/test_outcome.py checks they agree).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[1] / "docs" / "economics.md"
HEADER = "| assumption | value | range | source |"


def _num(x: Any) -> str:
    return f"{float(x):.12g}" if isinstance(x, (int, float)) else str(x)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def row(record: dict[str, Any]) -> str:
    value = record["value"]
    low, high = record["range"]
    if isinstance(value, dict):
        shown = ", ".join(f"{k} {_num(v)}" for k, v in value.items())
        span = f"{_num(low)}–{_num(high)} (× every entry)"
    else:
        shown = _num(value)
        span = f"{_num(low)}–{_num(high)}"
    if record["judged"]:
        source = "**judgement**: " + str(record["source"]).removeprefix("judgement: ")
    else:
        source = f"{record['source']}, <{record['url']}>. {record['note']}"
    return f"| `{record['assumption']}` | {shown} | {span} | {_cell(source)} |"


def main() -> int:
    from modelfit.outcome.assumptions import assumption_table, judged_share

    table = assumption_table()
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2
    end = start
    while end < len(lines) and lines[end].startswith("| `"):
        end += 1
    lines[start:end] = [row(r) for r in table.to_dict("records")]
    text = "\n".join(lines) + "\n"
    judged = int(table["judged"].sum())
    share = judged_share()
    text = re.sub(r"\*\*Judged share: \d+ of \d+ assumptions \(\d+%\)\*\*",
                  f"**Judged share: {judged} of {len(table)} assumptions "
                  f"({round(100 * share)}%)**", text)
    text = re.sub(r"`outcome\.judged_share\(\)`: [0-9.]+", f"`outcome.judged_share()`: {share}",
                  text)
    DOC.write_text(text, encoding="utf-8")
    print(f"{DOC.name}: {len(table)} assumptions, {judged} judged ({share})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
