"""Check the market data before a refresh: every record's dates and sources, and what expires.

    python tools/markets_check.py [FILE] [--as-of YYYY-MM-DD] [--days 90] [--sources]

Loads FILE (default: the bundled src/modelfit/data/markets.yaml) with the package's own
checks (a grade on every record, a source with publisher, title, year and address unless
judged, dates that parse, periods that do not overlap), then lists:
- the records that expire within --days of --as-of (they need a successor record);
- the records that start within --days (changes coming into force);
- the counts by grade and the values left unknown (null);
- sources older than three years before --as-of (worth re-reading).
With --sources, prints the Markdown table of every source and how many records cite it
(what docs/markets.md shows). Exit status: 0 when the file loads, 2 when it does not.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from modelfit.core.dated import ahead, expiring, parse_as_of
from modelfit.core.errors import ModelfitError
from modelfit.inputs.markets_data import load_markets, records_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/markets_check.py", description=__doc__.split(
        "\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=None,
                        help="a markets file (default: the bundled one)")
    parser.add_argument("--as-of", default=None, help="the day to check against (today)")
    parser.add_argument("--days", type=int, default=90, help="the window in days (90)")
    parser.add_argument("--sources", action="store_true",
                        help="print the Markdown table of the sources and stop")
    args = parser.parse_args(argv)
    try:
        as_of = parse_as_of(args.as_of)
        data = load_markets(args.file)
    except ModelfitError as exc:
        for line in exc.problems:
            print(f"markets_check: {line}", file=sys.stderr)
        return 2
    records = records_of(data)
    if args.sources:
        cited = Counter((r.source.publisher, r.source.title, r.source.year, r.source.url)
                        for _, r in records if r.source is not None)
        grades: dict[tuple[object, ...], set[str]] = {}
        for _, r in records:
            if r.source is not None:
                key = (r.source.publisher, r.source.title, r.source.year, r.source.url)
                grades.setdefault(key, set()).add(r.grade)
        print("| publisher | title | year | grade | records | address |")
        print("|---|---|---|---|---|---|")
        for key, count in sorted(cited.items(), key=lambda kv: (str(kv[0][0]).lower(),
                                                                  str(kv[0][1]))):
            publisher, title, year, url = key
            print(f"| {publisher} | {title} | {year} | {', '.join(sorted(grades[key]))} | "
                  f"{count} | {url} |")
        return 0
    print(f"{data.label}: version {data.version}, {len(records)} records, all with a grade "
          f"and a source or judgement; checked against {as_of.isoformat()}")
    ending = [(w, r) for w, r in records if r in expiring([r], as_of, args.days)]
    print(f"\nexpire within {args.days} days ({len(ending)}):")
    for where, r in sorted(ending, key=lambda wr: wr[1].valid_to or as_of):
        print(f"  {r.valid_to}  {where}  value {r.value!r}  ({r.grade})")
    starting = [(w, r) for w, r in records if r in ahead([r], as_of, args.days)]
    print(f"\nstart within {args.days} days ({len(starting)}):")
    for where, r in sorted(starting, key=lambda wr: wr[1].valid_from):
        print(f"  {r.valid_from}  {where}  value {r.value!r}  ({r.grade})")
    by_grade = Counter(r.grade for _, r in records)
    print("\nby grade: " + ", ".join(f"{g} {n}" for g, n in sorted(by_grade.items())))
    unknown = [w for w, r in records if r.value is None]
    print(f"unknown (null) values: {len(unknown)}")
    for where in unknown:
        print(f"  {where}")
    old = sorted({(r.source.year, r.source.publisher, r.source.title) for _, r in records
                  if r.source is not None
                  and r.source.year < (as_of - timedelta(days=3 * 365)).year})
    print(f"\nsources more than three years old ({len(old)}):")
    for year, publisher, title in old:
        print(f"  {year}  {publisher}: {title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
