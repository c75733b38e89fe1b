"""The build, top to bottom: load -> validate -> resolve -> render -> publish.

Every stage gathers all of its problems before the build stops, so one run shows them all.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .cache import Cache, digest, tree_digest
from .diagnostics import Collector, ContentError, Loc
from .integrity import check_template_numbers, load_previous_edition
from .load import load_project
from .model import Marking
from .render import (TemplateError, check_rendered, list_templates, make_env, render_html,
                     render_pdf, template_dirs)
from .resolve import resolve
from .theme import check_theme, write_tokens
from .validate import validate

SITE_MARKER = ".briefwright-site"
PROTECTED = ("content", "briefs", "templates")


class UsageError(Exception):
    pass


@dataclass
class BuildOptions:
    root: Path
    out: Path
    only: list[str] = field(default_factory=list)
    jobs: int = 1
    force: bool = False
    strict: bool = False
    max_marking: Marking = Marking.CLEAR  # the distribution channel: the highest marking the site may carry
    cache_dir: Path | None = None
    base_url: str | None = None
    progress: object = None  # callable(stage: str, done: int, total: int) or None


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    restricted: list[tuple[str, str]] = field(default_factory=list)  # included only because it was asked for
    pages: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    seconds: float = 0.0


def today() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()


def check(root: Path, strict: bool = False):
    """Load and validate; returns (project, collector) and raises ContentError on errors."""
    out = Collector()
    project = load_project(root, out)
    if project is not None:
        dirs = template_dirs(project.root)
        validate(project, out, list_templates(dirs), today=today())
        check_template_numbers(dirs, out)
        check_theme(dirs, out)  # theme: templates that extend themselves, the project's tokens.css
        project.previous_editions = {}
        for brief in project.briefs.values():
            record = load_previous_edition(project, brief, out)
            if record is not None:
                project.previous_editions[brief.id] = record
    if strict:
        for d in out.diagnostics:
            if d.severity == "warning":
                d.severity = "error"
    out.raise_if_errors()
    return project, out


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
    """Replace `out` by the finished `tmp` folder; until this point `out` is untouched."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_stale(out: Path) -> None:
    """Remove what a killed build left beside the output; restore the site if it died mid-swap."""
    for leftover in sorted(out.parent.glob(f".{out.name}.*-*")):
        kind, _, pid = leftover.name.rpartition("-")
        if not pid.isdigit() or _pid_alive(int(pid)):
            continue
        if kind.endswith(".old") and not out.exists():
            leftover.rename(out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _layout_job(args):
    html, base_dir, allowed, brief_id = args
    return render_pdf(html, Path(base_dir), [Path(a) for a in allowed], brief_id)


def _draw_chart(args):
    from .charts import draw_svg
    kind, points, style = args
    return draw_svg(kind, points, style)


def build(opts: BuildOptions) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    progress = opts.progress or (lambda *a: None)
    _guard_output(opts.root, opts.out)
    project, collector = check(opts.root, opts.strict)
    report.warnings = [str(d) for d in collector.diagnostics if d.severity == "warning"]
    unknown = [i for i in opts.only if i not in project.briefs]
    if unknown:
        raise UsageError("no brief with id " + ", ".join(f"'{i}'" for i in unknown))
    resolved = resolve(project, opts.only or None)
    published = []
    for brief in resolved:
        marking = Marking(brief["marking"]["value"])
        if marking.allowed_in(opts.max_marking):
            published.append(brief)
            if not marking.public:
                report.restricted.append((brief["id"], brief["marking"]["label"]))
        else:
            report.left_out.append((brief["id"], brief["marking"]["label"]))

    dirs = template_dirs(project.root)
    cache_root = opts.cache_dir or project.root / ".briefwright-cache"
    env = make_env(dirs, cache_root / "jinja")
    static_dirs = [d / "static" for d in dirs if (d / "static").is_dir()]
    # The HTML already reflects every template; the PDF also depends on the stylesheets and fonts.
    templates_key = tree_digest(static_dirs)
    html_key = tree_digest(dirs)  # every template: a brief's HTML is reused only if none changed
    import importlib.metadata as md
    engine_key = [__version__, md.version("weasyprint"), md.version("matplotlib")]
    cache = Cache(cache_root, read=not opts.force)

    out = opts.out.resolve()
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    _clean_stale(out)
    try:
        return _render_all(project, published, env, static_dirs, (templates_key, html_key), engine_key, cache,
                           tmp, out, opts, report, progress, started)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _render_all(project, published, env, static_dirs, keys, engine_key, cache,
                tmp, out, opts, report, progress, started):
    templates_key, html_key = keys
    from .charts import chart_style, read_tokens

    (tmp / "assets").mkdir(parents=True)
    for folder in reversed(static_dirs):  # the project's own files override the engine's
        shutil.copytree(folder, tmp / "assets", dirs_exist_ok=True)
    write_tokens(static_dirs, tmp / "assets" / "tokens.css")  # theme: the project's tokens override single values
    (tmp / SITE_MARKER).write_text("This folder is replaced by each build.\n", encoding="utf-8")
    style = chart_style(read_tokens(tmp / "assets" / "tokens.css"))

    errors = Collector()
    pending_pdf = []
    chart_svgs: dict[str, bytes] = {}
    chart_jobs = {}
    rendered = {}
    from .publish import brief_jsonld
    for brief in published:
        record = project.briefs[brief["id"]]
        brief["jsonld_html"] = brief_jsonld(brief, opts.base_url)
        brief["url"] = f"{opts.base_url}briefs/{brief['id']}/index.html" if opts.base_url else None
        page = {"assets": "../../assets/", "root": "../../"}
        key = digest("html", brief, page, html_key, engine_key)
        hit = cache.get(key)
        if hit:  # the same resolved brief through the same templates: the same checked HTML
            rendered[brief["id"]] = hit["index.html"].decode("utf-8")
        else:
            try:
                html = render_html(brief, env, page)
            except TemplateError as exc:
                errors.error(Loc(Path(exc.template), exc.line, 1), f"{exc} (rendering brief '{brief['id']}')")
                continue
            problems = check_rendered(brief, html)
            for problem in problems:
                errors.error(record.loc, problem)
            rendered[brief["id"]] = html
            if not problems:
                cache.put(key, {"index.html": html.encode("utf-8")})
        for section in brief["sections"]:
            for chart in section["charts"]:
                key = digest("chart", chart["kind"], chart["points"], style, engine_key)
                chart["key"] = key
                if key not in chart_svgs and key not in chart_jobs:
                    hit = cache.get(key)
                    if hit:
                        chart_svgs[key] = hit["chart.svg"]
                    else:
                        chart_jobs[key] = (chart["kind"], chart["points"], style)
    errors.raise_if_errors()

    with _Workers(opts.jobs) as workers:
        for key, svg in zip(chart_jobs, workers.map(_draw_chart, list(chart_jobs.values()), "charts", progress)):
            chart_svgs[key] = svg
            cache.put(key, {"chart.svg": svg})

        outputs = {}
        for brief in published:
            folder = tmp / "briefs" / brief["id"]
            folder.mkdir(parents=True)
            files = {"index.html": rendered[brief["id"]].encode("utf-8")}
            for section in brief["sections"]:
                for chart in section["charts"]:
                    files[chart["file"]] = chart_svgs[chart["key"]]
            for name, data in files.items():
                (folder / name).write_bytes(data)
            key = digest("brief", {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}, templates_key, engine_key)
            hit = cache.get(key)
            if hit and "meta.json" in hit:
                outputs[brief["id"]] = (hit[brief["pdf"]], json.loads(hit["meta.json"])["pages"])
                report.reused.append(brief["id"])
            else:
                pending_pdf.append((brief, key, (rendered[brief["id"]], str(folder), [str(tmp)], brief["id"])))
        results = workers.map(_safe_layout, [p[2] for p in pending_pdf], "layout", progress,
                              cost=lambda args: len(args[0])) if pending_pdf else []
    for (brief, key, _), result in zip(pending_pdf, results):
        if isinstance(result, str):
            errors.error(project.briefs[brief["id"]].loc, f"brief '{brief['id']}': {result}")
            continue
        data, pages = result
        outputs[brief["id"]] = (data, pages)
        report.built.append(brief["id"])
        cache.put(key, {brief["pdf"]: data, "meta.json": json.dumps({"pages": pages}).encode()})

    for brief in published:
        if brief["id"] not in outputs:
            continue
        data, pages = outputs[brief["id"]]
        report.pages[brief["id"]] = pages
        brief["pages"], brief["pdf_bytes"], brief["pdf_kb"] = pages, len(data), round(len(data) / 1024)
        if pages > brief["page_limit"]:
            record = project.briefs[brief["id"]]
            errors.error(record.at("page_limit"), f"brief '{brief['id']}' has {pages} pages; its page_limit is {brief['page_limit']}")
        (tmp / "briefs" / brief["id"] / brief["pdf"]).write_bytes(data)
    errors.raise_if_errors()

    from .publish import site_context, site_pages
    context = site_context(project, published, opts.base_url)
    key = digest("site", context, published, opts.max_marking.value, opts.base_url,
                 html_key, engine_key)
    pages = cache.get(key)
    if pages is None:
        try:
            pages = site_pages(context, published, env, opts.base_url)
        except TemplateError as exc:
            errors.error(Loc(Path(exc.template), exc.line, 1), f"{exc} (rendering the site pages)")
            errors.raise_if_errors()
        cache.put(key, {name.replace("/", "__"): data for name, data in pages.items()})
    else:
        pages = {name.replace("__", "/"): data for name, data in pages.items()}
    for name, data in pages.items():
        (tmp / name).write_bytes(data)
    _swap_in(tmp, out)
    report.warnings += [f"warning: {m}" for m in cache.warnings]
    report.seconds = time.perf_counter() - started
    return report


class _Workers:
    """Runs jobs inline (-j1) or in forked worker processes, created only when there is work."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()

    def map(self, fn, items: list, stage: str, progress, cost=None) -> list:
        progress(stage, 0, len(items))
        results = [None] * len(items)
        if self.jobs == 1 or len(items) < 2:
            for i, item in enumerate(items):
                results[i] = fn(item)
                progress(stage, i + 1, len(items))
            return results
        if self.pool is None:
            import multiprocessing
            import weasyprint  # noqa: F401  imported once before forking, shared by every worker
            self.pool = multiprocessing.get_context("fork").Pool(self.jobs)
        # Longest jobs first, so no worker is left with a long brief at the end; results keep their order.
        order = sorted(range(len(items)), key=lambda i: -(cost(items[i]) if cost else 0))
        done = 0
        for index, result in self.pool.imap_unordered(_indexed, [(fn, i, items[i]) for i in order]):
            results[index] = result
            done += 1
            progress(stage, done, len(items))
        return results


def _indexed(task):
    fn, index, item = task
    return index, fn(item)


def _safe_layout(args):
    """Run one layout; a refused fetch becomes a message instead of killing the build."""
    from weasyprint.urls import FatalURLFetchingError
    try:
        return _layout_job(args)
    except FatalURLFetchingError as exc:
        return str(exc)
