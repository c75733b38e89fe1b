"""Stage 1, load: read project settings, content files and brief files into typed records."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from briefwright.core.diagnostics import Collector, Diagnostic, Loc
from briefwright.core.model import (
    CONTENT_KINDS,
    Brief,
    Choice,
    ForecastWindow,
    Id,
    Markdown,
    PartialDate,
    Record,
    Settings,
    Url,
    parse_plan,
)
from briefwright.source.parse_cache import ParseCache
from briefwright.source.parser import parse_record
from briefwright.source.project import Project
from briefwright.source.yamlfile import YList, YMap, decode_tree, encode_tree, load_yaml, parse_yaml, read_limited, scan_ids

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


def private_folders(root: Path) -> list[Path]:
    """The private folders project.yaml names that exist beside the project (for `schema`, which reads no content)."""
    settings = load_settings(root, Collector())
    root = root.resolve()
    folders = [(root / name).resolve() for name in (settings.private_content if settings else [])]
    return [f for f in folders if f.is_dir() and not (f == root or f.is_relative_to(root) or root.is_relative_to(f))]


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


def _read(path: Path, cache: ParseCache | None, interpret: Callable[[Path, bytes | None, Any, Collector], Events],
          context: tuple[str, ...]) -> Events:
    """The events of one file: from the cache when its bytes were read before (in memory, or on disk as records
    or as the parsed YAML), else parsed and interpreted. `context` is what else the events depend on."""
    local = Collector()
    data = read_limited(path, local)
    if cache is None or data is None:
        return interpret(path, data, parse_yaml(path, data, local) if data is not None else None, local)
    key = cache.key(data, *context)
    kept = cache.recall(path, key)
    if kept is not None:
        return kept
    tree = None
    stored = cache.stored(path, key)
    if stored is not None:
        try:
            if "events" in stored:
                events = _decode_events(stored["events"], path)
                cache.hits += 1
                cache.remember(path, key, events)
                return events
            tree = decode_tree(stored.get("tree"), path, len(data))
            cache.hits += 1
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            cache.drop(path, key, str(exc) or type(exc).__name__)
            tree = None
    parsed = tree is None
    if parsed:
        tree = parse_yaml(path, data, local)
        cache.parsed += 1
    events = interpret(path, data, tree, local)
    if parsed and tree is not None:  # a file YAML could not read is not stored: it is parsed again, as said
        try:
            payload: dict = {"events": _encode_events(events, path)}
        except (TypeError, ValueError):  # a record this codec does not know (a new field type): the tree will do
            payload = {"tree": encode_tree(tree)}
        cache.store(key, payload)
    cache.remember(path, key, events)
    return events


# --- events as plain JSON, for the parse cache on disk ---------------------------------------------------
# Records are written field by field as the model declares them (parse_plan), located by [line, column]; the
# class of each comes from where it stands (the section, the declared field type), never from the data.

def _field_codec(tp: Any) -> tuple[str, Any]:
    if tp in (str, Id, Markdown, Url, int, float, bool):
        return "plain", tp
    if tp in (PartialDate, ForecastWindow):  # text in a checked form: kept as the text
        return "partial", tp
    if tp is dt.date:
        return "date", None
    if isinstance(tp, type) and issubclass(tp, Choice):
        return "choice", tp
    if isinstance(tp, type) and issubclass(tp, Record):
        return "record", tp
    raise TypeError(f"no JSON form for a field of type {tp}")


_PLANS: dict = {}


def _plan(cls: type) -> list:
    """Per class, once: (field, codec kind, its type, is a list)."""
    if cls not in _PLANS:
        _PLANS[cls] = [(name, *_field_codec(item if item is not None else tp), item is not None)
                       for name, tp, item, _optional, _required, _spec in parse_plan(cls)]
    return _PLANS[cls]


_PLAIN = {str: str, Id: str, Markdown: str, Url: str, int: int, float: float, bool: bool}


def _encode_value(kind: str, tp: Any, value: Any, path: Path) -> Any:
    if value is None:
        return None
    if kind == "plain":
        if type(value) is not _PLAIN[tp]:
            raise TypeError(f"{type(value).__name__} where {tp} was declared")
        return value
    if kind == "partial":
        if type(value) is not tp:
            raise TypeError(f"{type(value).__name__} where {tp.__name__} was declared")
        return str(value)
    if kind == "date":
        if type(value) is not dt.date:
            raise TypeError("not a date")
        return value.isoformat()
    if kind == "choice":
        return value.value
    return _encode_record(value, path)


def _encode_loc(loc: Loc, path: Path) -> list:
    if loc.path is not path and loc.path != path:
        raise ValueError("located in another file")
    return [loc.line, loc.col]


def _encode_record(record: Record, path: Path) -> list:
    cls = type(record)
    names, index, _, _ = _names(cls)
    fields = vars(record)
    if len(fields) != len(names) + 3:  # its fields, loc, field_locs and item_locs: nothing else
        extra = set(fields) - set(names) - {"loc", "field_locs", "item_locs"}
        raise ValueError(f"attributes set outside the model: {sorted(extra)}")
    values: list = []
    for name, kind, tp, many in _plan(cls):
        value = fields[name]
        if value is None:
            values.append(None)
        elif many:
            values.append([_encode_value(kind, tp, v, path) for v in value])
        elif kind == "plain":
            if type(value) is not _PLAIN[tp]:
                raise TypeError(f"{type(value).__name__} where {tp} was declared")
            values.append(value)
        else:
            values.append(_encode_value(kind, tp, value, path))
    field_locs: list = []
    for name, loc in record.field_locs.items():
        if loc.path is not path and loc.path != path:
            raise ValueError("located in another file")
        field_locs += (index[name], loc.line, loc.col)
    item_locs = [x for name, locs in record.item_locs.items()
                 for x in (index[name], [n for loc in locs for n in _encode_loc(loc, path)])]
    return [*_encode_loc(record.loc, path), values, field_locs, item_locs]


def _encode_events(events: Events, path: Path) -> list:
    out: list = []
    for event in events:
        if event[0] == "d":
            d = event[1]
            out.append(["d", *_encode_loc(d.loc, path), d.message, d.severity, d.hint, d.syntax])
        elif event[0] == "r":
            out.append(["r", event[1], _encode_record(event[2], path)])
        elif event[3] is None:
            out.append(["b", event[1], event[2], event[4]])
        else:
            raise ValueError("a file YAML could not read is not stored")
    return out


_NAMES: dict = {}


def _names(cls: type) -> tuple[list[str], dict[str, int], list[tuple], bool]:
    """Per class, once: its field names, their positions, the fields that need converting from JSON, and whether
    its instances can be made by filling their fields in (every field the constructor takes is in the plan, and
    it does nothing after)."""
    if cls not in _NAMES:
        plan = _plan(cls)
        names = [name for name, *_ in plan]
        filled = {f.name for f in dataclasses.fields(cls) if f.init} == set(names) and not hasattr(cls, "__post_init__")
        _NAMES[cls] = (names, {n: i for i, n in enumerate(names)},
                       [(i, kind, tp, many) for i, (_, kind, tp, many) in enumerate(plan) if kind != "plain"], filled)
    return _NAMES[cls]


def _decode_record(cls: type, data: list, path: Path) -> Record:
    line, col, values, field_locs, item_locs = data
    names, _, converted, filled = _names(cls)
    if len(values) != len(names):
        raise ValueError(f"{len(values)} fields where the model has {len(names)}")
    if type(field_locs) is not list or type(item_locs) is not list or len(field_locs) % 3 or len(item_locs) % 2:
        raise ValueError("locations are not lists of the right shape")
    for i, kind, tp, many in converted:
        value = values[i]
        if value is not None:
            values[i] = [_decode_value(kind, tp, v, path) for v in value] if many else _decode_value(kind, tp, value, path)
    if filled:  # what the constructor would do, without a call per field by keyword
        record: Record = object.__new__(cls)
        fields = record.__dict__
        fields.update(zip(names, values, strict=True))  # lengths checked above
    else:
        record = cls(**dict(zip(names, values, strict=True)))
        fields = record.__dict__
        del fields["field_locs"], fields["item_locs"]
    fields["loc"] = tuple.__new__(Loc, (path, line, col))
    # Each field's and list item's location is made when first asked (Record.__getattr__): most never are.
    fields["_locs_later"] = (_unpack_locs, path, field_locs, item_locs, names)
    return record


def _unpack_locs(record: Record, path: Path, field_locs: list, item_locs: list, names: list[str]) -> None:
    new = tuple.__new__
    try:
        record.field_locs = {names[field_locs[i]]: new(Loc, (path, int(field_locs[i + 1]), int(field_locs[i + 2])))
                             for i in range(0, len(field_locs), 3)}
        record.item_locs = {names[item_locs[i]]: [new(Loc, (path, int(flat[k]), int(flat[k + 1])))
                                                  for k in range(0, len(flat), 2)]
                            for i in range(0, len(item_locs), 2) for flat in (item_locs[i + 1],)}
    except (IndexError, TypeError, ValueError):
        # Only an entry signed with this user's key gets here, so only a fault of ours could: every field is then
        # located at its record, never a traceback.
        record.field_locs, record.item_locs = {}, {}


def _decode_value(kind: str, tp: Any, value: Any, path: Path) -> Any:
    if value is None:
        return None
    if kind == "partial":
        if type(value) is not str:
            raise ValueError(f"{tp.__name__} stored as {type(value).__name__}")
        return tp(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "choice":
        return tp._value2member_map_[value]
    return _decode_record(tp, value, path)


def _decode_events(data: Any, path: Path) -> Events:
    """Events from _encode_events' JSON; raises (ValueError, TypeError, KeyError, ...) on anything else."""
    if type(data) is not list:
        raise ValueError("not a list of events")
    events: Events = []
    kinds = {cls.KIND: cls for cls in CONTENT_KINDS.values()}
    kinds["brief"] = Brief
    for event in data:
        tag = event[0]
        if tag == "d":
            _, line, col, message, severity, hint, syntax = event
            events.append(("d", Diagnostic(tuple.__new__(Loc, (path, line, col)), message, severity, hint, syntax)))
        elif tag == "r":
            events.append(("r", event[1], _decode_record(kinds[event[1]], event[2], path)))
        elif tag == "b":
            events.append(("b", event[1], event[2], None, event[3]))
        else:
            raise ValueError("not an event")
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
        _replay(project, _read(path, cache, _content_events, ("content",)), out)
        _check_schema_comment(project.root, path, out, root != project.root)
    for path in _yaml_files(root / "briefs", out):
        _replay(project, _read(path, cache, _brief_events, ("brief", path.name)), out)
        _check_schema_comment(project.root, path, out, root != project.root)


_SCHEMA_COMMENT = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)", re.M)


def _check_schema_comment(project_root: Path, path: Path, out: Collector, private: bool) -> None:
    """A file's editor comment (`# yaml-language-server: $schema=...`) must reach a schema: a brief moved into a
    private folder keeps its relative path, which then points nowhere, and the editor stops completing without a
    word. The warning gives the path that reaches the project's schemas from where the file now is."""
    try:
        with path.open("rb") as handle:
            head = handle.read(600).decode("utf-8", errors="replace")
    except OSError:
        return
    found = _SCHEMA_COMMENT.search(head)
    if found is None or re.match(r"[a-z][a-z0-9+.-]*:", found.group(1)):  # a URL: not ours to check
        return
    target = found.group(1)
    if (path.parent / target).is_file():
        return
    line = head.count("\n", 0, found.start()) + 1
    name = Path(target).name
    nearest = next((place / "schemas" / name for place in [project_root, *project_root.parents]
                    if (place / "schemas" / name).is_file()), None)
    fix = (f"write $schema={Path(os.path.relpath(nearest, path.parent)).as_posix()}" if nearest is not None
           else "run `briefwright schema` in the project folder")
    also = (" (or run `briefwright schema`, which writes schemas/ into each private folder too, so the project's "
            "relative paths work there)") if private else ""
    out.warning(Loc(path, line, found.start(1) - found.start() + 1),
                f"the editor's schema comment points to {target}, which is not there from this file, so editors give "
                f"no completion or checking; {fix}{also}")
