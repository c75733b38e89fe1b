"""The Office Open XML that python-docx has no API for, in one place: footnote and endnote parts,
fields, bookmarks, hyperlinks, numbering definitions, properties it does not model (shading, borders,
tab stops, language), reading a saved file back, and a zip whose bytes depend only on its content.

Word refuses a file whose elements are out of schema order (LibreOffice is lenient, so its tests
would not notice): every element added here goes through `put`, which keeps the schema's order.
"""
from __future__ import annotations

import datetime
import datetime as dt
import html
import io
import re
import zipfile
from functools import cache
from typing import Any

# python-docx is imported inside the functions: a build that makes no Word file never loads it.

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = {"w": W, "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
              "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}


def qn(name: str) -> str:
    """'w:p' as lxml spells it."""
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"

# Child order of the elements this module adds to (ECMA-376 part 1, the w: schema).
PPR = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers",
       "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
       "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
       "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
       "rPr", "sectPr", "pPrChange")
RPR = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow", "emboss",
       "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
       "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
       "specVanish", "oMath")
SECTPR = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders",
          "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
          "rtlGutter", "docGrid", "printerSettings", "sectPrChange")
TBLPR = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
         "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")
STYLE = ("name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden", "unhideWhenUsed",
         "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr",
         "tblStylePr")
# Settings that follow footnotePr and endnotePr (the rest of the settings schema comes before them).
AFTER_NOTE_SETTINGS = ("compat", "docVars", "rsids", "{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr",
                       "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                       "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
                       "{http://schemas.openxmlformats.org/schemaLibrary/2006/main}schemaLibrary", "shapeDefaults",
                       "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _clark(name: str) -> str:
    return name if name.startswith("{") else f"{{{W}}}{name}"


@cache
def _later(order: tuple[str, ...], tag: str) -> frozenset[str]:
    """The tags the schema puts after `tag`."""
    names = [_clark(n) for n in order]
    return frozenset(names[names.index(tag) + 1:])


def put(parent: Any, child: Any, order: tuple[str, ...]) -> Any:
    """Add `child` to `parent` in schema order, replacing a child of the same name."""
    for old in parent.findall(child.tag):
        parent.remove(old)
    after = _later(order, child.tag)
    for existing in parent:
        if existing.tag in after:
            existing.addprevious(child)
            return child
    parent.append(child)
    return child


def element(tag: str, **attrs: str) -> Any:
    """A w: element with w: attributes."""
    from docx.oxml import OxmlElement
    el = OxmlElement(f"w:{tag}")
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), value)
    return el


def shading(fill: str) -> Any:
    return element("shd", val="clear", color="auto", fill=fill)


def left_border(colour: str, eighths: int, space: int = 6) -> Any:
    borders = element("pBdr")
    borders.append(element("left", val="single", sz=str(eighths), space=str(space), color=colour))
    return borders


def tab_stops(stops: list[tuple[str, int]]) -> Any:
    tabs = element("tabs")
    for kind, position in stops:
        tabs.append(element("tab", val=kind, pos=str(position)))
    return tabs


# -- runs, fields, bookmarks, links ------------------------------------------------------------------

def run(text: str = "", style: str | None = None, bold: bool = False, italic: bool = False,
        strike: bool = False, vert: str | None = None) -> Any:
    from docx.oxml import OxmlElement
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    if style:
        put(rpr, element("rStyle", val=style), RPR)
    for flag, tag in ((bold, "b"), (italic, "i"), (strike, "strike")):
        if flag:
            put(rpr, element(tag), RPR)
    if vert:
        put(rpr, element("vertAlign", val=vert), RPR)
    if len(rpr):
        r.append(rpr)
    if "\t" in text or "\n" in text:
        r.text = text  # python-docx's CT_R turns tabs and newlines into w:tab and w:br
    elif text:
        t = OxmlElement("w:t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
    return r


def simple_field(instruction: str, result: str, style: str | None = None) -> Any:
    """A field Word recalculates (PAGE, NOTEREF, SEQ), holding `result` until it does."""
    field = element("fldSimple", instr=f" {instruction} ")
    field.append(run(result, style))
    return field


def bookmark(paragraph: Any, name: str, mark_id: int) -> None:
    """Wrap a paragraph's content in a bookmark (after its properties)."""
    start = element("bookmarkStart", id=str(mark_id), name=name)
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        paragraph.insert(0, start)
    paragraph.append(element("bookmarkEnd", id=str(mark_id)))


def hyperlink(part: Any, runs: list[Any], url: str | None = None, anchor: str | None = None) -> Any:
    """A link to a web address (a relationship of the part) or to a bookmark in the document."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    link = OxmlElement("w:hyperlink")
    if url is not None:
        link.set(qn("r:id"), part.relate_to(url, RT.HYPERLINK, is_external=True))
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    for r in runs:
        link.append(r)
    return link


def note_reference(kind: str, note_id: int, style: str) -> Any:
    r = run(style=style)
    r.append(element(f"{kind}Reference", id=str(note_id)))
    return r


# -- footnotes and endnotes ---------------------------------------------------------------------------

class Notes:
    """The footnotes or endnotes part. A reference document's own notes are dropped; the separators Word
    expects (ids -1 and 0) are written, so Word has nothing to repair."""

    def __init__(self, document: Any, kind: str):
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        assert kind in ("footnote", "endnote")
        self.kind = kind
        self.count = 0
        part = document.part
        reltype = RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES
        for rid, rel in list(part.rels.items()):
            if rel.reltype == reltype:
                del part.rels[rid]
        root = parse_xml(f"<w:{kind}s {nsdecls('w', 'r')}/>")
        for note_id, mark in ((-1, "separator"), (0, "continuationSeparator")):
            note = element(kind, type=mark, id=str(note_id))
            p = element("p")
            ppr = element("pPr")
            put(ppr, element("spacing", after="0", line="240", lineRule="auto"), PPR)
            p.append(ppr)
            r = element("r")
            r.append(element(mark))
            p.append(r)
            note.append(p)
            root.append(note)
        self.root = root
        content_type = CT.WML_FOOTNOTES if kind == "footnote" else CT.WML_ENDNOTES
        self.part = XmlPart(PackURI(f"/word/{kind}s.xml"), content_type, root, part.package)
        part.relate_to(self.part, reltype)
        settings = document.settings.element
        props = element(f"{kind}Pr")
        if kind == "endnote":
            props.append(element("numFmt", val="decimal"))  # as the PDF's sources; Word's default is i, ii, iii
        for note_id in (-1, 0):
            props.append(element(kind, id=str(note_id)))
        order = ["footnotePr", "endnotePr", *AFTER_NOTE_SETTINGS]
        _put_settings(settings, props, order)

    def add(self, paragraph_style: str, reference_style: str) -> tuple[int, Any]:
        """A new note; returns its id (Word numbers notes in the order of their references) and its paragraph."""
        self.count += 1
        note = element(self.kind, id=str(self.count))
        p = element("p")
        ppr = element("pPr")
        put(ppr, element("pStyle", val=paragraph_style), PPR)
        p.append(ppr)
        mark = run(style=reference_style)
        mark.append(element(f"{self.kind}Ref"))
        p.append(mark)
        p.append(run(" "))
        note.append(p)
        self.root.append(note)
        return self.count, p


def _put_settings(settings: Any, child: Any, order: list[str]) -> None:
    for old in settings.findall(child.tag):
        settings.remove(old)
    after = {_clark(n) for n in order[order.index(child.tag.split("}")[1]) + 1:]}
    for existing in settings:
        if existing.tag in after:
            existing.addprevious(child)
            return
    settings.append(child)


# -- numbering ----------------------------------------------------------------------------------------

class Numbering:
    """The numbering part: named list definitions (abstractNum) and their instances (num)."""

    def __init__(self, document: Any):
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        part = document.part
        try:
            self.part = part.part_related_by(RT.NUMBERING)
        except KeyError:
            root = parse_xml(f"<w:numbering {nsdecls('w')}/>")
            self.part = XmlPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, root, part.package)
            part.relate_to(self.part, RT.NUMBERING)
        self.root = self.part.element

    def _ids(self, tag: str, attr: str) -> list[int]:
        return [int(el.get(qn(f"w:{attr}"))) for el in self.root.findall(qn(f"w:{tag}"))]

    def definition(self, name: str) -> int | None:
        for el in self.root.findall(qn("w:abstractNum")):
            n = el.find(qn("w:name"))
            if n is not None and n.get(qn("w:val")) == name:
                return int(el.get(qn("w:abstractNumId")))
        return None

    def define(self, name: str, levels: list[tuple[str, str, int | None]]) -> int:
        """A list definition named `name` (reused if present): per level its format (decimal, bullet), text
        ("%1." or a bullet character) and indent in twips (None: the paragraph keeps its style's indent)."""
        found = self.definition(name)
        if found is not None:
            return found
        abstract_id = max(self._ids("abstractNum", "abstractNumId"), default=-1) + 1
        el = element("abstractNum", abstractNumId=str(abstract_id))
        el.append(element("multiLevelType", val="singleLevel" if len(levels) == 1 else "multilevel"))
        el.append(element("name", val=name))
        for level, (fmt, text, indent) in enumerate(levels):
            lvl = element("lvl", ilvl=str(level))
            lvl.append(element("start", val="1"))
            lvl.append(element("numFmt", val=fmt))
            lvl.append(element("lvlText", val=text))
            lvl.append(element("lvlJc", val="left"))
            if indent is not None:
                ppr = element("pPr")
                hanging = 360 if fmt == "bullet" else 425
                put(ppr, element("ind", left=str(indent), hanging=str(hanging)), PPR)
                lvl.append(ppr)
            el.append(lvl)
        first_num = self.root.find(qn("w:num"))
        later = first_num if first_num is not None else self.root.find(qn("w:numIdMacAtCleanup"))
        if later is not None:
            later.addprevious(el)
        else:
            self.root.append(el)
        return abstract_id

    def instance(self, abstract_id: int, restart: bool = False) -> int:
        """A numbering instance of a definition; `restart` begins again at 1 (a new ordered list)."""
        num_id = max(self._ids("num", "numId"), default=0) + 1
        num = element("num", numId=str(num_id))
        num.append(element("abstractNumId", val=str(abstract_id)))
        if restart:
            override = element("lvlOverride", ilvl="0")
            override.append(element("startOverride", val="1"))
            num.append(override)
        cleanup = self.root.find(qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            self.root.append(num)
        return num_id


def number(ppr: Any, num_id: int, level: int = 0) -> None:
    numpr = element("numPr")
    numpr.append(element("ilvl", val=str(level)))
    numpr.append(element("numId", val=str(num_id)))
    put(ppr, numpr, PPR)


# -- the file -----------------------------------------------------------------------------------------

def reproducible_zip(data: bytes, when: dt.date) -> bytes:
    """The same package with fixed entry times (the brief's date), a fixed order ([Content_Types].xml
    first, as Office writes it) and fixed attributes, so the same document gives the same bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    first = [n for n in ("[Content_Types].xml", "_rels/.rels") if n in entries]
    names = first + sorted(n for n in entries if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()


_PART = re.compile(r"^word/(document|footnotes|endnotes|header\d*|footer\d*)\.xml$")


def read_parts(data: bytes) -> dict[str, Any]:
    """The parsed text-bearing parts of a saved .docx, by name (word/document.xml, word/header1.xml, ...)."""
    from docx.oxml import parse_xml
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: parse_xml(z.read(name)) for name in z.namelist() if _PART.match(name)}


def paragraph_text(p: Any) -> str:
    """A paragraph's text as a reader sees it (tabs as tabs, field results included)."""
    out = []
    for el in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:noBreakHyphen")):
        if el.tag == qn("w:t"):
            out.append(el.text or "")
        elif el.tag == qn("w:tab"):
            out.append("\t")
        elif el.tag == qn("w:br"):
            out.append("\n")
        else:
            out.append("-")
    return "".join(out)


def paragraphs(root: Any) -> list[tuple[list[str], str]]:
    """Every paragraph of a part in document order (table cells included): its bookmarks and its text."""
    return [([b.get(qn("w:name"), "") for b in p.iter(qn("w:bookmarkStart"))], paragraph_text(p))
            for p in root.iter(qn("w:p"))]


def note_references(root: Any, kind: str) -> list[int]:
    return [int(r.get(qn("w:id"))) for r in root.iter(qn(f"w:{kind}Reference"))]


def notes(root: Any, kind: str) -> dict[int, str]:
    """The text of each note of a footnotes or endnotes part, by id (separators left out)."""
    return {int(n.get(qn("w:id"))): " ".join(paragraph_text(p) for p in n.iter(qn("w:p"))).strip()
            for n in root.findall(qn(f"w:{kind}")) if int(n.get(qn("w:id"))) > 0}


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_PACKAGE_BREAK = re.compile(r"</w:p>|<w:tab/>|<w:br/>|<w:cr/>|</a:p>|<a:br/>")  # Word and DrawingML (slides, notes, charts)


def package_text(data: bytes) -> str:
    """The text of a Word or PowerPoint file: its document or slides, notes, headers, footers, masters, charts (and
    the workbooks their data is kept in), properties and link targets. Runs of one paragraph are joined as Word and
    PowerPoint show them (a sentence may be split over runs); paragraphs are spaced apart."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in sorted(z.namelist()):
            if name.endswith(".xlsx"):
                parts.append(package_text(z.read(name)))
            if not name.endswith((".xml", ".rels")):
                continue
            xml = z.read(name).decode("utf-8", errors="replace")
            if name.startswith(("word/", "ppt/", "xl/")) and name.endswith(".xml"):
                xml = _PACKAGE_BREAK.sub(" ", xml)
                parts.append(html.unescape(_TAG.sub("", xml)))
            else:
                parts.append(html.unescape(_TAG.sub(" ", xml)))
    return _SPACE.sub(" ", " ".join(parts))


def brief_properties(core: Any, brief: Any, title: str, subject: str) -> datetime.datetime:
    """A Word or PowerPoint file's core properties from its brief (title and subject as the format prints them),
    dated by the brief so the bytes do not change; the date is returned for what else the format dates."""
    when = datetime.datetime.combine(datetime.date.fromisoformat(brief["date"]), datetime.time())
    core.title, core.subject = title[:255], subject[:255]
    core.author = core.last_modified_by = brief["organisation"][:255]
    core.keywords = ", ".join(brief["keywords"])[:255]
    core.language, core.category = brief["language"], brief["audience"]["label"][:255]
    core.content_status, core.identifier = brief["marking"]["label"], brief["id"]
    core.version, core.comments, core.revision = f"Edition {brief['edition']}", "", 1
    core.created = core.modified = when
    return when
