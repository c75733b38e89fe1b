"""The audience registry: who a brief is for decides its template and how caveats are placed.

Built-in audiences are registered through `register_audience`, the same hook a project uses.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Severity


@dataclass(frozen=True)
class Audience:
    id: str
    label: str
    template: str
    inline_caveats: frozenset  # severities shown beside the fact; the rest go to a caveats section
    notes: str = "endnotes"  # "footnotes" (at the foot of the page in print) or "endnotes"
    # The order of a section's items on the page; resolve numbers sources in this order.
    order: tuple[str, ...] = ("judgments", "facts", "charts", "events", "caveats", "unknowns")
    split_claims: bool = False  # checked facts first, then those only claimed or disputed, under their own heads
    numbered_paragraphs: bool = False  # Word editions number body paragraphs, for submissions cited by paragraph


AUDIENCES: dict[str, Audience] = {}


SECTION_ITEMS = frozenset({"judgments", "facts", "charts", "events", "caveats", "unknowns"})


def register_audience(audience: Audience) -> Audience:
    if sorted(audience.order) != sorted(SECTION_ITEMS):
        raise ValueError(f"audience '{audience.id}': order must list each of {', '.join(sorted(SECTION_ITEMS))} once")
    AUDIENCES[audience.id] = audience
    return audience


_CRITICAL = frozenset({Severity.CRITICAL})
for _audience in (
    Audience("policymaker", "Legislators and policymakers", "policymaker.html", _CRITICAL, "footnotes"),
    # Compliance readers work from dates and rules: the timeline comes before the facts.
    Audience("compliance", "Export-control and compliance officers", "compliance.html", _CRITICAL,
             order=("judgments", "events", "charts", "facts", "caveats", "unknowns")),
    Audience("technical", "Technical analysts", "technical.html", _CRITICAL),
    Audience("market", "Investors and market analysts", "market.html", _CRITICAL),
    Audience("public", "Press and the public", "public.html", frozenset({Severity.CRITICAL, Severity.MAJOR}),
             split_claims=True),
):
    register_audience(_audience)
