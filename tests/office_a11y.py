"""An accessibility checker for .pptx and .docx files, after the rules of Microsoft's Accessibility Checker (its
errors, warnings and tips), so the suite can hold every generated file to "0 errors, 0 warnings" without Office.

PowerPoint: every slide has a title (error); pictures, charts and other objects have alt text that is not a file
name (error); tables have a header row (error); link text says where it goes, not an address or "click here"
(warning); text contrasts with what it is on, 4.5:1, or 3:1 for large text (warning); the reading order (the order
of the slide's shapes) starts with the title and follows the slide top to bottom (warning); tables have no merged
and no blank cells (warning); no empty paragraphs or runs of spaces are used for spacing (warning); slide titles
are unique (tip).
Word: pictures have alt text (error); tables have a repeating header row (error); pictures are inline, not
floating (warning); link text, blank and merged cells, repeated blank characters as above (warning).

Colours are resolved as PowerPoint does for what this engine writes: a run's own colour, else its placeholder's
inherited text style (layout, master), mapped through the master's colour map to the theme; backgrounds from the
shape's or cell's fill, else the slide's, layout's or master's background.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"a": A, "p": P, "w": W, "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
DECORATIVE = "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"
IMAGE_NAME = re.compile(r"\.(png|jpe?g|gif|bmp|svg|tiff?|emf|wmf)\s*$", re.I)
UNCLEAR_LINK = re.compile(r"^\s*(click here|here|link|more|read more|this|this link|learn more)\s*$"
                          r"|^\s*(https?://|www\.)|^\s*[\w-]+(\.[\w-]+)+/\S*\s*$", re.I)


@dataclass(frozen=True)
class Finding:
    severity: str  # error, warning or tip, as Microsoft's checker classes it
    rule: str
    where: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.rule} ({self.where})"


def errors_and_warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in ("error", "warning")]


# -- colour --------------------------------------------------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    lighter, darker = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class Theme:
    """Scheme colours of a master: its colour map onto its theme's colour scheme."""

    def __init__(self, master: Any, theme: Any):
        self.map = dict(master.find("p:clrMap", NS).attrib) if master.find("p:clrMap", NS) is not None else {}
        self.scheme: dict[str, str] = {}
        for slot in theme.find(".//a:clrScheme", NS):
            name = etree.QName(slot).localname
            srgb, sys_colour = slot.find("a:srgbClr", NS), slot.find("a:sysClr", NS)
            if srgb is not None:
                self.scheme[name] = srgb.get("val").upper()
            elif sys_colour is not None:
                self.scheme[name] = (sys_colour.get("lastClr") or "000000").upper()

    def colour(self, fill: Any) -> str | None:
        """A solidFill's (or a colour element's parent's) colour as hex; None when it is not a plain colour."""
        if fill is None:
            return None
        srgb = fill.find("a:srgbClr", NS)
        if srgb is not None:
            return _transformed(srgb.get("val").upper(), srgb)
        scheme = fill.find("a:schemeClr", NS)
        if scheme is not None:
            name = scheme.get("val")
            name = self.map.get(name, name)
            found = self.scheme.get(name)
            return _transformed(found, scheme) if found else None
        return None


def _transformed(hex_colour: str, element: Any) -> str:
    """A colour with its DrawingML modifiers applied: tint (toward white), shade (toward black), lumMod and lumOff
    (the lightness in HSL), as PowerPoint draws them (closely enough to judge contrast)."""
    import colorsys
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4))
    for child in element:
        name, value = etree.QName(child).localname, int(child.get("val", "100000")) / 100000
        if name == "tint":
            r, g, b = (c * value + (1 - value) for c in (r, g, b))
        elif name == "shade":
            r, g, b = (c * value for c in (r, g, b))
        elif name in ("lumMod", "lumOff"):
            h, light, sat = colorsys.rgb_to_hls(r, g, b)
            light = min(1.0, light * value) if name == "lumMod" else min(1.0, light + value)
            r, g, b = colorsys.hls_to_rgb(h, light, sat)
    return "".join(f"{round(c * 255):02X}" for c in (r, g, b))


# -- PowerPoint ----------------------------------------------------------------------------------------------

class _Package:
    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.cache: dict[str, Any] = {}

    def xml(self, name: str) -> Any:
        if name not in self.cache:
            self.cache[name] = etree.fromstring(self.zip.read(name))
        return self.cache[name]

    def rels(self, name: str) -> dict[str, str]:
        folder, base = name.rsplit("/", 1)
        path = f"{folder}/_rels/{base}.rels"
        if path not in self.zip.namelist():
            return {}
        found = {}
        for rel in etree.fromstring(self.zip.read(path)):
            target = rel.get("Target")
            if rel.get("TargetMode") == "External":
                continue
            parts = (folder + "/" + target).split("/")
            resolved: list[str] = []
            for part in parts:
                if part == "..":
                    resolved.pop()
                elif part != ".":
                    resolved.append(part)
            found[rel.get("Type").rsplit("/", 1)[1]] = "/".join(resolved)
        return found


def _placeholder(sp: Any) -> Any:
    return sp.find("p:nvSpPr/p:nvPr/p:ph", NS)


def _matching(tree: Any, ph: Any) -> Any:
    """The layout's or master's shape a placeholder inherits from: same idx, else same type."""
    kind, idx = ph.get("type", "obj"), ph.get("idx")
    for sp in tree.iterfind(".//p:sp", NS):
        other = _placeholder(sp)
        if other is None:
            continue
        if idx is not None and other.get("idx") == idx:
            return sp
    for sp in tree.iterfind(".//p:sp", NS):
        other = _placeholder(sp)
        if other is not None and other.get("type", "obj") == kind:
            return sp
    for sp in tree.iterfind(".//p:sp", NS):  # a title finds the master's title, a subtitle the master's body
        other = _placeholder(sp)
        if other is not None and {kind, other.get("type", "obj")} <= {"title", "ctrTitle"}:
            return sp
        if other is not None and kind in ("subTitle", "obj", "body") and other.get("type", "obj") == "body":
            return sp
    return None


def _level_fill(sp: Any, level: int) -> Any:
    if sp is None:
        return None
    return sp.find(f"p:txBody/a:lstStyle/a:lvl{level + 1}pPr/a:defRPr/a:solidFill", NS)


def _background(theme: Theme, *trees: Any) -> str | None:
    for tree in trees:
        bg = tree.find("p:cSld/p:bg", NS)
        if bg is None:
            continue
        fill = bg.find("p:bgPr/a:solidFill", NS)
        if fill is not None:
            return theme.colour(fill)
        ref = bg.find("p:bgRef", NS)
        if ref is not None:
            return theme.colour(ref)
        return None
    return "FFFFFF"


def check_pptx(data: bytes) -> list[Finding]:
    pkg = _Package(data)
    findings: list[Finding] = []
    presentation = pkg.xml("ppt/presentation.xml")
    slide_rels = pkg.rels("ppt/presentation.xml")
    ids = [el.get(f"{{{NS['r']}}}id") for el in presentation.iterfind("p:sldIdLst/p:sldId", NS)]
    rel_targets = {}
    folder_rels = etree.fromstring(pkg.zip.read("ppt/_rels/presentation.xml.rels"))
    for rel in folder_rels:
        rel_targets[rel.get("Id")] = "ppt/" + rel.get("Target")
    del slide_rels
    titles: dict[str, int] = {}
    for n, rid in enumerate(ids, 1):
        name = rel_targets[rid]
        slide = pkg.xml(name)
        layout_name = pkg.rels(name)["slideLayout"]
        layout = pkg.xml(layout_name)
        master_name = pkg.rels(layout_name)["slideMaster"]
        master = pkg.xml(master_name)
        theme = Theme(master, pkg.xml(pkg.rels(master_name)["theme"]))
        where = f"slide {n}"
        background = _background(theme, slide, layout, master)
        tree = slide.find("p:cSld/p:spTree", NS)
        shapes = [el for el in tree if etree.QName(el).localname in ("sp", "pic", "graphicFrame", "grpSp", "cxnSp")]
        title = ""
        order: list[tuple[str, int, int]] = []
        for shape in shapes:
            kind = etree.QName(shape).localname
            c_nv_pr = shape.find(".//p:cNvPr", NS)
            label = f"{where}, '{c_nv_pr.get('name') if c_nv_pr is not None else kind}'"
            ph = _placeholder(shape) if kind == "sp" else None
            off = shape.find(".//a:off", NS)
            text = "".join(t.text or "" for t in shape.iterfind(".//a:t", NS)).strip()
            if ph is not None and ph.get("type") in ("title", "ctrTitle") and text:
                title = text
                order.append(("title", 0, 0))
            elif off is not None and (text or kind != "sp"):
                order.append((label, int(off.get("y")), int(off.get("x"))))
            needs_alt = kind == "pic" or (kind == "graphicFrame" and shape.find(".//a:tbl", NS) is None)
            if needs_alt and c_nv_pr is not None and not _decorative(c_nv_pr):
                descr = (c_nv_pr.get("descr") or "").strip()
                if not descr:
                    findings.append(Finding("error", "Missing alternative text", label))
                elif IMAGE_NAME.search(descr):
                    findings.append(Finding("error", "Alternative text is a file name", label))
            table = shape.find(".//a:tbl", NS)
            if table is not None:
                findings += _table_findings(table, label, theme)
            if kind == "sp":
                findings += _text_findings(shape, label, theme, _shape_fill(shape, theme) or background,
                                           _inherited(shape, layout, master))
        if not title:
            findings.append(Finding("error", "Missing slide title", where))
        elif title in titles:
            findings.append(Finding("tip", f"Duplicate slide title (as slide {titles[title]})", where))
        else:
            titles[title] = n
        if order and order[0][0] != "title" and title:
            findings.append(Finding("warning", "Check reading order: the title is not read first", where))
        rest = [o for o in order if o[0] != "title"]
        visual = sorted(rest, key=lambda o: (o[1] // 91440, o[2]))  # rows of a tenth of an inch
        if [o[0] for o in rest] != [o[0] for o in visual]:
            findings.append(Finding("warning", "Check reading order: objects are not read top to bottom", where))
    return findings


def _decorative(c_nv_pr: Any) -> bool:
    return any(el.tag == DECORATIVE and el.get("val") == "1" for el in c_nv_pr.iter())


def _shape_fill(shape: Any, theme: Theme) -> str | None:
    fill = shape.find("p:spPr/a:solidFill", NS)
    return theme.colour(fill) if fill is not None else None


def _inherited(shape: Any, layout: Any, master: Any) -> list[Any]:
    """Where a placeholder's text style comes from, nearest first: its layout's shape, its master's shape, and the
    master's text style for its kind."""
    ph = _placeholder(shape)
    styles = master.find("p:txStyles", NS)
    if ph is None:
        return [None, None, styles.find("p:otherStyle", NS)]
    kind = ph.get("type", "obj")
    style = "p:titleStyle" if kind in ("title", "ctrTitle") else "p:bodyStyle" if kind in ("body", "obj", "subTitle") \
        else "p:otherStyle"
    return [_matching(layout, ph), _matching(master, ph), styles.find(style, NS)]


def _run_colour(run: Any, level: int, shape: Any, chain: list[Any], theme: Theme) -> str:
    own = run.find("a:rPr/a:solidFill", NS)
    if own is not None:
        return theme.colour(own) or theme.scheme.get("dk1", "000000")
    for owner in [shape, chain[0], chain[1]]:
        fill = _level_fill(owner, level)
        if fill is not None:
            return theme.colour(fill) or "000000"
    style = chain[2]
    if style is not None:
        fill = style.find(f"a:lvl{level + 1}pPr/a:defRPr/a:solidFill", NS)
        if fill is not None:
            return theme.colour(fill) or "000000"
    return theme.colour(etree.fromstring(f'<a:solidFill xmlns:a="{A}"><a:schemeClr val="tx1"/></a:solidFill>')) or "000000"


def _run_size(run: Any, level: int, shape: Any, chain: list[Any]) -> float:
    own = run.find("a:rPr", NS)
    if own is not None and own.get("sz"):
        return int(own.get("sz")) / 100
    for owner in [shape, chain[0], chain[1]]:
        if owner is not None:
            found = owner.find(f"p:txBody/a:lstStyle/a:lvl{level + 1}pPr/a:defRPr", NS)
            if found is not None and found.get("sz"):
                return int(found.get("sz")) / 100
    if chain[2] is not None:
        found = chain[2].find(f"a:lvl{level + 1}pPr/a:defRPr", NS)
        if found is not None and found.get("sz"):
            return int(found.get("sz")) / 100
    return 18


def _text_findings(shape: Any, label: str, theme: Theme, background: str | None, chain: list[Any]) -> list[Finding]:
    findings = []
    body = shape.find("p:txBody", NS)
    if body is None:
        return findings
    paragraphs = body.findall("a:p", NS)
    texts = ["".join(t.text or "" for t in p.iterfind(".//a:t", NS)) for p in paragraphs]
    for i, text in enumerate(texts):
        if not text.strip() and 0 < i < len(texts) - 1 and any(t.strip() for t in texts[:i]) \
                and any(t.strip() for t in texts[i + 1:]):
            findings.append(Finding("warning", "Repeated blank characters: an empty paragraph used for spacing", label))
        if re.search(r"  |\t", text.strip()):
            findings.append(Finding("warning", "Repeated blank characters: spaces or tabs used for spacing", label))
    for p in paragraphs:
        ppr = p.find("a:pPr", NS)
        level = int(ppr.get("lvl", "0")) if ppr is not None else 0
        for run in p.iterfind("a:r", NS):
            text = run.findtext("a:t", default="", namespaces=NS)
            if not text.strip():
                continue
            link = run.find("a:rPr/a:hlinkClick", NS)
            if link is not None and UNCLEAR_LINK.search(text):
                findings.append(Finding("warning", f"Unclear hyperlink text '{text.strip()[:40]}'", label))
            if background is None:
                continue
            colour = _run_colour(run, level, shape, chain, theme)
            rpr = run.find("a:rPr", NS)
            size = _run_size(run, level, shape, chain)
            bold = rpr is not None and rpr.get("b") == "1"
            needed = 3.0 if size >= 24 or (bold and size >= 18.5) else 4.5  # WCAG's large text: 18 pt, or 14 pt bold
            if contrast(colour, background) < needed:
                findings.append(Finding("warning", f"Hard-to-read text contrast: {colour} on {background} "
                                                   f"({contrast(colour, background):.2f}:1) for '{text.strip()[:30]}'", label))
    return findings


def _table_findings(table: Any, label: str, theme: Theme) -> list[Finding]:
    findings = []
    props = table.find("a:tblPr", NS)
    if props is None or props.get("firstRow") != "1":
        findings.append(Finding("error", "Missing table header", label))
    for cell in table.iterfind(".//a:tc", NS):
        if any(cell.get(a) for a in ("gridSpan", "rowSpan", "hMerge", "vMerge")):
            findings.append(Finding("warning", "Table has merged cells", label))
            break
    for cell in table.iterfind(".//a:tc", NS):
        if not "".join(t.text or "" for t in cell.iterfind(".//a:t", NS)).strip():
            findings.append(Finding("warning", "Blank table cells", label))
            break
    for row_index, row in enumerate(table.iterfind("a:tr", NS)):
        for cell in row.iterfind("a:tc", NS):
            fill = theme.colour(cell.find("a:tcPr/a:solidFill", NS)) if cell.find("a:tcPr/a:solidFill", NS) is not None \
                else None
            for run in cell.iterfind(".//a:r", NS):
                own = run.find("a:rPr/a:solidFill", NS)
                if fill is None or own is None or not (run.findtext("a:t", default="", namespaces=NS)).strip():
                    continue
                colour = theme.colour(own)
                if colour and contrast(colour, fill) < 4.5:
                    findings.append(Finding("warning", f"Hard-to-read text contrast in a table: {colour} on {fill} "
                                                       f"(row {row_index + 1})", label))
    return findings


# -- Word ----------------------------------------------------------------------------------------------------

def check_docx(data: bytes) -> list[Finding]:
    pkg = _Package(data)
    findings: list[Finding] = []
    parts = [n for n in pkg.zip.namelist() if re.match(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$", n)]
    for name in parts:
        root = pkg.xml(name)
        for drawing in root.iterfind(".//w:drawing", NS):
            anchor = drawing.find("wp:anchor", NS)
            holder = anchor if anchor is not None else drawing.find("wp:inline", NS)
            if holder is None:
                continue
            doc_pr = holder.find("wp:docPr", NS)
            label = f"{name}, '{doc_pr.get('name') if doc_pr is not None else 'drawing'}'"
            if anchor is not None:
                findings.append(Finding("warning", "Object not inline", label))
            if doc_pr is not None and not _decorative(doc_pr):
                descr = (doc_pr.get("descr") or "").strip()
                if not descr:
                    findings.append(Finding("error", "Missing alternative text", label))
                elif IMAGE_NAME.search(descr):
                    findings.append(Finding("error", "Alternative text is a file name", label))
        for n, table in enumerate(root.iterfind(".//w:tbl", NS), 1):
            label = f"{name}, table {n}"
            first = table.find("w:tr", NS)
            look = table.find("w:tblPr/w:tblLook", NS)
            header = first is not None and first.find("w:trPr/w:tblHeader", NS) is not None
            if not header and not (look is not None and look.get(f"{{{W}}}firstRow") == "1"):
                findings.append(Finding("error", "Missing table header", label))
            if any(el is not None for el in (table.find(".//w:gridSpan", NS), table.find(".//w:vMerge", NS))):
                findings.append(Finding("warning", "Table has merged cells", label))
            for cell in table.iterfind(".//w:tc", NS):
                if not "".join(t.text or "" for t in cell.iterfind(".//w:t", NS)).strip():
                    findings.append(Finding("warning", "Blank table cells", label))
                    break
        for link in root.iterfind(".//w:hyperlink", NS):
            text = "".join(t.text or "" for t in link.iterfind(".//w:t", NS))
            if UNCLEAR_LINK.search(text):
                findings.append(Finding("warning", f"Unclear hyperlink text '{text.strip()[:40]}'", name))
        body = root.find("w:body", NS)
        paragraphs = list(body.iterfind("w:p", NS)) if body is not None else []
        blank = 0
        for p in paragraphs:
            text = "".join(t.text or "" for t in p.iterfind(".//w:t", NS))
            if p.find(".//w:drawing", NS) is None and p.find(".//w:sectPr", NS) is None and not text.strip():
                blank += 1
                if blank >= 2:
                    findings.append(Finding("warning", "Repeated blank characters: empty paragraphs used for spacing", name))
                    break
            else:
                blank = 0
            if re.search(r"   |\t\t", text.strip()):
                findings.append(Finding("warning", "Repeated blank characters: spaces or tabs used for spacing", name))
    return findings


def check_file(path: Path) -> list[Finding]:
    data = path.read_bytes()
    return check_pptx(data) if path.suffix == ".pptx" else check_docx(data)
