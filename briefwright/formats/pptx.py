"""Briefing slides (.pptx) made from the resolved brief with python-pptx, in the worker pool, for briefs whose
audience or brief file says `slides: true`.

The deck, in order: a title slide (title, date, edition, marking), the bottom line, one slide per key judgment
(its ICD 203 likelihood and confidence, and the facts it rests on), the sections' text and facts with their
timelines as PowerPoint tables, the charts (native PowerPoint charts from the same points where the chart kind
has a native form, else a 300 dpi picture with the chart's text alternative), every caveat, the open questions
and the sources. Text that does not fit a slide goes on to a "(continued)" slide, decided by measuring each
paragraph with the theme's own font files, so nothing is shrunk or clipped when the deck is opened.

The look is the template's: a reference deck (the theme's static/reference.pptx, replaceable per project as the
Word reference document is); each kind of slide uses a layout of it by name (LAYOUTS, or project.yaml's
`slide_layouts`). The builder sets sizes, bullets and the few colours that carry meaning (claim labels, caveat
severities), and adds the TLP marking to the slide master, top right, on every slide.

After it is written the file is read back (`check_pptx`): every fact shown carries its critical and major caveats
on its slide and every caveat in its speaker notes, labelled facts carry their labels, every required caveat and
unknown is on a slide, every source is listed, the marking is on every slide and in the file's properties.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from briefwright.core import i18n
from briefwright.core.i18n import gettext as _
from briefwright.formats import ooxml
from briefwright.formats.base import Job, Output, OutputError, OutputFormat
from briefwright.formats.docx.runs import html_blocks
from briefwright.formats.docx.styles import TLP_INK

REFERENCE = "reference.pptx"  # in the theme's static folder, like the Word reference document
# The layout each kind of slide uses, by the names PowerPoint gives its built-in layouts: a template made from
# PowerPoint's own works unchanged; another names its layouts in project.yaml's slide_layouts.
LAYOUTS = {"title": "Title Slide", "bottom_line": "Title and Content", "judgment": "Title and Content",
           "section": "Title and Content", "chart": "Title Only", "table": "Title Only",
           "caveats": "Title and Content", "unknowns": "Title and Content", "sources": "Title and Content"}
TEXT_KINDS = {"bottom_line", "judgment", "section", "caveats", "unknowns", "sources"}  # need a body placeholder
PICTURE_DPI = 300
EMU_PER_PT = 12700
EMU_PER_IN = 914400
SLIDE_SIZE = (12192000, 6858000)  # 16:9, 13.33 x 7.5 in: the shipped template's
INSET_X, INSET_Y = 91440, 45720  # text frame insets the builder sets (PowerPoint's defaults)
LEVEL_MARGIN = {0: 0, 1: 320040, 2: 640080}  # left margin per list level, EMU; levels 1 and 2 hang a bullet
BULLETS = {1: "\u2022", 2: "\u2013"}
LINE = 1.2  # PowerPoint's single spacing, times the font size, for a font whose own metrics are smaller
# Colours that carry meaning, as in the Word edition; everything else is the template's.
INK, SOFT, ACCENT, SECOND, ALERT, CLAIMED, WASH, RULE = (
    "1D2330", "5A6272", "1F4E79", "B85C00", "B3261E", "8A5A00", "F3F5F8", "C9CED8")
SEVERE = ("critical", "major")  # a fact's caveats of these severities are on its slide; every caveat is in the notes
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2}
SLIDE_NUMBER_FIELD = "{4A1C5F3E-2B7D-4C86-9E0A-6F3D2B1A8C57}"  # a fixed id, so the bytes do not change


class PptxFormat(OutputFormat):
    name, label, suffix = "pptx", "PowerPoint slides", ".pptx"
    parallel = True
    position = 30

    def text_of(self, data: bytes) -> str:
        return ooxml.package_text(data)
    inputs = (REFERENCE,)

    def wanted(self, brief: Any, project: Any) -> bool:
        if brief.slides is not None:
            return bool(brief.slides)
        audience = project.audiences.get(brief.audience)
        return bool(audience is not None and audience.slides)

    def cache_parts(self) -> list[str]:
        return [importlib.metadata.version("python-pptx"), importlib.metadata.version("XlsxWriter"),
                importlib.metadata.version("pillow")]

    def preload(self) -> None:
        import PIL.ImageFont  # noqa: F401
        import pptx  # noqa: F401

    def render(self, job: Job) -> Output:
        from briefwright.render.charts import chart_style, read_tokens
        assets = Path(job.site) / "assets"
        reference = self.read_input(job, REFERENCE, "the slide template")
        template = describe_template(reference)
        if template["problem"]:
            raise OutputError(f"the slide template {REFERENCE} {template['problem']}")
        problems = layout_problems(template["layouts"], job.brief.get("slide_layouts") or {})
        if problems:
            raise OutputError("; ".join(f"the slide template {REFERENCE} {p}" for p in problems))
        with i18n.use(job.brief.get("language", i18n.SOURCE_LANGUAGE)):
            deck = Deck(job.brief, reference, chart_style(read_tokens(assets / "tokens.css")), assets)
            data = deck.build()
        problems = check_pptx(job.brief, data)
        if problems:
            raise OutputError("; ".join(problems))
        return Output(data)

    def check_project(self, project: Any, out: Any, cache: Any = None) -> None:
        """For a project with slides: the template must be a PowerPoint file with a layout for each kind of slide
        (by PowerPoint's names or project.yaml's slide_layouts), each with the placeholders its slides fill."""
        from briefwright.check.theme import ENGINE_TEMPLATES
        from briefwright.core.diagnostics import Loc
        if not any(self.wanted(brief, project) for brief in project.briefs.values()):
            return
        own = project.root / "templates" / "static" / REFERENCE
        path = own if own.is_file() else ENGINE_TEMPLATES / "static" / REFERENCE
        data = path.read_bytes()
        if cache is None:
            template = describe_template(data)
        else:
            checker = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
            template = cache.result(path, f"slide template {importlib.metadata.version('python-pptx')} {checker}", data,
                                    lambda: describe_template(data))
        shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
        if template["problem"]:
            out.error(Loc(path, 1, 1), f"the slide template {shown} {template['problem']}")
            return
        settings = project.settings
        mapped = settings.slide_layouts
        for kind, problem in layout_problems(template["layouts"], _mapping(mapped), by_kind=True):
            if mapped is not None and getattr(mapped, kind, None):
                out.error(mapped.at(kind), f"slide_layouts.{kind}: the slide template {shown} {problem}")
            else:
                out.error(Loc(path, 1, 1), f"the slide template {shown} {problem}; name the layout {kind} slides "
                                           f"use in project.yaml (slide_layouts: {{{kind}: ...}})")


def _mapping(layouts: Any) -> dict[str, str]:
    if layouts is None:
        return {}
    return {kind: getattr(layouts, kind) for kind in LAYOUTS if getattr(layouts, kind, None)}


def describe_template(data: bytes) -> dict:
    """A template's layouts (by name: whether each has a title and a body placeholder), or why it is no template.
    Plain JSON, so the parse cache can keep it for the file's bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return {"problem": "is not a PowerPoint file (.pptx): it is not a zip package", "layouts": {}}
    if "ppt/presentation.xml" not in names:
        return {"problem": "is not a PowerPoint file (.pptx): it has no ppt/presentation.xml", "layouts": {}}
    import pptx
    try:
        prs = pptx.Presentation(io.BytesIO(data))
        layouts: dict[str, dict] = {}
        for master in prs.slide_masters:
            for layout in master.slide_layouts:
                kinds = {_placeholder_kind(ph) for ph in layout.placeholders}
                layouts.setdefault(layout.name, {"title": "title" in kinds, "body": "body" in kinds})
    except Exception as exc:  # noqa: BLE001  python-pptx raises several kinds for a package it cannot read
        return {"problem": f"could not be read as a PowerPoint file: {exc}", "layouts": {}}
    return {"problem": None, "layouts": layouts}


def layout_problems(layouts: dict[str, dict], mapping: dict[str, str], by_kind: bool = False) -> list:
    """What each kind of slide lacks in a template: its layout, or the placeholders it fills."""
    problems: list[tuple[str, str]] = []
    listed = ", ".join(f"'{n}'" for n in layouts) or "none"
    for kind, default in LAYOUTS.items():
        name = mapping.get(kind, default)
        found = layouts.get(name)
        if found is None:
            problems.append((kind, f"has no layout '{name}' for {kind.replace('_', ' ')} slides; its layouts: {listed}"))
        elif not found["title"]:
            problems.append((kind, f"layout '{name}' (for {kind.replace('_', ' ')} slides) has no title placeholder, "
                                   "and every slide needs a title"))
        elif kind in TEXT_KINDS | {"title"} and not found["body"]:
            problems.append((kind, f"layout '{name}' (for {kind.replace('_', ' ')} slides) has no text placeholder "
                                   "for the slide's text"))
    return problems if by_kind else [p for _, p in problems]


def _placeholder_kind(ph: Any) -> str:
    from pptx.enum.shapes import PP_PLACEHOLDER
    kind = ph.placeholder_format.type
    if kind in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE):
        return "title"
    if kind in (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.SUBTITLE, PP_PLACEHOLDER.VERTICAL_BODY,
                PP_PLACEHOLDER.VERTICAL_OBJECT):
        return "body"
    return "other"


# -- text as the deck holds it, and its measured height -----------------------------------------------------

@dataclass
class Text:
    text: str
    bold: bool = False
    italic: bool = False
    colour: str | None = None
    sup: bool = False
    href: str | None = None


@dataclass
class Para:
    runs: list[Text]
    level: int = 0  # 0: a plain paragraph; 1: a bulleted item; 2: a detail under it
    size: float = 18
    before: float = 6


@dataclass
class Block:
    """Paragraphs kept on one slide, and what the speaker notes say about them."""

    paras: list[Para]
    notes: list[str] = field(default_factory=list)


_CJK = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_TOKENS = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]|[^\\s\u1100-\u11ff"
                     "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+\\s*|\\s+")


class Measure:
    """Text widths from font files: the theme's sans (DejaVu Sans, wider than the Arial the template names, so
    text measured to fit fits) and the machine's CJK sans for Chinese, Japanese and Korean."""

    def __init__(self, assets: Path):
        self.assets = assets

    @cache  # noqa: B019  one Measure per deck; the fonts are read once
    def font(self, bold: bool, cjk: bool) -> Any:
        from PIL import ImageFont
        path: str | None = None
        if cjk:
            from briefwright.core.machine import resolve_font
            found = resolve_font("sans-serif:lang=zh-cn", "中")
            path = found.file if found is not None and found.covers else None
        else:
            local = self.assets / "fonts" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
            path = str(local) if local.is_file() else None
        if path is None:
            return None
        return ImageFont.truetype(path, 1000)

    def width(self, text: str, size: float, bold: bool) -> float:
        """Points."""
        total = 0.0
        for piece in re.findall(f"{_CJK.pattern}+|(?:(?!{_CJK.pattern}).)+", text, re.S):
            cjk = bool(_CJK.match(piece))
            font = self.font(bold, cjk)
            if font is None:
                total += len(piece) * size * (1.0 if cjk else 0.62)
            else:
                total += font.getlength(piece) * size / 1000
        return total

    def line_factor(self, cjk: bool) -> float:
        font = self.font(False, cjk)
        if font is None:
            return LINE
        ascent, descent = font.getmetrics()
        return max(LINE, (ascent + descent) / 1000)

    def lines(self, para: Para, width: float) -> int:
        """How many lines a paragraph takes in a frame `width` points wide, breaking as PowerPoint does:
        between words, and between any two CJK characters."""
        available = width - LEVEL_MARGIN.get(para.level, 0) / EMU_PER_PT
        count, used = 1, 0.0
        for run in para.runs:
            size = para.size * (0.65 if run.sup else 1)
            # LibreOffice keeps a link on one line when it fits one, as a word; PowerPoint breaks it as text.
            for token in [run.text] if run.href else _TOKENS.findall(run.text):
                if token == "\n":
                    count, used = count + 1, 0.0
                    continue
                w = self.width(token.rstrip(), size, run.bold)
                if used and used + w > available:
                    count, used = count + 1, 0.0
                    if not token.strip():
                        continue
                while w > available:  # a word longer than the line (an address) breaks anywhere
                    count, w = count + 1, w - available
                used += w + self.width(token[len(token.rstrip()):], size, run.bold)
        return count

    def height(self, para: Para, width: float) -> float:
        """Points, with the space before it."""
        cjk = any(_CJK.search(r.text) for r in para.runs)
        return para.before + self.lines(para, width) * para.size * self.line_factor(cjk)


# -- the deck ------------------------------------------------------------------------------------------------

def _plain(html: str | None) -> str:
    """Text of brief HTML as the slides print it (citation marks left out)."""
    return " ".join("".join(r.text for r in b.runs if r.cite is None) for b in html_blocks(html or "")).strip()


class Deck:
    """Builds one brief's slides in order, from its resolved dict and a reference deck."""

    def __init__(self, brief: dict, reference: bytes, chart_style: dict, assets: Path):
        import pptx
        self.brief, self.chart_style, self.assets = brief, chart_style, assets
        self.prs: Any = pptx.Presentation(io.BytesIO(reference))
        self._drop_slides()
        self.measure = Measure(assets)
        self.mapping = {**LAYOUTS, **(brief.get("slide_layouts") or {})}
        self.layouts: dict[str, Any] = {}
        for master in self.prs.slide_masters:
            for layout in master.slide_layouts:
                self.layouts.setdefault(layout.name, layout)
        self.lang = brief["language"]
        self.pending_mark = (brief.get("translation") or {}).get("mark")
        self.titles: set[str] = set()
        # What only the slides show (the brief's slide_charts and what travels with their facts).
        self.extra = brief.get("slides") or {"charts": [], "caveats": [], "unknowns": [], "notes": [], "required_caveats": []}
        self.caveats = self._caveat_index()

    def _drop_slides(self) -> None:
        """A template gives layouts and masters, never slides."""
        ids = self.prs.slides._sldIdLst
        for sld in list(ids):
            self.prs.part.drop_rel(sld.rId)
            ids.remove(sld)

    def _caveat_index(self) -> dict[str, dict]:
        b = self.brief
        found: dict[str, dict] = {}
        for s in b["sections"]:
            for f in s["facts"]:
                for c in f["caveats"]:
                    if not c.get("ref_only"):
                        found.setdefault(c["id"], c)
            for c in s["caveats"]:
                found.setdefault(c["id"], c)
        for c in [*b["caveats_section"], *self.extra["caveats"]]:
            found.setdefault(c["id"], c)
        return found

    def untranslated(self, f: dict) -> dict:
        """A fact a judgment rests on but the brief does not show: a translated edition has no translation of it
        (translations cover what the page prints), so its English is marked as a pending portion is."""
        from briefwright.resolve.translations import pending
        shown = {fact["id"] for s in self.brief["sections"] for fact in s["facts"]}
        if not self.brief.get("translation") or f["id"] in shown:
            return f
        return {**f, "statement_html": pending(f["statement_html"]),
                "sides": [{**side, "statement_html": pending(side["statement_html"])} for side in f["sides"]]}

    def caveats_of(self, fact_id: str) -> list[dict]:
        ids = [c for f, c in [*self.brief["required"]["caveats"], *self.extra["required_caveats"]] if f == fact_id]
        cs = [self.caveats[c] for c in ids if c in self.caveats]
        return sorted(cs, key=lambda c: (SEVERITY_ORDER.get(c["severity"]["value"], 3), c["id"]))

    def clean(self, text: str) -> str:
        """A translated edition's pending portions: printed with the edition's visible mark, sentinels removed."""
        from briefwright.resolve.translations import PENDING_END, PENDING_START
        if PENDING_START in text or PENDING_END in text:
            text = text.replace(PENDING_START, (self.pending_mark + " ") if self.pending_mark else "").replace(PENDING_END, "")
        return text

    # runs and paragraphs from the brief

    def runs(self, html: str | None, bold: bool = False) -> list[list[Text]]:
        """Brief HTML as paragraphs of runs; citations as superscript source numbers."""
        paragraphs = []
        for block in html_blocks(html or ""):
            runs: list[Text] = []
            for r in block.runs:
                if r.cite is not None:
                    if runs and runs[-1].sup:
                        runs.append(Text(",", sup=True))
                    runs.append(Text(str(r.cite[0]), sup=True))
                else:
                    href = r.href if r.href and r.href.strip() != r.text.strip() else None
                    runs.append(Text(self.clean(r.text), bold=bold or r.bold, italic=r.italic, href=href))
            paragraphs.append(runs)
        return paragraphs

    def cites(self, cites: list[dict]) -> list[Text]:
        return [Text(",".join(str(c["n"]) for c in cites), sup=True)] if cites else []

    def portion(self, item: dict) -> list[Text]:
        return [Text(item["marking"]["label"] + " ", bold=True, colour=SOFT)] if self.brief["portion_marks"] else []

    def fact_block(self, f: dict, size: float, lead: list[Para] | None = None) -> Block:
        """A fact as a bulleted item: its status label when it is not verified, its sides, and its critical and
        major caveats on the slide; every caveat in the notes."""
        label = [Text(self.clean(f["status"]["label"]), bold=True, colour=CLAIMED), Text(" ")] \
            if f["status"]["needs_label"] else []
        statement = self.runs(f["statement_html"])
        first = [*self.portion(f), *label, *(statement[0] if statement else []), *self.cites(f["cites"])]
        paras = [*(lead or []), Para(first, 1, size, 6)]
        notes = [(f["status"]["label"] + ": " if f["status"]["needs_label"] else "") + self.clean(_plain(f["statement_html"]))]
        for side in f.get("sides", []):
            for runs in self.runs(side["statement_html"]):
                paras.append(Para([*runs, *self.cites(side.get("cites", []))], 2, size - 2, 2))
            notes.append("\u2013 " + self.clean(_plain(side["statement_html"])))
        for c in self.caveats_of(f["id"]):
            severity = _("%(severity)s caveat", severity=c["severity"]["label"])
            if c["severity"]["value"] in SEVERE:
                paras.append(Para([Text(severity + " ", bold=True, colour=ALERT), Text(self.clean(c["title"]))], 2, size - 2, 3))
            notes.append(_("%(label)s: %(note)s", label=severity, note=self.clean(c["title"])) + " " + self.clean(_plain(c["body_html"])))
        return Block(paras, notes)

    # slides

    def layout(self, kind: str) -> Any:
        return self.layouts[self.mapping[kind]]

    def unique(self, title: str) -> str:
        """Slide titles are how a screen reader moves through a deck: no two alike."""
        candidate, n = title, 2
        while candidate in self.titles:
            candidate, n = f"{title} ({n})", n + 1
        self.titles.add(candidate)
        return candidate

    def new_slide(self, kind: str, title: str) -> Any:
        slide = self.prs.slides.add_slide(self.layout(kind))
        shape = slide.shapes.title
        assert shape is not None  # layout_problems refused a layout without one
        self.set_title(shape, self.unique(title))
        return slide

    def set_title(self, shape: Any, title: str, lines: int = 2) -> None:
        """The title at the template's size, smaller (to 20 pt) when it would need more than `lines` lines."""
        from pptx.enum.text import MSO_AUTO_SIZE
        from pptx.util import Pt
        tf = shape.text_frame
        tf.clear()
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        self._insets(tf)
        width = (shape.width - 2 * INSET_X) / EMU_PER_PT
        size = self._title_size(shape)
        while size > 20 and self.measure.lines(Para([Text(title, bold=True)], 0, size), width) > lines:
            size -= 2
        run = tf.paragraphs[0].add_run()
        run.text = title
        run.font.size = Pt(size)
        self._lang(run)

    def _title_size(self, shape: Any) -> float:
        """The template's title size (the layout's title placeholder, else its master's title style), or 28 pt."""
        layout = shape.part.slide_layout
        for owner in (layout, layout.slide_master):
            for ph in owner.placeholders:
                if _placeholder_kind(ph) == "title":
                    found = ph._element.xpath(".//a:lvl1pPr/a:defRPr/@sz")
                    if found:
                        return int(found[0]) / 100
        sizes = layout.slide_master._element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz")
        return int(sizes[0]) / 100 if sizes else 28

    def body(self, slide: Any) -> Any:
        for ph in slide.placeholders:
            if _placeholder_kind(ph) == "body":
                return ph
        raise OutputError(f"layout '{slide.slide_layout.name}' has no text placeholder")

    def region(self, kind: str) -> tuple[int, int, int, int]:
        """Where a chart or table goes on a slide of this kind: below the title, between its margins."""
        layout = self.layout(kind)
        title = next(ph for ph in layout.placeholders if _placeholder_kind(ph) == "title")
        top = title.top + title.height + int(0.15 * EMU_PER_IN)
        bottom = self.prs.slide_height - int(0.6 * EMU_PER_IN)
        return title.left, top, title.width, bottom - top

    def _insets(self, tf: Any) -> None:
        from pptx.util import Emu
        tf.margin_left = tf.margin_right = Emu(INSET_X)
        tf.margin_top = tf.margin_bottom = Emu(INSET_Y)

    def _lang(self, run: Any) -> None:
        run.font._rPr.set("lang", self.lang)

    def write(self, tf: Any, paras: list[Para]) -> None:
        """Paragraphs into a text frame, each with its own level, margin, bullet and size: what was measured."""
        from pptx.dml.color import RGBColor
        from pptx.enum.text import MSO_AUTO_SIZE
        from pptx.util import Pt
        tf.clear()
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        self._insets(tf)
        for i, para in enumerate(paras):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.space_before = Pt(para.before)
            p.space_after = Pt(0)
            ppr = p._p.get_or_add_pPr()
            margin = LEVEL_MARGIN.get(para.level, 0)
            ppr.set("marL", str(margin))
            ppr.set("indent", str(-228600 if para.level else 0))
            ppr.set("lvl", "0")
            _bullet(ppr, BULLETS.get(para.level))
            for t in para.runs:
                if not t.text:
                    continue
                run = p.add_run()
                run.text = t.text
                font = run.font
                font.size = Pt(para.size)
                if t.bold:
                    font.bold = True
                if t.italic:
                    font.italic = True
                if t.colour:
                    font.color.rgb = RGBColor.from_string(t.colour)
                if t.sup:
                    font._rPr.set("baseline", "30000")
                self._lang(run)
                if t.href:
                    run.hyperlink.address = t.href

    def notes(self, slide: Any, lines: list[str]) -> None:
        text = "\n".join(self.clean(line) for line in lines if line)
        if text:
            slide.notes_slide.notes_text_frame.text = text

    def text_slides(self, kind: str, title: str, blocks: list[Block], notes: list[str] | None = None) -> None:
        """Blocks on as many slides as they need, each a whole block where one fits: '(continued)' after the first."""
        layout = self.layout(kind)
        ph = next(p for p in layout.placeholders if _placeholder_kind(p) == "body")
        width = (ph.width - 2 * INSET_X) / EMU_PER_PT
        room = (ph.height - 2 * INSET_Y) / EMU_PER_PT - 6  # a little under, for rounding in the renderers
        pages: list[list[Block]] = [[]]
        used = 0.0
        for block in blocks:
            for piece in self._fit(block, width, room):
                h = sum(self.measure.height(p, width) for p in piece.paras)
                if pages[-1] and used + h > room:
                    pages.append([])
                    used = 0.0
                pages[-1].append(piece)
                used += h
        for n, page in enumerate(pages, 1):
            shown = title if n == 1 else _("%(title)s (continued, %(n)s of %(total)s)", title=title, n=n, total=len(pages))
            slide = self.new_slide(kind, shown)
            body = self.body(slide)
            paras = [p for b in page for p in b.paras]
            if paras:
                paras[0] = Para(paras[0].runs, paras[0].level, paras[0].size, 0)
            self.write(body.text_frame, paras)
            self.drop_empty(slide)
            self.notes(slide, ([*(notes or [])] if n == 1 else []) + [line for b in page for line in b.notes])

    def _fit(self, block: Block, width: float, room: float) -> list[Block]:
        """A block taller than a slide, paragraph by paragraph; a paragraph taller than a slide, smaller."""
        if sum(self.measure.height(p, width) for p in block.paras) <= room:
            return [block]
        pieces = []
        for i, para in enumerate(block.paras):
            while para.size > 12 and self.measure.height(para, width) > room:
                para = Para(para.runs, para.level, para.size - 1, para.before)
            pieces.append(Block([para], block.notes if i == 0 else []))
        return pieces

    def drop_empty(self, slide: Any) -> None:
        """Placeholders the slide does not fill (a layout's date or picture): an empty one reads as nothing."""
        for ph in list(slide.placeholders):
            if ph.has_text_frame and not ph.text_frame.text.strip() and _placeholder_kind(ph) != "title":
                ph._element.getparent().remove(ph._element)

    # the brief, in order

    def build(self) -> bytes:
        b = self.brief
        self.title_slide()
        self.bottom_line()
        judgments = [j for s in b["sections"] for j in s["judgments"]]
        for j in judgments:
            self.judgment(j)
        for s in b["sections"]:
            self.section(s)
        for c in [*(c for s in b["sections"] for c in s["charts"]), *self.extra["charts"]]:
            self.chart(c)
        self.caveat_slides()
        self.unknown_slides()
        self.source_slides()
        self.master_marks()
        self.properties()
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return finish_package(buffer.getvalue(), dt.date.fromisoformat(b["date"]), b["organisation"])

    def title_slide(self) -> None:
        b = self.brief
        slide = self.prs.slides.add_slide(self.layout("title"))
        self.set_title(slide.shapes.title, self.unique(self.clean(b["title"])), lines=3)
        lines = [Para([Text(self.clean(b["audience"]["label"]), bold=True)], 0, 20, 0),
                 Para([Text(b["organisation"])], 0, 18, 4),
                 Para([Text(f"{b['date_display']} \u00b7 {_('Edition %(n)s', n=b['edition'])}")], 0, 18, 4)]
        if b.get("currency_gap"):  # as every format prints it beside the date (issue 28): never only in the notes
            lines.append(Para([Text(_("Evidence to %(date)s; not surveyed since", date=b["currency_gap"]["display"]),
                                    bold=True, colour=CLAIMED)], 0, 16, 2))
            if b.get("currency_note_html"):
                lines.append(Para([Text(self.clean(_plain(b["currency_note_html"])))], 0, 12, 2))
        lines.append(Para([Text(b["marking"]["label"], bold=True)], 0, 18, 4))
        self.write(self.body(slide).text_frame, lines)
        self.drop_empty(slide)
        notes = [self.clean(b["subject"])]
        if b["changes"] and b.get("changes_note_html"):
            notes.append(_("What changed since edition %(n)s", n=b["changes"]["since"]) + ": "
                         + self.clean(_plain(b["changes_note_html"])))
        self.notes(slide, notes)

    def bottom_line(self) -> None:
        paras = [Block([Para(runs, 0, 20, 10)]) for runs in self.runs(self.brief["bottom_line_html"])]
        self.text_slides("bottom_line", _("Bottom line"), paras, [self.clean(self.brief["bottom_line_text"])])

    def judgment(self, j: dict) -> None:
        statement = [*self.portion(j), Text(self.clean(j["statement"]), bold=True), *self.cites(j["cites"])]
        meta: list[Text] = []
        words = []
        if j["likelihood"]:
            words.append(_("Likelihood: %(term)s (%(range)s)", term=j["likelihood"]["value"], range=j["likelihood"]["range"]) + _("."))
        if j["window"]:
            words.append(_("Forecast window: %(window)s", window=j["window"]["display"]) + _("."))
        words.append(j["confidence"]["label"] + _("."))
        meta.append(Text(" ".join(words)))
        if j.get("unverified"):
            meta.append(Text(" " + _("Rests partly on unverified claims."), bold=True, colour=CLAIMED))
        blocks = [Block([Para(statement, 0, 22, 0), Para(meta, 0, 18, 8)],
                        [self.clean(j["statement"]), " ".join(words) + (" " + _("Rests partly on unverified claims.")
                                                                         if j.get("unverified") else "")])]
        for runs in self.runs(j["basis_html"]):
            blocks.append(Block([Para([Text(t.text, t.bold, True, t.colour, t.sup, t.href) for t in runs], 0, 16, 8)],
                                [self.clean(_plain(j["basis_html"]))]))
        lead = [Para([Text(_("Rests on:"), bold=True)], 0, 16, 10)]
        for i, f in enumerate(j.get("rests_on_facts", [])):
            blocks.append(self.fact_block(self.untranslated(f), 16, lead if i == 0 else None))
        self.text_slides("judgment", _("Key judgment %(n)s", n=j["n"]), blocks)

    def section(self, s: dict) -> None:
        blocks = [Block([Para(runs, 0, 18, 8)], [self.clean(_plain("<p>" + "".join(t.text for t in runs) + "</p>"))])
                  for runs in self.runs(s["intro_html"])]
        for f in s["facts"]:
            blocks.append(self.fact_block(f, 18))
        for c in s["caveats"]:
            blocks.append(self.caveat_block(c))
        if blocks:
            self.text_slides("section", self.clean(s["title"]), blocks)
        if s["events"]:
            self.events(s)

    def caveat_block(self, c: dict) -> Block:
        severity = _("%(severity)s caveat", severity=c["severity"]["label"])
        paras = [Para([*self.portion(c), Text(severity + " ", bold=True, colour=ALERT if c["severity"]["value"] in SEVERE else SOFT),
                       Text(self.clean(c["title"]), bold=True)], 0, 18, 10)]
        body = self.runs(c["body_html"])
        for i, runs in enumerate(body):
            paras.append(Para([*runs, *(self.cites(c["cites"]) if i == len(body) - 1 else [])], 0, 15, 3))
        return Block(paras, [_("%(label)s: %(note)s", label=severity, note=self.clean(c["title"])) + " "
                             + self.clean(_plain(c["body_html"]))])

    def caveat_slides(self) -> None:
        shown = list(self.caveats.values())
        if shown:
            self.text_slides("caveats", _("Caveats"), [self.caveat_block(c) for c in shown])

    def unknown_slides(self) -> None:
        b = self.brief
        unknowns = [u for s in b["sections"] for u in s["unknowns"]] + [*b["unknowns_section"], *self.extra["unknowns"]]
        blocks = []
        for u in unknowns:
            paras = [Para([*self.portion(u), Text(self.clean(u["question"]), bold=True)], 0, 18, 10)]
            notes = [self.clean(u["question"])]
            for lead, html in ((_("Why it matters:"), u["why_html"]), (_("What would resolve it:"), u["resolve_html"])):
                for runs in self.runs(html):
                    paras.append(Para([Text(lead + " ", bold=True), *runs], 1, 15, 3))
                notes.append(lead + " " + self.clean(_plain(html)))
            blocks.append(Block(paras, notes))
        if blocks:
            self.text_slides("unknowns", _("What we don\u2019t know"), blocks)

    def source_slides(self) -> None:
        blocks = []
        for note in [*self.brief["notes"], *self.extra["notes"]]:
            runs = [Text(f"{note['n']}. ")]
            for block in html_blocks(note["citation_html"]):
                for r in block.runs:
                    if r.href or r.cite is not None:
                        continue  # an address: the title links to it, and the notes give it in full
                    runs.extend(self._linked(Text(self.clean(r.text), r.bold, r.italic), note))
            while runs and not runs[-1].text.strip(" ."):
                runs.pop()
            for before, after in zip(runs, runs[1:], strict=False):  # where an address was taken out
                if before.text.endswith(" ") and after.text.startswith(" "):
                    after.text = after.text.lstrip(" ")
            blocks.append(Block([Para(runs, 0, 14, 4)], [f"{note['n']}. {note['citation_text']}"]))
        if blocks:
            self.text_slides("sources", _("Sources"), blocks)

    def _linked(self, t: Text, note: dict) -> list[Text]:
        """The source's title as the link to it (link text that says where it goes), the rest as it is."""
        title = note["title"]
        if not note.get("url") or title not in t.text:
            return [t]
        before, _sep, after = t.text.partition(title)
        made = [Text(before, t.bold, t.italic)] if before else []
        made.append(Text(title, t.bold, t.italic, href=note["url"]))
        if after:
            made.append(Text(after, t.bold, t.italic))
        return made

    def events(self, s: dict) -> None:
        """A section's timeline as a PowerPoint table, its header row repeated on each slide it needs."""
        from pptx.util import Emu
        left, top, width, height = self.region("table")
        shares = (0.2, 0.6, 0.2)
        widths = [int(width * share) for share in shares]
        head = [_("Date"), _("Event"), _("Kind")]
        rows = [[[Text(e["date_display"])], [*self.portion(e), Text(self.clean(e["title"])), *self.cites(e["cites"])],
                 [Text(e["kind"]["label"])]] for e in s["events"]]
        size = 14

        def row_height(cells: list[list[Text]], bold: bool = False) -> int:
            tallest = max(self.measure.lines(Para([Text(t.text, bold or t.bold, sup=t.sup) for t in cell], 0, size),
                                             (w - 2 * INSET_X) / EMU_PER_PT)
                          for cell, w in zip(cells, widths, strict=True))
            return int((tallest * size * LINE + 2 * INSET_Y / EMU_PER_PT + 2) * EMU_PER_PT)

        header = row_height([[Text(h)] for h in head], True)
        pages: list[list[tuple[list, int]]] = [[]]
        used = header
        for row in rows:
            h = row_height(row)
            if pages[-1] and used + h > height:
                pages.append([])
                used = header
            pages[-1].append((row, h))
            used += h
        title = _("Timeline: %(section)s", section=self.clean(s["title"]))
        for n, page in enumerate(pages, 1):
            shown = title if n == 1 else _("%(title)s (continued, %(n)s of %(total)s)", title=title, n=n, total=len(pages))
            slide = self.new_slide("table", shown)
            frame = slide.shapes.add_table(len(page) + 1, 3, Emu(left), Emu(top), Emu(sum(widths)),
                                           Emu(header + sum(h for _r, h in page)))
            frame.name = shown
            frame._element.nvGraphicFramePr.cNvPr.set("descr", shown)
            table = frame.table
            table.first_row, table.horz_banding = True, False
            for i, w in enumerate(widths):
                table.columns[i].width = Emu(w)
            table.rows[0].height = Emu(header)
            for i, heading in enumerate(head):
                self._cell(table.cell(0, i), [Text(heading, bold=True, colour="FFFFFF")], size, ACCENT)
            for r, (row, h) in enumerate(page, 1):
                table.rows[r].height = Emu(h)
                for i, cell in enumerate(row):
                    self._cell(table.cell(r, i), [Text(t.text, t.bold, t.italic, t.colour or INK, t.sup) for t in cell],
                               size, "FFFFFF")
            self.drop_empty(slide)
            self.notes(slide, [f"{e['date_display']}: {e['title']}" for e in s["events"]] if n == 1 else [])

    def _cell(self, cell: Any, runs: list[Text], size: float, fill: str) -> None:
        from pptx.dml.color import RGBColor
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(fill)
        self.write(cell.text_frame, [Para(runs, 0, size, 0)])

    # charts

    def chart(self, c: dict) -> None:
        """A native chart where the kind has one (NATIVE_CHARTS), else a picture; its caption and sources below."""
        from pptx.util import Emu
        slide = self.new_slide("chart", self.clean(c["title"]))
        left, top, width, height = self.region("chart")
        caption: list[Text] = []
        if c["flagged"]:
            caption += [Text(_("Hatched: claimed or disputed, not verified"), bold=True, colour=CLAIMED), Text(" ")]
        for runs in self.runs(c["caption_html"]):
            caption += [*runs, Text(" ")]
        caption += [Text(self.clean(c["source_line"]) + "."), *self.cites(c["cites"])]
        para = Para(caption, 0, 14, 0)
        text_h = int((self.measure.height(para, (width - 2 * INSET_X) / EMU_PER_PT) + 2 * INSET_Y / EMU_PER_PT + 4) * EMU_PER_PT)
        chart_h = height - text_h - int(0.1 * EMU_PER_IN)
        native = NATIVE_CHARTS.get(c["kind"])
        if native is not None:
            frame = native(self, slide, c, (left, top, width, chart_h))
            frame._element.nvGraphicFramePr.cNvPr.set("descr", self.clean(c["alt"]))
        else:
            from PIL import Image

            from briefwright.render.charts import draw_png
            # Drawn for the slide (as wide as the space, text at slide sizes) and placed no larger than drawn, so
            # it is PICTURE_DPI or finer wherever the template puts it.
            style = {**self.chart_style, "width": width / EMU_PER_IN, "base": max(self.chart_style["base"], 16),
                     "small": max(self.chart_style["small"], 14)}
            png = draw_png(c["kind"], c["points"], style, PICTURE_DPI)
            with Image.open(io.BytesIO(png)) as image:
                ratio = image.height / image.width
                drawn = int(image.width / PICTURE_DPI * EMU_PER_IN)
            w = min(width, drawn, int(chart_h / ratio))
            frame = slide.shapes.add_picture(io.BytesIO(png), Emu(left + (width - w) // 2),
                                             Emu(top + (chart_h - int(w * ratio)) // 2), Emu(w), Emu(int(w * ratio)))
            frame._element.nvPicPr.cNvPr.set("descr", self.clean(c["alt"]))
        frame.name = self.clean(c["title"])[:200]
        box = slide.shapes.add_textbox(Emu(left), Emu(top + chart_h + int(0.1 * EMU_PER_IN)), Emu(width), Emu(text_h))
        box.name = "Chart source"
        self.write(box.text_frame, [para])
        self.drop_empty(slide)
        notes = [self.clean(c["alt"])]
        for p in c["points"]:
            for cav in self.caveats_of(p.get("fact", "")):
                notes.append(_("%(label)s: %(note)s", label=_("%(severity)s caveat", severity=cav["severity"]["label"]),
                               note=self.clean(cav["title"])) + " " + self.clean(_plain(cav["body_html"])))
        self.notes(slide, notes)

    # the master and the file

    def master_marks(self) -> None:
        """The marking (TLP 2.0 colours, top right), the short title and the slide number on the slide master, so
        every slide shows them; also on a layout that hides the master's shapes."""
        b = self.brief
        marking = b["marking"]
        ink = TLP_INK.get(marking["value"], "FFFFFF")
        width = int((self.measure.width(marking["label"], 12, True) + 14) * EMU_PER_PT)
        right = self.prs.slide_width - int(0.3 * EMU_PER_IN)
        mark = (right - width, int(0.12 * EMU_PER_IN), width, int(0.32 * EMU_PER_IN))
        foot_y = self.prs.slide_height - int(0.45 * EMU_PER_IN)
        footer = f"{b['short_title']} \u00b7 {_('Edition %(n)s', n=b['edition'])}"
        owners: list[Any] = list(self.prs.slide_masters)
        owners += [layout for layout in self.layouts.values() if layout._element.get("showMasterSp") == "0"]
        for owner in owners:
            tree = owner.shapes._spTree
            ids = [int(x) for x in tree.xpath(".//p:cNvPr/@id")] or [1]
            tree.append(_text_shape(max(ids) + 1, "TLP marking", mark, marking["label"], 12, ink, fill="000000",
                                    align="ctr", bold=True, lang=self.lang))
            tree.append(_text_shape(max(ids) + 2, "Brief footer",
                                    (int(0.6 * EMU_PER_IN), foot_y, int(9 * EMU_PER_IN), int(0.3 * EMU_PER_IN)),
                                    self.clean(footer), 10, SOFT, lang=self.lang))
            tree.append(_text_shape(max(ids) + 3, "Slide number",
                                    (self.prs.slide_width - int(1.6 * EMU_PER_IN), foot_y, int(1.0 * EMU_PER_IN),
                                     int(0.3 * EMU_PER_IN)), None, 10, SOFT, align="r", lang=self.lang))

    def properties(self) -> None:
        b = self.brief
        core = self.prs.core_properties
        core.last_printed = ooxml.brief_properties(core, b, self.clean(b["title"]), self.clean(b["subject"]))


def _bullet(ppr: Any, char: str | None) -> None:
    """A paragraph's bullet (or none), in the order the schema puts bullet elements (after spacing)."""
    from pptx.oxml.ns import qn
    for tag in ("a:buFont", "a:buNone", "a:buAutoNum", "a:buChar", "a:buBlip"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    later = {qn(t) for t in ("a:tabLst", "a:defRPr", "a:extLst")}
    made = []
    if char is None:
        made.append(ppr.makeelement(qn("a:buNone"), {}))
    else:
        made.append(ppr.makeelement(qn("a:buFont"), {"typeface": "Arial"}))
        made.append(ppr.makeelement(qn("a:buChar"), {"char": char}))
    anchor = next((child for child in ppr if child.tag in later), None)
    for el in made:
        if anchor is not None:
            anchor.addprevious(el)
        else:
            ppr.append(el)


def _text_shape(shape_id: int, name: str, box: tuple[int, int, int, int], text: str | None, size: float, colour: str,
                fill: str | None = None, align: str = "l", bold: bool = False, lang: str = "en") -> Any:
    """A text box for a master or layout (python-pptx adds shapes to slides only); text None: the slide number."""
    from xml.sax.saxutils import escape

    from pptx.oxml import parse_xml
    from pptx.oxml.ns import nsdecls
    x, y, cx, cy = box
    fill_xml = f'<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill>' if fill else "<a:noFill/>"
    rpr = (f'<a:rPr lang="{escape(lang)}" sz="{int(size * 100)}" b="{1 if bold else 0}" dirty="0">'
           f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></a:rPr>')
    content = (f'<a:fld id="{SLIDE_NUMBER_FIELD}" type="slidenum">{rpr}<a:t>\u2039#\u203a</a:t></a:fld>' if text is None
               else f"<a:r>{rpr}<a:t>{escape(text)}</a:t></a:r>")
    return parse_xml(
        f'<p:sp {nsdecls("a", "p")}><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr txBox="1"/>'
        f'<p:nvPr userDrawn="1"/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>{fill_xml}</p:spPr>'
        f'<p:txBody><a:bodyPr wrap="none" lIns="{INSET_X}" tIns="0" rIns="{INSET_X}" bIns="0" anchor="ctr"><a:noAutofit/>'
        f'</a:bodyPr><a:lstStyle/><a:p><a:pPr algn="{align}"><a:buNone/></a:pPr>{content}</a:p></p:txBody></p:sp>')


# -- native charts -------------------------------------------------------------------------------------------

def _chart_text(chart: Any, size: float) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt
    chart.font.size = Pt(size)
    chart.font.color.rgb = RGBColor.from_string(INK)


def _pattern(point_format: Any, colour: str) -> None:
    """A claimed or disputed value hatched, as in the page's chart."""
    from pptx.dml.color import RGBColor
    from pptx.enum.dml import MSO_PATTERN
    point_format.fill.patterned()
    point_format.fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
    point_format.fill.fore_color.rgb = RGBColor.from_string(colour)
    point_format.fill.back_color.rgb = RGBColor.from_string("FFFFFF")
    point_format.line.color.rgb = RGBColor.from_string(INK)


def _bar(deck: Deck, slide: Any, c: dict, box: tuple[int, int, int, int]) -> Any:
    """One horizontal bar per fact, first at the top, each labelled with its value (and its tag when hatched)."""
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
    from pptx.util import Emu, Pt
    points = c["points"][::-1]  # PowerPoint draws the first category at the bottom; the page has the first fact on top
    data = CategoryChartData(number_format="#,##0.##")
    data.categories = [deck.clean(p["label"]) for p in points]
    data.add_series(deck.clean(f"{points[0]['measure']} ({points[0]['unit']})"), [p["value"] for p in points])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, *(Emu(v) for v in box), data)
    chart = frame.chart
    _chart_text(chart, 14)
    chart.has_title = chart.has_legend = False  # the slide's title names the chart
    chart.category_axis.format.line.color.rgb = RGBColor.from_string(RULE)
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor.from_string(RULE)
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = deck.clean(f"{points[0]['measure']} ({points[0]['unit']})")
    value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
    plot = chart.plots[0]
    plot.gap_width = 50
    series = plot.series[0]
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = RGBColor.from_string(ACCENT)
    labels = series.data_labels  # the series' own labels: the plot's would give way to them once a point has one
    labels.show_value = True
    labels.number_format, labels.number_format_is_linked = "#,##0.##", False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    for i, p in enumerate(points):
        if p["flagged"]:
            point = series.points[i]
            _pattern(point.format, SOFT)
            point.data_label.text_frame.text = f"{_number(p['value'])} ({deck.clean(p['tag'])})"
            point.data_label.position = XL_LABEL_POSITION.OUTSIDE_END
    return frame


def _split(deck: Deck, slide: Any, c: dict, box: tuple[int, int, int, int]) -> Any:
    """The parts of a whole as one stacked bar, each part a series with its value on it and its name in the legend."""
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Emu
    points = c["points"]
    data = CategoryChartData(number_format="#,##0.##")
    total = sum(p["value"] for p in points)
    data.categories = [deck.clean(f"{_number(total)} {points[0]['unit']}")]
    for p in points:
        data.add_series(deck.clean(p["label"]), [p["value"]])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_STACKED, *(Emu(v) for v in box), data)
    chart = frame.chart
    _chart_text(chart, 14)
    chart.has_title = False
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = False
    value_axis.minimum_scale, value_axis.maximum_scale = 0, total
    value_axis.visible = False  # each part carries its value; the total is the category's name
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.overlap = 100
    colours = [ACCENT, SECOND, SOFT, INK]
    for i, (series, p) in enumerate(zip(plot.series, points, strict=True)):
        colour = colours[i % len(colours)]
        if p["flagged"]:
            _pattern(series.format, colour)
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = RGBColor.from_string(colour)
        series.format.line.color.rgb = RGBColor.from_string("FFFFFF")
        series.data_labels.show_value = True
        series.data_labels.number_format, series.data_labels.number_format_is_linked = "#,##0.##", False
        series.data_labels.font.color.rgb = RGBColor.from_string("FFFFFF" if not p["flagged"] else INK)
        series.data_labels.font.bold = True
    return frame


def _number(value: float) -> str:
    from briefwright.resolve.present import number_display
    return number_display(value)


# Chart kinds drawn as native PowerPoint charts; any other kind (the timeline, a desk's own) is a picture.
NATIVE_CHARTS = {"bar": _bar, "split": _split}


# -- the file ------------------------------------------------------------------------------------------------

APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b'<Application>Briefwright</Application><PresentationFormat>Widescreen</PresentationFormat>'
           b'<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>'
           b'<HyperlinksChanged>false</HyperlinksChanged></Properties>')
_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def finish_package(data: bytes, when: dt.date, author: str = "") -> bytes:
    """The saved deck with bytes that depend only on its content: python-pptx's application properties replaced,
    each chart's embedded workbook (XlsxWriter stamps it with the time it was made) dated by the brief and
    zipped reproducibly, then the package zipped as ooxml.reproducible_zip does."""
    stamp = f"{when.isoformat()}T00:00:00Z".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/app.xml":
                body = APP_XML
            elif info.filename.startswith("ppt/embeddings/") and info.filename.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(body)) as book:
                    parts = {i.filename: book.read(i) for i in book.infolist()}
                if "docProps/core.xml" in parts:
                    core = _W3CDTF.sub(lambda m: m.group(1) + stamp + m.group(2), parts["docProps/core.xml"])
                    parts["docProps/core.xml"] = re.sub(rb"<dc:creator>[^<]*</dc:creator>",
                                                        b"<dc:creator>" + author.encode() + b"</dc:creator>", core)
                inner = io.BytesIO()
                with zipfile.ZipFile(inner, "w") as book:
                    for name, part in parts.items():
                        book.writestr(name, part)
                body = ooxml.reproducible_zip(inner.getvalue(), when)
            target.writestr(info.filename, body)
    return ooxml.reproducible_zip(out.getvalue(), when)


# -- the check -----------------------------------------------------------------------------------------------

def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_slides(data: bytes) -> tuple[Any, list[dict]]:
    """A saved deck read back with python-pptx: per slide its title, its paragraphs (text boxes, placeholders and
    table cells) and its speaker notes."""
    import pptx
    prs = pptx.Presentation(io.BytesIO(data))
    slides = []
    for slide in prs.slides:
        paragraphs: list[str] = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                paragraphs += [_squeeze("".join(r.text for r in p.runs) or p.text) for p in shape.text_frame.paragraphs]
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        paragraphs += [_squeeze(p.text) for p in cell.text_frame.paragraphs]
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        slides.append({"slide": slide, "title": title, "paragraphs": [p for p in paragraphs if p],
                       "notes": _squeeze(notes)})
    return prs, slides


def _marking_shown(slide: Any, label: str) -> bool:
    """Whether the marking is on a slide through its layout or master (a layout or slide may hide the master's shapes)."""
    layout = slide.slide_layout
    owners = [layout]
    if slide._element.get("showMasterSp") != "0" and layout._element.get("showMasterSp") != "0":
        owners.append(layout.slide_master)
    return any(shape.has_text_frame and shape.text_frame.text.strip() == label for owner in owners for shape in owner.shapes)


def check_pptx(brief: dict, data: bytes) -> list[str]:
    """Read the saved deck back: what the brief requires that the slides do not show, each a sentence. A fact on a
    slide carries its status label in its paragraph, its critical and major caveats on the slide and every caveat
    in the notes; every required caveat and unknown is on a slide; every source is listed; the marking is on every
    slide and in the properties."""
    prs, slides = read_slides(data)
    facts = _facts_shown(brief)
    return (_marking_problems(prs, slides, brief["marking"]["label"]) + _caveat_problems(brief, slides, facts)
            + _label_problems(facts, slides) + _listing_problems(brief, slides) + _warning_problems(brief, slides))


def _facts_shown(brief: dict) -> dict[str, dict]:
    """Every fact the deck may show, by id: the sections' facts and those judgments rest on."""
    facts: dict[str, dict] = {}
    for s in brief["sections"]:
        for f in s["facts"]:
            facts.setdefault(f["id"], f)
        for j in s["judgments"]:
            for f in j.get("rests_on_facts", []):
                facts.setdefault(f["id"], f)
    return facts


def _marking_problems(prs: Any, slides: list[dict], label: str) -> list[str]:
    problems = []
    if prs.core_properties.content_status != label:
        problems.append(f"its slides' properties do not carry the marking {label}")
    for n, s in enumerate(slides, 1):
        if not _marking_shown(s["slide"], label):
            problems.append(f"slide {n} of its deck does not show the marking {label}")
    return problems


def _caveat_problems(brief: dict, slides: list[dict], facts: dict[str, dict]) -> list[str]:
    """Each required caveat on a slide and in the notes; beside its fact, in the notes of the fact's slide and, when
    critical or major, on the slide itself."""
    from briefwright.resolve.translations import plain
    everything = " ".join(p for s in slides for p in s["paragraphs"])
    notes_all = " ".join(s["notes"] for s in slides)
    caveats: dict[str, dict] = {}
    for s in brief["sections"]:
        for f in s["facts"]:
            caveats.update((c["id"], c) for c in f["caveats"] if not c.get("ref_only"))
        caveats.update((c["id"], c) for c in s["caveats"])
    extra = brief.get("slides") or {}
    caveats.update((c["id"], c) for c in [*brief["caveats_section"], *extra.get("caveats", [])])
    title_of = {cid: _squeeze(plain(c["title"])) for cid, c in caveats.items()}
    problems = []
    for fact_id, caveat_id in [*brief["required"]["caveats"], *extra.get("required_caveats", [])]:
        title = title_of.get(caveat_id)
        if title is None or title not in everything or title not in notes_all:
            problems.append(f"its slides do not show caveat '{caveat_id}' of fact '{fact_id}' (on a slide and in the notes)")
            continue
        fact = facts.get(fact_id)
        if fact is None:
            continue
        statement = _squeeze(plain(_plain(fact["statement_html"])))
        severe = caveats[caveat_id]["severity"]["value"] in SEVERE
        for n, s in enumerate(slides, 1):
            if not any(statement and statement in p for p in s["paragraphs"]):
                continue
            if title not in s["notes"]:
                problems.append(f"slide {n} shows fact '{fact_id}' without its caveat '{caveat_id}' in the speaker notes")
            if severe and not any(title in p for p in s["paragraphs"]):
                problems.append(f"slide {n} shows fact '{fact_id}' without its {caveats[caveat_id]['severity']['value']} "
                                f"caveat '{caveat_id}' on the slide")
    return problems


def _label_problems(facts: dict[str, dict], slides: list[dict]) -> list[str]:
    """A fact that is not verified carries its status label before its statement, wherever a slide shows it."""
    from briefwright.resolve.translations import plain
    problems = []
    for fact_id, fact in facts.items():
        if not fact["status"]["needs_label"]:
            continue
        statement = _squeeze(plain(_plain(fact["statement_html"])))
        wanted = _squeeze(plain(fact["status"]["label"]))
        for n, s in enumerate(slides, 1):
            for p in s["paragraphs"]:
                if statement and statement in p and wanted not in p.split(statement)[0]:
                    problems.append(f"fact '{fact_id}' is not verified but slide {n} shows it without its status label")
    return problems


def _listing_problems(brief: dict, slides: list[dict]) -> list[str]:
    """Every required unknown is asked and every source listed, somewhere on the slides."""
    from briefwright.resolve.translations import plain
    everything = " ".join(p for s in slides for p in s["paragraphs"])
    problems = []
    questions = {u["id"]: u["question"] for s in brief["sections"] for u in s["unknowns"]}
    extra = brief.get("slides") or {}
    questions.update((u["id"], u["question"]) for u in [*brief["unknowns_section"], *extra.get("unknowns", [])])
    for unknown_id in [*brief["required"]["unknowns"], *(u["id"] for u in extra.get("unknowns", []))]:
        if _squeeze(plain(questions.get(unknown_id, "\0"))) not in everything:
            problems.append(f"its slides do not show unknown '{unknown_id}'")
    for note in [*brief["notes"], *extra.get("notes", [])]:
        if _squeeze(plain(note["title"])) not in everything:
            problems.append(f"its slides do not list source {note['n']} ('{note['id']}')")
    return problems


def _warning_problems(brief: dict, slides: list[dict]) -> list[str]:
    """What every format must say (issue 28): how old the evidence is, on the title slide, and that a judgment rests
    partly on unverified claims, on its slide."""
    from briefwright.resolve.translations import plain
    problems = []
    with i18n.use(brief.get("language", i18n.SOURCE_LANGUAGE)):
        unverified = _squeeze(_("Rests partly on unverified claims."))
        gap = brief.get("currency_gap")
        gap_line = _squeeze(_("Evidence to %(date)s; not surveyed since", date=gap["display"])) if gap else None
    if gap_line and not any(gap_line in p for p in slides[0]["paragraphs"]):
        problems.append("its title slide does not say how old its evidence is (the currency line)")
    judgments = {j["id"]: _squeeze(plain(j["statement"])) for s in brief["sections"] for j in s["judgments"]}
    for judgment_id in brief["required"].get("unverified", []):
        statement = judgments.get(judgment_id, "\0")
        if not any(statement in p and unverified in " ".join(s["paragraphs"]) for s in slides for p in s["paragraphs"]):
            problems.append(f"judgment '{judgment_id}' rests partly on unverified claims but its slide does not say so")
    return problems


# -- the shipped template ------------------------------------------------------------------------------------

def make_reference() -> bytes:
    """The shipped slide template: python-pptx's own, made 16:9, in the house colours and Arial, with the title
    and body placed for briefing slides. templates/static/reference.pptx is its output."""
    import pptx
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.oxml.ns import qn
    prs: Any = pptx.Presentation()
    old_width = prs.slide_width
    prs.slide_width, prs.slide_height = SLIDE_SIZE
    scale = SLIDE_SIZE[0] / old_width
    package_rels = prs.part.package._rels  # python-pptx has no public API for the package's own relationships
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(rid)
    for rid, rel in list(prs.part.rels.items()):
        if rel.reltype == "http://schemas.openxmlformats.org/officeDocument/2006/relationships/printerSettings":
            prs.part.drop_rel(rid)
    master: Any = prs.slide_masters[0]
    for owner in [master, *master.slide_layouts]:
        for xfrm in owner._element.iter(qn("a:xfrm")):
            off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
            if off is not None:
                off.set("x", str(int(int(off.get("x")) * scale)))
            if ext is not None:
                ext.set("cx", str(int(int(ext.get("cx")) * scale)))
    inch = EMU_PER_IN
    places = {"title": (0.6, 0.55, 12.13, 1.0), "body": (0.6, 1.7, 12.13, 5.15)}
    for ph in master.placeholders:
        kind = _placeholder_kind(ph)
        if kind in places:
            x, y, w, h = places[kind]
            ph.left, ph.top, ph.width, ph.height = int(x * inch), int(y * inch), int(w * inch), int(h * inch)
    title_layout: Any = master.slide_layouts[0]
    for ph in title_layout.placeholders:
        kind = _placeholder_kind(ph)
        if kind == "title":
            ph.left, ph.top, ph.width, ph.height = int(0.9 * inch), int(1.6 * inch), int(11.5 * inch), int(2.2 * inch)
        elif kind == "body":
            ph.left, ph.top, ph.width, ph.height = int(0.9 * inch), int(4.0 * inch), int(11.5 * inch), int(2.4 * inch)
    _house_theme(master)
    _house_text_styles(master, title_layout)
    core = prs.core_properties
    core.author, core.title, core.comments, core.last_modified_by = "", "Briefwright slide template", "", ""
    epoch = dt.datetime(2026, 1, 1)
    core.created = core.modified = core.last_printed = epoch
    core.revision = 1
    buffer = io.BytesIO()
    prs.save(buffer)
    return finish_package(buffer.getvalue(), epoch.date())


def _house_theme(master: Any) -> None:
    """Colours from the house tokens (ink on white, the accent for titles and links) and Arial throughout, with
    Microsoft YaHei for Simplified Chinese: fonts every ministry's PowerPoint has."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.oxml import parse_xml
    theme_part = master.part.part_related_by(RT.THEME)
    root = parse_xml(theme_part.blob)
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    colours = {"dk1": INK, "lt1": "FFFFFF", "dk2": ACCENT, "lt2": WASH, "accent1": ACCENT, "accent2": SECOND,
               "accent3": SOFT, "accent4": CLAIMED, "accent5": ALERT, "accent6": "2E6B3A", "hlink": ACCENT,
               "folHlink": "5A3E7A"}
    scheme = root.find(f".//{a}clrScheme")
    scheme.set("name", "Briefwright")
    for name, value in colours.items():
        slot = scheme.find(f"{a}{name}")
        for child in list(slot):
            slot.remove(child)
        slot.append(root.makeelement(f"{a}srgbClr", {"val": value}))
    fonts = root.find(f".//{a}fontScheme")
    fonts.set("name", "Briefwright")
    for group in ("majorFont", "minorFont"):
        el = fonts.find(f"{a}{group}")
        el.find(f"{a}latin").set("typeface", "Arial")
        for script in el.findall(f"{a}font"):
            if script.get("script") == "Hans":
                script.set("typeface", "Microsoft YaHei")
    from lxml import etree  # type: ignore[import-untyped]  # python-pptx's own XML library
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _house_text_styles(master: Any, title_layout: Any) -> None:
    """Titles bold in the accent, body text in the ink; list levels without bullets of their own (the builder
    sets each paragraph's)."""
    from pptx.oxml.ns import qn
    styles = master._element.find(qn("p:txStyles"))
    title = styles.find(qn("p:titleStyle")).find(qn("a:lvl1pPr"))
    title.set("algn", "l")
    rpr = title.find(qn("a:defRPr"))
    rpr.set("sz", "2800")
    rpr.set("b", "1")
    for fill in rpr.findall(qn("a:solidFill")):
        rpr.remove(fill)
    fill = rpr.makeelement(qn("a:solidFill"), {})
    fill.append(fill.makeelement(qn("a:schemeClr"), {"val": "tx2"}))
    rpr.insert(0, fill)
    body = styles.find(qn("p:bodyStyle"))
    for level, size in (("a:lvl1pPr", 2000), ("a:lvl2pPr", 1800), ("a:lvl3pPr", 1600)):
        el = body.find(qn(level))
        if el is not None:
            el.find(qn("a:defRPr")).set("sz", str(size))
    for ph in title_layout.placeholders:  # the opening slide's lines as its title: left, in full ink
        for level in ph._element.iter(*(qn(f"a:lvl{n}pPr") for n in range(1, 10))):
            level.set("algn", "l")
        for tint in list(ph._element.iter(qn("a:tint"))):
            tint.getparent().remove(tint)
    body_pr = master._element.find(f".//{qn('p:sp')}//{qn('a:bodyPr')}")
    if body_pr is not None:
        body_pr.set("anchor", "b")


FORMAT = PptxFormat()  # declared in pyproject.toml's briefwright.formats entry points
