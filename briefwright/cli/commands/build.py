"""`briefwright build` (the default command): every brief into the site folder, or one share of them (--shard)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from briefwright.builder.pipeline import BuildOptions, BuildReport, UsageError, build
from briefwright.builder.shard import MANIFEST, build_shard, parse_shard
from briefwright.cli.shared import channel, common
from briefwright.formats import default_formats

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("build", help="build every brief into the site folder (the default)")
    common(b)
    b.add_argument("--out", type=Path, default=None, help="output folder (default: site/ in the project)")
    b.add_argument("--only", action="append", default=[], metavar="ID", help="build only this brief (repeatable)")
    b.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="layout workers (default: cores)")
    b.add_argument("--force", action="store_true", help="ignore the build cache")
    b.add_argument("--formats", default=",".join(default_formats()), metavar="LIST",
                   help=f"output formats, comma-separated (default: {','.join(default_formats())}; pptx only for "
                        "briefs with slides); html is always made")
    b.add_argument("--cache-dir", type=Path, default=None, help="build cache folder (default: .briefwright-cache in the project)")
    b.add_argument("--base-url", default=None, help="absolute URL the site is published at, for the feed, sitemap "
                   "and metadata (e.g. https://org.github.io/briefs/)")
    b.add_argument("--shard", default=None, metavar="K/N",
                   help="build share K of N (one job of a CI matrix): the editions a stable hash of brief id and "
                        "language gives to K, and a manifest for `merge` (default --out: shards/K-of-N)")
    channel(b)


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError("-j must be at least 1")
    root = args.project
    shard = parse_shard(args.shard) if args.shard is not None else None
    out = args.out or (root / "shards" / f"{shard[0]}-of-{shard[1]}" if shard else root / "site")
    show = sys.stderr.isatty() and os.environ.get("CI") != "true"
    opts = BuildOptions(progress=_progress_line if show else None, root=root, out=out, only=args.only,
                        jobs=args.jobs, force=args.force,
                        strict=args.strict, max_marking=args.max_marking, private=not args.no_private,
                        formats=[f.strip() for f in args.formats.split(",") if f.strip()],
                        cache_dir=args.cache_dir, base_url=_base_url(args.base_url), early_workers=True)
    if shard is not None:
        report, part = build_shard(opts, *shard)
        print(f"shard {shard[0]}/{shard[1]}: {len(part.editions)} of {part.everything} editions; its manifest is "
              f"{out / MANIFEST}", file=sys.stderr)
    else:
        report = build(opts)
    if show:
        print("\r\033[K", end="", file=sys.stderr)
    _print_report(report, out, args)
    return 0


def _print_report(report: BuildReport, out: Path, args: argparse.Namespace) -> None:
    """Warnings and notes, what the folder holds that must not be published, what was left out, and one line of counts."""
    for w in report.warnings:
        print(w, file=sys.stderr)
    for note in report.notes:
        print(note, file=sys.stderr)
    if report.restricted:
        listed = ", ".join(f"{i} ({label})" for i, label in report.restricted)
        print(f"warning: {out} includes restricted briefs: {listed}; do not publish this folder", file=sys.stderr)
    for brief_id, label in report.left_out:
        print(f"left out: {brief_id} ({label}) is above this channel ({args.max_marking.label}); "
              f"pass --max-marking {label.removeprefix('TLP:')} to build it for a channel that may carry it", file=sys.stderr)
    pages = sum(report.pages.values())
    names = f" ({', '.join(sorted(report.built))})" if 0 < len(report.built) <= 10 else ""
    kept = f", kept {len(report.kept)} as they were" if args.only else ""
    print(f"built {len(report.built)}{names}, reused {len(report.reused)} briefs{kept} ({pages} pages) into {out} "
          f"in {report.seconds:.1f} s", file=sys.stderr)


def _progress_line(stage: str, done: int, total: int) -> None:
    """One line rewritten in place on a terminal; never printed in CI or into a pipe."""
    print(f"\r\033[K{stage}: {done}/{total}", end="", file=sys.stderr, flush=True)


def _base_url(value: str | None) -> str | None:
    if not value:
        return None
    if not value.startswith(("https://", "http://")):
        raise UsageError(f"--base-url must start with https:// or http://, not {value!r}")
    return value if value.endswith("/") else value + "/"
