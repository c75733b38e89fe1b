"""Stage 3, resolve: one plain, JSON-ready object per brief holding everything it shows.

Rendering is a pure function of this object and the templates, so its hash keys the cache.
Caveats attached to a used fact and unknowns related to it are added here, whatever the
brief file lists: templates cannot forget them, and the render stage checks they were shown.
"""
from __future__ import annotations

import re

from . import markup
from .audiences import AUDIENCES
from .charts import CHART_KINDS
from .model import Likelihood


class _Notes:
    """Numbers sources in order of first citation within one brief."""

    def __init__(self, project):
        self.project = project
        self.order: list[str] = []

    def cite(self, source_ids) -> list[dict]:
        cites = []
        for sid in source_ids:
            first = sid not in self.order
            if first:
                self.order.append(sid)
            n = self.order.index(sid) + 1
            if all(c["n"] != n for c in cites):
                cites.append({"n": n, "id": sid, "first": first})
        return sorted(cites, key=lambda c: c["n"])

    def entries(self) -> list[dict]:
        return [source_entry(self.project.sources[sid], n) for n, sid in enumerate(self.order, 1)]


def source_entry(source, n: int | None = None) -> dict:
    return {"n": n, "id": source.id, "title": source.title, "publisher": source.publisher, "url": source.url,
            "published": str(source.published), "published_display": source.published.display(),
            "retrieved": source.retrieved.isoformat(), "kind": source.kind.value, "kind_label": source.kind.label,
            "note": source.note}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "section"


def _choice(value) -> dict | None:
    return None if value is None else {"value": value.value, "label": value.label}


def caveats_of(project, fact_id: str) -> list:
    return [c for c in project.caveats.values() if fact_id in c.applies_to]


def used_facts(project, brief) -> list[str]:
    """Every fact a brief relies on: shown, judged on, charted or behind a shown event."""
    used: list[str] = []
    for section in brief.sections:
        ids = list(section.facts)
        for jid in section.judgments:
            ids += project.judgments[jid].rests_on
        for cid in section.charts:
            ids += project.charts[cid].facts
        for eid in section.events:
            ids += project.events[eid].facts
        used += [i for i in dict.fromkeys(ids) if i not in used]
    return used


def resolve_brief(project, brief) -> dict:
    audience = AUDIENCES[brief.audience]
    notes = _Notes(project)
    facts_used = used_facts(project, brief)
    required_caveats = {}
    for fid in facts_used:
        for caveat in caveats_of(project, fid):
            required_caveats.setdefault(caveat.id, []).append(fid)
    listed_caveats = {c for s in brief.sections for c in s.caveats}
    listed_unknowns = {u for s in brief.sections for u in s.unknowns}
    inline_done: set[str] = set()

    def caveat_obj(caveat) -> dict:
        return {"id": caveat.id, "title": caveat.title, "body_html": markup.to_html(caveat.body),
                "severity": _choice(caveat.severity), "applies_to": list(caveat.applies_to),
                "cites": notes.cite(caveat.sources)}

    def fact_obj(fact) -> dict:
        obj = {"id": fact.id, "statement_html": markup.to_html(fact.statement, inline=True),
               "status": {**_choice(fact.status), "needs_label": fact.status.needs_label},
               "confidence": _choice(fact.confidence), "as_of": fact.as_of.isoformat(), "tags": list(fact.tags),
               "cites": notes.cite(fact.sources),
               "sides": [{"statement_html": markup.to_html(s.statement, inline=True), "cites": notes.cite(s.sources)}
                         for s in fact.sides],
               "quantity": None if fact.quantity is None else {
                   "value": fact.quantity.value, "unit": fact.quantity.unit,
                   "measure": fact.quantity.measure, "label": fact.quantity.label},
               "caveats": []}
        for caveat in caveats_of(project, fact.id):
            if caveat.severity in audience.inline_caveats:
                if caveat.id in inline_done:  # shown in full once per brief; later mentions point back to it
                    obj["caveats"].append({"id": caveat.id, "title": caveat.title, "ref_only": True})
                else:
                    obj["caveats"].append({**caveat_obj(caveat), "ref_only": False})
                    inline_done.add(caveat.id)
        return obj

    def judgment_obj(judgment) -> dict:
        sources = [s for fid in judgment.rests_on for s in project.facts[fid].sources]
        return {"id": judgment.id, "statement": judgment.statement,
                "likelihood": None if judgment.likelihood is None else
                {"value": judgment.likelihood.value, "range": judgment.likelihood.row},
                "confidence": _choice(judgment.confidence), "rests_on": list(judgment.rests_on),
                "basis_html": markup.to_html(judgment.basis, inline=True) if judgment.basis else None,
                "cites": notes.cite(sources)}

    def chart_obj(chart) -> dict:
        kind = CHART_KINDS[chart.kind]
        points = kind.points(chart, project)
        sources = [s for fid in chart.facts for s in project.facts[fid].sources]
        sources += [s for eid in chart.events for s in project.events[eid].sources]
        cites = notes.cite(sources)
        line = "; ".join(f"{project.sources[c['id']].publisher} ({project.sources[c['id']].published.display()})" for c in cites)
        return {"id": chart.id, "kind": chart.kind, "title": chart.title, "file": f"{chart.id}.svg", "points": points,
                "alt": chart.alt or kind.describe(chart.title, points), "source_line": "Sources: " + line,
                "caption_html": markup.to_html(chart.caption, inline=True) if chart.caption else None,
                "flagged": [p["fact"] for p in points if p.get("status") in ("claimed", "conflicting")],
                "cites": cites}

    def event_obj(event) -> dict:
        return {"id": event.id, "date": str(event.date), "date_display": event.date.display(), "title": event.title,
                "kind": _choice(event.kind), "cites": notes.cite(event.sources)}

    def unknown_obj(unknown) -> dict:
        return {"id": unknown.id, "question": unknown.question,
                "why_html": markup.to_html(unknown.why_it_matters, inline=True),
                "resolve_html": markup.to_html(unknown.would_resolve, inline=True), "facts": list(unknown.facts)}

    sections = []
    for section in brief.sections:
        sections.append({
            "id": _slug(section.title), "title": section.title,
            "intro_html": markup.to_html(section.intro) if section.intro else None,
            "judgments": [judgment_obj(project.judgments[j]) for j in section.judgments],
            "facts": [fact_obj(project.facts[f]) for f in section.facts],
            "charts": [chart_obj(project.charts[c]) for c in section.charts],
            "events": [event_obj(e) for e in sorted((project.events[e] for e in section.events), key=lambda e: (e.date, e.id))],
            "caveats": [caveat_obj(project.caveats[c]) for c in section.caveats],
            "unknowns": [unknown_obj(project.unknowns[u]) for u in section.unknowns],
        })
    seen_ids = set()
    for section in sections:
        base, n = section["id"], 2
        while section["id"] in seen_ids:
            section["id"], n = f"{base}-{n}", n + 1
        seen_ids.add(section["id"])

    # A fact shown in the body gets its inline caveats there; everything else is gathered here.
    remaining = [project.caveats[c] for c in required_caveats if c not in listed_caveats and c not in inline_done]
    severity_order = {"critical": 0, "major": 1, "minor": 2}
    remaining.sort(key=lambda c: (severity_order[c.severity.value], c.id))
    caveats_section = [caveat_obj(c) for c in remaining]

    facts_set = set(facts_used)
    unknowns_section = [unknown_obj(u) for u in project.unknowns.values()
                        if u.id not in listed_unknowns and facts_set.intersection(u.facts)]

    quantities = []
    for fid in facts_used:
        fact = project.facts[fid]
        if fact.quantity is not None:
            q = fact.quantity
            quantities.append({"fact": fid, "label": q.label, "measure": q.measure, "unit": q.unit, "value": q.value,
                               "value_display": f"{q.value:,.1f}".rstrip("0").rstrip("."),
                               "status": {**_choice(fact.status), "needs_label": fact.status.needs_label},
                               "cites": notes.cite(fact.sources)})
    changes = None
    previous = getattr(project, "previous_editions", {}).get(brief.id)
    if previous is not None:
        from .integrity import changes_since, edition_record
        changes = changes_since(previous, edition_record(project, brief))
        for item in changes["changed"] + changes["withdrawn"]:
            item["old_html"] = markup.to_html(item["old"], inline=True)
            if "new" in item:
                item["new_html"] = markup.to_html(item["new"], inline=True)
        changes["added"] = [{"id": f, "statement_html": markup.to_html(project.facts[f].statement, inline=True)}
                            for f in changes["added"]]
        changes["caveats_added"] = [{"id": c, "title": project.caveats[c].title} for c in changes["caveats_added"]]
    as_of = max((project.facts[f].as_of for f in facts_used), default=brief.date)
    settings = project.settings
    uses_likelihood = any(j["likelihood"] for s in sections for j in s["judgments"])
    return {
        "id": brief.id, "title": brief.title, "short_title": brief.short_title,
        "audience": {"id": audience.id, "label": audience.label, "notes": audience.notes},
        "template": brief.template or audience.template,
        "date": brief.date.isoformat(), "date_display": f"{brief.date.day} {brief.date:%B %Y}",
        "edition": brief.edition, "page_limit": brief.page_limit,
        "marking": {"value": brief.marking.value, "label": brief.marking.label, "css": brief.marking.css,
                    "public": brief.marking.public},
        "bottom_line_html": markup.to_html(brief.bottom_line),
        "bottom_line_text": markup.to_text(brief.bottom_line),
        "subject": brief.subject or markup.to_text(brief.bottom_line)[:200],
        "keywords": list(brief.keywords),
        "organisation": settings.organisation, "site_title": settings.site_title,
        "language": settings.language, "paper": settings.paper.value,
        "as_of": as_of.isoformat(), "as_of_display": f"{as_of.day} {as_of:%B %Y}",
        "sections": sections, "caveats_section": caveats_section, "unknowns_section": unknowns_section,
        "changes": changes, "likelihood_standard": "ICD 203",
        "uses_likelihood": uses_likelihood, "likelihood_scale": LIKELIHOOD_SCALE, "quantities": quantities,
        "notes": notes.entries(),
        "pdf": f"{brief.id}.pdf",
        "required": {
            "caveats": sorted([f, c] for c, fs in required_caveats.items() for f in fs),
            "unknowns": sorted(u["id"] for s in sections for u in s["unknowns"]) + sorted(u["id"] for u in unknowns_section),
            "labelled": sorted(f for f in facts_used if project.facts[f].status.needs_label),
        },
    }


LIKELIHOOD_SCALE = [{"terms": " or ".join(t.value for t in Likelihood if t.row == row), "range": row}
                    for row in dict.fromkeys(t.row for t in Likelihood)]


def resolve(project, only: list[str] | None = None) -> list[dict]:
    return [resolve_brief(project, b) for b in sorted(project.briefs.values(), key=lambda b: b.id)
            if not only or b.id in only]
