"""`modelfit markets PROFILE [--json] [--lang zh] [--as-of DATE]`: where to sell, on which
platform, by which route, under which rules (modelfit.decision.markets), as text or JSON.

The command line (`modelfit.cli`) adds the subcommand with `add_parser` and hands its
arguments to `command`; a bad date or profile exits 2 with one line naming it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from modelfit.core.dated import parse_as_of
from modelfit.core.vocab import LANGUAGES

__all__ = ["add_parser", "command"]


def add_parser(sub: Any) -> None:
    """The `markets` subcommand's options."""
    mkt = sub.add_parser("markets", help="where to sell: platforms, routes and rules for each "
                                         "target market, on a given day")
    mkt.add_argument("path", metavar="PATH.yaml", help="a company profile, e.g. params/forge.yaml")
    mkt.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    mkt.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the text (en, zh)")
    mkt.add_argument("--as-of", metavar="DATE", default=None,
                     help="the day whose fees and rules apply, YYYY-MM-DD (default: today)")


def command(args: argparse.Namespace) -> int:
    """Run `modelfit markets`; return the exit status."""
    from modelfit.analysis import markets_of
    from modelfit.decision.framework import Framework
    from modelfit.decision.recommend import recommend
    from modelfit.inputs.profile import load_profile
    from modelfit.views.markets import format_markets

    as_of = parse_as_of(args.as_of)
    profile = load_profile(args.path)
    fw = Framework.load()
    rec = recommend(profile, fw, args.lang)
    answer = markets_of(profile, rec, fw, args.lang, as_of)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_markets(answer, profile.company))
    return 0
