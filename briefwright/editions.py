"""Editions: what a brief relied on when it was released, and what changed since the last release.

`release` records an edition's facts and caveats in editions/<brief>/<n>.json; the next edition's
build reads that record back and shows a "what changed" section.
"""
from __future__ import annotations

import json
from pathlib import Path

from .diagnostics import Collector, Loc
from .model import Brief
from .project import Project

EDITIONS = "editions"


def edition_path(root: Path, brief_id: str, edition: int) -> Path:
    return root / EDITIONS / brief_id / f"{edition}.json"


def edition_record(project: Project, brief: Brief) -> dict:
    facts = project.used_facts(brief)
    caveats = sorted({c.id for f in facts for c in project.caveats_of(f)})
    return {"brief": brief.id, "edition": brief.edition, "date": brief.date.isoformat(),
            "facts": {f: project.facts[f].statement for f in facts}, "caveats": caveats}


def release(project: Project, brief_id: str) -> Path:
    """Record the brief's facts as its current edition; never overwrites an earlier record."""
    brief = project.briefs[brief_id]
    path = edition_path(project.root, brief_id, brief.edition)
    if path.exists():
        raise FileExistsError(f"edition {brief.edition} of '{brief_id}' is already recorded in {path}; "
                              f"raise 'edition' in briefs/{brief_id}.yaml first")
    path.parent.mkdir(parents=True, exist_ok=True)
    record = edition_record(project, brief)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.rename(path)
    return path


def load_previous_edition(project: Project, brief: Brief, out: Collector) -> dict | None:
    if brief.edition < 2:
        return None
    path = edition_path(project.root, brief.id, brief.edition - 1)
    if not path.exists():
        previous = brief.edition - 1
        out.warning(brief.at("edition"), f"brief '{brief.id}' is edition {brief.edition}, but edition {previous} was "
                    f"never recorded, so it shows no 'what changed'; set edition back to {previous}, run "
                    f"`python build.py release {brief.id}`, then raise it")
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record.get("facts"), dict) or not isinstance(record.get("caveats"), list):
            raise ValueError("missing 'facts' or 'caveats'")
        return record
    except (OSError, ValueError, AttributeError) as exc:
        out.error(Loc(path, 1, 1), f"edition record is unreadable: {exc}")
        return None


def previous_editions(project: Project, out: Collector) -> dict[str, dict]:
    """The recorded previous edition of every brief that has one, by brief id."""
    found: dict[str, dict] = {}
    for brief in project.briefs.values():
        record = load_previous_edition(project, brief, out)
        if record is not None:
            found[brief.id] = record
    return found


def changes_since(previous: dict, current: dict) -> dict:
    old, new = previous["facts"], current["facts"]
    return {
        "since": previous["edition"],
        "added": [f for f in new if f not in old],
        "changed": [{"id": f, "old": old[f], "new": new[f]} for f in new if f in old and old[f] != new[f]],
        "withdrawn": [{"id": f, "old": old[f]} for f in old if f not in new],
        "caveats_added": [c for c in current["caveats"] if c not in previous["caveats"]],
    }
