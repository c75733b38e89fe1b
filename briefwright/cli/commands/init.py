"""`briefwright init DIR`: a new project, from the one-of-each starter or a full example topic."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefwright.authoring.starter import InitError, init_project
from briefwright.builder.pipeline import UsageError, today
from briefwright.core.resources import DOCS, EXAMPLES

NEEDS_PROJECT = False


def add_parser(sub: argparse._SubParsersAction) -> None:
    i = sub.add_parser("init", help="start a new project in DIR: settings, one record of each kind, one brief, "
                                    "the Pages workflow, a README")
    i.add_argument("dir", type=Path, help="the new project's folder (created if missing)")
    i.add_argument("--force", action="store_true", help="add the starter files to a folder that is not empty "
                   "(existing files are never overwritten)")
    i.add_argument("--example", choices=sorted(EXAMPLES), default=None,
                   help="start from a full example topic instead of the one-of-each starter")
    i.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    try:
        written = init_project(args.dir, today(), args.force, args.example)
    except InitError as exc:
        raise UsageError(str(exc)) from None
    from briefwright.authoring.starter import first_commit
    print(f"wrote {len(written)} files into {args.dir}; {first_commit(args.dir)}; next: cd {args.dir} && "
          f"briefwright build (then open site/index.html)\nthe guides: {DOCS / 'authoring.md'} (`briefwright docs` "
          "lists them all)", file=sys.stderr)
    return 0
