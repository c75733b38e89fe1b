"""What only layout can tell about a printed brief, read from WeasyPrint's boxes, and the corrections made from it.

- Room: the height each part the engine adds takes (an element marked data-room: the glossary, the ICD 203
  legend, caveats pulled in by judgments, open questions), so a page-limit error can say where the room went.
- A table taller than a page, which print.css's `break-inside: avoid` moved whole onto a new page, may break
  where it starts instead (data-split), so no page is left half blank before it. One that fits is never split.
- A chart that moved to the next page and left more than BAND_LINES lines blank is moved after the blocks that
  follow it, one a pass, as a top float would be (WeasyPrint 70 has no page floats): they fill the band, and the
  chart, its title and caption with it, opens the next page, even where that page starts in the next section.

Corrections edit the page's HTML and lay it out again, at most MAX_PASSES times; a brief that needs none is laid
out once. The functions are pure in their inputs, so the PDF stays a function of the page.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

BAND_LINES = 4  # "a few lines": a larger blank band before a moved chart is closed
MAX_PASSES = 3
ROOM = "data-room"
# Blocks a chart may be moved after: whole paragraphs, lists, boxes and tables, never into one of them.
_BLOCKS = {"p", "ul", "ol", "aside", "figure", "table", "blockquote", "dl"}
_CONTAINERS = {"section", "main", "div", "body", "article"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    start: int  # offset of its start tag in the page
    end: int = -1  # offset just after its end tag
    open_end: int = -1  # offset just after its start tag
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class _Spans(HTMLParser):
    """Every element of the page with where it starts and ends in the text, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.lines = [0]
        for i, ch in enumerate(html):
            if ch == "\n":
                self.lines.append(i + 1)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        text = self.get_starttag_text() or ""
        element = Element(tag, dict(attrs), start, open_end=start + len(text),
                          parent=self.stack[-1] if self.stack else None)
        if element.parent is not None:
            element.parent.children.append(element)
        self.elements.append(element)
        if tag in _VOID:
            element.end = element.open_end
        else:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop().end = self.elements[-1].open_end

    def handle_endtag(self, tag: str) -> None:
        end = self.html.index(">", self._offset()) + 1
        while self.stack:
            element = self.stack.pop()
            element.end = end
            if element.tag == tag:
                break


def _charts(elements: list[Element]) -> list[Element]:
    return [e for e in elements if e.tag == "figure" and "chart" in e.classes()]


def _tables(elements: list[Element]) -> list[Element]:
    return [e for e in elements if e.tag == "table"]


# -- reading the layout -------------------------------------------------------------------------------------

def _walk(box: Any, chain: tuple = ()) -> Iterator[tuple[Any, tuple]]:
    """Every box under `box` with the elements it lies in, outermost first."""
    element = getattr(box, "element", None)
    if element is not None and (not chain or chain[-1] is not element):
        chain = (*chain, element)
    yield box, chain
    for child in getattr(box, "children", None) or ():
        yield from _walk(child, chain)


def _root(page: Any) -> Any:
    return next(c for c in page._page_box.children if getattr(c, "element_tag", None) == "html")


@dataclass
class _Page:
    top: float  # the text area, in CSS px
    bottom: float  # where the text may go down to: the text area's foot, or the top of the footnote area
    low: float  # the foot of its lowest line or picture
    first: tuple  # the elements its first line or picture lies in


def _pages(document: Any) -> list[_Page]:
    from weasyprint.formatting_structure import boxes
    pages = []
    for page in document.pages:
        box = page._page_box
        top = box.content_box_y()
        bottom = top + box.height
        notes = next((c for c in box.children if type(c).__name__ == "FootnoteAreaBox" and c.children), None)
        if notes is not None:
            bottom = notes.position_y
        low, first = top, ()
        for b, chain in _walk(_root(page)):
            if isinstance(b, (boxes.LineBox, boxes.ReplacedBox)):
                low = max(low, b.position_y + b.margin_height())
                if not first:
                    first = chain
        pages.append(_Page(top, bottom, low, first))
    return pages


def _line_height(document: Any) -> float:
    """The body text's line: the commonest height of a line of a paragraph."""
    from weasyprint.formatting_structure import boxes
    heights: Counter = Counter()
    for page in document.pages:
        for b, chain in _walk(_root(page)):
            if isinstance(b, boxes.LineBox) and chain and chain[-1].tag == "p":
                heights[round(b.height, 1)] += 1
    return heights.most_common(1)[0][0] if heights else 18.0


def room(document: Any) -> dict[str, dict]:
    """Per part the engine adds (data-room): the share of a page's text area it takes, and how many there are."""
    found: dict[str, dict] = {}

    def visit(box: Any, outer: Any, area: float) -> None:
        element = getattr(box, "element", None)
        if element is not None and element is not outer and element.get(ROOM) is not None:
            entry = found.setdefault(element.get(ROOM), {"pages": 0.0, "elements": set()})
            entry["pages"] += box.margin_height() / area
            entry["elements"].add(id(element))
        for child in getattr(box, "children", None) or ():
            visit(child, element if element is not None else outer, area)

    for page in document.pages:
        visit(_root(page), None, page._page_box.height or 1)
    return {name: {"pages": round(entry["pages"], 2), "count": len(entry["elements"])}
            for name, entry in sorted(found.items())}


# -- correcting it ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fix:
    kind: str  # "split" a table, or "move" a chart
    index: int  # which table or chart, in document order


def corrections(document: Any) -> list[Fix]:
    """What this layout needs: tables pushed whole onto a page they run past, charts behind a blank band."""
    pages = _pages(document)
    root_element = _root(document.pages[0]).element
    tables = [e for e in root_element.iter("table")]
    charts = [e for e in root_element.iter("figure") if "chart" in (e.get("class") or "").split()]
    band = BAND_LINES * _line_height(document)
    fixes = []
    for before, page, after in zip(pages, pages[1:], [*pages[2:], None], strict=False):
        if before.bottom - before.low <= band or not page.first:
            continue
        chart = next((e for e in page.first if e in charts), None)
        table = next((e for e in page.first if e in tables), None)
        if chart is not None:
            fixes.append(Fix("move", charts.index(chart)))
        elif table is not None and after is not None and table in after.first:
            fixes.append(Fix("split", tables.index(table)))  # it runs on: taller than a page, so it may start here
    return fixes


def apply(html: str, fixes: list[Fix]) -> str:
    """The page with `fixes` made: a table marked to break where it starts; a chart moved after the next whole block
    that follows it (one block a pass: the next pass moves it again if the band is still there)."""
    for fix in sorted(fixes, key=lambda f: (f.kind != "split", -f.index)):  # later charts first: offsets stay valid
        elements = _Spans(html).elements
        if fix.kind == "split":
            table = _tables(elements)[fix.index]
            html = html[:table.open_end - 1] + " data-split" + html[table.open_end - 1:]
            continue
        chart = _charts(elements)[fix.index]
        target = next((e for e in elements if e.start >= chart.end and e.tag in _BLOCKS and e.parent is not None
                       and e.parent.tag in _CONTAINERS and not _inside_block(e)), None)
        if target is not None:  # else nothing follows it: it stays where it is
            html = html[:chart.start] + html[chart.end:target.end] + html[chart.start:chart.end] + html[target.end:]
    return html


def _inside_block(element: Element) -> bool:
    parent = element.parent
    while parent is not None:
        if parent.tag in _BLOCKS:
            return True
        parent = parent.parent
    return False


def settle(html: str, lay_out: Callable[[str], Any]) -> tuple[Any, str]:
    """Lay the page out, then correct it until nothing needs it (or MAX_PASSES): the document and its HTML."""
    document = lay_out(html)
    for _ in range(MAX_PASSES):
        fixes = corrections(document)
        corrected = apply(html, fixes) if fixes else html
        if corrected == html:
            break
        html, document = corrected, lay_out(corrected)
    return document, html
