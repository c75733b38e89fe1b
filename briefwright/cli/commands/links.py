"""`briefwright links check|archive`: the one command that uses the network. Its engine (and so the HTTP client) is
imported only when it runs."""
from __future__ import annotations

import argparse
from pathlib import Path

from briefwright.builder.pipeline import UsageError, check
from briefwright.cli.shared import DIAGNOSTICS, Parser, marking, print_diagnostics
from briefwright.core.model import Marking

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    links = sub.add_parser("links", help="the one command that uses the network: `check` whether every source's "
                           "address still answers, `archive` asks an archive for a copy of each cited address "
                           "without one and writes it into the source's YAML")
    actions = links.add_subparsers(dest="links_action", parser_class=Parser, required=True, metavar="{check,archive}")
    lc = actions.add_parser("check", help="check every source's url and archived_url: live, redirected, dead or "
                            "unreachable, one located line per problem")
    _options(lc)
    lc.add_argument("--offline", action="store_true", help="report from the cache alone; no connection is made")
    lc.add_argument("--json", type=Path, default=None, metavar="FILE", help="write every result as JSON to FILE")
    lc.add_argument("--strict", action="store_true", help="exit 1 when a source is dead and has no archived copy")
    lc.add_argument("--mark-dead", action="store_true", help="write url_status: dead into the YAML of each source "
                    "found dead, so its notes lead with its archived copy")
    la = actions.add_parser("archive", help="ask a Save Page Now 2 archive for a copy of each cited address without "
                            "one, and write archived_url and archived into its YAML (stops and resumes)")
    _options(la)
    la.add_argument("--endpoint", default=None, metavar="URL", help="the archive (default: links archive_endpoint in "
                    "project.yaml, else BRIEFWRIGHT_ARCHIVE_ENDPOINT, else https://web.archive.org)")
    la.add_argument("--per-minute", type=int, default=None, metavar="N", help="captures asked for per minute "
                    "(default 12 with BRIEFWRIGHT_ARCHIVE_KEY set, 4 without)")
    la.add_argument("--max-marking", type=marking, default=Marking.CLEAR, metavar="LABEL",
                    help="also archive sources up to this marking (default CLEAR: a capture makes an address public)")


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--project", type=Path, default=Path("."), help="project folder (holds project.yaml)")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for internal errors")
    p.add_argument("--diagnostics", choices=DIAGNOSTICS, default="auto",
                   help="how problems are printed (as for check)")
    p.add_argument("--no-private", action="store_true", help="leave out the private folders project.yaml names")
    p.add_argument("--cache-dir", type=Path, default=None, help="cache folder (default: .briefwright-cache in the "
                   "project); results and archive jobs are kept in its links/ folder")
    p.add_argument("ids", nargs="*", metavar="SOURCE", help="only these sources (default: all)")


def run(args: argparse.Namespace) -> int:
    from briefwright.links.command import LinkUsageError, run_archive, run_check
    project = check(args.project, False, not args.no_private).project  # content problems stop it; notes are check's
    try:
        if args.links_action == "check":
            return run_check(project, args.ids, args.offline, args.strict, args.json, args.mark_dead, args.cache_dir,
                             lambda found: print_diagnostics(found, args.diagnostics))
        return run_archive(project, args.ids, args.endpoint, args.per_minute, args.max_marking, args.cache_dir)
    except LinkUsageError as exc:
        raise UsageError(str(exc)) from None
