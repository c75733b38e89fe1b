"""Print quality, read back from every PDF of the real content with pypdf and poppler/qpdf tools."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml
from helpers import REPO
from pypdf import PdfReader

pytestmark = pytest.mark.slow


def _tool(name):
    if shutil.which(name) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing (apt-get install poppler-utils qpdf)")
        pytest.skip(f"{name} is missing")
    return name


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _pdfs(site):
    return sorted((site / "briefs").glob("*/*.pdf"))


def test_metadata_bookmarks_tags_and_marking_on_every_page(real_site):
    site, _ = real_site
    for pdf in _pdfs(site):
        reader = PdfReader(pdf)
        meta = reader.metadata
        assert meta.title and meta.author and meta.subject and meta.creation_date and meta.modification_date
        assert reader.trailer["/Root"]["/Lang"]
        assert "/StructTreeRoot" in reader.trailer["/Root"], f"{pdf.name} is not tagged"
        assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
        titles = [item.title for item in _flatten(reader.outline)]
        assert len(titles) >= 4 and titles[0] == reader.metadata.title and "Bottom line" in titles, \
            f"{pdf.name} bookmarks: {titles}"
        html = (pdf.parent / "index.html").read_text(encoding="utf-8")
        # the brief's own marking, in its masthead (a site above CLEAR also opens with the channel's banner)
        banner = re.search(r'<span class="org-name">[^<]*</span> <span class="tlp tlp-[a-z-]+">(TLP:[A-Z+]+)</span>',
                           html).group(1)
        for number, page in enumerate(reader.pages, 1):
            text = page.extract_text()
            # TLP 2.0: the label in the header and in the footer of every page.
            assert text.count(banner) >= 2, f"{pdf.name} page {number}: {banner} not in both header and footer"
            if number > 1:
                assert f"Page {number} of {len(reader.pages)}" in text
        sizes = _label_sizes(reader.pages[0], banner)
        assert len([size for size in sizes if size >= 12]) >= 2, f"{pdf.name}: label sizes {sizes}"  # header, footer


def _label_sizes(page, label: str) -> list[float]:
    """The rendered size in points of every run of text on the page that is exactly `label`."""
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip() == label:
            sizes.append(size * (tm[3] or 1) * (cm[3] or 1))
    page.extract_text(visitor_text=visit)
    return sizes


def test_all_fonts_embedded(real_site):
    site, _ = real_site
    _tool("pdffonts")
    for pdf in _pdfs(site):
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert out, f"{pdf.name}: no fonts listed"
        for line in out:
            assert line.split()[-5] == "yes", f"{pdf.name}: font not embedded: {line}"


def test_qpdf_check_passes(real_site):
    site, _ = real_site
    _tool("qpdf")
    for pdf in _pdfs(site):
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_pdfinfo_reports_pdf_ua_and_dates_from_the_brief(real_site):
    site, _ = real_site
    _tool("pdfinfo")
    for pdf in _pdfs(site):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "Tagged:          yes" in info
        date = yaml.safe_load((REPO / "briefs" / f"{pdf.parent.name}.yaml").read_text(encoding="utf-8"))["date"]
        # pdfinfo prints the day as ctime does: space-padded ("Sun Dec  6")
        assert f"CreationDate:    {date:%a %b} {date.day:2d} 00:00:00 {date:%Y}" in info, f"{pdf.name}: not the brief's date"
        xmp = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "pdfuaid" in xmp, f"{pdf.name}: the PDF/UA identification is missing"


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _first_citations(html: str) -> dict[int, str]:
    """For each note, the normalised text just before (and including) its first citation marker."""
    html = re.sub(r'<span class="footnote">.*?</span>', "", html, flags=re.S)
    html = re.sub(r'<a class="cite" href="#note-(\d+)" id="ref-\d+"[^>]*>\d+</a>', lambda m: m.group(1) + f"\x00{m.group(1)}\x00", html)
    import html as html_lib
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1]))
    found = {}
    for m in re.finditer(r"\x00(\d+)\x00", text):
        before = _norm(re.sub(r"\x00\d+\x00", "", text[:m.start()]))
        found[int(m.group(1))] = before[-25:]
    return found


def test_footnotes_sit_on_the_page_of_their_first_citation(real_site):
    site, _ = real_site
    checked = 0
    for pdf in _pdfs(site):
        html = (pdf.parent / "index.html").read_text(encoding="utf-8")
        if "notes-footnotes" not in html:
            continue
        reader = PdfReader(pdf)
        pages = [page.extract_text() for page in reader.pages]
        # each footnote found by its number and the opening words the page gives it
        openings = {int(n): _norm(re.sub(r"<[^>]+>", "", body))[:20]
                    for n, body in re.findall(r'<span class="footnote">(\d+)\. (.{0,200})', html)}
        note_page = {}
        for n, opening in openings.items():
            where = [i for i, text in enumerate(pages) if f"{n}{opening}" in _norm(text)]
            assert len(where) <= 1, f"{pdf.name}: footnote {n} printed on pages {where}"
            if where:
                note_page[n] = where[0]
        firsts = _first_citations(html)
        assert sorted(note_page) == list(range(1, len(firsts) + 1)), f"{pdf.name}: footnotes {sorted(note_page)}"
        for n, snippet in firsts.items():
            where = [i for i, text in enumerate(pages) if snippet in _norm(text)]
            assert note_page[n] in where, f"{pdf.name}: note {n} is on page {note_page[n] + 1}, its first citation on {where}"
            checked += 1
    assert checked >= 5


def test_endnote_citations_link_to_their_notes(real_site):
    site, _ = real_site
    for pdf in _pdfs(site):
        html = (pdf.parent / "index.html").read_text(encoding="utf-8")
        if "notes-endnotes" not in html:
            continue
        reader = PdfReader(pdf)
        dests = set(reader.named_destinations)
        links = [str(a.get_object()["/Dest"]) for page in reader.pages for a in page.get("/Annots", [])
                 if a.get_object().get("/Dest")]
        notes = [d for d in links if d.startswith("note-")]
        assert notes, f"{pdf.name}: no citation links"
        assert all(d in dests for d in links), f"{pdf.name}: links to missing targets"
