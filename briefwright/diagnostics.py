"""Located problems: one exception type and a collector that reports them all at once."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Loc:
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
    severity: str = "error"  # "error" or "warning"
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.loc}: {self.severity}: {self.message}"


class ContentError(Exception):
    """Raised for bad content; carries every located problem found so far."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


@dataclass
class Collector:
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, loc: Loc, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(loc, message, "error", hint))

    def warning(self, loc: Loc, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(loc, message, "warning", hint))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ContentError(sorted(self.diagnostics, key=_order))


def _order(d: Diagnostic):
    return (str(d.loc.path), d.loc.line, d.loc.col, d.message)
