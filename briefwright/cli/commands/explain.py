"""`briefwright explain ID`: a record, where it comes from and everything that uses it, as a channel sees it."""
from __future__ import annotations

import argparse

from briefwright.authoring.explain import KINDS as EXPLAINED
from briefwright.authoring.explain import ExplainError, explain
from briefwright.builder.pipeline import UsageError, check
from briefwright.check.channel import ChannelView
from briefwright.check.markings import markings_of
from briefwright.cli.shared import common, marking, suggest
from briefwright.core.model import Marking

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("explain", help="show a fact, source, caveat, judgment, unknown or entity, where it comes from and "
                       "everything that uses it")
    common(e)
    e.add_argument("record", help="its id, or KIND:ID when two kinds share the id")
    e.add_argument("--max-marking", type=marking, default=Marking.CLEAR, metavar="LABEL",
                   help="show only records this channel may carry (default CLEAR; RED shows everything)")


def run(args: argparse.Namespace) -> int:
    project = check(args.project, args.strict, not args.no_private).project
    markings = markings_of(project)
    try:
        print(explain(project, args.record, markings, args.max_marking))
    except ExplainError as exc:
        kind, _, _ = args.record.rpartition(":")
        view = ChannelView(project, args.max_marking, markings)
        visible = [rid for k in ([kind] if kind in EXPLAINED else EXPLAINED) for rid in project.table(k)
                   if view.shows(k, rid)]  # never name what the channel hides
        raise UsageError(str(exc) + (suggest(exc.missing, visible) if exc.missing else "")) from None
    return 0
