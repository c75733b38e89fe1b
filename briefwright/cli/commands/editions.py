"""`briefwright editions audit|restore`: published editions rebuilt from their commits (drift shown), or their
missing files rebuilt and kept only when their sha256 matches."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefwright.builder.pipeline import UsageError, check
from briefwright.cli.shared import common, suggest

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    ed = sub.add_parser("editions", help="published editions: `audit` rebuilds them from their commits and shows any "
                                         "drift (exit 1 on drift only with --strict); `restore` rebuilds missing "
                                         "files, kept only if their sha256 matches")
    common(ed)
    ed.add_argument("action", choices=("audit", "restore"))
    ed.add_argument("brief", nargs="*", help="brief ids (default: every brief)")
    ed.add_argument("--out", type=Path, default=None, help="audit: folder for page images and rebuilt files "
                    "(default: .briefwright-cache/audit)")


def run(args: argparse.Namespace) -> int:
    from briefwright.check.editions import MISSING_FILES_EXPECTED, restore
    from briefwright.editions import audit
    token = MISSING_FILES_EXPECTED.set(True)
    try:
        project = check(args.project, args.strict, not args.no_private).project
    finally:
        MISSING_FILES_EXPECTED.reset(token)
    unknown = [b for b in args.brief if b not in project.briefs]
    if unknown:
        raise UsageError(f"no brief '{unknown[0]}'" + suggest(unknown[0], list(project.briefs)))
    if args.action == "restore":
        lines = restore(project, args.brief)
        print("\n".join(lines) if lines else "every published file is here", file=sys.stderr)
        return 0
    out = args.out or audit.default_out(project)
    results = audit.audit(project, args.brief, out)
    print(audit.report(results))
    drift = any(not r.identical for r in results)
    return 1 if drift and args.strict else 0
