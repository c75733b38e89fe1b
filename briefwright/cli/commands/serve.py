"""`briefwright serve`: build, serve on this machine, rebuild on changes and reload the page."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from briefwright.builder.pipeline import BuildOptions, UsageError
from briefwright.cli.shared import channel, common
from briefwright.core.model import Marking

NEEDS_PROJECT = True


def add_parser(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser("serve", help="build, serve on localhost, rebuild on changes and reload the page")
    common(v)
    v.add_argument("--out", type=Path, default=None, help="output folder (default: site/ in the project)")
    v.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0 picks a free one)")
    v.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="layout workers (default: cores)")
    v.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests for this host name (a tunnel's; repeatable). Whoever reaches NAME reads "
                        "the preview: refused with a channel above CLEAR unless --i-understand is also given")
    v.add_argument("--i-understand", action="store_true",
                   help="with --allow-host: serve a channel above CLEAR through NAME all the same")
    channel(v)


def run(args: argparse.Namespace) -> int:
    from briefwright.serve.server import serve
    root = args.project
    return serve(BuildOptions(root=root, out=args.out or root / "site", jobs=max(1, args.jobs),
                              max_marking=args.max_marking, private=not args.no_private), args.port,
                 _allowed_hosts(args.allow_host, args.max_marking, args.i_understand))


def _allowed_hosts(names: list[str], channel: Marking, understood: bool) -> tuple[str, ...]:
    """serve's --allow-host names, each a bare host name; refused with a channel above CLEAR unless understood."""
    from briefwright.serve.server import split_host
    for name in names:
        parts = split_host(name)
        if parts is None or parts[1] is not None or name.strip().lower() != parts[0]:
            raise UsageError(f"--allow-host takes a host name such as preview.example.org, without scheme, port or "
                             f"path: {name!r}")
    if names and not channel.public and not understood:
        raise UsageError(f"--allow-host {names[0]} would let whoever reaches that name read this {channel.label} "
                         f"preview, off this machine; serve --max-marking CLEAR through a tunnel, or add "
                         f"--i-understand if {channel.label} may go there")
    return tuple(name.strip().lower() for name in names)
