"""`briefwright merge`: the folders of `build --shard K/N` put together into one site, the bytes of one build."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefwright.builder.shard import merge
from briefwright.cli.shared import DIAGNOSTICS

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser("merge", help="put the folders of `build --shard K/N` together into one site, the same bytes "
                                     "as one build: checks they belong together, then writes the site pages")
    m.add_argument("shards", nargs="+", type=Path, metavar="SHARD_DIR", help="every shard's folder")
    m.add_argument("--project", type=Path, default=Path("."), help="project folder the shards were built from")
    m.add_argument("--out", type=Path, default=None, help="output folder (default: site/ in the project)")
    m.add_argument("--cache-dir", type=Path, default=None, help="build cache folder (default: .briefwright-cache in the project)")
    m.add_argument("--diagnostics", choices=DIAGNOSTICS, default="auto",
                   help="how content problems are printed")
    m.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for internal errors")


def run(args: argparse.Namespace) -> int:
    out = args.out or args.project / "site"
    result = merge(args.shards, args.project, out, args.cache_dir)
    for line in result.build.warnings + result.build.notes:
        print(line, file=sys.stderr)
    print(f"merged {result.shards} shards ({result.editions} editions, {result.files} files) into {out} for "
          f"{result.channel.label} in {result.seconds:.1f} s", file=sys.stderr)
    return 0
