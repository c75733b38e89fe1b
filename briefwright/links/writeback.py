"""Fields added to a source in its own YAML file, every other byte of the file kept.

ruamel.yaml reads the file in round-trip mode, which knows where each source's mapping and keys stand, and
writes each new value (so its quoting is YAML's own). The new lines are then spliced into the text as it was,
instead of dumping the whole tree again: a dump can reflow a long quoted scalar (it does so to one of this
repository's translation files), and it keeps the blank line that ends a mapping with the mapping's last key,
so a key added after that one would land below the blank line. The result is read back before it is written.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError


class WriteError(Exception):
    """A field that could not be added; the message starts with path:line."""


@dataclass(frozen=True)
class Addition:
    source_id: str
    fields: tuple[tuple[str, Any], ...]  # (name, value), in the order they are written
    after: tuple[str, ...] = ("url",)  # placed after the first of these keys the source has


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # a value is never folded onto a second line
    return yaml


def _value_lines(name: str, value: Any, indent: int, newline: str) -> list[str]:
    out = io.StringIO()
    _yaml().dump({name: value}, out)
    lines = out.getvalue().splitlines()
    if len(lines) != 1:
        raise ValueError(f"{name} would take {len(lines)} lines")
    return [" " * indent + lines[0] + newline]


def _find(tree: Any, source_id: str) -> CommentedMap | None:
    sources = tree.get("sources") if isinstance(tree, CommentedMap) else None
    if not isinstance(sources, CommentedSeq):
        return None
    for item in sources:
        if isinstance(item, CommentedMap) and str(item.get("id")) == source_id:
            return item
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        return str(a) == str(b)
    return a == b


def add_fields(path: Path, additions: list[Addition]) -> list[str]:
    """Add each addition's fields to its source in `path`, in one write; returns the lines added. A field the
    source already has with the same value is left alone; with another value, or a source written in flow
    style, is a WriteError and nothing is written."""
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    try:
        tree = _yaml().load(text)
    except YAMLError as exc:
        raise WriteError(f"{path}: error: YAML cannot read it: {exc}") from None
    inserts: list[tuple[int, list[str]]] = []
    for addition in additions:
        item = _find(tree, addition.source_id)
        if item is None:
            raise WriteError(f"{path}: error: no source '{addition.source_id}' in this file's 'sources' list")
        line = item.lc.line + 1
        if item.fa.flow_style():
            raise WriteError(f"{path}:{line}: error: source '{addition.source_id}' is written on one line in "
                             "braces; write it as a block (one field a line) so fields can be added")
        anchor = next((key for key in addition.after if key in item), None)
        if anchor is None:
            raise WriteError(f"{path}:{line}: error: source '{addition.source_id}' has none of {', '.join(addition.after)}")
        new: list[str] = []
        key_line, col = item.lc.key(anchor)
        for name, value in addition.fields:
            if name in item:
                if not _same(item[name], value):
                    raise WriteError(f"{path}:{item.lc.key(name)[0] + 1}: error: source '{addition.source_id}' already "
                                     f"has {name}: {item[name]}, not {value}; left as it is")
                continue
            new += _value_lines(name, value, col, newline)
        if not new:
            continue
        at = item.lc.value(anchor)[0] + 1
        while at < len(lines) and _continues(lines[at], col):
            at += 1  # a value that goes on over more lines, more indented than its key
        inserts.append((at, new))
    if not inserts:
        return []
    for at, new in sorted(inserts, key=lambda pair: pair[0], reverse=True):
        if at == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        lines[at:at] = new
    result = "".join(lines)
    _verify(path, result, additions)
    _replace(path, result.encode("utf-8"))
    return [line for _, new in inserts for line in new]


def _continues(line: str, col: int) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#") and len(line) - len(line.lstrip(" ")) > col


def _verify(path: Path, text: str, additions: list[Addition]) -> None:
    try:
        tree = _yaml().load(text)
    except YAMLError as exc:
        raise WriteError(f"{path}: error: adding the fields would leave YAML it cannot read ({exc}); nothing "
                         "was written") from None
    for addition in additions:
        item = _find(tree, addition.source_id)
        for name, value in addition.fields:
            if item is None or not _same(item.get(name), value):
                raise WriteError(f"{path}: error: source '{addition.source_id}' did not read back with {name}: {value}; "
                                 "nothing was written")


def _replace(path: Path, data: bytes) -> None:
    """Write through a temporary file beside it, so an interrupted write leaves the file as it was."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        shutil.copymode(path, name)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
