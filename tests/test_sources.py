"""Sources a desk really cites: every kind with its own fields, one citation style in the notes, and
citations in an analyst's prose ([@source-id]) numbered with the notes. Read back from the built pages."""
from __future__ import annotations

import html
import re

from helpers import REPO, run_cli

from briefwright.core.diagnostics import Collector
from briefwright.core.markup import citations
from briefwright.source.load import load_project

SOURCES = """sources:
  - id: widget-history
    title: A History of Widgets
    author: Ann Example
    publisher: Example Press
    published: 2024
    kind: book
    pages: 45-47
  - id: engineer-interview
    title: How the widget is serviced
    published: 2026-01-15
    kind: interview
    person: a former Widget Co service engineer
    attribution: not-for-attribution
  - id: roundtable
    title: Widget export rules in practice
    published: 2026-01-20
    kind: conversation
    attribution: chatham-house
  - id: market-report
    title: Widget market 2025
    publisher: Example Analysts
    url: ""
    published: 2025-11
    kind: report
  - id: shipments
    title: Widget shipments by country
    publisher: Example Statistics Office
    url: https://example.org/data/widgets
    archived_url: https://web.archive.org/web/2026/https://example.org/data/widgets
    retrieved: 2026-02-01
    published: 2026
    kind: dataset
  - id: widget-act
    title: Widget Safety Act 2025
    publisher: Example Gazette
    published: 2025-06-01
    kind: legal
    pages: Art. 4
  - id: desk-note
    title: Widget throughput working
    publisher: Sample Desk
    published: 2026-02
    kind: internal
"""
FACTS = """facts:
  - id: widget-sources
    statement: The widget's history, service and market are documented.
    sources: [widget-history, engineer-interview, roundtable, market-report, shipments, widget-act, desk-note]
    status: confirmed
    confidence: moderate
    as_of: 2026-02-01
"""


def _notes(page: str) -> list[str]:
    section = page.split('id="sources-h"')[1].split("</section>")[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).replace("\u21a9", "").strip()
            for item in re.findall(r'<li id="note-\d+">(.*?)</li>', section, re.S)]


def _build(project, tmp_path):
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html",
                cwd=project)
    assert r.code == 0, r.stderr
    return r


def test_every_kind_of_source_is_cited_in_one_style(minimal, tmp_path):
    (minimal / "content" / "research.yaml").write_text(SOURCES + FACTS, encoding="utf-8")
    brief = minimal / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("facts: [widget-launch]",
                                                               "facts: [widget-launch, widget-sources]"), encoding="utf-8")
    _build(minimal, tmp_path)
    notes = _notes((tmp_path / "site" / "briefs" / "plain" / "index.html").read_text(encoding="utf-8"))
    assert notes[2:] == [
        "Ann Example, A History of Widgets, Example Press, 2024, pp. 45-47. Book.",
        "Interview with a former Widget Co service engineer, “How the widget is serviced”, 15 January 2026, "
        "not for attribution.",
        "Conversation, “Widget export rules in practice”, 20 January 2026, under the Chatham House Rule.",
        "Example Analysts, Widget market 2025, November 2025. Report.",
        "Example Statistics Office, Widget shipments by country, 2026. Dataset. https://example.org/data/widgets "
        "(retrieved 1 February 2026). Archived copy: https://web.archive.org/web/2026/https://example.org/data/widgets.",
        "Widget Safety Act 2025, Example Gazette, 1 June 2025, Art. 4. Legal text.",  # by title, not gazette
        "Sample Desk, “Widget throughput working”, February 2026. The desk's own working, not published.",
    ]
    page = (tmp_path / "site" / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")
    assert "<em>A History of Widgets</em>" in page  # a whole publication's title in italics
    # A long address breaks where the Chicago Manual allows (before a slash or dot), never with a hyphen added.
    assert ('<a class="url" href="https://example.org/data/widgets" data-versionurl="https://web.archive.org/web/2026/'
            'https://example.org/data/widgets">https://<wbr>example<wbr>.org<wbr>/data<wbr>/widgets</a>') in page
    sources_page = (tmp_path / "site" / "sources.html").read_text(encoding="utf-8")
    assert "Conversation, “Widget export rules in practice”, 20 January 2026, under the Chatham House Rule." in \
        re.sub(r"<[^>]+>", "", sources_page)


PROSE = """bottom_line: The widget is new [@trade-paper], and its speed is only claimed [@maker-blog; @trade-paper].
sections:
  - title: Key judgments
    judgments: [adoption]
  - title: Facts
    intro: What we know, from the launch [@maker-blog].
"""


def test_bottom_lines_intros_and_bases_cite_sources_numbered_with_the_notes(minimal, tmp_path):
    brief = minimal / "briefs" / "sample.yaml"
    text = brief.read_text(encoding="utf-8")
    text = text.replace("bottom_line: The widget is new and its speed is only claimed.\nsections:\n  - title: Key judgments\n"
                        "    judgments: [adoption]\n  - title: Facts\n    intro: What we know.\n", PROSE)
    brief.write_text(text, encoding="utf-8")
    other = minimal / "content" / "other.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace(
        "    rests_on: [widget-speed, rival-speed]\n",
        "    rests_on: [widget-speed, rival-speed]\n    basis: The rival's figure is independent [@trade-paper].\n"),
        encoding="utf-8")
    _build(minimal, tmp_path)
    page = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    bottom = page.split('<h2 id="bluf">Bottom line</h2>')[1].split("</section>")[0]
    # Cited first in the bottom line, so the trade paper is note 1 and the maker's blog note 2.
    assert re.sub(r'<span class="footnote">.*?</span>', "", bottom).strip() == (
        '<p>The widget is new<a class="cite" href="#note-1" id="ref-1" aria-label="Source 1">1</a>, and its speed is '
        'only claimed<a class="cite" href="#note-1" aria-label="Source 1">1</a><sup class="cite-sep">,</sup>'
        '<a class="cite" href="#note-2" id="ref-2" aria-label="Source 2">2</a>.</p>')
    # A policymaker brief prints its sources as footnotes: the first citation carries the note.
    assert '<span class="footnote">1. Trade Paper, “Widget reviewed”, January 2026. ' in bottom
    intro = page.split('<div class="intro">')[1].split("</div>")[0]
    assert 'from the launch<a class="cite" href="#note-2" aria-label="Source 2">2</a>.' in intro
    basis = page.split('<span class="basis">')[1].split("</span>")[0]
    assert basis == "The rival's figure is independent<a class=\"cite\" href=\"#note-1\" aria-label=\"Source 1\">1</a>."
    assert "[@" not in page
    meta = re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
    assert meta == "The widget is new, and its speed is only claimed."


def test_a_citation_of_a_restricted_source_raises_the_brief(minimal):
    sources = minimal / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + """
  - id: desk-estimate
    title: Widget throughput working
    publisher: Sample Desk
    published: 2026-02
    kind: internal
    marking: AMBER
""", encoding="utf-8")
    brief = minimal / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "bottom_line: A new widget is on sale.", "bottom_line: A new widget is on sale [@desk-estimate]."),
        encoding="utf-8")
    r = run_cli("check", cwd=minimal)
    assert r.code == 1
    assert ("briefs/plain.yaml:8:10: error: brief 'plain' is marked TLP:CLEAR but shows TLP:AMBER material: "
            "brief plain -> source desk-estimate (source 'desk-estimate' is AMBER); mark the brief AMBER or make "
            "source 'desk-estimate' CLEAR, or leave out what rests on it") in r.stderr.splitlines()


def test_the_second_topic_cites_with_at_least_four_of_the_new_kinds():
    project = load_project(REPO / "topics" / "eu-ai-act", Collector())
    new_kinds = {"interview", "conversation", "book", "report", "dataset", "legal"}
    used = {s.kind.value for s in project.sources.values()} & new_kinds
    assert len(used) >= 4, used
    cited = {sid for f in project.facts.values() for sid in f.sources}
    cited |= {sid for b in project.briefs.values() for s in b.sections for ids in citations(s.intro or "")
              for sid in ids}
    assert {s.id for s in project.sources.values() if s.kind.value in new_kinds} <= cited  # each one cited
