"""The project as one distribution channel sees it: the one place filtering by marking is decided.

`check` proves every brief marked at least as high as what it shows; a build is then made for one channel
(`--max-marking`). A `ChannelView` is built once, after `check`, and handed to every later stage: which briefs the
channel carries, which records, sources and terms it may show, and `project`, a copy of the project holding only
those. Stages after it read the view and never ask `allowed`/`allowed_in` themselves, so a record above the
channel is not merely skipped by each of them: it is not in what they are given.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TypeVar

from briefwright.check.markings import Markings, markings_of
from briefwright.core.model import Brief, Caveat, Marking, Record
from briefwright.source.project import Project

TOP = max(Marking, key=lambda m: m.rank)
R = TypeVar("R", bound=Record)


@dataclass(frozen=True, eq=False)
class ChannelView:
    """`whole` as the channel `channel` sees it. `markings` are the whole project's effective markings."""

    whole: Project
    channel: Marking
    markings: Markings = field(default=None)  # type: ignore[assignment]  # filled from `whole` when not given
    _narrower: dict[Marking, ChannelView] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.markings is None:
            object.__setattr__(self, "markings", markings_of(self.whole))

    @classmethod
    def everything(cls, project: Project) -> ChannelView:
        """The view of a channel that carries every marking (`check`'s own resolve, `translations`)."""
        return cls(project, TOP)

    def carries(self, marking: Marking) -> bool:
        """Whether a brief, an edition or a file marked `marking` may go on this channel."""
        return marking.allowed_in(self.channel)

    def shows(self, kind: str, record_id: str) -> bool:
        """Whether the record exists and may be shown on this channel (a fact only together with its caveats)."""
        if kind == "brief":
            brief = self.whole.briefs.get(record_id)
            return brief is not None and self.carries(brief.marking)
        if record_id not in self.whole.table(kind):
            return False
        derived = self.markings.with_caveats(record_id) if kind == "fact" else self.markings.of(kind, record_id)
        return self.carries(derived.marking)

    def hides(self, kind: str, record_id: str) -> bool:
        """Whether the record exists but this channel may not show it: it may be counted, never quoted or named."""
        return record_id in self.whole.table(kind) and not self.shows(kind, record_id)

    @cached_property
    def briefs(self) -> list[Brief]:
        """The briefs this channel carries, in id order."""
        return [b for b in self.whole.sorted_briefs() if self.carries(b.marking)]

    @cached_property
    def left_out(self) -> list[Brief]:
        """The briefs this channel may not carry, in id order (a build reports them; nothing else sees them)."""
        return [b for b in self.whole.sorted_briefs() if not self.carries(b.marking)]

    def visible(self, kind: str, table: dict[str, R]) -> dict[str, R]:
        """A table of records of `kind` as the channel sees it."""
        return {rid: record for rid, record in table.items() if self.shows(kind, rid)}

    @cached_property
    def project(self) -> Project:
        """The project holding only what the channel may show: every stage after `check` reads this one."""
        whole = self.whole
        if self.channel is TOP:
            return whole
        # A new Project (not a copy): its indexes (caveats by fact, unknowns by fact) are made from what it holds.
        return replace(whole, sources=self.visible("source", whole.sources), facts=self.visible("fact", whole.facts),
                       caveats=self.caveats, unknowns=self.visible("unknown", whole.unknowns),
                       events=self.visible("event", whole.events), charts=self.visible("chart", whole.charts),
                       judgments=self.visible("judgment", whole.judgments),
                       entities=self.visible("entity", whole.entities), terms=self.visible("term", whole.terms),
                       briefs={b.id: b for b in self.briefs}, derived={"markings": self.markings})

    @cached_property
    def caveats(self) -> dict[str, Caveat]:
        """The caveats the channel shows that qualify something on it: a caveat travels with its facts, so one whose
        every fact is above the channel goes with them, unless a brief the channel carries lists it itself."""
        listed = {c for brief in self.briefs for section in brief.sections for c in section.caveats}
        return {cid: caveat for cid, caveat in self.visible("caveat", self.whole.caveats).items()
                if cid in listed or any(self.shows("fact", f) for f in caveat.applies_to)}

    def within(self, marking: Marking) -> ChannelView:
        """The view no wider than `marking`: what a brief marked so may show (its terms, the old editions it may
        quote), on this channel."""
        narrower = marking if marking.rank < self.channel.rank else self.channel
        if narrower is self.channel:
            return self
        if narrower not in self._narrower:
            self._narrower[narrower] = ChannelView(self.whole, narrower, self.markings)
        return self._narrower[narrower]
