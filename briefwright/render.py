"""Stage 4, render: a resolved brief and the templates give HTML; HTML gives a PDF.

Every function here is pure in its inputs (no project, no clock), which is what lets the
build cache outputs by hash and lay out briefs in worker processes.
"""
from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .theme import ENGINE_TEMPLATES, make_loader, template_names  # theme layers: see theme.py


class TemplateError(Exception):
    """A template failed: carries the template name and line."""

    def __init__(self, template: str, line: int, message: str):
        self.template, self.line = template, line
        super().__init__(message)


def template_dirs(project_root: Path) -> list[Path]:
    own = project_root / "templates"
    dirs = [own] if own.is_dir() else []
    if ENGINE_TEMPLATES not in dirs:
        dirs.append(ENGINE_TEMPLATES)
    return dirs


def make_env(dirs: list[Path], bytecode_dir: Path | None = None) -> SandboxedEnvironment:
    cache = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
        except OSError:
            cache = None  # compiling every time is slower, never wrong
    # theme: the project's folder in front of the engine's, and the engine's files as "default:NAME"
    env = SandboxedEnvironment(loader=make_loader(dirs), bytecode_cache=cache,
                               autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> str:
    """Escape text for a double-quoted CSS string inside <style>: every non-alphanumeric becomes a hex escape
    (ended by one space, which CSS consumes as the terminator)."""
    return "".join(ch if ch.isalnum() and ch.isascii() or ch == " " else f"\\{ord(ch):06x} " for ch in str(text))


def list_templates(dirs: list[Path]) -> set[str]:
    return template_names(dirs)  # theme: includes the engine's templates as "default:NAME"


def _mark_safe(value):
    """Pre-sanitised `*_html` strings become Markup, so templates never need `|safe`."""
    if isinstance(value, dict):
        return {k: (Markup(v) if k.endswith("_html") and isinstance(v, str) else _mark_safe(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_safe(v) for v in value]
    return value


def render_html(brief: dict, env: SandboxedEnvironment, page: dict) -> str:
    try:
        template = env.get_template(brief["template"])
        return template.render(brief=_mark_safe(brief), page=page)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.filename or exc.name or brief["template"], exc.lineno, exc.message) from None
    except (jinja2.UndefinedError, jinja2.TemplateError, TypeError) as exc:
        name, line = _template_frame(exc, brief["template"])
        raise TemplateError(name, line, str(exc)) from None


def _template_frame(exc: BaseException, default: str) -> tuple[str, int]:
    """The innermost template file and line in a traceback (Jinja compiles templates to code)."""
    name, line = default, 0
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".html"):
            name, line = code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return name, line


class _Marks(HTMLParser):
    """Collects the integrity marks templates put on rendered items."""

    def __init__(self):
        super().__init__()
        self.caveats: dict[str, int] = {}
        self.facts: dict[str, int] = {}
        self.labels: dict[str, int] = {}
        self.unknowns: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key, table in (("data-caveat", self.caveats), ("data-fact", self.facts), ("data-status-label", self.labels)):
            if a.get(key):
                table[a[key]] = table.get(a[key], 0) + 1
        if a.get("data-unknown"):
            self.unknowns.add(a["data-unknown"])


def check_rendered(brief: dict, html: str) -> list[str]:
    """What the template failed to show that the content requires: each a sentence."""
    marks = _Marks()
    marks.feed(html)
    problems = []
    for fact_id, caveat_id in brief["required"]["caveats"]:
        if caveat_id not in marks.caveats:
            problems.append(f"brief '{brief['id']}' uses fact '{fact_id}' but template '{brief['template']}' "
                            f"did not render its caveat '{caveat_id}'")
    for unknown_id in brief["required"]["unknowns"]:
        if unknown_id not in marks.unknowns:
            problems.append(f"brief '{brief['id']}': template '{brief['template']}' did not render unknown '{unknown_id}'")
    for fact_id in brief["required"]["labelled"]:
        if marks.facts.get(fact_id, 0) > marks.labels.get(fact_id, 0):
            problems.append(f"brief '{brief['id']}': fact '{fact_id}' is not verified but template '{brief['template']}' "
                            "shows it without its status label")
    return problems


class FetchRefused(Exception):
    pass


def make_fetcher(allowed: list[Path]):
    """A WeasyPrint URL fetcher that serves files inside `allowed` folders and refuses the rest."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    roots = [p.resolve() for p in allowed]

    class ProjectFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise FatalURLFetchingError(f"refused to fetch {url}: only files inside the project are read")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(r) for r in roots) or not path.is_file():
                raise FatalURLFetchingError(f"refused to read {path}: it is outside the project's asset folders or missing")
            mime = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".ttf": "font/ttf",
                    ".woff2": "font/woff2", ".woff": "font/woff"}.get(path.suffix, "application/octet-stream")
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    return ProjectFetcher()


def render_pdf(html: str, base_dir: Path, allowed: list[Path], brief_id: str) -> tuple[bytes, int]:
    """Lay out and write one PDF; returns its bytes and page count. Deterministic for fixed input."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=str(base_dir) + "/",
                               url_fetcher=make_fetcher(allowed)).render(pdf_variant="pdf/ua-1", pdf_tags=True)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier, pdf_tags=True)
    return data, len(document.pages)
