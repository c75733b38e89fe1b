"""The chart-kind registry and the drawing of charts as SVG in the house style.

A chart kind is a few small functions: `check` (what the definition must hold), `points` (the
numbers, always taken from facts' quantities or events), `draw` (matplotlib), `describe` (the
generated alt text) and `height` (of the figure for its points).
Built-in kinds (BAR, SPLIT, TIMELINE) are entry points in `briefwright.charts`, as a desk's own kind is.
matplotlib is imported only when a chart is actually drawn.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
import warnings
from pathlib import Path
from typing import Any

from briefwright.core.chart_kinds import CHART_KINDS, ChartKind, register_chart_kind  # noqa: F401  register_chart_kind: re-exported
from briefwright.core.diagnostics import Collector
from briefwright.core.i18n import gettext
from briefwright.core.model import Chart, PartialDate
from briefwright.resolve.present import number_display
from briefwright.source.project import Project


def _quantities(chart: Chart, project: Project, out: Collector, need_same_measure: bool) -> None:
    if len(chart.facts) < 2:
        out.error(chart.at("facts"), f"chart '{chart.id}' of kind '{chart.kind}' needs at least two facts")
        return
    seen = None
    for i, fact_id in enumerate(chart.facts):
        fact = project.facts.get(fact_id)
        if fact is None:
            continue  # reported by reference checking
        if fact.quantity is None:
            out.error(chart.at("facts", i), f"chart '{chart.id}' draws fact '{fact_id}', which has no quantity")
            continue
        key = (fact.quantity.measure, fact.quantity.unit) if need_same_measure else (fact.quantity.unit,)
        if seen is None:
            seen = (key, fact_id)
        elif key != seen[0]:
            out.error(chart.at("facts", i), f"chart '{chart.id}' mixes unlike quantities: '{fact_id}' is {' in '.join(key)}, "
                      f"'{seen[1]}' is {' in '.join(seen[0])}")
    if chart.events:
        out.error(chart.at("events"), f"chart '{chart.id}' of kind '{chart.kind}' draws facts, not events")


def _fact_points(chart: Chart, project: Project) -> list[dict]:
    points = []
    for fact_id in chart.facts:
        fact = project.facts[fact_id]
        q = fact.quantity
        assert q is not None  # check() refused charted facts without a quantity
        points.append({"fact": fact.id, "label": q.label, "value": q.value, "unit": q.unit,
                       "measure": q.measure, "status": fact.status.value, "status_label": fact.status.label,
                       "flagged": fact.status.needs_label, "tag": fact.status.chart_tag})
    return points


def _status_note(points: list[dict]) -> str:
    marked = [p for p in points if p["flagged"]]
    if not marked:
        return ""
    listed = gettext(", ").join(f"{p['label']} ({gettext(p['status_label']).lower()})" for p in marked)
    if any(p["tag"] == "estimate" for p in marked):
        return " " + gettext("Hatched bars are claims, disputed figures or estimates, not verified: %(list)s.", list=listed)
    return " " + gettext("Hatched bars are claims or disputed figures, not verified: %(list)s.", list=listed)


def _describe_bar(title: str, points: list[dict]) -> str:
    unit = points[0]["unit"]
    parts = "; ".join(f"{p['label']} {number_display(p['value'])}" for p in points)
    return gettext("Bar chart, %(title)s. %(measure)s in %(unit)s: %(parts)s.", title=title, unit=unit, parts=parts,
                   measure=points[0]["measure"][:1].upper() + points[0]["measure"][1:]) + _status_note(points)


def _describe_split(title: str, points: list[dict]) -> str:
    total = sum(p["value"] for p in points)
    parts = gettext("; ").join(f"{p['label']} {number_display(p['value'])} ({p['value'] / total:.0%})" for p in points)
    return gettext("Stacked bar, %(title)s. Total %(total)s %(unit)s: %(parts)s.", title=title, parts=parts,
                   total=number_display(total), unit=points[0]["unit"]) + _status_note(points)


def _check_timeline(chart: Chart, project: Project, out: Collector) -> None:
    if len(chart.events) < 2:
        out.error(chart.at("events"), f"chart '{chart.id}' of kind 'timeline' needs at least two events")
    if chart.facts:
        out.error(chart.at("facts"), f"chart '{chart.id}' of kind 'timeline' draws events, not facts")
    if chart.highlight and chart.highlight not in chart.events:
        out.error(chart.at("highlight"), f"chart '{chart.id}' highlights event '{chart.highlight}', which it does not draw")


def _timeline_points(chart: Chart, project: Project) -> list[dict]:
    events = sorted((project.events[e] for e in chart.events), key=lambda e: (e.date, e.id))
    return [{"event": e.id, "date": str(e.date), "date_display": e.date.display(), "title": e.title,
             "kind": e.kind.value, "highlight": e.id == chart.highlight} for e in events]


def _describe_timeline(title: str, points: list[dict]) -> str:
    parts = gettext("; ").join(f"{p['date_display']}: {p['title']}" for p in points)
    marked = [p for p in points if p["highlight"]]
    tail = " " + gettext("Marked: %(title)s.", title=marked[0]["title"]) if marked else ""
    return gettext("Timeline, %(title)s. %(parts)s.", title=title, parts=parts) + tail


def _draw_bar(fig, points, style):
    ax = fig.add_subplot()
    labels = [p["label"] for p in points][::-1]
    values = [p["value"] for p in points][::-1]
    flagged = [p["flagged"] for p in points][::-1]
    tags = [p["tag"] for p in points][::-1]
    fills = [style["muted"] if f else style["accent"] for f in flagged]
    bars = ax.barh(labels, values, color=fills, edgecolor=style["ink"], linewidth=0.6, height=0.62)
    top = axis_top(values, points[0]["unit"])
    for bar, flag, tag, value, fill in zip(bars, flagged, tags, values, fills, strict=True):
        if flag:
            bar.set_hatch("////")
        label = number_display(value) + (f" ({tag})" if flag else "")
        y = bar.get_y() + bar.get_height() / 2
        if value + top * 0.01 + top * 0.012 * len(label) > top:  # no room after the bar below the axis' end: inside it
            ax.text(value - top * 0.01, y, label, va="center", ha="right", fontsize=style["small"],
                    color=_label_on(fill, style), bbox={"facecolor": fill, "edgecolor": "none", "pad": 0.5} if flag
                    else None)
        else:
            ax.text(value + top * 0.01, y, label, va="center", fontsize=style["small"], color=style["ink"])
    ax.set_xlim(0, top)
    ax.set_xlabel(f"{points[0]['measure']} ({points[0]['unit']})", fontsize=style["small"], color=style["soft"])
    _house(ax, style, grid_axis="x")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)


PERCENT_UNITS = {"%", "percent", "per cent"}


def axis_top(values: list[float], unit: str) -> float:
    """Where a bar chart's value axis ends: a quarter beyond the longest bar, for its label; a share never runs past
    100% unless the data does (a value axis to 120% reads as though more than the whole were possible)."""
    top = max(values) * 1.25
    if unit.strip().lower() in PERCENT_UNITS and max(values) <= 100:
        top = min(top, 100.0)
    return top


def _draw_split(fig, points, style):
    ax = fig.add_subplot()
    total = sum(p["value"] for p in points)
    left = 0.0
    colours = [style["accent"], style["second"], style["muted"], style["soft"]]
    for i, p in enumerate(points):
        ax.barh([0], [p["value"]], left=left, color=colours[i % len(colours)], edgecolor="white", linewidth=1.5, height=0.5,
                hatch="////" if p["flagged"] else None)
        ax.text(left + p["value"] / 2, 0, f"{number_display(p['value'])}", ha="center", va="center",
                color=_label_on(colours[i % len(colours)], style), fontsize=style["base"], fontweight="bold")
        ax.text(left + p["value"] / 2, -0.42, p["label"], ha="center", va="top", fontsize=style["small"], color=style["ink"], wrap=True)
        left += p["value"]
    # The whole, above the bar's end: a number and the unit (translated with the fact), no engine word to translate.
    ax.text(total, 0.34, f"{number_display(total)} {points[0]['unit']}", ha="right", va="bottom",
            fontsize=style["small"], color=style["soft"])
    ax.set_xlim(0, total)
    ax.set_ylim(-0.9, 0.6)
    ax.axis("off")


TIMELINE_LABEL_CHARS = 70  # a longer label wraps: the label column stays within about 0.6 of the width


def _timeline_label(point: dict) -> list[str]:
    """An event's label as lines: long titles wrap, never cut."""
    return textwrap.wrap(f"{point['date_display']}  {point['title']}", TIMELINE_LABEL_CHARS) or [point["date_display"]]


def _timeline_height(points: list[dict]) -> float:
    extra_lines = sum(len(_timeline_label(p)) - 1 for p in points)
    return 0.3 * len(points) + 0.13 * extra_lines + 0.7


def _draw_timeline(fig, points, style):
    """Labels in a column on the left, one row per event (a long title wrapped onto more lines); dots on a true
    time scale on the right, so close dates never make labels collide and no label is clipped."""
    import matplotlib.dates as mdates

    ax = fig.add_subplot()
    dates = [PartialDate(p["date"]).as_date() for p in points]
    labels = [_timeline_label(p) for p in points]
    # Each row is as tall as its label: one unit per event, plus a little for each wrapped line.
    heights = [1 + 0.45 * (len(lines) - 1) for lines in labels]
    top = sum(heights)
    ys, used = [], 0.0
    for h in heights:
        ys.append(top - used - h / 2 + 0.5)
        used += h
    lo, hi = min(dates), max(dates)
    pad = max((hi - lo) * 0.03, dt.timedelta(days=15))
    for y, d, p, lines in zip(ys, dates, points, labels, strict=True):
        colour = style["alert"] if p["highlight"] else style["accent"]
        weight = "bold" if p["highlight"] else "normal"
        ax.plot([lo - pad, d], [y, y], color=style["rule"], linewidth=0.5, zorder=1)
        ax.plot([d], [y], marker="o", markersize=7 if p["highlight"] else 5, color=colour, zorder=3)
        ax.text(-0.02, y, "\n".join(lines), transform=ax.get_yaxis_transform(), ha="right", va="center",
                multialignment="right", fontsize=style["small"], color=colour if p["highlight"] else style["ink"],
                fontweight=weight, linespacing=1.15)
    ax.set_ylim(0.4, top + 0.6)
    ax.set_yticks([])
    # Ticks that suit the span: years over a long range, months (with the year) within one, never a lone tick.
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # the year shows as an offset when ticks share it
    ax.set_xlim(lo - pad, hi + pad)
    _house(ax, style, grid_axis="x")
    ax.xaxis.get_offset_text().set(fontsize=style["small"], color=style["soft"])
    ax.spines["left"].set_visible(False)
    # Make the label column exactly as wide as the longest label.
    width = fig.get_figwidth() * fig.dpi
    widest = max(t.get_window_extent().width for t in ax.texts) / width
    fig.subplots_adjust(left=min(0.75, widest + 0.04), right=0.97, top=0.97,
                        bottom=0.45 / fig.get_figheight())


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a colour as the tokens give it."""
    from matplotlib.colors import to_rgb

    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour.strip()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _label_on(fill: str, style: dict) -> str:
    """A value printed on a segment needs 4.5:1 against it at its size (WCAG 1.4.3): white, else the ink, else black."""
    def contrast(text: str) -> float:
        lighter, darker = sorted((_luminance(text), _luminance(fill)), reverse=True)
        return (lighter + 0.05) / (darker + 0.05)
    candidates = ["white", style["ink"], "black"]
    return next((c for c in candidates if contrast(c) >= 4.5), max(candidates, key=contrast))


def _house(ax, style, grid_axis):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(style["rule"])
    ax.tick_params(colors=style["soft"], labelsize=style["small"])
    for label in ax.get_yticklabels():
        label.set_color(style["ink"])
        label.set_fontsize(style["base"])
    if grid_axis:
        ax.grid(axis=grid_axis, color=style["rule"], linewidth=0.5)
        ax.set_axisbelow(True)


BAR = ChartKind("bar", lambda c, p, o: _quantities(c, p, o, True), _fact_points, _draw_bar, _describe_bar,
                              height=lambda points: 0.42 * len(points) + 0.8)
SPLIT = ChartKind("split", lambda c, p, o: _quantities(c, p, o, False), _fact_points, _draw_split,
                              _describe_split, height=lambda points: 1.5)
# The timeline sets its own margins for its label column.
TIMELINE = ChartKind("timeline", _check_timeline, _timeline_points, _draw_timeline, _describe_timeline,
                              height=_timeline_height, own_layout=True)


_TOKEN = re.compile(r"--([a-z0-9-]+)\s*:\s*([^;]+);")


def read_tokens(css_path: Path) -> dict[str, str]:
    """The design tokens (CSS custom properties) that charts share with the stylesheets."""
    return {m.group(1): m.group(2).strip() for m in _TOKEN.finditer(css_path.read_text(encoding="utf-8"))}


def chart_style(tokens: dict[str, str]) -> dict:
    def pt(name):
        return float(tokens[name].removesuffix("pt"))
    font = tokens["font-sans"].split(",")[0].strip().strip("'\"")
    return {"font": font, "ink": tokens["ink"], "soft": tokens["ink-soft"], "rule": tokens["rule"],
            "accent": tokens["accent"], "second": tokens["accent-2"], "muted": tokens["muted"],
            "alert": tokens["alert"], "base": pt("chart-base"), "small": pt("chart-small"),
            "width": float(tokens["chart-width"].removesuffix("in"))}


# Glyph fallback for labels in Chinese, Japanese or Korean (fonts-noto-cjk), named only where a label needs it so
# other charts keep their bytes; a font the machine lacks is skipped by matplotlib.
CJK_FALLBACK = ["Noto Sans CJK SC"]
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _fallback(points: list[dict]) -> list[str]:
    return CJK_FALLBACK if any(_CJK.search(str(value)) for p in points for value in p.values()) else []


def _figure(kind: str, points: list[dict], style: dict, fmt: str, dpi: int = 100, **save: Any) -> bytes:
    """Draw with the backend that writes `fmt`, at its resolution, so text measured while laying out
    (the timeline's label column) is measured as it will be drawn."""
    import matplotlib

    matplotlib.use("svg" if fmt == "svg" else "agg", force=True)
    from matplotlib.figure import Figure

    chart_kind = CHART_KINDS[kind]
    fallback = _fallback(points)
    with matplotlib.rc_context({"svg.hashsalt": "briefwright", "svg.fonttype": "none",
                                "font.family": ["sans-serif", *fallback] if fallback else "sans-serif",
                                "font.sans-serif": [style["font"], "DejaVu Sans"],
                                "hatch.color": style["ink"], "hatch.linewidth": 0.5}):
        fig = Figure(figsize=(style["width"], chart_kind.height(points)), dpi=dpi)
        if fmt == "png":  # a canvas of its own keeps one renderer for every text measured, instead of one each
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            FigureCanvasAgg(fig)
        with warnings.catch_warnings():
            if fallback:  # the SVG backend measures with the first font only; the file names the fallback for viewers
                warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
            chart_kind.draw(fig, points, style)
            if not chart_kind.own_layout:
                fig.tight_layout(pad=0.4)
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, **save)
    return buffer.getvalue()


def draw_svg(kind: str, points: list[dict], style: dict) -> bytes:
    """Draw one chart as deterministic SVG bytes (no dates, fixed ids; text stays text, so it is searchable and light to lay out)."""
    return _figure(kind, points, style, "svg", metadata={"Date": None, "Creator": None})


def draw_png(kind: str, points: list[dict], style: dict, dpi: int) -> bytes:
    """The same chart as PNG, for formats that cannot embed SVG alone (Word); no metadata, so the bytes are fixed."""
    return _figure(kind, points, style, "png", dpi=dpi, metadata={"Software": None})
