"""Build the real content into a temporary folder and read every output back."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import REPO, run_cli, run_cli_subprocess, snapshot
from pypdf import PdfReader

from briefwright.core.diagnostics import Collector
from briefwright.core.markup import to_text
from briefwright.core.model import Status
from briefwright.resolve.resolver import resolve
from briefwright.source.load import load_project

pytestmark = pytest.mark.slow


def html_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def norm(text: str) -> str:
    """Letters and digits only: immune to hyphenation, line breaks and typographic quotes."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@pytest.fixture(scope="module")
def built(real_site):
    out, result = real_site
    collector = Collector()
    project = load_project(REPO, collector)
    return out, project, {b["id"]: b for b in resolve(project)}, result


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str):
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def figure_alts(reader: PdfReader) -> list[str]:
    """Alt texts of the Figure elements in the PDF's structure tree (tagged PDF)."""
    found = []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)
    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_five_audiences_each_as_html_and_pdf(built):
    out, project, briefs, _ = built
    assert len(briefs) >= 5
    assert {b["audience"]["id"] for b in briefs.values()} >= {"policymaker", "compliance", "technical", "market", "public"}
    for brief_id, brief in briefs.items():
        folder = out / "briefs" / brief_id
        assert (folder / "index.html").read_text(encoding="utf-8").startswith("<!doctype html>")
        pdf = folder / f"{brief_id}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF-")
        pages = len(PdfReader(pdf).pages)
        assert 1 <= pages <= brief["page_limit"], f"{brief_id}: {pages} pages, limit {brief['page_limit']}"
    index = (out / "index.html").read_text(encoding="utf-8")
    for brief_id in briefs:
        assert f'href="briefs/{brief_id}/index.html"' in index


def test_index_states_each_pdfs_true_page_count_and_size(built):
    out, project, briefs, _ = built
    cards = re.findall(r'<span>(\d+) pages?</span> <a href="briefs/([a-z0-9-]+)/\2\.pdf">PDF, (\d+) KB</a>',
                       (out / "index.html").read_text(encoding="utf-8"))
    assert sorted(brief_id for _, brief_id, _ in cards) == sorted(briefs)
    for pages, brief_id, kb in cards:
        pdf = out / "briefs" / brief_id / f"{brief_id}.pdf"
        assert int(pages) == len(PdfReader(pdf).pages), f"{brief_id}: the index says {pages} pages"
        assert int(kb) == round(pdf.stat().st_size / 1024), f"{brief_id}: the index says {kb} KB"


def test_every_used_fact_appears_in_pdf_and_html(built):
    out, project, briefs, _ = built
    for brief_id, brief in briefs.items():
        folder = out / "briefs" / brief_id
        html = (folder / "index.html").read_text(encoding="utf-8")
        text = norm(pdf_text(folder / f"{brief['id']}.pdf"))
        marks = {a.get("data-fact") for _, a in tags_of(html)}
        for section in brief["sections"]:
            for fact in section["facts"]:
                assert fact["id"] in marks, f"{brief_id}: fact {fact['id']} missing from HTML"
                # as the brief prints it: an abbreviation's first use is expanded (glossary)
                statement = norm(html_text(fact["statement_html"]))
                head, tail = statement[:40], statement[-40:]
                assert head in text and tail in text, f"{brief_id}: fact {fact['id']} missing from PDF text"


def test_every_attached_caveat_appears(built):
    out, project, briefs, _ = built
    for brief_id, brief in briefs.items():
        folder = out / "briefs" / brief_id
        html = (folder / "index.html").read_text(encoding="utf-8")
        text = norm(pdf_text(folder / f"{brief['id']}.pdf"))
        shown = {a.get("data-caveat") for _, a in tags_of(html)}
        used = set()
        for section in brief["sections"]:
            used |= {f["id"] for f in section["facts"]}
            used |= {f for j in section["judgments"] for f in j["rests_on"]}
            used |= {p["fact"] for c in section["charts"] for p in c["points"] if "fact" in p}
        for caveat in project.caveats.values():
            if used & set(caveat.applies_to):
                assert caveat.id in shown, f"{brief_id}: caveat {caveat.id} not in HTML"
                assert norm(caveat.title) in text, f"{brief_id}: caveat {caveat.id} not in PDF"


def test_claimed_facts_carry_their_label_in_the_pdf(built):
    """Read back from the PDF text (what a reader of the printout sees): every fact shown that is a claim or
    disputed is printed with its status label directly before its statement."""
    out, project, briefs, _ = built
    checked = 0
    for brief_id in briefs:
        folder = out / "briefs" / brief_id
        shown = {a["data-fact"] for _, a in tags_of((folder / "index.html").read_text(encoding="utf-8")) if "data-fact" in a}
        text = norm(pdf_text(folder / f"{brief_id}.pdf"))
        resolved = {f["id"]: f for s in briefs[brief_id]["sections"] for f in s["facts"]}
        for fact_id in sorted(shown):
            fact = project.facts[fact_id]
            printed = resolved.get(fact_id)
            statement = norm(html_text(printed["statement_html"]) if printed else to_text(fact.statement))
            if fact.status.needs_label:
                label = printed["status"]["label"] if printed else fact.status.label  # whose claim it is
                assert norm(label) + statement[:30] in text, f"{brief_id}: {fact_id} printed without its label"
                checked += 1
            else:
                assert statement[:30] in text and norm(Status.CLAIMED.label) + statement[:30] not in text
    assert checked >= 10


def test_charts_are_valid_svg_in_html_and_drawn_in_pdf(built):
    out, project, briefs, _ = built
    charted = 0
    for brief_id, brief in briefs.items():
        folder = out / "briefs" / brief_id
        tags = tags_of((folder / "index.html").read_text(encoding="utf-8"))
        images = {a["src"]: a for t, a in tags if t == "img"}
        charts = [c for s in brief["sections"] for c in s["charts"]]
        for chart in charts:
            charted += 1
            assert chart["file"] in images and images[chart["file"]]["alt"].strip()
            root = ET.parse(folder / chart["file"]).getroot()
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert len(list(root.iter())) > 20  # really drawn, not an empty canvas
        if charts:
            reader = PdfReader(folder / f"{brief['id']}.pdf")
            figures = figure_alts(reader)
            for chart in charts:
                assert chart["alt"] in figures, f"{brief_id}: chart {chart['id']} is not a tagged figure with its alt text"
            # lines, curves and rectangles drawn: a three-bar chart draws fewer lines than a timeline, more shapes
            strokes = sum(page.get_contents().get_data().count(op) for page in reader.pages
                          for op in (b" l\n", b" c\n", b" re\n"))
            assert strokes >= 50 * len(charts), f"{brief_id}: too few drawing operations for {len(charts)} charts"
    assert charted >= 1  # edition 2 keeps one chart (the annex's); the others were cut to fit page limits


def test_pdf_metadata(built):
    out, project, briefs, _ = built
    for brief_id, brief in briefs.items():
        meta = PdfReader(out / "briefs" / brief_id / f"{brief['id']}.pdf").metadata
        assert meta.title == brief["title"]
        assert meta.author == project.settings.organisation
        assert meta.creation_date.date().isoformat() == brief["date"]


def test_second_topic_builds_with_the_same_command(tmp_path):
    topic = REPO / "topics" / "eu-ai-act"
    public = tmp_path / "public"
    result = run_cli("build", "--project", topic, "--out", public, "--cache-dir", tmp_path / "cache", "-j", "2", cwd=REPO)
    assert result.code == 0, result.stderr
    index = (public / "index.html").read_text(encoding="utf-8")
    for brief_id in ("ai-act-executive", "ai-act-compliance"):  # both CLEAR: the topic is a public repository
        assert f'href="briefs/{brief_id}/index.html"' in index
        assert len(PdfReader(public / "briefs" / brief_id / f"{brief_id}.pdf").pages) >= 1
    assert "GLM" not in index and "Huawei" not in index
    assert run_cli("verify", public, "--project", topic, cwd=REPO).code == 0


def test_real_content_rebuilds_byte_identical_in_another_process(real_site, tmp_path):
    site, _ = real_site  # built in this process; the rebuild runs in a fresh one
    out = tmp_path / "again"
    result = run_cli_subprocess("build", "--out", out, "--cache-dir", tmp_path / "cache", "-j1", "--include-restricted", cwd=REPO)
    assert result.code == 0, result.stderr
    first, second = snapshot(site), snapshot(out)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_notes_are_numbered_in_the_order_they_are_printed(real_site):
    """Each source's first citation on the page comes in number order (1, 2, 3, ...), whatever order
    the audience prints a section's items in (the press explainer puts checked facts first)."""
    site, _ = real_site
    pages = sorted(site.glob("briefs/*/index.html"))
    assert len(pages) >= 5
    for page in pages:
        body = page.read_text(encoding="utf-8").split('id="sources"')[0]
        firsts = [int(n) for n in re.findall(r'id="ref-(\d+)"', body)]
        assert firsts == list(range(1, len(firsts) + 1)), f"{page.parent.name}: {firsts}"


def test_third_topic_written_from_the_docs_alone_builds_clean(tmp_path):
    """topics/asml-duv was written by someone who read only README.md and docs/authoring.md."""
    import yaml
    topic = REPO / "topics" / "asml-duv"
    result = run_cli("build", "--project", topic, "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j2",
                     "--strict", cwd=REPO)
    assert result.code == 0 and "warning" not in result.stderr, result.stderr
    assert run_cli("verify", tmp_path / "site", "--project", topic, cwd=REPO).code == 0
    kinds = {s["kind"] for s in yaml.safe_load((topic / "content" / "sources.yaml").read_text(encoding="utf-8"))["sources"]}
    assert len(kinds & {"legal", "report", "book", "internal", "dataset", "interview", "conversation"}) >= 4, kinds
    assert "GLM" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
