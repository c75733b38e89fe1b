"""The Word edition of a brief (.docx), made from the resolved brief with python-docx, in the worker pool.

Word-native structure, not lookalikes: Heading 1-2 for the navigation pane, key judgments numbered once
across the brief by their style, claim and conflict labels as text, caveats as shaded blocks after the
facts they qualify, sources as real footnotes or endnotes (the audience's policy) numbered as in the PDF,
tables with a repeating header row, charts as 200 dpi PNG with the chart's text alternative, captions in
Word's Caption style, the TLP marking as text in every header and footer. Styles come from a reference
document (the theme's static/reference.docx, or project.yaml's `word_reference`), as pandoc's
--reference-doc; a style the reference lacks is added from HOUSE_STYLES, so any Word template works.

After it is written the file is read back and checked for the caveats, labels and unknowns the brief
requires, the marking in every header and footer, and the note numbering (`check_docx`), as the page is.
Python-docx is chosen over pandoc: footnotes need one small module (ooxml.py) either way, and styles,
captions and tables are set directly instead of through a Markdown round trip.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from briefwright.core import i18n
from briefwright.core.i18n import gettext as _
from briefwright.formats import ooxml
from briefwright.formats.base import Job, Output, OutputError, OutputFormat

_PNGS: dict[str, bytes] = {}  # charts drawn in this process: a chart shown in several briefs is drawn once per worker
REFERENCE = "reference.docx"  # in the theme's static folder, so it reaches the site's assets like the stylesheets
CHART_DPI = 200
TLP_INK = {"CLEAR": "FFFFFF", "GREEN": "33FF00", "AMBER": "FFC000", "AMBER+STRICT": "FFC000", "RED": "FF2B2B"}  # TLP 2.0
PAPER = {"A4": (11906, 16838), "Letter": (12240, 15840)}  # twips
MARGINS_MM = {"top_margin": 20, "bottom_margin": 20, "left_margin": 18, "right_margin": 18, "header_distance": 9,
              "footer_distance": 9}
NUMBERS_TABLE_AUDIENCES = {"technical"}  # as technical.html shows its table of disclosed numbers
LINK_SCHEMES = ("http://", "https://", "mailto:")

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


class WordFormat(OutputFormat):
    name, label, suffix = "docx", "Word document", ".docx"
    parallel = True
    position = 20

    def text_of(self, data: bytes) -> str:
        return ooxml.package_text(data)
    inputs = (REFERENCE,)  # an input of the editions, not a page asset: a desk's template can carry what it would not publish

    def cache_parts(self) -> list[str]:
        return [importlib.metadata.version("python-docx")]

    def preload(self) -> None:
        import docx  # noqa: F401
        import matplotlib.backends.backend_agg  # noqa: F401  the charts, as PNG

    def render(self, job: Job) -> Output:
        from briefwright.render.charts import chart_style, read_tokens
        assets = Path(job.site) / "assets"
        reference = self.read_input(job, REFERENCE, "the Word reference document")
        problem = reference_problem(reference)
        if problem:
            raise OutputError(f"the Word reference document {REFERENCE} {problem}")
        with i18n.use(job.brief.get("language", i18n.SOURCE_LANGUAGE)):  # the engine's words in the edition's language
            data = WordEdition(job.brief, reference, chart_style(read_tokens(assets / "tokens.css")), assets).build()
        problems = check_docx(job.brief, data)
        if problems:
            raise OutputError("; ".join(problems))
        return Output(data)

    def check_project(self, project: Any, out: Any, cache: Any = None) -> None:
        """A reference document named in project.yaml, or put in the project's templates/static, must be a Word file."""
        from briefwright.core.diagnostics import Loc
        settings = project.settings
        if settings.word_reference:
            where = settings.at("word_reference")
            path = (project.root / settings.word_reference).resolve()
            if not path.is_relative_to(project.root.resolve()):
                out.error(where, f"word_reference '{settings.word_reference}' is outside the project folder; put the file in it")
            elif not path.is_file():
                out.error(where, f"word_reference '{settings.word_reference}' not found in the project folder")
            elif problem := _reference_problem(path, cache):
                out.error(where, f"word_reference '{settings.word_reference}' {problem}")
            return
        themed = project.root / "templates" / "static" / REFERENCE
        if themed.is_file() and (problem := _reference_problem(themed, cache)):
            out.error(Loc(themed, 1, 1), f"{REFERENCE} {problem}")


def libreoffice() -> str | None:
    """The LibreOffice command, where it is installed (`briefwright doctor` gives its install line)."""
    import shutil
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_pages(files: list[Path], scratch: Path, timeout: int = 600) -> dict[Path, int]:
    """Each Word file as LibreOffice Writer lays it out: converted to PDF in `scratch` (in a LibreOffice profile of
    its own, so a desktop session or another build does not interfere) and its pages counted. A file LibreOffice
    could not convert is left out. Raises OSError when LibreOffice is missing or does not finish."""
    import subprocess

    from pypdf import PdfReader
    command = libreoffice()
    if command is None:
        raise OSError("LibreOffice is not installed")
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([command, f"-env:UserInstallation={(scratch / 'profile').as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(scratch), *map(str, files)],
                       capture_output=True, timeout=timeout, check=False)
    except subprocess.SubprocessError as exc:
        raise OSError(f"LibreOffice did not finish: {exc}") from None
    pages = {}
    for file in files:
        converted = scratch / file.with_suffix(".pdf").name
        if converted.is_file():
            pages[file] = len(PdfReader(converted).pages)
    return pages


def _reference_problem(path: Path, cache: Any) -> str | None:
    """reference_problem for a file, its verdict kept in the parse cache by the file's bytes (opening it with
    python-docx was a sixth of a build that had nothing to do)."""
    data = path.read_bytes()
    if cache is None:
        return reference_problem(data)
    checker = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()  # this module: the check's own code
    return cache.result(path, f"word reference {importlib.metadata.version('python-docx')} {checker}", data,
                        lambda: reference_problem(data))


def reference_problem(data: bytes) -> str | None:
    """Why a file cannot serve as the reference document, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return "is not a Word document (.docx): it is not a zip package"
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return "is not a Word document (.docx): it has no word/document.xml"
    import docx
    try:
        docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001  python-docx raises several kinds for a package it cannot read
        return f"could not be read as a Word document: {exc}"
    return None


# -- styles -------------------------------------------------------------------------------------------

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


def _find_style(document: Any, name: str) -> Any:
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
                style.base_style = _find_style(document, spec.base)
            style.quick_style = spec.kind == "paragraph"
            _apply(style, spec, numbering)
        elif redefine:
            for tag in ("w:pPr", "w:rPr"):
                for old in style.element.findall(ooxml.qn(tag)):
                    style.element.remove(old)
            _apply(style, spec, numbering)
        ids[spec.name.lower()] = style.style_id
    table = _find_style(document, TABLE_STYLE)
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


# -- Markdown's HTML as Word runs -------------------------------------------------------------------------

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class _Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    vert: str | None = None
    href: str | None = None
    cite: tuple[int, bool] | None = None  # a citation in prose: (note number, whether it is the first citation)


@dataclass
class _Block:
    runs: list[_Run]
    list_kind: str | None = None  # "ul" or "ol" for a list item
    level: int = 0
    list_key: int = 0  # which list an item belongs to, so each ordered list counts from 1


class _Blocks(HTMLParser):
    """The sanitised HTML markup.to_html gives (p, lists, blockquote, em, strong, code, a, sub, sup, br) as
    paragraphs of formatted runs, whitespace collapsed as a browser would."""

    INLINE = {"em": "italic", "i": "italic", "strong": "bold", "b": "bold", "code": "code", "sub": "sub", "sup": "sup"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.active: list[str] = []
        self.lists: list[tuple[str, int]] = []
        self.keys = itertools.count(1)
        self.href: str | None = None
        self.cite: tuple[int, bool] | None = None
        self.skip = 0  # depth inside a print-only footnote span: the Word note carries that text itself

    def _close(self) -> None:
        if self.block is not None:
            runs = self.block.runs
            while runs and not runs[-1].text.strip() and runs[-1].text != "\n":
                runs.pop()
            if runs:
                runs[-1].text = runs[-1].text.rstrip(" ")
                self.blocks.append(self.block)
        self.block = None

    def _open(self, item: bool = False) -> None:
        self._close()
        kind, key = self.lists[-1] if self.lists and item else (None, 0)
        self.block = _Block([], kind, max(len(self.lists) - 1, 0), key)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.skip or (tag == "span" and "footnote" in (a.get("class") or "").split()):
            self.skip += tag not in VOID_TAGS
            return
        if tag == "a" and "cite" in (a.get("class") or "").split() and (a.get("href") or "").startswith("#note-"):
            self.cite = (int(a["href"].removeprefix("#note-")), a.get("id") is not None)  # resolve.cite_html's mark
            return
        if tag == "p":
            self._open(item=bool(self.lists) and self.block is not None and self.block.list_kind is not None)
        elif tag in ("ul", "ol"):
            self._close()
            self.lists.append((tag, next(self.keys)))
        elif tag == "li":
            self._open(item=True)
        elif tag == "blockquote":
            self._close()
        elif tag == "br":
            self._data("\n")
        elif tag in self.INLINE:
            self.active.append(self.INLINE[tag])
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1
            return
        if tag == "a" and self.cite is not None:
            if self.block is None:
                self._open(item=False)
            assert self.block is not None
            self.block.runs.append(_Run("", cite=self.cite))
            self.cite = None
            return
        if tag in ("p", "li", "blockquote"):
            self._close()
        elif tag in ("ul", "ol"):
            self._close()
            if self.lists:
                self.lists.pop()
        elif tag in self.INLINE and self.INLINE[tag] in self.active:
            self.active.remove(self.INLINE[tag])
        elif tag == "a":
            self.href = None

    def handle_data(self, data):
        if self.skip or self.cite is not None:
            return  # the number of a citation is the Word note's own reference mark
        self._data(re.sub(r"\s+", " ", data))

    def _data(self, text: str) -> None:
        if self.block is None:
            if not text.strip():
                return
            self._open(item=False)
        assert self.block is not None
        if not self.block.runs or self.block.runs[-1].text.endswith(("\n", " ")):
            text = text.lstrip(" ")
        if not text:
            return
        vert = "subscript" if "sub" in self.active else "superscript" if "sup" in self.active else None
        href = self.href if self.href and self.href.startswith(LINK_SCHEMES) else None
        self.block.runs.append(_Run(text, "bold" in self.active, "italic" in self.active, "code" in self.active, vert, href))


def html_blocks(html: str) -> list[_Block]:
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    parser._close()
    return parser.blocks


# -- the document -------------------------------------------------------------------------------------

def text_width(section: Any) -> int:
    """The width between a section's margins, in EMU."""
    return int(section.page_width or 0) - int(section.left_margin or 0) - int(section.right_margin or 0)


def chart_png(chart: dict, style: dict) -> bytes:
    """A chart as PNG at CHART_DPI, drawn once per process for the briefs that share it."""
    from briefwright.render.charts import draw_png
    key = hashlib.sha256(json.dumps([chart["kind"], chart["points"], style], sort_keys=True).encode()).hexdigest()
    if key not in _PNGS:
        if len(_PNGS) >= 64:
            _PNGS.clear()
        _PNGS[key] = draw_png(chart["kind"], chart["points"], style, CHART_DPI)
    return _PNGS[key]


def mark_name(kind: str, record_id: str, occurrence: int = 1) -> str:
    """The hidden bookmark that marks a rendered item, as data- attributes mark the page's (Word allows 40 characters)."""
    prefix = f"_{kind[0]}{occurrence}_"
    core = record_id.replace("-", "_")
    if len(prefix) + len(core) > 40:
        core = core[: 40 - len(prefix) - 9] + "_" + hashlib.sha1(record_id.encode()).hexdigest()[:8]
    return prefix + core


class WordEdition:
    """Builds one brief's document in print order, from its resolved dict and a reference document."""

    def __init__(self, brief: dict, reference: bytes, chart_style: dict, assets: Path):
        import docx
        self.brief, self.chart_style, self.assets = brief, chart_style, assets
        self.doc = docx.Document(io.BytesIO(reference))
        body = self.doc.element.body
        for child in list(body):
            if child.tag != ooxml.qn("w:sectPr"):
                body.remove(child)  # the reference gives styles and page setup, never text
        self.numbering = ooxml.Numbering(self.doc)
        self.ids = ensure_styles(self.doc, self.numbering)
        self.note_kind = "footnote" if brief["audience"]["notes"] == "footnotes" else "endnote"
        self.notes = ooxml.Notes(self.doc, self.note_kind)
        self.bookmark_ids = itertools.count(1)
        self.occurrences: dict[tuple[str, str], int] = {}
        self.figures = 0
        self.paragraph_numbers = (list_instance(self.numbering, "Briefwright paragraphs")
                                  if brief.get("numbered_paragraphs") else None)

    def sid(self, name: str) -> str:
        return self.ids[name.lower()]

    # paragraphs and runs

    def para(self, style: str, numbered: bool = False) -> Any:
        """A new paragraph of `style` at the end of the body; `numbered` gives it the next paragraph number
        when the brief numbers its paragraphs."""
        p = self.doc.element.body.add_p()
        ppr = p.get_or_add_pPr()
        ooxml.put(ppr, ooxml.element("pStyle", val=self.sid(style)), ooxml.PPR)
        if numbered and self.paragraph_numbers is not None:
            ooxml.number(ppr, self.paragraph_numbers)
        return p

    def text(self, p: Any, text: str, style: str | None = None, **fmt: Any) -> Any:
        r = ooxml.run(text, self.sid(style) if style else None, **fmt)
        p.append(r)
        return r

    def runs(self, p: Any, runs: list[_Run], strike: bool = False, part: Any = None) -> None:
        """Formatted runs at the end of `p`; links are related from `part` (the notes' part for a note)."""
        for (href, cite), group in itertools.groupby(runs, key=lambda r: (r.href, r.cite)):
            if cite is not None:
                for _ in group:
                    self.cites(p, [{"n": cite[0], "first": cite[1]}])
                continue
            made = [ooxml.run(r.text, self.sid("Code") if r.code else (self.sid("Hyperlink") if href else None),
                              bold=r.bold, italic=r.italic, strike=strike, vert=r.vert) for r in group]
            if href:
                p.append(ooxml.hyperlink(part or self.doc.part, made, url=href))
            else:
                for r in made:
                    p.append(r)

    def inline(self, p: Any, html: str | None, strike: bool = False) -> None:
        """Inline Markdown HTML into a paragraph (several paragraphs of it joined by line breaks)."""
        for i, block in enumerate(html_blocks(html or "")):
            if i:
                p.append(ooxml.run("\n"))
            self.runs(p, block.runs, strike)

    def blocks(self, html: str | None, style: str, numbered: bool = False) -> list[Any]:
        """Block Markdown HTML as paragraphs of `style`; list items are numbered or bulleted in it."""
        made = []
        ordered: dict[int, int] = {}
        for block in html_blocks(html or ""):
            p = self.para(style, numbered=numbered and block.list_kind is None)
            if block.list_kind == "ul":
                ooxml.number(p.get_or_add_pPr(), list_instance(self.numbering, "Briefwright bullets"), min(block.level, 2))
            elif block.list_kind == "ol":
                if block.list_key not in ordered:
                    abstract = self.numbering.define("Briefwright numbers", LISTS["Briefwright numbers"])
                    ordered[block.list_key] = self.numbering.instance(abstract, restart=True)
                ooxml.number(p.get_or_add_pPr(), ordered[block.list_key], min(block.level, 2))
            self.runs(p, block.runs)
            made.append(p)
        return made

    def heading(self, text: str, level: int = 1) -> Any:
        p = self.para(f"heading {level}")
        self.text(p, text)
        return p

    def mark(self, p: Any, kind: str, record_id: str) -> str:
        n = self.occurrences[(kind, record_id)] = self.occurrences.get((kind, record_id), 0) + 1
        name = mark_name(kind, record_id, n)
        ooxml.bookmark(p, name, next(self.bookmark_ids))
        return name

    def portion(self, p: Any, item: dict) -> None:
        if self.brief["portion_marks"]:
            self.text(p, item["marking"]["label"], "Portion Mark")
            self.text(p, " ")

    def marking_run(self, p: Any) -> None:
        marking = self.brief["marking"]
        r = self.text(p, f" {marking['label']} ", "Marking")
        rpr = r.find(ooxml.qn("w:rPr"))
        ooxml.put(rpr, ooxml.element("color", val=TLP_INK.get(marking["value"], "FFFFFF")), ooxml.RPR)  # TLP's own colours

    def cites(self, p: Any, cites: list[dict]) -> None:
        """Source numbers: the first citation of a source is a real note, later ones a NOTEREF to it."""
        ref_style = self.sid(f"{self.note_kind} reference")
        for i, cite in enumerate(cites):
            if i:
                self.text(p, ",", vert="superscript")
            n = cite["n"]
            if cite["first"]:
                note_id, note_p = self.notes.add(self.sid(f"{self.note_kind} text"), ref_style)
                if note_id != n:
                    raise OutputError(f"source {n} would be note {note_id} in the Word edition; notes must number as in the PDF")
                mark_id = str(next(self.bookmark_ids))  # NOTEREF fields of later citations point here
                p.append(ooxml.element("bookmarkStart", id=mark_id, name=f"_note{n}"))
                p.append(ooxml.note_reference(self.note_kind, note_id, ref_style))
                p.append(ooxml.element("bookmarkEnd", id=mark_id))
                # The words the HTML and PDF notes print (citations.py), read from the same markup.
                note = self.brief["notes"][n - 1]
                cited = note["citation_html"] if self.note_kind == "endnote" else note["short_citation_html"]
                for block in html_blocks(cited):
                    self.runs(note_p, block.runs, part=self.notes.part)
            else:
                p.append(ooxml.simple_field(f"NOTEREF _note{n} \\f \\h", str(n), ref_style))

    # the brief, in print order

    def build(self) -> bytes:
        b = self.brief
        self.masthead()
        self.heading(_("Bottom line"))
        self.blocks(b["bottom_line_html"], "Bottom Line", numbered=True)
        if b["changes"]:
            self.changes(b["changes"], b.get("changes_note_html"))
        for section in b["sections"]:
            self.section(section)
        if b["quantities"] and b["audience"]["id"] in NUMBERS_TABLE_AUDIENCES:
            self.quantities(b["quantities"])
        if b.get("screening"):
            self.screening(b["screening"])
        if b["caveats_section"]:
            self.heading(_("Caveats"))
            self.text(self.para("Section Note"),
                      _("These qualify facts this brief relies on; they travel with those facts into every brief."))
            for caveat in b["caveats_section"]:
                self.caveat(caveat)
        if b["unknowns_section"]:
            self.heading(_("What we don\u2019t know"))
            for unknown in b["unknowns_section"]:
                self.unknown(unknown)
        if b.get("glossary") and b.get("print_glossary", True):  # print_glossary: false lists it on the web page only
            self.glossary(b["glossary"])
        if b["uses_likelihood"]:
            self.terms()
        self.text(self.para("Colophon"),
                  f"{b['organisation']} \u00b7 {b['marking']['label']} \u00b7 {_('Edition %(n)s', n=b['edition'])}, "
                  f"{b['date_display']} \u00b7 " + _("Every fact names its sources; claims by the subject are labelled as such."))
        if self.note_kind == "endnote" and b["notes"]:
            self.heading(_("Sources"))  # Word sets the endnotes after the last paragraph, so under this heading
        self.page_setup()
        self.keep_tables_whole()
        self.properties()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        data = buffer.getvalue()
        if b.get("translation"):
            data = mark_pending_parts(data, b["translation"]["mark"], b["language"], self.sid("Status Label"))
        return ooxml.reproducible_zip(data, dt.date.fromisoformat(b["date"]))

    def masthead(self) -> None:
        b = self.brief
        org = self.para("Organisation")
        logo = self.assets / b["logo"] if b["logo"] else None
        if logo is not None and logo.suffix == ".png" and logo.is_file():  # Word needs a bitmap beside an SVG; PNG only
            from docx.shared import Inches
            from docx.text.paragraph import Paragraph
            shape = Paragraph(org, self.doc).add_run().add_picture(str(logo), height=Inches(0.35))
            shape._inline.docPr.set("descr", _("%(organisation)s logo", organisation=b["organisation"]))
            self.text(org, " ")
        self.text(org, b["organisation"] + "  ")
        self.marking_run(org)
        self.text(self.para("Kicker"), b["audience"]["label"])
        self.text(self.para("Title"), b["title"])
        gap, checked = b.get("currency_gap"), b["facts_checked"]
        meta = self.para("Brief Meta")
        self.text(meta, " \u00b7 ".join([b["date_display"], _("Edition %(n)s", n=b["edition"])]))
        if gap:  # as the page prints it (templates/base.html): the gap in place of 'Sources to', in bold
            self.text(meta, " \u00b7 ")
            self.text(meta, _("Evidence to %(date)s; not surveyed since", date=gap["display"]), bold=True)
        elif b["sources_to"]:
            self.text(meta, " \u00b7 " + _("Sources to %(date)s", date=b["sources_to"]["display"]))
        if checked:
            self.text(meta, " \u00b7 " + (_("Facts checked %(date)s", date=checked["display"])
                                          if checked["count"] == checked["of"] else
                                          _("%(n)s of %(total)s facts checked %(date)s", n=checked["count"],
                                            total=checked["of"], date=checked["display"])))
        if b.get("currency_note_html"):
            self.blocks(b["currency_note_html"], "Currency Note")

    def changes(self, ch: dict, note_html: str | None = None) -> None:
        """As print shows them (templates/base.html, block changes): the editor's note and a count; every change,
        with its old and new wording, is on the brief's web page. A Word edition is held to the page limit too."""
        self.heading(_("What changed since edition %(n)s", n=ch["since"]))
        if ch.get("withheld"):
            self.text(self.para("Normal"), _(
                "Edition %(n)s was marked %(marking)s, above this edition, so its changes are not listed here.",
                n=ch["since"], marking=ch["withheld"]))
            return
        if note_html:
            self.blocks(note_html, "Normal", numbered=True)
        if not ch["any"]:
            self.text(self.para("Normal"), _("No fact, judgment or caveat changed."))
            return
        self.text(self.para("Section Note"), ch["count_text"])

    def section(self, s: dict) -> None:
        self.heading(s["title"])
        self.blocks(s["intro_html"], "Normal", numbered=True)
        for part in self.brief["audience"]["order"]:
            if part == "judgments":
                for j in s["judgments"]:
                    self.judgment(j)
            elif part == "facts" and s["facts"]:
                self.facts(s["facts"])
            elif part == "charts":
                for c in s["charts"]:
                    self.chart(c)
            elif part == "events" and s["events"]:
                self.events(s["events"])
            elif part == "caveats":
                for c in s["caveats"]:
                    self.caveat(c)
            elif part == "unknowns":
                for u in s["unknowns"]:
                    self.unknown(u)

    def judgment(self, j: dict) -> None:
        p = self.para("Key Judgment", numbered=True)
        self.portion(p, j)
        self.text(p, j["statement"])
        self.cites(p, j["cites"])
        meta = self.para("Judgment Basis")
        self.mark(meta, "judgment", j["id"])  # check_docx reads the label of a judgment on a claim here
        if j["likelihood"]:
            self.text(meta, _("Likelihood: %(term)s (%(range)s)", term=j["likelihood"]["value"], range=j["likelihood"]["range"])
                      + _(".") + " ")
        if j["window"]:
            self.text(meta, _("Forecast window: %(window)s", window=j["window"]["display"]) + _(".") + " ")
        self.text(meta, j["confidence"]["label"] + _("."))
        if j.get("unverified"):
            self.text(meta, " " + _("Rests partly on unverified claims."), bold=True)
        if j["basis_html"]:
            self.text(meta, " ")
            self.inline(meta, j["basis_html"])

    def facts(self, facts: list[dict]) -> None:
        if not self.brief["audience"]["split_claims"]:
            for f in facts:
                self.fact(f)
            return
        for title, group in ((_("Confirmed or reported by sources"), [f for f in facts if not f["status"]["needs_label"]]),
                             (_("Claimed or disputed, not verified"), [f for f in facts if f["status"]["needs_label"]])):
            if group:
                self.heading(title, 2)
                for f in group:
                    self.fact(f)

    def fact(self, f: dict) -> None:
        p = self.para("Fact", numbered=True)
        self.mark(p, "fact", f["id"])
        self.portion(p, f)
        if f["status"]["needs_label"]:
            self.text(p, f["status"]["label"], "Status Label")
            self.text(p, " ")
        self.inline(p, f["statement_html"])
        self.cites(p, f["cites"])
        for side in f["sides"]:
            sp = self.para("Fact Side")
            self.inline(sp, side["statement_html"])
            self.cites(sp, side["cites"])
        for c in f["caveats"]:
            if c["ref_only"]:
                ref = self.para("Caveat Reference")
                self.text(ref, _("See the caveat above:") + " ")
                ref.append(ooxml.hyperlink(self.doc.part, [ooxml.run(c["title"], self.sid("Hyperlink"))],
                                           anchor=mark_name("caveat", c["id"])))
            else:
                self.caveat(c, numbered=False)

    def caveat(self, c: dict, numbered: bool = True) -> None:
        """A caveat block; one shown after its fact belongs to the fact's paragraph and takes no number of its own."""
        p = self.para("Caveat Title", numbered=numbered)
        self.mark(p, "caveat", c["id"])
        self.portion(p, c)
        self.text(p, _("%(severity)s caveat", severity=c["severity"]["label"]), "Caveat Severity")
        self.text(p, f" {c['title']}")
        if c.get("qualifies"):
            self.text(self.para("Caveat Text"), c["qualifies"], italic=True)
        body = self.blocks(c["body_html"], "Caveat Text") or [self.para("Caveat Text")]
        self.cites(body[-1], c["cites"])

    def unknown(self, u: dict) -> None:
        p = self.para("Unknown Question", numbered=True)
        self.mark(p, "unknown", u["id"])
        self.portion(p, u)
        self.text(p, u["question"])
        for lead, html in ((_("Why it matters:") + " ", u["why_html"]), (_("What would resolve it:") + " ", u["resolve_html"])):
            d = self.para("Unknown Detail")
            self.text(d, lead, bold=True)
            self.inline(d, html)

    def chart(self, c: dict) -> None:
        from docx.shared import Emu, Inches
        from docx.text.paragraph import Paragraph

        self.figures += 1
        caption = self.para("caption")
        self.portion(caption, c)
        before, _sep, after = _("Figure %(n)s: %(title)s", n="\0", title="\1").partition("\0")
        self.text(caption, before)
        caption.append(ooxml.simple_field("SEQ Figure \\* ARABIC", str(self.figures)))
        self.text(caption, after.replace("\1", c["title"]))
        png = chart_png(c, self.chart_style)
        width = min(Inches(self.chart_style["width"]), Emu(text_width(self.doc.sections[-1])))
        picture = self.para("Figure")
        shape = Paragraph(picture, self.doc).add_run().add_picture(io.BytesIO(png), width=width)
        shape._inline.docPr.set("descr", c["alt"])
        shape._inline.docPr.set("name", f"Figure {self.figures}")
        source = self.para("Figure Source")
        if c["flagged"]:
            self.text(source, _("Hatched: claimed or disputed, not verified"), "Status Label")
            self.text(source, " ")
        if c["caption_html"]:
            self.inline(source, c["caption_html"])
            self.text(source, " ")
        self.text(source, c["source_line"] + ".")
        self.cites(source, c["cites"])

    def table(self, headings: list[str], shares: list[float], caption: str,
              numeric: frozenset = frozenset()) -> tuple[Any, list[int]]:
        """A table in the house table style whose one header row repeats on every page; `shares` of the text
        width give the columns. No merged cells: each row is one record."""
        widths = [int(text_width(self.doc.sections[-1]) * share) for share in shares]
        table = self.doc.add_table(rows=1, cols=len(headings))
        tblpr = table._tbl.tblPr
        ooxml.put(tblpr, ooxml.element("tblStyle", val=self.sid(TABLE_STYLE)), ooxml.TBLPR)
        ooxml.put(tblpr, ooxml.element("tblW", w="5000", type="pct"), ooxml.TBLPR)
        ooxml.put(tblpr, ooxml.element("tblCaption", val=caption), ooxml.TBLPR)
        for col, width in zip(table.columns, widths, strict=True):
            col.width = width
        row = table.rows[0]
        trpr = row._tr.get_or_add_trPr()
        trpr.append(ooxml.element("cantSplit"))
        trpr.append(ooxml.element("tblHeader"))
        for p, heading in zip(self._cells(row, widths, "Table Heading", numeric), headings, strict=True):
            self.text(p, heading)
        return table, widths

    def _cells(self, row: Any, widths: list[int], style: str, numeric: frozenset) -> list[Any]:
        paragraphs = []
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
            p = cell._tc.find(ooxml.qn("w:p"))
            ppr = p.get_or_add_pPr()
            ooxml.put(ppr, ooxml.element("pStyle", val=self.sid(style)), ooxml.PPR)
            if i in numeric:
                ooxml.put(ppr, ooxml.element("jc", val="right"), ooxml.PPR)
            paragraphs.append(p)
        return paragraphs

    def row(self, table: tuple[Any, list[int]], numeric: frozenset = frozenset()) -> list[Any]:
        """A new body row; returns each cell's (empty, styled) paragraph."""
        grid, widths = table
        row = grid.add_row()
        row._tr.get_or_add_trPr().append(ooxml.element("cantSplit"))
        return self._cells(row, widths, "Table Text", numeric)

    def events(self, events: list[dict]) -> None:
        table = self.table([_("Date"), _("Event"), _("Kind")], [0.2, 0.56, 0.24], _("Timeline"))
        for e in events:
            date, title, kind = self.row(table)
            self.text(date, e["date_display"])
            self.portion(title, e)
            self.text(title, e["title"])
            self.cites(title, e["cites"])
            self.text(kind, e["kind"]["label"])

    def quantities(self, quantities: list[dict]) -> None:
        self.heading(_("Disclosed numbers at a glance"))
        right = frozenset({2})
        table = self.table([_("Item"), _("Measure"), _("Value"), _("Status")], [0.26, 0.3, 0.16, 0.28], _("Disclosed numbers"),
                           right)
        for q in quantities:
            item, measure, value, status = self.row(table, right)
            self.portion(item, q)
            self.text(item, q["label"])
            self.text(measure, q["measure"])
            self.text(value, q["value_display"] + ("" if q["unit"] == "%" else " ") + q["unit"])
            self.mark(status, "fact", q["fact"])
            self.text(status, q["status"]["label"], "Status Label" if q["status"]["needs_label"] else None)
            self.cites(status, q["cites"])

    def lines(self, p: Any, lines: list[list[tuple[str, dict]]]) -> None:
        """Several lines in one cell, each a list of (text, run options); `lang` marks a name's language."""
        for i, line in enumerate(lines):
            if i:
                p.append(ooxml.run("\n"))
            for text, opts in line:
                opts = dict(opts)
                lang = opts.pop("lang", None)
                r = self.text(p, text, **opts)
                if lang:
                    rpr = r.find(ooxml.qn("w:rPr"))
                    if rpr is None:
                        rpr = ooxml.element("rPr")
                        r.insert(0, rpr)
                    # Word picks East Asian glyphs (Simplified or Traditional) by the eastAsia language
                    ooxml.put(rpr, ooxml.element("lang", val=lang, eastAsia=lang), ooxml.RPR)

    def screening(self, sc: dict) -> None:
        self.heading(_("Names to screen"))
        table = self.table([_("Name"), _("Other names"), _("Identifiers"), _("Listings")], [0.25, 0.27, 0.18, 0.30], _("Names to screen"))
        for e in sc["entities"]:
            name, aliases, identifiers, listings = self.row(table)
            self.portion(name, e)
            self.text(name, e["name"], bold=True)
            self.cites(name, e["cites"])
            extra = [e["legal_name"]] if e["legal_name"] else []
            extra.append(e["kind"]["label"] + (f", {e['country']}" if e["country"] else ""))
            self.lines(name, [[]] + [[(t, {})] for t in extra])
            self.lines(aliases, [[(a["name"], {"lang": a["lang"]} if a["lang"] else {})]
                                 + ([(" (" + "; ".join(filter(None, [a["note"], a["lang"]])) + ")", {})]
                                    if a["note"] or a["lang"] else []) for a in e["aliases"]])
            self.lines(identifiers, [[(f"{i['scheme']}: {i['value']}", {})] for i in e["identifiers"]])
            if not e["listings"]:
                self.text(listings, _("No listing recorded"))
            for k, lst in enumerate(e["listings"]):
                if k:
                    listings.append(ooxml.run("\n"))
                text = lst["list"] + (f" ({lst['authority']})" if lst["authority"] else "")
                text += (f", {lst['citation']}" if lst["citation"] else "") + ", " + _("effective %(date)s", date=lst["effective_display"])
                text += "; " + _("listed as “%(name)s”", name=lst["entry"]) if lst["entry"] else ""
                self.text(listings, text)
                self.cites(listings, lst["cites"])
        if sc["actions"]:
            self.heading(_("What to check"))
            numbers = self.numbering.instance(self.numbering.define("Briefwright numbers", LISTS["Briefwright numbers"]),
                                              restart=True)
            for a in sc["actions"]:
                p = self.para("Normal")
                ooxml.number(p.get_or_add_pPr(), numbers)
                self.text(p, a["name"] + (f", {a['lead']}" if a["lead"] else "") + ": ", bold=True)
                self.inline(p, a["action_html"])
                self.cites(p, a["cites"])

    def glossary(self, terms: list[dict]) -> None:
        self.heading(_("Glossary"))
        for t in terms:
            p = self.para("Normal")
            self.portion(p, t)
            self.text(p, t["term"], bold=True)
            self.text(p, f" {t['expansion']}")
            if t["definition_html"]:
                self.text(p, ": ")
                self.inline(p, t["definition_html"])

    def terms(self) -> None:
        b = self.brief
        if b.get("likelihood_legend") == "line":  # as print's: the terms the judgments use, in one line
            p = self.para("Section Note")
            self.text(p, _("Likelihood (%(standard)s):", standard=b["likelihood_standard"]) + " "
                      + _("; ").join(f"{row['term']} {row['range']}" for row in b["likelihood_used"]) + _(".") + " "
                      + _("Confidence rates the evidence, not the probability."))
            return
        self.heading(_("How to read the judgments"))
        self.text(self.para("Normal"), _("Likelihood terms follow %(standard)s:", standard=b["likelihood_standard"]).rstrip(":：\u00a0 ")
                  + _(".") + " " + _("Confidence (high, moderate, low) rates the evidence and reasoning, and is stated apart "
                                     "from likelihood."))
        table = self.table([_("Likelihood term"), _("Probability")], [0.7, 0.3],
                           _("%(standard)s likelihood terms", standard=b["likelihood_standard"]))
        for row in b["likelihood_scale"]:
            term, probability = self.row(table)
            self.text(term, row["terms"])
            self.text(probability, row["range"])

    # pages and properties

    def keep_tables_whole(self) -> None:
        """A table that fits on a page is never split across two: every row but the last keeps with the next (Word
        and LibreOffice then move the whole table). One taller than a page is left to break where it must, rather
        than pushed whole onto a page of its own with a blank band before it."""
        section = self.doc.sections[-1]
        body = (int(section.page_height or 0) - int(section.top_margin or 0) - int(section.bottom_margin or 0)) / 12700
        for tbl in self.doc.element.body.iter(ooxml.qn("w:tbl")):
            rows = tbl.findall(ooxml.qn("w:tr"))
            if len(rows) < 2 or table_height(tbl) > 0.95 * body:
                continue
            for row in rows[:-1]:
                for p in row.iter(ooxml.qn("w:p")):
                    ooxml.put(p.get_or_add_pPr(), ooxml.element("keepNext"), ooxml.PPR)

    def page_setup(self) -> None:
        """Paper from the settings; header and footer as the PDF's: the short title, or the organisation and
        the page number, and the marking as text (12 pt, TLP 2.0), right-aligned, on every page."""
        from docx.shared import Twips
        b = self.brief
        self.doc.settings.odd_and_even_pages_header_footer = False
        for section in self.doc.sections:
            width, height = PAPER.get(b["paper"], PAPER["A4"])
            section.page_width, section.page_height = Twips(width), Twips(height)
            section.different_first_page_header_footer = False
            right = text_width(section) // 635  # EMU to twips
            for part, style in ((section.header, "header"), (section.footer, "footer")):
                part.is_linked_to_previous = False
                root = part._element
                for child in list(root):
                    root.remove(child)  # the reference's own header and footer give way to the marking
                p = root.add_p()
                ppr = p.get_or_add_pPr()
                ooxml.put(ppr, ooxml.element("pStyle", val=self.sid(style)), ooxml.PPR)
                stops = [("center", right // 2), ("right", right)] if style == "footer" else [("right", right)]
                inherited = [("clear", pos) for pos in self._inherited_tabs(style) if pos not in {s for _, s in stops}]
                ooxml.put(ppr, ooxml.tab_stops(inherited + stops), ooxml.PPR)
                if style == "header":
                    self.text(p, b["short_title"])
                else:
                    words = re.split(r"(%\((?:page|pages)\)s)", _("Page %(page)s of %(pages)s"))
                    words[0] = f"{b['organisation']}\t{words[0]}"  # one run, as before translations
                    for piece in words:
                        if piece in ("%(page)s", "%(pages)s"):
                            p.append(ooxml.simple_field("PAGE" if piece == "%(page)s" else "NUMPAGES", "1"))
                        elif piece:
                            self.text(p, piece)
                self.text(p, "\t")
                self.marking_run(p)
            if self.note_kind == "endnote":
                props = ooxml.element("endnotePr")
                props.append(ooxml.element("numFmt", val="decimal"))
                ooxml.put(section._sectPr, props, ooxml.SECTPR)

    def _inherited_tabs(self, name: str) -> list[int]:
        positions: list[int] = []
        style = _find_style(self.doc, name)
        while style is not None:
            positions += [int(t.position / 635) for t in style.paragraph_format.tab_stops]
            style = style.base_style
        return positions

    def properties(self) -> None:
        """Core properties from the brief, dated by the brief so the bytes do not change; language on the styles."""
        b = self.brief
        core = self.doc.core_properties
        when = dt.datetime.combine(dt.date.fromisoformat(b["date"]), dt.time())
        core.title, core.subject = b["title"][:255], b["subject"][:255]  # pending marks: see mark_pending_parts
        core.author = core.last_modified_by = b["organisation"][:255]
        core.keywords = ", ".join(b["keywords"])[:255]
        core.language, core.category = b["language"], b["audience"]["label"][:255]
        core.content_status, core.identifier = b["marking"]["label"], b["id"]
        core.version, core.comments, core.revision = f"Edition {b['edition']}", "", 1
        core.created = core.modified = when
        for printed in core._element.findall(ooxml.qn("cp:lastPrinted")):
            core._element.remove(printed)
        styles = self.doc.styles.element
        defaults = styles.find(ooxml.qn("w:docDefaults"))
        if defaults is None:
            defaults = ooxml.element("docDefaults")
            styles.insert(0, defaults)
        rpr_default = defaults.find(ooxml.qn("w:rPrDefault"))
        if rpr_default is None:
            rpr_default = ooxml.element("rPrDefault")
            defaults.insert(0, rpr_default)
        rpr = rpr_default.find(ooxml.qn("w:rPr"))
        if rpr is None:
            rpr = ooxml.element("rPr")
            rpr_default.append(rpr)
        ooxml.put(rpr, ooxml.element("lang", val=b["language"]), ooxml.RPR)
        east_asian = i18n.base(b["language"]) in ("zh", "ja", "ko")  # Word picks fonts and line breaking by it
        for lang in styles.iter(ooxml.qn("w:lang")):
            lang.set(ooxml.qn("w:val"), b["language"])
            if east_asian:
                lang.set(ooxml.qn("w:eastAsia"), b["language"])


def table_height(tbl: Any, size: float = 8.0) -> float:
    """A generous estimate of a table's height in points, from its text and column widths (Table Text: `size` pt,
    single-spaced, cell margins of 2 pt above and below): Arial's letters average about half an em."""
    grid = [int(col.get(ooxml.qn("w:w")) or 0) / 20 for col in tbl.iter(ooxml.qn("w:gridCol"))]
    line = size * 1.2
    total = 0.0
    for row in tbl.findall(ooxml.qn("w:tr")):
        tallest = 1
        for i, cell in enumerate(row.findall(ooxml.qn("w:tc"))):
            width = max((grid[i] if i < len(grid) else 0) - 8, 20)
            per_line = max(int(width / (size * 0.5)), 1)
            lines = 0
            for p in cell.iter(ooxml.qn("w:p")):
                text = "".join(t.text or "" for t in p.iter(ooxml.qn("w:t")))
                lines += max(-(-len(text) // per_line), 1) + len(p.findall(".//" + ooxml.qn("w:br")))
            tallest = max(tallest, lines)
        total += tallest * line + 4
    return total


# -- translated editions -----------------------------------------------------------------------------

def mark_pending_parts(data: bytes, mark: str, lang: str, mark_style: str) -> bytes:
    """Each pending portion of a translated edition (English between translations.PENDING_START and _END) as
    runs in w:lang en-US after a visible mark in the edition's language, in every part (body, headers, notes);
    the sentinels are removed from attributes (alt text) and document properties."""
    from lxml import etree  # type: ignore[import-untyped]  # python-docx's own XML library

    from briefwright.resolve.translations import PENDING_END, PENDING_START, plain
    sentinel = PENDING_START.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, body in entries:
            if info.filename.endswith(".xml") and sentinel in body:
                root = etree.fromstring(body)
                for element in root.iter():
                    for name, value in element.attrib.items():
                        if PENDING_START in value or PENDING_END in value:
                            element.set(name, plain(value))
                    if element.tag != ooxml.qn("w:t") and element.text and PENDING_START in element.text:
                        element.text = plain(element.text)  # a document property, not text on the page
                _mark_runs(root, mark, lang, mark_style)
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, body)
    return out.getvalue()


def _mark_runs(root: Any, mark: str, lang: str, mark_style: str) -> None:
    import copy

    from briefwright.resolve.translations import PENDING_END, PENDING_START
    w_t = ooxml.qn("w:t")
    pending = False
    for r in list(root.iter(ooxml.qn("w:r"))):
        texts = r.findall(w_t)
        joined = "".join(t.text or "" for t in texts)
        if PENDING_START not in joined and PENDING_END not in joined:
            if pending and texts:
                _run_lang(r, "en-US")
            continue
        parent, index = r.getparent(), r.getparent().index(r)
        made = []
        for piece in re.split(f"([{PENDING_START}{PENDING_END}])", joined):
            if piece == PENDING_START:
                pending = True
                badge = ooxml.run(mark + " ", mark_style)
                _run_lang(badge, lang)
                made.append(badge)
            elif piece == PENDING_END:
                pending = False
            elif piece:
                piece_run = copy.deepcopy(r)
                for t in piece_run.findall(w_t):
                    piece_run.remove(t)
                t = ooxml.element("t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                piece_run.append(t)
                if pending:
                    _run_lang(piece_run, "en-US")
                made.append(piece_run)
        parent.remove(r)
        for k, new in enumerate(made):
            parent.insert(index + k, new)


def _run_lang(r: Any, lang: str) -> None:
    rpr = r.find(ooxml.qn("w:rPr"))
    if rpr is None:
        rpr = ooxml.element("rPr")
        r.insert(0, rpr)
    ooxml.put(rpr, ooxml.element("lang", val=lang), ooxml.RPR)


# -- the check ----------------------------------------------------------------------------------------

def _titles(brief: dict) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Caveat titles, unknown questions and status labels by id, wherever the brief shows them."""
    caveats: dict[str, str] = {}
    unknowns: dict[str, str] = {}
    labels: dict[str, str] = {}
    for s in brief["sections"]:
        for f in s["facts"]:
            labels[f["id"]] = f["status"]["label"]
            caveats.update((c["id"], c["title"]) for c in f["caveats"])
        caveats.update((c["id"], c["title"]) for c in s["caveats"])
        unknowns.update((u["id"], u["question"]) for u in s["unknowns"])
    caveats.update((c["id"], c["title"]) for c in brief["caveats_section"])
    unknowns.update((u["id"], u["question"]) for u in brief["unknowns_section"])
    labels.update((q["fact"], q["status"]["label"]) for q in brief["quantities"])
    return caveats, unknowns, labels


def check_docx(brief: dict, data: bytes) -> list[str]:
    """Read the saved file back: what the brief requires that the Word edition does not show, each a sentence.
    The same rules as render.check_rendered (caveats, status labels, unknowns), plus the marking in every
    header and footer and notes numbered as in the PDF."""
    parts = ooxml.read_parts(data)
    shown: dict[str, str] = {}
    for names, paragraph in ooxml.paragraphs(parts["word/document.xml"]):
        for name in names:
            shown.setdefault(name, paragraph)
    caveats, unknowns, labels = _titles(brief)
    from briefwright.resolve.translations import plain  # a pending portion's title is checked without its marks
    caveats, unknowns = {k: plain(v) for k, v in caveats.items()}, {k: plain(v) for k, v in unknowns.items()}
    problems = []
    for fact_id, caveat_id in brief["required"]["caveats"]:
        found = shown.get(mark_name("caveat", caveat_id))
        if found is None or caveats.get(caveat_id, "") not in found:
            problems.append(f"its Word edition did not render caveat '{caveat_id}' of fact '{fact_id}'")
    for unknown_id in brief["required"]["unknowns"]:
        found = shown.get(mark_name("unknown", unknown_id))
        if found is None or unknowns.get(unknown_id, "") not in found:
            problems.append(f"its Word edition did not render unknown '{unknown_id}'")
    for fact_id in brief["required"]["labelled"]:
        for n in itertools.count(1):
            found = shown.get(mark_name("fact", fact_id, n))
            if found is None:
                break
            if labels.get(fact_id, "\0") not in found:
                problems.append(f"fact '{fact_id}' is not verified but its Word edition shows it without its status label")
                break
    with i18n.use(brief.get("language", i18n.SOURCE_LANGUAGE)):
        unverified = _("Rests partly on unverified claims.")
    for judgment_id in brief["required"].get("unverified", []):
        for n in itertools.count(1):
            found = shown.get(mark_name("judgment", judgment_id, n))
            if found is None and n > 1:
                break
            if found is None or unverified not in found:
                problems.append(f"judgment '{judgment_id}' rests partly on unverified claims but its Word edition does "
                                "not say so")
                break
    label = brief["marking"]["label"]
    for name, root in sorted(parts.items()):
        if re.match(r"word/(header|footer)\d*\.xml$", name) and label not in " ".join(t for _, t in ooxml.paragraphs(root)):
            problems.append(f"its Word edition lacks the marking {label} in {name}")
    kind = "footnote" if brief["audience"]["notes"] == "footnotes" else "endnote"
    expected = list(range(1, len(brief["notes"]) + 1))
    written = ooxml.notes(parts[f"word/{kind}s.xml"], kind) if f"word/{kind}s.xml" in parts else {}
    references = ooxml.note_references(parts["word/document.xml"], kind)
    if references != expected or sorted(written) != expected or any(
            brief["notes"][n - 1]["title"] not in written[n] for n in expected):
        problems.append(f"its Word edition's {kind}s are not numbered as the PDF's sources (1 to {len(expected)} in order)")
    return problems


FORMAT = WordFormat()  # declared in pyproject.toml's briefwright.formats entry points
