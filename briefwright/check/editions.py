"""Editions: what a brief relied on when it was released, the files it was published as, and what changed since.

`release` records an edition in editions/<brief>/<n>.json: its title, date and marking, what it printed (bottom
line, sections, facts, caveats, judgments), the files it was published as (editions/<brief>/<n>.pdf, .docx, ...)
each with its sha256, and the git commit whose tree held its sources. The files are kept as bytes beside the record
and tracked in git: they are the record of what readers got, never re-derived. `check` reads them and compares
their hashes; re-rendering from the commit is an audit (`editions audit`, audit.py), never a gate. The next
edition's build reads the record back for its "what changed" section, and the site serves the stored files as the
brief's earlier editions.
The editions folder sits beside the briefs/ folder that holds the brief, so a private brief's editions stay in
its private folder.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
import os
from pathlib import Path

from briefwright.check.reproduce import REPRODUCING, NotReproducible, rebuild
from briefwright.core.diagnostics import Collector, Loc
from briefwright.core.model import Brief, Judgment, Marking, Section
from briefwright.source.project import Project

EDITIONS = "editions"
# Set while `editions restore` or `audit` loads the project: a missing published file is what they are there for.
MISSING_FILES_EXPECTED: contextvars.ContextVar[bool] = contextvars.ContextVar("missing_files_expected", default=False)


def editions_folder(project: Project, brief: Brief) -> Path:
    """editions/<brief> in the folder (the project's, or a private one) whose briefs/ holds the brief."""
    path = brief.loc.path.resolve() if brief.loc is not None else project.root / "briefs"
    for root in [*project.private_roots, project.root]:
        if path.is_relative_to(root.resolve() / "briefs"):
            return root / EDITIONS / brief.id
    return project.root / EDITIONS / brief.id


def edition_path(folder: Path, edition: int) -> Path:
    return folder / f"{edition}.json"


def edition_record(project: Project, brief: Brief) -> dict:
    """What the brief shows of the desk's record, as the next edition compares it."""
    facts = project.used_facts(brief)
    caveats = dict.fromkeys(c.id for f in facts for c in project.caveats_of(f))
    caveats.update(dict.fromkeys(c for s in brief.sections for c in s.caveats))
    judgments = [project.judgments[j] for s in brief.sections for j in dict.fromkeys(s.judgments)]
    return {"brief": brief.id, "edition": brief.edition, "date": brief.date.isoformat(), "title": brief.title,
            "marking": brief.marking.value,
            "bottom_line": str(brief.bottom_line),
            # printed under the date line while the evidence is older than currency_days (resolve.py)
            "currency_note": None if brief.currency_note is None else str(brief.currency_note),
            "sections": [section_text(s) for s in brief.sections],
            "facts": {f: project.facts[f].statement for f in facts},
            "caveats": {c: {"title": project.caveats[c].title, "body": project.caveats[c].body} for c in sorted(caveats)},
            "judgments": {j.id: judgment_text(j) for j in judgments},
            "slide_charts": list(brief.slide_charts)}  # drawn on its slides only


def section_text(section: Section) -> dict:
    """A section as the edition printed it: heading, the analyst's text and what it shows, in order."""
    return {"title": section.title, "intro": None if section.intro is None else str(section.intro),
            **{part: list(getattr(section, part)) for part in ("judgments", "facts", "charts", "events", "caveats",
                                                               "unknowns") if getattr(section, part, None)}}


# What an edition printed, as its record holds it; a record written before a part was recorded is compared on the
# parts it holds.
PRINTED = ("title", "marking", "bottom_line", "currency_note", "sections", "facts", "caveats", "judgments",
           "slide_charts")


def unreleased_changes(record: dict, current: dict) -> list[str]:
    """What the brief prints now that differs from the released record of the same edition, as short phrases."""
    said = []
    for part in PRINTED:
        if part not in record:
            continue
        old, new = record[part], current[part]
        if part == "caveats":  # an early record lists caveat ids only (text None): compare what it holds
            new = {c: (None if c in old and old[c] is None else v) for c, v in new.items()}
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            ids = sorted({k for k in old.keys() | new.keys() if old.get(k) != new.get(k)})
            said.append(f"{part.replace('_', ' ')} {', '.join(repr(i) for i in ids[:4])}"
                        + (f" and {len(ids) - 4} more" if len(ids) > 4 else ""))
        else:
            said.append(part.replace("_", " "))
    return said


def check_released(project: Project, recorded: dict[str, list[dict]], out: Collector) -> None:
    """A brief whose current edition is already released must still print what that edition printed: a change
    without a new edition number would serve an 'Edition N' that differs from the published file."""
    for brief in project.sorted_briefs():
        record = next((r for r in recorded.get(brief.id, []) if r["edition"] == brief.edition), None)
        if record is None:
            continue
        current = edition_record(project, brief)
        if "currency_note" not in record and current["currency_note"] is not None:
            # Not an error: a record made before the field existed cannot say what the note was (none was printed).
            out.note(brief.at("currency_note"), f"brief '{brief.id}': edition {brief.edition} was released before "
                     f"currency notes were recorded, so its published files (editions/{brief.id}/{brief.edition}.*) "
                     "carry none; its page prints the note while the evidence is older than currency_days")
        changed = unreleased_changes(record, current)
        if changed:
            out.error(brief.at("edition"),
                      f"brief '{brief.id}' is edition {brief.edition}, released on {record.get('date')} "
                      f"(editions/{brief.id}/{brief.edition}.json), but what it prints has changed since: "
                      f"{'; '.join(changed)}; raise 'edition' to {brief.edition + 1} (with a changes_note) and "
                      "release it, or revert the change")


def judgment_text(judgment: Judgment) -> str:
    """A judgment as one line, so a change of likelihood, confidence or window shows as a change."""
    parts = [judgment.statement.strip()]
    if judgment.likelihood is not None:
        parts.append(f"Likelihood: {judgment.likelihood.value} ({judgment.likelihood.row}).")
    parts.append(f"{judgment.confidence.label}.")
    if judgment.window is not None:
        parts.append(f"Forecast window: {judgment.window.display()}.")
    return " ".join(parts)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def release(project: Project, brief_id: str, files: dict[str, tuple[str, bytes]] | None = None,
            commit: str | None = None) -> Path:
    """Record the brief as its current edition, with the files it is published as (by suffix: label and bytes);
    never overwrites an earlier record or file. The record is written last, so a failure leaves no record."""
    brief = project.briefs[brief_id]
    folder = editions_folder(project, brief)
    path = edition_path(folder, brief.edition)
    targets = {suffix: folder / f"{brief.edition}{suffix}" for suffix in files or {}}
    for existing in [path, *targets.values()]:
        if existing.exists():
            raise FileExistsError(f"edition {brief.edition} of '{brief_id}' is already recorded in {existing}; "
                                  f"raise 'edition' in briefs/{brief_id}.yaml first")
    folder.mkdir(parents=True, exist_ok=True)
    record = edition_record(project, brief)
    record["commit"] = commit
    record["files"] = {}
    written: list[Path] = []
    try:
        for suffix, (label, data) in (files or {}).items():
            target = targets[suffix]
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.rename(target)
            written.append(target)
            record["files"][suffix.lstrip(".")] = {"file": target.name, "label": label, "sha256": sha256(data),
                                                   "bytes": len(data)}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.rename(path)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return path


def _line_of(text: str, needle: str) -> int:
    """The line of the first occurrence of `needle` in a record's text (1 when absent)."""
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def read_record(path: Path, out: Collector) -> dict | None:
    """An edition record, normalised (a record written before caveats carried their text lists their ids), with
    every archived file it names checked against its hash; problems are located errors in the record."""
    try:
        text = path.read_text(encoding="utf-8")
        record = json.loads(text)
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        if not isinstance(record.get("facts"), dict) or not isinstance(record.get("caveats"), (list, dict)):
            raise ValueError("missing 'facts' or 'caveats'")
        if not isinstance(record.get("edition"), int):
            raise ValueError("missing 'edition'")
        if isinstance(record["caveats"], list):
            record["caveats"] = {c: None for c in record["caveats"]}
        record.setdefault("files", {})
        if not isinstance(record["files"], dict) or not all(isinstance(f, dict) for f in record["files"].values()):
            raise ValueError("'files' must map each format to its file and hash")
    except (OSError, ValueError, AttributeError) as exc:
        out.error(Loc(path, 1, 1), f"edition record is unreadable: {exc}")
        return None
    ok = True
    for fmt, entry in list(record["files"].items()):
        name, expected = entry.get("file"), entry.get("sha256")
        line = _line_of(text, f'"{fmt}": {{')
        if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith(".") or not isinstance(expected, str):
            out.error(Loc(path, line, 1), f"edition record: the {fmt} entry needs 'file' (a file name beside the record) "
                      "and 'sha256'")
            ok = False
            continue
        archived = path.parent / name
        if not archived.is_file() and (os.environ.get(REPRODUCING) or MISSING_FILES_EXPECTED.get()):
            del record["files"][fmt]  # an audit rebuilding a later edition: its own earlier editions are not needed
            continue
        if not archived.is_file():
            out.error(Loc(path, _line_of(text, f'"file": "{name}"'), 1),
                      f"edition {record['edition']} of '{path.parent.name}' was published as {name}, but {archived} is "
                      "missing; it is the record of what readers got, kept beside its record: restore it (`git checkout "
                      f"-- {archived.name}` in {path.parent}, or from where it was sent out)"
                      + ("; a desk that released before files were kept can run `briefwright editions restore` to rebuild "
                         "it from the commit the record names, kept only if its sha256 matches"
                         if isinstance(record.get("commit"), str) else ""))
            ok = False
        elif sha256(archived.read_bytes()) != expected:
            out.error(Loc(path, _line_of(text, f'"sha256": "{expected}"'), 1),
                      f"{archived} does not match the sha256 its edition record holds: the published file was changed "
                      "after release; restore it (`git checkout` it, or take it from where it was sent out)")
            ok = False
    return record if ok else None


def restore(project: Project, brief_ids: list[str] | None = None) -> list[str]:
    """`editions restore`: rebuild the published files missing beside each record from the commit it names, and
    keep each only if its sha256 equals the recorded one (for desks that released when files were not kept).
    Returns one line per file, saying what happened."""
    lines = []
    for brief in project.sorted_briefs():
        if brief_ids and brief.id not in brief_ids:
            continue
        folder = editions_folder(project, brief)
        for path in sorted(folder.glob("*.json"), key=lambda p: (len(p.stem), p.stem)) if folder.is_dir() else []:
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                files = record.get("files") or {}
            except (OSError, ValueError):
                lines.append(f"{path}: unreadable record, skipped")
                continue
            missing = {fmt: e for fmt, e in files.items() if isinstance(e, dict) and isinstance(e.get("file"), str)
                       and "/" not in e["file"] and not e["file"].startswith(".") and not (folder / e["file"]).is_file()}
            if not missing:
                continue
            commit = record.get("commit")
            if not isinstance(commit, str):
                lines.append(f"{path}: {', '.join(e['file'] for e in missing.values())} missing and the record names no "
                             "commit to rebuild from; restore the published files from where they were sent out")
                continue
            try:
                rebuilt = rebuild(project.root, commit, brief.id, list(missing))
            except NotReproducible as exc:
                lines.append(f"{path}: cannot rebuild: {exc}")
                continue
            for fmt, entry in missing.items():
                data = rebuilt.get(fmt)
                target = folder / entry["file"]
                if data is None or sha256(data) != entry.get("sha256"):
                    lines.append(f"{target}: rebuilt from {commit[:12]}, but its sha256 differs from the recorded one "
                                 "(this machine's fonts or libraries differ from the release's; `briefwright doctor` "
                                 "and `briefwright editions audit` show how); not kept")
                    continue
                tmp = target.with_name(target.name + ".tmp")
                tmp.write_bytes(data)
                tmp.rename(target)
                lines.append(f"{target}: restored (sha256 matches the record); commit it")
    return lines


def recorded_editions(project: Project, out: Collector) -> dict[str, list[dict]]:
    """Every recorded edition of every brief, checked, oldest first, by brief id."""
    found: dict[str, list[dict]] = {}
    for brief in project.sorted_briefs():
        folder = editions_folder(project, brief)
        paths = sorted((p for p in folder.glob("*.json") if p.stem.isdigit()), key=lambda p: int(p.stem)) \
            if folder.is_dir() else []
        records = []
        for path in paths:
            record = read_record(path, out)
            if record is not None:
                record["folder"] = str(folder)
                records.append(record)
        found[brief.id] = records
    return found


def previous_edition(project: Project, brief: Brief, records: list[dict], out: Collector) -> dict | None:
    if brief.edition < 2:
        return None
    previous = brief.edition - 1
    for record in records:
        if record["edition"] == previous:
            return record
    if edition_path(editions_folder(project, brief), previous).exists():
        return None  # recorded, but reading it failed: that error is reported at the record
    out.warning(brief.at("edition"), f"brief '{brief.id}' is edition {brief.edition}, but edition {previous} was "
                f"never recorded, so it shows no 'what changed'; set edition back to {previous}, run "
                f"`briefwright release {brief.id}`, then raise it")
    return None


def previous_editions(project: Project, out: Collector, recorded: dict[str, list[dict]] | None = None) -> dict[str, dict]:
    """The recorded previous edition of every brief that has one, by brief id."""
    recorded = recorded if recorded is not None else recorded_editions(project, out)
    found: dict[str, dict] = {}
    for brief in project.briefs.values():
        record = previous_edition(project, brief, recorded.get(brief.id, []), out)
        if record is not None:
            found[brief.id] = record
    return found


def earlier_editions(brief: Brief, records: list[dict]) -> list[dict]:
    """The brief's earlier editions a reader of this edition may have: those marked no higher than the brief is now
    (an edition once marked AMBER never reaches a page a CLEAR channel carries), newest first."""
    shown = []
    for record in records:
        try:
            marking = Marking.parse(record.get("marking", brief.marking.value))
        except ValueError:
            continue
        if record["edition"] >= brief.edition or not marking.allowed_in(brief.marking):
            continue
        shown.append({"edition": record["edition"], "date": record.get("date"), "title": record.get("title"),
                      "marking": marking.value,
                      "files": [{"format": fmt, "label": entry.get("label", fmt.upper()), "file": entry["file"],
                                 "sha256": entry["sha256"], "kb": max(1, round(entry.get("bytes", 0) / 1024))}
                                for fmt, entry in record["files"].items()]})
    return sorted(shown, key=lambda e: -e["edition"])


def changes_since(previous: dict, current: dict) -> dict:
    old, new = previous["facts"], current["facts"]
    old_caveats, new_caveats = previous["caveats"], current["caveats"]
    old_judgments, new_judgments = previous.get("judgments"), current["judgments"]

    def caveat_changed(c: str) -> bool:
        before = old_caveats[c]
        return before is not None and before != new_caveats[c]
    changes = {
        "since": previous["edition"],
        "added": [f for f in new if f not in old],
        "changed": [{"id": f, "old": old[f], "new": new[f]} for f in new if f in old and old[f] != new[f]],
        "withdrawn": [{"id": f, "old": old[f]} for f in old if f not in new],
        "caveats_added": [c for c in new_caveats if c not in old_caveats],
        "caveats_changed": [{"id": c, "old": old_caveats[c], "new": new_caveats[c]} for c in new_caveats
                            if c in old_caveats and caveat_changed(c)],
        "caveats_removed": [{"id": c, "old": old_caveats[c]} for c in old_caveats if c not in new_caveats],
        "judgments_added": [], "judgments_changed": [], "judgments_removed": [],
    }
    if old_judgments is not None:  # a record written before judgments were recorded compares facts and caveats only
        changes["judgments_added"] = [j for j in new_judgments if j not in old_judgments]
        changes["judgments_changed"] = [{"id": j, "old": old_judgments[j], "new": new_judgments[j]}
                                        for j in new_judgments if j in old_judgments and old_judgments[j] != new_judgments[j]]
        changes["judgments_removed"] = [{"id": j, "old": old_judgments[j]} for j in old_judgments if j not in new_judgments]
    return changes
