"""Currency: how far a brief's date runs past its evidence, and which of its facts were read again at their
sources. Both are derived from the record (the sources a brief cites, the day each source was last read), never
from a date typed for the purpose, so a brief cannot look fresher than what it rests on.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from briefwright.core.diagnostics import Collector, Diagnostic
from briefwright.core.model import Brief, Fact, PartialDate, Source


def limit(settings: Any, brief: Brief) -> int:
    """Most days the brief's date may run past its newest cited source: its own setting, else the project's."""
    return brief.currency_days or settings.currency_days


def newest_source(cited: Iterable[Source]) -> Source | None:
    """The cited source reaching furthest. A living page is dated the day it was read, not written, so it counts
    only when the brief cites nothing else."""
    cited = list(cited)
    dated = [s for s in cited if not s.living] or cited
    return max(dated, key=lambda s: s.published.reach(), default=None)


def gap_days(day: dt.date, newest: PartialDate) -> int:
    """Days from the last day the newest source may stand for ('2026-02': the 28th) to the brief's date."""
    return (day - newest.latest_day()).days


def reread(fact: Fact, sources: Mapping[str, Source]) -> dt.date | None:
    """The day the fact was last checked against all of its sources (each side's too): the earliest of the days
    they were last read; None when one of them records no such day (a fact is as checked as its least read source)."""
    ids = dict.fromkeys([*fact.sources, *(s for side in fact.sides for s in side.sources)])
    days = [sources[s].retrieved if s in sources else None for s in ids]
    if not days or any(d is None for d in days):
        return None
    return min(d for d in days if d is not None)


def facts_checked(facts: Iterable[Fact], sources: Mapping[str, Source]) -> tuple[dt.date | None, int, int]:
    """(the earliest day any counted fact was checked, how many facts count, how many the brief relies on)."""
    facts = list(facts)
    days = [d for d in (reread(f, sources) for f in facts) if d is not None]
    return (min(days) if days else None), len(days), len(facts)


def check_currency(project: Any, resolved: Sequence[Mapping[str, Any]], out: Collector) -> dict[str, Diagnostic]:
    """`check`'s part: a brief whose gap exceeds its currency_days and that says nothing about it is a warning at its
    date (an error under --strict; `release` refuses it). Returns those warnings by brief id. A currency_note with no
    gap to explain is never printed: a warning, at the note, to remove it."""
    blocking: dict[str, Diagnostic] = {}
    for brief_data in resolved:
        brief = project.briefs[brief_data["id"]]
        gap = brief_data.get("currency_gap")
        if gap is not None and brief.currency_note is None:
            where = "this brief's currency_days" if brief.currency_days else "currency_days in project.yaml"
            out.warning(brief.at("date"),
                        f"brief '{brief.id}' is dated {brief.date.isoformat()}, {gap['days']} days after its newest "
                        f"cited source ('{gap['source']}', published {gap['value']}), more than {where} "
                        f"({gap['limit']}): it prints 'Evidence to {gap['display']}; not surveyed since' beside its "
                        "date; bring its evidence forward, or say why in currency_note (printed with it)",
                        hint="`check --strict` and `release` refuse this brief until one of those is done")
            blocking[brief.id] = out.diagnostics[-1]
        elif gap is None and brief.currency_note is not None:
            out.warning(brief.at("currency_note"),
                        f"brief '{brief.id}': its currency_note is not printed, since its newest cited source is "
                        f"within {limit(project.settings, brief)} days of its date; remove the note")
    return blocking
