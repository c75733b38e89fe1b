"""The post-layout structure step (briefwright/formats/pdf/structure.py) on a small page laid out by WeasyPrint:
each correction read back from the PDF with pikepdf. test_accessibility.py checks the real briefs."""
from __future__ import annotations

import subprocess
from io import BytesIO

import pikepdf
import pytest

from briefwright.formats.pdf import render_pdf
from briefwright.formats.pdf.structure import PageFacts, StructureTree, normalise
from briefwright.render.page import print_html
from briefwright.resolve.citations import url_html

PAGE = """<!doctype html><html lang="en"><head><title>T</title><style>
@page { margin: 20mm; @top-right { content: "TLP:CLEAR"; } @bottom-center { content: "Page " counter(page); } }
.footnote { float: footnote; } .footnote::footnote-call, .footnote::footnote-marker { content: none; }
.toc a::after { content: leader('.') target-counter(attr(href), page); } .toc ol { list-style: none; }
</style></head><body>
<h1>Title</h1>
<nav class="toc"><ol><li><a href="#facts">The facts</a></li></ol></nav>
<h2 id="facts">Facts</h2>
<p class="meta"><span>Likelihood: likely</span> <span>Moderate confidence.</span></p>
<ul><li><p>A fact, cited.<a href="#note-1" aria-label="Source 1">1</a><span class="footnote">1. Publisher, “A title”</span></p>
<ul><li>One side says so.</li></ul><p>And a caveat after the sides.</p></li></ul>
<table><thead><tr><th scope="col">Date</th><th scope="col">Event</th></tr></thead>
<tbody><tr><th scope="row">2026</th><td>Something</td></tr></tbody></table>
<h2>Sources</h2>
<ol><li id="note-2">Another publisher, “Another title” (2025). <a href="https://example.org/a">https://example.org/a</a></li></ol>
<p><a href="#note-2" aria-label="Source 2">2</a></p>
<ol style="display: none"><li id="note-1">Publisher, “A title”</li></ol>
</body></html>"""


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    data, pages = render_pdf(PAGE, folder, [folder])
    assert render_pdf(PAGE, folder, [folder])[0] == data, "the same page must give the same bytes"
    path = folder / "page.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as opened:
        yield opened


def _kids(element) -> list:
    kids = element.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]


def _elements(pdf):
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if "/S" in node:
            yield node
        stack.extend(reversed([kid for kid in _kids(node) if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]))


def _roles(element) -> list[str]:
    return [str(kid.S) for kid in _kids(element) if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _content(page) -> bytes:
    return pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page))


def test_page_facts_read_link_names_and_note_texts():
    facts = PageFacts()
    facts.feed(PAGE)
    assert facts.link_names["note-1"] == "Source 1" and facts.link_names["facts"] == "The facts"
    assert facts.link_names["https://example.org/a"] == "https://example.org/a"
    assert facts.notes == {"note-2": normalise("Another publisher, “Another title” (2025). https://example.org/a"),
                           "note-1": normalise("Publisher, “A title”")}


def test_margin_boxes_are_pagination_artifacts_but_the_first_head_is_read_first(pdf):
    document = next(_elements(pdf))
    marking = _kids(document)[0]
    assert str(marking.S) == "/P" and len(_kids(marking)) == 1
    content = _content(pdf.pages[0])
    assert content.count(b"/Artifact << /Subtype /Footer /Type /Pagination >> BDC") == 1  # the page number
    assert b"/Subtype /Header" not in content  # the only head of the first page is the marking, read as content


def test_leader_dots_are_layout_artifacts_and_nested_links_joined(pdf):
    link = next(e for e in _elements(pdf) if str(e.S) == "/Link")
    assert sum(1 for kid in _kids(link) if isinstance(kid, int)) == 1  # the entry's title
    spans = [kid for kid in _kids(link) if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
    assert [(str(kid.S), str(kid.ActualText)) for kid in spans] == [("/Span", " 1")], "the page number, after a space"
    assert _content(pdf.pages[0]).count(b"/Artifact << /Type /Layout >> BDC") >= 3


def test_a_space_between_inline_elements_is_read_as_one(pdf):
    spans = [e for e in _elements(pdf) if str(e.S) == "/Span" and str(e.get("/ActualText")) == " "]
    meta = next(span.P for span in spans if str(span.P.S) == "/P")  # likelihood, the space between, confidence
    assert [str(kid.get("/ActualText", "")) for kid in _kids(meta)] == ["", " ", ""]


def test_header_cells_have_a_scope_by_their_row(pdf):
    scopes = [str(e.A.Scope) for e in _elements(pdf) if str(e.S) == "/TH"]
    assert scopes == ["/Column", "/Column", "/Row"]


def test_list_items_get_a_body_holding_their_sub_list_in_order(pdf):
    item = next(e for e in _elements(pdf) if str(e.S) == "/LI" and "/Lbl" in _roles(e))
    assert _roles(item) == ["/Lbl", "/LBody"]
    body = _kids(item)[1]
    assert _roles(body) == ["/P", "/L", "/P"], "the sub-list sits between the fact and what follows it"
    assert all(set(_roles(e)) <= {"/LI"} for e in _elements(pdf) if str(e.S) == "/L")


def test_footnotes_and_endnotes_are_notes_with_ids_in_the_id_tree(pdf):
    notes = {str(e.ID): e for e in _elements(pdf) if str(e.S) == "/Note"}
    assert sorted(notes) == ["note-1", "note-2"]
    assert _roles(notes["note-2"])[0] == "/Lbl", "the endnote's number is part of the note"
    names = pdf.Root.StructTreeRoot.IDTree.Names
    assert [str(names[i]) for i in range(0, len(names), 2)] == sorted(str(n) for n in names[::2])
    assert {str(names[i]): names[i + 1].objgen for i in range(0, len(names), 2)}["note-1"] == notes["note-1"].objgen


def test_links_print_with_their_name_and_a_citation_of_a_footnote_is_a_reference(pdf):
    annotations = {str(a.Contents): int(a.F) for a in pdf.pages[0].Annots}
    assert annotations.get("Source 2") == 4 and annotations.get("The facts") == 4
    assert "note-2" not in annotations and "facts" not in annotations
    roles = [str(e.S) for e in _elements(pdf)]
    assert "/Reference" in roles, "the citation of the footnote (no annotation: its target is not in the PDF)"


# An address as the notes print it (citations.url_html: a break opportunity before each '/', '.', '-'), in a column
# so narrow that it breaks over several lines.
ADDRESS = "https://example.org/models/GLM4Image-weights/readme-first-and-then-the-rest.html"
LINK_PAGE = """<!doctype html><html lang="en"><head><title>T</title><style>
@page { margin: 20mm; } p { width: 45mm; } .url { hyphens: manual; }
</style></head><body><p>Read it at {link} (retrieved 2026-01-14).</p></body></html>"""


@pytest.fixture(scope="module", params=["print", "page"])
def broken_link(request, tmp_path_factory):
    """The PDF of a paragraph holding one address broken over lines: from the page as print lays it out
    (<wbr> as the zero-width space it stands for), and from the page itself (<wbr> elements, each two
    empty inline boxes that WeasyPrint gives link annotations of their own)."""
    page = LINK_PAGE.replace("{link}", url_html(ADDRESS))
    page = print_html(page) if request.param == "print" else page
    folder = tmp_path_factory.mktemp("link")
    data, _ = render_pdf(page, folder, [folder])
    assert render_pdf(page, folder, [folder])[0] == data, "the same page must give the same bytes"
    with pikepdf.open(BytesIO(data)) as opened:
        yield request.param, opened


def test_a_link_broken_over_lines_is_one_link_element_holding_all_its_annotations(broken_link):
    kind, broken_link = broken_link
    page = broken_link.pages[0]
    annotations = [a for a in page.Annots if a.get("/Subtype") == "/Link"]
    lines = {round(float(a.Rect[1])) for a in annotations}
    assert len(lines) >= 3, "the address is on three lines"
    if kind == "page":
        assert len(annotations) > len(lines), "the page's <wbr>s make several boxes on a line"
    links = [e for e in _elements(broken_link) if str(e.S) == "/Link"]
    assert len(links) == 1, "one <a>, one /Link"
    held = [kid.Obj.objgen for kid in _kids(links[0]) if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"]
    assert sorted(held) == sorted(a.objgen for a in annotations), "the /Link holds every annotation, as its own kids"
    assert not any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
                   for e in _elements(broken_link) if e.objgen != links[0].objgen for kid in _kids(e))
    nums = broken_link.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert all(parents[int(a.StructParent)].objgen == links[0].objgen for a in annotations)
    assert {str(a.Contents) for a in annotations} == {ADDRESS}, "the name is the address as printed, nothing between"


@pytest.mark.parametrize("broken_link", ["print"], indirect=True)
def test_a_printed_address_has_no_empty_boxes_and_reads_whole(broken_link):
    """Printed, a <wbr> is a zero-width space: no empty box with an annotation, no empty span that the
    structure step would read as a space between two inline elements ("https:// example .org")."""
    _, broken_link = broken_link
    assert all(float(a.Rect[2]) > float(a.Rect[0]) for a in broken_link.pages[0].Annots)
    tree = StructureTree(broken_link)
    link = next(e for e in tree.elements() if tree.role(e) == "/Link")
    assert "".join(part for part, _ in tree.pieces(link)) == ADDRESS


def test_print_html_turns_break_opportunities_into_zero_width_spaces():
    page = "<html><body><a>x<wbr>y<WBR/>z</a><script>let s = '<wbr>';</script></body></html>"
    printed = print_html(page)
    assert "<a>x\u200by\u200bz</a>" in printed and "'<wbr>'" in printed, "text only, not scripts"


def test_print_html_keeps_an_address_from_breaking_after_its_hyphens():
    printed = print_html(f"<html><body><p>A well-known page: {url_html('https://a.org/b-c')}.</p></body></html>")
    assert "well-known" in printed and "/b\u200b-\u2060c</a>" in printed, "before the hyphen, not after it"


# WeasyPrint 70 breaks a line after a paragraph's first word when the line ends in an inline box next to a
# hyphen (as a <span class="nh">H200-class</span> was): print_html must not make such boxes. Six paragraphs shift the
# sentence along the line, and the widths cover the places the fault showed (71-77 mm before the fix).
NEXT_TO_HYPHEN = "The BIS rule moved licence reviews for H200-class chips bound for China from a presumption of denial."


@pytest.mark.parametrize("width", [65, 68, 71, 74, 77])
def test_a_hyphenated_model_name_never_leaves_a_first_word_alone_on_its_line(width, tmp_path):
    paras = "".join(f"<p>{'a ' * k}{NEXT_TO_HYPHEN}</p>" for k in range(6))
    page = (f"<!doctype html><html lang='en'><head><title>T</title><style>@page {{ margin: 20mm; }} "
            f"body {{ hyphens: auto; font: 10pt serif; }} p {{ width: {width}mm; margin: 0 0 4mm; }} "
            f"</style></head><body>{paras}</body></html>")
    data, _ = render_pdf(print_html(page), tmp_path, [tmp_path])
    (tmp_path / "p.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(lines) >= 12, "six paragraphs of two lines or more"
    assert not [line for line in lines if line in ("The", "a")], f"a first word alone on its line at {width} mm"
