"""Records as template data: the one place a Source, Fact, Unknown or Event becomes a plain dict.

Briefs (resolve) and site pages (publish) start from these and add what they need (citations,
the briefs that use a fact), so a field shown in both is shown the same way.
"""
from __future__ import annotations

import json
from typing import Any

from briefwright.core import markup
from briefwright.core.i18n import format_date, gettext
from briefwright.core.model import Caveat, Choice, Event, Fact, Interest, Marking, Source, Status, Unknown
from briefwright.resolve import citations


def choice(value: Choice | None) -> dict[str, Any] | None:
    """A choice and its label in the language of the edition being resolved (TLP markings: marking_data)."""
    return None if value is None else {"value": value.value, "label": gettext(value.label)}


def marking_data(marking: Marking) -> dict[str, Any]:
    return {"value": marking.value, "label": marking.label, "css": marking.css}


def number_display(value: float) -> str:
    """A quantity as a reader sees it: thousands separated, at most one decimal, no trailing zero."""
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def source_data(source: Source) -> dict[str, Any]:
    return {"id": source.id, "title": source.title, "publisher": source.publisher, "url": source.url,
            "published": str(source.published), "published_display": source.published.display(),
            "retrieved": source.retrieved.isoformat() if source.retrieved else None,
            "kind": source.kind.value, "kind_label": gettext(source.kind.label), "note": source.note,
            "author": source.author, "pages": source.pages, "archived_url": source.archived_url,
            "archived": (day := citations.archived_on(source)) and day.isoformat(),
            "url_status": source.url_status.value if source.url_status else None,
            "person": source.person, "attribution": choice(source.attribution),
            "interest": choice(source.interest), "interest_note": source.interest_note,
            "short_title": source.short_title, "interest_text": citations.interest_text(source),
            "citation_html": citations.html(citations.full(source)),
            "short_citation_html": citations.html(citations.short(source)), "citation_text": citations.text(citations.short(source))}


SUPPLIER_CLAIM = "Claimed by the supplier, not verified"


def status_data(fact: Fact, sources: dict[str, Source] | None = None) -> dict[str, Any]:
    """The fact's status as every format labels it. A claim whose every source is the subject's supplier
    (interest: supplier) is the supplier's claim, and says so: it is no more verified than the subject's."""
    label = fact.status.label
    if fact.status is Status.CLAIMED and sources is not None:
        interests = {sources[s].interest for s in fact.sources if s in sources}
        if interests == {Interest.SUPPLIER}:
            label = SUPPLIER_CLAIM
    return {"value": fact.status.value, "label": gettext(label), "needs_label": fact.status.needs_label}


def fact_data(fact: Fact, sources: dict[str, Source] | None = None) -> dict[str, Any]:
    return {"id": fact.id, "statement_html": markup.to_html(fact.statement, inline=True),
            "status": status_data(fact, sources), "confidence": choice(fact.confidence),
            "as_of": fact.as_of.isoformat(), "as_of_display": format_date(fact.as_of), "tags": list(fact.tags),
            "sources": list(fact.sources),
            "sides": [{"statement_html": markup.to_html(s.statement, inline=True), "sources": list(s.sources)}
                      for s in fact.sides],
            "quantity": None if fact.quantity is None else {
                "value": fact.quantity.value, "unit": fact.quantity.unit,
                "measure": fact.quantity.measure, "label": fact.quantity.label}}


def caveat_data(caveat: Caveat) -> dict[str, Any]:
    return {"id": caveat.id, "title": caveat.title, "body_html": markup.to_html(caveat.body),
            "severity": choice(caveat.severity), "applies_to": list(caveat.applies_to),
            "sources": list(caveat.sources)}


def unknown_data(unknown: Unknown) -> dict[str, Any]:
    return {"id": unknown.id, "question": unknown.question,
            "why_html": markup.to_html(unknown.why_it_matters, inline=True),
            "resolve_html": markup.to_html(unknown.would_resolve, inline=True), "facts": list(unknown.facts)}


def event_data(event: Event) -> dict[str, Any]:
    return {"id": event.id, "date": str(event.date), "date_display": event.date.display(), "title": event.title,
            "kind": choice(event.kind), "sources": list(event.sources)}


def short_text(text: str, limit: int = 80) -> str:
    """Plain text shortened to name the record it comes from (a fact has no title): whole if it fits, else cut at the
    last space before `limit` characters (or at the limit, in a script without spaces) with an ellipsis. A pending
    translation's marks (translations.PENDING_START, _END) are kept in pairs."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    cut = (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.\u2013\u2014")
    if cut.count("\ue000") > cut.count("\ue001"):
        cut += "\ue001"
    return cut + "\u2026"


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>', '&' or line separators survive literally."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text
