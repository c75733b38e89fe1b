"""Stage 5, publish: the site's own pages around the briefs: index, facts, sources, unknowns,
timeline, analytic terms, search, Atom feed, sitemap and 404. Every link is relative, so the
site works under a project path on GitHub Pages and from file://."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment

from briefwright.check.theme import icon_asset, logo_asset
from briefwright.core.markup import to_text
from briefwright.core.model import Confidence, Marking
from briefwright.render.page import channel_notice, mark_safe
from briefwright.resolve import citations
from briefwright.resolve.present import event_data, fact_data, short_text, source_data, unknown_data
from briefwright.resolve.resolver import LIKELIHOOD_SCALE
from briefwright.site.permalinks import PER_PAGE, listing_pages, record_pages, render_marked, sitemap_paths
from briefwright.source.project import Project

TLP_MEANING = {
    Marking.CLEAR: "No limit on disclosure.",
    Marking.GREEN: "The community of the recipient, not public channels.",
    Marking.AMBER: "The recipient's organisation and its clients who need to know.",
    Marking.AMBER_STRICT: "The recipient's organisation only.",
    Marking.RED: "Named recipients only, in the meeting or conversation where it was shared.",
}

SITE_PAGES = [("index.html", "Briefs"), ("facts.html", "Facts"), ("sources.html", "Sources"),
              ("unknowns.html", "What we don't know"), ("timeline.html", "Timeline"),
              ("terms.html", "Analytic terms"), ("search.html", "Search")]


class _Names:
    """How the site pages name records: a fact by what it says, shortened; a source by its short name."""

    def __init__(self, project: Project):
        self.project = project
        self.titles = {fid: short_text(to_text(fact.statement), 90) for fid, fact in project.facts.items()}

    def sources(self, ids: Sequence[str]) -> list[dict]:
        return [{"id": sid, "name": citations.name(self.project.sources[sid])} for sid in ids if sid in self.project.sources]

    def facts(self, ids: Sequence[str]) -> list[dict]:
        return [{"id": f, "title": self.titles[f]} for f in ids if f in self.titles]


def _facts(names: _Names, briefs_by_fact: dict[str, list[dict]]) -> list[dict]:
    """Every fact the channel shows, grouped by its first tag, then by what it says: ids mean nothing to a reader."""
    project, titles, facts = names.project, names.titles, []
    for fact in sorted(project.facts.values(), key=lambda f: ((f.tags or [""])[0], titles[f.id].casefold(), f.id)):
        data = fact_data(fact, project.sources)
        for side in data["sides"]:
            side["source_names"] = names.sources(side["sources"])
        facts.append({**data, "title": titles[fact.id], "source_names": names.sources(fact.sources),
                      "tag_labels": [tag_label(t) for t in fact.tags],
                      "caveats": [{"id": c.id, "title": c.title, "severity": c.severity.value}
                                  for c in project.caveats_of(fact.id)],
                      "briefs": briefs_by_fact.get(fact.id, [])})
    return facts


def _sources(names: _Names, briefs_by_fact: dict[str, list[dict]]) -> list[dict]:
    """Every source the channel shows, with the facts that cite it and the briefs those are in."""
    project, titles = names.project, names.titles
    citing: dict[str, set[str]] = {}
    for fact in project.facts.values():
        for sid in [*fact.sources, *(s for side in fact.sides for s in side.sources)]:
            citing.setdefault(sid, set()).add(fact.id)
    sources = []
    for source in sorted(project.sources.values(), key=lambda s: (reading_order(s), s.id)):
        cited_by = sorted(citing.get(source.id, ()), key=lambda f: titles[f].casefold())
        in_briefs = {b["id"]: b for f in cited_by for b in briefs_by_fact.get(f, [])}
        sources.append({**source_data(source), "facts": names.facts(cited_by),
                        "briefs": sorted(in_briefs.values(), key=lambda b: b["title"].casefold())})
    return sources


def site_context(project: Project, published: Sequence[Mapping[str, Any]], outputs: dict[str, dict],
                 base_url: str | None, channel: Marking) -> dict:
    """Everything the site pages show. `outputs` holds what layout made of each brief (files, sizes, pages).
    `project` is the project as the channel sees it (check.channel.ChannelView.project): a record above the channel
    is not in it, so it is not named, listed or counted."""
    settings = project.settings
    names = _Names(project)
    briefs_by_fact: dict[str, list[dict]] = {}
    for brief in published:
        for fid in project.used_facts(project.briefs[brief["id"]]):
            briefs_by_fact.setdefault(fid, []).append({"id": brief["id"], "title": brief["title"]})
    facts = _facts(names, briefs_by_fact)
    unknowns = [{**unknown_data(u), "facts": names.facts(u.facts)} for u in sorted(project.unknowns.values(), key=lambda u: u.id)]
    events = [{**event_data(e), "source_names": names.sources(e.sources)}
              for e in sorted(project.events.values(), key=lambda e: (e.date, e.id))]
    groups = []
    for audience in project.audiences.values():
        members = [b for b in published if b["audience"]["id"] == audience.id]
        if members:
            groups.append({"id": audience.id, "label": audience.label, "briefs": members})
    return {
        "site": {"title": settings.site_title, "organisation": settings.organisation, "language": settings.language,
                 "logo": logo_asset(settings), "icon": icon_asset(settings),
                 "topic": settings.topic, "base_url": base_url},
        "nav": [{"file": f, "label": label} for f, label in SITE_PAGES],
        "groups": groups, "outputs": outputs, "facts": facts, "sources": _sources(names, briefs_by_fact),
        "unknowns": unknowns, "events": events,
        "tags": [{"value": t, "label": tag_label(t)} for t in sorted({t for f in facts for t in f["tags"]})],
        "statuses": [{"value": f["status"]["value"], "label": f["status"]["label"]} for f in
                     {f["status"]["value"]: f for f in facts}.values()],
        "likelihood_scale": LIKELIHOOD_SCALE, "likelihood_standard": "ICD 203",
        "confidence_levels": [{"value": c.value, "label": c.label} for c in Confidence],
        "tlp": [{"label": m.label, "css": m.css, "meaning": TLP_MEANING[m], "public": m.public} for m in Marking],
        "channel": channel_notice(channel),
    }


def tag_label(tag: str) -> str:
    """A tag as a reader reads it: 'export-controls' is 'export controls'."""
    return tag.replace("-", " ").replace("_", " ")


def reading_order(source: Any) -> str:
    """Where a reader looks a source up on the Sources page: by the title each entry is headed with, alphabetically,
    quotation marks and case aside."""
    return re.sub(r"^\W+", "", source.title).casefold()


def atom_feed(context: dict, published: Sequence[Mapping[str, Any]], base_url: str | None) -> str:
    from xml.sax.saxutils import escape as xml_escape  # imports urllib.request: only when the pages are made
    base = base_url or ""
    updated = max((b["date"] for b in published), default="1970-01-01")
    site = context["site"]
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{xml_escape(site['title'])}</title>", f'<link href="{xml_escape(base)}index.html"/>',
           f'<link rel="self" href="{xml_escape(base)}feed.xml"/>',
           f"<id>{xml_escape(base or 'urn:briefwright:')}{xml_escape(site['title'].lower().replace(' ', '-'))}</id>",
           f"<updated>{updated}T00:00:00Z</updated>",
           f"<author><name>{xml_escape(site['organisation'])}</name></author>"]
    for b in sorted(published, key=lambda b: (b["date"], b["id"]), reverse=True):
        href = f"{base}briefs/{b['id']}/index.html"
        out += ["<entry>", f"<title>{xml_escape(b['title'])} (edition {b['edition']})</title>",
                f'<link href="{xml_escape(href)}"/>',
                f"<id>urn:briefwright:{b['id']}:edition-{b['edition']}</id>",
                f"<updated>{b['date']}T00:00:00Z</updated>",
                f"<summary>{xml_escape(b['bottom_line_text'])}</summary>", "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def sitemap(published: Sequence[Mapping[str, Any]], base_url: str, more: Sequence[str] = ()) -> str:
    from xml.sax.saxutils import escape as xml_escape
    urls = [f"{base_url}{name}" for name, _ in SITE_PAGES] + [f"{base_url}briefs/{b['id']}/index.html" for b in published]
    urls += [f"{base_url}{path}" for path in more]
    body = "".join(f"<url><loc>{xml_escape(u)}</loc></url>\n" for u in urls)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + body + "</urlset>\n")


def site_pages(context: dict, published: Sequence[Mapping[str, Any]], env: Environment, base_url: str | None = None,
               records: dict[str, list[dict]] | None = None) -> dict[str, bytes]:
    """Every page of the site around the briefs, as {relative path: bytes}: a pure function of its inputs.
    Briefs left out of this channel are not named anywhere in it, not even as absent. `records`: each record's own
    page (permalinks.record_context), and the listings split into pages that link to them."""
    page = {"assets": "assets/", "root": "", "channel": context["channel"]}
    marked = mark_safe(context)  # once: the context holds every record, and walking it is most of a page's cost
    files = {}
    for name, label in SITE_PAGES:
        if name in PER_PAGE:
            files.update(listing_pages(env, name, label, marked, page))
            continue
        files[name] = render_marked(env, f"site/{name}", {**marked, "page": {**page, "file": name, "label": label}})
    files["404.html"] = render_marked(env, "site/404.html", {**marked, "page": {
        **page, "file": "404.html", "label": "Not found", "root": base_url or ""}})
    if records is not None:
        files.update(record_pages(records, context, env))
    files["feed.xml"] = atom_feed(context, published, base_url)
    if base_url:
        files["sitemap.xml"] = sitemap(published, base_url, sitemap_paths(records or {}))
    return {name: text.encode("utf-8") for name, text in files.items()}
