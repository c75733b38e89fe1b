"""Records from located YAML: each field converted to its declared type, every problem reported at its line."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypeVar

from briefwright.core.diagnostics import Collector, Loc, edit_distance
from briefwright.core.records import Record, parse_plan
from briefwright.core.values import ForecastWindow, PartialDate
from briefwright.core.vocabulary import ID_PATTERN, URL_PATTERN, Choice, Id, Markdown, Url
from briefwright.source.yamlfile import YList, YMap


def _type_name(tp: Any) -> str:
    names = {str: "text", int: "whole number", float: "number", bool: "true or false",
             dt.date: "date (YYYY-MM-DD)", PartialDate: "date (YYYY, YYYY-MM or YYYY-MM-DD)",
             ForecastWindow: "forecast window (YYYY-MM-DD/YYYY-MM-DD)",
             Id: "id", Markdown: "Markdown text", Url: "URL"}
    if isinstance(tp, type) and issubclass(tp, Choice):
        return "one of " + ", ".join(m.value for m in tp)
    if isinstance(tp, type) and issubclass(tp, Record):
        return "a mapping of fields"
    return names.get(tp, getattr(tp, "__name__", str(tp)))


def _describe(value: Any) -> str:
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    return repr(value) if isinstance(value, str) else f"'{value}'"


def _read_as(value: Any) -> str | None:
    """What YAML made of an unquoted word that is not text, in a reader's words."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return "a date"
    if value is None:
        return "nothing (null)"
    return None


def _id(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    if written is not None and not isinstance(value, bool) and ID_PATTERN.match(written):
        value = written  # an id is always text: `id: 2024` is the id '2024'
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        out.error(loc, f"{what}: {_describe(value)} is not a valid id (lower-case letters, digits and hyphens, at most 64 characters)")
        return None
    return Id(value)


def _text(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = written if written is not None else str(value)  # as typed: 1.10 stays 1.10
    if not isinstance(value, str):
        read_as = _read_as(value)
        if written is not None and read_as is not None:
            out.error(loc, f"{what}: expected text, found {written}, which YAML reads as {read_as}; "
                      f"quote it: \"{written}\"")
        else:
            out.error(loc, f"{what}: expected {_type_name(tp)}, found {_describe(value)}")
        return None
    if not value.strip():
        out.error(loc, f"{what}: must not be empty")
        return None
    return value


def _url(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    if not isinstance(value, str) or not URL_PATTERN.match(value):
        out.error(loc, f"{what}: {_describe(value)} is not an http or https URL")
        return None
    return Url(value)


def _date(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)  # a quoted date is still a date
        except ValueError:
            pass
    out.error(loc, f"{what}: {_describe(value)} is not a date (YYYY-MM-DD)")
    return None


def _partial_date(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    parsed = PartialDate.parse(value)
    if parsed is None:
        out.error(loc, f"{what}: {_describe(value)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return parsed


def _window(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    window, why = ForecastWindow.parse(value)
    if window is None:
        out.error(loc, f"{what}: {repr(written) if written is not None else _describe(value)} {why}")
    return window


def _whole_number(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        out.error(loc, f"{what}: expected a whole number, found {_describe(value)}")
        return None
    if "minimum" in spec and value < spec["minimum"]:
        out.error(loc, f"{what}: must be at least {spec['minimum']}, found {value}")
        return None
    return value


def _true_or_false(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    if not isinstance(value, bool):
        out.error(loc, f"{what}: expected true or false, found {_describe(value)}")
        return None
    return value


def _number(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        out.error(loc, f"{what}: expected a number, found {_describe(value)}")
        return None
    return float(value)


def _choice(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    try:
        return tp.parse(written if written is not None else value)
    except ValueError:
        refusal, hint = tp.refusal(written if written is not None else str(value))
        out.error(loc, f"{what}: {_describe(value)} {refusal}", hint=hint)
        return None


def _nested(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None) -> Any:
    if not isinstance(value, YMap):
        out.error(loc, f"{what}: expected a mapping of fields, found {_describe(value)}")
        return None
    return parse_record(tp, value, out)


# One converter per declared type: the value as YAML read it to the type, or None with the problem reported.
_CONVERTERS: dict[Any, Callable[[Any, Any, Loc, Collector, str, dict, str | None], Any]] = {
    Id: _id, str: _text, Markdown: _text, Url: _url, dt.date: _date, PartialDate: _partial_date,
    ForecastWindow: _window, int: _whole_number, bool: _true_or_false, float: _number,
}


def _scalar(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None = None) -> Any:
    """Convert one YAML value to the declared type, or report why it cannot be. `written` is the value as
    typed when YAML read it as something other than text (a boolean, a date, a number)."""
    convert = _CONVERTERS.get(tp)
    if convert is None and isinstance(tp, type):
        convert = _choice if issubclass(tp, Choice) else _nested if issubclass(tp, Record) else None
    if convert is None:
        raise TypeError(f"no parser for {tp}")  # a model declaration error, not a content error
    return convert(tp, value, loc, out, what, spec, written)


R = TypeVar("R", bound=Record)


_KNOWN: dict = {}  # per class, once: the names of its fields


def _unknown_fields(cls: type[Record], data: YMap, label: str, known: frozenset, out: Collector) -> bool:
    """Report every key the record does not declare; True when there is none."""
    ok = True
    for key in data:
        if key not in known and key in getattr(cls, "TYPED_NUMBER_FIELDS", ()):
            out.error(data.key_locs[key], f"unknown field '{key}' in {label}: {label}s take numbers only from facts' "
                      "quantities; list the facts under 'facts'")
            ok = False
        elif key not in known:
            close = sorted(known, key=lambda k: (edit_distance(k, key), k))[:1]
            hint = f"did you mean '{close[0]}'?" if close and edit_distance(close[0], key) <= 3 else None
            out.error(data.key_locs[key], f"unknown field '{key}' in {label}" + (f" (did you mean '{close[0]}'?)" if hint else ""),
                      hint=hint or "fields: " + ", ".join(sorted(known)))
            ok = False
    return ok


def _items(item_tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict) -> tuple[list | None, bool]:
    """A list field's items, each converted (None where it cannot be), and whether all were; (None, False) when
    the value is not a list or too short."""
    if not isinstance(value, YList):
        out.error(loc, f"{what}: expected a list, found {_describe(value)}")
        return None, False
    if len(value) < spec.get("min_items", 0):
        out.error(loc, f"{what}: needs at least {spec['min_items']} item{'s' if spec['min_items'] > 1 else ''}")
        return None, False
    items = []
    ok = True
    for i, item in enumerate(value):
        converted = _scalar(item_tp, item, value.item_locs[i], out, what, spec, value.written.get(i))
        if converted is None:
            ok = False
        items.append(converted)
    return items, ok


def parse_record(cls: type[R], data: YMap, out: Collector) -> R | None:
    """Build one record from a located mapping, reporting every problem with its location."""
    kwargs: dict = {}
    field_locs: dict = {}
    item_locs: dict = {}
    # "unknown field ..." would read as a field nobody knows: an Unknown is named for what it is
    label = "open question" if cls.KIND == "unknown" else getattr(cls, "LABEL", "") or cls.KIND or cls.__name__.lower()
    known = _KNOWN.get(cls) or _KNOWN.setdefault(cls, frozenset(name for name, *_ in parse_plan(cls)))
    ok = _unknown_fields(cls, data, label, known, out)
    for name, tp, item_tp, optional, required, spec in parse_plan(cls):
        if tp is Url and optional and isinstance(data.get(name), str) and not data[name].strip():
            continue  # `url: ""`: there is none
        if name not in data or data[name] is None:
            if required:
                where = data.key_locs.get(name, data.loc)
                out.error(where, f"{label} is missing required field '{name}'")
                ok = False
            continue
        value = data[name]
        loc = data.value_locs[name]
        field_locs[name] = loc
        what = f"{label} field '{name}'"
        if item_tp is not None:
            items, converted_all = _items(item_tp, value, loc, out, what, spec)
            ok = ok and converted_all
            if items is not None:
                kwargs[name] = items
                item_locs[name] = list(value.item_locs)
        else:
            converted = _scalar(tp, value, loc, out, what, spec, data.written.get(name))
            if converted is None:
                ok = False
            kwargs[name] = converted
    if not ok:
        return None
    record = cls(**kwargs)
    record.loc = data.loc
    record.field_locs = field_locs
    record.item_locs = item_locs
    return record
