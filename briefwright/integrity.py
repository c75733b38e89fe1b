"""Integrity tools beyond validation: typed-in numbers in templates, editions, and `explain`."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .diagnostics import Collector, Loc
from .resolve import caveats_of, used_facts

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&#?\w+;")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def check_template_numbers(dirs: list[Path], out: Collector) -> None:
    """Numbers a reader sees must come from facts: refuse digits typed into a template's text."""
    for folder in dirs:
        for path in sorted(folder.rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            for pattern in (_JINJA, _STYLE, _TAG, _ENTITY):
                text = pattern.sub(_blank, text)
            for m in _DIGITS.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
                out.error(Loc(path, line, col), f"number '{m.group(0)}' typed into template text; numbers must come "
                          "from facts' quantities or the brief's data")


EDITIONS = "editions"


def edition_path(root: Path, brief_id: str, edition: int) -> Path:
    return root / EDITIONS / brief_id / f"{edition}.json"


def edition_record(project, brief) -> dict:
    facts = used_facts(project, brief)
    caveats = sorted({c.id for f in facts for c in caveats_of(project, f)})
    return {"brief": brief.id, "edition": brief.edition, "date": brief.date.isoformat(),
            "facts": {f: project.facts[f].statement for f in facts}, "caveats": caveats}


def release(project, brief_id: str) -> Path:
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


def load_previous_edition(project, brief, out: Collector) -> dict | None:
    if brief.edition < 2:
        return None
    path = edition_path(project.root, brief.id, brief.edition - 1)
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record.get("facts"), dict) or not isinstance(record.get("caveats"), list):
            raise ValueError("missing 'facts' or 'caveats'")
        return record
    except (OSError, ValueError, AttributeError) as exc:
        out.error(Loc(path, 1, 1), f"edition record is unreadable: {exc}")
        return None


def changes_since(previous: dict, current: dict) -> dict:
    old, new = previous["facts"], current["facts"]
    return {
        "since": previous["edition"],
        "added": [f for f in new if f not in old],
        "changed": [{"id": f, "old": old[f], "new": new[f]} for f in new if f in old and old[f] != new[f]],
        "withdrawn": [{"id": f, "old": old[f]} for f in old if f not in new],
        "caveats_added": [c for c in current["caveats"] if c not in previous["caveats"]],
    }


def explain(project, fact_id: str) -> str:
    fact = project.facts[fact_id]
    lines = [f"fact {fact.id} ({fact.status.label}; {fact.confidence.label}; as of {fact.as_of})",
             f"  {fact.statement.strip()}", f"  defined at {fact.loc}", "sources:"]
    for sid in fact.sources:
        s = project.sources[sid]
        lines.append(f"  {sid}: {s.publisher}, \"{s.title}\" ({s.published}), {s.url} [{s.kind.label}]")
    for side in fact.sides:
        lines.append(f"  side: {side.statement.strip()} [{', '.join(side.sources)}]")
    lines.append("caveats:")
    lines += [f"  {c.id} ({c.severity.value}): {c.title}" for c in caveats_of(project, fact_id)] or ["  none"]
    lines.append("unknowns:")
    lines += [f"  {u.id}: {u.question}" for u in project.unknowns.values() if fact_id in u.facts] or ["  none"]
    lines.append("judgments resting on it:")
    lines += [f"  {j.id}: {j.statement}" for j in project.judgments.values() if fact_id in j.rests_on] or ["  none"]
    lines.append("charts drawing it:")
    lines += [f"  {c.id}: {c.title}" for c in project.charts.values() if fact_id in c.facts] or ["  none"]
    lines.append("briefs using it:")
    lines += [f"  {b.id} ({b.audience}, edition {b.edition})" for b in sorted(project.briefs.values(), key=lambda b: b.id)
              if fact_id in used_facts(project, b)] or ["  none"]
    return "\n".join(lines)
