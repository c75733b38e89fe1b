"""Located problems: one exception type and a collector that reports them all at once."""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple


class Loc(NamedTuple):
    """Where something was written. A tuple: hundreds of thousands are made for a large project."""

    path: Path
    line: int = 0  # 1-based; 0 when only the file is known
    col: int = 0

    def display_path(self) -> str:
        try:
            return os.path.relpath(self.path)
        except ValueError:
            return str(self.path)

    def __str__(self) -> str:
        return f"{self.display_path()}:{self.line}:{self.col}"


@dataclass
class Diagnostic:
    loc: Loc
    message: str
    severity: str = "error"  # "error", "warning" or "note" (worth doing; never fails a run, --strict or not)
    hint: str | None = None
    syntax: bool = False  # the file could not be read at all: reported before what follows from it

    def __str__(self) -> str:
        return f"{self.loc}: {self.severity}: {self.message}"


class ContentError(Exception):
    """Raised for bad content; carries every located problem found so far, and how many references
    went unchecked because the file holding their target could not be read (by that file)."""

    def __init__(self, diagnostics: list[Diagnostic], stopped: dict[Path, int] | None = None):
        self.diagnostics = diagnostics
        self.stopped = dict(stopped or {})
        super().__init__("\n".join(str(d) for d in diagnostics))

    def summary(self) -> str:
        """The last line: the count, and which failures stopped the checking of how many references."""
        count = sum(1 for d in self.diagnostics if d.severity == "error")
        line = f"Aborted with {count} error{'s' if count != 1 else ''}"
        causes = []
        for path, refs in sorted(self.stopped.items(), key=lambda item: str(item[0])):
            here = sum(1 for d in self.diagnostics if d.severity == "error" and d.loc.path == path)
            causes.append(f"{here} error{'s' if here != 1 else ''} in {Loc(path).display_path()} stopped checking of "
                          f"{refs} reference{'s' if refs != 1 else ''} (the file could not be read, so its records "
                          "are unavailable)")
        return line + (": " + "; ".join(causes) if causes else "") + "."


@dataclass
class Collector:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # References not checked because their target's file or record could not be loaded, by that file.
    stopped: dict[Path, int] = field(default_factory=dict)

    def error(self, loc: Loc, message: str, hint: str | None = None, syntax: bool = False) -> None:
        self.diagnostics.append(Diagnostic(loc, message, "error", hint, syntax))

    def unchecked(self, cause: Path) -> None:
        self.stopped[cause] = self.stopped.get(cause, 0) + 1

    def warning(self, loc: Loc, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(loc, message, "warning", hint))

    def note(self, loc: Loc, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(loc, message, "note", hint))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ContentError(sorted(self.diagnostics, key=_order), self.stopped)


def _order(d: Diagnostic) -> tuple[Any, ...]:
    """By cause (a file that could not be read first: what follows from it is secondary), then file and line."""
    return (not d.syntax, str(d.loc.path), d.loc.line, d.loc.col, d.message)


def _source_line(path: Path, line: int) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, 1):
                if number == line:
                    return text.rstrip("\n").replace("\t", " ")
    except OSError:
        return None
    return None


def format_pretty(d: Diagnostic) -> str:
    """The diagnostic with the offending line and a caret under the column, then any hint."""
    lines = [str(d)]
    text = _source_line(d.loc.path, d.loc.line) if d.loc.line else None
    if text is not None:
        gutter = str(d.loc.line)
        lines.append(f" {gutter} | {text}")
        lines.append(f" {' ' * len(gutter)} | {' ' * max(d.loc.col - 1, 0)}^")
    if d.hint:
        lines.append(f"  hint: {d.hint}")
    return "\n".join(lines)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def format_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, so the pull request is annotated at the line."""
    kind = {"error": "error", "note": "notice"}.get(d.severity, "warning")
    return (f"::{kind} file={_gh_escape(d.loc.display_path(), True)},line={d.loc.line},col={d.loc.col}::"
            f"{_gh_escape(d.message)}")


def to_json(diagnostics: list[Diagnostic]) -> list[dict[str, Any]]:
    return [{"path": d.loc.display_path(), "line": d.loc.line, "column": d.loc.col, "severity": d.severity,
             "message": d.message, "hint": d.hint} for d in diagnostics]


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def nearest(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    ranked = sorted(candidates, key=lambda c: (edit_distance(word, c), c))
    return [c for c in ranked[:limit] if edit_distance(word, c) <= max(3, len(word) // 2)]
