"""Records as template data: the one place a Source, Fact, Unknown or Event becomes a plain dict.

Briefs (resolve) and site pages (publish) start from these and add what they need (citations,
the briefs that use a fact), so a field shown in both is shown the same way.
"""
from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape

from . import markup
from .i18n import gettext
from .model import Caveat, Choice, Event, Fact, Interest, Marking, Source, Status, Unknown


def choice(value: Choice | None) -> dict | None:
    return None if value is None else {"value": value.value, "label": value.label}


def marking_data(marking: Marking) -> dict:
    return {"value": marking.value, "label": marking.label, "css": marking.css}


def number_display(value: float) -> str:
    """A quantity as a reader sees it: thousands separated, at most one decimal, no trailing zero."""
    return f"{value:,.1f}".rstrip("0").rstrip(".")


_URL_BREAK = re.compile(r"(?<=.)(?=[/.\-_?#%~=&])")


def url_html(url: str) -> str:
    """A link showing its address, with break opportunities where the Chicago Manual puts them (after '//',
    before a '/', '.', '-', '_', '?', '#', '%', '~', '=' or '&'), so print breaks a long address there and
    never hyphenates it."""
    scheme, sep, rest = url.partition("://")
    shown = Markup("<wbr>").join(escape(part) for part in _URL_BREAK.split(rest))
    return str(Markup('<a class="url" href="{}">{}{}<wbr>{}</a>').format(url, scheme, sep, Markup(shown)))


def _pages(pages: str) -> str:
    if not pages[:1].isdigit():
        return pages  # "Art. 99", "Annex III": printed as written
    return ("pp. " if any(c in pages for c in "-–,") else "p. ") + pages


def source_name(source: Source) -> str:
    """Who a source is, in a few words, for a chart's source line."""
    if source.kind.spoken:
        return source.kind.label + (f" with {source.person}" if source.person else "")
    return source.publisher or source.author or source.title


def interest_text(source: Source) -> str | None:
    """Who has a stake in what the source says, as every note prints it: 'Interested party (supplier): ...'."""
    if source.interest is None:
        return None
    from .i18n import gettext  # the language of the edition being resolved
    text = gettext("Interested party (%(interest)s)", interest=gettext(source.interest.value.replace("-", " "), "source interest"))
    if source.interest_note:
        text = gettext("%(label)s: %(note)s", label=text, note=source.interest_note.strip().rstrip("."))
    return text + "."


def citation_html(source: Source, full: bool = True) -> str:
    """A source as the notes cite it, in one style for every kind: who, title, publisher, date, pages, then
    (in full) the kind, the note, the address with the day it was read, and an archived copy. A short
    citation (footnotes) stops after the address. Titles of whole publications are set in italics."""
    title = Markup("<em>{}</em>") if source.kind.standalone else Markup("“{}”")
    title = title.format(source.title)
    parts: list = []
    if source.kind.spoken:
        parts += [source.kind.label + (f" with {source.person}" if source.person else ""), title,
                  source.published.display()]
        if source.attribution is not None:
            parts.append(source.attribution.label)
    else:
        parts += [p for p in (source.author or source.publisher, title) if p]
        if source.author and source.publisher:
            parts.append(source.publisher)
        parts.append(source.published.display())
        if source.pages:
            parts.append(_pages(source.pages))
    html = Markup(", ").join(escape(p) for p in parts) + "."
    if (interest := interest_text(source)) is not None:  # short notes too: a reader weighs the source by it
        html += " " + escape(interest)
    if full and not source.kind.spoken:
        html += " " + escape(gettext(source.kind.label)) + "."
    if full and source.note:
        note = source.note.strip()
        html += " " + escape(note if note.endswith((".", "!", "?")) else note + ".")
    if source.url:
        html += " " + Markup(url_html(source.url))
        if full and source.retrieved:
            html += escape(gettext(" (retrieved %(date)s)", date=source.retrieved.isoformat()))
        html += "."
    if full and source.archived_url:
        html += " " + escape(gettext("Archived copy:")) + " " + Markup(url_html(source.archived_url)) + "."
    return str(html)


def source_data(source: Source) -> dict:
    return {"id": source.id, "title": source.title, "publisher": source.publisher, "url": source.url,
            "published": str(source.published), "published_display": source.published.display(),
            "retrieved": source.retrieved.isoformat() if source.retrieved else None,
            "kind": source.kind.value, "kind_label": source.kind.label, "note": source.note,
            "author": source.author, "pages": source.pages, "archived_url": source.archived_url,
            "person": source.person, "attribution": choice(source.attribution),
            "interest": choice(source.interest), "interest_note": source.interest_note,
            "interest_text": interest_text(source),
            "citation_html": citation_html(source), "short_citation_html": citation_html(source, full=False)}


SUPPLIER_CLAIM = "Claimed by the supplier, not verified"


def status_data(fact: Fact, sources: dict[str, Source] | None = None) -> dict:
    """The fact's status as every format labels it. A claim whose every source is the subject's supplier
    (interest: supplier) is the supplier's claim, and says so: it is no more verified than the subject's."""
    label = fact.status.label
    if fact.status is Status.CLAIMED and sources is not None:
        interests = {sources[s].interest for s in fact.sources if s in sources}
        if interests == {Interest.SUPPLIER}:
            label = SUPPLIER_CLAIM
    return {"value": fact.status.value, "label": label, "needs_label": fact.status.needs_label}


def fact_data(fact: Fact, sources: dict[str, Source] | None = None) -> dict:
    return {"id": fact.id, "statement_html": markup.to_html(fact.statement, inline=True),
            "status": status_data(fact, sources), "confidence": choice(fact.confidence),
            "as_of": fact.as_of.isoformat(), "tags": list(fact.tags), "sources": list(fact.sources),
            "sides": [{"statement_html": markup.to_html(s.statement, inline=True), "sources": list(s.sources)}
                      for s in fact.sides],
            "quantity": None if fact.quantity is None else {
                "value": fact.quantity.value, "unit": fact.quantity.unit,
                "measure": fact.quantity.measure, "label": fact.quantity.label}}


def caveat_data(caveat: Caveat) -> dict:
    return {"id": caveat.id, "title": caveat.title, "body_html": markup.to_html(caveat.body),
            "severity": choice(caveat.severity), "applies_to": list(caveat.applies_to),
            "sources": list(caveat.sources)}


def unknown_data(unknown: Unknown) -> dict:
    return {"id": unknown.id, "question": unknown.question,
            "why_html": markup.to_html(unknown.why_it_matters, inline=True),
            "resolve_html": markup.to_html(unknown.would_resolve, inline=True), "facts": list(unknown.facts)}


def event_data(event: Event) -> dict:
    return {"id": event.id, "date": str(event.date), "date_display": event.date.display(), "title": event.title,
            "kind": choice(event.kind), "sources": list(event.sources)}


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>', '&' or line separators survive literally."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text
