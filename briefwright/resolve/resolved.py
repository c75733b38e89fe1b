"""The resolved brief: what resolve gives every later stage, typed at the top and frozen all the way down.

Its fields are the keys of the JSON-ready dict resolve gave before (templates, formats and cache keys read the
same names), each a field here; nested data is frozen as the resolver made it: a dict becomes a read-only
`types.MappingProxyType`, a list a tuple. Nothing after resolve can change it: assigning a field, an item or
appending raises. `to_data()` gives the plain dict back, field for field (a JSON dump of it is the same bytes
as before, so cache keys are unchanged); a stage that needs something else computes it into its own value.

A resolved brief also reads as a mapping of its fields (`brief["sections"]`, `brief.get("translation")`), the
way templates and formats have always read it.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

Frozen = Mapping[str, Any]  # a dict the resolver made, frozen (MappingProxyType over a private copy)


def freeze(value: Any) -> Any:
    """A deep, read-only copy: dicts as MappingProxyType, lists as tuples, everything else as it is (the resolver
    makes plain dicts and lists only, so exact types are asked: a third of the cost of isinstance here)."""
    kind = type(value)
    if kind is dict:
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if kind is list or kind is tuple:
        return tuple([freeze(item) for item in value])
    return value


def thaw(value: Any) -> Any:
    """The plain JSON-ready value again (a fresh copy the caller owns): mappings as dicts, tuples as lists."""
    kind = type(value)
    if kind is MappingProxyType or kind is dict:
        return {key: thaw(item) for key, item in value.items()}
    if kind is tuple or kind is list:
        return [thaw(item) for item in value]
    return value


@dataclass(frozen=True, eq=False)
class ResolvedBrief(Mapping[str, Any]):
    """One edition of a brief (its source language, or a translation), as every page and file of it shows it."""

    id: str
    title: str
    short_title: str | None
    audience: Frozen  # id, label, notes, order, split_claims
    template: str
    date: str
    date_display: str
    edition: int
    page_limit: int | None
    marking: Frozen  # value, label, css, public
    portion_marks: bool
    numbered_paragraphs: bool
    bottom_line_html: str
    bottom_line_text: str
    subject: str
    keywords: tuple[str, ...]
    organisation: str | None
    site_title: str | None
    logo: str | None
    icon: str | None
    language: str
    paper: str
    slide_layouts: Frozen
    sources_to: Frozen | None
    currency_gap: Frozen | None
    currency_note_html: str | None
    facts_checked: Frozen | None
    sections: tuple[Frozen, ...]
    screening: Frozen | None
    glossary: tuple[Frozen, ...]
    caveats_section: tuple[Frozen, ...]
    unknowns_section: tuple[Frozen, ...]
    changes: Frozen | None
    changes_note_html: str | None
    earlier_editions: tuple[Frozen, ...]
    likelihood_standard: str
    uses_likelihood: bool
    likelihood_scale: tuple[Frozen, ...]
    quantities: tuple[Frozen, ...]
    likelihood_legend: str
    likelihood_used: tuple[Frozen, ...]
    print_glossary: bool
    notes: tuple[Frozen, ...]
    downloads: tuple[Frozen, ...]
    url: str | None
    alternates: tuple[Frozen, ...]  # every language edition of the brief, when it has more than one
    translation: Frozen | None  # in a translated edition: lang, source, pending, mark
    required: Frozen  # what the page must show: caveats, unknowns, labelled facts, unverified judgments
    slides: Frozen | None  # what only the slides show: charts, caveats, unknowns, notes (resolver.slide_charts)
    jsonld_html: str

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ResolvedBrief:
        """The frozen brief of a resolved dict holding every field."""
        return cls(**{name: freeze(data[name]) for name in FIELD_NAMES})

    def to_data(self) -> dict[str, Any]:
        """The brief as the plain, JSON-ready dict resolve used to return: a copy of its own."""
        return {name: thaw(getattr(self, name)) for name in FIELD_NAMES}

    def __getitem__(self, name: str) -> Any:
        if name not in _FIELD_SET:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(FIELD_NAMES)

    def __len__(self) -> int:
        return len(FIELD_NAMES)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # MappingProxyType does not pickle: a resolved brief travels (to a worker, say) as its data, refrozen there.
        return ResolvedBrief.from_data, (self.to_data(),)


FIELD_NAMES = tuple(f.name for f in fields(ResolvedBrief))
_FIELD_SET = frozenset(FIELD_NAMES)
