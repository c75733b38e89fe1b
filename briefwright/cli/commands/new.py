"""`briefwright new KIND ID`: a commented file for a new record or brief that passes `check` at once."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefwright.authoring.scaffold import SCAFFOLD_KINDS, ScaffoldError, Scaffolds
from briefwright.builder.pipeline import UsageError, check, today
from briefwright.cli.shared import common
from briefwright.core.model import ID_PATTERN

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    n = sub.add_parser("new", help="start a new record or brief from a commented file that passes check")
    common(n)
    n.add_argument("what", choices=SCAFFOLD_KINDS)
    n.add_argument("id", help="id of the new record or brief")
    n.add_argument("--audience", default=None, help="audience of a new brief")


def run(args: argparse.Namespace) -> int:
    if not ID_PATTERN.match(args.id):
        raise UsageError(f"'{args.id}' is not a valid id (lower-case letters, digits and hyphens)")
    project = check(args.project, args.strict, not args.no_private).project
    options = f" --project {args.project}" if args.project != Path(".") else ""
    scaffolds = Scaffolds(project, today(), options)
    try:
        path = scaffolds.write(args.what, args.id, args.audience)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {path}; edit it, then run {scaffolds.command('check')}", file=sys.stderr)
    return 0
