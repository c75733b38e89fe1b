"""`explain ID`: a record, where it comes from and everything that uses it, as plain lines. Facts, sources,
caveats, judgments and unknowns; records above the channel are left out, not named."""
from __future__ import annotations

from briefwright.check.channel import ChannelView
from briefwright.check.markings import Markings
from briefwright.core import markup
from briefwright.core.model import Marking, Source
from briefwright.resolve import citations
from briefwright.source.project import Project

KINDS = ("fact", "source", "caveat", "judgment", "unknown", "entity")


def cited(source: Source) -> str:
    """A source as the notes cite it in full, as plain text."""
    return citations.text(citations.full(source))


class ExplainError(Exception):
    """The id names nothing the channel may carry, or more than one record: a usage error. `missing` is the
    id when it names no record at all (then the nearest visible ids help)."""

    def __init__(self, message: str, missing: str | None = None):
        super().__init__(message)
        self.missing = missing


def find(project: Project, name: str) -> tuple[str, str]:
    """(kind, id) for `ID` or `KIND:ID`; an id two kinds share must say which."""
    kind, sep, rid = name.partition(":")
    if sep:
        if kind not in KINDS:
            raise ExplainError(f"explain takes {', '.join(KINDS)}; not '{kind}'")
        if rid not in project.table(kind):
            raise ExplainError(f"no {kind} with id '{rid}'", missing=rid)
        return kind, rid
    kinds = [k for k in KINDS if name in project.table(k)]
    if len(kinds) > 1:
        raise ExplainError(f"'{name}' is the id of a {' and a '.join(kinds)}; say which: "
                           + " or ".join(f"explain {k}:{name}" for k in kinds))
    if not kinds:
        raise ExplainError(f"no fact, source, caveat, judgment, unknown or entity with id '{name}'", missing=name)
    return kinds[0], name


class Explainer:
    def __init__(self, view: ChannelView):
        self.view, self.project, self.markings = view, view.whole, view.markings

    def ok(self, kind: str, rid: str) -> bool:
        return self.view.shows(kind, rid)

    def briefs_showing(self, kind: str, rid: str) -> list[str]:
        found = []
        for brief in self.view.briefs:
            shown = set(self.markings.shown_by(brief))
            if kind == "source":
                hit = any(rid in self.project.sources_of(k, self.project.table(k)[i]) for k, i in shown
                          if i in self.project.table(k))
            else:
                hit = (kind, rid) in shown
            if hit:
                found.append(f"  {brief.id} ({brief.audience}, edition {brief.edition})")
        return found or ["  none"]

    def marking(self, kind: str, rid: str) -> str:
        derived = self.markings.with_caveats(rid) if kind == "fact" else self.markings.of(kind, rid)
        return f"  marking {derived.marking.label}" + (f" (from {derived.explain()})" if len(derived.chain) > 1 else "")

    def explain(self, kind: str, rid: str) -> str:
        return "\n".join(getattr(self, kind)(rid))

    def fact(self, fact_id: str) -> list[str]:
        project, ok = self.project, self.ok
        fact = project.facts[fact_id]
        lines = [f"fact {fact.id} ({fact.status.label}; {fact.confidence.label}; as of {fact.as_of})",
                 f"  {fact.statement.strip()}", f"  defined at {fact.loc}", self.marking("fact", fact_id), "sources:"]
        lines += [f"  {sid}: {cited(project.sources[sid])}" for sid in fact.sources]
        for side in fact.sides:
            lines.append(f"  side: {side.statement.strip()} [{', '.join(side.sources)}]")
        lines.append("caveats:")
        lines += [f"  {c.id} ({c.severity.value}): {c.title}" for c in project.caveats_of(fact_id)
                  if ok("caveat", c.id)] or ["  none"]
        lines.append("unknowns:")
        lines += [f"  {u.id}: {u.question}" for u in project.unknowns.values()
                  if fact_id in u.facts and ok("unknown", u.id)] or ["  none"]
        lines.append("judgments resting on it:")
        lines += [f"  {j.id}: {j.statement}" for j in project.judgments.values()
                  if fact_id in j.rests_on and ok("judgment", j.id)] or ["  none"]
        lines.append("charts drawing it:")
        lines += [f"  {c.id}: {c.title}" for c in project.charts.values()
                  if fact_id in c.facts and ok("chart", c.id)] or ["  none"]
        lines.append("briefs using it:")
        lines += [f"  {b.id} ({b.audience}, edition {b.edition})" for b in self.view.briefs
                  if fact_id in project.used_facts(b)] or ["  none"]
        return lines

    def source(self, source_id: str) -> list[str]:
        """What a retraction of this source would touch: first the facts that rest on it alone."""
        project, ok = self.project, self.ok
        source = project.sources[source_id]
        lines = [f"source {source.id} ({source.kind.label}; published {source.published.display()})",
                 f"  {cited(source)}", f"  defined at {source.loc}",
                 self.marking("source", source_id)]
        facts = [f for f in project.facts.values() if ok("fact", f.id)
                 and source_id in project.sources_of("fact", f)]
        alone = [f for f in facts if set(project.sources_of("fact", f)) == {source_id}]
        lines.append("facts resting on it alone (they fall with it):")
        lines += [f"  {f.id}: {f.statement.strip()}" for f in alone] or ["  none"]
        lines.append("facts it supports with other sources:")
        lines += [f"  {f.id}: {f.statement.strip()} (also {', '.join(s for s in f.sources if s != source_id)})"
                  for f in facts if f not in alone] or ["  none"]
        for kind, title in (("caveat", "caveats citing it"), ("event", "events citing it"),
                            ("judgment", "judgments citing it in their basis")):
            lines.append(f"{title}:")
            lines += [f"  {r.id}: {getattr(r, 'title', None) or getattr(r, 'statement', '')}"
                      for r in project.table(kind).values()
                      if ok(kind, r.id) and source_id in project.sources_of(kind, r)] or ["  none"]
        lines.append("briefs citing it:")
        return lines + self.briefs_showing("source", source_id)

    def caveat(self, caveat_id: str) -> list[str]:
        caveat = self.project.caveats[caveat_id]
        lines = [f"caveat {caveat.id} ({caveat.severity.label}): {caveat.title}", f"  {caveat.body.strip()}",
                 f"  defined at {caveat.loc}", self.marking("caveat", caveat_id), "applies to:"]
        lines += [f"  {f}: {self.project.facts[f].statement.strip()}" for f in caveat.applies_to if self.ok("fact", f)]
        lines.append("sources:")
        lines += [f"  {s}: {cited(self.project.sources[s])}" for s in caveat.sources] \
            or ["  none"]
        lines.append("briefs showing it:")
        return lines + self.briefs_showing("caveat", caveat_id)

    def judgment(self, judgment_id: str) -> list[str]:
        j = self.project.judgments[judgment_id]
        likelihood = f"{j.likelihood.value} ({j.likelihood.row}); " if j.likelihood else ""
        lines = [f"judgment {j.id} ({likelihood}{j.confidence.label})", f"  {j.statement.strip()}",
                 f"  defined at {j.loc}", self.marking("judgment", judgment_id)]
        if j.basis:
            lines.append(f"  basis: {markup.to_text(j.basis)}")
        lines.append("rests on:")
        lines += [f"  {f}: {self.project.facts[f].statement.strip()} ({self.project.facts[f].status.label})"
                  for f in j.rests_on]
        lines.append("briefs showing it:")
        return lines + self.briefs_showing("judgment", judgment_id)

    def unknown(self, unknown_id: str) -> list[str]:
        u = self.project.unknowns[unknown_id]
        lines = [f"unknown {u.id}: {u.question}", f"  why it matters: {markup.to_text(u.why_it_matters)}",
                 f"  would resolve it: {markup.to_text(u.would_resolve)}", f"  defined at {u.loc}",
                 self.marking("unknown", unknown_id), "related facts:"]
        lines += [f"  {f}: {self.project.facts[f].statement.strip()}" for f in u.facts if self.ok("fact", f)] \
            or ["  none"]
        lines.append("briefs showing it:")
        return lines + self.briefs_showing("unknown", unknown_id)

    def entity(self, entity_id: str) -> list[str]:
        """Every name to screen and listing, with the facts that name the entity and the briefs screening it."""
        project, e = self.project, self.project.entities[entity_id]
        lines = [f"entity {e.id} ({e.kind.label}{', ' + e.country if e.country else ''}): {e.name}",
                 f"  defined at {e.loc}", self.marking("entity", entity_id), "names to screen:"]
        lines += [f"  {name}" for name in filter(None, [e.name, e.legal_name])]
        lines += [f"  {a.name}" + (f" ({'; '.join(filter(None, [a.note, a.lang]))})" if a.note or a.lang else "")
                  for a in e.aliases]
        lines.append("identifiers:")
        lines += [f"  {i.scheme}: {i.value}" for i in e.identifiers] or ["  none"]
        lines.append("listings:")
        lines += [f"  {listing.list}{' (' + listing.authority + ')' if listing.authority else ''}, "
                  f"{listing.citation + ', ' if listing.citation else ''}effective {listing.effective.display()} "
                  f"[{', '.join(listing.sources)}]" for listing in e.listings] or ["  none"]
        lines.append("sources:")
        lines += [f"  {s}: {cited(project.sources[s])}" for s in e.sources]
        lines.append("facts naming it:")
        lines += [f"  {f.id}: {f.statement.strip()}" for f in project.facts.values()
                  if entity_id in f.entities and self.ok("fact", f.id)] or ["  none"]
        lines.append("briefs screening it:")
        return lines + self.briefs_showing("entity", entity_id)


def explain(project: Project, name: str, markings: Markings, channel: Marking) -> str:
    """The lines for `explain NAME`; raises ExplainError for an unknown, ambiguous or restricted id."""
    kind, rid = find(project, name)
    view = ChannelView(project, channel, markings)
    if not view.shows(kind, rid):
        derived = markings.with_caveats(rid) if kind == "fact" else markings.of(kind, rid)
        raise ExplainError(f"{kind} '{rid}' is above this channel ({channel.label}); "
                           f"pass --max-marking {derived.marking.value} to see it")
    return Explainer(view).explain(kind, rid)


