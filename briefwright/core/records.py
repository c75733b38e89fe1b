"""The content model: every kind of record an analyst writes, as typed classes.

Each class is a dataclass whose annotations drive parsing (with located errors), reference
checking and the JSON Schema for editors, so a field is declared in exactly one place.
"""
from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from briefwright.core.diagnostics import Loc
from briefwright.core.values import ForecastWindow, PartialDate
from briefwright.core.vocabulary import (
    Attribution,
    Confidence,
    EntityKind,
    EventKind,
    Id,
    Interest,
    LegendForm,
    Likelihood,
    Markdown,
    Marking,
    NotesPolicy,
    PaperSize,
    PortionMarking,
    SectionPart,
    Severity,
    SourceKind,
    Status,
    Url,
    UrlStatus,
)


def meta(doc: str, ref: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"doc": doc, "ref": ref, **extra}


@dataclass
class Record:
    """Base for every content record: keeps where each field was written."""

    KIND: ClassVar[str] = ""
    if TYPE_CHECKING:
        id: str  # every record but Settings declares it; typed here so loaders can index by it
    loc: Loc = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]  # set by parse_record
    field_locs: dict[str, Loc] = field(default_factory=dict, init=False, repr=False, compare=False)
    item_locs: dict[str, list[Loc]] = field(default_factory=dict, init=False, repr=False, compare=False)

    if not TYPE_CHECKING:  # hidden from type checking, so a misspelt attribute is still an error there
        def __getattr__(self, name: str) -> Any:
            # Called only when an attribute is missing: a record read back from the parse cache gets its field and
            # item locations when first asked (most records are never asked: only a problem needs a location).
            if name in ("field_locs", "item_locs"):
                later = self.__dict__.pop("_locs_later", None)
                if later is not None:
                    unpack, *args = later
                    unpack(self, *args)
                    return self.__dict__[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def at(self, name: str, index: int | None = None) -> Loc:
        if index is not None and name in self.item_locs and index < len(self.item_locs[name]):
            return self.item_locs[name][index]
        return self.field_locs.get(name, self.loc)


@dataclass
class Source(Record):
    KIND: ClassVar[str] = "source"
    id: Id = field(metadata=meta("Unique id, lower-case words joined by hyphens."))
    title: str = field(metadata=meta("Title of the document or page; for an interview or conversation, its subject."))
    published: PartialDate = field(metadata=meta(
        "When it was published, or when the interview or conversation took place: YYYY, YYYY-MM or YYYY-MM-DD."))
    kind: SourceKind = field(metadata=meta(
        "What kind of source it is: primary, secondary, press and subject are read online and need a url; "
        "internal, interview, conversation, book, report, dataset and legal take one only where it exists."))
    short_title: str | None = field(default=None, metadata=meta(
        "A short form of the title, for lines that name several sources (a chart's source line). A legal text "
        "is named there by it, e.g. 'Regulation (EU) 2023/956'; without it, by its whole title."))
    publisher: str | None = field(default=None, metadata=meta(
        "Who published it; required for every kind but interview and conversation."))
    retrieved: dt.date | None = field(default=None, metadata=meta(
        "When an analyst last read it (YYYY-MM-DD); required with a url."))
    url: Url | None = field(default=None, metadata=meta(
        "Where it can be read (http or https); required for primary, secondary, press and subject sources. "
        "Leave it out (or empty) where none exists."))
    archived_url: Url | None = field(default=None, metadata=meta(
        "An archived copy (e.g. on the Wayback Machine), for a page that may change or vanish; `briefwright links "
        "archive` asks for one and writes it here."))
    archived: dt.date | None = field(default=None, metadata=meta(
        "The day the archived copy was captured (YYYY-MM-DD), written with it by `links archive`. Without it, a "
        "Wayback Machine address gives the day from its timestamp."))
    url_status: UrlStatus | None = field(default=None, metadata=meta(
        "live (the default) or dead: the address no longer answers (404, 410, a domain gone). A dead source's notes "
        "lead with its archived copy and say the original is gone; `links check --mark-dead` writes it."))
    author: str | None = field(default=None, metadata=meta(
        "Author(s) of a book, report, paper or dataset; required for a book."))
    pages: str | None = field(default=None, metadata=meta("Pages or other place cited, e.g. 45-47, or Art. 99."))
    person: str | None = field(default=None, metadata=meta(
        "For an interview or conversation: who spoke, as the notes may print it (a name only on the record; "
        "else a description such as 'a former export-control official'). Required for an interview; never "
        "under the Chatham House Rule."))
    attribution: Attribution | None = field(default=None, metadata=meta(
        "For an interview or conversation (required): on-record, not-for-attribution, background or "
        "chatham-house (neither the speaker's identity nor affiliation may be revealed)."))
    note: str | None = field(default=None, metadata=meta(
        "For a secondary copy: which primary it copies, and anything else a reader should know."))
    living: bool = field(default=False, metadata=meta(
        "An undated page kept up to date (a reference or specification page): `published` is then the day it was "
        "read, and the source does not count toward a brief's 'Sources to' date, which would otherwise claim "
        "the brief's record reaches that day."))
    interest: Interest | None = field(default=None, metadata=meta(
        "Who has a stake in what the source says, if anyone: subject, supplier, customer, competitor, government, "
        "funded-by or advocate. Printed in the notes; `check` warns on a judgment resting only on such sources."))
    interest_note: str | None = field(default=None, metadata=meta(
        "The stake in plain words, printed with the interest, e.g. 'Huawei-focused news site' or 'Funded in part "
        "by the Australian and US governments'."))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking of this record; default: the project's default_marking. Derived markings may raise it."))


@dataclass
class Quantity(Record):
    value: float = field(metadata=meta("The number."))
    unit: str = field(metadata=meta("Its unit, e.g. TFLOPS, billion parameters, %."))
    measure: str = field(metadata=meta("What it measures, e.g. 'dense FP16 throughput'. Charts compare only like measures."))
    label: str = field(metadata=meta("The thing measured, as a chart shows it, e.g. 'Model B'."))


@dataclass
class Side(Record):
    statement: Markdown = field(metadata=meta("One side of a conflict, in Markdown."))
    sources: list[Id] = field(metadata=meta("Sources that support this side.", ref="source", min_items=1))


@dataclass
class Fact(Record):
    KIND: ClassVar[str] = "fact"
    id: Id = field(metadata=meta("Unique id."))
    statement: Markdown = field(metadata=meta("The fact in one or two sentences of Markdown."))
    sources: list[Id] = field(metadata=meta("Sources for the fact (at least one).", ref="source", min_items=1))
    status: Status = field(metadata=meta("How well established it is."))
    confidence: Confidence = field(metadata=meta("The analyst's confidence in the fact."))
    as_of: dt.date = field(metadata=meta("The date the fact is true as of (YYYY-MM-DD)."))
    tags: list[str] = field(default_factory=list, metadata=meta("Free tags for filtering."))
    quantity: Quantity | None = field(default=None, metadata=meta("A number that charts and tables can use."))
    sides: list[Side] = field(default_factory=list, metadata=meta("For a conflicting fact: each side with its sources (two or more)."))
    entities: list[Id] = field(default_factory=list, metadata=meta(
        "Organisations and people the fact concerns: a screening brief using the fact lists them to screen.",
        ref="entity"))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking of this record; default: the project's default_marking. Derived markings may raise it."))


@dataclass
class Caveat(Record):
    KIND: ClassVar[str] = "caveat"
    id: Id = field(metadata=meta("Unique id."))
    title: str = field(metadata=meta("A short title."))
    body: Markdown = field(metadata=meta("The caveat in Markdown."))
    severity: Severity = field(metadata=meta("Critical caveats are shown beside the fact; others in a caveats section."))
    applies_to: list[Id] = field(metadata=meta("The facts it qualifies; it travels with them into every brief.", ref="fact", min_items=1))
    sources: list[Id] = field(default_factory=list, metadata=meta("Sources for the caveat.", ref="source"))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking of this record; default: the project's default_marking. Derived markings may raise it."))


@dataclass
class Unknown(Record):
    KIND: ClassVar[str] = "unknown"
    id: Id = field(metadata=meta("Unique id."))
    question: str = field(metadata=meta("What is not known, as a question."))
    why_it_matters: Markdown = field(metadata=meta("Why a reader should care."))
    would_resolve: Markdown = field(metadata=meta("What evidence would answer it."))
    facts: list[Id] = field(default_factory=list, metadata=meta("Related facts: a brief using any of them shows this unknown.", ref="fact"))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking of this record; default: the project's default_marking. Derived markings may raise it."))


@dataclass
class Event(Record):
    KIND: ClassVar[str] = "event"
    id: Id = field(metadata=meta("Unique id."))
    date: PartialDate = field(metadata=meta("When it happened: YYYY, YYYY-MM or YYYY-MM-DD."))
    title: str = field(metadata=meta("What happened, in a line."))
    kind: EventKind = field(metadata=meta("What kind of event."))
    sources: list[Id] = field(metadata=meta("Sources for the event.", ref="source", min_items=1))
    facts: list[Id] = field(default_factory=list, metadata=meta("Facts that describe the event.", ref="fact"))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking of this record; default: the project's default_marking. Derived markings may raise it."))


@dataclass
class Chart(Record):
    KIND: ClassVar[str] = "chart"
    TYPED_NUMBER_FIELDS: ClassVar[tuple[str, ...]] = ("values", "value", "data", "numbers", "points", "series")
    id: Id = field(metadata=meta("Unique id; also the chart's file name."))
    kind: str = field(metadata=meta("A registered chart kind.", choices="chart_kinds"))
    title: str = field(metadata=meta("Title shown above the chart."))
    facts: list[Id] = field(default_factory=list, metadata=meta("Facts whose quantities the chart draws.", ref="fact"))
    events: list[Id] = field(default_factory=list, metadata=meta("Events the chart draws.", ref="event"))
    highlight: Id | None = field(default=None, metadata=meta("An event to mark.", ref="event"))
    alt: str | None = field(default=None, metadata=meta("Alt text; generated from the data when omitted."))
    caption: Markdown | None = field(default=None, metadata=meta("A note under the chart."))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking of this record; default: the project's default_marking. Derived markings may raise it."))


@dataclass
class Judgment(Record):
    KIND: ClassVar[str] = "judgment"
    id: Id = field(metadata=meta("Unique id."))
    statement: str = field(metadata=meta("The judgment, using the likelihood term if one is set, and no confidence words."))
    confidence: Confidence = field(metadata=meta("Confidence in the judgment, stated apart from likelihood."))
    rests_on: list[Id] = field(metadata=meta("Facts the judgment rests on.", ref="fact", min_items=1))
    likelihood: Likelihood | None = field(default=None, metadata=meta("An ICD 203 likelihood term, or none."))
    basis: Markdown | None = field(default=None, metadata=meta(
        "A sentence on the reasoning; may cite sources as [@source-id].", cites=True))
    window: ForecastWindow | None = field(default=None, metadata=meta(
        "For a forecast: the period it covers, as start/end (two full dates, start first), e.g. "
        "2026-01-14/2027-01-14; printed with the judgment, and `check` warns once it has ended."))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking of this record; default: the project's default_marking. Derived markings may raise it."))


@dataclass
class Alias(Record):
    name: str = field(metadata=meta("Another name to screen, in any script, exactly as written."))
    lang: str | None = field(default=None, metadata=meta(
        "BCP 47 language tag of the name, e.g. zh-Hans, ru-Latn: set so each script renders in the right font."))
    note: str | None = field(default=None, metadata=meta("What the name is, e.g. 'Chinese legal name', 'former name'."))


@dataclass
class Identifier(Record):
    scheme: str = field(metadata=meta("What kind of identifier, e.g. 'HKEX stock code', 'LEI', 'USCC'."))
    value: str = field(metadata=meta("The identifier, quoted if it is all digits: \"2513\"."))


@dataclass
class Listing(Record):
    list: str = field(metadata=meta("The list's name, e.g. Entity List, SDN List."))
    effective: PartialDate = field(metadata=meta("When the listing took effect (YYYY-MM-DD)."))
    requirement: Markdown = field(metadata=meta(
        "What the listing means for someone dealing with the entity, in Markdown: the 'What to check' action."))
    # `list` is the field's YAML name, so the type below names the built-in through its module
    sources: builtins.list[Id] = field(metadata=meta("Sources for the listing (the notice that made it).", ref="source",
                                            min_items=1))
    authority: str | None = field(default=None, metadata=meta("Who keeps the list, e.g. BIS, OFAC."))
    entry: str | None = field(default=None, metadata=meta("The name exactly as the list writes it."))
    citation: str | None = field(default=None, metadata=meta(
        "The citation of the notice that made the listing, e.g. 90 FR 4544."))


@dataclass
class Entity(Record):
    KIND: ClassVar[str] = "entity"
    id: Id = field(metadata=meta("Unique id."))
    name: str = field(metadata=meta("The name briefs use."))
    kind: EntityKind = field(metadata=meta("organisation or person."))
    sources: list[Id] = field(metadata=meta("Sources for the names and identifiers (at least one).", ref="source",
                                            min_items=1))
    legal_name: str | None = field(default=None, metadata=meta("The registered legal name."))
    country: str | None = field(default=None, metadata=meta(
        "Country of registration or nationality, as an ISO 3166 alpha-2 code (CN, US, GB...)."))
    aliases: list[Alias] = field(default_factory=list, metadata=meta(
        "Every other name to screen, in any script: former names, brands, transliterations, handles."))
    identifiers: list[Identifier] = field(default_factory=list, metadata=meta(
        "Registry numbers, stock codes and the like."))
    listings: list[Listing] = field(default_factory=list, metadata=meta(
        "Each sanctions or export-control list entry naming the entity."))
    checks: list[Markdown] = field(default_factory=list, metadata=meta(
        "Further actions for a compliance officer, in Markdown, listed under 'What to check'."))
    note: Markdown | None = field(default=None, metadata=meta("Anything else a reader should know, in Markdown."))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking of this record; default: the project's default_marking. Derived markings may raise it."))


@dataclass
class GlossaryTerm(Record):
    KIND: ClassVar[str] = "term"
    LABEL: ClassVar[str] = "glossary term"
    id: Id = field(metadata=meta("Unique id."))
    term: str = field(metadata=meta(
        "The abbreviation as written in text (case-sensitive, matched as a whole word), e.g. BIS."))
    expansion: str = field(metadata=meta(
        "What it stands for, written before it at its first use in every brief: 'Bureau of Industry and Security'."))
    definition: Markdown | None = field(default=None, metadata=meta(
        "One sentence of Markdown saying what it is, shown in the glossary list."))
    marking: Marking | None = field(default=None, metadata=meta(
        "TLP 2.0 marking; a brief marked lower neither expands nor lists the term."))


@dataclass
class Section(Record):
    title: str = field(metadata=meta("Section heading."))
    intro: Markdown | None = field(default=None, metadata=meta(
        "Analyst's text before the section's items; may cite sources as [@source-id].", cites=True))
    judgments: list[Id] = field(default_factory=list, metadata=meta("Key judgments shown.", ref="judgment"))
    facts: list[Id] = field(default_factory=list, metadata=meta("Facts shown.", ref="fact"))
    charts: list[Id] = field(default_factory=list, metadata=meta("Charts shown.", ref="chart"))
    events: list[Id] = field(default_factory=list, metadata=meta("Timeline events shown.", ref="event"))
    caveats: list[Id] = field(default_factory=list, metadata=meta("Caveats shown here (attached caveats are added anyway).", ref="caveat"))
    unknowns: list[Id] = field(default_factory=list, metadata=meta("Open questions shown here.", ref="unknown"))
    entities: list[Id] = field(default_factory=list, metadata=meta(
        "Entities added to the brief's screening table (for an audience with screening), beside those its facts "
        "name.", ref="entity"))


@dataclass
class Brief(Record):
    KIND: ClassVar[str] = "brief"
    id: Id = field(metadata=meta("Unique id; also the folder and PDF name."))
    title: str = field(metadata=meta("Full title."))
    short_title: str = field(metadata=meta("Short title for the running head."))
    audience: str = field(metadata=meta("Who it is for: a built-in audience or one declared in project.yaml.",
                                        choices="audiences"))
    date: dt.date = field(metadata=meta("Date of this edition (YYYY-MM-DD); also the PDF's dates."))
    edition: int = field(metadata=meta("Edition number, from 1.", minimum=1))
    marking: Marking = field(metadata=meta("TLP 2.0 distribution marking."))
    bottom_line: Markdown = field(metadata=meta(
        "The one-paragraph bottom line up front; may cite sources as [@source-id] or [@one; @two].", cites=True))
    sections: list[Section] = field(metadata=meta("The body, in order.", min_items=1))
    page_limit: int | None = field(default=None, metadata=meta(
        "Most pages the PDF may have; defaults to the audience's page_limit.", minimum=1))
    template: str | None = field(default=None, metadata=meta("Template file; defaults to the audience's."))
    subject: str | None = field(default=None, metadata=meta("PDF subject line."))
    keywords: list[str] = field(default_factory=list, metadata=meta("PDF keywords."))
    languages: list[str] = field(default_factory=list, metadata=meta(
        "The languages of its editions, the project's language first (the source the others are translated from), "
        "e.g. [en, zh-Hans, fr]; each other language's text comes from translations/<lang>.yaml. Default: the "
        "project's language alone."))
    changes_note: Markdown | None = field(default=None, metadata=meta(
        "From edition 2: the editor's summary of what this edition changes and why, printed first under 'What "
        "changed since edition N'. The PDF and Word file (held to the page limit) give this note and a count of the "
        "changes; the brief's web page lists every change with its old and new wording."))
    numbered_paragraphs: bool | None = field(default=None, metadata=meta(
        "Number the body paragraphs of the Word edition (1., 2., ...) for submissions cited by paragraph, such as "
        "parliamentary written evidence; default: the audience's choice (off for the built-in audiences)."))
    likelihood_legend: LegendForm | None = field(default=None, metadata=meta(
        "How the PDF and Word editions explain the ICD 203 likelihood terms: full (every term with its range) or "
        "line (one line: the terms this brief's judgments use); default: the audience's (full). The web page always "
        "has the full legend."))
    print_glossary: bool | None = field(default=None, metadata=meta(
        "Print the glossary in the PDF and Word editions (true), or list it on the web page only (false), for a "
        "brief short of room; abbreviations are still spelt out at first use. Default: the audience's (true)."))
    currency_days: int | None = field(default=None, metadata=meta(
        "Most days the brief's date may run past its newest cited source before the gap is printed and refused; "
        "default: currency_days in project.yaml.", minimum=1))
    currency_note: Markdown | None = field(default=None, metadata=meta(
        "Why the brief is dated well after its newest cited source (say plainly what has not been surveyed since): "
        "printed under the date line, and only while that gap exceeds currency_days. Without it, `check --strict` "
        "and `release` refuse such a brief."))
    slides: bool | None = field(default=None, metadata=meta(
        "Also publish the brief as PowerPoint slides (.pptx) beside its PDF and Word files; default: the audience's "
        "choice (off for the built-in audiences)."))
    slide_charts: list[Id] = field(default_factory=list, metadata=meta(
        "Charts drawn on the brief's slides only, after the charts of its sections: a deck has room that a "
        "page-limited PDF does not. Their facts' sources, caveats and open questions go into the deck with them; "
        "the PDF, Word file and web page are unchanged.", ref="chart"))


@dataclass
class Colours(Record):
    """House colours: each replaces one design token (`--ink`, `--accent`, ...) in HTML, PDF and charts."""

    ink: str | None = field(default=None, metadata=meta("Body text, '#rrggbb' or a CSS colour name."))
    ink_soft: str | None = field(default=None, metadata=meta("Secondary text: dates, captions, running heads."))
    accent: str | None = field(default=None, metadata=meta("Headings, links, the bottom line's rule, chart bars."))
    accent_2: str | None = field(default=None, metadata=meta("A second chart colour."))
    paper: str | None = field(default=None, metadata=meta("The page."))
    wash: str | None = field(default=None, metadata=meta("Tinted panels: the bottom line, key judgments."))
    rule: str | None = field(default=None, metadata=meta("Lines and chart axes."))
    alert: str | None = field(default=None, metadata=meta("Critical caveats."))


@dataclass
class Fonts(Record):
    """House fonts, as CSS font-family lists of fonts installed on the machine that builds."""

    serif: str | None = field(default=None, metadata=meta("Body text, e.g. \"'Source Serif 4', Georgia, serif\"."))
    sans: str | None = field(default=None, metadata=meta("Headings, labels and charts."))


@dataclass
class ProjectAudience(Record):
    KIND: ClassVar[str] = "audience"
    id: Id = field(metadata=meta(
        "The audience's id, as briefs name it. With a built-in id, only the fields written here change that audience "
        "(`- {id: policymaker, label: Ministers}` relabels it and keeps its template, notes and page limit)."))
    label: str | None = field(default=None, metadata=meta(
        "Who the audience is, as briefs and the site show it, e.g. 'Board members'; required for a new audience."))
    template: str = field(default="base.html", metadata=meta(
        "Template of its briefs, in templates/ (often one line: {% extends \"base.html\" %})."))
    page_limit: int | None = field(default=None, metadata=meta(
        "Most pages a brief for this audience may have, unless the brief sets its own.", minimum=1))
    notes: NotesPolicy = field(default=NotesPolicy.ENDNOTES, metadata=meta(
        "Footnote policy: footnotes (at the foot of the page in print) or endnotes."))
    inline_caveats: list[Severity] = field(default_factory=lambda: [Severity.CRITICAL], metadata=meta(
        "Caveat severities shown beside their fact; the others go to a Caveats section."))
    order: list[SectionPart] = field(default_factory=lambda: list(SectionPart), metadata=meta(
        "The order of a section's items (each of judgments, facts, charts, events, caveats, unknowns once)."))
    split_claims: bool = field(default=False, metadata=meta(
        "Show checked facts first, then those only claimed or disputed, under their own heads."))
    screening: bool = field(default=False, metadata=meta(
        "Add 'Names to screen' and 'What to check' sections built from the entities the brief's facts and "
        "sections name (the built-in compliance audience does)."))
    glossary: bool = field(default=False, metadata=meta(
        "List the glossary terms the brief uses, and warn in `check` on an abbreviation it uses without a "
        "glossary entry (the built-in public and policymaker audiences do)."))
    likelihood_legend: LegendForm = field(default=LegendForm.FULL, metadata=meta(
        "How its briefs' PDF and Word editions explain the ICD 203 likelihood terms: full or line (one line: the "
        "terms a brief's judgments use); a brief may set its own."))
    print_glossary: bool = field(default=True, metadata=meta(
        "Print the glossary in its briefs' PDF and Word editions (true) or show it on the web page only (false); a "
        "brief may set its own."))
    slides: bool = field(default=False, metadata=meta(
        "Publish its briefs as PowerPoint slides (.pptx) too, unless a brief says `slides: false`."))


@dataclass
class SlideLayouts(Record):
    """Which layout of the slide template (templates/static/reference.pptx) each kind of slide uses, by the
    layout's name as PowerPoint shows it; a kind left out uses the layout named in brackets."""

    title: str | None = field(default=None, metadata=meta("The opening slide: title, date, edition, marking (Title Slide)."))
    bottom_line: str | None = field(default=None, metadata=meta("The bottom line (Title and Content)."))
    judgment: str | None = field(default=None, metadata=meta("One key judgment and the facts it rests on (Title and Content)."))
    section: str | None = field(default=None, metadata=meta("A section's text and facts (Title and Content)."))
    chart: str | None = field(default=None, metadata=meta("A chart; needs a title placeholder (Title Only)."))
    table: str | None = field(default=None, metadata=meta("A timeline table; needs a title placeholder (Title Only)."))
    caveats: str | None = field(default=None, metadata=meta("Every caveat of the brief (Title and Content)."))
    unknowns: str | None = field(default=None, metadata=meta("The open questions (Title and Content)."))
    sources: str | None = field(default=None, metadata=meta("The numbered sources (Title and Content)."))


@dataclass
class Links(Record):
    """How `briefwright links` checks addresses and asks an archive for copies; `check` and `release` read
    require_archive."""

    archive_endpoint: Url | None = field(default=None, metadata=meta(
        "The Save Page Now 2 service that makes archived copies (default https://web.archive.org); the "
        "BRIEFWRIGHT_ARCHIVE_ENDPOINT variable and `links archive --endpoint` override it."))
    require_archive: bool = field(default=False, metadata=meta(
        "`release` refuses a brief citing a source with a url and no archived_url, and `check` warns on each "
        "such source (default false: `check` only notes them)."))
    cache_hours: int = field(default=24, metadata=meta(
        "How long `links check` trusts a result before asking the site again (default 24).", minimum=1))
    per_host: int = field(default=1, metadata=meta(
        "Requests `links check` has open to one host at a time: 1 (the default) or 2.", minimum=1))
    delay_seconds: float = field(default=1.0, metadata=meta(
        "Seconds `links check` waits between two requests to the same host (default 1)."))
    timeout_seconds: float = field(default=20.0, metadata=meta(
        "Seconds `links check` waits for a site to answer before counting a try as timed out (default 20)."))
    archive_per_minute: int | None = field(default=None, metadata=meta(
        "Captures `links archive` asks for per minute (default 12 with BRIEFWRIGHT_ARCHIVE_KEY set, 4 without, "
        "as Save Page Now allows).", minimum=1))


@dataclass
class Settings(Record):
    KIND: ClassVar[str] = "settings"
    site_title: str = field(metadata=meta("Name of the published site."))
    organisation: str = field(metadata=meta("Publishing organisation, shown on every brief."))
    language: str = field(default="en", metadata=meta("Language tag of the content, e.g. en or en-GB."))
    paper: PaperSize = field(default=PaperSize.A4, metadata=meta("Paper size of the PDFs."))
    review_days: int = field(default=180, metadata=meta(
        "A fact whose as_of is older than this many days is reported as stale (default 180); a historical topic "
        "sets a longer interval.", minimum=1))
    currency_days: int = field(default=90, metadata=meta(
        "A brief dated more than this many days after its newest cited source prints the gap beside its date "
        "('Evidence to February 2026; not surveyed since'); `check` warns, and `check --strict` and `release` "
        "refuse, unless the brief says why in currency_note (default 90; a brief may set its own).", minimum=1))
    topic: str | None = field(default=None, metadata=meta("One line describing the topic, for the site."))
    default_marking: Marking = field(default=Marking.CLEAR, metadata=meta(
        "TLP 2.0 marking of every record that sets none (CLEAR when absent)."))
    portion_marking: PortionMarking = field(default=PortionMarking.AUTO, metadata=meta(
        "Show each portion's own marking: auto (only in briefs mixing markings), always or never."))
    private_content: list[str] = field(default_factory=list, metadata=meta(
        "Folders outside the project (e.g. ../desk-private) holding their own content/ and briefs/; their records "
        "join the project when the folder exists and are absent when it does not."))
    logo: str | None = field(default=None, metadata=meta(
        "An SVG or PNG file in the project folder: shown in the masthead of every brief and page, and the site's icon."))
    colours: Colours | None = field(default=None, metadata=meta("House colours, checked for WCAG AA contrast."))
    fonts: Fonts | None = field(default=None, metadata=meta("House fonts."))
    word_reference: str | None = field(default=None, metadata=meta(
        "A Word file (.docx) in the project folder whose styles and page setup the Word editions use, in place of "
        "the theme's reference.docx."))
    slide_layouts: SlideLayouts | None = field(default=None, metadata=meta(
        "The layout of the slide template each kind of slide uses, for a template whose layouts have other names "
        "than PowerPoint's own (Title Slide, Title and Content, Title Only)."))
    public_repository: bool = field(default=False, metadata=meta(
        "The project's own folder is published (a public git repository): every record and brief in it must be "
        "TLP:CLEAR; restricted ones belong in a private folder."))
    known_abbreviations: list[str] = field(default_factory=list, metadata=meta(
        "Words in capitals that need no glossary entry: abbreviations every reader knows (US, UK, EU) and names "
        "written in capitals (ASML, TWINSCAN). `check` does not warn on them in briefs whose audience lists its "
        "glossary terms."))
    translation_fallback: bool = field(default=False, metadata=meta(
        "Build a translated edition even where a translation is missing or stale: each such field is printed in "
        "English with a visible 'translation pending' mark (default false: the build of that language fails)."))
    audiences: list[ProjectAudience] = field(default_factory=list, metadata=meta(
        "The project's own audiences, beside the built-in five (one with a built-in id replaces it)."))
    links: Links | None = field(default=None, metadata=meta(
        "Link checking and archived copies (`briefwright links`): the archive service, whether a release needs "
        "every cited address archived, and how politely sites are asked."))


CONTENT_KINDS: dict[str, type[Record]] = {
    "sources": Source, "facts": Fact, "caveats": Caveat, "unknowns": Unknown,
    "events": Event, "charts": Chart, "judgments": Judgment, "entities": Entity, "glossary": GlossaryTerm,
}


def unwrap_optional(tp: Any) -> tuple[Any, bool]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


_HINTS: dict[type, dict[str, Any]] = {}


def hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


_FIELDS: dict[type, list[dataclasses.Field[Any]]] = {}


def record_fields(cls: type) -> list[dataclasses.Field[Any]]:
    if cls not in _FIELDS:
        _FIELDS[cls] = [f for f in dataclasses.fields(cls) if f.init]
    return _FIELDS[cls]


_PARSE_PLANS: dict[type, list[tuple[Any, ...]]] = {}


def parse_plan(cls: type) -> list[tuple[Any, ...]]:
    """Per class, once: (field, declared type, item type for lists or None, optional, required, metadata)."""
    if cls not in _PARSE_PLANS:
        plan = []
        for f in record_fields(cls):
            tp, optional = unwrap_optional(hints(cls)[f.name])
            item = typing.get_args(tp)[0] if typing.get_origin(tp) is list else None
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            plan.append((f.name, tp, item, optional, required, f.metadata))
        _PARSE_PLANS[cls] = plan
    return _PARSE_PLANS[cls]


