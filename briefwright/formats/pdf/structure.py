"""The PDF's structure tree after layout: what WeasyPrint 70's tagging cannot express, put right with pikepdf.

WeasyPrint tags the page from its HTML (headings, lists, tables, figures with alt text, links). What it
leaves out whatever the HTML says (its pdf/tags.py), and this step adds (docs/accessibility.md):

- margin boxes (running head, page number, TLP labels) are marked as content hung on no element: they
  become pagination artifacts, except the first page's head (the TLP label), which becomes the first
  paragraph so that a screen reader announces the marking before the brief;
- leader dots (the contents' page numbers) are marked one dot at a time: they become layout artifacts;
- a space between two inline elements is a text box WeasyPrint draws no glyph for: its span gets the
  space as /ActualText, so a reader of the tree does not run "(80-95%)" and "Moderate" together;
- header cells get an /ID and data cells /Headers, never /Scope (the HTML's scope only tells row from
  column headers): each /TH gets one;
- a list item holding blocks gets its label and blocks side by side, and a sub-list hung on the outer
  list: they go into one /LBody;
- footnotes and endnotes are spans and list items: they become /Note with the ID of the note they
  print (note-3), and element IDs get the /IDTree the PDF specification requires;
- WeasyPrint tags boxes, and gives every box of a link an annotation: a link broken over lines is a
  /Link per line, and an inline element inside a link holds an annotation of its own. Each link becomes
  one /Link holding all its annotations (a link broken over pages, one per page); a link element nested
  in another (generated content) joins it;
- link annotations lack the Print flag and carry their raw target as /Contents: they get the flag and
  the link's accessible name from the page (its aria-label, else its text, without zero-width or soft
  break characters); a link element with no annotation (its target is not in the PDF, as citations of
  footnotes) is a /Reference to its note, or a /Span.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String

Transform = tuple[float, float, float, float, float, float]
IDENTITY: Transform = (1, 0, 0, 1, 0, 0)
PRINT_FLAG = 4
NOTE_ID = re.compile(r"note-\d+")
HYPHEN = "\u2010"  # what WeasyPrint draws where it hyphenates a word at a line end
# Characters that only say where a line may or may not break (soft hyphen, zero-width space, word joiner,
# zero-width no-break space): no part of a name a reader hears. Zero-width (non-)joiners are spelling: kept.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def finish_structure(data: bytes, html: str) -> bytes:
    """The PDF WeasyPrint wrote from `html`, with its structure tree completed. Same input, same bytes."""
    page_facts = PageFacts()
    page_facts.feed(html)
    page_facts.close()
    with pikepdf.open(BytesIO(data)) as pdf:
        tree = StructureTree(pdf)
        tree.margins_as_artifacts()
        tree.gather_links()
        tree.leaders_as_artifacts()
        tree.spaces_between_inline_boxes()
        tree.scope_header_cells()
        tree.wrap_list_bodies()
        notes = tree.tag_notes(page_facts.notes)
        tree.name_links(page_facts.link_names, notes)
        tree.index_ids()
        tree.write_content()
        out = BytesIO()
        pdf.save(out, deterministic_id=True)  # the file ID from the content, not from the clock
    return out.getvalue()


def normalise(text: str) -> str:
    """Letters and digits only, so text read from the PDF (hyphenated, re-spaced) compares with the page's."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class PageFacts(HTMLParser):
    """From the brief's page: each link target's accessible name, and the text of each note (id note-N)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.link_names: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self._link: tuple[str, str | None, list[str]] | None = None
        self._note: tuple[str, list[str]] | None = None
        self._depth = 0  # elements open inside the note being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._note is not None:
            self._depth += tag not in VOID
        elif NOTE_ID.fullmatch(attributes.get("id") or ""):
            self._note, self._depth = (attributes["id"] or "", []), 0
        if tag == "a" and attributes.get("href"):
            href = attributes["href"] or ""
            self._link = (href[1:] if href.startswith("#") else href, attributes.get("aria-label"), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag == "a" and self._link is not None:
            target, label, text = self._link
            self.link_names.setdefault(target, " ".join((label or "".join(text)).translate(INVISIBLE).split()))
            self._link = None
        if self._note is not None:
            if self._depth == 0:
                self.notes[self._note[0]] = normalise("".join(self._note[1]))
                self._note = None
            else:
                self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[2].append(data)
        if self._note is not None:
            self._note[1].append(data)


def multiply(m: Transform, n: Transform) -> Transform:
    """m then n, as PDF concatenates matrices."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def transform(operands: list) -> Transform:
    a, b, c, d, e, f = (float(v) for v in operands)
    return (a, b, c, d, e, f)


def to_unicode(font: pikepdf.Object) -> tuple[int, dict[int, str]]:
    """A font's code width in bytes and its ToUnicode map (WeasyPrint writes bfchar and bfrange entries)."""
    width = 2 if font.get("/Subtype") == Name.Type0 else 1
    mapping: dict[int, str] = {}
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return width, mapping
    cmap = stream.read_bytes().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for source, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be", errors="replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset) if first + offset < 0x110000 else ""
    return width, mapping


class MarkedContent:
    """One page's content stream as instructions, with the text and first glyph position of each MCID."""

    def __init__(self, page: pikepdf.Page) -> None:
        self.instructions = list(pikepdf.parse_content_stream(page))
        self.text: dict[int, str] = {}
        self.origin: dict[int, tuple[float, float]] = {}  # in the page's default space, y up
        fonts = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
        decoders: dict[str, tuple[int, dict[int, str]]] = {}
        decoder: tuple[int, dict[int, str]] = (1, {})
        ctm, saved, text_matrix, line_matrix, leading = IDENTITY, [], IDENTITY, IDENTITY, 0.0
        marks: list[int | None] = []
        for instruction in self.instructions:
            op, args = str(instruction.operator), list(instruction.operands)
            if op == "q":
                saved.append(ctm)
            elif op == "Q" and saved:
                ctm = saved.pop()
            elif op == "cm":
                ctm = multiply(transform(args), ctm)
            elif op == "BT":
                text_matrix = line_matrix = IDENTITY
            elif op == "Tm":
                text_matrix = line_matrix = transform(args)
            elif op in ("Td", "TD", "T*", "'", '"'):
                tx, ty = (float(args[0]), float(args[1])) if op in ("Td", "TD") else (0.0, -leading)
                if op == "TD":
                    leading = -ty
                text_matrix = line_matrix = multiply((1, 0, 0, 1, tx, ty), line_matrix)
            elif op == "TL":
                leading = float(args[0])
            elif op == "Tf":
                key = str(args[0])
                if key not in decoders:
                    decoders[key] = to_unicode(fonts.get(key, Dictionary()))
                decoder = decoders[key]
            elif op in ("BDC", "BMC"):
                properties = args[1] if op == "BDC" and len(args) > 1 else None
                marked = properties.get("/MCID") if isinstance(properties, Dictionary) else None
                marks.append(int(marked) if marked is not None else None)
            elif op == "EMC" and marks:
                marks.pop()
            current = marks[-1] if marks else None
            if op in ("Tj", "TJ", "'", '"') and current is not None:
                mcid, (width, mapping) = current, decoder
                for item in args[-1] if op == "TJ" else [args[-1]]:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        codes = (int.from_bytes(raw[i:i + width], "big") for i in range(0, len(raw), width))
                        self.text[mcid] = self.text.get(mcid, "") + "".join(mapping.get(code, "") for code in codes)
                if mcid not in self.origin:
                    position = multiply(text_matrix, ctm)
                    self.origin[mcid] = (position[4], position[5])


class StructureTree:
    """The document's structure tree, its parent tree and each page's marked content."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.document = self.kids(self.root)[0]
        self.page_index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        self.content = [MarkedContent(page) for page in pdf.pages]
        # WeasyPrint writes the parent tree as one flat /Nums array: per page, the element of each MCID;
        # per annotation (by its /StructParent), the element holding it.
        self.nums = self.root.ParentTree.Nums
        self.parent_entry = {int(self.nums[i]): i + 1 for i in range(0, len(self.nums), 2)}
        self.parents = [self.nums[self.parent_entry[int(page.obj.StructParents)]] for page in pdf.pages]
        self.artifacts: list[dict[int, Dictionary]] = [{} for _ in pdf.pages]

    @staticmethod
    def kids(element: pikepdf.Object) -> list[pikepdf.Object]:
        kids = element.get("/K")
        if kids is None:
            return []
        return list(kids) if isinstance(kids, Array) else [kids]

    @staticmethod
    def is_element(node: pikepdf.Object) -> bool:
        return isinstance(node, Dictionary) and "/S" in node

    def role(self, node: pikepdf.Object) -> str:
        return str(node.get("/S")) if self.is_element(node) else ""

    def elements(self) -> Iterator[pikepdf.Object]:
        """Every element reachable from the root, in reading order."""
        stack = [self.document]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed([kid for kid in self.kids(element) if self.is_element(kid)]))

    def new_element(self, role: str, parent: pikepdf.Object, kids: list[pikepdf.Object]) -> pikepdf.Object:
        element = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name(role), P=parent, K=Array(kids)))
        if "/Pg" in parent:
            element.Pg = parent.Pg
        for kid in kids:
            if self.is_element(kid):
                kid.P = element
        return element

    def page_of(self, element: pikepdf.Object | None) -> int | None:
        while element is not None and self.is_element(element):
            if "/Pg" in element:
                return self.page_index.get(element.Pg.objgen)
            element = element.get("/P")
        return None

    def marked(self, element: pikepdf.Object) -> Iterator[tuple[int, int]]:
        """(page, MCID) of every piece of content the element marks, in its order."""
        page = self.page_of(element)
        for kid in self.kids(element):
            if isinstance(kid, int) and page is not None:
                yield page, int(kid)
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                mcr_page = self.page_index.get(kid.Pg.objgen) if "/Pg" in kid else page
                if mcr_page is not None:
                    yield mcr_page, int(kid.MCID)
            elif self.is_element(kid):
                yield from self.marked(kid)

    def pieces(self, element: pikepdf.Object) -> Iterator[tuple[str, tuple[int, float] | None]]:
        """Each piece of an element's text with the line it is drawn on (None for an /ActualText)."""
        if "/ActualText" in element:
            yield str(element.ActualText), None
            return
        page = self.page_of(element)
        for kid in self.kids(element):
            if self.is_element(kid):
                yield from self.pieces(kid)
                continue
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                page, kid = self.page_index.get(kid.Pg.objgen) if "/Pg" in kid else page, kid.MCID
            if isinstance(kid, int) and page is not None:
                origin = self.content[page].origin.get(int(kid))
                yield self.content[page].text.get(int(kid), ""), (page, round(origin[1], 1)) if origin else None

    def text(self, element: pikepdf.Object) -> str:
        """The text an element marks, a space where a line ends (WeasyPrint draws none there)."""
        text, line = "", None
        for part, here in self.pieces(element):
            if line is not None and here is not None and here != line and text and part and not text[-1].isspace() \
                    and not part[0].isspace() and not text.endswith(HYPHEN):
                text += " "
            text, line = text + part, here or line
        return text

    def make_artifact(self, page: int, mcid: int, properties: Dictionary) -> None:
        self.artifacts[page][mcid] = properties
        self.parents[page][mcid] = None

    def margins_as_artifacts(self) -> None:
        """Margin boxes' content, which WeasyPrint marks but hangs on no element, as pagination artifacts."""
        reachable = {element.objgen for element in self.elements()}
        for index, (page, content, parents) in enumerate(zip(self.pdf.pages, self.content, self.parents, strict=True)):
            middle = float(page.mediabox[3]) / 2
            margin = [mcid for mcid, parent in enumerate(parents) if isinstance(parent, Dictionary) and parent.objgen not in reachable]
            heads = [mcid for mcid in margin if content.origin.get(mcid, (0, 0))[1] > middle]
            if index == 0 and heads:
                # The first page's head is the document's marking: read first, as content.
                marking = self.new_element("/P", self.document, [])
                marking.Pg, marking.K = page.obj, Array(heads)
                self.document.K.insert(0, marking)
                for mcid in heads:
                    parents[mcid] = marking
            for mcid in margin:
                if not (index == 0 and mcid in heads):
                    kind = Name.Header if mcid in heads else Name.Footer
                    self.make_artifact(index, mcid, Dictionary(Type=Name.Pagination, Subtype=kind))

    def leaders_as_artifacts(self) -> None:
        """Leader dots, marked one dot at a time, as layout artifacts (a screen reader would read each dot); what
        follows them (a contents entry's page number) is read after a space, as its /ActualText."""
        for element in list(self.elements()):
            page = self.page_of(element)
            kids = self.kids(element)
            dots = {int(kid) for kid in kids
                    if page is not None and isinstance(kid, int) and self.content[page].text.get(int(kid), "").strip() == "."}
            if page is None or len(dots) < 3:  # a lone full stop after an inline element is text
                continue
            for mcid in dots:
                self.make_artifact(page, mcid, Dictionary(Type=Name.Layout))
            last = max(i for i, kid in enumerate(kids) if isinstance(kid, int) and int(kid) in dots)
            after = next((i for i in range(last + 1, len(kids)) if isinstance(kids[i], int)), None)
            if after is not None:
                mcid = int(kids[after])
                kids[after] = self.new_element("/Span", element, [])
                kids[after].K, kids[after].ActualText = mcid, String(" " + self.content[page].text.get(mcid, ""))
                self.parents[page][mcid] = kids[after]
            element.K = Array([kid for kid in kids if not (isinstance(kid, int) and int(kid) in dots)])

    def spaces_between_inline_boxes(self) -> None:
        """A span marking content that draws no glyph is the space WeasyPrint keeps between two inline elements."""
        for element in self.elements():
            kids = self.kids(element)
            if self.role(element) == "/Span" and kids and all(isinstance(kid, int) for kid in kids) \
                    and not self.text(element):
                element.ActualText = String(" ")

    def scope_header_cells(self) -> None:
        """Each /TH a /Scope: a row header if its row holds data cells, else a column header."""
        for element in self.elements():
            if self.role(element) != "/TR":
                continue
            cells = [kid for kid in self.kids(element) if self.is_element(kid)]
            scope = Name.Row if any(self.role(cell) == "/TD" for cell in cells) else Name.Column
            for cell in cells:
                if self.role(cell) != "/TH":
                    continue
                attributes = cell.get("/A")
                if isinstance(attributes, Dictionary):
                    attributes.Scope = scope
                elif isinstance(attributes, Array):
                    attributes.append(Dictionary(O=Name.Table, Scope=scope))
                else:
                    cell.A = Dictionary(O=Name.Table, Scope=scope)

    def first_mcid(self, element: pikepdf.Object) -> int | None:
        """An element's first marked content on its page: its place in the order content is drawn."""
        return min((mcid for _, mcid in self.marked(element)), default=None)

    def wrap_list_bodies(self) -> None:
        """A list item's content, beside its label, in one /LBody, with any sub-list it holds. WeasyPrint
        hangs a sub-list on the outer list after its item; it goes back into the item, in content order."""
        for element in list(self.elements()):
            if self.role(element) != "/L":
                continue
            kept: list[pikepdf.Object] = []
            for kid in self.kids(element):
                host = kept[-1] if kept and self.role(kept[-1]) == "/LI" else None
                if host is None or self.role(kid) != "/L":
                    kept.append(kid)
                    continue
                place, items = self.first_mcid(kid), self.kids(host)
                later = [i for i, item in enumerate(items) if self.role(item) not in ("", "/Lbl") and place is not None
                         and (first := self.first_mcid(item)) is not None and first > place]
                items.insert(later[0] if later else len(items), kid)
                host.K, kid.P = Array(items), host
            element.K = Array(kept)
        for element in list(self.elements()):
            kids = self.kids(element)
            if self.role(element) != "/LI" or any(self.role(kid) == "/LBody" for kid in kids):
                continue
            labels = [kid for kid in kids if self.role(kid) == "/Lbl"]
            body = [kid for kid in kids if self.role(kid) != "/Lbl"]
            if body:
                element.K = Array([*labels, self.new_element("/LBody", element, body)])

    def tag_notes(self, notes: dict[str, str]) -> set[str]:
        """Footnotes (in the footnote area WeasyPrint adds after each page's content, each starting with its
        number) and endnotes (list items whose body is a note's text on the page) as /Note with that note's
        ID. Returns the IDs tagged."""
        tagged: set[str] = set()
        for area in self.kids(self.document):
            if self.role(area) != "/NonStruct":
                continue
            for footnote in self.kids(area):
                number = re.match(r"\s*(\d+)\.", self.text(footnote)) if self.is_element(footnote) else None
                note = f"note-{number.group(1)}" if number else ""
                if note in notes and note not in tagged:
                    footnote.S, footnote.ID = Name.Note, String(note)
                    tagged.add(note)
        by_text = {text: note for note, text in notes.items() if text}
        for body in list(self.elements()):
            if self.role(body) != "/LBody":
                continue
            text = normalise(self.text(body))
            # A note broken across pages starts on one page: its first part carries the ID.
            note = by_text.get(text) or next((n for t, n in by_text.items() if len(text) >= 20 and t.startswith(text)), "")
            if note and note not in tagged:
                # The item's number goes into the note, so the note says which citation it answers.
                item = body.P
                labels = [kid for kid in self.kids(item) if self.role(kid) == "/Lbl"]
                item.K = Array([body])
                body.K = Array([self.new_element("/Note", body, labels + self.kids(body))])
                body.K[0].ID = String(note)
                tagged.add(note)
        return tagged

    def repoint(self, node: pikepdf.Object, element: pikepdf.Object, page: int | None) -> None:
        """The parent tree's entry for a content item or annotation moved into `element`."""
        if isinstance(node, int) and page is not None:
            self.parents[page][int(node)] = element
        elif isinstance(node, Dictionary) and node.get("/Type") == Name.OBJR and "/StructParent" in node.Obj:
            self.nums[self.parent_entry[int(node.Obj.StructParent)]] = element
        elif self.is_element(node):
            node.P = element

    @staticmethod
    def is_annotation(node: pikepdf.Object) -> bool:
        return isinstance(node, Dictionary) and node.get("/Type") == Name.OBJR

    @staticmethod
    def target(annotation: pikepdf.Object) -> bytes:
        """Where a link annotation goes: its URI, else its destination."""
        action = annotation.get("/A")
        goal = action.get("/URI") if isinstance(action, Dictionary) else annotation.get("/Dest")
        return goal.unparse() if goal is not None else b""

    def annotations(self, element: pikepdf.Object) -> Iterator[pikepdf.Object]:
        """The annotations (as object references) an element and the elements inside it hold, in order."""
        for kid in self.kids(element):
            if self.is_annotation(kid):
                yield kid
            elif self.is_element(kid):
                yield from self.annotations(kid)

    def lines(self, element: pikepdf.Object) -> list[tuple[int, float]]:
        """The lines an element's text is drawn on, in its order."""
        return [line for _, line in self.pieces(element) if line is not None]

    def continues(self, link: pikepdf.Object, after: pikepdf.Object) -> bool:
        """Whether `after`, the element next to `link`, is the rest of the same link on the next line: a link
        to the same target whose text starts on another line than the one `link` ends on."""
        if self.role(after) != "/Link":
            return False
        first, then = next(self.annotations(link), None), next(self.annotations(after), None)
        if first is None or then is None or self.target(first.Obj) != self.target(then.Obj):
            return False
        ends, starts = self.lines(link), self.lines(after)
        return bool(ends and starts) and ends[-1][0] == starts[0][0] and ends[-1] != starts[0]

    def take_annotations(self, element: pikepdf.Object) -> list[pikepdf.Object]:
        """The annotations inside an element, taken out of it and the elements it holds; an element that
        held nothing else goes too."""
        taken, kept = [], []
        for kid in self.kids(element):
            if self.is_annotation(kid):
                taken.append(kid)
                continue
            if self.is_element(kid):
                inside = self.take_annotations(kid)
                taken += inside
                if inside and not self.kids(kid):
                    continue
            kept.append(kid)
        if taken:
            element.K = Array(kept)
        return taken

    def gather_links(self) -> None:
        """One /Link for each link of the page, holding every annotation WeasyPrint made for it. WeasyPrint
        tags boxes, not elements, and gives every box of a link an annotation: a link broken over lines is a
        /Link per line, and an inline element in a link (a <span class="nh">) holds an annotation of its
        own. The rest of a link on the next line joins its first part, a link inside a link (generated
        content such as a contents entry's page number) joins the outer one, and each /Link takes every
        annotation inside it as its own kid. A link broken over pages stays a /Link on each page (the
        paragraph holding it is an element on each)."""
        for element in self.elements():  # lazily: each element's kids are read after it is put right
            if self.role(element) == "/Link":
                self.gather_link(element)
                continue
            kids = self.kids(element)
            joined: list[pikepdf.Object] = []
            for kid in kids:
                if joined and self.role(joined[-1]) == "/Link" and self.continues(joined[-1], kid):
                    page = self.page_of(kid)
                    for part in self.kids(kid):
                        self.repoint(part, joined[-1], page)
                    joined[-1].K = Array(self.kids(joined[-1]) + self.kids(kid))
                else:
                    joined.append(kid)
            if len(joined) < len(kids):
                element.K = Array(joined)

    def gather_link(self, link: pikepdf.Object) -> None:
        """A link's nested links joined, and every annotation inside it a kid of its own."""
        kids = self.kids(link)
        while any(self.role(kid) == "/Link" for kid in kids):
            joined: list[pikepdf.Object] = []
            for kid in kids:
                if self.role(kid) != "/Link":
                    joined.append(kid)
                    continue
                page = self.page_of(kid)
                for inner in self.kids(kid):
                    self.repoint(inner, link, page)
                    joined.append(inner)
            kids = joined
        page, gathered = self.page_of(link), []
        for kid in kids:
            if self.is_element(kid):
                inside = self.take_annotations(kid)
                for annotation in inside:
                    self.repoint(annotation, link, page)
                gathered += inside  # before the element whose box it covers
                if inside and not self.kids(kid):
                    continue
            gathered.append(kid)
        link.K = Array(gathered)

    def name_links(self, names: dict[str, str], notes: set[str]) -> None:
        """Every link annotation printable, with the link's accessible name as its alternate description; a
        link element with no annotation (its target is not in the PDF) is a /Reference to its note, or a /Span."""
        for page in self.pdf.pages:
            for annotation in page.obj.get("/Annots", Array()):
                if annotation.get("/Subtype") != Name.Link:
                    continue
                annotation.F = int(annotation.get("/F", 0)) | PRINT_FLAG
                name = names.get(str(annotation.get("/Contents", "")))
                if name:
                    annotation.Contents = String(name)
        for element in self.elements():
            if self.role(element) == "/Link" and not any(self.is_annotation(kid) for kid in self.kids(element)):
                element.S = Name.Reference if f"note-{self.text(element).strip()}" in notes else Name.Span

    def index_ids(self) -> None:
        """The /IDTree: every element ID (table headers, notes), sorted as a name tree must be."""
        ids = sorted(((bytes(element.ID), element) for element in self.elements() if "/ID" in element), key=lambda pair: pair[0])
        if ids:
            names = Array()
            for key, element in ids:
                names.append(String(key))
                names.append(element)
            self.root.IDTree = self.pdf.make_indirect(Dictionary(Names=names))

    def write_content(self) -> None:
        """Each page's content stream again, its artifacts' marks rewritten."""
        for page, content, artifacts in zip(self.pdf.pages, self.content, self.artifacts, strict=True):
            if not artifacts:
                continue
            for number, instruction in enumerate(content.instructions):
                args = instruction.operands
                if str(instruction.operator) == "BDC" and len(args) > 1 and isinstance(args[1], Dictionary) \
                        and int(args[1].get("/MCID", -1)) in artifacts:
                    content.instructions[number] = pikepdf.ContentStreamInstruction(
                        [Name.Artifact, artifacts[int(args[1].MCID)]], pikepdf.Operator("BDC"))
            page.obj.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(content.instructions))
