"""One module per subcommand, as `briefwright.cli` dispatches them. Each has:

- `add_parser(sub)`: its parser and options, added to the top-level parser's subparsers;
- `run(args) -> int`: the command, returning its exit code (problems are raised, and `briefwright.cli.main` prints
  them and chooses the code);
- `NEEDS_PROJECT`: whether it runs on a project folder, whose project.yaml must then exist.
"""
from __future__ import annotations

import argparse
from typing import Protocol


class Command(Protocol):
    NEEDS_PROJECT: bool

    def add_parser(self, sub: argparse._SubParsersAction) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...
