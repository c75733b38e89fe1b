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


AUDIENCES: dict[str, Audience] = {}


def register_audience(audience: Audience) -> Audience:
    AUDIENCES[audience.id] = audience
    return audience


_CRITICAL = frozenset({Severity.CRITICAL})
for _audience in (
    Audience("policymaker", "Legislators and policymakers", "policymaker.html", _CRITICAL, "footnotes"),
    Audience("compliance", "Export-control and compliance officers", "compliance.html", _CRITICAL),
    Audience("technical", "Technical analysts", "technical.html", _CRITICAL),
    Audience("market", "Investors and market analysts", "market.html", _CRITICAL),
    Audience("public", "Press and the public", "public.html", frozenset({Severity.CRITICAL, Severity.MAJOR})),
):
    register_audience(_audience)
