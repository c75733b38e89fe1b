"""The typed project: every record by kind and id, and the questions every stage asks of it."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from briefwright.core import markup
from briefwright.core.audiences import Audience, project_audiences
from briefwright.core.model import Brief, Caveat, Chart, Entity, Event, Fact, GlossaryTerm, Judgment, Record, Settings, Source, Unknown


@dataclass
class Project:
    root: Path
    settings: Settings
    sources: dict[str, Source] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    caveats: dict[str, Caveat] = field(default_factory=dict)
    unknowns: dict[str, Unknown] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    judgments: dict[str, Judgment] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    terms: dict[str, GlossaryTerm] = field(default_factory=dict)  # the glossary
    briefs: dict[str, Brief] = field(default_factory=dict)
    # (kind, id) of records that failed to load (-> None), or that a file YAML could not read seems to hold (-> that file)
    broken: dict[tuple[str, str], Path | None] = field(default_factory=dict)
    private_roots: list[Path] = field(default_factory=list)  # private overlay folders found and read
    notes: list[str] = field(default_factory=list)  # what a user should know that is not a problem
    # What later layers derive from the records once and share (the effective markings: check.markings.markings_of),
    # by name; a translated view of the project starts without them and derives its own.
    derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def audiences(self) -> dict[str, Audience]:
        """The built-in audiences and those project.yaml declares, by id."""
        return project_audiences(self.settings)

    def page_limit(self, brief: Brief) -> int | None:
        """The brief's own page_limit, or its audience's."""
        audience = self.audiences.get(brief.audience)
        return brief.page_limit or (audience.page_limit if audience else None)

    def table(self, kind: str) -> dict:
        return getattr(self, "entities" if kind == "entity" else kind + "s")

    @cached_property
    def _caveats_by_fact(self) -> dict[str, list[Caveat]]:
        index: dict[str, list[Caveat]] = {}
        for caveat in self.caveats.values():
            for fact_id in dict.fromkeys(caveat.applies_to):
                index.setdefault(fact_id, []).append(caveat)
        return index

    @cached_property
    def _unknowns_by_fact(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for position, unknown in enumerate(self.unknowns.values()):
            for fact_id in dict.fromkeys(unknown.facts):
                index.setdefault(fact_id, []).append(position)
        return index

    def unknowns_about(self, fact_ids: list[str]) -> list[Unknown]:
        """The open questions about any of these facts, each once, in the order they were written (an index, so
        asking for every brief stays linear in the content)."""
        index = self._unknowns_by_fact
        positions = sorted({p for fid in fact_ids for p in index.get(fid, ())})
        if not positions:
            return []
        unknowns = list(self.unknowns.values())
        return [unknowns[p] for p in positions]

    def caveats_of(self, fact_id: str) -> list[Caveat]:
        """The caveats that qualify a fact, in the order they were written; they travel with it."""
        return self._caveats_by_fact.get(fact_id, [])

    def used_facts(self, brief: Brief) -> list[str]:
        """Every fact a brief relies on: shown, judged on, charted or behind a shown event."""
        used: dict[str, None] = {}
        for section in brief.sections:
            ids = list(section.facts)
            for jid in section.judgments:
                ids += self.judgments[jid].rests_on
            for cid in section.charts:
                ids += self.charts[cid].facts
            for eid in section.events:
                ids += self.events[eid].facts
            used.update(dict.fromkeys(ids))
        return list(used)

    def slide_facts(self, brief: Brief) -> list[str]:
        """The facts a brief's slide-only charts draw that its pages do not already use."""
        used = set(self.used_facts(brief))
        return list(dict.fromkeys(f for c in brief.slide_charts for f in self.charts[c].facts if f not in used))

    def sources_of(self, kind: str, record: Record) -> Iterator[str]:
        """The sources a record shows or rests on directly (a chart: those of what it draws)."""
        if kind == "source":
            yield record.id
        elif kind == "fact":
            yield from record.sources  # type: ignore[attr-defined]
            yield from (s for side in record.sides for s in side.sources)  # type: ignore[attr-defined]
        elif kind in ("caveat", "event"):
            yield from record.sources  # type: ignore[attr-defined]
        elif kind == "entity":
            yield from record.sources  # type: ignore[attr-defined]
            yield from (s for listing in record.listings for s in listing.sources)  # type: ignore[attr-defined]
        elif kind == "judgment":
            yield from (s for ids in markup.citations(record.basis or "") for s in ids)  # type: ignore[attr-defined]
        elif kind == "chart":
            for fid in record.facts:  # type: ignore[attr-defined]
                yield from self.sources_of("fact", self.facts[fid])
            for eid in record.events:  # type: ignore[attr-defined]
                yield from self.events[eid].sources

    def screened_entities(self, brief: Brief) -> list[str]:
        """The entities a brief lists to screen: those its used facts name, then those its sections add, each
        once; none unless its audience screens."""
        audience = self.audiences.get(brief.audience)
        if audience is None or not audience.screening:
            return []
        ids = [e for fid in self.used_facts(brief) if fid in self.facts for e in self.facts[fid].entities]
        ids += [e for section in brief.sections for e in section.entities]
        return list(dict.fromkeys(ids))

    def sorted_briefs(self) -> list[Brief]:
        return sorted(self.briefs.values(), key=lambda b: b.id)
