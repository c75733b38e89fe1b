"""`new <kind> <id>`: a commented starting file for any record kind that passes `check` at once, never
overwriting; its `$schema` line points at the schemas from wherever the file is written."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from briefwright.source.project import Project

ENGINE_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"  # a source checkout; absent in a wheel


SCAFFOLD_KINDS = ("source", "fact", "caveat", "judgment", "unknown", "event", "chart", "brief")


class ScaffoldError(Exception):
    pass


def _write_new(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": fails if the file exists
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; choose another id or edit that file") from None
    return path


def schema_line(project: Project, folder: Path, name: str) -> str:
    """The editor's `$schema` comment for a file in `folder`: the nearest schemas/ at or above the project
    (a topic inside a repository uses the repository's), else the engine's own; none if neither exists."""
    for place in [project.root, *project.root.parents, ENGINE_SCHEMAS.parent]:
        candidate = place / "schemas" / name
        if candidate.is_file():
            try:
                relative = os.path.relpath(candidate, folder)
            except ValueError:  # another drive: a relative path cannot reach it
                relative = candidate.as_uri()
            return f"# yaml-language-server: $schema={Path(relative).as_posix()}\n"
    return ""


class Scaffolds:
    """One method per record kind. `options` ends every command a hint gives (e.g. ' --project topics/x'),
    so the hint works as printed."""

    def __init__(self, project: Project, today: dt.date, options: str = ""):
        self.project, self.today, self.options = project, today, options

    def command(self, args: str) -> str:
        return f"`briefwright {args}{self.options}`"

    def write(self, kind: str, record_id: str, audience: str | None = None) -> Path:
        makers: dict[str, Callable[[str], str]] = {
            "source": self.source, "fact": self.fact, "caveat": self.caveat, "judgment": self.judgment,
            "unknown": self.unknown, "event": self.event, "chart": self.chart}
        if kind == "brief":
            return self.brief(record_id, audience)
        table = self.project.table(kind)
        if record_id in table:
            raise ScaffoldError(f"a {kind} with id '{record_id}' already exists ({table[record_id].loc})")
        folder = self.project.root / "content" / f"{kind}s"
        text = schema_line(self.project, folder, "content.schema.json") + makers[kind](record_id)
        return _write_new(folder / f"{record_id}.yaml", text)

    def _first(self, kind: str, make: str) -> str:
        table = self.project.table(kind)
        if not table:
            raise ScaffoldError(f"the project has no {kind}s yet; start one with {self.command(f'new {kind} <id>')}, "
                                f"then make the {make}")
        return sorted(table)[0]

    def source(self, record_id: str) -> str:
        return f"""# A new source. Kinds and the fields each needs: "Add a source" in the authoring guide (`briefwright docs`).
sources:
  - id: {record_id}
    kind: report          # primary, secondary, press, subject (these need a url), internal, interview,
                          # conversation, book, report, dataset or legal
    title: Title of the document
    publisher: Who published it
    published: {self.today.isoformat()}    # YYYY, YYYY-MM or YYYY-MM-DD
    # author: Who wrote it
    # pages: 12-14
    # url: https://...    # where it can be read; then also retrieved: YYYY-MM-DD
"""

    def fact(self, record_id: str) -> str:
        source = self._first("source", "fact")
        return f"""# A new fact. Every fact names its sources; each field is in the authoring guide (`briefwright docs`).
facts:
  - id: {record_id}
    statement: State the fact in your own words, in one or two sentences.
    sources:
      - {source}   # replace with the source ids that support it
    status: reported       # confirmed, reported, claimed (by the subject), conflicting (then add sides) or estimated
    confidence: moderate   # high, moderate or low
    as_of: {self.today.isoformat()}
    tags: []
"""

    def caveat(self, record_id: str) -> str:
        fact = self._first("fact", "caveat")
        return f"""# A new caveat: it travels with the facts it applies to into every brief that uses them.
caveats:
  - id: {record_id}
    title: A short title
    body: What a reader must keep in mind about the fact.
    severity: major        # critical (shown beside the fact), major or minor
    applies_to:
      - {fact}   # replace with the facts it qualifies
"""

    def judgment(self, record_id: str) -> str:
        fact = self._first("fact", "judgment")
        return f"""# A new key judgment: one ICD 203 likelihood term in the statement, the same in `likelihood`,
# and the confidence only in its own field.
judgments:
  - id: {record_id}
    statement: It is likely that this will happen; replace this with your judgment.
    likelihood: likely     # almost no chance, very unlikely, unlikely, roughly even chance, likely, very likely,
                           # almost certain (or their alternatives: remote, highly improbable, ...)
    confidence: moderate   # high, moderate or low
    rests_on:
      - {fact}   # replace with the facts it rests on
    # basis: A sentence on the reasoning; it may cite sources as [@source-id].
"""

    def unknown(self, record_id: str) -> str:
        facts = sorted(self.project.facts)[:1]
        related = f"\n      - {facts[0]}   # a brief using any of these facts shows this question" if facts else " []"
        return f"""# A new open question: what is not known, why it matters and what would answer it.
unknowns:
  - id: {record_id}
    question: What is not known, as a question?
    why_it_matters: Why a reader should care.
    would_resolve: What evidence would answer it.
    facts:{related}
"""

    def event(self, record_id: str) -> str:
        source = self._first("source", "event")
        return f"""# A new timeline event.
events:
  - id: {record_id}
    date: {self.today.isoformat()}    # YYYY, YYYY-MM or YYYY-MM-DD
    title: What happened, in a line
    kind: other            # announcement, rule, listing, market, report or other
    sources:
      - {source}   # replace with the sources for the event
"""

    def chart(self, record_id: str) -> str:
        """A bar chart of two facts with quantities of one measure, else a timeline of two events."""
        groups: dict[tuple[str, str], list[str]] = {}
        for fact in sorted(self.project.facts.values(), key=lambda f: f.id):
            if fact.quantity is not None:
                groups.setdefault((fact.quantity.measure, fact.quantity.unit), []).append(fact.id)
        bars = next((ids for ids in groups.values() if len(ids) >= 2), None)
        if bars:
            return f"""# A new chart: numbers come only from facts' quantities (one measure and unit per bar chart).
charts:
  - id: {record_id}
    kind: bar              # bar, split or timeline (timeline draws events instead of facts)
    title: Title shown above the chart
    facts: [{bars[0]}, {bars[1]}]
    # caption: A note under the chart.
"""
        events = sorted(self.project.events)
        if len(events) >= 2:
            return f"""# A new chart: a timeline of events (bar and split charts draw facts' quantities instead).
charts:
  - id: {record_id}
    kind: timeline
    title: Title shown above the chart
    events: [{events[0]}, {events[1]}]
"""
        raise ScaffoldError("a chart needs two facts with quantities of one measure and unit (kind bar) or two "
                            f"events (kind timeline); add them first ({self.command('new fact <id>')}, then give "
                            "each a quantity)")

    def brief(self, brief_id: str, audience: str | None) -> Path:
        project = self.project
        if not audience:
            raise ScaffoldError("new brief needs --audience (" + ", ".join(project.audiences) + ")")
        if audience not in project.audiences:
            raise ScaffoldError(f"unknown audience '{audience}'; use one of: {', '.join(project.audiences)}")
        if brief_id in project.briefs:
            raise ScaffoldError(f"a brief with id '{brief_id}' already exists")
        first_fact = self._first("fact", "brief")
        folder = project.root / "briefs"
        limit = project.audiences[audience].page_limit
        page_limit = (f"# page_limit: {limit}      # the audience's default; the build fails if the PDF runs longer"
                      if limit else "page_limit: 2          # the build fails if the PDF runs longer")
        who = project.audiences[audience].label.lower()
        guide = "the authoring guide (`briefwright docs`)"
        text = schema_line(project, folder, "brief.schema.json") + f"""# A new brief for {who}. Fields: {guide}.
id: {brief_id}
title: Working title of the brief
short_title: Short title for the running head
audience: {audience}
date: {self.today.isoformat()}
edition: 1
{page_limit}
marking: CLEAR          # TLP 2.0: CLEAR, GREEN, AMBER, AMBER+STRICT or RED (only CLEAR goes on the public site)
# The bottom line, and each section's intro, may cite sources as [@source-id].
bottom_line: >
  One paragraph: what the reader must know, up front.
sections:
  - title: Key facts
    intro: Why these facts matter to this audience.
    facts:
      - {first_fact}     # replace with the facts this brief uses; their caveats are added for you
"""
        return _write_new(folder / f"{brief_id}.yaml", text)
