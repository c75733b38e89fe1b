"""Themes that layer: a project's own `templates/` folder in front of the engine's.

A file in the project's folder hides the engine's file of the same name; the engine's file stays
reachable as `default:NAME` (`{% extends "default:base.html" %}`), so a project page can override
one block of the engine's page instead of copying it (`make_loader`).

Nothing here renders; render.py builds the Jinja environment with `make_loader`.
"""
from __future__ import annotations

from pathlib import Path

import jinja2

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
