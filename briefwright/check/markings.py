"""Distribution markings (TLP 2.0): each record's effective marking and the chain that forces it.

A record's effective marking is the highest of its own and of everything it rests on: a fact and
its sources, a caveat and its sources, a judgment and the facts it rests on (and the sources its basis
cites), a chart and its facts and events, an event and its sources. A brief must be marked at least as
high as everything it shows, caveats of its facts and sources its prose cites included: a caveat is
never split from its fact by a marking.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from briefwright.core import markup
from briefwright.core.diagnostics import Collector
from briefwright.core.model import Brief, Marking, Record
from briefwright.source.project import Project


@dataclass(frozen=True)
class Derived:
    """An effective marking and why: the chain of (kind, id) from the record to the one that sets it."""

    marking: Marking
    chain: tuple[tuple[str, str], ...]

    def explain(self) -> str:
        return " -> ".join(f"{kind} {rid}" for kind, rid in self.chain)


class Markings:
    """Effective markings of a project's records, computed once each (linear in the project's size)."""

    def __init__(self, project: Project):
        self.project = project
        self.default = project.settings.default_marking
        self._memo: dict[tuple[str, str], Derived] = {}
        self._with_caveats: dict[str, Derived] = {}

    def own(self, record: Record) -> Marking:
        return getattr(record, "marking", None) or self.default

    def of(self, kind: str, record_id: str) -> Derived:
        key = (kind, record_id)
        found = self._memo.get(key)
        if found is None:
            record = self.project.table(kind)[record_id]
            found = Derived(self.own(record), (key,))
            for child in self._rests_on(kind, record):
                below = self.of(*child)
                if below.marking.rank > found.marking.rank:
                    found = Derived(below.marking, (key, *below.chain))
            self._memo[key] = found
        return found

    def _rests_on(self, kind: str, record: Record) -> Iterator[tuple[str, str]]:
        if kind in ("fact", "caveat", "event", "entity"):
            yield from (("source", s) for s in getattr(record, "sources", []))
        if kind == "entity":
            yield from (("source", s) for listing in record.listings for s in listing.sources)  # type: ignore[attr-defined]
        if kind == "fact":
            yield from (("source", s) for side in record.sides for s in side.sources)  # type: ignore[attr-defined]
        elif kind == "judgment":
            yield from (("fact", f) for f in record.rests_on)  # type: ignore[attr-defined]
            yield from (("source", s) for ids in markup.citations(record.basis or "") for s in ids)  # type: ignore[attr-defined]
        elif kind == "chart":
            yield from (("fact", f) for f in record.facts)  # type: ignore[attr-defined]
            yield from (("event", e) for e in record.events)  # type: ignore[attr-defined]

    def with_caveats(self, fact_id: str) -> Derived:
        """A fact together with its caveats: where the fact goes, they go, so it may go no further than they."""
        found = self._with_caveats.get(fact_id)
        if found is None:
            found = self.of("fact", fact_id)
            for caveat in self.project.caveats_of(fact_id):
                derived = self.of("caveat", caveat.id)
                if derived.marking.rank > found.marking.rank:
                    found = Derived(derived.marking, (("fact", fact_id), *derived.chain))
            self._with_caveats[fact_id] = found
        return found

    def shown_by(self, brief: Brief) -> Iterator[tuple[str, str]]:
        """Everything a brief shows, as (kind, id): listed items, every used fact, their caveats and related unknowns."""
        project = self.project
        used = project.used_facts(brief)
        prose = [brief.bottom_line] + [section.intro for section in brief.sections if section.intro]
        yield from (("source", s) for text in prose for ids in markup.citations(text) for s in ids)
        for section in brief.sections:
            yield from (("judgment", j) for j in section.judgments)
            yield from (("chart", c) for c in section.charts)
            yield from (("event", e) for e in section.events)
            yield from (("caveat", c) for c in section.caveats)
            yield from (("unknown", u) for u in section.unknowns)
        yield from (("fact", f) for f in used)
        for fact_id in used:  # already counted through the facts; listed so every shown record is named
            yield from (("caveat", c.id) for c in project.caveats_of(fact_id))
        yield from (("unknown", u.id) for u in project.unknowns_about(used))
        yield from (("entity", e) for e in project.screened_entities(brief))
        # The slides' own charts: the deck carries them, their facts and what travels with those facts.
        yield from (("chart", c) for c in brief.slide_charts)
        extra = project.slide_facts(brief)
        yield from (("fact", f) for f in extra)
        for fact_id in extra:
            yield from (("caveat", c.id) for c in project.caveats_of(fact_id))
        yield from (("unknown", u.id) for u in project.unknowns_about(extra))

    def cited_sources(self, brief: Brief) -> list[str]:
        """Every source a brief's notes cite, each once: those of everything it shows, and its prose citations."""
        cited: dict[str, None] = {}
        for kind, rid in self.shown_by(brief):
            record = self.project.table(kind).get(rid)
            if record is not None:
                cited.update(dict.fromkeys(s for s in self.project.sources_of(kind, record) if s in self.project.sources))
        return list(cited)

    def required(self, brief: Brief, shown: list[tuple[str, str]] | None = None) -> Derived:
        """The lowest marking the brief may carry, with the chain from the brief to what forces it; `shown` is
        what `shown_by` gives, when the caller has it already."""
        found = Derived(Marking.CLEAR, (("brief", brief.id),))
        for kind, rid in self.shown_by(brief) if shown is None else shown:
            if rid not in self.project.table(kind):
                continue  # reported by reference checking
            derived = self.with_caveats(rid) if kind == "fact" else self.of(kind, rid)
            if derived.marking.rank > found.marking.rank:
                found = Derived(derived.marking, (("brief", brief.id), *derived.chain))
        return found

    def allowed(self, kind: str, record_id: str, channel: Marking) -> bool:
        derived = self.with_caveats(record_id) if kind == "fact" else self.of(kind, record_id)
        return derived.marking.allowed_in(channel)


def markings_of(project: Project) -> Markings:
    """Every record's effective marking, derived once per project and shared by every stage that asks."""
    found = project.derived.get("markings")
    if not isinstance(found, Markings):
        found = project.derived["markings"] = Markings(project)
    return found


def check_briefs(project: Project, out: Collector) -> None:
    """Refuse a brief marked lower than what it shows, at its `marking:`, naming the chain and the fix."""
    markings = markings_of(project)
    for brief in project.briefs.values():
        try:
            shown = list(markings.shown_by(brief))
            if project.broken and any(item in project.broken for item in shown):
                continue  # a record that failed to load has its own error; its marking is unknown
            need = markings.required(brief, shown)
        except KeyError:
            continue  # a dangling reference or a record that failed to load: each has its own error
        if need.marking.rank <= brief.marking.rank:
            continue
        kind, rid = need.chain[-1]
        culprit = project.table(kind)[rid]
        if culprit.marking is None:
            source_of = f"the project's default_marking is {need.marking.value}"
        else:
            source_of = f"{kind} '{rid}' is {need.marking.value}"
        fix = f"mark the brief {need.marking.value} or make {kind} '{rid}' {brief.marking.value}"
        if kind == "caveat" or any(k == "caveat" for k, _ in need.chain):
            fix += " (a caveat travels with its fact into every brief)"
        else:
            fix += ", or leave out what rests on it"
        out.error(brief.at("marking"),
                  f"brief '{brief.id}' is marked {brief.marking.label} but shows {need.marking.label} material: "
                  f"{need.explain()} ({source_of}); {fix}")


def check_public_repository(project: Project, out: Collector) -> None:
    """In a project whose own folder is published, every record and brief in it must be TLP:CLEAR,
    by its own marking and by what it rests on: git publishes whatever the build leaves out."""
    settings = project.settings
    if not settings.public_repository:
        return
    if settings.default_marking is not Marking.CLEAR:
        out.error(settings.at("default_marking"), f"default_marking is {settings.default_marking.value} but "
                  "public_repository is true: records in this repository must be CLEAR; keep restricted ones in a "
                  "private folder named in private_content")
    markings = markings_of(project)
    where = settings.private_content[0] if settings.private_content else "../<desk>-private"
    kinds = ("source", "fact", "caveat", "unknown", "event", "chart", "judgment", "entity", "term", "brief")

    def in_repository(kind: str, rid: str) -> bool:
        return project.table(kind)[rid].loc.path.resolve().is_relative_to(project.root)

    for kind in kinds:
        for rid, record in project.table(kind).items():
            if not in_repository(kind, rid):
                continue  # in a private folder
            try:
                derived = Derived(record.marking, ((kind, rid),)) if kind == "brief" else markings.of(kind, rid)
            except KeyError:
                continue  # a dangling reference, reported by reference checking
            if derived.marking is Marking.CLEAR:
                continue
            if len(derived.chain) > 1 and in_repository(*derived.chain[-1]):
                continue  # the restricted record it rests on is itself in the repository, and reported there
            if len(derived.chain) == 1 and getattr(record, "marking", None) is None:
                continue  # it has the project's default_marking, reported once at project.yaml
            folder = "briefs" if kind == "brief" else "content"
            reason = (f"it is marked {derived.marking.value}" if len(derived.chain) == 1 else
                      f"it rests on {derived.marking.value} material ({derived.explain()})")
            out.error(record.at("marking") if getattr(record, "marking", None) else record.loc,
                      f"{kind} '{rid}' is kept in this public repository but {reason}; move it to a private "
                      f"folder named in private_content (e.g. {where}/{folder}/)")
