"""`briefwright check`: the content validated (every problem at its line); with --layout, every brief laid out and
held to its page limit, as the build will."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from briefwright.builder.pipeline import BuildOptions, build, check, check_word_pages
from briefwright.cli.shared import common, print_diagnostics
from briefwright.core.model import Marking

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("check", help="validate content only (page limits need --layout, or build)")
    common(c)
    c.add_argument("--layout", action="store_true", help="also lay out every brief (in a temporary folder) and check "
                   "its page limit, as the build will; with LibreOffice installed, its Word edition too")
    c.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="layout workers for --layout")


def run(args: argparse.Namespace) -> int:
    if args.layout:
        return _check_layout(args)
    checked = check(args.project, args.strict, not args.no_private)
    project = checked.project
    # Warnings first: notes (advice, such as an address to archive) never hide one below them.
    print_diagnostics(sorted(checked.diagnostics.diagnostics, key=lambda d: d.severity == "note"), args.diagnostics)
    for note in project.notes:
        print(note, file=sys.stderr)
    print(f"ok: {len(project.briefs)} briefs, {len(project.facts)} facts, {len(project.sources)} sources checked",
          file=sys.stderr)
    return 0


def _check_layout(args: argparse.Namespace) -> int:
    """`check --layout`: every brief laid out in a temporary folder (every channel: nothing is published), so a
    page budget fails here, before the build; an overflowing PDF is kept where the message says. Where LibreOffice
    is installed, each Word edition is laid out by it too and held to the same page limit."""
    with tempfile.TemporaryDirectory(prefix="briefwright-layout-") as scratch:
        opts = BuildOptions(root=args.project, out=Path(scratch) / "site", jobs=max(1, args.jobs), strict=args.strict,
                            max_marking=Marking.RED, private=not args.no_private, early_workers=True)
        checked = check(args.project, args.strict, not args.no_private)
        report = build(opts, checked)
        word, note = check_word_pages(checked.project, opts.out, report, Path(scratch) / "word")
    for line in report.warnings + report.notes + ([note] if note else []):
        print(line, file=sys.stderr)

    def pages(n: int) -> str:
        return f"{n} page{'s' if n != 1 else ''}"
    laid_out = ", ".join(f"{b} {pages(n)}" + (f" (Word {word[b]})" if b in word else "")
                         for b, n in sorted(report.pages.items()))
    print(f"ok: {len(report.pages)} briefs laid out within their page limits ({laid_out})", file=sys.stderr)
    return 0
