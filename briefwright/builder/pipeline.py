"""The build, top to bottom: load -> validate -> resolve -> render -> publish.

Every stage gathers all of its problems before the build stops, so one run shows them all.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from briefwright.builder.workers import BuildWorkers, WarmPool, can_run, pid_alive
from briefwright.check.channel import ChannelView
from briefwright.check.currency import check_currency
from briefwright.check.editions import check_released, editions_folder, previous_editions, recorded_editions
from briefwright.check.theme import check_house_style, check_theme, house_tokens, logo_asset, write_tokens
from briefwright.check.validate import check_template_numbers, validate
from briefwright.core import i18n
from briefwright.core.cache import Cache, digest, max_bytes, pack, tree_digest, unpack
from briefwright.core.chart_kinds import chart_identity
from briefwright.core.diagnostics import Collector, Diagnostic, Loc
from briefwright.core.machine import fingerprint, fingerprint_digest, missing_font, missing_script_font, scripts_in, scripts_of
from briefwright.core.model import Brief, Marking
from briefwright.core.swap import exchange
from briefwright.formats import FORMATS, Job, Output, OutputFormat, cache_identity, default_formats, run_job
from briefwright.formats.docx import REFERENCE as WORD_REFERENCE
from briefwright.render.page import (
    PRINT_MARKS,
    TemplateError,
    channel_notice,
    check_rendered,
    judgment_numbering,
    list_templates,
    make_env,
    print_html,
    render_html,
    template_dirs,
)
from briefwright.resolve.languages import edition_key, file_stem, languages_of
from briefwright.resolve.resolved import ResolvedBrief, thaw
from briefwright.resolve.resolver import Download, resolve
from briefwright.resolve.translations import check_translations, mark_pending, resolve_translations
from briefwright.source.load import load_project
from briefwright.source.parse_cache import ParseCache
from briefwright.source.project import Project

SITE_MARKER = ".briefwright-site"
CACHE_FOLDER = ".briefwright-cache"
# What the site holds, so a partial build (--only) can keep the briefs it does not rebuild: the channel, and
# for each brief the fields the site pages show, its outputs, and a digest of what it was built from.
SITE_RECORD = ".briefwright-site.json"
PROTECTED = ("content", "briefs", "templates")
# Resolved fields the site pages do not need: left out of the site record (they are the brief's whole body).
_BODY_FIELDS = {"sections", "caveats_section", "unknowns_section", "quantities", "notes", "required", "changes",
                "jsonld_html", "likelihood_scale"}


class UsageError(Exception):
    pass


class BuildPart(Protocol):
    """One machine's part of a build spread over several (shard.py): a shard makes a share of the editions and
    leaves a manifest instead of the site pages; a merge takes every edition from the shards and writes the site
    pages. The build calls these at the named steps and passes itself, so the shares stay what one build makes."""

    lays_out: bool  # False: the editions' folders come from elsewhere (`assemble`), nothing is rendered here
    writes_site: bool  # False: `finish` writes what this part leaves in place of the site pages and record

    def translating(self, build: Any) -> list[ResolvedBrief]:
        """Of `build.published`, the briefs whose translated editions this run resolves (each is a copy of the
        project in that language, the costliest part of resolving): a shard's, only where one is in its share."""

    def choose(self, build: Any) -> None:
        """Once the editions are resolved: a shard narrows `build.editions` and `build.published` to its share."""

    def assemble(self, build: Any) -> None:
        """In place of rendering and layout: put each edition's folder under `build.tmp` and its `build.outputs`."""

    def finish(self, build: Any) -> None:
        """In place of the site pages and record (writes_site False)."""


class FileFault(Exception):
    """The file system refused an operation (disk full, read-only, permission denied): not a bug and not
    the content. Raised only before the swap, so the previous site is unchanged."""

    def __init__(self, operation: str, exc: OSError):
        self.operation, self.path = operation, exc.filename
        self.reason = exc.strerror or type(exc).__name__
        where = f" {exc.filename}" if exc.filename else ""
        super().__init__(f"{operation}{where}: {self.reason}")


@dataclass
class BuildOptions:
    root: Path
    out: Path
    only: list[str] = field(default_factory=list)
    jobs: int = 1
    force: bool = False
    strict: bool = False
    max_marking: Marking = Marking.CLEAR  # the distribution channel: the highest marking the site may carry
    formats: list[str] = field(default_factory=default_formats)
    private: bool = True  # read the private folders the project names (when they exist)
    cache_dir: Path | None = None
    base_url: str | None = None
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total)
    # Warm layout workers the caller keeps between builds (serve): used instead of a pool of the build's own,
    # and left open. None: -j1 lays out inline, -jN forks a pool for this build.
    workers: WarmPool | None = None
    # Start a cold build's workers at once, from the fork server (the command line does). Off for other callers:
    # a fork server's workers run the caller's main module again, as spawned processes do, so a script that
    # calls build() without an `if __name__ == "__main__":` guard would start over in each of them.
    early_workers: bool = False
    part: BuildPart | None = None  # a shard or a merge (shard.py); None: the whole build here


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)  # editions whose page was rendered anew (not from the cache)
    site_pages: bool = False  # the site's own pages (index, facts, sources...) were rendered anew
    reused: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    restricted: list[tuple[str, str]] = field(default_factory=list)  # included only because it was asked for
    kept: list[str] = field(default_factory=list)  # a partial build: briefs kept as the previous site had them
    pages: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # not problems: e.g. a private folder that is absent here
    seconds: float = 0.0


def today() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch else dt.date.today()


@dataclass
class Checked:
    """A project that passed every check, the warnings it gave, and its briefs' recorded previous editions."""

    project: Project
    diagnostics: Collector
    previous: dict[str, dict]
    recorded: dict[str, list[dict]] = field(default_factory=dict)  # every recorded edition, by brief id
    translations: dict = field(default_factory=dict)  # language -> translations.LanguageFile
    # Briefs dated too far past their evidence, with nothing said of it: a warning in `check`; `release` refuses them
    currency: dict[str, Diagnostic] = field(default_factory=dict)


def check(root: Path, strict: bool = False, private: bool = True, cache: ParseCache | None = None) -> Checked:
    """Load and validate; raises ContentError with every problem found. `private=False` leaves out the
    private folders the project names, as a public CI without them would. Files are parsed through `cache`
    (default: the parse cache in the project's .briefwright-cache, on disk only)."""
    if cache is None:
        cache = ParseCache(root.resolve() / CACHE_FOLDER / "parse")
    with _collector_paused():
        return _check(root, strict, private, cache)


# Objects made while the collector was paused beyond which they are frozen rather than handed back to it.
FREEZE_AFTER = 200_000


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector paused while the records are made: they hold no cycles, and its repeated
    passes over every object made so far cost more than the parse itself and grow faster than the content
    (profiled: check on 10,000 facts takes 4.1 s with it running, 2.1 s paused). Refcounting still frees what
    is dropped. After a large load the objects made are frozen (gc.freeze), so the collector's first pass
    does not walk them all once more (0.16 s at 10,000 facts); a long-lived process (serve) hands them back
    with `collect_idle` while it waits."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > FREEZE_AFTER:
            gc.freeze()
        if was:
            gc.enable()


def collect_idle() -> None:
    """Unfreeze and collect what earlier checks froze: for a warm process, in a moment nobody waits on."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


def _check(root: Path, strict: bool, private: bool, cache: ParseCache) -> Checked:
    diagnostics = Collector()
    project = load_project(root, diagnostics, private, cache)
    previous: dict[str, dict] = {}
    recorded: dict[str, list[dict]] = {}
    translations: dict = {}
    currency: dict[str, Diagnostic] = {}
    if project is not None:
        dirs = template_dirs(project.root)
        validate(project, diagnostics, list_templates(dirs), today=today())
        check_template_numbers(dirs, diagnostics)
        check_theme(dirs, diagnostics)  # templates that extend themselves, the project's tokens.css
        check_house_style(project.root, project.settings, dirs, diagnostics)  # logo, colours, fonts, contrast
        for fmt in FORMATS.values():
            fmt.check_project(project, diagnostics, cache)  # files the formats read, e.g. the Word reference document
        recorded = recorded_editions(project, diagnostics)  # each record's archived files checked against its hash
        previous = previous_editions(project, diagnostics, recorded)
        check_released(project, recorded, diagnostics)  # a released edition still prints what it printed
        for brief in project.sorted_briefs():
            if brief.id in previous and brief.changes_note is None:
                diagnostics.warning(brief.at("edition"), f"brief '{brief.id}': edition {brief.edition} has no "
                                    "changes_note, so its PDF and Word files say only how many judgments, facts and "
                                    "caveats changed (the web page lists them); add a sentence or two on what changed "
                                    "and why (release asks for one)")
        if not diagnostics.errors:  # currency and translations are checked on the briefs as resolved
            english = resolve(project, recorded=recorded, previous=previous)
            currency = check_currency(project, english, diagnostics)
            translations = check_translations(project, diagnostics, english)
        check_script_fonts(project, diagnostics)
    if strict:
        for d in diagnostics.diagnostics:
            if d.severity == "warning":
                d.severity = "error"
    if diagnostics.errors:  # notes are advice for content that passes; beside errors they only bury them
        diagnostics.diagnostics = [d for d in diagnostics.diagnostics if d.severity != "note"]
    diagnostics.raise_if_errors()
    assert project is not None  # a project that failed to load has left an error
    return Checked(project, diagnostics, previous, recorded, translations, currency)


def check_script_fonts(project: Project, out: Collector) -> None:
    """A brief in a language whose script this machine has no font for: `build` will stop before laying it out
    (here a warning, so content can still be checked; an error under --strict)."""
    missing: dict[str, str | None] = {}
    for brief in project.sorted_briefs():
        for index, lang in enumerate(languages_of(brief, project)):
            if index == 0:
                continue
            if lang not in missing:
                missing[lang] = missing_script_font(lang)
            if missing[lang]:
                out.warning(brief.at("languages", index),
                            f"brief '{brief.id}': its {lang} edition cannot be printed on this machine: {missing[lang]}")


def parse_cache(opts: BuildOptions, memory: bool = False) -> ParseCache:
    """The parse cache a build uses: in its cache folder; not read with --force."""
    return ParseCache((opts.cache_dir or opts.root.resolve() / CACHE_FOLDER) / "parse", memory, read=not opts.force)


def output_formats(names: list[str]) -> list[OutputFormat]:
    """The formats to make, the brief's page first; unknown names are a usage error."""
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise UsageError(f"unknown output format {', '.join(repr(n) for n in unknown)}; "
                         f"registered formats: {', '.join(sorted(FORMATS))}")
    if "html" not in names:
        raise UsageError("the html format cannot be left out: it is each brief's page and the source of the others")
    return [FORMATS["html"]] + [FORMATS[n] for n in dict.fromkeys(names) if n != "html"]


def _guard_output(root: Path, out: Path) -> None:
    root, out = root.resolve(), out.resolve()
    if out == root or root.is_relative_to(out):
        raise UsageError(f"output folder {out} would contain the project; choose another --out")
    for name in PROTECTED:
        if out.is_relative_to(root / name):
            raise UsageError(f"output folder {out} is inside {name}/; the build never writes there")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / SITE_MARKER).exists())):
        raise UsageError(f"refusing to replace {out}: it exists and is not a site Briefwright built")


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace `out` by the finished `tmp` folder; until this point `out` is untouched, and if the
    second rename fails the first is undone, so `out` is never left missing. Where the system can exchange
    two folders in one step, a server reading `out` meanwhile never finds a file missing either."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists() and exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # now the previous site
        return
    if out.exists():
        out.rename(old)
    try:
        tmp.rename(out)
    except OSError:
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _clean_stale(out: Path) -> None:
    """Remove what a killed build left beside the output; restore the site if it died mid-swap."""
    for leftover in sorted(out.parent.glob(f".{out.name}.*-*")):
        kind, _, pid = leftover.name.rpartition("-")
        if not pid.isdigit() or pid_alive(int(pid)):
            continue
        if kind.endswith(".old") and not out.exists():
            leftover.rename(out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def crossing_section(pdf: Path, limit: int) -> str:
    """'; section 'X' runs from page 3 onto page 5' from a PDF's top-level bookmarks (one per section)."""
    from pypdf import PdfReader
    try:
        reader = PdfReader(pdf)
        outline: list = list(reader.outline)
        while len(outline) == 2 and isinstance(outline[1], list) and not isinstance(outline[0], list):
            outline = outline[1]  # the document title, with the sections under it
        starts = [(item.title, (reader.get_destination_page_number(item) or 0) + 1) for item in outline
                  if not isinstance(item, list)]
    except Exception:  # noqa: BLE001  an unreadable outline costs the detail, never the error itself
        return ""
    before = [(title, page) for title, page in starts if page <= limit]
    after = [title for title, page in starts if page > limit]
    if not before:
        return ""
    title, page = before[-1]
    text = f"; section '{title}' runs from page {page} onto page {limit + 1}"
    if after:
        text += f", and {', '.join(repr(t) for t in after)} start{'s' if len(after) == 1 else ''} after page {limit}"
    return text


ROOM_NAMES = {"glossary": "the glossary", "likelihood-legend": "the ICD 203 legend",
              "judgment-caveats": "caveats pulled in by the judgments' facts", "unknowns": "open questions on its facts"}


def room_advice(brief: ResolvedBrief, room: dict | None) -> str:
    """What the parts the engine adds take of the laid-out brief, and the compact forms that give room back."""
    if not room:
        return ""
    parts = []
    for name, label in ROOM_NAMES.items():
        if name in room and room[name]["pages"] > 0:
            count = room[name]["count"]
            many = f" ({count})" if name in ("judgment-caveats", "unknowns") else ""
            parts.append(f"{label}{many} {room[name]['pages']:.2f} page")
    if not parts:
        return ""
    text = "; the engine added " + ", ".join(parts)
    offers = []
    if "likelihood-legend" in room and brief.get("likelihood_legend") != "line":
        offers.append("`likelihood_legend: line` (a one-line ICD 203 legend)")
    if "glossary" in room and brief.get("print_glossary", True):
        offers.append("`print_glossary: false` (the glossary on the web page only)")
    if offers:
        text += (f"; to give room back, set {' or '.join(offers)} in the brief, or for every brief of audience "
                 f"'{brief['audience']['id']}' under audiences in project.yaml")
    return text


def check_word_pages(project: Project, site: Path, report: BuildReport, scratch: Path) -> tuple[dict[str, int], str]:
    """`check --layout`: each Word edition in a built `site` laid out by LibreOffice, where it is installed, and held
    to its brief's page_limit as the PDF is (a located error). Returns the Word page count by edition, and a note
    when they could not be counted."""
    from briefwright.formats.docx import libreoffice, libreoffice_pages
    files = {}
    for name in report.pages:  # an edition: a brief's id, or <id>/<lang> for a translation
        brief_id, _, lang = name.partition("/")
        path = site / "briefs" / name / FORMATS["docx"].file_name(file_stem(brief_id, lang or None))
        if path.is_file():
            files[name] = path
    if not files:
        return {}, ""
    if libreoffice() is None:
        return {}, ("Word editions not laid out: LibreOffice is not installed (`briefwright doctor` gives its install "
                    "line)")
    try:
        counted = libreoffice_pages(list(files.values()), scratch)
    except OSError as exc:
        return {}, f"Word editions not laid out: {exc}"
    pages = {name: counted[path] for name, path in files.items() if path in counted}
    errors = Collector()
    for name, count in sorted(pages.items()):
        record = project.briefs[name.split("/")[0]]
        limit = project.page_limit(record)
        if limit is not None and count > limit:
            whose = "" if record.page_limit else f" (the default for audience '{record.audience}')"
            errors.error(record.at("page_limit") if record.page_limit else record.at("audience"),
                         f"brief '{name}': its Word edition has {count} pages as LibreOffice lays it out; its "
                         f"page_limit is {limit}{whose}")
    errors.raise_if_errors()
    missing = sorted(set(files) - set(pages))
    return pages, (f"LibreOffice could not lay out the Word edition of {', '.join(missing)}" if missing else "")


def _content_digest(brief: ResolvedBrief) -> str:
    """What a brief was built from, whatever formats were made of it: to tell a kept brief that changed since."""
    return digest({k: v for k, v in brief.items() if k != "downloads"})


def _draw_chart(args):
    from briefwright.render.charts import draw_svg
    kind, points, style = args
    return draw_svg(kind, points, style)


def build(opts: BuildOptions, checked: Checked | None = None) -> BuildReport:
    """Build the site; `checked` is the project as `check` returned it, when the caller already has it (serve
    builds the pages and then every format from one check, so both describe the same content)."""
    _guard_output(opts.root, opts.out)
    formats = output_formats(opts.formats)
    early = early_pool(opts, formats)
    if early is not None:
        opts = replace(opts, workers=early)
    try:
        checked = checked or check(opts.root, opts.strict, opts.private, parse_cache(opts))
        unknown = [i for i in opts.only if i not in checked.project.briefs]
        if unknown:
            raise UsageError("no brief with id " + ", ".join(f"'{i}'" for i in unknown))
        return _Build(opts, checked, formats).run()
    finally:
        if early is not None:
            early.close()


# The site pages last made in this process, packed, by their content key (the build cache's own key): a warm
# process (serve, a library caller, the tests) that builds the same content again with another cache folder, or
# none, makes them once. A few entries only; an archive's pages are megabytes.
_SITE_PAGES_MADE: dict[str, bytes] = {}
_SITE_PAGES_KEPT = 4


# The charts drawn in this process, by the build cache's key (kind, points, style, engine): as with the site pages, a
# warm process building the same content with another cache folder, or a new one, draws each once. A chart is some
# kilobytes of SVG.
_CHARTS_DRAWN: dict[str, bytes] = {}
_CHARTS_KEPT = 64


def _made_site_pages(key: str, make: Callable[[], dict[str, bytes]]) -> tuple[dict[str, bytes], bytes]:
    """The site pages for `key`, and the same packed (as the build cache keeps them)."""
    packed = _SITE_PAGES_MADE.pop(key, None)
    if packed is None:
        pages = make()
        packed = pack(pages)
    else:
        pages = unpack(packed)
    _SITE_PAGES_MADE[key] = packed  # the newest last
    while len(_SITE_PAGES_MADE) > _SITE_PAGES_KEPT:
        del _SITE_PAGES_MADE[next(iter(_SITE_PAGES_MADE))]
    return pages, packed


def early_pool(opts: BuildOptions, formats: list[OutputFormat]) -> WarmPool | None:
    """For a build that will lay out (--force, or no cache yet) on several workers: a pool started now, so its
    workers import the layout libraries (in the fork server) while this process loads, checks and renders, and
    this process never imports them. Measured on the real content, cold -j2 against the pool forked at the first
    layout: 7.67 s against 8.29 s (3 runs each); see docs/performance.md. None otherwise: a build that may find
    everything cached forks its workers only when it has work."""
    if not opts.early_workers or opts.jobs < 2 or opts.workers is not None or not any(f.parallel for f in formats) \
            or not can_run(formats):
        return None
    if not (opts.force or not (opts.cache_dir or opts.root.resolve() / CACHE_FOLDER).exists()):
        return None
    return WarmPool(opts.jobs, None)


def edition_files(opts: BuildOptions, checked: Checked, brief_id: str) -> dict[str, tuple[str, bytes]]:
    """The files a brief is published as (each download format: PDF, Word...), built now from the current content
    for a channel that carries the brief, in a folder of their own outside the project; by suffix: label and bytes."""
    import tempfile
    brief = checked.project.briefs[brief_id]
    formats = output_formats(opts.formats)
    with tempfile.TemporaryDirectory(prefix="briefwright-release-") as tmp:
        site = Path(tmp) / "site"
        _Build(replace(opts, out=site, only=[brief_id], max_marking=brief.marking), checked, formats).run()
        folder = site / "briefs" / brief_id
        return {fmt.suffix: (fmt.label, (folder / fmt.file_name(brief_id)).read_bytes())
                for fmt in formats if fmt.download and fmt.wanted(brief, checked.project)}


class _Build:
    """One build, as named steps over explicit state: choose the briefs for the channel, render their
    pages, draw charts, make the other formats in the worker pool, check page limits, write the site
    pages, swap the finished folder in. Until the swap, the previous site is untouched."""

    def __init__(self, opts: BuildOptions, checked: Checked, formats: list[OutputFormat]):
        self.started = time.perf_counter()
        # The project as this build's channel sees it: every step below reads it, and none filters on its own.
        self.view = ChannelView(checked.project, opts.max_marking)
        self.opts, self.project, self.formats = opts, self.view.project, formats
        self.previous, self.recorded = checked.previous, checked.recorded
        self.report = BuildReport(warnings=[str(d) for d in checked.diagnostics.diagnostics if d.severity == "warning"],
                                  notes=list(checked.project.notes))
        self.progress = opts.progress or (lambda *a: None)
        self.errors = Collector()
        self.dirs = template_dirs(self.project.root)
        cache_root = opts.cache_dir or self.project.root / CACHE_FOLDER
        self.cache_root = cache_root
        self.env = make_env(self.dirs, cache_root / "jinja")
        self.static_dirs = [d / "static" for d in self.dirs if (d / "static").is_dir()]
        self.static_key = ""  # set by start_site from the assets folder it writes
        self.html_key = tree_digest(self.dirs)  # every template: a brief's HTML is reused only if none changed
        # The channel is in every key: nothing cached for one distribution channel is reused for another.
        # What outside the project decides the bytes (machine.py): the engine's files, the output packages, Pango,
        # HarfBuzz, fontconfig and the font files it resolves for the languages in use; the engine's words.
        self.fingerprint = fingerprint(cache_root / "fonts.json")
        self.engine_key = [fingerprint_digest(self.fingerprint), f"channel:{opts.max_marking.value}",
                           i18n.catalogue_digest()]
        self.cache = Cache(cache_root, read=not opts.force)
        self.out = opts.out.resolve()
        self.tmp = self.out.with_name(f".{self.out.name}.tmp-{os.getpid()}")
        self.published: list[ResolvedBrief] = []  # the briefs in their source language, as the site pages list them
        self.editions: list[ResolvedBrief] = []  # those and their translations: every page, PDF and Word file made
        self.translations = checked.translations
        self.current: dict[str, ResolvedBrief] = {}  # every brief the channel carries, resolved, by id
        self.kept: list[dict] = []  # a partial build: the previous site's entries for the briefs it keeps
        self.pages: dict[str, str] = {}  # brief id -> checked HTML
        self.print_pages: dict[str, str] = {}  # brief id -> the page without the channel banner, where it has one
        self.chart_svgs: dict[str, bytes] = {}
        self.chart_jobs: dict[str, tuple] = {}
        self.outputs: dict[str, dict] = {}
        self.room: dict[str, dict] = {}  # edition -> what its paged file's engine-added parts take (formats.pdf.layout.room)

    def run(self) -> BuildReport:
        self.choose_briefs()
        operation = "could not write the new site at"
        try:
            _clean_stale(self.out)
            previous = self.previous_site() if self.opts.only else None
            self.start_site()
            if previous is not None:
                self.keep_briefs(previous)
            if self.opts.part is None or self.opts.part.lays_out:
                self.render_pages()
                with BuildWorkers(self.opts.jobs, self.formats, self.opts.workers) as workers:
                    self.draw_charts(workers)
                    self.make_downloads(workers)
                self.archive_editions()
            else:
                self.opts.part.assemble(self)
            for fmt in FORMATS.values():  # reference documents: inputs of the editions, not page assets
                for name in fmt.inputs:
                    (self.tmp / "assets" / name).unlink(missing_ok=True)
            self.check_page_limits()
            if self.opts.part is None or self.opts.part.writes_site:
                self.write_site_pages()
                self.write_site_record()
            else:
                self.opts.part.finish(self)
            operation = "could not replace the previous site with the new one at"
            _swap_in(self.tmp, self.out)
        except OSError as exc:
            raise FileFault(operation, exc) from None
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.report.warnings += [f"warning: {m}" for m in self.cache.warnings]
        removed, freed = self.cache.sweep()  # the new site is in place: the entries used longest ago may go
        if removed:
            self.report.notes.append(f"build cache: removed {removed} entries used longest ago ({freed / 1024 ** 2:,.0f} MB), "
                                     f"to stay within {max_bytes() / 1024 ** 2:,.0f} MB (BRIEFWRIGHT_CACHE_MAX_MB)")
        self.report.seconds = time.perf_counter() - self.started
        return self.report

    def choose_briefs(self) -> None:
        """Resolve the briefs the channel carries and keep those asked for. A partial build resolves every one, so it
        can tell which of the previous site's briefs changed since (`self.current`), and builds those named."""
        wanted = [b for b in self.view.briefs if not self.opts.only or b.id in self.opts.only]
        downloads = {b: self.downloads(b, b) for b in self.project.briefs}
        resolved = resolve(self.view, None, self.previous, downloads, self.opts.base_url, self.recorded)
        self.current = {brief["id"]: brief for brief in resolved}
        self.published = [self.current[b.id] for b in wanted]
        self.report.restricted = [(b.id, b.marking.label) for b in wanted if not b.marking.public]
        self.report.left_out = [(b.id, b.marking.label) for b in self.view.left_out
                                if not self.opts.only or b.id in self.opts.only]
        # Each translated edition is resolved like its source; a stale or missing translation stops the build
        # here unless the project allows fallback (translations.py).
        translating = self.published if self.opts.part is None else self.opts.part.translating(self)
        translated = resolve_translations(
            self.view, translating, self.translations,
            lambda brief_id, lang: self.downloads(brief_id, file_stem(brief_id, lang)),
            self.opts.base_url, self.errors, self.previous, self.recorded)
        self.errors.raise_if_errors()
        self.editions = self.published + translated.editions
        if self.opts.part is not None:
            self.opts.part.choose(self)
        if self.opts.part is None or self.opts.part.lays_out:  # a merge prints nothing: the shards checked theirs
            self.check_scripts()

    def downloads(self, brief_id: str, stem: str) -> list[Download]:
        """The files a brief's page offers: each download format that wants the brief."""
        record = self.project.briefs[brief_id]
        return [Download(f.name, f.label, f.file_name(stem)) for f in self.formats
                if f.download and f.wanted(record, self.project)]

    def check_scripts(self) -> None:
        """Stop before any layout when an edition prints text in a script (a Chinese source title in an English
        brief, a Chinese edition) that this machine has no font for: one line naming the package and the editions
        that need it, rather than pages of boxes or a later failure."""
        lacking: dict[str, list[str]] = {}
        for brief in self.editions:
            shown = {k: v for k, v in brief.to_data().items() if k not in ("alternates", "translation")}  # a switch's
            scripts = scripts_in(json.dumps(shown, ensure_ascii=False, default=str))  # own name is not printed
            why = missing_font(scripts + scripts_of(brief.get("language") or ""))
            if why:
                lacking.setdefault(why, []).append(edition_key(brief))
        if lacking:
            raise UsageError("\n".join(f"cannot print {', '.join(keys)} here: {why} (`briefwright doctor` checks "
                                        "the machine)" for why, keys in lacking.items()))

    def previous_site(self) -> dict | None:
        """The record of the site a partial build updates: None when there is none yet (then the new site holds
        only the briefs named). A site for another channel, or one without a record, is a usage error: keeping
        its briefs could mix channels, and dropping them is what --only must never do."""
        if not self.out.exists():
            self.report.notes.append(f"{self.out} did not exist: it now holds only "
                                     f"{', '.join(b['id'] for b in self.published) or 'no brief'}")
            return None
        try:
            record = json.loads((self.out / SITE_RECORD).read_text(encoding="utf-8"))
            channel = Marking(record["channel"])
            briefs = dict(record["briefs"])
        except (OSError, ValueError, KeyError, TypeError):
            raise UsageError(f"{self.out} has no readable record of its briefs ({SITE_RECORD}), so --only cannot "
                             "keep them; build every brief once without --only") from None
        if channel is not self.opts.max_marking:
            raise UsageError(f"{self.out} was built for {channel.label}; a partial build for "
                             f"{self.opts.max_marking.label} would mix channels: pass --max-marking {channel.value}, "
                             "or build every brief without --only")
        return briefs

    def keep_briefs(self, previous: dict) -> None:
        """Copy the previous site's other briefs into the new one, as they were, and list them on its pages.
        A brief the project no longer has, or no longer allows on this channel, is dropped; one whose content
        changed since is kept as built, with a warning, and read for leaks first."""
        from briefwright.site.verify import verify
        rebuilt = {b["id"] for b in self.published} | set(self.opts.only)
        for brief_id in sorted(previous):
            if brief_id in rebuilt:
                continue
            old = self.out / "briefs" / brief_id
            now = self.current.get(brief_id)
            if self.view.hides("brief", brief_id):
                self.report.notes.append(f"dropped {brief_id} from {self.out}: it is now marked above this channel "
                                         f"({self.view.whole.briefs[brief_id].marking.label})")
                continue
            if now is None:
                self.report.notes.append(f"dropped {brief_id} from {self.out}: the project no longer has it")
                continue
            if not old.is_dir():
                self.report.notes.append(f"dropped {brief_id} from {self.out}: its folder is missing; build it with "
                                         f"--only {brief_id}")
                continue
            entry = previous[brief_id]
            if entry.get("digest") != _content_digest(now):
                leaks, _ = verify(old, self.view.whole, self.opts.max_marking)  # it must see what is above the channel
                if leaks:
                    raise UsageError(f"brief '{brief_id}' in {self.out} was built from content that has changed since "
                                     f"and now shows material above this channel ({leaks[0]}); rebuild it too "
                                     f"(--only {brief_id}) or build every brief")
                self.report.warnings.append(
                    f"warning: kept {brief_id} as last built, but its content has changed since; rebuild it with "
                    f"--only {brief_id} (or build every brief)")
            shutil.copytree(old, self.tmp / "briefs" / brief_id)
            self.kept.append({**entry["brief"], "digest": entry.get("digest"), "search": entry.get("search")})
            self.outputs[brief_id] = entry["outputs"]
            self.report.kept.append(brief_id)
            if entry["outputs"].get("pages") is not None:
                self.report.pages[brief_id] = entry["outputs"]["pages"]
        for brief_id in sorted(set(self.current) - set(previous) - rebuilt):
            self.report.notes.append(f"{brief_id} is not in {self.out} yet: build it with --only {brief_id}")

    def write_site_record(self) -> None:
        from briefwright.site.search import kept_record
        briefs = {b["id"]: {"brief": {k: v for k, v in b.to_data().items() if k not in _BODY_FIELDS},
                            "outputs": self.outputs[b["id"]], "digest": _content_digest(b),
                            "search": kept_record(b, self.editions)} for b in self.published}
        for entry in self.kept:
            brief = {k: v for k, v in entry.items() if k not in ("digest", "search")}
            briefs[brief["id"]] = {"brief": brief, "outputs": self.outputs[brief["id"]], "digest": entry["digest"],
                                   **({"search": entry["search"]} if entry.get("search") else {})}
        record = {"channel": self.opts.max_marking.value, "briefs": dict(sorted(briefs.items()))}
        (self.tmp / SITE_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    def start_site(self) -> None:
        from briefwright.render.charts import chart_style, read_tokens
        assets = self.tmp / "assets"
        assets.mkdir(parents=True)
        for folder in reversed(self.static_dirs):  # the project's own files override the engine's
            shutil.copytree(folder, assets, dirs_exist_ok=True)
        # The project's tokens.css, then project.yaml's colours and fonts, override single values.
        write_tokens(self.static_dirs, assets / "tokens.css", house_tokens(self.project.settings))
        logo = logo_asset(self.project.settings)
        if logo and self.project.settings.logo:
            shutil.copyfile(self.project.root / self.project.settings.logo, assets / logo)
        if self.project.settings.word_reference:  # over the theme's, as the logo is added
            shutil.copyfile(self.project.root / self.project.settings.word_reference, assets / WORD_REFERENCE)
        # What layout reads from the assets (stylesheets, merged tokens, logo, fonts) keys the formats' cache.
        self.static_key = tree_digest([assets])
        (self.tmp / SITE_MARKER).write_text("This folder is replaced by each build.\n", encoding="utf-8")
        self.style = chart_style(read_tokens(assets / "tokens.css"))

    def render_pages(self) -> None:
        """Each brief's page through its template, checked for what the content requires; cached when clean.
        A translated edition is one folder deeper (briefs/<id>/<lang>/) and checked by the same marks."""
        for brief in self.editions:
            record = self.project.briefs[brief["id"]]
            name = edition_key(brief)
            up = "../../../" if brief.get("translation") else "../../"
            page: dict[str, Any] = {"assets": up + "assets/", "root": up, "channel": channel_notice(self.opts.max_marking)}
            key = digest("html", brief, page, self.html_key, self.engine_key)
            hit = self.cache.get(key)
            if hit and (page["channel"] is None or "print.html" in hit):  # same brief, same templates: same HTML
                self.pages[name] = hit["index.html"].decode("utf-8")
                if "print.html" in hit:
                    self.print_pages[name] = hit["print.html"].decode("utf-8")
                numbering = json.loads(hit["numbering.json"]) if "numbering.json" in hit else None
                self.warn_numbering(brief, record, numbering)
            else:
                try:
                    html = render_html(brief, self.env, page)
                    # The PDF and Word files are made from the page without the channel's banner: a brief's files
                    # are the same on every channel, and each carries its own marking.
                    printed = render_html(brief, self.env, {**page, "channel": None}) if page["channel"] else None
                except TemplateError as exc:
                    self.errors.error(Loc(Path(exc.template), exc.line, 1), f"{exc} (rendering brief '{name}')")
                    continue
                self.report.rendered.append(name)
                if brief.get("translation"):
                    html = mark_pending(html, brief["language"], brief["translation"]["mark"])
                    printed = printed and mark_pending(printed, brief["language"], brief["translation"]["mark"])
                problems = check_rendered(brief, html)
                for problem in problems:
                    self.errors.error(record.loc, problem + (f" (its {brief['language']} edition)"
                                                             if brief.get("translation") else ""))
                self.pages[name] = html
                entry = {"index.html": html.encode("utf-8")}
                if printed is not None:
                    self.print_pages[name] = printed
                    entry["print.html"] = printed.encode("utf-8")
                numbering = self.warn_numbering(brief, record)
                if not problems:  # with its numbering warnings: a page read back is not parsed again for them
                    self.cache.put(key, {**entry, "numbering.json": json.dumps(numbering).encode()})
            for section in brief["sections"]:
                for chart in section["charts"]:
                    key = self.chart_key(chart)
                    if key not in self.chart_svgs and key not in self.chart_jobs:
                        hit = self.cache.get(key)
                        if hit:
                            self.chart_svgs[key] = hit["chart.svg"]
                        elif key in _CHARTS_DRAWN:
                            self.chart_svgs[key] = _CHARTS_DRAWN[key]
                            self.cache.put(key, {"chart.svg": _CHARTS_DRAWN[key]})
                        else:
                            self.chart_jobs[key] = (chart["kind"], thaw(chart["points"]), self.style)  # to a worker
        self.errors.raise_if_errors()

    def warn_numbering(self, brief: ResolvedBrief, record: Brief, known: list[str] | None = None) -> list[str]:
        messages = judgment_numbering(brief, self.pages[edition_key(brief)]) if known is None else known
        for message in messages:
            self.report.warnings.append(str(Diagnostic(record.loc, message, "warning")))
        return messages

    def chart_key(self, chart: dict) -> str:
        return digest("chart", chart["kind"], chart["points"], self.style, self.engine_key, *chart_identity(chart["kind"]))

    def draw_charts(self, workers: BuildWorkers) -> None:
        svgs = workers.map(_draw_chart, list(self.chart_jobs.values()), "charts", self.progress)
        for key, svg in zip(self.chart_jobs, svgs, strict=True):
            self.chart_svgs[key] = svg
            self.cache.put(key, {"chart.svg": svg})
            _CHARTS_DRAWN[key] = svg
        while len(_CHARTS_DRAWN) > _CHARTS_KEPT:
            del _CHARTS_DRAWN[next(iter(_CHARTS_DRAWN))]

    def make_downloads(self, workers: BuildWorkers) -> None:
        """Write each brief's folder (page and charts), then make every other format from it: reused from
        the cache when the folder's bytes, the stylesheets and the engine are unchanged, else in the pool."""
        pending: list[tuple[ResolvedBrief, OutputFormat, str, Job]] = []
        for brief in self.editions:
            name = edition_key(brief)
            folder = self.tmp / "briefs" / name
            folder.mkdir(parents=True)
            files = {"index.html": self.pages[name].encode("utf-8")}
            for section in brief["sections"]:
                for chart in section["charts"]:
                    files[chart["file"]] = self.chart_svgs[self.chart_key(chart)]
            for file, data in files.items():
                (folder / file).write_bytes(data)
            self.outputs[name] = {"pages": None, "files": []}
            inputs = {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
            printed = self.print_pages.get(name, self.pages[name])
            if name in self.print_pages:  # the page the files are made from, where it is not the one in the folder
                inputs["print"] = hashlib.sha256(printed.encode("utf-8")).hexdigest()
            reused = True
            offered = {d["format"] for d in brief["downloads"]}
            for fmt in self.formats:
                if fmt.name not in offered:
                    continue
                # The resolved brief too: a format may render from it (Word) and show what the page does not.
                key = digest("download", fmt.name, inputs, brief, self.static_key, self.engine_key, fmt.cache_parts(),
                             PRINT_MARKS, *cache_identity(fmt.name))
                hit = self.cache.get(key)
                if hit and "meta.json" in hit and "output" in hit:
                    meta = json.loads(hit["meta.json"])
                    self.add_output(brief, fmt, Output(hit["output"], meta["pages"], meta.get("room")))
                else:
                    reused = False
                    # The format gets a plain copy of its own (a Job goes to a worker process as plain data).
                    job = Job(brief.to_data(), print_html(printed), str(folder), str(self.tmp))
                    pending.append((brief, fmt, key, job))
            if reused:
                self.report.reused.append(name)
        inline = [p for p in pending if not p[1].parallel]
        pooled = [p for p in pending if p[1].parallel]
        results = [run_job((fmt.name, job)) for _, fmt, _, job in inline]
        if pooled:
            results += workers.map(run_job, [(fmt.name, job) for _, fmt, _, job in pooled], "layout", self.progress,
                                   cost=lambda task: len(task[1].html), key=lambda task: (task[0], edition_key(task[1].brief)))
        built = []
        for (brief, fmt, key, _), result in zip(inline + pooled, results, strict=True):
            if isinstance(result, str):
                self.errors.error(self.project.briefs[brief["id"]].loc, f"brief '{edition_key(brief)}': {result}")
                continue
            self.add_output(brief, fmt, result)
            self.cache.put(key, {"output": result.data,
                                 "meta.json": json.dumps({"pages": result.pages, "room": result.room}).encode()})
            built.append(edition_key(brief))
        self.report.built += [edition_key(b) for b in self.editions if edition_key(b) in built]

    def archive_editions(self) -> None:
        """Each brief's earlier editions, as released (check compared them with their records' hashes), at stable
        addresses beside its page: briefs/<id>/editions/<n>.pdf. Resolve listed only editions marked no higher than
        the brief; the channel is asked again here, so an archived file above it is never copied."""
        for brief in self.published:
            folder = self.project.briefs[brief["id"]]
            source = editions_folder(self.project, folder)
            for edition in brief["earlier_editions"]:
                if not self.view.carries(Marking(edition["marking"])):
                    continue
                for f in edition["files"]:
                    target = self.tmp / "briefs" / brief["id"] / f["href"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source / f["file"], target)

    def add_output(self, brief: ResolvedBrief, fmt: OutputFormat, output: Output) -> None:
        translation = brief.get("translation")
        name = fmt.file_name(file_stem(brief["id"], translation["lang"] if translation else None))
        (self.tmp / "briefs" / edition_key(brief) / name).write_bytes(output.data)
        entry = self.outputs[edition_key(brief)]
        entry["files"].append({"format": fmt.name, "label": fmt.label, "file": name,
                               "bytes": len(output.data), "kb": round(len(output.data) / 1024)})
        entry["files"].sort(key=lambda f: [x.name for x in self.formats].index(f["format"]))
        if fmt.paged:
            entry["pages"] = output.pages
            if output.room is not None:
                self.room[edition_key(brief)] = output.room

    def check_page_limits(self) -> None:
        for brief in self.editions:
            name = edition_key(brief)
            pages = self.outputs.get(name, {}).get("pages")
            if pages is None:
                continue
            self.report.pages[name] = pages
            if pages > brief["page_limit"]:
                record = self.project.briefs[brief["id"]]
                whose = "" if record.page_limit else f" (the default for audience '{record.audience}')"
                self.errors.error(record.at("page_limit") if record.page_limit else record.at("audience"),
                                  f"brief '{name}' has {pages} pages; its page_limit is {brief['page_limit']}"
                                  f"{whose}{self.keep_overflow(brief)}{room_advice(brief, self.room.get(name))}")
        self.errors.raise_if_errors()

    def keep_overflow(self, brief: ResolvedBrief) -> str:
        """The paged file that ran over, kept where the message says (the new site is never published), and
        which section crosses the limit, read from its bookmarks."""
        paged = {f.name for f in self.formats if f.paged}
        made = [f["file"] for f in self.outputs[edition_key(brief)]["files"] if f["format"] in paged]
        if not made:
            return ""
        built = self.tmp / "briefs" / edition_key(brief) / made[0]
        kept = self.cache_root / "overflow" / made[0]
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(built, kept)
            where = f"; the PDF is kept at {os.path.relpath(kept)}"
        except OSError:
            where = ""  # the message matters more than the copy
        return f"{crossing_section(built, brief['page_limit'])}{where}"

    def write_site_pages(self) -> None:
        from briefwright.site import search
        from briefwright.site.pages import site_context, site_pages
        from briefwright.site.permalinks import record_context
        opts = self.opts
        listed = sorted(self.published + [{k: v for k, v in e.items() if k not in ("digest", "search")} for e in self.kept],
                        key=lambda b: b["id"])
        # The kept briefs' words and translated editions, as the build that made them recorded them, are searched too.
        texts = {e["id"]: (e.get("search") or {}).get("text") for e in self.kept}
        searched = [{**b, "search_text": texts[b["id"]]} if texts.get(b["id"]) else b for b in listed]
        editions = [*self.editions, *(x for e in self.kept for x in search.kept_editions(e, e.get("search")))]
        context = site_context(self.project, listed, self.outputs, opts.base_url, self.view.channel)
        context["search_languages"] = search.languages(self.project.settings.language, editions)
        # A page per record the channel carries, and its search record; translated editions are searched in their words.
        records = record_context(self.project, listed, self.recorded, self.view.channel, opts.base_url)
        found = search.records(records, searched, editions, self.project.settings.language)
        key = digest("site", context, listed, records, found, opts.max_marking.value, opts.base_url,
                     self.html_key, self.engine_key)
        cached = self.cache.get(key)
        if cached is None or "site.pack" not in cached:
            try:
                pages, packed = _made_site_pages(key, lambda: {
                    **site_pages(context, listed, self.env, opts.base_url, records),
                    **search.site_files(found, records, listed, editions)})
            except TemplateError as exc:
                self.errors.error(Loc(Path(exc.template), exc.line, 1), f"{exc} (rendering the site pages)")
                self.errors.raise_if_errors()
                raise
            except search.SearchIndexError as exc:
                raise UsageError(str(exc)) from None
            self.cache.put(key, {"site.pack": packed})
            self.report.site_pages = True
        else:
            pages = unpack(cached["site.pack"])
        for name, data in pages.items():
            (self.tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (self.tmp / name).write_bytes(data)
