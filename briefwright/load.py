"""Stage 1, load: read project settings, content files and brief files into typed records."""
from __future__ import annotations

from pathlib import Path
from typing import cast

from .diagnostics import Collector, Loc
from .model import CONTENT_KINDS, Brief, Record, Settings, parse_record
from .project import Project
from .yamlfile import YList, YMap, load_yaml, scan_ids

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


def load_project(root: Path, out: Collector, private: bool = True) -> Project | None:
    """Read every file of the project and (unless `private` is false) of the private folders it names;
    problems go to `out`, loading carries on past them."""
    root = root.resolve()
    settings = load_settings(root, out)
    # Without settings the content is still read, so one run reports every problem; the project is not returned.
    project = Project(root=root, settings=cast(Settings, settings))
    _load_folder(project, root, out)
    if settings is None:
        return None
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
        _load_folder(project, folder, out)
    return project


def _mark_unreadable(project: Project, path: Path) -> None:
    """The records a file YAML could not read seems to hold, found by their `id:` lines: references to them
    are not reported as unknown, since the file's own error is their one cause."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return
    kinds = [cls.KIND for cls in CONTENT_KINDS.values()]
    for section, record_id in scan_ids(text):
        cls = CONTENT_KINDS.get(section or "")
        for kind in [cls.KIND] if cls else kinds:
            project.broken.setdefault((kind, record_id), path)


def _load_folder(project: Project, root: Path, out: Collector) -> None:
    """The content/ and briefs/ of one folder: the project's own, or a private overlay's."""
    for path in _yaml_files(root / "content", out):
        data = load_yaml(path, out)
        if data is None:
            _mark_unreadable(project, path)
            continue
        for key, items in data.items():
            cls = CONTENT_KINDS.get(key)
            if cls is None:
                out.error(data.key_locs[key], f"unknown section '{key}'; a content file may hold: {', '.join(CONTENT_KINDS)}")
                continue
            if not isinstance(items, YList):
                out.error(data.value_locs[key], f"'{key}' must be a list of {cls.KIND} entries")
                continue
            for index, item in enumerate(items):
                if not isinstance(item, YMap):
                    out.error(items.item_locs[index], f"each entry of '{key}' must be a mapping of fields")
                    continue
                record = parse_record(cls, item, out)
                if record is not None:
                    _add(project.table(cls.KIND), record, cls.KIND, out)
                elif isinstance(item.get("id"), str):
                    project.broken[(cls.KIND, item["id"])] = None  # its own errors say why; nothing is counted
    for path in _yaml_files(root / "briefs", out):
        data = load_yaml(path, out)
        if data is None:
            continue
        brief = parse_record(Brief, data, out)
        if brief is None:
            continue
        if brief.id != path.stem:
            out.error(brief.at("id"), f"brief id '{brief.id}' does not match its file name '{path.name}'; name the file {brief.id}.yaml")
        _add(project.briefs, brief, "brief", out)
