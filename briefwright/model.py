"""The content model: every kind of record an analyst writes, as typed classes.

Each class is a dataclass whose annotations drive parsing (with located errors), reference
checking and the JSON Schema for editors, so a field is declared in exactly one place.
"""
from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, NewType, TypeVar

from .diagnostics import Collector, Loc
from .yamlfile import YList, YMap

Id = NewType("Id", str)
Markdown = NewType("Markdown", str)
Url = NewType("Url", str)

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
URL_PATTERN = re.compile(r"^https?://[^\s<>\"']+$")


class Choice(str, enum.Enum):
    """An enumeration written in YAML by its value; `label` is how briefs show it."""

    label: str

    def __new__(cls, value: str, label: str | None = None) -> Choice:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, written: str) -> Choice:
        """The member written; raises ValueError. A class may accept other spellings (see Marking)."""
        return cls(written)

    @classmethod
    def aliases(cls) -> list[str]:
        """Other spellings `parse` accepts, for the JSON Schema."""
        return []

    @classmethod
    def refusal(cls, written: str) -> tuple[str, str]:
        """Why a value is refused and the hint: the allowed values (a class may suggest better)."""
        allowed = ", ".join(m.value for m in cls)
        return f"is not allowed; use one of: {allowed}", f"allowed: {allowed}"


class SourceKind(Choice):
    PRIMARY = "primary", "Primary source"
    SECONDARY = "secondary", "Secondary source"
    PRESS = "press", "Press report"
    SUBJECT = "subject", "Subject's own statement"
    INTERNAL = "internal", "The desk's own working, not published"
    INTERVIEW = "interview", "Interview"
    CONVERSATION = "conversation", "Conversation"
    BOOK = "book", "Book"
    REPORT = "report", "Report"
    DATASET = "dataset", "Dataset"
    LEGAL = "legal", "Legal text"

    @property
    def needs_url(self) -> bool:
        """Read online by nature: a reader must be able to follow it. Other kinds may exist only on paper,
        in a database or in the analyst's notes, and take a url only where one exists."""
        return self in (SourceKind.PRIMARY, SourceKind.SECONDARY, SourceKind.PRESS, SourceKind.SUBJECT)

    @property
    def spoken(self) -> bool:
        """Said to the analyst, not published: it has a person and an attribution rule, no publisher or address."""
        return self in (SourceKind.INTERVIEW, SourceKind.CONVERSATION)


class UrlStatus(Choice):
    """Whether a source's address still answers, as `links check --mark-dead` or an analyst records it."""

    LIVE = "live", "live"
    DEAD = "dead", "no longer available"


class Interest(Choice):
    """Who has a stake in what a source says; the notes print it beside the source."""

    SUBJECT = "subject", "the subject"
    SUPPLIER = "supplier", "a supplier"
    CUSTOMER = "customer", "a customer"
    COMPETITOR = "competitor", "a competitor"
    GOVERNMENT = "government", "a government"
    FUNDED_BY = "funded-by", "funded by an interested party"
    ADVOCATE = "advocate", "an advocate"


class EntityKind(Choice):
    ORGANISATION = "organisation", "Organisation"
    PERSON = "person", "Person"

    @classmethod
    def parse(cls, written: str) -> EntityKind:
        # The US spelling is what many analysts type; it means the same thing.
        return cls("organisation" if written == "organization" else written)

    @classmethod
    def aliases(cls) -> list[str]:
        return ["organization"]


class Attribution(Choice):
    ON_RECORD = "on-record", "on the record"
    NOT_FOR_ATTRIBUTION = "not-for-attribution", "not for attribution"
    BACKGROUND = "background", "on background"
    CHATHAM_HOUSE = "chatham-house", "under the Chatham House Rule"


class Status(Choice):
    CONFIRMED = "confirmed", "Confirmed"
    REPORTED = "reported", "Reported"
    CLAIMED = "claimed", "Claimed by the subject, not verified"
    CONFLICTING = "conflicting", "Sources conflict"
    ESTIMATED = "estimated", "The desk's estimate, not a measurement"

    @property
    def needs_label(self) -> bool:
        """Not established by a source: shown with its label wherever it appears, hatched in charts."""
        return self in (Status.CLAIMED, Status.CONFLICTING, Status.ESTIMATED)

    @property
    def chart_tag(self) -> str:
        """The word a chart prints beside a value that needs a label."""
        return {Status.ESTIMATED: "estimate", Status.CONFLICTING: "disputed"}.get(self, "claimed")


class Confidence(Choice):
    HIGH = "high", "High confidence"
    MODERATE = "moderate", "Moderate confidence"
    LOW = "low", "Low confidence"


class Severity(Choice):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class Marking(Choice):
    """Traffic Light Protocol 2.0 labels (FIRST, 2022)."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"

    @property
    def css(self) -> str:
        return self.value.lower().replace("+", "-")

    _rank: int  # set once below, in declaration order

    @property
    def rank(self) -> int:
        """Position from least to most restricted: a channel may carry every marking up to its own."""
        return self._rank

    @property
    def public(self) -> bool:
        # TLP 2.0: only CLEAR may go to publicly accessible channels; GREEN stays within a community.
        return self is Marking.CLEAR

    def allowed_in(self, channel: Marking) -> bool:
        return self.rank <= channel.rank

    @classmethod
    def parse(cls, written: str) -> Marking:
        # Briefs print the label with its prefix (TLP:AMBER), so an analyst copies it that way.
        return cls(written.removeprefix("TLP:") if isinstance(written, str) else written)

    @classmethod
    def aliases(cls) -> list[str]:
        return [m.label for m in cls]

    @classmethod
    def refusal(cls, written: str) -> tuple[str, str]:
        message, hint = super().refusal(written)
        if str(written).upper().removeprefix("TLP:") == "WHITE":
            message += " (TLP 2.0 renamed WHITE to CLEAR)"
        return message, hint


for _position, _marking in enumerate(Marking):  # asked for hundreds of thousands of times by the marking checks
    _marking._rank = _position


class EventKind(Choice):
    ANNOUNCEMENT = "announcement", "Announcement"
    RULE = "rule", "Rule or regulation"
    LISTING = "listing", "Entity List action"
    MARKET = "market", "Market or trade measure"
    REPORT = "report", "Report"
    OTHER = "other", "Other"


class Likelihood(Choice):
    """ICD 203 likelihood terms; each row has a term and its alternative."""

    ALMOST_NO_CHANCE = "almost no chance", "1-5%"
    REMOTE = "remote", "1-5%"
    VERY_UNLIKELY = "very unlikely", "5-20%"
    HIGHLY_IMPROBABLE = "highly improbable", "5-20%"
    UNLIKELY = "unlikely", "20-45%"
    IMPROBABLE = "improbable", "20-45%"
    ROUGHLY_EVEN_CHANCE = "roughly even chance", "45-55%"
    ROUGHLY_EVEN_ODDS = "roughly even odds", "45-55%"
    LIKELY = "likely", "55-80%"
    PROBABLE = "probable", "55-80%"
    VERY_LIKELY = "very likely", "80-95%"
    HIGHLY_PROBABLE = "highly probable", "80-95%"
    ALMOST_CERTAIN = "almost certain", "95-99%"
    NEARLY_CERTAIN = "nearly certain", "95-99%"

    @property
    def row(self) -> str:
        return self.label  # the probability range identifies the row

    @classmethod
    def scale(cls) -> str:
        """The ICD 203 rows in one line: 'almost no chance or remote (1-5%); ...'."""
        rows: dict[str, list[str]] = {}
        for term in cls:
            rows.setdefault(term.row, []).append(term.value)
        return "; ".join(f"{' or '.join(terms)} ({row})" for row, terms in rows.items())

    @classmethod
    def suggest(cls, written: str) -> list[str]:
        """The nearest ICD 203 terms to a word or phrase that is not one of them."""
        key = " ".join(str(written).lower().split())
        if key in HEDGES:
            return list(HEDGES[key])
        return nearest(key, [t.value for t in cls], limit=2)

    @classmethod
    def refusal(cls, written: str) -> tuple[str, str]:
        close = cls.suggest(written)
        mean = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return f"is not an ICD 203 likelihood term{mean}", f"ICD 203 terms: {cls.scale()}"


# Hedges analysts write that are not ICD 203 terms, with the nearest terms (ICD 203 rows; for the UK's
# "realistic possibility", 25-50% in the PHIA yardstick, the rows either side of it).
HEDGES: dict[str, tuple[str, ...]] = {
    "probably": ("likely", "probable"),
    # A negation turns the hedge over: "probably not" is the unlikely row, never the likely one.
    "probably not": ("unlikely", "improbable"),
    "likely not": ("unlikely", "improbable"),
    "not likely": ("unlikely", "improbable"),
    "not probable": ("unlikely", "improbable"),
    "almost certainly not": ("almost no chance", "remote"),
    "certainly not": ("almost no chance", "remote"),
    "highly likely": ("very likely", "highly probable"),
    "very probable": ("very likely", "highly probable"),
    "highly unlikely": ("very unlikely", "highly improbable"),
    "very improbable": ("very unlikely", "highly improbable"),
    "almost certainly": ("almost certain", "nearly certain"),
    "certainly": ("almost certain", "nearly certain"),
    "real possibility": ("unlikely", "roughly even chance"),
    "realistic possibility": ("unlikely", "roughly even chance"),
    "possibly": ("unlikely", "roughly even chance"),
    "possible": ("unlikely", "roughly even chance"),
    "perhaps": ("unlikely", "roughly even chance"),
    "maybe": ("unlikely", "roughly even chance"),
    "even chance": ("roughly even chance", "roughly even odds"),
    "fifty-fifty": ("roughly even chance", "roughly even odds"),
    "little chance": ("very unlikely", "highly improbable"),
    "slight chance": ("very unlikely", "highly improbable"),
    "no chance": ("almost no chance", "remote"),
    "doubtful": ("unlikely", "improbable"),
    # Modal verbs state that something can happen, not how likely it is.
    "may": ("likely", "unlikely"),
    "might": ("likely", "unlikely"),
    "could": ("likely", "unlikely"),
}
MODAL_HEDGES = frozenset({"may", "might", "could"})


class NotesPolicy(Choice):
    FOOTNOTES = "footnotes", "Footnotes at the foot of the page in print"
    ENDNOTES = "endnotes", "Endnotes in a Sources section"


class SectionPart(Choice):
    """The kinds of item a section shows; an audience prints them in its own order."""

    JUDGMENTS = "judgments"
    FACTS = "facts"
    CHARTS = "charts"
    EVENTS = "events"
    CAVEATS = "caveats"
    UNKNOWNS = "unknowns"


class PortionMarking(Choice):
    AUTO = "auto", "Only in briefs whose portions carry different markings"
    ALWAYS = "always", "In every brief"
    NEVER = "never", "Never (the banner still shows the brief's marking)"


class LegendForm(Choice):
    """How print and Word show the ICD 203 likelihood legend under a brief's judgments."""

    FULL = "full", "Every term of the scale with its range"
    LINE = "line", "One line: the terms the brief's judgments use, with their ranges"


class PaperSize(Choice):
    A4 = "A4"
    LETTER = "Letter"


class PartialDate(str):
    """A date known to the year, month or day: '2025', '2025-08' or '2025-08-14'."""

    _pattern = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

    @classmethod
    def parse(cls, value: Any) -> PartialDate | None:
        if isinstance(value, dt.datetime):
            return None
        if isinstance(value, dt.date):
            return cls(value.isoformat())
        if isinstance(value, int) and 1000 <= value <= 9999:
            return cls(str(value))
        if not isinstance(value, str) or not (m := cls._pattern.match(value)):
            return None
        year, month, day = (int(g) if g else None for g in m.groups())
        try:
            dt.date(year or 1, month or 1, day or 1)  # the pattern always captures a year
        except ValueError:
            return None
        return cls(value)

    @property
    def sort_key(self) -> str:
        return self

    def as_date(self) -> dt.date:
        parts = [int(p) for p in self.split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])

    def latest_day(self) -> dt.date:
        """The last day it may stand for: '2026-01' may be any day of January, so up to the 31st."""
        first = self.as_date()
        if self.count("-") == 2:
            return first
        if self.count("-") == 1:
            following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(first.year, 12, 31)

    def reach(self) -> tuple[dt.date, int]:
        """How far it reaches, to compare dates: of a month and a day within it, the month (it may run past the day)."""
        return self.latest_day(), -self.count("-")

    @classmethod
    def newest(cls, dates: Iterable[PartialDate]) -> PartialDate | None:
        """The one reaching furthest."""
        return max(dates, key=PartialDate.reach, default=None)

    def display(self) -> str:
        from .i18n import format_partial  # in the language of the edition being made (English by default)
        return format_partial(self)


def date_display(day: dt.date) -> str:
    """A full date as briefs print it: 14 January 2026."""
    return f"{day.day} {day:%B %Y}"


class ForecastWindow(str):
    """The period a forecast covers, as an ISO 8601 interval of two full dates: '2026-01-14/2027-01-14'."""

    _pattern = re.compile(r"^\s*(\S+?)\s*/\s*(\S+?)\s*$")
    _day = re.compile(r"^\d{4}-\d{2}-\d{2}$")

    @classmethod
    def parse(cls, value: Any) -> tuple[ForecastWindow | None, str]:
        """The window written, or None and why it is refused (a phrase following the value)."""
        example = "write it as start/end, two full dates, e.g. 2026-01-14/2027-01-14"
        if isinstance(value, dt.date):
            return None, f"is one date, not a window; {example}"
        if not isinstance(value, str) or not (m := cls._pattern.match(value)):
            return None, f"is not a forecast window; {example}"
        ends = []
        for name, part in zip(("start", "end"), m.groups(), strict=True):
            if not cls._day.match(part):
                partial = PartialDate.parse(part) is not None
                why = "is not a full date" if partial else "is not a date"
                return None, f"has {name} '{part}', which {why} (YYYY-MM-DD); {example}"
            try:
                ends.append(dt.date.fromisoformat(part))
            except ValueError:
                return None, f"has {name} '{part}', which is not a date in the calendar; {example}"
        start, end = ends
        if start > end:
            return None, f"starts ({start}) after it ends ({end}); put the earlier date first"
        return cls(f"{start.isoformat()}/{end.isoformat()}"), ""

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.partition("/")[0])

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.partition("/")[2])

    def display(self) -> str:
        return f"{date_display(self.start)} \u2013 {date_display(self.end)}"


def meta(doc: str, ref: str | None = None, **extra: Any) -> dict:
    return {"doc": doc, "ref": ref, **extra}


@dataclass
class Record:
    """Base for every content record: keeps where each field was written."""

    KIND: ClassVar[str] = ""
    if TYPE_CHECKING:
        id: str  # every record but Settings declares it; typed here so loaders can index by it
    loc: Loc = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]  # set by parse_record
    field_locs: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    item_locs: dict = field(default_factory=dict, init=False, repr=False, compare=False)

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
    TYPED_NUMBER_FIELDS: ClassVar[tuple] = ("values", "value", "data", "numbers", "points", "series")
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


def _type_name(tp: Any) -> str:
    names = {str: "text", int: "whole number", float: "number", bool: "true or false",
             dt.date: "date (YYYY-MM-DD)", PartialDate: "date (YYYY, YYYY-MM or YYYY-MM-DD)",
             ForecastWindow: "forecast window (YYYY-MM-DD/YYYY-MM-DD)",
             Id: "id", Markdown: "Markdown text", Url: "URL"}
    if isinstance(tp, type) and issubclass(tp, Choice):
        return "one of " + ", ".join(m.value for m in tp)
    if isinstance(tp, type) and issubclass(tp, Record):
        return "a mapping of fields"
    return names.get(tp, getattr(tp, "__name__", str(tp)))


def _describe(value: Any) -> str:
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    return repr(value) if isinstance(value, str) else f"'{value}'"


def unwrap_optional(tp):
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


_HINTS: dict = {}


def hints(cls: type) -> dict:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


_FIELDS: dict = {}


def record_fields(cls: type) -> list[dataclasses.Field]:
    if cls not in _FIELDS:
        _FIELDS[cls] = [f for f in dataclasses.fields(cls) if f.init]
    return _FIELDS[cls]


_PARSE_PLANS: dict = {}


def parse_plan(cls: type) -> list:
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


def _read_as(value: Any) -> str | None:
    """What YAML made of an unquoted word that is not text, in a reader's words."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return "a date"
    if value is None:
        return "nothing (null)"
    return None


def _scalar(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None = None) -> Any:
    """Convert one YAML value to the declared type, or report why it cannot be. `written` is the value as
    typed when YAML read it as something other than text (a boolean, a date, a number)."""
    if tp is Id:
        if written is not None and not isinstance(value, bool) and ID_PATTERN.match(written):
            value = written  # an id is always text: `id: 2024` is the id '2024'
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            out.error(loc, f"{what}: {_describe(value)} is not a valid id (lower-case letters, digits and hyphens, at most 64 characters)")
            return None
        return Id(value)
    if tp in (str, Markdown):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = written if written is not None else str(value)  # as typed: 1.10 stays 1.10
        if not isinstance(value, str):
            read_as = _read_as(value)
            if written is not None and read_as is not None:
                out.error(loc, f"{what}: expected text, found {written}, which YAML reads as {read_as}; "
                          f"quote it: \"{written}\"")
            else:
                out.error(loc, f"{what}: expected {_type_name(tp)}, found {_describe(value)}")
            return None
        if not value.strip():
            out.error(loc, f"{what}: must not be empty")
            return None
        return value
    if tp is Url:
        if not isinstance(value, str) or not URL_PATTERN.match(value):
            out.error(loc, f"{what}: {_describe(value)} is not an http or https URL")
            return None
        return Url(value)
    if tp is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)  # a quoted date is still a date
            except ValueError:
                pass
        out.error(loc, f"{what}: {_describe(value)} is not a date (YYYY-MM-DD)")
        return None
    if tp is PartialDate:
        parsed = PartialDate.parse(value)
        if parsed is None:
            out.error(loc, f"{what}: {_describe(value)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return parsed
    if tp is ForecastWindow:
        window, why = ForecastWindow.parse(value)
        if window is None:
            out.error(loc, f"{what}: {repr(written) if written is not None else _describe(value)} {why}")
        return window
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            out.error(loc, f"{what}: expected a whole number, found {_describe(value)}")
            return None
        if "minimum" in spec and value < spec["minimum"]:
            out.error(loc, f"{what}: must be at least {spec['minimum']}, found {value}")
            return None
        return value
    if tp is bool:
        if not isinstance(value, bool):
            out.error(loc, f"{what}: expected true or false, found {_describe(value)}")
            return None
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
            out.error(loc, f"{what}: expected a number, found {_describe(value)}")
            return None
        return float(value)
    if isinstance(tp, type) and issubclass(tp, Choice):
        try:
            return tp.parse(written if written is not None else value)
        except ValueError:
            refusal, hint = tp.refusal(written if written is not None else str(value))
            out.error(loc, f"{what}: {_describe(value)} {refusal}", hint=hint)
            return None
    if isinstance(tp, type) and issubclass(tp, Record):
        if not isinstance(value, YMap):
            out.error(loc, f"{what}: expected a mapping of fields, found {_describe(value)}")
            return None
        return parse_record(tp, value, out)
    raise TypeError(f"no parser for {tp}")  # a model declaration error, not a content error


R = TypeVar("R", bound=Record)


_KNOWN: dict = {}  # per class, once: the names of its fields


def parse_record(cls: type[R], data: YMap, out: Collector) -> R | None:
    """Build one record from a located mapping, reporting every problem with its location."""
    kwargs: dict = {}
    field_locs: dict = {}
    item_locs: dict = {}
    ok = True
    # "unknown field ..." would read as a field nobody knows: an Unknown is named for what it is
    label = "open question" if cls.KIND == "unknown" else getattr(cls, "LABEL", "") or cls.KIND or cls.__name__.lower()
    known = _KNOWN.get(cls) or _KNOWN.setdefault(cls, frozenset(name for name, *_ in parse_plan(cls)))
    for key in data:
        if key not in known and key in getattr(cls, "TYPED_NUMBER_FIELDS", ()):
            out.error(data.key_locs[key], f"unknown field '{key}' in {label}: {label}s take numbers only from facts' "
                      "quantities; list the facts under 'facts'")
            ok = False
        elif key not in known:
            close = sorted(known, key=lambda k: (_distance(k, key), k))[:1]
            hint = f"did you mean '{close[0]}'?" if close and _distance(close[0], key) <= 3 else None
            out.error(data.key_locs[key], f"unknown field '{key}' in {label}" + (f" (did you mean '{close[0]}'?)" if hint else ""),
                      hint=hint or "fields: " + ", ".join(sorted(known)))
            ok = False
    for name, tp, item_tp, optional, required, spec in parse_plan(cls):
        if tp is Url and optional and isinstance(data.get(name), str) and not data[name].strip():
            continue  # `url: ""`: there is none
        if name not in data or data[name] is None:
            if required:
                where = data.key_locs.get(name, data.loc)
                out.error(where, f"{label} is missing required field '{name}'")
                ok = False
            continue
        value = data[name]
        loc = data.value_locs[name]
        field_locs[name] = loc
        what = f"{label} field '{name}'"
        if item_tp is not None:
            if not isinstance(value, YList):
                out.error(loc, f"{what}: expected a list, found {_describe(value)}")
                ok = False
                continue
            if len(value) < spec.get("min_items", 0):
                out.error(loc, f"{what}: needs at least {spec['min_items']} item{'s' if spec['min_items'] > 1 else ''}")
                ok = False
                continue
            items = []
            for i, item in enumerate(value):
                converted = _scalar(item_tp, item, value.item_locs[i], out, what, spec, value.written.get(i))
                if converted is None:
                    ok = False
                items.append(converted)
            kwargs[name] = items
            item_locs[name] = list(value.item_locs)
        else:
            converted = _scalar(tp, value, loc, out, what, spec, data.written.get(name))
            if converted is None:
                ok = False
            kwargs[name] = converted
    if not ok:
        return None
    record = cls(**kwargs)
    record.loc = data.loc
    record.field_locs = field_locs
    record.item_locs = item_locs
    return record


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def nearest(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    ranked = sorted(candidates, key=lambda c: (_distance(word, c), c))
    return [c for c in ranked[:limit] if _distance(word, c) <= max(3, len(word) // 2)]
