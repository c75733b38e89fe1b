"""`briefwright schema`: the JSON Schemas editors check content with, and the field reference of the guide."""
from __future__ import annotations

import argparse
import sys

from briefwright.authoring.schema import write_reference, write_schemas
from briefwright.cli.shared import common
from briefwright.source.load import private_folders

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("schema", help="write JSON Schemas to schemas/ (and the field reference into docs/authoring.md "
                                      "where the project has one, as this repository does)")
    common(s)


def run(args: argparse.Namespace) -> int:
    root = args.project
    written = write_schemas(root / "schemas")
    # Each private folder gets its own copy, so a file moved there keeps a $schema path that works.
    for folder in [] if args.no_private else private_folders(root):
        written += write_schemas(folder / "schemas")
    if (root / "docs" / "authoring.md").is_file():  # this repository; a desk reads the guide with `briefwright docs`
        written.append(write_reference(root / "docs" / "authoring.md"))
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0
