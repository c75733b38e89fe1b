"""A page per record, and listings that stay small.

Each fact, source, judgment and open question the channel carries has a page of its own at a stable address,
facts/<id>/index.html (sources/, judgments/, unknowns/): the record as the channel allows, its caveats, the briefs and
editions that use it, its sources with their archived copies, and a line to cite it by (citations.py). The listing
pages (facts.html, sources.html, unknowns.html) are split into pages of a fixed number of records (facts-2.html, ...),
so that no page grows with the archive: each record is a line there, and its detail is on its own page.

Everything here is a pure function of the project, the briefs the channel carries and the channel: the build caches
it by that, and a merge of shards makes the same bytes as one build.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jinja2
from jinja2 import Environment

from briefwright.check.markings import markings_of
from briefwright.core import markup
from briefwright.core.i18n import format_date
from briefwright.core.model import Marking
from briefwright.render.page import TemplateError, mark_safe, template_frame
from briefwright.resolve import citations
from briefwright.resolve.present import caveat_data, choice, fact_data, number_display, short_text, source_data, unknown_data
from briefwright.source.project import Project

FOLDERS = {"fact": "facts", "source": "sources", "judgment": "judgments", "unknown": "unknowns"}
KIND_WORDS = {"fact": "Fact", "source": "Source", "judgment": "Key judgment", "unknown": "Open question"}
CITE_CHARS = 150  # characters of a record's words a cite line quotes: a long fact is quoted to its first sentences
# Records per listing page: at the 10,000-fact bench (bench/search_bench.py) the largest page stays under 300 KB.
PER_PAGE = {"facts.html": ("facts", 200), "sources.html": ("sources", 50), "unknowns.html": ("unknowns", 200)}


def quoted(words: str) -> str:
    """A record's words as its cite line quotes them: whole when short; else its first sentences that fit (or, with
    none, the words that fit), with an ellipsis."""
    if len(words) <= CITE_CHARS:
        return words
    ends = [m.start() for m in re.finditer(r"[.?!](?=\s)", words[:CITE_CHARS + 1])]
    if ends and ends[-1] > CITE_CHARS // 3:
        return words[:ends[-1]] + "\u2026"
    return short_text(words, CITE_CHARS)


def record_path(kind: str, record_id: str) -> str:
    """A record's page from the site root; links add the page's way up to the root."""
    return f"{FOLDERS[kind]}/{record_id}/index.html"


def record_url(kind: str, record_id: str, base_url: str | None) -> str | None:
    """A record's address for citing: the folder, as the server answers it, under the site's address."""
    return f"{base_url}{FOLDERS[kind]}/{record_id}/" if base_url else None


def _brief_ref(brief: Mapping[str, Any]) -> dict:
    return {"id": brief["id"], "title": brief["title"], "path": f"briefs/{brief['id']}/index.html",
            "edition": brief["edition"], "date_display": brief.get("date_display"),
            "languages": [{"lang": a["lang"], "name": a["name"], "path": a["path"]}
                          for a in brief.get("alternates", []) if not a["current"]],
            "earlier": []}


def _uses(project: Project, listed: Sequence[Mapping[str, Any]], recorded: dict[str, list[dict]], channel: Marking) -> dict:
    """(kind, id) -> the briefs the channel carries that show the record, each with the earlier editions (as
    released, and served beside it) that showed it too (facts and judgments: what an edition's record holds)."""
    found: dict[tuple[str, str], list[dict]] = {}
    for brief in listed:
        record = project.briefs[brief["id"]]
        used = project.used_facts(record)
        shown: dict[str, Sequence[str]] = {
            "fact": used,
            "judgment": [j for s in record.sections for j in s.judgments],
            "unknown": [u for s in record.sections for u in s.unknowns] + [u.id for u in project.unknowns_about(used)],
            "source": markings_of(project).cited_sources(record),
        }
        records = {r.get("edition"): r for r in recorded.get(brief["id"], [])}
        earlier = [e for e in brief.get("earlier_editions", []) if Marking(e["marking"]).allowed_in(channel)]
        for kind, ids in shown.items():
            for rid in dict.fromkeys(ids):
                ref = _brief_ref(brief)
                part = {"fact": "facts", "judgment": "judgments"}.get(kind)
                for edition in earlier if part else []:
                    if rid in (records.get(edition["edition"]) or {}).get(part, {}):
                        files = edition["files"]
                        ref["earlier"].append({"edition": edition["edition"], "date_display": edition.get("date_display"),
                                               "files": [{"label": f["label"], "path": f"briefs/{brief['id']}/{f['href']}"}
                                                         for f in files]})
                found.setdefault((kind, rid), []).append(ref)
    return found


def cite_line(project: Project, kind: str, words: str, as_of: dt.date | None, url: str | None) -> dict:
    pieces = citations.record(project.settings.organisation, project.settings.site_title, KIND_WORDS[kind].lower(),
                              words, as_of, url)
    return {"cite_html": citations.html(pieces), "cite_text": citations.text(pieces)}


class _RecordPages:
    """The record pages' data for the project as one channel sees it. Each record's pieces are made once and shared
    by every page that names it (at 10,000 facts, making a source's citation again for each fact that cites it was a
    third of the time)."""

    def __init__(self, project: Project, uses: dict, base_url: str | None):
        self.project, self.uses, self.base_url = project, uses, base_url
        self.titles: dict[str, str] = {}
        self.statuses: dict[str, dict] = {}
        self.made_sources: dict[str, dict] = {}
        self.made_caveats: dict[str, dict] = {}
        self.judged: dict[str, list[str]] = {}
        for jid, judgment in project.judgments.items():
            for f in judgment.rests_on:
                self.judged.setdefault(f, []).append(jid)
        self.judgment_titles = {j: short_text(project.judgments[j].statement, 120) for js in self.judged.values() for j in js}

    def fact_refs(self, ids: Iterable[str]) -> list[dict]:
        return [{"id": f, "title": self.titles[f], "path": record_path("fact", f), "status": self.statuses[f]}
                for f in dict.fromkeys(ids) if f in self.titles]

    def source_refs(self, ids: Iterable[str]) -> list[dict]:
        refs = []
        for s in dict.fromkeys(ids):
            if s not in self.made_sources and s in self.project.sources:
                source = self.project.sources[s]
                self.made_sources[s] = {"id": s, "name": citations.name(source), "path": record_path("source", s),
                                        "citation_html": citations.html(citations.full(source)),
                                        "archived": bool(source.archived_url)}
            if s in self.made_sources:
                refs.append(self.made_sources[s])
        return refs

    def source_link(self, ids: list[str]) -> str:
        """A citation in a judgment's basis, on the judgment's page (judgments/<id>/): the sources' names, each linked
        to its page."""
        names = [f'<a href="../../{r["path"]}">{citations.html([citations.Piece(r["name"])])}</a>' for r in self.source_refs(ids)]
        return f" ({'; '.join(names)})" if names else ""

    def caveats(self, fids: Iterable[str]) -> list[dict]:
        shown = {c.id: c for f in fids for c in self.project.caveats_of(f) if c.id in self.project.caveats}
        for cid, caveat in shown.items():
            if cid not in self.made_caveats:
                self.made_caveats[cid] = {**caveat_data(caveat), "sources": self.source_refs(caveat.sources),
                                          "text": f"{caveat.title}. {markup.to_text(caveat.body)}"}
        return [self.made_caveats[c] for c in shown]

    def cite(self, kind: str, rid: str, words: str, as_of: dt.date | None) -> dict:
        return cite_line(self.project, kind, quoted(words), as_of, record_url(kind, rid, self.base_url))

    def fact(self, fid: str) -> dict:
        project, fact = self.project, self.project.facts[fid]
        data = fact_data(fact, project.sources)
        statement = markup.to_text(fact.statement)
        self.titles[fid] = short_text(statement, 90)
        self.statuses[fid] = data["status"]
        if data["quantity"] is not None:
            data["quantity"]["display"] = number_display(fact.quantity.value)  # type: ignore[union-attr]
        for side, record in zip(data["sides"], fact.sides, strict=True):
            side["sources"] = self.source_refs(record.sources)
        shown_caveats = self.caveats([fid])
        return {
            **data, "kind": "fact", "path": record_path("fact", fid), "title": self.titles[fid],
            "sources": self.source_refs(fact.sources), "caveats": shown_caveats,
            "tags": [t.replace("-", " ").replace("_", " ") for t in fact.tags],
            "judgments": [{"title": self.judgment_titles[j], "path": record_path("judgment", j)}
                          for j in self.judged.get(fid, [])],
            "unknowns": [{"title": u.question, "path": record_path("unknown", u.id)} for u in project.unknowns_about([fid])],
            "briefs": self.uses.get(("fact", fid), []),
            **self.cite("fact", fid, statement, fact.as_of),
            "search_text": " ".join([statement, *(markup.to_text(s.statement) for s in fact.sides),
                                     *(c["text"] for c in shown_caveats)]),
        }

    def source(self, sid: str, citing: dict[str, list[str]]) -> dict:
        source = self.project.sources[sid]
        data = {**source_data(source), "citation_text_full": citations.text(citations.full(source))}
        for when in ("archived", "retrieved"):  # dates as the page writes them
            data[f"{when}_display"] = data[when] and format_date(dt.date.fromisoformat(data[when]))
        supported = sorted(dict.fromkeys(citing.get(sid, [])), key=lambda f: (self.titles[f].casefold(), f))
        return {
            **data, "kind": "source", "path": record_path("source", sid), "title": source.title,
            "facts": self.fact_refs(supported), "briefs": self.uses.get(("source", sid), []),
            "cite_html": data["citation_html"], "cite_text": data["citation_text_full"],
            "search_text": data["citation_text_full"],
        }

    def judgment(self, jid: str) -> dict:
        judgment = self.project.judgments[jid]
        basis_html = markup.to_html_cited(judgment.basis, self.source_link, inline=True) if judgment.basis else None
        return {
            "id": jid, "kind": "judgment", "path": record_path("judgment", jid),
            "title": short_text(judgment.statement, 120), "statement": judgment.statement,
            "likelihood": None if judgment.likelihood is None else
            {"value": judgment.likelihood.value, "range": judgment.likelihood.row},
            "confidence": choice(judgment.confidence),
            "window": None if judgment.window is None else judgment.window.display(),
            "basis_html": basis_html, "facts": self.fact_refs(judgment.rests_on),
            "caveats": self.caveats(judgment.rests_on), "briefs": self.uses.get(("judgment", jid), []),
            **self.cite("judgment", jid, judgment.statement, None),
            "search_text": " ".join([judgment.statement, markup.to_text(judgment.basis or "")]).strip(),
        }

    def unknown(self, uid: str) -> dict:
        unknown = self.project.unknowns[uid]
        return {
            **unknown_data(unknown), "kind": "unknown", "path": record_path("unknown", uid), "title": unknown.question,
            "facts": self.fact_refs(unknown.facts), "briefs": self.uses.get(("unknown", uid), []),
            **self.cite("unknown", uid, unknown.question, None),
            "search_text": " ".join([unknown.question, markup.to_text(unknown.why_it_matters),
                                     markup.to_text(unknown.would_resolve)]),
        }


def record_context(project: Project, listed: Sequence[Mapping[str, Any]], recorded: dict[str, list[dict]], channel: Marking,
                   base_url: str | None) -> dict[str, list[dict]]:
    """Every record page's data, by kind, for the records the channel may carry: plain, JSON-ready, what the build
    caches the pages and the search index by. `project` is the project as the channel sees it
    (check.channel.ChannelView.project): what it holds is what the channel may show."""
    made = _RecordPages(project, _uses(project, listed, recorded, channel), base_url)
    fact_ids = sorted(project.facts)
    pages: dict[str, list[dict]] = {"fact": [made.fact(fid) for fid in fact_ids]}
    citing: dict[str, list[str]] = {}
    for fid in fact_ids:
        fact = project.facts[fid]
        for cited in [*fact.sources, *(s for side in fact.sides for s in side.sources)]:
            citing.setdefault(cited, []).append(fid)
    pages["source"] = [made.source(sid, citing) for sid in sorted(project.sources)]
    pages["judgment"] = [made.judgment(jid) for jid in sorted(project.judgments)]
    pages["unknown"] = [made.unknown(uid) for uid in sorted(project.unknowns)]
    return pages


def render_marked(env: Environment, name: str, context: dict) -> str:
    """A site template rendered with a context already passed through render.mark_safe (once for many pages:
    walking a 10,000-fact context again for each page is most of what the pages cost)."""
    try:
        return env.get_template(name).render(**context)
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
        template, line = template_frame(exc, name)
        raise TemplateError(template, line, str(exc)) from None


def record_pages(pages: dict[str, list[dict]], site: dict, env: Environment) -> dict[str, str]:
    """{path: HTML} of every record page. `site` is the site context the pages share (site, nav, channel)."""
    shared = mark_safe({"site": site["site"], "nav": site["nav"], "channel": site["channel"]})
    page = {"assets": "assets/", "root": "../../", "channel": site["channel"], "file": None}
    out = {}
    for kind, records in pages.items():
        for record in records:
            context = {**shared, "record": mark_safe(record),
                       "page": {**page, "label": f"{KIND_WORDS[kind]}: {record['title']}", "kind": kind}}
            out[record["path"]] = render_marked(env, f"site/records/{kind}.html", context)
    return out


def listing_pages(env: Environment, name: str, label: str, marked: dict, page: dict) -> dict[str, str]:
    """A listing (facts.html, sources.html, unknowns.html) as pages of PER_PAGE records: facts.html, facts-2.html...
    Each page's `pager` names every page by its first and last record, for a reader to go straight to one."""
    key, size = PER_PAGE[name]
    records = marked[key]
    stem = name.removesuffix(".html")
    chunks = [records[i:i + size] for i in range(0, len(records), size)] or [[]]
    files = [name if n == 0 else f"{stem}-{n + 1}.html" for n in range(len(chunks))]
    pager = None
    if len(chunks) > 1:
        pager = {"total": len(records), "groups": [], "pages": [
            {"file": f, "number": n + 1, "first": n * size + 1, "last": n * size + len(chunk)}
            for n, (f, chunk) in enumerate(zip(files, chunks, strict=True))]}
        if key == "facts":  # the facts are grouped by their first tag: where each group starts
            starts: dict[str, str] = {}
            for f, chunk in zip(files, chunks, strict=True):
                for fact in chunk:
                    starts.setdefault(fact["tag_labels"][0] if fact["tag_labels"] else "", f)
            pager["groups"] = [{"label": t or "untagged", "file": f} for t, f in starts.items()]
    out = {}
    for n, (file, chunk) in enumerate(zip(files, chunks, strict=True)):
        here = None if pager is None else {**pager, "number": n + 1, "first": n * size + 1, "last": n * size + len(chunk)}
        titled = label if pager is None else f"{label}, page {n + 1} of {len(chunks)}"  # each page's own <title>
        out[file] = render_marked(env, f"site/{name}", {**marked, key: chunk,
                                                        "page": {**page, "file": file, "label": titled, "pager": here,
                                                                 "section": name}})
    return out


def sitemap_paths(pages: dict[str, list[dict]]) -> list[str]:
    """Every record page's address under the site, for the sitemap."""
    return [r["path"].removesuffix("index.html") for kind in FOLDERS for r in pages.get(kind, [])]


def largest(files: dict[str, Any]) -> tuple[str, int]:
    """The largest HTML page of a site's files (name, bytes): the bench's and the tests' measure."""
    sizes = [(name, len(data)) for name, data in files.items() if name.endswith(".html")]
    return max(sizes, key=lambda s: s[1]) if sizes else ("", 0)
