"""`briefwright release BRIEF`: a brief recorded as its current edition, its PDF and Word files kept as published."""
from __future__ import annotations

import argparse
import dataclasses
import sys

from briefwright.builder.pipeline import BuildOptions, Checked, UsageError, check, edition_files
from briefwright.check.editions import edition_path, editions_folder, release
from briefwright.check.reproduce import NotReproducible, source_commit
from briefwright.check.validate import release_archives
from briefwright.cli.shared import common, suggest
from briefwright.core.diagnostics import ContentError

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("release", help="record a brief as its current edition (in editions/): what it shows, and its "
                                       "PDF and Word files as published, with their hashes")
    common(r)
    r.add_argument("brief", help="brief id")
    r.add_argument("--formats", default="html,pdf,docx", metavar="LIST",
                   help="output formats as the build makes them (default: html,pdf,docx); each downloadable one "
                        "(PDF, Word) is archived")


def run(args: argparse.Namespace) -> int:
    root = args.project
    checked = check(root, args.strict, not args.no_private)
    project = checked.project
    commit = _releasable(args, checked)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    files = edition_files(BuildOptions(root=root, out=root / "site", formats=formats, private=not args.no_private),
                          checked, args.brief)
    try:
        path = release(project, args.brief, files, commit)
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
    names = ", ".join(path.with_suffix(suffix).name for suffix in files)
    print(f"recorded edition {project.briefs[args.brief].edition} of {args.brief} in {path}"
          + (f" with {names}" if names else "") + f"; commit them (git add {path.parent} && git commit): they are "
          "the record of what readers got", file=sys.stderr)
    return 0


def _releasable(args: argparse.Namespace, checked: Checked) -> str | None:
    """The commit the edition is made from (None outside git), once nothing stands in the way of recording it: an unknown brief, an
    edition already recorded, a cited address without an archived copy, no changes note, stale evidence."""
    project = checked.project
    if args.brief not in project.briefs:
        raise UsageError(f"no brief with id '{args.brief}'" + suggest(args.brief, project.briefs))
    existing = edition_path(editions_folder(project, project.briefs[args.brief]), project.briefs[args.brief].edition)
    if existing.exists():  # before laying the brief out: the answer does not depend on it
        raise UsageError(f"edition {project.briefs[args.brief].edition} of '{args.brief}' is already recorded in "
                         f"{existing}; raise 'edition' in briefs/{args.brief}.yaml first")
    brief = project.briefs[args.brief]
    unarchived = release_archives(project, args.brief)
    if unarchived:
        raise ContentError(unarchived)
    if brief.edition >= 2 and brief.changes_note is None:
        loc = brief.at("edition")
        raise UsageError(f"{loc.display_path()}:{loc.line}: edition {brief.edition} of '{args.brief}' has no "
                         "changes_note; add one (a sentence or two on what this edition changes and why: readers "
                         "of the earlier edition see it first), commit, then release")
    if args.brief in checked.currency:  # a warning for `check`; a released edition must not hide its currency
        raise ContentError([dataclasses.replace(checked.currency[args.brief], severity="error")])
    try:
        return source_commit(existing.parent.parent.parent)
    except NotReproducible as exc:
        raise UsageError(f"cannot release '{args.brief}': {exc}") from None
