"""The Word edition's styles: the house styles a reference document lacks are added from HOUSE_STYLES (Word's own
are redefined only when the shipped reference is made), the list definitions they number with, the table style,
and the shipped reference document itself (`make_reference`)."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from briefwright.formats import ooxml

TLP_INK = {"CLEAR": "FFFFFF", "GREEN": "33FF00", "AMBER": "FFC000", "AMBER+STRICT": "FFC000", "RED": "FF2B2B"}  # TLP 2.0
PAPER = {"A4": (11906, 16838), "Letter": (12240, 15840)}  # twips
MARGINS_MM = {"top_margin": 20, "bottom_margin": 20, "left_margin": 18, "right_margin": 18, "header_distance": 9,
              "footer_distance": 9}

# The house colours of the shipped reference (tokens.css); a project's reference document sets its own.
INK, SOFT, RULE, WASH, ACCENT, ALERT, CLAIMED, CLAIMED_WASH = (
    "1D2330", "5A6272", "C9CED8", "F3F5F8", "1F4E79", "B3261E", "8A5A00", "FFF4DE")


@dataclass(frozen=True)
class StyleSpec:
    """One style the builder uses, as the shipped reference defines it (sizes in points)."""

    name: str  # Word's own name for built-in styles ("heading 1", "footnote text")
    style_id: str
    kind: str = "paragraph"  # paragraph or character
    base: str | None = "Normal"
    builtin: bool = False  # Word's style: redefined only when the shipped reference is made
    font: str | None = None
    size: float | None = None
    bold: bool = False
    italic: bool = False
    caps: bool = False
    colour: str | None = None
    before: float | None = None
    after: float | None = None
    keep_next: bool = False
    indent: float | None = None
    align: str | None = None
    shade: str | None = None
    border: tuple[str, int] | None = None  # a left rule: colour and width in eighths of a point
    outline: int | None = None  # heading level for the navigation pane, from 0
    numbering: tuple[str, int] | None = None  # a list definition (LISTS) and level
    superscript: bool = False
    underline: bool = False
    line: float | None = None  # line spacing, in lines (1.0: single)


# List definitions: per level the format, the text and the indent (twips).
LISTS: dict[str, list[tuple[str, str, int | None]]] = {
    "Briefwright judgments": [("decimal", "%1.", 425)],
    "Briefwright bullets": [("bullet", "\u2022", 360), ("bullet", "\u2013", 720), ("bullet", "\u2022", 1080)],
    "Briefwright numbers": [("decimal", "%1.", 425), ("lowerLetter", "%2.", 850), ("lowerRoman", "%3.", 1275)],
    # No indent of its own: a numbered paragraph keeps its style's, so a numbered caveat stays one box.
    "Briefwright paragraphs": [("decimal", "%1.", None)],
}

SANS = "Arial"
HOUSE_STYLES = [
    StyleSpec("Normal", "Normal", base=None, builtin=True, font=SANS, size=9.5, colour=INK, after=4, line=1.1),
    StyleSpec("Title", "Title", builtin=True, size=17, bold=True, colour=ACCENT, after=3, line=1.0),
    StyleSpec("heading 1", "Heading1", builtin=True, size=12, bold=True, colour=ACCENT, before=10, after=3,
              keep_next=True, outline=0),
    StyleSpec("heading 2", "Heading2", builtin=True, size=10.5, bold=True, colour=INK, before=6, after=2,
              keep_next=True, outline=1),
    StyleSpec("heading 3", "Heading3", builtin=True, size=9.5, bold=True, colour=SOFT, before=6, after=2,
              keep_next=True, outline=2),
    StyleSpec("caption", "Caption", builtin=True, size=8.5, bold=True, colour=INK, before=6, after=2, keep_next=True),
    StyleSpec("header", "Header", builtin=True, size=8, colour=SOFT, after=0),
    StyleSpec("footer", "Footer", builtin=True, size=8, colour=SOFT, after=0),
    StyleSpec("footnote text", "FootnoteText", builtin=True, size=7, after=0, line=1.0),
    StyleSpec("endnote text", "EndnoteText", builtin=True, size=7.5, after=2, line=1.0),
    StyleSpec("footnote reference", "FootnoteReference", kind="character", base=None, builtin=True, superscript=True),
    StyleSpec("endnote reference", "EndnoteReference", kind="character", base=None, builtin=True, superscript=True),
    StyleSpec("Hyperlink", "Hyperlink", kind="character", base=None, builtin=True, colour=ACCENT, underline=True),
    StyleSpec("Organisation", "Organisation", size=8, bold=True, after=2),
    StyleSpec("Kicker", "Kicker", size=8.5, caps=True, colour=SOFT, after=1),
    StyleSpec("Brief Meta", "BriefMeta", size=8, colour=SOFT, after=8),
    StyleSpec("Currency Note", "CurrencyNote", size=8, colour=INK, after=8),
    StyleSpec("Bottom Line", "BottomLine", size=10, shade=WASH, border=(ACCENT, 24), indent=6, after=4),
    StyleSpec("Key Judgment", "KeyJudgment", bold=True, keep_next=True, after=1,
              numbering=("Briefwright judgments", 0)),
    StyleSpec("Judgment Basis", "JudgmentBasis", size=8, colour=SOFT, indent=21.25, after=4),
    StyleSpec("Fact", "Fact", after=2, numbering=("Briefwright bullets", 0)),
    StyleSpec("Fact Side", "FactSide", size=9, after=1, numbering=("Briefwright bullets", 1)),
    StyleSpec("Caveat Title", "CaveatTitle", size=8, bold=True, shade=WASH, border=(SOFT, 16), indent=18,
              before=3, after=0, keep_next=True),
    StyleSpec("Caveat Text", "CaveatText", size=8.5, shade=WASH, border=(SOFT, 16), indent=18, after=0),
    StyleSpec("Caveat Reference", "CaveatReference", size=8, italic=True, indent=18, after=2),
    StyleSpec("Unknown Question", "UnknownQuestion", bold=True, keep_next=True, after=1),
    StyleSpec("Unknown Detail", "UnknownDetail", size=9, indent=18, after=2),
    StyleSpec("Section Note", "SectionNote", size=8.5, italic=True, colour=SOFT),
    StyleSpec("Change", "Change", after=3, numbering=("Briefwright bullets", 0)),
    StyleSpec("Figure", "Figure", align="center", keep_next=True, after=2),
    StyleSpec("Figure Source", "FigureSource", size=7, colour=SOFT, after=6, line=1.0),
    StyleSpec("Table Heading", "TableHeading", size=8, bold=True, after=0, line=1.0),
    StyleSpec("Table Text", "TableText", size=8, after=0, line=1.0),
    StyleSpec("Colophon", "Colophon", size=7, colour=SOFT, before=8),
    StyleSpec("Status Label", "StatusLabel", kind="character", base=None, size=8, bold=True, caps=True, colour=CLAIMED,
              shade=CLAIMED_WASH),
    StyleSpec("Caveat Severity", "CaveatSeverity", kind="character", base=None, size=8, bold=True, caps=True,
              colour=ALERT),
    StyleSpec("Marking", "Marking", kind="character", base=None, font=SANS, size=12, bold=True, shade="000000"),
    StyleSpec("Portion Mark", "PortionMark", kind="character", base=None, size=7.5, bold=True, colour=SOFT),
    StyleSpec("Code", "Code", kind="character", base=None, font="Courier New", size=9.5),
]
TABLE_STYLE = "Brief Table"


def _apply(style: Any, spec: StyleSpec, numbering: ooxml.Numbering) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor
    font = style.font
    if spec.font:
        font.name = spec.font
    if spec.size:
        font.size = Pt(spec.size)
    font.bold = spec.bold or None
    font.italic = spec.italic or None
    font.all_caps = spec.caps or None
    font.superscript = spec.superscript or None
    font.underline = spec.underline or None
    if spec.colour:
        font.color.rgb = RGBColor.from_string(spec.colour)
    if spec.shade and spec.kind == "character":
        ooxml.put(style.element.get_or_add_rPr(), ooxml.shading(spec.shade), ooxml.RPR)
    if spec.kind != "paragraph":
        return
    fmt = style.paragraph_format
    if spec.before is not None:
        fmt.space_before = Pt(spec.before)
    if spec.after is not None:
        fmt.space_after = Pt(spec.after)
    if spec.line is not None:
        fmt.line_spacing = spec.line
    if spec.keep_next:
        fmt.keep_with_next = True
    if spec.indent is not None:
        fmt.left_indent = Pt(spec.indent)
    if spec.align == "center":
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ppr = style.element.get_or_add_pPr()
    if spec.border:
        ooxml.put(ppr, ooxml.left_border(*spec.border), ooxml.PPR)
    if spec.shade:
        ooxml.put(ppr, ooxml.shading(spec.shade), ooxml.PPR)
    if spec.outline is not None:
        ooxml.put(ppr, ooxml.element("outlineLvl", val=str(spec.outline)), ooxml.PPR)
    if spec.numbering:
        name, level = spec.numbering
        ooxml.number(ppr, list_instance(numbering, name), level)



def list_instance(numbering: ooxml.Numbering, name: str) -> int:
    """The one numbering instance of a named list definition that styles share (made if absent)."""
    abstract = numbering.define(name, LISTS[name])
    for num in numbering.root.findall(ooxml.qn("w:num")):
        ref = num.find(ooxml.qn("w:abstractNumId"))
        if ref is not None and ref.get(ooxml.qn("w:val")) == str(abstract) and num.find(ooxml.qn("w:lvlOverride")) is None:
            return int(num.get(ooxml.qn("w:numId")))
    return numbering.instance(abstract)



def find_style(document: Any, name: str) -> Any:
    """A style by its name in the file ('heading 1', as Word writes it), any case; read from the XML, which is
    a hundred times quicker than python-docx's style objects for a template of a few hundred styles."""
    from docx.styles.style import StyleFactory
    wanted = name.lower()
    for el in document.styles.element.style_lst:
        if (el.name_val or "").lower() == wanted:
            return StyleFactory(el)
    return None


def ensure_styles(document: Any, numbering: ooxml.Numbering, redefine: bool = False) -> dict[str, str]:
    """Add every style the builder uses that the reference lacks (and, making the shipped reference,
    redefine Word's own); returns the style id of each, by lower-cased name."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.styles.style import StyleFactory
    ids: dict[str, str] = {}
    present = {(el.name_val or "").lower(): el for el in document.styles.element.style_lst}
    for spec in HOUSE_STYLES:
        found = present.get(spec.name.lower())
        style = None if found is None else StyleFactory(found)
        if style is None:
            kind = WD_STYLE_TYPE.PARAGRAPH if spec.kind == "paragraph" else WD_STYLE_TYPE.CHARACTER
            style = document.styles.add_style(spec.name, kind)
            style.style_id = spec.style_id
            if spec.base:
                style.base_style = find_style(document, spec.base)
            style.quick_style = spec.kind == "paragraph"
            _apply(style, spec, numbering)
        elif redefine:
            for tag in ("w:pPr", "w:rPr"):
                for old in style.element.findall(ooxml.qn(tag)):
                    style.element.remove(old)
            _apply(style, spec, numbering)
        ids[spec.name.lower()] = style.style_id
    table = find_style(document, TABLE_STYLE)
    if table is None:
        table = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
        table.style_id = "BriefTable"
        _table_style(table.element)
    ids[TABLE_STYLE.lower()] = table.style_id
    return ids


def _table_style(el: Any) -> None:
    """Rules above and below, a rule under each row, the header row tinted: no vertical lines."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    rule = f'w:val="single" w:sz="4" w:space="0" w:color="{RULE}"'
    strong = f'w:val="single" w:sz="8" w:space="0" w:color="{SOFT}"'
    tblpr = parse_xml(
        f'<w:tblPr {nsdecls("w")}><w:tblBorders><w:top {strong}/><w:bottom {strong}/><w:insideH {rule}/></w:tblBorders>'
        '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/>'
        '<w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>')
    header = parse_xml(
        f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/></w:rPr>'
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{WASH}"/></w:tcPr></w:tblStylePr>')
    ooxml.put(el, tblpr, ooxml.STYLE)
    el.append(header)


def make_reference() -> bytes:
    """The shipped reference document: python-docx's Word template with the house styles, A4 pages and
    nothing else (no preview picture, no sample data). templates/static/reference.docx is its output."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.shared import Mm, Twips
    document = docx.Document()
    dropped = (RT.THUMBNAIL, RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")
    for rels in (document.part.package.rels, document.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype in dropped:
                del rels[rid]
    settings = document.settings.element
    for tag in ("w:proofState", "w:rsids", "w:attachedTemplate"):
        for old in settings.findall(ooxml.qn(tag)):
            settings.remove(old)
    styles = document.styles.element
    for style in styles.style_lst:  # the template's hundred table designs: Word has them built in, and they are 90% of the bytes
        if style.type == WD_STYLE_TYPE.TABLE and not style.default and style.styleId != "TableGrid":
            styles.remove(style)
    ensure_styles(document, ooxml.Numbering(document), redefine=True)
    section = document.sections[0]
    section.page_width, section.page_height = (Twips(v) for v in PAPER["A4"])
    # The margins of print.css's @page, so a Word edition holds as much on a page as the PDF does.
    for side, mm in MARGINS_MM.items():
        setattr(section, side, Mm(mm))
    core = document.core_properties
    core.author, core.title, core.comments, core.last_modified_by = "", "Briefwright reference document", "", ""
    epoch = dt.datetime(2026, 1, 1)
    core.created = core.modified = epoch
    for rel in document.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = APP_XML
    buffer = io.BytesIO()
    document.save(buffer)
    return ooxml.reproducible_zip(buffer.getvalue(), epoch.date())


APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b'<Application>Briefwright</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>'
           b'<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>'
           b'</Properties>')
