"""One citation style in every output: a source of every kind the model defines, cited in a footnotes brief
and an endnotes brief, read back from the HTML page, the PDF (pdftotext), the Word notes (python-docx's
package) and LibreOffice's rendering of the Word file, the chart's source line in each, and the site's search
index. The expected words are written out per kind: a kind without them fails the first test."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from helpers import FIXTURES, convert_with_libreoffice, copy_project, run_cli, search_records
from lxml import etree

from briefwright.core.model import SourceKind
from briefwright.resolve import citations

# Each kind: its record, as the Sources list and endnotes cite it (full), and as a footnote cites it (short).
KINDS: dict[str, tuple[str, str, str]] = {
    "primary": (
        """  - id: rule-text
    kind: primary
    title: Widget export rule
    publisher: Example Ministry
    url: https://example.org/rule
    published: 2026-01-05
    retrieved: 2026-02-01""",
        "Example Ministry, “Widget export rule”, 5 January 2026. Primary source. https://example.org/rule "
        "(retrieved 1 February 2026).",
        "Example Ministry, “Widget export rule”, 5 January 2026. https://example.org/rule."),
    "secondary": (
        """  - id: rule-digest
    kind: secondary
    title: The widget rule explained
    author: Bea Writer
    publisher: Example Law Blog
    url: https://example.org/digest
    published: 2026-01
    retrieved: 2026-02-01
    note: Summarises the ministry's rule""",
        "Bea Writer, “The widget rule explained”, Example Law Blog, January 2026. Secondary source. Summarises "
        "the ministry's rule. https://example.org/digest (retrieved 1 February 2026).",
        "Bea Writer, “The widget rule explained”, Example Law Blog, January 2026. https://example.org/digest."),
    "press": (
        """  - id: trade-news
    kind: press
    title: Widget orders rise
    publisher: Widget Trade News
    url: https://example.org/news
    published: 2026-01-12
    retrieved: 2026-02-01
    interest: advocate
    interest_note: Published by the widget makers' association""",
        "Widget Trade News, “Widget orders rise”, 12 January 2026. Interested party (advocate): Published by the "
        "widget makers' association. Press report. https://example.org/news (retrieved 1 February 2026).",
        "Widget Trade News, “Widget orders rise”, 12 January 2026. Interested party (advocate): Published by the "
        "widget makers' association. https://example.org/news."),
    "subject": (
        """  - id: maker-statement
    kind: subject
    title: Our widget, in numbers
    publisher: Widget Co
    url: https://example.org/numbers
    published: 2026-01-11
    retrieved: 2026-02-01""",
        "Widget Co, “Our widget, in numbers”, 11 January 2026. Subject's own statement. https://example.org/numbers "
        "(retrieved 1 February 2026).",
        "Widget Co, “Our widget, in numbers”, 11 January 2026. https://example.org/numbers."),
    "internal": (
        """  - id: desk-note
    kind: internal
    title: Widget throughput working
    publisher: Sample Desk
    published: 2026-02""",
        "Sample Desk, “Widget throughput working”, February 2026. The desk's own working, not published.",
        "Sample Desk, “Widget throughput working”, February 2026."),
    "interview": (
        """  - id: engineer-interview
    kind: interview
    title: How the widget is serviced
    published: 2026-01-15
    person: a former Widget Co service engineer
    attribution: not-for-attribution""",
        "Interview with a former Widget Co service engineer, “How the widget is serviced”, 15 January 2026, "
        "not for attribution.",
        "Interview with a former Widget Co service engineer, “How the widget is serviced”, 15 January 2026, "
        "not for attribution."),
    "conversation": (
        """  - id: roundtable
    kind: conversation
    title: Widget export rules in practice
    published: 2026-01-20
    attribution: chatham-house""",
        "Conversation, “Widget export rules in practice”, 20 January 2026, under the Chatham House Rule.",
        "Conversation, “Widget export rules in practice”, 20 January 2026, under the Chatham House Rule."),
    "book": (
        """  - id: widget-history
    kind: book
    title: A History of Widgets
    author: Ann Example
    publisher: Example Press
    published: 2024
    pages: 45-47""",
        "Ann Example, A History of Widgets, Example Press, 2024, pp. 45-47. Book.",
        "Ann Example, A History of Widgets, Example Press, 2024, pp. 45-47."),
    "report": (
        """  - id: market-report
    kind: report
    title: Widget market 2025
    author: Cy Analyst
    publisher: Example Analysts
    published: 2025-11
    pages: "12\"""",
        "Cy Analyst, Widget market 2025, Example Analysts, November 2025, p. 12. Report.",
        "Cy Analyst, Widget market 2025, Example Analysts, November 2025, p. 12."),
    "dataset": (
        """  - id: shipments
    kind: dataset
    title: Widget shipments by country
    publisher: Example Statistics Office
    url: https://example.org/data/widgets
    archived_url: https://web.archive.org/web/2026/https://example.org/data/widgets
    retrieved: 2026-02-01
    published: 2026""",
        "Example Statistics Office, Widget shipments by country, 2026. Dataset. https://example.org/data/widgets "
        "(retrieved 1 February 2026). Archived copy: https://web.archive.org/web/2026/https://example.org/data/widgets.",
        "Example Statistics Office, Widget shipments by country, 2026. https://example.org/data/widgets."),
    "legal": (
        """  - id: widget-act
    kind: legal
    title: Regulation (EX) 2025/17 on the safety of widgets
    short_title: Regulation (EX) 2025/17
    publisher: Official Journal of Example, L 130
    published: 2025-06-01
    pages: Art. 4""",
        "Regulation (EX) 2025/17 on the safety of widgets, Official Journal of Example, L 130, 1 June 2025, Art. 4. "
        "Legal text.",
        "Regulation (EX) 2025/17 on the safety of widgets, Official Journal of Example, L 130, 1 June 2025, Art. 4."),
}
IDS = [re.search(r"id: (\S+)", record).group(1) for record, _, _ in KINDS.values()]

# The chart's facts cite the maker, a trade paper, a law, a book and an interview: its source line names each.
CHART_LINE = ("Sources: Widget Co (10 January 2026); Trade Paper (January 2026); Regulation (EX) 2025/17 (1 June 2025); "
              "Ann Example (2024); Interview with a former Widget Co service engineer (15 January 2026).")


def test_every_kind_the_model_defines_has_its_expected_citation():
    assert set(KINDS) == {k.value for k in SourceKind}, "a source kind without an expected citation"
    assert set(citations.LEADS) == set(SourceKind), "a source kind without a rendering"


def squeeze(text: str) -> str:
    """Text as a reader reads it: spacing, line breaks and the break opportunities of addresses do not matter."""
    return re.sub(r"[\s\u200b\u00ad]+", "", text)


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def word_notes(path: Path, kind: str) -> list[str]:
    """The text of each footnote or endnote of a .docx, read through python-docx's package."""
    document = docx.Document(str(path))
    part = next(p for p in document.part.package.parts if p.partname == f"/word/{kind}s.xml")
    root = etree.fromstring(part.blob)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return ["".join(t.text or "" for t in note.iter(f"{w}t")).strip()
            for note in root.findall(f"{w}{kind}") if int(note.get(f"{w}id")) > 0]


def pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    return subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def cited_site(tmp_path_factory):
    """The small sample project with one source of every kind, cited by a fact both briefs show and by the
    chart of the footnotes brief; built in HTML, PDF and Word."""
    tmp = tmp_path_factory.mktemp("citations")
    project = copy_project(FIXTURES / "minimal", tmp / "project")
    records = "\n".join(record for record, _, _ in KINDS.values())
    (project / "content" / "research.yaml").write_text(
        f"sources:\n{records}\nfacts:\n  - id: widget-sources\n    statement: The widget is documented.\n"
        f"    sources: [{', '.join(IDS)}]\n    status: confirmed\n    confidence: moderate\n    as_of: 2026-02-01\n",
        encoding="utf-8")
    facts = project / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "    sources: [trade-paper]\n    status: reported",
        "    sources: [trade-paper, widget-act, widget-history, engineer-interview]\n    status: reported"), encoding="utf-8")
    for name in ("plain", "sample"):
        brief = project / "briefs" / f"{name}.yaml"
        brief.write_text(brief.read_text(encoding="utf-8").replace("facts: [widget-launch", "facts: [widget-sources, widget-launch"),
                         encoding="utf-8")
    result = run_cli("build", "--out", tmp / "site", "--cache-dir", tmp / "cache", "-j1", cwd=project)
    assert result.code == 0, result.stderr
    return tmp / "site"


def test_the_sources_list_and_endnotes_cite_every_kind_in_full(cited_site):
    page = (cited_site / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")
    section = page.split('id="sources-h"')[1].split("</section>")[0]
    listed = [visible(item).replace("\u21a9", "").strip() for item in re.findall(r'<li id="note-\d+">(.*?)</li>', section, re.S)]
    pdf = squeeze(pdf_text(cited_site / "briefs" / "plain" / "plain.pdf"))
    endnotes = word_notes(cited_site / "briefs" / "plain" / "plain.docx", "endnote")
    for kind, (_, full, _) in KINDS.items():
        assert full in listed, (kind, listed)
        assert squeeze(full) in pdf, kind
        assert full in endnotes, (kind, endnotes)
    assert "<em>A History of Widgets</em>" in section and "<em>Regulation" not in section  # a law is not italicised


def test_footnotes_cite_every_kind_short(cited_site):
    page = (cited_site / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    footnotes = [re.sub(r"^\d+\. ", "", visible(n)) for n in re.findall(r'<span class="footnote">(.*?)</span>', page, re.S)]
    pdf = squeeze(pdf_text(cited_site / "briefs" / "sample" / "sample.pdf"))
    word = word_notes(cited_site / "briefs" / "sample" / "sample.docx", "footnote")
    for kind, (_, _, short) in KINDS.items():
        assert short in footnotes, (kind, footnotes)
        assert squeeze(short) in pdf, kind
        assert short in word, (kind, word)


def test_no_output_prints_none(cited_site):
    for path in (cited_site / "briefs").rglob("*"):
        if path.suffix in (".html", ".pdf", ".docx"):
            text = {".html": lambda p: visible(p.read_text(encoding="utf-8")), ".pdf": pdf_text,
                    ".docx": lambda p: " ".join(word_notes(p, "footnote" if "sample" in p.name else "endnote"))}[path.suffix](path)
            assert not re.search(r"\bNone\b", text), path


def test_a_chart_names_a_law_by_its_short_title_a_book_by_its_author_an_interview_by_who_spoke(cited_site):
    page = visible((cited_site / "briefs" / "sample" / "index.html").read_text(encoding="utf-8"))
    assert CHART_LINE in page
    assert squeeze(CHART_LINE) in squeeze(pdf_text(cited_site / "briefs" / "sample" / "sample.pdf"))
    body = [p.text for p in docx.Document(str(cited_site / "briefs" / "sample" / "sample.docx")).paragraphs]
    assert any(CHART_LINE in text for text in body), body
    assert "Official Journal" not in CHART_LINE


def test_search_finds_a_source_by_its_citation(cited_site):
    texts = [r["content"] for r in search_records(cited_site) if r["meta"]["kind"] == "Source"]
    for _, full, _ in KINDS.values():
        assert full in texts, full


@pytest.mark.slow
def test_libreoffice_shows_the_word_notes_as_python_docx_reads_them(cited_site, tmp_path):
    files = [cited_site / "briefs" / name / f"{name}.docx" for name in ("sample", "plain")]
    convert_with_libreoffice(files, tmp_path)
    sample, plain = (squeeze(pdf_text(tmp_path / f"{name}.pdf")) for name in ("sample", "plain"))
    for kind, (_, full, short) in KINDS.items():
        assert squeeze(short) in sample, kind
        assert squeeze(full) in plain, kind
    assert squeeze(CHART_LINE) in sample


def test_a_desk_made_by_init_cites_an_interview_and_a_book_in_every_format(tmp_path):
    assert run_cli("init", "desk", cwd=tmp_path).code == 0
    desk = tmp_path / "desk"
    result = run_cli("build", "--cache-dir", tmp_path / "cache", "-j1", cwd=desk)
    assert result.code == 0, result.stderr
    folder = desk / "site" / "briefs" / "first-brief"
    interview = ("Interview with a purchasing manager at a widget buyer, “How a widget buyer chooses a supplier”, "
                 "{day}, not for attribution.")
    page = visible((folder / "index.html").read_text(encoding="utf-8"))
    day = re.search(r"Interview with a purchasing manager at a widget buyer, “How a widget buyer chooses a "
                    r"supplier”, (\d+ \w+ \d{4}), not for attribution\.", page).group(1)
    book = re.search(r"A\. Example, The Widget Buyer's Handbook, Example Books, \d{4}, pp\. 41-43\.", page).group(0)
    footnotes = word_notes(folder / "first-brief.docx", "footnote")  # the starter brief is for policymakers
    pdf = squeeze(pdf_text(folder / "first-brief.pdf"))
    for cited in (interview.format(day=day), book):
        assert cited in page and cited in footnotes and squeeze(cited) in pdf, cited
    assert not re.search(r"\bNone\b", page + " ".join(footnotes) + pdf_text(folder / "first-brief.pdf"))
