"""`briefwright translations`: what each language still needs; --write-starter adds the missing entries."""
from __future__ import annotations

import argparse

from briefwright.builder.pipeline import UsageError, check
from briefwright.cli.shared import common

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("translations", help="what each language still needs (stale and missing translations), with "
                       "a percentage; --write-starter adds the missing entries to translations/<lang>.yaml")
    common(t)
    t.add_argument("--lang", default=None, help="only this language, e.g. zh-Hans")
    t.add_argument("--write-starter", action="store_true", help="append an entry (english, from, empty text) for each "
                   "missing field to translations/<lang>.yaml; existing entries and comments are kept")


def run(args: argparse.Namespace) -> int:
    from briefwright.resolve.translations import needs_report
    checked = check(args.project, args.strict, not args.no_private)  # its warnings are `check`'s to print
    try:
        print(needs_report(checked.project, checked.translations, args.lang, args.write_starter, checked.previous),
              end="")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return 0
