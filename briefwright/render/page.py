"""Stage 4, render: a resolved brief and the templates give the brief's checked HTML page.

Every function here is pure in its inputs (no project, no clock), which is what lets the build
cache outputs by hash. Other formats (PDF, ...) are made from this page by the builders in formats/.
"""
from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from types import CodeType

import jinja2
import jinja2.bccache
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from briefwright.check.theme import ENGINE_TEMPLATES, make_loader, template_names  # theme layers: see theme.py
from briefwright.core import i18n
from briefwright.core.model import Marking


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


# Templates compiled in this process, by Jinja's bucket key (the template's name and file) and its source's checksum.
# Each build makes a new environment, with the bytecode folder of its own cache: a warm process (serve, a library
# caller, the tests) building with another cache folder, or a new one, compiled every template again. Every
# environment make_env makes has the same options, so one compiled template serves them all, as the folder on disk
# does across runs. A few hundred entries at most; a compiled page template is some kilobytes.
_COMPILED: dict[tuple[str, str], CodeType] = {}
_COMPILED_KEPT = 256


class _Bytecode(jinja2.BytecodeCache):
    """The templates this process compiled, then those in the bytecode folder (when there is one); a template
    compiled here is kept in both."""

    def __init__(self, folder: jinja2.FileSystemBytecodeCache | None):
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = _COMPILED.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code
        elif self.folder is not None:
            self.folder.load_bytecode(bucket)  # checks the checksum: a changed template is compiled again
            if bucket.code is not None:
                _keep(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        _keep(bucket)
        if self.folder is not None:
            self.folder.dump_bytecode(bucket)


def _keep(bucket: jinja2.bccache.Bucket) -> None:
    assert bucket.code is not None
    _COMPILED[(bucket.key, bucket.checksum)] = bucket.code
    while len(_COMPILED) > _COMPILED_KEPT:
        del _COMPILED[next(iter(_COMPILED))]


def make_env(dirs: list[Path], bytecode_dir: Path | None = None) -> SandboxedEnvironment:
    folder = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            folder = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
        except OSError:
            folder = None  # compiling every time is slower, never wrong
    # theme: the project's folder in front of the engine's, and the engine's files as "default:NAME"
    env = SandboxedEnvironment(loader=make_loader(dirs), bytecode_cache=_Bytecode(folder),
                               autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["css_string"] = css_string
    env.globals["content_security_policy"] = content_security_policy
    env.globals["_"] = i18n.gettext  # engine words in the edition's language (render_html sets it)
    env.globals["page_counter"] = page_counter
    return env


CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'{wasm}; style-src 'self'{styles}; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")


def content_security_policy(*inline_styles: str, wasm: bool = False) -> str:
    """The policy every page carries: nothing inline runs and nothing foreign loads, whatever the
    sanitiser may miss (OWASP's second line). A page's own inline style elements are allowed by hash; the search
    page may compile WebAssembly (`wasm`: Pagefind's, from the site itself), which evaluates no script."""
    hashes = "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(str(s).encode()).digest()).decode()}'"
                     for s in inline_styles)
    return CONTENT_SECURITY_POLICY.format(styles=hashes, wasm=" 'wasm-unsafe-eval'" if wasm else "")


def channel_notice(channel: Marking) -> dict | None:
    """What a page says of the channel its site was built for: nothing on a public (CLEAR) site; above it, the
    label every page shows in its banner, so a restricted copy is never mistaken for the public one."""
    return None if channel.public else {"label": channel.label, "css": channel.css}


def css_string(text: str) -> str:
    """Escape text for a double-quoted CSS string inside <style>: every non-alphanumeric becomes a hex escape
    (ended by one space, which CSS consumes as the terminator)."""
    return "".join(ch if ch.isalnum() and ch.isascii() or ch == " " else f"\\{ord(ch):06x} " for ch in str(text)
                   if ch not in PENDING)  # a pending translation's marks belong to the page's text, not its CSS


PENDING = "\ue000\ue001"  # translations.PENDING_START and PENDING_END


def page_counter() -> Markup:
    """'Page X of Y' as CSS content for @page, in the language of the edition being rendered (every character of
    its strings a CSS escape, so it is safe inside <style>)."""
    return Markup(i18n.css_counter_text(i18n.gettext("Page %(page)s of %(pages)s")))


def list_templates(dirs: list[Path]) -> set[str]:
    return template_names(dirs)  # theme: includes the engine's templates as "default:NAME"


def mark_safe(value):
    """Pre-sanitised `*_html` strings become Markup, so templates never need `|safe`. The templates get plain
    dicts and lists of their own (a frozen resolved brief's mappings and tuples too)."""
    if isinstance(value, Mapping):
        return {k: (Markup(v) if k.endswith("_html") and isinstance(v, str) else mark_safe(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mark_safe(v) for v in value]
    return value


def render_html(brief: Mapping, env: SandboxedEnvironment, page: dict) -> str:
    try:
        template = env.get_template(brief["template"])
        with i18n.use(brief.get("language", i18n.SOURCE_LANGUAGE)):
            return template.render(brief=mark_safe(brief), page=page)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.filename or exc.name or brief["template"], exc.lineno, exc.message or "syntax error") from None
    except (jinja2.UndefinedError, jinja2.TemplateError, TypeError) as exc:
        name, line = template_frame(exc, brief["template"])
        raise TemplateError(name, line, str(exc)) from None


def template_frame(exc: BaseException, default: str) -> tuple[str, int]:
    """The innermost template file and line in a traceback (Jinja compiles templates to code)."""
    name, line = default, 0
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".html"):
            name, line = code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return name, line


# A word of five or more characters with a digit or two capitals: an acronym, a model or chip name, an id.
# Hyphenation dictionaries split these where no reader would (HB-M2e), so print wraps them in a
# <span class="nh"> that print.css keeps whole. A word joined to another by a hyphen (H200-class, Armv8-A)
# is left alone: WeasyPrint 70 mis-breaks a line ending in an inline box next to a hyphen, leaving the
# paragraph's first word alone on its line ("A" / "BIS final rule ...", as the compliance note printed);
# its parts are short, and print.css's hyphenate-limit-chars never splits a word under six letters. (Word
# joiners between the letters kept such words whole too, but PDF text extractors other than pdftotext
# return them, so bookmarks and copied text read "G\u2060L\u2060M".)
_UNBREAKABLE = re.compile(r"(?<![\w&#-])(?=\w*[A-Za-z])(?=\w*(?:\d|[A-Z]\w*[A-Z]))[A-Za-z0-9]\w{4,}(?<![_])(?![\w-])")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_WBR = re.compile(r"<wbr\s*/?>", re.I)
_ADDRESS = re.compile(r'<a\s[^>]*\bclass="url[" ]', re.I)  # citations.url_html's links ("url" or "url dead")
# A link from a brief's item to its own page on the site (macros.html `permalink`): the site's, not the paper's.
_PERMALINK = re.compile(r' ?<a class="permalink\b[^>]*>[^<]*</a>')
PRINT_MARKS = "nh-3 wbr-1 wj-1 pl-1"  # part of a download's cache key: change it when print_html changes


def _span_whole(match: re.Match) -> str:
    return f'<span class="nh">{match.group(0)}</span>'


def print_html(html: str) -> str:
    """The page as print lays it out: words hyphenation would mangle wrapped in <span class="nh">; each
    <wbr> (the break opportunities of citations.url_html's addresses) the zero-width space it stands for,
    which breaks a line the same and draws nothing (WeasyPrint lays a <wbr> out as two empty inline boxes,
    each a link annotation of its own inside a link); and in an address, a word joiner after each hyphen,
    so a line breaks before a hyphen and never after it, where a reader (and pdftotext, which then drops
    it) would take it for hyphenation. Only the text of the body, never markup, scripts or styles, is
    touched; the page itself (what verify reads of it, what a reader copies from it) is unchanged,
    and the PDF's text layer reads the same. The links to each record's page on the site are left out: a PDF
    travels alone, and without them it is the same PDF, byte for byte, as before the site had such pages."""
    head, sep, body = html.partition("<body")
    if not sep:
        return html
    body = _PERMALINK.sub("", body)
    parts = _TAG_OR_TEXT.split(body)
    skip = address = False
    for i, part in enumerate(parts):
        if part.startswith("<"):
            name = part[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            if name in ("script", "style"):
                skip = not part.startswith("</")
            elif name == "a":
                address = bool(_ADDRESS.match(part))
            elif not skip and _WBR.fullmatch(part):
                parts[i] = "\u200b"
        elif i and not skip and part:
            # An address (print.css: hyphens: manual) breaks only at its <wbr>s, so only its hyphens need a joiner.
            parts[i] = part.replace("-", "-\u2060") if address else _UNBREAKABLE.sub(_span_whole, part)
    return head + sep + "".join(parts)


class _Marks(HTMLParser):
    """Collects the integrity marks templates put on rendered items."""

    def __init__(self):
        super().__init__()
        self.caveats: dict[str, int] = {}
        self.facts: dict[str, int] = {}
        self.labels: dict[str, int] = {}
        self.unknowns: set[str] = set()
        self.judgments: dict[str, int] = {}
        self.unverified: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key, table in (("data-caveat", self.caveats), ("data-fact", self.facts), ("data-status-label", self.labels),
                           ("data-judgment", self.judgments), ("data-unverified", self.unverified)):
            if a.get(key):
                table[a[key]] = table.get(a[key], 0) + 1
        if a.get("data-unknown"):
            self.unknowns.add(a["data-unknown"])


class _JudgmentNumbers(HTMLParser):
    """The number a reader sees beside each judgment in an ordered list (its `start`, `value`, position)."""

    def __init__(self):
        super().__init__()
        self.lists: list[list] = []  # open lists: [tag, next number]
        self.numbers: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("ol", "ul"):
            start = a.get("start") or "1"
            self.lists.append([tag, int(start) if start.lstrip("-").isdigit() else 1])
        elif tag == "li" and self.lists:
            current = self.lists[-1]
            if a.get("value", "").lstrip("-").isdigit():
                current[1] = int(a["value"])
            if current[0] == "ol" and a.get("data-judgment"):
                self.numbers.append((current[1], a["data-judgment"]))
            current[1] += 1

    def handle_endtag(self, tag):
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()


def judgment_numbering(brief: Mapping, html: str) -> list[str]:
    """Warnings for judgments a reader sees under the same number: 'judgment 1' must name one judgment."""
    parser = _JudgmentNumbers()
    parser.feed(html)
    by_number: dict[int, list[str]] = {}
    for number, judgment_id in parser.numbers:
        by_number.setdefault(number, []).append(judgment_id)
    return [f"brief '{brief['id']}': template '{brief['template']}' numbers {len(ids)} judgments {number} "
            f"({', '.join(repr(i) for i in ids)}); number key judgments once across the brief (start each list "
            "at its first judgment's number, j.n, as partials/macros.html does)"
            for number, ids in sorted(by_number.items()) if len(ids) > 1]


def check_rendered(brief: Mapping, html: str) -> list[str]:
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
    for judgment_id in brief["required"].get("unverified", []):  # a judgment standing partly on a claim or estimate
        shown = marks.judgments.get(judgment_id, 0)
        if marks.unverified.get(judgment_id, 0) < max(shown, 1):
            how = "shows it without saying so" if shown else "does not render it with that said"
            problems.append(f"brief '{brief['id']}': judgment '{judgment_id}' rests partly on facts that are only "
                            f"claimed, disputed or estimated, but template '{brief['template']}' {how} (the 'Rests "
                            "partly on unverified claims' label, data-unverified)")
    return problems
