"""`briefwright doctor`: what this machine lacks to build the project, each with its install command."""
from __future__ import annotations

import argparse
from pathlib import Path

NEEDS_PROJECT = False  # it checks the machine, with or without a project


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("doctor", help="can this machine build the project: system libraries, fonts per script, the "
                                      "tools the tests use, the cache, git; each problem with its install command")
    d.add_argument("--project", type=Path, default=Path("."), help="project folder (holds project.yaml)")
    d.add_argument("--quiet", action="store_true", help="print only problems")
    d.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from briefwright.authoring.doctor import run as doctor
    from briefwright.render.page import template_dirs
    code, text = doctor(args.project, template_dirs(args.project), args.quiet)
    if text:
        print(text)
    return code
