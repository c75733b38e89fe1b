"""Stage 1, load: read project settings, content files and brief files into typed records."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from .cache import ParseCache
from .diagnostics import Collector, Loc
from .model import CONTENT_KINDS, Brief, Record, Settings, parse_record
from .project import Project
from .yamlfile import YList, YMap, load_yaml, parse_yaml, read_limited, scan_ids

SETTINGS_FILE = "project.yaml"
MAX_FILES = 5_000


def _yaml_files(folder: Path, out: Collector) -> list[Path]:
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".yaml", ".yml"):
            continue
        if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
            out.error(Loc(path, 1, 1), "links out of the project folder are not read")
            continue
        if path.is_file():
            files.append(path)
    if len(files) > MAX_FILES:
        out.error(Loc(folder), f"{len(files)} files; the limit is {MAX_FILES}")
        return []
    return files


def _add(table: dict, record: Record, kind: str, out: Collector) -> None:
    first = table.get(record.id)
    if first is not None:
        out.error(record.at("id"), f"duplicate {kind} id '{record.id}' (first defined at {first.at('id')})")
        return
    table[record.id] = record


def load_settings(root: Path, out: Collector) -> Settings | None:
    path = root / SETTINGS_FILE
    if not path.exists():
        out.error(Loc(path), f"no {SETTINGS_FILE} in {root}: is this a Briefwright project folder?")
        return None
    data = load_yaml(path, out)
    return parse_record(Settings, data, out) if data is not None else None


def load_project(root: Path, out: Collector, private: bool = True, cache: ParseCache | None = None) -> Project | None:
    """Read every file of the project and (unless `private` is false) of the private folders it names;
    problems go to `out`, loading carries on past them. With a `cache`, a file whose bytes were read before
    is not parsed again: what it gave then (records, and the same located problems) is given again."""
    root = root.resolve()
    settings = load_settings(root, out)
    # Without settings the content is still read, so one run reports every problem; the project is not returned.
    project = Project(root=root, settings=cast(Settings, settings))
    try:
        _load_all(project, settings, root, out, private, cache)
    finally:
        if cache is not None:
            cache.finish()
            project.notes += cache.warnings
            cache.warnings = []
    return project if settings is not None else None


def _load_all(project: Project, settings: Settings | None, root: Path, out: Collector, private: bool,
              cache: ParseCache | None) -> None:
    _load_folder(project, root, out, cache)
    if settings is None:
        return
    for index, name in enumerate(settings.private_content if private else []):
        folder = (root / name).resolve()
        if folder == root or folder.is_relative_to(root) or root.is_relative_to(folder):
            out.error(settings.at("private_content", index), f"private folder '{name}' must be outside the project "
                      "folder (beside it), so that the project's repository never holds it")
            continue
        if not folder.is_dir():
            project.notes.append(f"private folder {name} not found: building without its records")
            continue
        project.private_roots.append(folder)
        _load_folder(project, folder, out, cache)


# What reading one file gave, in the order it was found: ("d", diagnostic), ("r", kind, record), and
# ("b", kind, id, cause, first) for a record that failed to load. A pure function of the file's path and
# bytes, so it can be kept for the next load of the same bytes; records are added to the project (and
# duplicate ids found across files) as the events are replayed.
Events = list[tuple]


def _mark_unreadable(path: Path, data: bytes | None, events: Events) -> None:
    """The records a file YAML could not read seems to hold, found by their `id:` lines: references to them
    are not reported as unknown, since the file's own error is their one cause."""
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8", errors="replace")
    except OSError:
        return
    kinds = [cls.KIND for cls in CONTENT_KINDS.values()]
    for section, record_id in scan_ids(text):
        cls = CONTENT_KINDS.get(section or "")
        for kind in [cls.KIND] if cls else kinds:
            events.append(("b", kind, record_id, path, True))


def _read(path: Path, cache: ParseCache | None, interpret: Callable[[Path, bytes | None, Any, Collector], Events]) -> Events:
    """The events of one file: from the cache when its bytes were read before, else parsed (or rebuilt from the
    disk cache's stored parse) and interpreted."""
    local = Collector()
    data = read_limited(path, local)
    key = cache.key(data) if cache is not None and data is not None else None
    if cache is not None and key is not None:
        kept = cache.recall(path, key)
        if kept is not None:
            return kept
    tree = None
    if data is not None:
        tree = cache.tree(path, key, len(data)) if cache is not None and key is not None else None
        if tree is None:
            tree = parse_yaml(path, data, local)
            if tree is not None and cache is not None and key is not None:
                cache.store_tree(key, tree)
    events = interpret(path, data, tree, local)
    if cache is not None and key is not None:
        cache.remember(path, key, events)
    return events


def _flush(local: Collector, events: Events) -> None:
    events.extend(("d", d) for d in local.diagnostics)
    local.diagnostics.clear()


def _content_events(path: Path, data: bytes | None, tree: Any, local: Collector) -> Events:
    events: Events = []
    if tree is None:
        _flush(local, events)
        _mark_unreadable(path, data, events)
        return events
    for key, items in tree.items():
        cls = CONTENT_KINDS.get(key)
        if cls is None:
            local.error(tree.key_locs[key], f"unknown section '{key}'; a content file may hold: {', '.join(CONTENT_KINDS)}")
            continue
        if not isinstance(items, YList):
            local.error(tree.value_locs[key], f"'{key}' must be a list of {cls.KIND} entries")
            continue
        for index, item in enumerate(items):
            if not isinstance(item, YMap):
                local.error(items.item_locs[index], f"each entry of '{key}' must be a mapping of fields")
                continue
            record = parse_record(cls, item, local)
            _flush(local, events)
            if record is not None:
                events.append(("r", cls.KIND, record))
            elif isinstance(item.get("id"), str):
                events.append(("b", cls.KIND, item["id"], None, False))  # its own errors say why; nothing is counted
    _flush(local, events)
    return events


def _brief_events(path: Path, data: bytes | None, tree: Any, local: Collector) -> Events:
    events: Events = []
    brief = parse_record(Brief, tree, local) if tree is not None else None
    if brief is not None and brief.id != path.stem:
        local.error(brief.at("id"), f"brief id '{brief.id}' does not match its file name '{path.name}'; name the file {brief.id}.yaml")
    _flush(local, events)
    if brief is not None:
        events.append(("r", "brief", brief))
    return events


def _replay(project: Project, events: Events, out: Collector) -> None:
    for event in events:
        if event[0] == "d":
            out.diagnostics.append(dataclasses.replace(event[1]))  # a copy: --strict turns warnings into errors
        elif event[0] == "r":
            _add(project.briefs if event[1] == "brief" else project.table(event[1]), event[2], event[1], out)
        else:
            _, kind, record_id, cause, first = event
            if first:
                project.broken.setdefault((kind, record_id), cause)
            else:
                project.broken[(kind, record_id)] = cause


def _load_folder(project: Project, root: Path, out: Collector, cache: ParseCache | None = None) -> None:
    """The content/ and briefs/ of one folder: the project's own, or a private overlay's."""
    for path in _yaml_files(root / "content", out):
        _replay(project, _read(path, cache, _content_events), out)
    for path in _yaml_files(root / "briefs", out):
        _replay(project, _read(path, cache, _brief_events), out)
