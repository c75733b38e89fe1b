"""What a chart kind is, and the registry of them (entry points in `briefwright.charts`, the built-ins in
render/charts.py among them). The check layer asks a kind to check a chart definition, resolve asks it for points,
render has it draw; each finds the kind here by name."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from briefwright.core.registry import Registry


@dataclass(frozen=True)
class ChartKind:
    name: str
    check: Callable[..., None]  # (chart, project, out)
    points: Callable[..., list[dict[str, Any]]]  # (chart, project): plain data only
    draw: Callable[..., None]  # (fig, points, style)
    describe: Callable[..., str]  # (chart_title, points): generated alt text
    height: Callable[[list[dict[str, Any]]], float]  # figure height in inches for these points
    own_layout: bool = False  # the kind sets its own margins; otherwise tight_layout is applied
    version: str = ""  # the kind's own version (a desk's package's), in the cache key of every chart drawn with it


CHART_KINDS: Registry[ChartKind] = Registry("briefwright.charts", "chart kind", ChartKind, lambda k: k.name)


def register_chart_kind(kind: ChartKind) -> ChartKind:
    """Register a kind in this process only; a package registers one for every process with an entry point."""
    return CHART_KINDS.add(kind)


def chart_identity(name: str) -> list[str]:
    """What identifies a kind's code in the cache keys of its charts: its package with its version, and its own."""
    return [str(CHART_KINDS.origin(name)), CHART_KINDS[name].version]
