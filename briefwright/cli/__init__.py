"""The command line: `briefwright [build|check] ...`; exit 0 ok, 1 content errors, 2 usage, 3 internal.

Each subcommand is a module of `cli/commands/` (its options and its run function); this module parses the command
line, dispatches by name through COMMANDS and turns every kind of failure into one message and an exit code."""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from briefwright import __version__
from briefwright.builder.pipeline import FileFault, UsageError
from briefwright.builder.workers import WorkerLost
from briefwright.cli.commands import (
    Command,
    build,
    check,
    docs,
    doctor,
    editions,
    explain,
    init,
    links,
    merge,
    new,
    release,
    schema,
    serve,
    translations,
    verify,
)
from briefwright.cli.shared import Parser, print_diagnostics
from briefwright.core.diagnostics import ContentError
from briefwright.core.environment import missing_package
from briefwright.core.registry import RegistryError

# In the order `briefwright --help` lists them.
COMMANDS: dict[str, Command] = {
    "build": build, "merge": merge, "serve": serve, "check": check, "explain": explain, "verify": verify, "new": new,
    "schema": schema, "init": init, "docs": docs, "translations": translations, "release": release, "doctor": doctor,
    "editions": editions, "links": links,
}
WRITING = ("schema", "release", "new")  # an OSError outside a build is a file they could not write


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefwright", description="Build briefing documents from YAML facts.",
                                     allow_abbrev=False)
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument("--version", action="version", version=f"briefwright {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def _run(args: argparse.Namespace) -> int:
    command = COMMANDS[args.command]
    if command.NEEDS_PROJECT and not (args.project / "project.yaml").exists():
        raise UsageError(f"{args.project.resolve()} has no project.yaml; run from a project folder or pass --project")
    return command.run(args)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--version" in argv and ("--verbose" in argv or "-v" in argv or "--fingerprint" in argv):
        return _describe_machine(argv)
    argv = _with_command(argv)
    try:
        parser = _parser()  # lists the formats, so loads the installed packages' entry points
    except RegistryError as exc:
        print(f"briefwright: error: {exc}", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if getattr(args, "renamed_format", None) is not None:
        print("briefwright: error: --format was renamed --diagnostics (how problems are printed); "
              "--formats chooses output formats", file=sys.stderr)
        return 2
    fmt = getattr(args, "diagnostics", "auto")
    args.diagnostics = ("pretty" if sys.stderr.isatty() else "text") if fmt == "auto" else fmt
    return _run_reporting(args)


def _describe_machine(argv: list[str]) -> int:
    """`--version --verbose`: the machine's fingerprint in every cache key; `--fingerprint`: its digest alone."""
    from briefwright.core.machine import describe, fingerprint, fingerprint_digest
    fp = fingerprint(Path(".briefwright-cache") / "fonts.json" if Path("project.yaml").is_file() else None)
    # --fingerprint: the digest alone, for a CI cache key (`briefwright --version --fingerprint`).
    print(fingerprint_digest(fp) if "--fingerprint" in argv else describe(fp))
    return 0


def _with_command(argv: list[str]) -> list[str]:
    """The arguments with the command named: `build` when none is (`briefwright`, `briefwright --debug -j2`)."""
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--debug", "--version")):
        argv.insert(0, "build")
    if argv and argv[0] == "--debug" and (len(argv) == 1 or argv[1] not in COMMANDS):
        argv.insert(1, "build")
    if "--shard" in argv[:-1]:  # so a value such as -1/4 reaches the one-line check, not argparse's usage text
        at = argv.index("--shard")
        argv[at:at + 2] = [f"--shard={argv[at + 1]}"]
    return argv


def _run_reporting(args: argparse.Namespace) -> int:
    """Run the command; each kind of failure is printed as one message (or the located problems) with its exit code,
    never as a traceback unless --debug asks for one."""
    try:
        with _stop_on_signals():
            return _run(args)
    except ContentError as exc:
        print_diagnostics(exc.diagnostics, args.diagnostics)
        if args.diagnostics != "json":
            print(exc.summary(), file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"briefwright: error: {exc}", file=sys.stderr)
        return 2
    except RegistryError as exc:  # an installed package's entry point is broken: name it and why
        print(f"briefwright: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of our output went away (`| head`): nothing is wrong
        sys.stdout = open(os.devnull, "w")  # so the interpreter's final flush cannot fail again
        return 0
    except (FileFault, WorkerLost) as exc:  # the system refused (a disk, memory for a worker), not the content
        print(f"briefwright: {exc}; the previous site is unchanged", file=sys.stderr)
        return 4
    except KeyboardInterrupt as exc:
        print("briefwright: interrupted" + ("" if args.command == "links" else "; the previous site is unchanged"),
              file=sys.stderr)
        return 128 + (exc.signum if isinstance(exc, Stopped) else signal.SIGINT)
    except OSError as exc:  # outside a build: writing a schema, an edition or a new file; reading a site
        operation = "could not write" if args.command in WRITING else "could not read"
        where = f" {exc.filename}" if exc.filename else ""
        print(f"briefwright: {operation}{where}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 4
    except ModuleNotFoundError as exc:  # a package imported only when needed (the PDF or chart engine)
        print(missing_package(exc), file=sys.stderr)
        return 2
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        print(f"briefwright: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in Briefwright, not in your content. Run again with --debug for the traceback.", file=sys.stderr)
        return 3


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (CI cancellation, `timeout`, a closed terminal): handled like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP stop it the way Ctrl-C does; the previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
