"""Themes that layer: a project's own `templates/` folder in front of the engine's.

A project overrides only what it names, and builds on the rest:

- templates: a file in the project's folder hides the engine's file of the same name; the engine's
  file stays reachable as `default:NAME` (`{% extends "default:base.html" %}`), so a project page
  can override one block of the engine's page instead of copying it (`make_loader`);
- checks: a template that extends itself is a located problem found before anything is rendered
  (`check_theme`).

Nothing here renders; render.py builds the Jinja environment with `make_loader`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2 import nodes

from .diagnostics import Collector, Loc

ENGINE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
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
    for folder in folders:
        if (folder / rel).is_file():
            return folder / rel
    return None


def _extends_tags(path: Path, dirs: list[Path]) -> list[_Extends]:
    """The `{% extends "..." %}` tags with a literal name; a template that does not parse is left to rendering,
    which reports its syntax error with the line."""
    text = path.read_text(encoding="utf-8")
    try:
        tree = _PARSER.parse(text)
    except jinja2.TemplateSyntaxError:
        return []
    lines = text.split("\n")
    tags = []
    for node in tree.find_all(nodes.Extends):
        if not (isinstance(node.template, nodes.Const) and isinstance(node.template.value, str)):
            continue  # a computed name: nothing to check before rendering
        name, line = node.template.value, node.template.lineno
        found = re.search(r"""(["'])""" + re.escape(name) + r"\1", lines[line - 1]) if line <= len(lines) else None
        tags.append(_Extends(name, _resolve(name, dirs), line, found.start() + 1 if found else 1))
    return tags


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


def _report_loop(loop: list[Path], dirs: list[Path], tags_of, out: Collector) -> None:
    """`loop[i]` extends `loop[i + 1]` and the last extends the first."""
    at = next((i for i, p in enumerate(loop) if not p.is_relative_to(ENGINE_TEMPLATES)), 0)
    path, nxt = loop[at], loop[(at + 1) % len(loop)]
    tag = next(t for t in tags_of(path) if t.target == nxt)
    name = _display(path, dirs)
    engine_has = (ENGINE_TEMPLATES / name).is_file() and not path.is_relative_to(ENGINE_TEMPLATES)
    hint = f'use {{% extends "{DEFAULT}:{name}" %}} to extend the engine\'s template' if engine_has else None
    if len(loop) == 1:
        message = f"template '{name}' extends itself; " + (hint or "it would never finish rendering")
    else:
        chain = " -> ".join(_display(p, dirs) for p in loop[at:] + loop[:at] + [path])
        message = (f"template '{name}' extends '{tag.name}', which leads back to it ({chain}); "
                   "a template cannot extend itself, directly or through others")
    out.error(Loc(path, tag.line, tag.col), message, hint=hint)


def check_theme(dirs: list[Path], out: Collector) -> None:
    """Everything about the template layers that can be checked before rendering."""
    check_extends(dirs, out)
