"""Themes that layer: a project's own `templates/` folder in front of the engine's.

A project overrides only what it names, and builds on the rest:

- templates: a file in the project's folder hides the engine's file of the same name; the engine's
  file stays reachable as `default:NAME` (`{% extends "default:base.html" %}`), so a project page
  can override one block of the engine's page instead of copying it (`make_loader`);
- tokens: the project's `static/tokens.css` overrides single variables of the engine's tokens and
  may add new ones; the site gets the merged file, and so do the charts (`write_tokens`);
- checks: a template that extends itself, and a tokens file the build could not use as written,
  are located problems found before anything is rendered (`check_theme`).

Nothing here renders; render.py builds the Jinja environment with `make_loader`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.loaders import split_template_path

from briefwright.core.diagnostics import Collector, Loc
from briefwright.core.resources import DEFAULT_THEME

ENGINE_TEMPLATES = DEFAULT_THEME  # the packaged theme, or the checkout's templates/ (resources.py)
DEFAULT = "default"  # `default:NAME` is NAME in the engine's folder, whatever the project's folder holds


# --- templates ---------------------------------------------------------------------------------

def make_loader(dirs: list[Path]) -> jinja2.BaseLoader:
    """`default:NAME` from the engine's folder only; any other name from the first folder that has it."""
    return jinja2.ChoiceLoader([
        jinja2.PrefixLoader({DEFAULT: jinja2.FileSystemLoader(str(ENGINE_TEMPLATES))}, delimiter=":"),
        jinja2.FileSystemLoader([str(d) for d in dirs]),
    ])


def _names(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}


def template_names(dirs: list[Path]) -> set[str]:
    """Every name the loader serves: the folders' templates and the engine's as `default:NAME`."""
    names = set().union(*(_names(d) for d in dirs)) if dirs else set()
    return names | {f"{DEFAULT}:{n}" for n in _names(ENGINE_TEMPLATES)}


_PARSER = jinja2.Environment()  # parses template text to find `extends`; never renders anything


@dataclass(frozen=True)
class _Extends:
    name: str  # as written in the tag
    target: Path | None  # the file the loader would serve for it
    line: int
    col: int


def _resolve(name: str, dirs: list[Path]) -> Path | None:
    prefix, sep, rest = name.partition(":")
    folders, rel = ([ENGINE_TEMPLATES], rest) if sep and prefix == DEFAULT else (dirs, name)
    try:
        pieces = split_template_path(rel)  # as the loader does: no '..', no absolute names
    except jinja2.TemplateNotFound:
        return None
    for folder in folders:
        if folder.joinpath(*pieces).is_file():
            return folder.joinpath(*pieces)
    return None


def _extends_tags(path: Path, dirs: list[Path]) -> list[_Extends]:
    """The `{% extends "..." %}` tags with a literal name; a template that does not parse is left to rendering,
    which reports its syntax error with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    return [_Extends(name, _resolve(name, dirs), line, col) for name, line, col in _literal_extends(text)]


@lru_cache(maxsize=256)
def _literal_extends(text: str) -> tuple[tuple[str, int, int], ...]:
    """Name, line and column of each `extends` tag with a literal name in a template's text. Kept by the text: every
    check parses the same templates again (a warm process, the tests), and parsing them was most of a small
    project's check."""
    if "extends" not in text:
        return ()  # no tag to find: parsing every partial template cost a tenth of a no-op build
    try:
        tree = _PARSER.parse(text)
    except jinja2.TemplateSyntaxError:
        return ()
    lines = text.split("\n")
    tags = []
    for node in tree.find_all(nodes.Extends):
        if not (isinstance(node.template, nodes.Const) and isinstance(node.template.value, str)):
            continue  # a computed name: nothing to check before rendering
        name, line = node.template.value, node.template.lineno
        found = re.search(r"""(["'])""" + re.escape(name) + r"\1", lines[line - 1]) if line <= len(lines) else None
        tags.append((name, line, found.start() + 1 if found else 1))
    return tuple(tags)


def _display(path: Path, dirs: list[Path]) -> str:
    """The name a template is loaded by: the engine's own file, hidden by a project file, is `default:NAME`."""
    for folder in dirs:
        if path.is_relative_to(folder):
            rel = path.relative_to(folder).as_posix()
            hidden = folder == ENGINE_TEMPLATES and _resolve(rel, dirs) != path
            return f"{DEFAULT}:{rel}" if hidden else rel
    return path.as_posix()


def check_extends(dirs: list[Path], out: Collector) -> None:
    """A template that extends itself, directly or through others, would recurse until Python gives up:
    report each such loop once, at an `extends` tag in the project's own templates where there is one."""
    edges: dict[Path, list[_Extends]] = {}
    state: dict[Path, str] = {}
    stack: list[Path] = []
    seen: set[frozenset] = set()

    def tags_of(path: Path) -> list[_Extends]:
        if path not in edges:
            edges[path] = _extends_tags(path, dirs)
        return edges[path]

    def visit(path: Path) -> None:
        state[path] = "open"
        stack.append(path)
        for tag in tags_of(path):
            if tag.target is None:
                continue  # a missing template is reported when rendering
            if state.get(tag.target) == "open":
                loop = stack[stack.index(tag.target):]
                if frozenset(loop) not in seen:
                    seen.add(frozenset(loop))
                    _report_loop(loop, dirs, tags_of, out)
            elif tag.target not in state:
                visit(tag.target)
        stack.pop()
        state[path] = "done"

    for folder in dirs:
        for path in sorted(folder.rglob("*.html")):
            if path not in state:
                visit(path)


def _report_loop(loop: list[Path], dirs: list[Path], tags_of: Callable[[Path], list[_Extends]], out: Collector) -> None:
    """`loop[i]` extends `loop[i + 1]` and the last extends the first."""
    at = next((i for i, p in enumerate(loop) if not p.is_relative_to(ENGINE_TEMPLATES)), 0)
    path, nxt = loop[at], loop[(at + 1) % len(loop)]
    tag = next(t for t in tags_of(path) if t.target == nxt)
    name = _display(path, dirs)
    engine_has = (ENGINE_TEMPLATES / name).is_file() and not path.is_relative_to(ENGINE_TEMPLATES)
    hint = f'use {{% extends "{DEFAULT}:{name}" %}} to extend the engine\'s template' if engine_has else None
    if len(loop) == 1:
        message = f"template '{name}' extends itself; " + (hint or "it would never finish rendering")
        hint = None  # already the message's advice
    else:
        chain = " -> ".join(_display(p, dirs) for p in loop[at:] + loop[:at] + [path])
        message = (f"template '{name}' extends '{tag.name}', which leads back to it ({chain}); "
                   "a template cannot extend itself, directly or through others")
    out.error(Loc(path, tag.line, tag.col), message, hint=hint)


# --- tokens --------------------------------------------------------------------------------------

_ENGINE_TOKEN = re.compile(r"(--[a-z0-9-]+)(\s*:\s*)([^;]*?)(\s*;)")  # the engine's own file: one `--name: value;` each
_NAME = re.compile(r"--[a-z0-9]+(?:-[a-z0-9]+)*")
_VAR = re.compile(r"var\(\s*(--[a-zA-Z0-9_-]+)")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")

# What charts.chart_style reads from the tokens, and the form matplotlib can take it in.
CHART_COLOURS = ("ink", "ink-soft", "rule", "accent", "accent-2", "muted", "alert")
CHART_LENGTHS = {"chart-base": "pt", "chart-small": "pt", "chart-width": "in"}


_Report = Callable[[int, int, str], None]  # (line, column, message)


@dataclass(frozen=True)
class Token:
    name: str  # with the leading `--`
    value: str
    loc: Loc


def parse_tokens(path: Path, out: Collector) -> list[Token]:
    """The `--name: value;` declarations of a project's tokens file, in order; anything else in it is an error,
    since the merged file keeps only the tokens."""
    import tinycss2  # WeasyPrint's own CSS parser: what it reads here is what the PDF reads

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        out.error(Loc(path, 1, 1), f"tokens file is not UTF-8 text: {exc}")
        return []
    tokens = []

    def error(line: int, col: int, message: str) -> None:
        out.error(Loc(path, line, col), message)

    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "error":
            error(rule.source_line, rule.source_column, f"CSS syntax error in tokens: {rule.message}")
        elif rule.type == "at-rule":
            error(rule.source_line, rule.source_column, f"@{rule.at_keyword} does not belong in tokens.css, which holds "
                  "one ':root' block of '--name: value;' tokens; put it in screen.css or print.css")
        elif tinycss2.serialize(rule.prelude).strip() != ":root":
            error(rule.source_line, rule.source_column, f"rule '{tinycss2.serialize(rule.prelude).strip()}' does not "
                  "belong in tokens.css, which holds one ':root' block of '--name: value;' tokens; "
                  "put it in screen.css or print.css")
        else:
            tokens += _declarations(path, rule, error)
    _check_braces(text, error)
    return tokens


def _declarations(path: Path, rule: Any, error: _Report) -> list[Token]:
    import tinycss2

    found = []
    for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
        line, col = item.source_line, item.source_column
        if item.type == "error":
            error(line, col, f"CSS syntax error in tokens: {item.message}")
            continue
        if item.type != "declaration":
            error(line, col, "only '--name: value;' tokens belong inside ':root' in tokens.css")
            continue
        if not item.name.startswith("--"):
            error(line, col, f"'{item.name}' is a property, not a token; tokens.css sets only custom properties "
                  "such as '--accent'; put properties in screen.css or print.css")
            continue
        if not _NAME.fullmatch(item.name):
            error(line, col, f"token name '{item.name}' must be lower-case letters and digits joined by hyphens")
            continue
        runon = _run_on(item.value)
        if runon is not None:
            error(runon.source_line, runon.source_column, f"missing ';' before '{runon.value}' "
                  f"(the value of '{item.name}' runs on into the next token)")
            continue
        value = tinycss2.serialize(item.value).strip()
        if not value:
            error(line, col, f"token '{item.name}' has no value")
        elif item.important:
            error(line, col, f"token '{item.name}' is marked !important; a token is a plain value")
        else:
            found.append(Token(item.name, value, Loc(path, line, col)))
    return found


def _run_on(values: list[Any]) -> Any:
    """The `--next` of `--a: red --next: blue;` (a forgotten ';'): custom property values take any text."""
    meaningful = [v for v in values if v.type not in ("whitespace", "comment")]
    for here, after in zip(meaningful, meaningful[1:], strict=False):
        if here.type == "ident" and here.value.startswith("--") and after.type == "literal" and after.value == ":":
            return here
    return None


def _check_braces(text: str, error: _Report) -> None:
    """tinycss2 closes an unclosed block silently at the end of the file; say so instead."""
    plain = re.sub(r"/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'",
                   lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    opened = []
    for m in re.finditer(r"[{}]", plain):
        if m.group(0) == "{":
            opened.append(m.start())
        elif opened:
            opened.pop()
    for start in opened:
        line = plain.count("\n", 0, start) + 1
        error(line, start - (plain.rfind("\n", 0, start) + 1) + 1, "this '{' is never closed with '}'")


def engine_tokens(text: str) -> dict[str, str]:
    return {m.group(1): m.group(3) for m in _ENGINE_TOKEN.finditer(text)}


def merge_tokens(base: str, overrides: list[Token]) -> str:
    """The engine's tokens text with each overridden value replaced in place and new tokens added before its
    closing brace, in the order the project wrote them; a token set twice keeps its last value."""
    last = {}
    for token in overrides:
        last[token.name] = token.value
    known = engine_tokens(base)

    def replace(m: re.Match) -> str:
        name = m.group(1)
        return m.group(1) + m.group(2) + last[name] + m.group(4) if name in last else m.group(0)

    merged = _ENGINE_TOKEN.sub(replace, base)
    added = "".join(f"  {name}: {value};\n" for name, value in last.items() if name not in known)
    if added:
        close = merged.rindex("}")
        merged = merged[:close] + added + merged[close:]
    return merged


def _token_layers(static_dirs: list[Path]) -> list[Path]:
    """The tokens files of the static folders, first folder first; the last one is the base."""
    return [d / "tokens.css" for d in static_dirs if (d / "tokens.css").is_file()]


def write_tokens(static_dirs: list[Path], dest: Path, house: list[Token] | None = None) -> None:
    """Write the merged tokens to `dest`: the engine's, then the project's tokens.css, then project.yaml's
    colours and fonts (`house`). With neither, nothing is written: the file already copied there is the
    engine's, byte for byte."""
    layers = _token_layers(static_dirs)
    if len(layers) < 2 and not house:
        return
    scratch = Collector()  # check_theme has reported the problems already; the build stops on errors first
    merged = layers[-1].read_text(encoding="utf-8")
    for layer in reversed(layers[:-1]):
        merged = merge_tokens(merged, parse_tokens(layer, scratch))
    if house:
        merged = merge_tokens(merged, house)
    dest.write_text(merged, encoding="utf-8")


def check_tokens(dirs: list[Path], out: Collector) -> None:
    """Problems in a project's tokens file, located: syntax (error), values the charts cannot read (error),
    and tokens that neither override the engine's nor are used by any stylesheet or template (warning)."""
    layers = _token_layers([d / "static" for d in dirs if (d / "static").is_dir()])
    if len(layers) < 2:
        return
    base = engine_tokens(layers[-1].read_text(encoding="utf-8"))
    used = _used_tokens(dirs)
    for layer in layers[:-1]:
        tokens = parse_tokens(layer, out)
        for token in tokens:
            used.update(_VAR.findall(token.value))  # one token may be built from another
        seen: dict[str, Token] = {}
        for token in tokens:
            loc = token.loc
            if token.name in seen:
                out.warning(loc, f"token '{token.name}' is set twice in this file (first at line "
                            f"{seen[token.name].loc.line}); the last value wins")
            seen[token.name] = token
            problem = _chart_problem(token)
            if problem:
                out.error(loc, problem)
            if token.name not in base and token.name not in used:
                from briefwright.core.diagnostics import nearest
                close = nearest(token.name, base)
                hint = ("did you mean " + ", ".join(f"'{c}'" for c in close) + "?") if close else None
                out.warning(loc, f"unknown token '{token.name}': the engine has no such token and no stylesheet or "
                            "template uses it" + (f" ({hint})" if hint else ""), hint=hint)


def _used_tokens(dirs: list[Path]) -> set[str]:
    """Every `var(--name)` in the stylesheets and templates of every layer."""
    used: set[str] = set()
    for folder in dirs:
        for path in folder.rglob("*"):
            if path.suffix in (".css", ".html") and path.is_file():
                used.update(_VAR.findall(path.read_text(encoding="utf-8", errors="replace")))
    return used


def _chart_problem(token: Token) -> str | None:
    """The charts read some tokens with matplotlib, which takes fewer forms than CSS."""
    name, value = token.name[2:], token.value
    if name in CHART_COLOURS and not _HEX.fullmatch(value):
        if css_rgb(value) is None:  # a CSS colour name: matplotlib knows every one webcolors does
            return (f"token '{token.name}' colours the charts too, which read it as '#rrggbb' or a CSS colour "
                    f"name; '{value}' is neither")
    unit = CHART_LENGTHS.get(name)
    if unit and not re.fullmatch(r"\d+(?:\.\d+)?" + unit, value):
        return f"token '{token.name}' sizes the charts, which read it as a number in {unit}; '{value}' is not"
    if name == "font-sans" and not value.split(",")[0].strip().strip("'\""):
        return f"token '{token.name}' names the charts' font; its first family is empty"
    return None


def check_theme(dirs: list[Path], out: Collector) -> None:
    """Everything about the template layers that can be checked before rendering."""
    check_extends(dirs, out)
    check_tokens(dirs, out)


# --- house style from project.yaml ---------------------------------------------------------------

# Text colour on background colour, as the stylesheets pair them; WCAG 2.1 AA asks 4.5:1 for body text.
CONTRAST_PAIRS = [("ink", "paper"), ("ink-soft", "paper"), ("accent", "paper"), ("accent", "wash"), ("ink", "wash"),
                  ("ink-soft", "wash"), ("alert", "paper"), ("alert", "critical-wash"), ("claimed", "claimed-wash"),
                  ("on-ink", "ink"), ("on-ink-soft", "ink")]
AA_TEXT = 4.5
LOGO_SUFFIXES = {".svg": "image/svg+xml", ".png": "image/png"}
MAX_LOGO_BYTES = 1024 * 1024


def house_tokens(settings: Any) -> list[Token]:
    """The tokens project.yaml sets (colours, fonts), located at their keys there."""
    tokens = []
    for group, prefix in ((settings.colours, ""), (settings.fonts, "font-")):
        if group is None:
            continue
        for name in group.field_locs:
            value = getattr(group, name, None)
            if isinstance(value, str):
                tokens.append(Token(f"--{prefix}{name.replace('_', '-')}", value.strip(), group.at(name)))
    return tokens


def _relative_luminance(rgb: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def css_rgb(value: str) -> tuple[float, float, float] | None:
    """A colour written as '#rgb', '#rrggbb' or a CSS colour name, as fractions of full intensity; None for
    anything else (webcolors reads it: a small library, where matplotlib took 0.2 s to import for every check)."""
    import webcolors
    written = value.strip()
    try:
        rgb = webcolors.hex_to_rgb(written) if written.startswith("#") else webcolors.name_to_rgb(written)
    except ValueError:
        return None
    return rgb.red / 255, rgb.green / 255, rgb.blue / 255


def contrast(foreground: str, background: str) -> float | None:
    """The WCAG contrast ratio of two CSS colours, or None when either is not a plain colour."""
    fg, bg = css_rgb(foreground), css_rgb(background)
    if fg is None or bg is None:
        return None
    lighter, darker = sorted((_relative_luminance(fg), _relative_luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_house_style(project_root: Path, settings: Any, dirs: list[Path], out: Collector) -> None:
    """The logo and the colours project.yaml names, and the contrast of every colour pair the pages use,
    with the project's own tokens.css and project.yaml applied over the engine's tokens."""
    if settings.logo:
        logo = (project_root / settings.logo).resolve()
        where = settings.at("logo")
        if not logo.is_relative_to(project_root.resolve()):
            out.error(where, f"logo '{settings.logo}' is outside the project folder; put the file in it")
        elif logo.suffix.lower() not in LOGO_SUFFIXES:
            out.error(where, f"logo '{settings.logo}' must be an SVG or PNG file")
        elif not logo.is_file():
            out.error(where, f"logo '{settings.logo}' not found in the project folder")
        elif logo.stat().st_size > MAX_LOGO_BYTES:
            out.error(where, f"logo '{settings.logo}' is {logo.stat().st_size:,} bytes; the limit is {MAX_LOGO_BYTES:,}")
    house = house_tokens(settings)
    for token in house:
        if not token.name.startswith("--font-") and css_rgb(token.value) is None:
            out.error(token.loc, f"colour '{token.value}' is not '#rrggbb' or a CSS colour name")
    layers = _token_layers([d / "static" for d in dirs if (d / "static").is_dir()])
    if not layers:
        return
    values: dict[str, tuple[str, Loc | None]] = {
        name: (value, None) for name, value in engine_tokens(layers[-1].read_text(encoding="utf-8")).items()}
    for layer in reversed(layers[:-1]):
        for token in parse_tokens(layer, Collector()):  # its own problems are check_tokens' to report
            values[token.name] = (token.value, token.loc)
    for token in house:
        values[token.name] = (token.value, token.loc)
    for fg, bg in CONTRAST_PAIRS:
        (fg_value, fg_loc), (bg_value, bg_loc) = values.get(f"--{fg}", (None, None)), values.get(f"--{bg}", (None, None))
        if fg_value is None or bg_value is None or (fg_loc is None and bg_loc is None):
            continue  # the engine's own pairs are checked by its tests
        ratio = contrast(fg_value, bg_value)
        where = fg_loc or bg_loc
        if ratio is not None and ratio < AA_TEXT and where is not None:
            out.error(where, f"colour '{fg}' {fg_value} on '{bg}' {bg_value} has a contrast of {ratio:.2f}:1; "
                      f"WCAG AA needs {AA_TEXT}:1 for text")


def logo_asset(settings: Any) -> str | None:
    """The logo's file name in the site's assets folder, or None."""
    return f"logo{Path(settings.logo).suffix.lower()}" if settings.logo else None


def icon_asset(settings: Any) -> str:
    """The site's icon: the logo, or the engine's own, so no browser asks for a /favicon.ico that is not there."""
    return logo_asset(settings) or "favicon.svg"
