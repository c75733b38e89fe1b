"""The command line: `briefwright [build|check] ...`; exit 0 ok, 1 content errors, 2 usage, 3 internal."""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from briefwright import __version__
from briefwright.authoring.explain import KINDS as EXPLAINED
from briefwright.authoring.explain import ExplainError, explain
from briefwright.authoring.scaffold import SCAFFOLD_KINDS, ScaffoldError, Scaffolds
from briefwright.authoring.schema import write_reference, write_schemas
from briefwright.authoring.starter import InitError, init_project
from briefwright.builder.pipeline import BuildOptions, FileFault, UsageError, build, check, check_word_pages, edition_files, today
from briefwright.builder.shard import MANIFEST, build_shard, merge, parse_shard
from briefwright.builder.workers import WorkerLost
from briefwright.check.editions import edition_path, editions_folder, release
from briefwright.check.markings import markings_of
from briefwright.check.reproduce import NotReproducible, source_commit
from briefwright.check.validate import release_archives
from briefwright.core.diagnostics import ContentError, Diagnostic, format_github, format_pretty, nearest, to_json
from briefwright.core.environment import missing_package
from briefwright.core.model import ID_PATTERN, Marking
from briefwright.core.registry import RegistryError
from briefwright.core.resources import DOCS, EXAMPLES
from briefwright.formats import default_formats
from briefwright.site.verify import verify
from briefwright.source.load import private_folders

COMMANDS = ("build", "check", "explain", "release", "new", "schema", "serve", "verify", "init", "translations", "docs",
            "doctor", "editions", "links", "merge")


class _Parser(argparse.ArgumentParser):
    """Sub-command parsers that take no abbreviations: --format must not silently mean --formats."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefwright", description="Build briefing documents from YAML facts.",
                                     allow_abbrev=False)
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument("--version", action="version", version=f"briefwright {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def common(p):
        p.add_argument("--project", type=Path, default=Path("."), help="project folder (holds project.yaml)")
        p.add_argument("--strict", action="store_true", help="treat warnings (stale facts) as errors")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for internal errors")
        p.add_argument("--diagnostics", choices=("auto", "text", "pretty", "json"), default="auto",
                       help="how problems are printed: text (path:line:col), pretty (with the line and a caret; "
                            "the default on a terminal) or json (on standard output)")
        p.add_argument("--format", dest="renamed_format", default=None, help=argparse.SUPPRESS)
        p.add_argument("--no-private", action="store_true",
                       help="leave out the private folders project.yaml names (see the project as a public CI does)")

    def channel(p):
        p.add_argument("--max-marking", type=_marking, default=Marking.CLEAR, metavar="LABEL",
                       help="the distribution channel, as the highest TLP marking it may carry: "
                            "CLEAR (the default: a public site), GREEN, AMBER, AMBER+STRICT or RED")
        p.add_argument("--include-restricted", action="store_const", dest="max_marking", const=Marking.RED,
                       help="the same as --max-marking RED: every brief, for local reading only")

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
    m = sub.add_parser("merge", help="put the folders of `build --shard K/N` together into one site, the same bytes "
                                     "as one build: checks they belong together, then writes the site pages")
    m.add_argument("shards", nargs="+", type=Path, metavar="SHARD_DIR", help="every shard's folder")
    m.add_argument("--project", type=Path, default=Path("."), help="project folder the shards were built from")
    m.add_argument("--out", type=Path, default=None, help="output folder (default: site/ in the project)")
    m.add_argument("--cache-dir", type=Path, default=None, help="build cache folder (default: .briefwright-cache in the project)")
    m.add_argument("--diagnostics", choices=("auto", "text", "pretty", "json"), default="auto",
                   help="how content problems are printed")
    m.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for internal errors")
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
    c = sub.add_parser("check", help="validate content only (page limits need --layout, or build)")
    common(c)
    c.add_argument("--layout", action="store_true", help="also lay out every brief (in a temporary folder) and check "
                   "its page limit, as the build will; with LibreOffice installed, its Word edition too")
    c.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="layout workers for --layout")
    e = sub.add_parser("explain", help="show a fact, source, caveat, judgment, unknown or entity, where it comes from and "
                       "everything that uses it")
    common(e)
    e.add_argument("record", help="its id, or KIND:ID when two kinds share the id")
    e.add_argument("--max-marking", type=_marking, default=Marking.CLEAR, metavar="LABEL",
                   help="show only records this channel may carry (default CLEAR; RED shows everything)")
    w = sub.add_parser("verify", help="leak check: exit 1 if a built folder holds anything above its channel")
    common(w)
    w.add_argument("site", type=Path, help="the built site folder to read")
    w.add_argument("--max-marking", type=_marking, default=Marking.CLEAR, metavar="LABEL",
                   help="the channel the folder is for (default CLEAR: a public site)")
    n = sub.add_parser("new", help="start a new record or brief from a commented file that passes check")
    common(n)
    n.add_argument("what", choices=SCAFFOLD_KINDS)
    n.add_argument("id", help="id of the new record or brief")
    n.add_argument("--audience", default=None, help="audience of a new brief")
    s = sub.add_parser("schema", help="write JSON Schemas to schemas/ (and the field reference into docs/authoring.md "
                                      "where the project has one, as this repository does)")
    common(s)
    i = sub.add_parser("init", help="start a new project in DIR: settings, one record of each kind, one brief, "
                                    "the Pages workflow, a README")
    i.add_argument("dir", type=Path, help="the new project's folder (created if missing)")
    i.add_argument("--force", action="store_true", help="add the starter files to a folder that is not empty "
                   "(existing files are never overwritten)")
    i.add_argument("--example", choices=sorted(EXAMPLES), default=None,
                   help="start from a full example topic instead of the one-of-each starter")
    i.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    d = sub.add_parser("docs", help="print where the guides (authoring, theming, architecture) are; --open shows "
                                    "them in a web browser")
    d.add_argument("--open", action="store_true", help="write the guides as HTML pages into a temporary folder and "
                   "open them in the default web browser (the BROWSER variable chooses another)")
    d.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    t = sub.add_parser("translations", help="what each language still needs (stale and missing translations), with "
                       "a percentage; --write-starter adds the missing entries to translations/<lang>.yaml")
    common(t)
    t.add_argument("--lang", default=None, help="only this language, e.g. zh-Hans")
    t.add_argument("--write-starter", action="store_true", help="append an entry (english, from, empty text) for each "
                   "missing field to translations/<lang>.yaml; existing entries and comments are kept")
    r = sub.add_parser("release", help="record a brief as its current edition (in editions/): what it shows, and its "
                                       "PDF and Word files as published, with their hashes")
    common(r)
    r.add_argument("brief", help="brief id")
    r.add_argument("--formats", default="html,pdf,docx", metavar="LIST",
                   help="output formats as the build makes them (default: html,pdf,docx); each downloadable one "
                        "(PDF, Word) is archived")
    d = sub.add_parser("doctor", help="can this machine build the project: system libraries, fonts per script, the "
                                      "tools the tests use, the cache, git; each problem with its install command")
    d.add_argument("--project", type=Path, default=Path("."), help="project folder (holds project.yaml)")
    d.add_argument("--quiet", action="store_true", help="print only problems")
    d.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    ed = sub.add_parser("editions", help="published editions: `audit` rebuilds them from their commits and shows any "
                                         "drift (exit 1 on drift only with --strict); `restore` rebuilds missing "
                                         "files, kept only if their sha256 matches")
    common(ed)
    ed.add_argument("action", choices=("audit", "restore"))
    ed.add_argument("brief", nargs="*", help="brief ids (default: every brief)")
    ed.add_argument("--out", type=Path, default=None, help="audit: folder for page images and rebuilt files "
                    "(default: .briefwright-cache/audit)")
    links = sub.add_parser("links", help="the one command that uses the network: `check` whether every source's "
                           "address still answers, `archive` asks an archive for a copy of each cited address "
                           "without one and writes it into the source's YAML")
    actions = links.add_subparsers(dest="links_action", parser_class=_Parser, required=True, metavar="{check,archive}")

    def link_options(p):
        p.add_argument("--project", type=Path, default=Path("."), help="project folder (holds project.yaml)")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for internal errors")
        p.add_argument("--diagnostics", choices=("auto", "text", "pretty", "json"), default="auto",
                       help="how problems are printed (as for check)")
        p.add_argument("--no-private", action="store_true", help="leave out the private folders project.yaml names")
        p.add_argument("--cache-dir", type=Path, default=None, help="cache folder (default: .briefwright-cache in the "
                       "project); results and archive jobs are kept in its links/ folder")
        p.add_argument("ids", nargs="*", metavar="SOURCE", help="only these sources (default: all)")
    lc = actions.add_parser("check", help="check every source's url and archived_url: live, redirected, dead or "
                            "unreachable, one located line per problem")
    link_options(lc)
    lc.add_argument("--offline", action="store_true", help="report from the cache alone; no connection is made")
    lc.add_argument("--json", type=Path, default=None, metavar="FILE", help="write every result as JSON to FILE")
    lc.add_argument("--strict", action="store_true", help="exit 1 when a source is dead and has no archived copy")
    lc.add_argument("--mark-dead", action="store_true", help="write url_status: dead into the YAML of each source "
                    "found dead, so its notes lead with its archived copy")
    la = actions.add_parser("archive", help="ask a Save Page Now 2 archive for a copy of each cited address without "
                            "one, and write archived_url and archived into its YAML (stops and resumes)")
    link_options(la)
    la.add_argument("--endpoint", default=None, metavar="URL", help="the archive (default: links archive_endpoint in "
                    "project.yaml, else BRIEFWRIGHT_ARCHIVE_ENDPOINT, else https://web.archive.org)")
    la.add_argument("--per-minute", type=int, default=None, metavar="N", help="captures asked for per minute "
                    "(default 12 with BRIEFWRIGHT_ARCHIVE_KEY set, 4 without)")
    la.add_argument("--max-marking", type=_marking, default=Marking.CLEAR, metavar="LABEL",
                    help="also archive sources up to this marking (default CLEAR: a capture makes an address public)")
    return parser


def _links(args: argparse.Namespace) -> int:
    from briefwright.links.command import LinkUsageError, run_archive, run_check
    project = check(args.project, False, not args.no_private).project  # content problems stop it; notes are check's
    try:
        if args.links_action == "check":
            return run_check(project, args.ids, args.offline, args.strict, args.json, args.mark_dead, args.cache_dir,
                             lambda found: _print_diagnostics(found, args.diagnostics))
        return run_archive(project, args.ids, args.endpoint, args.per_minute, args.max_marking, args.cache_dir)
    except LinkUsageError as exc:
        raise UsageError(str(exc)) from None


def _editions(args: argparse.Namespace) -> int:
    from briefwright.check.editions import MISSING_FILES_EXPECTED, restore
    from briefwright.editions import audit
    token = MISSING_FILES_EXPECTED.set(True)
    try:
        project = check(args.project, args.strict, not args.no_private).project
    finally:
        MISSING_FILES_EXPECTED.reset(token)
    unknown = [b for b in args.brief if b not in project.briefs]
    if unknown:
        raise UsageError(f"no brief '{unknown[0]}'" + _suggest(unknown[0], list(project.briefs)))
    if args.action == "restore":
        lines = restore(project, args.brief)
        print("\n".join(lines) if lines else "every published file is here", file=sys.stderr)
        return 0
    out = args.out or audit.default_out(project)
    results = audit.audit(project, args.brief, out)
    print(audit.report(results))
    drift = any(not r.identical for r in results)
    return 1 if drift and args.strict else 0


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


def _print_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(to_json(diagnostics), indent=2))
    for d in diagnostics:
        if fmt == "pretty":
            print(format_pretty(d), file=sys.stderr)
        elif fmt == "text":
            print(str(d), file=sys.stderr)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(format_github(d), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--version" in argv and ("--verbose" in argv or "-v" in argv or "--fingerprint" in argv):
        from briefwright.core.machine import describe, fingerprint, fingerprint_digest
        fp = fingerprint(Path(".briefwright-cache") / "fonts.json" if Path("project.yaml").is_file() else None)
        # --fingerprint: the digest alone, for a CI cache key (`briefwright --version --fingerprint`).
        print(fingerprint_digest(fp) if "--fingerprint" in argv else describe(fp))
        return 0
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--debug", "--version")):
        argv.insert(0, "build")
    if argv and argv[0] == "--debug" and (len(argv) == 1 or argv[1] not in COMMANDS):
        argv.insert(1, "build")
    if "--shard" in argv[:-1]:  # so a value such as -1/4 reaches the one-line check, not argparse's usage text
        at = argv.index("--shard")
        argv[at:at + 2] = [f"--shard={argv[at + 1]}"]
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
    fmt = ("pretty" if sys.stderr.isatty() else "text") if fmt == "auto" else fmt
    args.diagnostics = fmt
    try:
        with _stop_on_signals():
            return _run(args)
    except ContentError as exc:
        _print_diagnostics(exc.diagnostics, fmt)
        if fmt != "json":
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
        operation = "could not write" if args.command in ("schema", "release", "new") else "could not read"
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


def _progress_line(stage: str, done: int, total: int) -> None:
    """One line rewritten in place on a terminal; never printed in CI or into a pipe."""
    print(f"\r\033[K{stage}: {done}/{total}", end="", file=sys.stderr, flush=True)


def _base_url(value: str | None) -> str | None:
    if not value:
        return None
    if not value.startswith(("https://", "http://")):
        raise UsageError(f"--base-url must start with https:// or http://, not {value!r}")
    return value if value.endswith("/") else value + "/"


def _marking(value: str) -> Marking:
    label = value.upper().removeprefix("TLP:")
    try:
        return Marking(label)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a TLP 2.0 label; use one of {', '.join(m.value for m in Marking)}") from None


def _suggest(word: str, table: Iterable[str]) -> str:
    close = nearest(word, table)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def _check_layout(args: argparse.Namespace) -> int:
    """`check --layout`: every brief laid out in a temporary folder (every channel: nothing is published), so a
    page budget fails here, before the build; an overflowing PDF is kept where the message says. Where LibreOffice
    is installed, each Word edition is laid out by it too and held to the same page limit."""
    with tempfile.TemporaryDirectory(prefix="briefwright-layout-") as scratch:
        opts = BuildOptions(root=args.project, out=Path(scratch) / "site", jobs=max(1, args.jobs), strict=args.strict,
                            max_marking=Marking.RED, private=not args.no_private, early_workers=True)
        checked = check(args.project, args.strict, not args.no_private)
        report = build(opts, checked)
        word, note = check_word_pages(checked.project, opts.out, report, Path(scratch) / "word")
    for line in report.warnings + report.notes + ([note] if note else []):
        print(line, file=sys.stderr)

    def pages(n: int) -> str:
        return f"{n} page{'s' if n != 1 else ''}"
    laid_out = ", ".join(f"{b} {pages(n)}" + (f" (Word {word[b]})" if b in word else "")
                         for b, n in sorted(report.pages.items()))
    print(f"ok: {len(report.pages)} briefs laid out within their page limits ({laid_out})", file=sys.stderr)
    return 0


def _merge(args: argparse.Namespace) -> int:
    out = args.out or args.project / "site"
    result = merge(args.shards, args.project, out, args.cache_dir)
    for line in result.build.warnings + result.build.notes:
        print(line, file=sys.stderr)
    print(f"merged {result.shards} shards ({result.editions} editions, {result.files} files) into {out} for "
          f"{result.channel.label} in {result.seconds:.1f} s", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "init":
        try:
            written = init_project(args.dir, today(), args.force, args.example)
        except InitError as exc:
            raise UsageError(str(exc)) from None
        from briefwright.authoring.starter import first_commit
        print(f"wrote {len(written)} files into {args.dir}; {first_commit(args.dir)}; next: cd {args.dir} && "
              f"briefwright build (then open site/index.html)\nthe guides: {DOCS / 'authoring.md'} (`briefwright docs` "
              "lists them all)", file=sys.stderr)
        return 0
    if args.command == "docs":
        from briefwright.authoring.manual import listing, open_in_browser
        print(listing())
        if args.open:
            index, opened = open_in_browser()
            print(f"opened {index}" if opened else f"no web browser found; open {index} in one", file=sys.stderr)
        return 0
    root = args.project
    if args.command == "doctor":
        from briefwright.authoring.doctor import run as doctor
        from briefwright.render.page import template_dirs
        code, text = doctor(root, template_dirs(root), args.quiet)
        if text:
            print(text)
        return code
    if not (root / "project.yaml").exists():
        raise UsageError(f"{root.resolve()} has no project.yaml; run from a project folder or pass --project")
    if args.command == "check" and args.layout:
        return _check_layout(args)
    if args.command == "merge":
        return _merge(args)
    if args.command == "editions":
        return _editions(args)
    if args.command == "links":
        return _links(args)
    if args.command == "check":
        checked = check(root, args.strict, not args.no_private)
        project = checked.project
        # Warnings first: notes (advice, such as an address to archive) never hide one below them.
        _print_diagnostics(sorted(checked.diagnostics.diagnostics, key=lambda d: d.severity == "note"), args.diagnostics)
        for note in project.notes:
            print(note, file=sys.stderr)
        print(f"ok: {len(project.briefs)} briefs, {len(project.facts)} facts, {len(project.sources)} sources checked",
              file=sys.stderr)
        return 0
    if args.command == "explain":
        project = check(root, args.strict, not args.no_private).project
        markings = markings_of(project)
        try:
            print(explain(project, args.record, markings, args.max_marking))
        except ExplainError as exc:
            kind, _, _ = args.record.rpartition(":")
            visible = [rid for k in ([kind] if kind in EXPLAINED else EXPLAINED) for rid in project.table(k)
                       if markings.allowed(k, rid, args.max_marking)]  # never name what the channel hides
            raise UsageError(str(exc) + (_suggest(exc.missing, visible) if exc.missing else "")) from None
        return 0
    if args.command == "verify":
        project = check(root, args.strict, not args.no_private).project
        if not args.site.is_dir():
            raise UsageError(f"{args.site} is not a folder; give the built site folder")
        leaks, count = verify(args.site, project, args.max_marking)
        for leak in leaks:
            print(f"{args.site / leak.file}: error: {leak}", file=sys.stderr)
        if leaks:
            print(f"verify: {len(leaks)} leak{'s' if len(leaks) != 1 else ''} of material above "
                  f"{args.max_marking.label} in {args.site}; do not publish it", file=sys.stderr)
            return 1
        print(f"verify: {count} files in {args.site} hold nothing above {args.max_marking.label}", file=sys.stderr)
        return 0
    if args.command == "new":
        if not ID_PATTERN.match(args.id):
            raise UsageError(f"'{args.id}' is not a valid id (lower-case letters, digits and hyphens)")
        project = check(root, args.strict, not args.no_private).project
        options = f" --project {args.project}" if args.project != Path(".") else ""
        scaffolds = Scaffolds(project, today(), options)
        try:
            path = scaffolds.write(args.what, args.id, args.audience)
        except ScaffoldError as exc:
            raise UsageError(str(exc)) from None
        print(f"wrote {path}; edit it, then run {scaffolds.command('check')}", file=sys.stderr)
        return 0
    if args.command == "schema":
        written = write_schemas(root / "schemas")
        # Each private folder gets its own copy, so a file moved there keeps a $schema path that works.
        for folder in [] if args.no_private else private_folders(root):
            written += write_schemas(folder / "schemas")
        if (root / "docs" / "authoring.md").is_file():  # this repository; a desk reads the guide with `briefwright docs`
            written.append(write_reference(root / "docs" / "authoring.md"))
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
        return 0
    if args.command == "translations":
        from briefwright.resolve.translations import needs_report
        checked = check(root, args.strict, not args.no_private)  # its warnings are `check`'s to print
        try:
            print(needs_report(checked.project, checked.translations, args.lang, args.write_starter, checked.previous),
                  end="")
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return 0
    if args.command == "release":
        checked = check(root, args.strict, not args.no_private)
        project = checked.project
        if args.brief not in project.briefs:
            raise UsageError(f"no brief with id '{args.brief}'" + _suggest(args.brief, project.briefs))
        formats = [f.strip() for f in args.formats.split(",") if f.strip()]
        existing = edition_path(editions_folder(project, project.briefs[args.brief]), project.briefs[args.brief].edition)
        if existing.exists():  # before laying the brief out: the answer does not depend on it
            raise UsageError(f"edition {project.briefs[args.brief].edition} of '{args.brief}' is already recorded in "
                             f"{existing}; raise 'edition' in briefs/{args.brief}.yaml first")
        brief = project.briefs[args.brief]
        unarchived = release_archives(project, args.brief)
        if unarchived:
            raise ContentError(unarchived)
        if brief.edition >= 2 and brief.changes_note is None:
            loc = brief.at("edition")
            raise UsageError(f"{loc.display_path()}:{loc.line}: edition {brief.edition} of '{args.brief}' has no "
                             "changes_note; add one (a sentence or two on what this edition changes and why: readers "
                             "of the earlier edition see it first), commit, then release")
        if args.brief in checked.currency:  # a warning for `check`; a released edition must not hide its currency
            raise ContentError([dataclasses.replace(checked.currency[args.brief], severity="error")])
        try:
            commit = source_commit(existing.parent.parent.parent)
        except NotReproducible as exc:
            raise UsageError(f"cannot release '{args.brief}': {exc}") from None
        files = edition_files(BuildOptions(root=root, out=root / "site", formats=formats, private=not args.no_private),
                              checked, args.brief)
        try:
            path = release(project, args.brief, files, commit)
        except FileExistsError as exc:
            raise UsageError(str(exc)) from None
        names = ", ".join(path.with_suffix(suffix).name for suffix in files)
        print(f"recorded edition {project.briefs[args.brief].edition} of {args.brief} in {path}"
              + (f" with {names}" if names else "") + f"; commit them (git add {path.parent} && git commit): they are "
              "the record of what readers got", file=sys.stderr)
        return 0
    if args.command == "serve":
        from briefwright.serve.server import serve
        return serve(BuildOptions(root=root, out=args.out or root / "site", jobs=max(1, args.jobs),
                                  max_marking=args.max_marking, private=not args.no_private), args.port,
                     _allowed_hosts(args.allow_host, args.max_marking, args.i_understand))
    if args.jobs < 1:
        raise UsageError("-j must be at least 1")
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
    return 0
