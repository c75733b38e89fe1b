"""Safe YAML loading that keeps the line and column of every node.

PyYAML's safe loader accepts duplicate keys and expands aliases without limit; both are
refused here, and every problem is reported as a located Diagnostic, never a traceback.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from pathlib import Path
from typing import Any, NoReturn

import yaml

from briefwright.core.diagnostics import Collector, Loc

# Without libyaml, the pure-Python loader behaves the same, slower.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_SCALAR_CHARS = 20_000
MAX_DEPTH = 40
ALIAS_SLACK = 10_000  # expanded nodes allowed beyond twice the distinct ones

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}
_constructor = yaml.constructor.SafeConstructor()


class YMap(dict):
    """A mapping that remembers where it, each key and each value came from, and how a value YAML
    read as something other than text (a boolean, a date, a number) was written."""

    loc: Loc
    key_locs: dict
    value_locs: dict
    written: dict


class YList(list):
    loc: Loc
    item_locs: list
    written: dict  # index -> text as written, for items YAML read as something other than text


class _Abort(Exception):
    pass


_TAB_INDENT = re.compile(r"^[ ]*\t", re.M)
_ODD_BREAKS = re.compile("[\u2028\u2029\x85]")
_STR_TAG = "tag:yaml.org,2002:str"
_new_tuple = tuple.__new__


class _Lines:
    """Line and column from a character index, counting only '\n' as a line break, as editors do
    (YAML also breaks lines at U+2028, U+2029 and U+0085, which would shift every later location)."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.simple = not _ODD_BREAKS.search(text)  # then YAML's own line numbers are right

    def loc(self, path: Path, index: int) -> Loc:
        line = bisect.bisect_right(self.starts, index)
        return Loc(path, line, index - self.starts[line - 1] + 1)


class _Walker:
    def __init__(self, path: Path, out: Collector, lines: _Lines):
        self.path = path
        self.out = out
        self.lines = lines
        self.seen: set[int] = set()
        self.visited = 0

    def loc(self, node: yaml.Node) -> Loc:
        mark = node.start_mark
        if self.lines.simple:
            return _new_tuple(Loc, (self.path, mark.line + 1, mark.column + 1))  # Loc(...) without its Python __new__
        return self.lines.loc(self.path, mark.index)

    def fail(self, node: yaml.Node, message: str) -> NoReturn:
        self.out.error(self.loc(node), message, syntax=True)
        raise _Abort

    def value(self, node: yaml.Node, depth: int = 0) -> Any:
        self.visited += 1
        self.seen.add(id(node))
        if self.visited > 2 * len(self.seen) + ALIAS_SLACK:
            self.fail(node, "aliases expand to too many nodes (is this an alias bomb?)")
        if depth > MAX_DEPTH:
            self.fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.fail(node, f"tag {node.tag!r} is not allowed")
            items = YList()
            items.loc = self.loc(node)
            items.item_locs = []
            items.written = {}
            for child in node.value:
                if isinstance(child, yaml.ScalarNode) and child.tag != _STR_TAG:
                    items.written[len(items)] = child.value
                items.append(self.value(child, depth + 1))
                items.item_locs.append(self.loc(child))
            return items
        if node.tag not in _SCALAR_TAGS:
            self.fail(node, f"tag {node.tag!r} is not allowed in content (only plain data)")
        if len(node.value) > MAX_SCALAR_CHARS:
            self.fail(node, f"value is {len(node.value):,} characters long; the limit is {MAX_SCALAR_CHARS:,}")
        if node.tag == _STR_TAG:
            return node.value
        try:
            return _constructor.yaml_constructors[node.tag](_constructor, node)
        except (ValueError, TypeError, yaml.YAMLError):
            if node.tag == "tag:yaml.org,2002:timestamp":
                return node.value  # an impossible date such as 2026-02-30: the field's own check names it
            self.fail(node, f"{node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}")

    def mapping(self, node, depth):
        if node.tag != "tag:yaml.org,2002:map":
            self.fail(node, f"tag {node.tag!r} is not allowed")
        result = YMap()
        result.loc = self.loc(node)
        result.key_locs = {}
        result.value_locs = {}
        result.written = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "merge keys ('<<') are not supported: write the fields out")
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "mapping keys must be plain words")
            self.visited += 1
            key = key_node.value  # the key as written: `on:` stays 'on', not the boolean YAML 1.1 reads
            if key in result:
                first = result.key_locs[key]
                self.fail(key_node, f"duplicate key '{key}' (first defined at line {first.line})")
            result.key_locs[key] = self.loc(key_node)
            result.value_locs[key] = self.loc(value_node)
            if isinstance(value_node, yaml.ScalarNode) and value_node.tag != _STR_TAG:
                result.written[key] = value_node.value
            result[key] = self.value(value_node, depth + 1)
        return result


def _offset_to_loc(path: Path, data: bytes, offset: int) -> Loc:
    """Location of a byte offset, with the column counted in characters, not bytes."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
    return Loc(path, line, col)


_INDENTATION_PROBLEMS = ("did not find expected '-' indicator", "did not find expected key", "expected <block end>")


def _line_at(text: str, index: int) -> tuple[int, str]:
    """The start index and the text of the line holding `index`."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return start, text[start:] if end < 0 else text[start:end]


def _line_above(text: str, index: int) -> int:
    """The 1-based number of the nearest line above `index` with content (not blank, not only a comment)."""
    start = text.rfind("\n", 0, index) + 1
    number = text.count("\n", 0, start) + 1
    for line in reversed(text[:start].split("\n")[:-1]):
        number -= 1
        if line.strip() and not line.lstrip().startswith("#"):
            return number
    return max(number, 1)


def _quoted(value: str) -> str:
    return '"' + value + '"' if '"' not in value and "\\" not in value else "'" + value.replace("'", "''") + "'"


def _example(line: str, start: int) -> str:
    """' (write key: "value")' for the value starting at `start`, when its key is plain to see on the line."""
    key = re.search(r"([A-Za-z_][\w-]*)\s*:\s*$", line[:start])
    if key is None:
        return ""
    flow = "{" in line[:start] or "[" in line[:start]
    value = re.split(r"\s#|[,}\]]" if flow else r"\s#", line[start:])[0].strip()
    return f" (write {key.group(1)}: {_quoted(value)})" if value else ""


def explain_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """Where a YAML syntax error is, and what to do about it in an analyst's words: the parser's own message
    names the place but rarely the fix (libyaml does not even name the character it refused)."""
    mark = exc.problem_mark or exc.context_mark
    index = min(mark.index, len(text)) if mark else 0
    problem = (exc.problem or exc.context or "invalid YAML").split("\n")[0]
    start, line = _line_at(text, index)
    column = index - start
    if problem.startswith("mapping values are not allowed"):
        key, sep, _ = line.partition(": ")
        if sep and column > len(key) and key.strip().lstrip("- ").strip():
            return index, f"quote this text: it contains ': '{_example(line, len(key) + 2)}"
        above = _line_above(text, index)
        first = start + len(line) - len(line.lstrip())
        return first, (f"this line is indented more than line {above}, so it reads as part of that line's value; "
                       f"check the indentation of this line against line {above}")
    if "cannot start any token" in problem and column < len(line):
        char = line[column]
        if char == "\t":
            return index, "a tab here; YAML needs spaces"
        return index, f"'{char}' cannot start a plain value; quote it{_example(line, column)}"
    if problem.startswith(_INDENTATION_PROBLEMS):
        first = start + len(line) - len(line.lstrip())
        return first, f"check the indentation of this line against line {_line_above(text, first)}"
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        opened = exc.context_mark
        quote = text[opened.index] if opened.index < len(text) else '"'
        return opened.index, f"the quote {quote} opened here is never closed; close it at the end of the text"
    if exc.context == "while parsing a flow sequence" and exc.context_mark is not None:
        return exc.context_mark.index, "the list opened with '[' here is not closed with ']' (or a comma is missing)"
    if exc.context == "while parsing a flow mapping" and exc.context_mark is not None:
        return exc.context_mark.index, "the mapping opened with '{' here is not closed with '}' (or a comma is missing)"
    return index, problem


def scan_ids(text: str) -> list[tuple[str | None, str]]:
    """The (section, id) of every `id:` line of a file YAML could not read, found by their lines alone,
    so that references to those records are not reported as unknown (their file is the one cause)."""
    found: list[tuple[str | None, str]] = []
    section = None
    for line in text.splitlines():
        top = re.match(r"^([A-Za-z_]+)\s*:", line)
        if top:
            section = top.group(1)
        m = re.match(r"^[\s-]*id\s*:\s*['\"]?([^\s'\"#]+)", line)
        if m:
            found.append((section if not top else None, m.group(1)))
    return found


def load_yaml(path: Path, out: Collector, *, expect_mapping: bool = True) -> Any:
    """Load one YAML file; return its located value, or None after reporting why not."""
    data = read_limited(path, out)
    return None if data is None else parse_yaml(path, data, out, expect_mapping=expect_mapping)


def read_limited(path: Path, out: Collector) -> bytes | None:
    """The bytes of a file within the size limit, or None after reporting why not."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            out.error(Loc(path, 1, 1), f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", syntax=True)
            return None
        data = path.read_bytes()
    except OSError as exc:
        out.error(Loc(path, 1, 1), f"cannot read file: {exc.strerror or exc}", syntax=True)
        return None
    if len(data) > MAX_FILE_BYTES:  # it grew between the two looks
        out.error(Loc(path, 1, 1), f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}", syntax=True)
        return None
    return data


def parse_yaml(path: Path, data: bytes, out: Collector, *, expect_mapping: bool = True) -> Any:
    """The located value of a YAML file's bytes, or None after reporting why not."""
    if data.startswith(b"\xef\xbb\xbf"):
        out.error(Loc(path, 1, 1), "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM", syntax=True)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.error(_offset_to_loc(path, data, exc.start), f"invalid UTF-8 byte 0x{data[exc.start]:02x}; save the file as UTF-8", syntax=True)
        return None
    if not text.strip():
        out.error(Loc(path, 1, 1), "file is empty", syntax=True)
        return None
    if tab := _TAB_INDENT.search(text):
        out.error(_Lines(text).loc(path, tab.end() - 1), "tab used for indentation; YAML needs spaces", syntax=True)
        return None
    lines = _Lines(text)
    if "\x00" in text:
        out.error(lines.loc(path, text.index("\x00")), "file contains a NUL character", syntax=True)
        return None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        index, message = explain_yaml_error(exc, text)
        out.error(lines.loc(path, index), f"invalid YAML: {message}", syntax=True)
        return None
    except yaml.YAMLError as exc:
        out.error(Loc(path, 1, 1), f"invalid YAML: {exc}", syntax=True)
        return None
    except RecursionError:
        out.error(Loc(path, 1, 1), f"nesting deeper than {MAX_DEPTH} levels", syntax=True)
        return None
    if node is None and all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        out.error(Loc(path, 1, 1), "file is empty", syntax=True)
        return None
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and not node.value):
        out.error(Loc(path, 1, 1), "file is empty", syntax=True)
        return None
    try:
        value = _Walker(path, out, lines).value(node)
    except _Abort:
        return None
    except RecursionError:
        out.error(Loc(path, 1, 1), f"nesting deeper than {MAX_DEPTH} levels", syntax=True)
        return None
    if expect_mapping and not isinstance(value, YMap):
        kind = "a list" if isinstance(value, list) else "a single value"
        out.error(lines.loc(path, node.start_mark.index),
                  f"expected a mapping of fields at the top of the file, found {kind}", syntax=True)
        return None
    return value


# --- the located value as plain JSON, for the parse cache ------------------------------------------------
# A mapping is ["m", line, col, [key, key line, key col, value line, value col, written or null, value, ...]],
# a list ["l", line, col, [line, col, written or null, value, ...]], a date ["d", "YYYY-MM-DD"], a date and
# time ["t", ISO 8601]; text, numbers, booleans and null are themselves. Only data: reading it back runs no
# code, and anything that is not exactly this shape is refused (ValueError).

def encode_tree(value: Any) -> Any:
    if isinstance(value, YMap):
        flat: list = []
        written = value.written
        for key, item in value.items():
            kl, vl = value.key_locs[key], value.value_locs[key]
            flat += [key, kl.line, kl.col, vl.line, vl.col, written.get(key), encode_tree(item)]
        return ["m", value.loc.line, value.loc.col, flat]
    if isinstance(value, YList):
        flat = []
        for index, item in enumerate(value):
            loc = value.item_locs[index]
            flat += [loc.line, loc.col, value.written.get(index), encode_tree(item)]
        return ["l", value.loc.line, value.loc.col, flat]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"no JSON form for {type(value).__name__}")  # a parser change this codec does not know


class _Decoder:
    """Rebuilds a located value from encode_tree's JSON, holding it to the limits the parser holds YAML to.
    Written for speed (it runs for every node of every unchanged file): checks inline, few calls."""

    def __init__(self, path: Path, budget: int):
        self.path = path
        self.budget = budget  # containers and keys still allowed: the parser's alias limit, from the file's size

    def value(self, data: Any, depth: int) -> Any:
        kind = type(data)
        if kind is str:
            if len(data) > MAX_SCALAR_CHARS:
                raise ValueError("a value over the length limit")
            return data
        if kind is not list:
            if data is None or kind is int or kind is float or kind is bool:
                return data
            raise ValueError(f"unexpected {kind.__name__}")
        if depth > MAX_DEPTH:
            raise ValueError("nested deeper than the limit")
        tag = data[0] if data else None
        if tag == "m" and len(data) == 4 and type(data[3]) is list and len(data[3]) % 7 == 0:
            return self.mapping(data, depth)
        if tag == "l" and len(data) == 4 and type(data[3]) is list and len(data[3]) % 4 == 0:
            return self.items(data, depth)
        if tag == "d" and len(data) == 2 and type(data[1]) is str:
            return dt.date.fromisoformat(data[1])
        if tag == "t" and len(data) == 2 and type(data[1]) is str:
            return dt.datetime.fromisoformat(data[1])
        raise ValueError("not a located value")

    def mapping(self, data: list, depth: int) -> YMap:
        """["m", line, col, flat]: seven entries a key in flat."""
        path, new, limit = self.path, _new_tuple, MAX_SCALAR_CHARS
        flat = data[3]
        self.budget -= 1 + len(flat) // 7
        if self.budget < 0:
            raise ValueError("more nodes than the file could hold")
        result = YMap()
        result.loc = new(Loc, (path, data[1], data[2]))
        key_locs: dict = {}
        value_locs: dict = {}
        written: dict = {}
        lines = [data[1], data[2]]
        for i in range(0, len(flat), 7):
            key, kl, kc, vl, vc, wr, item = flat[i:i + 7]
            if type(key) is not str or key in result or len(key) > limit:
                raise ValueError("a key that is not text, or twice")
            key_locs[key] = new(Loc, (path, kl, kc))
            value_locs[key] = new(Loc, (path, vl, vc))
            lines += (kl, kc, vl, vc)
            if wr is not None:
                if type(wr) is not str or len(wr) > limit:
                    raise ValueError("a written form that is not text")
                written[key] = wr
            result[key] = item if type(item) is str and len(item) <= limit else self.value(item, depth + 1)
        _lines_only(lines)
        result.key_locs, result.value_locs, result.written = key_locs, value_locs, written
        return result

    def items(self, data: list, depth: int) -> YList:
        """["l", line, col, flat]: four entries an item in flat."""
        path, new, limit = self.path, _new_tuple, MAX_SCALAR_CHARS
        flat = data[3]
        self.budget -= 1
        if self.budget < 0:
            raise ValueError("more nodes than the file could hold")
        items = YList()
        items.loc = new(Loc, (path, data[1], data[2]))
        item_locs: list = []
        written: dict = {}
        lines = [data[1], data[2]]
        for i in range(0, len(flat), 4):
            line, col, wr, item = flat[i:i + 4]
            item_locs.append(new(Loc, (path, line, col)))
            lines += (line, col)
            if wr is not None:
                if type(wr) is not str or len(wr) > limit:
                    raise ValueError("a written form that is not text")
                written[len(items)] = wr
            items.append(item if type(item) is str and len(item) <= limit else self.value(item, depth + 1))
        _lines_only(lines)
        items.item_locs, items.written = item_locs, written
        return items


def _lines_only(numbers: list) -> None:
    """Every line and column a container holds is a whole number (one check for them all)."""
    if set(map(type, numbers)) != {int}:
        raise ValueError("a location that is not a line or column number")


def decode_tree(data: Any, path: Path, size: int) -> YMap:
    """The located value encode_tree wrote, for a file of `size` bytes at `path`; ValueError if it is not one
    (a damaged or planted entry), never a value the parser could not have made from a file of that size."""
    value = _Decoder(path, 2 * size + ALIAS_SLACK).value(data, 0)
    if not isinstance(value, YMap):
        raise ValueError("the top of the file is not a mapping")
    return value
