"""What a reader sees on the site and in the briefs, read back from the built pages, PDFs, Word files and charts:
records named by what they say (never by internal ids), sources in a reader's order, one date style per language,
every caveat printed apart from its facts naming what it qualifies, and share axes that stop at 100%."""
from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from helpers import REPO, run_cli, search_records
from pypdf import PdfReader

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class Visible(HTMLParser):
    """The text a reader sees: no scripts, styles or attributes, and no web addresses (a link whose text is its
    address may hold a date, as a Federal Register URL does)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style") or (tag == "a" and "url" in (dict(attrs).get("class") or "").split()):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "a") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)


def visible(path: Path) -> Visible:
    parser = Visible()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def words(parser: Visible) -> str:
    return " ".join(" ".join(parser.text).split())


def listing(site: Path, stem: str) -> list[Path]:
    """A listing's pages in order: sources.html, sources-2.html, ... (permalinks.listing_pages)."""
    return sorted(site.glob(f"{stem}*.html"), key=lambda p: int(p.stem.rpartition("-")[2]) if "-" in p.stem else 1)


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


@pytest.fixture(scope="module")
def project():
    from briefwright.builder.pipeline import check
    return check(REPO, private=False).project


@pytest.mark.slow
def test_the_facts_sources_unknowns_and_timeline_pages_show_no_internal_id(real_site, project):
    site, _ = real_site
    ids = {i for table in (project.facts, project.sources, project.briefs, project.events) for i in table if "-" in i}
    for name in ("facts.html", "sources.html", "unknowns.html", "timeline.html", "index.html", "sources-2.html"):
        text = words(visible(site / name))
        shown = sorted(i for i in ids if re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w/-])", text))
        assert shown == [], (name, shown[:10])
    sources = " ".join(words(visible(page)) for page in listing(site, "sources"))
    assert "Cited by:" not in sources and sources.count("Cited in: ") > 50
    assert re.search(r"Cited in: (?:[^;]+; )*GLM-Image on Huawei Ascend: an unchecked claim", sources)
    facts = [r for r in search_records(site) if r["meta"]["kind"] == "Fact"]
    assert len(facts) == len(project.facts)
    assert not [r["meta"]["title"] for r in facts if re.fullmatch(r"[a-z0-9-]+", r["meta"]["title"])]  # found by its words


@pytest.mark.slow
def test_sources_are_listed_in_a_readers_order(real_site):
    site, _ = real_site
    html = "".join(page.read_text(encoding="utf-8") for page in listing(site, "sources"))  # over its pages
    headings = [html_lib.unescape(h) for h in re.findall(r'<li class="source-card" id="source-[^"]+">\s*<h2>([^<]+)</h2>',
                                                         html)]
    keys = [re.sub(r"^\W+", "", h).casefold() for h in headings]  # by the title each entry is headed with
    assert len(keys) > 50 and keys == sorted(keys), headings[:12]


@pytest.mark.slow
def test_one_date_style_per_language_in_pages_and_pdfs(real_site):
    site, _ = real_site
    pages = sorted(site.glob("*.html")) + sorted(p for p in site.glob("briefs/**/index.html"))
    assert len(pages) > 15
    for page in pages:
        found = ISO_DATE.findall(words(visible(page)))
        assert found == [], (page.relative_to(site), found[:5])
    for pdf in sorted(site.glob("briefs/*/*.pdf")) + sorted(site.glob("briefs/*/*/*.pdf")):
        if pdf.parent.name == "editions":
            continue  # as released, byte for byte
        text = pdf_text(pdf)
        assert not re.search(r"(retrieved|consulté le) \d{4}-\d\d-\d\d|\d{4}-\d\d-\d\d ?检索", text), pdf.name
    english = pdf_text(site / "briefs" / "market-note" / "market-note.pdf")
    assert re.search(r"\(retrieved \d{1,2} [A-Z][a-z]+ 20\d\d\)", english)
    chinese = words(visible(site / "briefs" / "executive-brief" / "zh-Hans" / "index.html"))
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", chinese)
    facts = words(visible(site / "facts.html"))
    assert re.search(r"As of \d{1,2} [A-Z][a-z]+ 20\d\d", facts)


@pytest.mark.slow
def test_every_caveat_in_the_caveats_section_names_what_it_qualifies(real_site):
    site, _ = real_site
    checked = 0
    for page in sorted(site.glob("briefs/*/index.html")):
        html = page.read_text(encoding="utf-8")
        start = html.find('<section class="section caveats-section"')
        if start < 0:
            continue
        section = html[start:html.index("</section>", start)]
        caveats = section.count('<aside class="caveat')
        named = re.findall(r'<p class="caveat-qualifies">(Qualifies [^<]+)</p>', section)
        assert caveats and len(named) == caveats, (page.parent.name, caveats, named)
        paragraphs = [p.text for p in docx.Document(str(page.parent / f"{page.parent.name}.docx")).paragraphs]
        pdf = pdf_text(page.parent / f"{page.parent.name}.pdf")
        for text in named:
            plain = html_lib.unescape(text)
            assert plain in paragraphs, (page.parent.name, plain)
            assert " ".join(plain.split()[:4]) in pdf
            checked += 1
    assert checked >= 3


def test_a_share_axis_stops_at_100_unless_the_data_passes_it(minimal, tmp_path):
    facts = minimal / "content" / "facts.yaml"
    shares = """
  - id: share-a
    statement: Widget Co sells 96% of the widgets in its home market.
    sources: [trade-paper]
    status: reported
    confidence: moderate
    as_of: 2026-02-01
    quantity: {value: 96, unit: "%", measure: share of the home market, label: Widget Co}
  - id: share-b
    statement: The rival sells 61% of the widgets in its own home market.
    sources: [trade-paper]
    status: reported
    confidence: moderate
    as_of: 2026-02-01
    quantity: {value: 61, unit: "%", measure: share of the home market, label: Rival}
"""
    facts.write_text(facts.read_text(encoding="utf-8") + shares, encoding="utf-8")
    other = minimal / "content" / "other.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("charts:\n", "charts:\n  - id: shares\n    kind: bar\n"
                                                                "    title: Home-market shares\n"
                                                                "    facts: [share-a, share-b]\n"), encoding="utf-8")
    plain = minimal / "briefs" / "plain.yaml"
    plain.write_text(plain.read_text(encoding="utf-8").replace("    facts: [widget-launch]\n",
                                                               "    facts: [widget-launch]\n    charts: [shares]\n"),
                     encoding="utf-8")

    def ticks(out: Path) -> list[float]:
        result = run_cli("build", "--out", out, "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html",
                         cwd=minimal)
        assert result.code == 0, result.stderr
        svg = (out / "briefs" / "plain" / "shares.svg").read_text(encoding="utf-8")
        return [float(v) for v in re.findall(r'<g id="xtick_\d+">.*?<text[^>]*>([\d.]+)</text>', svg, re.S)]
    assert max(ticks(tmp_path / "capped")) == 100  # 96% and 61%: the axis ends at 100, not at 120
    facts.write_text(facts.read_text(encoding="utf-8").replace("value: 96,", "value: 130,")
                     .replace("sells 96%", "sells 130%"), encoding="utf-8")
    assert max(ticks(tmp_path / "over")) > 100  # data past 100 is drawn to its end
