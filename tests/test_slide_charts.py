"""A brief's `slide_charts`: charts drawn on its slides only (a deck has room a page-limited PDF lacks). The deck
gets each chart natively, and with it what travels with the facts it draws that the pages do not use: their
caveats (on a slide and in the notes), open questions and sources, numbered after the page's notes. The pages
are unchanged; a translated edition must translate what the deck adds; the deck's read-back check and the
marking check cover the additions; misuse is a located error."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pptx
import pytest
from helpers import FIXTURES, line_of, run_cli
from test_docx import resolved

from briefwright.formats import pptx as slides
from briefwright.resolve.translations import shown_fields

GADGET = """
  - id: gadget-speed
    statement: The gadget runs at 150 units per hour in the lab's test.
    sources: [lab-report]
    status: reported
    confidence: moderate
    as_of: 2026-02-01
    quantity: {value: 150, unit: units/h, measure: throughput, label: Gadget}
"""
LAB = """
  - id: lab-report
    title: Gadget bench test
    publisher: Test Lab
    url: https://example.org/lab
    published: 2026-01-25
    retrieved: 2026-02-01
    kind: report
"""
OTHER = """  - id: lab-conditions
    title: Lab conditions, not a factory floor
    body: The lab ran the gadget for an hour, not a shift.
    severity: major
    applies_to: [gadget-speed]

  - id: speed-untested"""
QUESTION = """unknowns:
  - id: gadget-durability
    question: Does the gadget keep its speed over a week?
    why_it_matters: A fast hour says little about a working week.
    would_resolve: A week-long test.
    facts: [gadget-speed]

"""
CHART = """charts:
  - id: gadget-vs-widget
    kind: bar
    title: Gadget and widget throughput
    facts: [gadget-speed, widget-speed]
"""


def _append(path: Path, marker: str, text: str) -> None:
    old = path.read_text(encoding="utf-8")
    assert marker in old
    path.write_text(old.replace(marker, text, 1), encoding="utf-8")


@pytest.fixture
def desk(tmp_path) -> Path:
    """The minimal project with slides, a fact the pages do not use, its source, caveat and open question, and a
    chart drawing it beside a fact the pages do use."""
    project = shutil.copytree(FIXTURES / "minimal", tmp_path / "project")
    content = project / "content"
    _append(content / "facts.yaml", "facts:\n", "facts:" + GADGET + "\n")
    _append(content / "sources.yaml", "sources:\n", "sources:" + LAB + "\n")
    _append(content / "other.yaml", "  - id: speed-untested", OTHER)
    _append(content / "other.yaml", "unknowns:\n", QUESTION)
    _append(content / "other.yaml", "charts:\n", CHART)
    _append(project / "briefs" / "sample.yaml", "marking: ", "slides: true\nmarking: ")
    return project


def _slide_charts(project: Path, line: str = "slide_charts: [gadget-vs-widget]\n") -> None:
    _append(project / "briefs" / "sample.yaml", "marking: ", line + "marking: ")


def _build(project: Path, out: Path) -> None:
    result = run_cli("build", "--project", project, "--out", out, "--cache-dir", out.parent / "cache", "-j1",
                     "--formats", "html,pptx", cwd=project)
    assert result.code == 0, result.stderr


def test_the_deck_draws_the_chart_with_its_facts_caveats_questions_and_sources(desk, tmp_path):
    before = resolved(desk)["sample"]
    _slide_charts(desk)
    after = resolved(desk)["sample"]
    assert before["slides"] is None
    # The pages are unchanged: every field but the slides' own is what it was.
    assert {k: v for k, v in after.to_data().items() if k != "slides"} == {k: v for k, v in before.to_data().items()
                                                                          if k != "slides"}
    extra = after["slides"]
    assert [c["id"] for c in extra["charts"]] == ["gadget-vs-widget"]
    assert [c["id"] for c in extra["caveats"]] == ["lab-conditions"]  # widget-speed's caveat is on the pages already
    assert extra["caveats"][0]["qualifies"] == "Qualifies the chart “Gadget and widget throughput”."
    assert [u["id"] for u in extra["unknowns"]] == ["gadget-durability"]
    assert [(n["n"], n["id"]) for n in extra["notes"]] == [(len(after["notes"]) + 1, "lab-report")]
    assert [list(pair) for pair in extra["required_caveats"]] == [["gadget-speed", "lab-conditions"]]

    _build(desk, tmp_path / "site")
    folder = tmp_path / "site" / "briefs" / "sample"
    assert "Gadget" not in (folder / "index.html").read_text(encoding="utf-8")
    _prs, read = slides.read_slides((folder / "sample.pptx").read_bytes())
    titles = [s["title"] for s in read]
    assert titles.index("Throughput") < titles.index("Gadget and widget throughput") < titles.index("Caveats")
    chart_slide = read[titles.index("Gadget and widget throughput")]["slide"]
    frame = next(s for s in chart_slide.shapes if s.has_chart)
    assert frame.chart.chart_type == pptx.enum.chart.XL_CHART_TYPE.BAR_CLUSTERED
    assert sorted(frame.chart.plots[0].categories) == ["Gadget", "Widget"]
    assert frame._element.nvGraphicFramePr.cNvPr.get("descr") == extra["charts"][0]["alt"]
    caveats = read[titles.index("Caveats")]
    assert "Major caveat Lab conditions, not a factory floor" in caveats["paragraphs"]
    assert "The lab ran the gadget for an hour, not a shift." in caveats["notes"]
    asked = " ".join(p for s in read if s["title"].startswith("What we don") for p in s["paragraphs"])
    assert "Does the gadget keep its speed over a week?" in asked
    listed = [p for s in read if s["title"].startswith("Sources") for p in s["paragraphs"][1:]]
    assert listed[-1].startswith(f"{len(after['notes']) + 1}. Test Lab") and "Gadget bench test" in listed[-1]


def test_a_translation_must_cover_what_the_deck_adds(desk):
    _slide_charts(desk)
    from briefwright.builder.pipeline import check
    keys = {f.key for f in shown_fields(check(desk, private=False).project, resolved(desk)["sample"])}
    assert {"chart/gadget-vs-widget/title", "caveat/lab-conditions/body", "unknown/gadget-durability/question",
            "source/lab-report/title", "fact/gadget-speed/quantity/unit"} <= keys


def test_a_deck_that_leaves_out_the_charts_caveat_fails_the_build(desk, tmp_path, monkeypatch):
    _slide_charts(desk)
    original = slides.Deck._caveat_index
    monkeypatch.setattr(slides.Deck, "_caveat_index",
                        lambda self: {k: v for k, v in original(self).items() if k != "lab-conditions"})
    result = run_cli("build", "--project", desk, "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1",
                     "--formats", "html,pptx", cwd=desk)
    assert result.code == 1
    assert ("its slides do not show caveat 'lab-conditions' of fact 'gadget-speed' (on a slide and in the notes)"
            in result.stderr), result.stderr
    assert not (tmp_path / "site").exists()


def test_misused_slide_charts_are_located_errors(desk):
    brief = desk / "briefs" / "sample.yaml"
    _slide_charts(desk, "slide_charts: [gadget-vs-widget, speed, gadget-vs-widget]\n")
    result = run_cli("check", "--project", desk, "--diagnostics", "text", cwd=desk)
    line = line_of(brief, "slide_charts:")
    assert result.code == 1
    assert re.search(rf"briefs/sample.yaml:{line}:\d+: error: chart 'speed' is already in section 'Facts', which the "
                     "slides show; list it once", result.stderr), result.stderr
    assert re.search(rf"briefs/sample.yaml:{line}:\d+: error: chart 'gadget-vs-widget' is listed twice in slide_charts",
                     result.stderr), result.stderr
    brief.write_text(brief.read_text(encoding="utf-8").replace("slides: true\n", "").replace(
        "slide_charts: [gadget-vs-widget, speed, gadget-vs-widget]", "slide_charts: [gadget-vs-widget]"), encoding="utf-8")
    result = run_cli("check", "--project", desk, "--diagnostics", "text", cwd=desk)
    assert result.code == 1
    assert re.search(rf"briefs/sample.yaml:{line_of(brief, 'slide_charts:')}:\d+: error: brief 'sample' has "
                     "slide_charts but no slides, so they would never be drawn", result.stderr), result.stderr


def test_the_brief_must_be_marked_for_what_its_slides_show(desk):
    _append(desk / "content" / "other.yaml", "    title: Gadget and widget throughput\n",
            "    title: Gadget and widget throughput\n    marking: AMBER\n")
    _slide_charts(desk)
    result = run_cli("check", "--project", desk, "--diagnostics", "text", cwd=desk)
    assert result.code == 1
    assert "chart 'gadget-vs-widget' is AMBER" in result.stderr, result.stderr
