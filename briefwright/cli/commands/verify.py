"""`briefwright verify SITE`: the leak check, exit 1 if a built folder holds anything above its channel."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefwright.builder.pipeline import UsageError, check
from briefwright.cli.shared import common, marking
from briefwright.core.model import Marking
from briefwright.site.verify import verify

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    w = sub.add_parser("verify", help="leak check: exit 1 if a built folder holds anything above its channel")
    common(w)
    w.add_argument("site", type=Path, help="the built site folder to read")
    w.add_argument("--max-marking", type=marking, default=Marking.CLEAR, metavar="LABEL",
                   help="the channel the folder is for (default CLEAR: a public site)")


def run(args: argparse.Namespace) -> int:
    project = check(args.project, args.strict, not args.no_private).project
    if not args.site.is_dir():
        raise UsageError(f"{args.site} is not a folder; give the built site folder")
    leaks, count = verify(args.site, project, args.max_marking)
    for leak in leaks:
        print(f"{args.site / leak.file}: error: {leak}", file=sys.stderr)
    if leaks:
        print(f"verify: {len(leaks)} leak{'s' if len(leaks) != 1 else ''} of material above "
              f"{args.max_marking.label} in {args.site}; do not publish it", file=sys.stderr)
        return 1
    print(f"verify: {count} files in {args.site} hold nothing above {args.max_marking.label}", file=sys.stderr)
    return 0
