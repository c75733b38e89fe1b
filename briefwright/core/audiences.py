"""The audience registry: who a brief is for decides its template and how caveats are placed.

Built-in audiences are entry points in `briefwright.audiences`, as a desk's package declares its own; a project
declares its own in project.yaml (`audiences:`), read by `project_audiences`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from briefwright.core.model import ProjectAudience, Settings, Severity
from briefwright.core.registry import Registry


@dataclass(frozen=True)
class Audience:
    id: str
    label: str
    template: str
    inline_caveats: frozenset[str]  # severities shown beside the fact; the rest go to a caveats section
    notes: str = "endnotes"  # "footnotes" (at the foot of the page in print) or "endnotes"
    # The order of a section's items on the page; resolve numbers sources in this order.
    order: tuple[str, ...] = ("judgments", "facts", "charts", "events", "caveats", "unknowns")
    split_claims: bool = False  # checked facts first, then those only claimed or disputed, under their own heads
    page_limit: int | None = None  # a brief's page_limit when it sets none
    declared: ProjectAudience | None = None  # where project.yaml declares it (None: registered in Python)
    numbered_paragraphs: bool = False  # Word editions number body paragraphs, for submissions cited by paragraph
    screening: bool = False  # "Names to screen" and "What to check" from the entities the brief names
    glossary: bool = False  # lists the glossary terms used; `check` warns on abbreviations without an entry
    slides: bool = False  # its briefs are also published as slides (.pptx), unless a brief says otherwise
    likelihood_legend: str = "full"  # print and Word: "full" ICD 203 legend, or "line" (the terms a brief uses)
    print_glossary: bool = True  # False: the glossary list is on the web page only


SECTION_ITEMS = frozenset({"judgments", "facts", "charts", "events", "caveats", "unknowns"})


def _order_error(audience: Audience) -> str | None:
    if sorted(audience.order) != sorted(SECTION_ITEMS):
        return f"audience '{audience.id}': order must list each of {', '.join(sorted(SECTION_ITEMS))} once"
    return None


# Entry points in `briefwright.audiences` (the built-ins below among them), by id.
AUDIENCES: Registry[Audience] = Registry("briefwright.audiences", "audience", Audience, lambda a: a.id, _order_error)


def register_audience(audience: Audience) -> Audience:
    """Register an audience in this process only; a package registers one for every process with an entry point."""
    problem = _order_error(audience)
    if problem:
        raise ValueError(problem)
    return AUDIENCES.add(audience)


# ProjectAudience field -> (Audience field, how the declared value becomes the audience's)
_DECLARED: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "label": ("label", lambda v: v), "template": ("template", lambda v: v),
    "inline_caveats": ("inline_caveats", frozenset), "notes": ("notes", lambda v: v.value),
    "order": ("order", lambda v: tuple(part.value for part in v)), "split_claims": ("split_claims", lambda v: v),
    "page_limit": ("page_limit", lambda v: v), "screening": ("screening", lambda v: v),
    "glossary": ("glossary", lambda v: v), "likelihood_legend": ("likelihood_legend", lambda v: v.value),
    "print_glossary": ("print_glossary", lambda v: v), "slides": ("slides", lambda v: v),
}


def project_audiences(settings: Settings) -> dict[str, Audience]:
    """The audiences a project's briefs may use: every registered one, and those project.yaml declares. One
    declared with a registered id changes only the fields it writes (a label in one line); a new one starts from
    the model's defaults. Checked by validate, so an order may be incomplete and a label missing here."""
    audiences = dict(AUDIENCES)
    for declared in settings.audiences:
        base = AUDIENCES.get(declared.id)
        written = set(declared.field_locs) if base is not None else set(_DECLARED)
        changes = {name: convert(getattr(declared, key)) for key, (name, convert) in _DECLARED.items()
                   if key in written and getattr(declared, key) is not None}
        start = base or Audience(declared.id, declared.id, declared.template, frozenset())
        audiences[declared.id] = replace(start, **changes, declared=declared)
    return audiences


_CRITICAL = frozenset({Severity.CRITICAL})
POLICYMAKER = Audience("policymaker", "Legislators and policymakers", "policymaker.html", _CRITICAL, "footnotes",
                       page_limit=2, glossary=True)
# Compliance readers work from dates and rules: the timeline comes before the facts.
COMPLIANCE = Audience("compliance", "Export-control and compliance officers", "compliance.html", _CRITICAL,
                      order=("judgments", "events", "charts", "facts", "caveats", "unknowns"), page_limit=6, screening=True)
TECHNICAL = Audience("technical", "Technical analysts", "technical.html", _CRITICAL, page_limit=8)
MARKET = Audience("market", "Investors and market analysts", "market.html", _CRITICAL, page_limit=5)
PUBLIC = Audience("public", "Press and the public", "public.html", frozenset({Severity.CRITICAL, Severity.MAJOR}),
                  split_claims=True, page_limit=4, glossary=True)
