"""One brief's Word document, built in print order from its resolved dict with python-docx, in the styles of a
reference document."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

from briefwright.core import i18n
from briefwright.core.i18n import gettext as _
from briefwright.formats import ooxml
from briefwright.formats.base import OutputError
from briefwright.formats.docx.runs import Run, html_blocks, title_links
from briefwright.formats.docx.styles import LISTS, PAPER, TABLE_STYLE, TLP_INK, ensure_styles, find_style, list_instance
from briefwright.formats.docx.translated import mark_pending_parts

_PNGS: dict[str, bytes] = {}  # charts drawn in this process: a chart shown in several briefs is drawn once per worker
CHART_DPI = 200
NUMBERS_TABLE_AUDIENCES = {"technical"}  # as technical.html shows its table of disclosed numbers


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

    def runs(self, p: Any, runs: list[Run], strike: bool = False, part: Any = None) -> None:
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

    def marking_run(self, p: Any, pad: str = " ") -> None:
        marking = self.brief["marking"]
        r = self.text(p, f"{pad}{marking['label']}{pad}", "Marking")
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
                    self.runs(note_p, title_links(block.runs, note["title"]), part=self.notes.part)
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
        # After the organisation's name, one space, then the label padded inside its shading by no-break spaces:
        # never a run of blanks (Word's accessibility checker reports those as spacing made of blank characters).
        self.text(org, b["organisation"] + " ")
        self.marking_run(org, "\u00a0")
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
            # As the page says it: a blank cell reads as a gap in the table.
            none: list[list[tuple[str, dict]]] = [[(_("None recorded"), {})]]
            self.lines(aliases, [[(a["name"], {"lang": a["lang"]} if a["lang"] else {})]
                                 + ([(" (" + "; ".join(filter(None, [a["note"], a["lang"]])) + ")", {})]
                                    if a["note"] or a["lang"] else []) for a in e["aliases"]] or none)
            self.lines(identifiers, [[(f"{i['scheme']}: {i['value']}", {})] for i in e["identifiers"]] or none)
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
        style = find_style(self.doc, name)
        while style is not None:
            positions += [int(t.position / 635) for t in style.paragraph_format.tab_stops]
            style = style.base_style
        return positions

    def properties(self) -> None:
        """Core properties from the brief, dated by the brief so the bytes do not change; language on the styles."""
        b = self.brief
        core = self.doc.core_properties
        ooxml.brief_properties(core, b, b["title"], b["subject"])  # pending marks: see mark_pending_parts
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
