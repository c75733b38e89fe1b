"""Records from located YAML: each field converted to its declared type, every problem reported at its line."""
from __future__ import annotations

import datetime as dt
import re
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


def _scalar(tp: Any, value: Any, loc: Loc, out: Collector, what: str, spec: dict, written: str | None = None) -> Any:
    """Convert one YAML value to the declared type, or report why it cannot be. `written` is the value as
    typed when YAML read it as something other than text (a boolean, a date, a number)."""
    if tp is Id:
        if written is not None and not isinstance(value, bool) and ID_PATTERN.match(written):
            value = written  # an id is always text: `id: 2024` is the id '2024'
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            out.error(loc, f"{what}: {_describe(value)} is not a valid id (lower-case letters, digits and hyphens, at most 64 characters)")
            return None
        return Id(value)
    if tp in (str, Markdown):
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
    if tp is Url:
        if not isinstance(value, str) or not URL_PATTERN.match(value):
            out.error(loc, f"{what}: {_describe(value)} is not an http or https URL")
            return None
        return Url(value)
    if tp is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)  # a quoted date is still a date
            except ValueError:
                pass
        out.error(loc, f"{what}: {_describe(value)} is not a date (YYYY-MM-DD)")
        return None
    if tp is PartialDate:
        parsed = PartialDate.parse(value)
        if parsed is None:
            out.error(loc, f"{what}: {_describe(value)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return parsed
    if tp is ForecastWindow:
        window, why = ForecastWindow.parse(value)
        if window is None:
            out.error(loc, f"{what}: {repr(written) if written is not None else _describe(value)} {why}")
        return window
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            out.error(loc, f"{what}: expected a whole number, found {_describe(value)}")
            return None
        if "minimum" in spec and value < spec["minimum"]:
            out.error(loc, f"{what}: must be at least {spec['minimum']}, found {value}")
            return None
        return value
    if tp is bool:
        if not isinstance(value, bool):
            out.error(loc, f"{what}: expected true or false, found {_describe(value)}")
            return None
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
            out.error(loc, f"{what}: expected a number, found {_describe(value)}")
            return None
        return float(value)
    if isinstance(tp, type) and issubclass(tp, Choice):
        try:
            return tp.parse(written if written is not None else value)
        except ValueError:
            refusal, hint = tp.refusal(written if written is not None else str(value))
            out.error(loc, f"{what}: {_describe(value)} {refusal}", hint=hint)
            return None
    if isinstance(tp, type) and issubclass(tp, Record):
        if not isinstance(value, YMap):
            out.error(loc, f"{what}: expected a mapping of fields, found {_describe(value)}")
            return None
        return parse_record(tp, value, out)
    raise TypeError(f"no parser for {tp}")  # a model declaration error, not a content error


R = TypeVar("R", bound=Record)


_KNOWN: dict = {}  # per class, once: the names of its fields


def parse_record(cls: type[R], data: YMap, out: Collector) -> R | None:
    """Build one record from a located mapping, reporting every problem with its location."""
    kwargs: dict = {}
    field_locs: dict = {}
    item_locs: dict = {}
    ok = True
    # "unknown field ..." would read as a field nobody knows: an Unknown is named for what it is
    label = "open question" if cls.KIND == "unknown" else getattr(cls, "LABEL", "") or cls.KIND or cls.__name__.lower()
    known = _KNOWN.get(cls) or _KNOWN.setdefault(cls, frozenset(name for name, *_ in parse_plan(cls)))
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
            if not isinstance(value, YList):
                out.error(loc, f"{what}: expected a list, found {_describe(value)}")
                ok = False
                continue
            if len(value) < spec.get("min_items", 0):
                out.error(loc, f"{what}: needs at least {spec['min_items']} item{'s' if spec['min_items'] > 1 else ''}")
                ok = False
                continue
            items = []
            for i, item in enumerate(value):
                converted = _scalar(item_tp, item, value.item_locs[i], out, what, spec, value.written.get(i))
                if converted is None:
                    ok = False
                items.append(converted)
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


