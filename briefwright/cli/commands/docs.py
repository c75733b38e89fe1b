"""`briefwright docs`: where the guides are; --open shows them in a web browser."""
from __future__ import annotations

import argparse
import sys

NEEDS_PROJECT = False


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("docs", help="print where the guides (authoring, theming, architecture) are; --open shows "
                                    "them in a web browser")
    d.add_argument("--open", action="store_true", help="write the guides as HTML pages into a temporary folder and "
                   "open them in the default web browser (the BROWSER variable chooses another)")
    d.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from briefwright.authoring.manual import listing, open_in_browser
    print(listing())
    if args.open:
        index, opened = open_in_browser()
        print(f"opened {index}" if opened else f"no web browser found; open {index} in one", file=sys.stderr)
    return 0
