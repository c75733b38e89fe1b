"""`briefwright docs`: where the guides are, and, asked for a browser, the guides as pages opened in it.

The wheel carries docs/ as package data (setup.py copies it to briefwright/docs), so a desk that installed
the tool has the guides of the version it runs; a checkout reads the repository's docs/ (resources.py).
The guides are Markdown: `--open` writes each as an HTML page into a new temporary folder (the installed
package may be read-only, and a browser reads the page after this command has ended) and opens the index.
"""
from __future__ import annotations

import html
import re
import shutil
import tempfile
import webbrowser
from pathlib import Path

from briefwright.core.resources import DOCS

# The guides a desk reads first, in reading order; any other guide follows by name.
FIRST = ("authoring.md", "theming.md", "architecture.md")

_MD_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:)([^"#]*?)\.md(#[^"]*)?"')


def guides() -> list[tuple[Path, str]]:
    """Each guide and its title (its first heading), the ones a desk reads first at the top."""
    found = sorted(DOCS.glob("*.md"), key=lambda p: (FIRST.index(p.name) if p.name in FIRST else len(FIRST), p.name))
    return [(path, _title(path)) for path in found]


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def listing() -> str:
    """What `briefwright docs` prints: the folder, then each guide with its title."""
    lines = [f"Briefwright's guides are in {DOCS}:"]
    lines += [f"  {path.name:<24} {title}" for path, title in guides()]
    lines.append("`briefwright docs --open` shows them in a web browser.")
    return "\n".join(lines)


def html_copy(out: Path) -> Path:
    """The guides as HTML pages in `out` (with what they link to), links between guides kept; returns the index."""
    import markdown  # a dependency of the engine already (content Markdown)
    shutil.copytree(DOCS, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    items = []
    for path, title in guides():
        body = markdown.markdown(path.read_text(encoding="utf-8"), extensions=["tables", "fenced_code", "toc"])
        body = _MD_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)
        (out / path.with_suffix(".html").name).write_text(_page(title, body), encoding="utf-8")
        items.append(f'<li><a href="{html.escape(path.stem)}.html">{html.escape(title)}</a></li>')
    index = out / "index.html"
    index.write_text(_page("Briefwright guides", "<h1>Briefwright guides</h1>\n<ul>\n" + "\n".join(items) + "\n</ul>"),
                     encoding="utf-8")
    return index


def _page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}"
            "pre,code{font-size:.9em}pre{overflow-x:auto;background:#f4f4f4;padding:.5rem}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .4rem;vertical-align:top}</style>\n"
            f"</head><body>\n{body}\n</body></html>\n")


def open_in_browser() -> tuple[Path, bool]:
    """The guides written as pages into a new temporary folder and its index opened; whether a browser took it."""
    index = html_copy(Path(tempfile.mkdtemp(prefix="briefwright-docs-")))
    return index, webbrowser.open(index.as_uri())
