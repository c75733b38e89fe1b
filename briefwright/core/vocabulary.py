"""The content model's vocabulary: ids, the closed lists of words a record may use (each with its reader's
label), markings and their order, the ICD 203 likelihood and confidence words."""
from __future__ import annotations

import enum
import re
from typing import NewType

from briefwright.core.diagnostics import nearest

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
        return str(self.value)

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
        return str(self.value).lower().replace("+", "-")

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


