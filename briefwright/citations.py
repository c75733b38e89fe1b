"""Citations: the one place a Source becomes the words that cite it, for every output.

One function per citation style, each giving a list of Pieces (text, a title in italics, an address):

- `full`: the notes and sources lists (HTML and PDF notes, Word endnotes, the site's Sources page, `explain`);
- `short`: a footnote (HTML and PDF footnotes, Word footnotes) and a search excerpt;
- `name`: a few words and the date, where a line names several sources (a chart's source line).

`html` and `text` write Pieces out; the Word edition reads the HTML (formats/docx), so every format prints
the same words. How each kind of source begins (who, what, when) is one entry of LEADS per SourceKind: a kind
added to the model without one is a KeyError on its first citation and fails tests/test_citations.py.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from .i18n import format_date, gettext
from .model import Source, SourceKind


@dataclass(frozen=True)
class Piece:
    text: str
    italic: bool = False
    url: bool = False  # the text is an address, written as a link


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


def _address(source: Source, full: bool) -> list[Piece]:
    if not source.url:
        return []
    pieces = [_plain(" "), Piece(source.url, url=True)]
    if full and source.retrieved:
        pieces.append(_plain(gettext(" (retrieved %(date)s)", date=format_date(source.retrieved))))  # the page's date style
    return [*pieces, _plain(".")]


def full(source: Source) -> list[Piece]:
    """As the notes and the sources list cite it: who, title, where, when, pages; who has a stake; the kind
    (said to the analyst needs no label: its lead says so); the analyst's note; the address with the day it
    was read; an archived copy."""
    pieces = _sentence(LEADS[source.kind](source))
    if (interest := interest_text(source)) is not None:
        pieces.append(_plain(" " + interest))
    if not source.kind.spoken:
        pieces.append(_plain(" " + gettext(source.kind.label) + "."))
    if source.note:
        note = source.note.strip()
        pieces.append(_plain(" " + (note if note.endswith((".", "!", "?")) else note + ".")))
    pieces += _address(source, full=True)
    if source.archived_url:
        pieces += [_plain(" " + gettext("Archived copy:") + " "), Piece(source.archived_url, url=True), _plain(".")]
    return pieces


def short(source: Source) -> list[Piece]:
    """As a footnote cites it: who, title, where, when, pages, who has a stake (a reader weighs the source by
    it), the address."""
    pieces = _sentence(LEADS[source.kind](source))
    if (interest := interest_text(source)) is not None:
        pieces.append(_plain(" " + interest))
    return pieces + _address(source, full=False)


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


def url_html(url: str) -> str:
    """A link showing its address, with break opportunities where the Chicago Manual puts them (after '//',
    before a '/', '.', '-', '_', '?', '#', '%', '~', '=' or '&'), so print breaks a long address there and
    never hyphenates it."""
    scheme, sep, rest = url.partition("://")
    shown = Markup("<wbr>").join(escape(part) for part in _URL_BREAK.split(rest))
    return str(Markup('<a class="url" href="{}">{}{}<wbr>{}</a>').format(url, scheme, sep, Markup(shown)))


def html(pieces: list[Piece]) -> str:
    out = Markup()
    for piece in pieces:
        if piece.url:
            out += Markup(url_html(piece.text))
        elif piece.italic:
            out += Markup("<em>{}</em>").format(piece.text)
        else:
            out += escape(piece.text)
    return str(out)


def text(pieces: list[Piece]) -> str:
    return "".join(piece.text for piece in pieces)
