"""What several subcommands share: the parser class, the project and channel options, the TLP label type, how
located problems are printed and the did-you-mean of a mistyped id."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from briefwright.core.diagnostics import Diagnostic, format_github, format_pretty, nearest, to_json
from briefwright.core.model import Marking

DIAGNOSTICS = ("auto", "text", "pretty", "json")


class Parser(argparse.ArgumentParser):
    """Sub-command parsers that take no abbreviations: --format must not silently mean --formats."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def marking(value: str) -> Marking:
    """A TLP 2.0 label as an option's value (`amber`, `TLP:AMBER`)."""
    label = value.upper().removeprefix("TLP:")
    try:
        return Marking(label)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a TLP 2.0 label; use one of {', '.join(m.value for m in Marking)}") from None


def common(p: argparse.ArgumentParser) -> None:
    """The options of every command that reads a project."""
    p.add_argument("--project", type=Path, default=Path("."), help="project folder (holds project.yaml)")
    p.add_argument("--strict", action="store_true", help="treat warnings (stale facts) as errors")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for internal errors")
    p.add_argument("--diagnostics", choices=DIAGNOSTICS, default="auto",
                   help="how problems are printed: text (path:line:col), pretty (with the line and a caret; "
                        "the default on a terminal) or json (on standard output)")
    p.add_argument("--format", dest="renamed_format", default=None, help=argparse.SUPPRESS)
    p.add_argument("--no-private", action="store_true",
                   help="leave out the private folders project.yaml names (see the project as a public CI does)")


def channel(p: argparse.ArgumentParser) -> None:
    """The distribution channel of a command that builds."""
    p.add_argument("--max-marking", type=marking, default=Marking.CLEAR, metavar="LABEL",
                   help="the distribution channel, as the highest TLP marking it may carry: "
                        "CLEAR (the default: a public site), GREEN, AMBER, AMBER+STRICT or RED")
    p.add_argument("--include-restricted", action="store_const", dest="max_marking", const=Marking.RED,
                   help="the same as --max-marking RED: every brief, for local reading only")


def suggest(word: str, table: Iterable[str]) -> str:
    close = nearest(word, table)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def print_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(to_json(diagnostics), indent=2))
    for d in diagnostics:
        if fmt == "pretty":
            print(format_pretty(d), file=sys.stderr)
        elif fmt == "text":
            print(str(d), file=sys.stderr)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(format_github(d), file=sys.stderr)
