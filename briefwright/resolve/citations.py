"""Citations: the one place a Source becomes the words that cite it, for every output.

One function per citation style, each giving a list of Pieces (text, a title in italics, an address):

- `full`: the notes and sources lists (HTML and PDF notes, Word endnotes, the site's Sources page, `explain`);
- `short`: a footnote (HTML and PDF footnotes, Word footnotes) and a search excerpt;
- `name`: a few words and the date, where a line names several sources (a chart's source line).

`html` and `text` write Pieces out; the Word edition reads the HTML (formats/docx), so every format prints
the same words. An address with an archived copy carries it as Memento Robust Links do (`data-versionurl`,
`data-versiondate` on the link), and every note prints the copy with its date; a source marked dead
(`url_status: dead`) leads with its archived copy and says the original is gone, so a dead address never
prints as a live one. How each kind of source begins (who, what, when) is one entry of LEADS per SourceKind: a kind
added to the model without one is a KeyError on its first citation and fails tests/test_citations.py.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from briefwright.core.i18n import format_date, gettext
from briefwright.core.model import Source, SourceKind, UrlStatus


@dataclass(frozen=True)
class Piece:
    text: str
    italic: bool = False
    url: bool = False  # the text is an address, written as a link
    attrs: tuple[tuple[str, str], ...] = ()  # more attributes of that link: Robust Links' data-version*
    dead: bool = False  # an address that no longer answers (class "url dead")


def _plain(text: str) -> Piece:
    return Piece(text)


def _pages(pages: str) -> str:
    if not pages[:1].isdigit():
        return pages  # "Art. 99", "Annex III": printed as written
    return ("pp. " if any(c in pages for c in "-–,") else "p. ") + pages


def _quoted(title: str) -> Piece:
    return Piece(gettext("“%(title)s”", title=title))


def _spoken(source: Source) -> list[Piece]:
    """Who spoke (as the attribution rule allows), the subject, when, and the rule: no publisher, no address."""
    if source.person:
        who = (gettext("Interview with %(person)s", person=source.person) if source.kind is SourceKind.INTERVIEW
               else gettext("Conversation with %(person)s", person=source.person))
    else:
        who = gettext(source.kind.label)
    pieces = [Piece(who), _quoted(source.title), Piece(source.published.display())]
    if source.attribution is not None:
        pieces.append(Piece(gettext(source.attribution.label)))
    return pieces


def _by_author(title: Callable[[str], Piece]) -> Callable[[Source], list[Piece]]:
    """Author (or else publisher), title, publisher after an author, date, pages."""
    def lead(source: Source) -> list[Piece]:
        first = source.author or source.publisher
        pieces = [Piece(first)] if first else []
        pieces.append(title(source.title))
        if source.author and source.publisher:
            pieces.append(Piece(source.publisher))
        pieces.append(Piece(source.published.display()))
        if source.pages:
            pieces.append(Piece(_pages(source.pages)))
        return pieces
    return lead


def _legal(source: Source) -> list[Piece]:
    """A law or rule is known by its title and number ('Regulation (EU) 2023/956 ...'), not by its gazette:
    the title leads, in roman as legal citation sets it, then where it was published, date, article."""
    pieces = [Piece(source.title)]
    if source.author:
        pieces.append(Piece(source.author))
    if source.publisher:
        pieces.append(Piece(source.publisher))
    pieces.append(Piece(source.published.display()))
    if source.pages:
        pieces.append(Piece(_pages(source.pages)))
    return pieces


_whole = _by_author(lambda title: Piece(title, italic=True))  # a whole publication: its title in italics
_part = _by_author(_quoted)  # a page, an article, a post: its title quoted

LEADS: dict[SourceKind, Callable[[Source], list[Piece]]] = {
    SourceKind.PRIMARY: _part, SourceKind.SECONDARY: _part, SourceKind.PRESS: _part, SourceKind.SUBJECT: _part,
    SourceKind.INTERNAL: _part, SourceKind.INTERVIEW: _spoken, SourceKind.CONVERSATION: _spoken,
    SourceKind.BOOK: _whole, SourceKind.REPORT: _whole, SourceKind.DATASET: _whole, SourceKind.LEGAL: _legal,
}


def interest_text(source: Source) -> str | None:
    """Who has a stake in what the source says, as every note prints it: 'Interested party (supplier): ...'."""
    if source.interest is None:
        return None
    text = gettext("Interested party (%(interest)s)", interest=gettext(source.interest.value.replace("-", " "),
                                                                          "source interest"))
    if source.interest_note:
        text = gettext("%(label)s: %(note)s", label=text, note=source.interest_note.strip().rstrip("."))
    return text + "."


def _sentence(pieces: list[Piece]) -> list[Piece]:
    """Pieces joined by commas into one sentence."""
    out: list[Piece] = []
    for i, piece in enumerate(pieces):
        if i:
            out.append(_plain(", "))
        out.append(piece)
    return [*out, _plain(".")]


_WAYBACK_STAMP = re.compile(r"/web/(\d{8})\d*(?:[a-z]{2}_)?/")


def archived_on(source: Source) -> dt.date | None:
    """The day the archived copy was captured: `archived`, else the day in a Wayback Machine address's
    timestamp (/web/20240115093000/...); None when neither says."""
    if source.archived is not None:
        return source.archived
    match = _WAYBACK_STAMP.search(source.archived_url or "")
    if match is None:
        return None
    stamp = match.group(1)
    try:
        return dt.date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:]))
    except ValueError:
        return None


def _archived(source: Source, archive_url: str) -> list[Piece]:
    """'Archived 2026-01-03: <copy>', or 'Archived copy: <copy>' when its day is unknown; the link names the
    original it is a copy of (Robust Links: data-originalurl, data-versiondate)."""
    day = archived_on(source)
    attrs = (("data-originalurl", source.url),) if source.url else ()
    if day is None:
        return [_plain(gettext("Archived copy:") + " "), Piece(archive_url, url=True, attrs=attrs)]
    return [_plain(gettext("Archived %(date)s:", date=format_date(day)) + " "),
            Piece(archive_url, url=True, attrs=(*attrs, ("data-versiondate", day.isoformat())))]


def _address(source: Source, full: bool) -> list[Piece]:
    """The address, the day it was read (in full), and its archived copy. A dead address leads with the copy
    and is printed as gone; without a copy it says so."""
    if not source.url:
        return []
    retrieved = gettext(" (retrieved %(date)s)", date=format_date(source.retrieved)) if full and source.retrieved else ""
    copy = source.archived_url
    if source.url_status is UrlStatus.DEAD:
        if copy:
            return [_plain(" "), *_archived(source, copy), _plain(". " + gettext("Original address, no longer available:")
                                                                  + " "),
                    Piece(source.url, url=True, dead=True, attrs=_version(source)), _plain(retrieved + ".")]
        gone = gettext("No longer available; no archived copy.") if full else gettext("No longer available.")
        return [_plain(" "), Piece(source.url, url=True, dead=True), _plain(retrieved + ". " + gone)]
    if copy and not full:
        # A footnote says a copy exists and when; its address (a long one) is in the link and the full citation:
        # printed in each footnote, it pushed a two-page brief onto a third (tests/test_citations.py's sample).
        day = archived_on(source)
        said = gettext(" (archived %(date)s)", date=format_date(day)) if day else ""
        return [_plain(" "), Piece(source.url, url=True, attrs=_version(source)), _plain(said + ".")]
    pieces = [_plain(" "), Piece(source.url, url=True, attrs=_version(source)), _plain(retrieved + ".")]
    if copy:
        pieces += [_plain(" "), *_archived(source, copy), _plain(".")]
    return pieces


def _version(source: Source) -> tuple[tuple[str, str], ...]:
    """Robust Links on a link to the original: where its archived copy is, and the day it was made."""
    if not source.archived_url:
        return ()
    day = archived_on(source)
    return (("data-versionurl", source.archived_url),) + ((("data-versiondate", day.isoformat()),) if day else ())


def full(source: Source) -> list[Piece]:
    """As the notes and the sources list cite it: who, title, where, when, pages; who has a stake; the kind
    (said to the analyst needs no label: its lead says so); the analyst's note; the address with the day it
    was read, and its archived copy with the day that was made."""
    pieces = _sentence(LEADS[source.kind](source))
    if (interest := interest_text(source)) is not None:
        pieces.append(_plain(" " + interest))
    if not source.kind.spoken:
        pieces.append(_plain(" " + gettext(source.kind.label) + "."))
    if source.note:
        note = source.note.strip()
        pieces.append(_plain(" " + (note if note.endswith((".", "!", "?")) else note + ".")))
    return pieces + _address(source, full=True)


def short(source: Source) -> list[Piece]:
    """As a footnote cites it: who, title, where, when, pages, who has a stake (a reader weighs the source by
    it), the address and the day of its archived copy (a dead address: the copy itself)."""
    pieces = _sentence(LEADS[source.kind](source))
    if (interest := interest_text(source)) is not None:
        pieces.append(_plain(" " + interest))
    return pieces + _address(source, full=False)


def record(organisation: str, site: str, what: str, words: str, as_of: dt.date | None, address: str | None) -> list[Piece]:
    """A record of the desk's own site (a fact, a key judgment, an open question), as its page offers to cite it, in
    the form of a page of a whole publication: who, its words quoted, what it is, the site in italics, the day it is
    true as of, and its address (none when the site has no --base-url: a path alone is no address)."""
    quoted = words.strip() if words.endswith("\u2026") else words.strip().rstrip(".")  # a shortened quote keeps its …
    pieces = [Piece(organisation), _quoted(quoted), Piece(what), Piece(site, italic=True)]
    if as_of is not None:
        pieces.append(Piece(gettext("as of %(date)s", date=format_date(as_of))))
    out = _sentence(pieces)
    if address:
        out += [_plain(" "), Piece(address, url=True), _plain(".")]
    return out


def name(source: Source) -> str:
    """A source in a few words with its date, where a line lists several: 'Reuters (2 January 2024)',
    'Regulation (EU) 2023/956 (10 May 2023)', 'Interview with a steel trader (20 November 2026)'."""
    if source.kind.spoken:
        who = LEADS[source.kind](source)[0].text
    elif source.kind is SourceKind.LEGAL:
        who = source.short_title or source.title
    elif source.kind is SourceKind.BOOK:
        who = source.author or source.title  # a book is known by its author
    else:
        who = source.publisher or source.author or source.title
    return f"{who} ({source.published.display()})"


_URL_BREAK = re.compile(r"(?<=.)(?=[/.\-_?#%~=&])")


def url_html(url: str, attrs: tuple[tuple[str, str], ...] = (), dead: bool = False) -> str:
    """A link showing its address, with break opportunities where the Chicago Manual puts them (after '//',
    before a '/', '.', '-', '_', '?', '#', '%', '~', '=' or '&'), so print breaks a long address there and
    never hyphenates it. `attrs` are more attributes of the link (Robust Links); a dead address is of class
    "url dead"."""
    scheme, sep, rest = url.partition("://")
    shown = Markup("<wbr>").join(escape(part) for part in _URL_BREAK.split(rest))
    more = Markup("").join(Markup(' {}="{}"').format(name, value) for name, value in attrs)
    return str(Markup('<a class="{}" href="{}"{}>{}{}<wbr>{}</a>').format(
        "url dead" if dead else "url", url, more, scheme, sep, Markup(shown)))


def html(pieces: list[Piece]) -> str:
    out = Markup()
    for piece in pieces:
        if piece.url:
            out += Markup(url_html(piece.text, piece.attrs, piece.dead))
        elif piece.italic:
            out += Markup("<em>{}</em>").format(piece.text)
        else:
            out += escape(piece.text)
    return str(out)


def text(pieces: list[Piece]) -> str:
    return "".join(piece.text for piece in pieces)
