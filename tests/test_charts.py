"""Each registered chart kind: its points from the project, its generated alt text, and the SVG it draws,
parsed back (texts, bars, dots and their colours)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from helpers import FIXTURES, REPO, copy_project

from briefwright.builder.pipeline import check
from briefwright.render.charts import CHART_KINDS, chart_style, draw_svg, read_tokens
from briefwright.resolve.present import number_display

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"

# Added to the sample project: a third quantity (disputed), one chart of each kind.
EXTRA = """facts:
  - id: clone-speed
    statement: A clone runs at 30 or 45 units per hour, depending on whom you ask.
    sources: [trade-paper, maker-blog]
    status: conflicting
    confidence: low
    as_of: 2026-02-01
    quantity: {value: 30, unit: units/h, measure: throughput, label: Clone}
    sides:
      - statement: The trade paper measured 30.
        sources: [trade-paper]
      - statement: The maker says 45.
        sources: [maker-blog]

charts:
  - id: three-speeds
    kind: bar
    title: Three speeds
    facts: [rival-speed, widget-speed, clone-speed]
  - id: two-shares
    kind: split
    title: Shares of throughput
    facts: [widget-speed, rival-speed]
  - id: dates
    kind: timeline
    title: Widget dates
    events: [review, launch]
    highlight: launch
"""
CASES = {"bar": "three-speeds", "split": "two-shares", "timeline": "dates"}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("charts") / "project")
    (root / "content" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    loaded = check(root).project
    return loaded


@pytest.fixture(scope="module")
def style():
    return chart_style(read_tokens(REPO / "templates" / "static" / "tokens.css"))


def drawn(project, style, kind):
    chart = project.charts[CASES[kind]]
    assert chart.kind == kind
    points = CHART_KINDS[kind].points(chart, project)
    return chart, points, ET.fromstring(draw_svg(kind, points, style))


def texts(root) -> list[str]:
    return [t.text for t in root.iter(SVG + "text")]


def data_patches(root) -> list[dict]:
    """Filled shapes drawn inside the plot area (bars, segments): clipped patches, in drawing order."""
    found = []
    for group in root.iter(SVG + "g"):
        if group.get("id", "").startswith("patch_"):
            for path in group.findall(SVG + "path"):
                if path.get("clip-path"):
                    xs = [float(x) for x in re.findall(r"(-?[\d.]+) -?[\d.]+", path.get("d"))]
                    found.append({"style": path.get("style"), "x0": min(xs), "x1": max(xs), "width": max(xs) - min(xs)})
    return found


def test_every_registered_kind_is_tested_here():
    assert sorted(CHART_KINDS) == sorted(CASES)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_svg_is_deterministic_and_sized_from_the_style(project, style, kind):
    chart = project.charts[CASES[kind]]
    points = CHART_KINDS[kind].points(chart, project)
    first = draw_svg(kind, points, style)
    assert draw_svg(kind, points, style) == first
    root = ET.fromstring(first)
    assert root.tag == SVG + "svg" and root.get("width") == f"{style['width'] * 72:.1f}pt"
    assert b"<script" not in first and b"Date" not in first


def test_bar_points_description_and_svg(project, style):
    chart, points, root = drawn(project, style, "bar")
    assert [(p["fact"], p["label"], p["value"], p["unit"], p["status"]) for p in points] == [
        ("rival-speed", "Rival", 90, "units/h", "reported"),
        ("widget-speed", "Widget", 120, "units/h", "claimed"),
        ("clone-speed", "Clone", 30, "units/h", "conflicting")]
    assert CHART_KINDS["bar"].describe(chart.title, points) == (
        "Bar chart, Three speeds. Throughput in units/h: Rival 90; Widget 120; Clone 30. Hatched bars are claims or "
        "disputed figures, not verified: Widget (claimed by the subject, not verified), Clone (sources conflict).")
    words = texts(root)
    for label in ("Rival", "Widget", "Clone", "90", "120 (claimed)", "30 (disputed)", "throughput (units/h)"):
        assert label in words, label
    bars = data_patches(root)
    assert len(bars) == 3
    # Drawn bottom-up (the first point on top): Clone, Widget, Rival; claims hatched in the muted colour.
    assert [b["width"] / bars[2]["width"] for b in bars] == pytest.approx([30 / 90, 120 / 90, 1], rel=1e-3)
    assert len({round(b["x0"], 2) for b in bars}) == 1  # every bar starts at zero
    hatched = [b for b in bars if "url(#h" in b["style"]]
    assert len(hatched) == 2 and f"fill: {style['accent']}" in bars[2]["style"]
    backgrounds = [rect.get("fill") for pattern in root.iter(SVG + "pattern") for rect in pattern.iter(SVG + "rect")]
    assert backgrounds == [style["muted"]]  # one hatch pattern, shared by both claims


def test_split_points_description_and_svg(project, style):
    chart, points, root = drawn(project, style, "split")
    assert [(p["label"], p["value"]) for p in points] == [("Widget", 120), ("Rival", 90)]
    assert CHART_KINDS["split"].describe(chart.title, points) == (
        "Stacked bar, Shares of throughput. Total 210 units/h: Widget 120 (57%); Rival 90 (43%). Hatched bars are "
        "claims or disputed figures, not verified: Widget (claimed by the subject, not verified).")
    words = texts(root)
    for label in ("Widget", "Rival", "120", "90", "210 units/h"):  # the whole, above the bar's end
        assert label in words, label
    segments = data_patches(root)
    assert len(segments) == 2
    assert segments[0]["width"] / segments[1]["width"] == pytest.approx(120 / 90, rel=1e-3)
    assert segments[0]["x1"] == pytest.approx(segments[1]["x0"], abs=0.01)  # side by side, one bar
    assert "url(#h" in segments[0]["style"] and f"fill: {style['second']}" in segments[1]["style"]


def test_split_without_claims_says_nothing_about_hatching(project, style):
    points = [{**p, "status": "confirmed", "status_label": "Confirmed", "flagged": False}
              for p in CHART_KINDS["split"].points(project.charts["two-shares"], project)]
    assert "Hatched" not in CHART_KINDS["split"].describe("Shares", points)
    assert "url(#h" not in draw_svg("split", points, style).decode()


def test_timeline_points_description_and_svg(project, style):
    chart, points, root = drawn(project, style, "timeline")
    assert chart.events == ["review", "launch"]
    assert [(p["event"], p["date"], p["date_display"], p["highlight"]) for p in points] == [
        ("launch", "2026-01-10", "10 January 2026", True), ("review", "2026-01-20", "20 January 2026", False)]
    assert CHART_KINDS["timeline"].describe(chart.title, points) == (
        "Timeline, Widget dates. 10 January 2026: Widget launched; 20 January 2026: Widget reviewed. "
        "Marked: Widget launched.")
    labels = {t.text: t.get("style") for t in root.iter(SVG + "text")}
    assert "font-weight: 700" in labels["10 January 2026  Widget launched"]
    assert "font-weight" not in labels["20 January 2026  Widget reviewed"]
    dots = [use for group in root.iter(SVG + "g") if group.get("id", "").startswith("line2d_")
            for clipped in group.findall(SVG + "g") if clipped.get("clip-path") for use in clipped.findall(SVG + "use")]
    assert len(dots) == 2
    first, second = sorted(dots, key=lambda u: float(u.get("y")))  # the earliest event is the top row
    assert f"fill: {style['alert']}" in first.get("style") and f"fill: {style['accent']}" in second.get("style")
    assert float(first.get("x")) < float(second.get("x"))  # later dates further right


def test_split_values_printed_on_their_segments_reach_text_contrast(project, style):
    """WCAG 1.4.3: a segment's value, printed on it at 8.5 pt, needs 4.5:1 against the segment's colour."""
    from matplotlib.colors import to_rgb

    def luminance(colour):
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    _, points, root = drawn(project, style, "split")
    patterns = {pattern.get("id"): pattern.find(SVG + "rect").get("fill") for pattern in root.iter(SVG + "pattern")}
    fills = [re.search(r"fill: (#[0-9a-f]{6}|url\(#([^)]+)\))", segment["style"]) for segment in data_patches(root)]
    fills = [patterns[found.group(2)] if found.group(2) else found.group(1) for found in fills]  # a hatch's ground
    values = [t for t in root.iter(SVG + "text") if t.text in {number_display(p["value"]) for p in points}]
    assert len(fills) == len(values) == 2
    for fill, value in zip(fills, values, strict=True):
        found = re.search(r"fill: (#[0-9a-f]{6})", value.get("style"))
        ink = found.group(1) if found else "#000000"  # SVG's default fill
        lighter, darker = sorted((luminance(fill), luminance(ink)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, f"{value.text} in {ink} on {fill}"


LONG = [{"event": "licence", "date": "2024-09-06", "date_display": "6 September 2024", "kind": "rule", "highlight": True,
         "title": "Dutch licence requirement extended to the servicing and spare parts of older immersion scanners"},
        {"event": "rule", "date": "2024-12-02", "date_display": "2 December 2024", "kind": "rule", "highlight": False,
         "title": "Rule"}]


def test_timeline_wraps_long_labels_and_keeps_every_label_inside_the_figure(style):
    """A long event title wraps onto more lines (the chart grows), never runs off the left edge."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    kind = CHART_KINDS["timeline"]
    assert kind.height(LONG) > kind.height(LONG[1:] * 2)
    root = ET.fromstring(draw_svg("timeline", LONG, style))
    label = [t for t in root.iter(SVG + "text") if "Dutch" in "".join(t.itertext())]
    assert label, texts(root)
    words = " ".join(" ".join(t.itertext()) for t in root.iter(SVG + "text"))
    assert "older immersion scanners" in words and "6 September 2024" in words
    fig = Figure(figsize=(style["width"], kind.height(LONG)))
    FigureCanvasAgg(fig)
    kind.draw(fig, LONG, style)
    renderer = fig.canvas.get_renderer()
    for text in fig.axes[0].texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (text.get_text(), box)


def test_timeline_within_one_year_has_more_than_one_tick(style):
    root = ET.fromstring(draw_svg("timeline", LONG, style))
    ticks = [" ".join(g.itertext()).strip() for g in root.iter(SVG + "g") if g.get("id", "").startswith("xtick_")]
    assert len([t for t in ticks if t]) >= 3, ticks
