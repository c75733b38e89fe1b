"""`new brief` and `new fact`: a commented starting file that passes `check` at once, never overwriting."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .project import Project


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


def new_brief(project: Project, brief_id: str, audience: str, today: dt.date) -> Path:
    if audience not in project.audiences:
        raise ScaffoldError(f"unknown audience '{audience}'; use one of: {', '.join(project.audiences)}")
    if brief_id in project.briefs:
        raise ScaffoldError(f"a brief with id '{brief_id}' already exists")
    if not project.facts:
        raise ScaffoldError("the project has no facts yet; add one first with `new fact <id>`")
    first_fact = sorted(project.facts)[0]
    text = f"""# yaml-language-server: $schema=../schemas/brief.schema.json
# A new brief for {project.audiences[audience].label.lower()}. Fields are described in docs/authoring.md.
id: {brief_id}
title: Working title of the brief
short_title: Short title for the running head
audience: {audience}
date: {today.isoformat()}
edition: 1
page_limit: 2          # the build fails if the PDF runs longer
marking: GREEN          # TLP 2.0: CLEAR, GREEN, AMBER, AMBER+STRICT or RED (only CLEAR goes on the public site)
bottom_line: >
  One paragraph: what the reader must know, up front.
sections:
  - title: Key facts
    intro: Why these facts matter to this audience.
    facts:
      - {first_fact}     # replace with the facts this brief uses; their caveats are added for you
"""
    return _write_new(project.root / "briefs" / f"{brief_id}.yaml", text)


def new_fact(project: Project, fact_id: str, today: dt.date) -> Path:
    if fact_id in project.facts:
        raise ScaffoldError(f"a fact with id '{fact_id}' already exists ({project.facts[fact_id].loc})")
    if not project.sources:
        raise ScaffoldError("the project has no sources yet; add one to content/sources.yaml first")
    first_source = sorted(project.sources)[0]
    text = f"""# yaml-language-server: $schema=../../schemas/content.schema.json
# A new fact. Every fact names its sources; see docs/authoring.md for each field.
facts:
  - id: {fact_id}
    statement: State the fact in your own words, in one or two sentences.
    sources:
      - {first_source}   # replace with the source ids that support it
    status: reported       # confirmed, reported, claimed (by the subject) or conflicting (then add sides)
    confidence: moderate   # high, moderate or low
    as_of: {today.isoformat()}
    tags: []
"""
    return _write_new(project.root / "content" / "facts" / f"{fact_id}.yaml", text)
