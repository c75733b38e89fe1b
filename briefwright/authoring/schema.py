"""JSON Schemas for editors and the authoring reference, both generated from the model."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from briefwright.core.audiences import AUDIENCES
from briefwright.core.chart_kinds import CHART_KINDS
from briefwright.core.model import (
    CONTENT_KINDS,
    ID_PATTERN,
    URL_PATTERN,
    Brief,
    Choice,
    ForecastWindow,
    Id,
    Markdown,
    PartialDate,
    Record,
    Settings,
    Url,
    hints,
    record_fields,
    unwrap_optional,
)

REGISTRIES = {"audiences": lambda: sorted(AUDIENCES), "chart_kinds": lambda: sorted(CHART_KINDS)}


def _type_schema(tp: Any, spec: Mapping[str, Any], defs: dict) -> dict:
    if typing.get_origin(tp) is list:
        (item,) = typing.get_args(tp)
        out = {"type": "array", "items": _type_schema(item, {}, defs)}
        if spec.get("min_items"):
            out["minItems"] = spec["min_items"]
        return out
    if tp is Id:
        return {"type": "string", "pattern": ID_PATTERN.pattern}
    if tp is Url:
        return {"type": "string", "pattern": URL_PATTERN.pattern}
    if tp in (str, Markdown):
        if spec.get("choices") == "audiences":  # a project may declare more in project.yaml
            return {"type": "string", "anyOf": [{"enum": REGISTRIES["audiences"]()}, {"pattern": ID_PATTERN.pattern}]}
        if spec.get("choices"):
            return {"type": "string", "enum": REGISTRIES[spec["choices"]]()}
        return {"type": "string", "minLength": 1}
    if tp is dt.date:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if tp is PartialDate:
        return {"anyOf": [{"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}, {"type": "integer"}]}
    if tp is ForecastWindow:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$"}
    if tp is int:
        out = {"type": "integer"}
        if "minimum" in spec:
            out["minimum"] = spec["minimum"]
        return out
    if tp is float:
        return {"type": "number"}
    if tp is bool:
        return {"type": "boolean"}
    if isinstance(tp, type) and issubclass(tp, Choice):
        return {"type": "string", "enum": [m.value for m in tp] + tp.aliases()}
    if isinstance(tp, type) and issubclass(tp, Record):
        defs.setdefault(tp.__name__, None)
        if defs[tp.__name__] is None:
            defs[tp.__name__] = record_schema(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    raise TypeError(f"no schema for {tp}")


def record_schema(cls: type[Record], defs: dict) -> dict:
    properties, required = {}, []
    for f in record_fields(cls):
        tp, optional = unwrap_optional(hints(cls)[f.name])
        prop = _type_schema(tp, f.metadata, defs)
        if tp is Url and optional:
            prop["pattern"] = "^$|" + prop["pattern"]  # `url: ""`: there is none
        properties[f.name] = {**prop, "description": f.metadata.get("doc", "")}
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def schemas() -> dict[str, dict]:
    content_defs: dict = {}
    content = {"type": "object", "additionalProperties": False,
               "properties": {key: {"type": "array", "items": _type_schema(cls, {}, content_defs)}
                              for key, cls in CONTENT_KINDS.items()}}
    brief_defs: dict = {}
    brief = record_schema(Brief, brief_defs)
    settings_defs: dict = {}
    settings = record_schema(Settings, settings_defs)

    def doc(title, body, defs):
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **body,
                **({"$defs": dict(sorted(defs.items()))} if defs else {})}
    return {"content.schema.json": doc("Briefwright content file", content, content_defs),
            "brief.schema.json": doc("Briefwright brief", brief, brief_defs),
            "project.schema.json": doc("Briefwright project settings", settings, settings_defs)}


def schema_text(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = folder / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written


def _type_words(tp: Any, spec: Mapping[str, Any]) -> str:
    if typing.get_origin(tp) is list:
        (item,) = typing.get_args(tp)
        inner = _type_words(item, {})
        ref = f" ({spec['ref']} ids)" if spec.get("ref") else ""
        return f"list of {inner}{ref}"
    if spec.get("choices") == "audiences":
        return "one of: " + ", ".join(f"`{c}`" for c in REGISTRIES["audiences"]()) + ", or an id from project.yaml"
    if spec.get("choices"):
        return "one of: " + ", ".join(f"`{c}`" for c in REGISTRIES[spec["choices"]]())
    if isinstance(tp, type) and issubclass(tp, Choice):
        return "one of: " + ", ".join(f"`{m.value}`" for m in tp)
    if isinstance(tp, type) and issubclass(tp, Record):
        return f"mapping ({tp.__name__})"
    words = {Id: "id", Url: "URL (http or https)", Markdown: "Markdown", str: "text", int: "whole number",
             float: "number", bool: "true or false", dt.date: "date YYYY-MM-DD", PartialDate: "date YYYY, YYYY-MM or YYYY-MM-DD",
             ForecastWindow: "window YYYY-MM-DD/YYYY-MM-DD"}
    out = words[tp]
    if spec.get("ref"):
        out += f" ({spec['ref']} id)"
    return out


def reference_markdown() -> str:
    """The field reference for docs/authoring.md: every record, field, type and allowed value."""
    from briefwright.core.model import (
        Alias,
        Caveat,
        Chart,
        Entity,
        Event,
        Fact,
        GlossaryTerm,
        Identifier,
        Judgment,
        Links,
        Listing,
        ProjectAudience,
        Quantity,
        Section,
        Side,
        Source,
        Unknown,
    )
    lines = ["<!-- generated by `briefwright schema` from briefwright/core/records.py; do not edit by hand -->", ""]
    for cls, where in ((Settings, "`project.yaml`"), (ProjectAudience, "`audiences:` in `project.yaml`"),
                       (Links, "`links:` in `project.yaml`"),
                       (Source, "`sources:` in `content/*.yaml`"),
                       (Fact, "`facts:`"), (Quantity, "`quantity:` of a fact"), (Side, "`sides:` of a conflicting fact"),
                       (Caveat, "`caveats:`"), (Unknown, "`unknowns:`"), (Event, "`events:`"), (Chart, "`charts:`"),
                       (Judgment, "`judgments:`"), (Entity, "`entities:`"), (Alias, "`aliases:` of an entity"),
                       (Identifier, "`identifiers:` of an entity"), (Listing, "`listings:` of an entity"),
                       (GlossaryTerm, "`glossary:`"), (Brief, "`briefs/<id>.yaml`"), (Section, "`sections:` of a brief")):
        lines += [f"### {cls.__name__}", "", f"Written in {where}.", "", "| field | required | type | meaning |",
                  "| --- | --- | --- | --- |"]
        for f in record_fields(cls):
            tp, _ = unwrap_optional(hints(cls)[f.name])
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            lines.append(f"| `{f.name}` | {'yes' if required else 'no'} | {_type_words(tp, f.metadata)} | "
                         f"{f.metadata.get('doc', '')} |")
        lines.append("")
    return "\n".join(lines)


REFERENCE_MARK = "<!-- field reference: generated below this line -->"


def write_reference(path: Path) -> Path:
    """Replace the generated part of the authoring guide, keeping the hand-written guide above it."""
    head = path.read_text(encoding="utf-8").split(REFERENCE_MARK)[0] if path.exists() else "# Authoring guide\n\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head.rstrip("\n") + "\n\n" + REFERENCE_MARK + "\n\n" + reference_markdown(), encoding="utf-8")
    return path
