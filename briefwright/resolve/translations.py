"""Translated editions: per-language files of translated record fields, fingerprinted against the English.

`translations/<lang>.yaml` (beside content/) holds one entry per translated field, keyed
`<kind>/<record id>/<field>` (nested items by index: `fact/x/sides/0/statement`), each with the English it
was made from, that English's fingerprint (`from`) and the translation (`text`). A translation whose
`from` is not the current English's fingerprint is stale; a field a brief shows with no translation is
missing. Neither is ever printed silently: the build of that language fails, or, where project.yaml sets
`translation_fallback: true`, the English is printed with a visible "translation pending" mark and
lang="en" (the PENDING sentinels below, turned into markup by `mark_pending` and formats/docx.py).

The translated edition is resolved by the same resolver from a translated view of the project, whose records
carry the translated text (`translated_project`), inside the language's engine words, so every rule the English
edition obeys (caveats travel with facts, labels, unknowns, notes numbered as printed) holds in every language by
construction, and nothing is patched into an edition after it is resolved.
"""
from __future__ import annotations

import copy
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefwright.check.channel import ChannelView
from briefwright.check.markings import markings_of
from briefwright.core import i18n
from briefwright.core.diagnostics import Collector, Loc
from briefwright.core.markup import citations
from briefwright.resolve.languages import edition_key, languages_of
from briefwright.resolve.resolved import ResolvedBrief
from briefwright.resolve.resolver import BriefResolver, Download, Translation, resolve
from briefwright.source.yamlfile import YMap, load_yaml

__all__ = ["edition_key", "languages_of"]  # re-exported: where a translated edition lives, a brief's languages

FOLDER = "translations"
# Private-use characters around English printed in place of a pending translation: they pass through
# Markdown, the sanitiser and Jinja untouched, and mark_pending (HTML) and the Word edition turn them into
# a marked, lang="en" portion; anywhere else (attributes, <title>, JSON-LD, CSS) they are removed.
PENDING_START, PENDING_END = "\ue000", "\ue001"
_SENTINELS = dict.fromkeys(map(ord, PENDING_START + PENDING_END))

# The fields each kind of record may translate; (name, [fields]) for nested records (a list by index).
FIELDS: dict[str, list[Any]] = {
    "brief": ["title", "short_title", "bottom_line", "subject", "changes_note", "currency_note",
              ("sections", ["title", "intro"])],
    "fact": ["statement", ("sides", ["statement"]), ("quantity", ["label", "measure", "unit"])],
    "caveat": ["title", "body"],
    "unknown": ["question", "why_it_matters", "would_resolve"],
    "judgment": ["statement", "basis"],
    "chart": ["title", "alt", "caption"],
    "event": ["title"],
    "source": ["title", "note", "interest_note"],
    "glossary": ["term", "expansion", "definition"],
    "entity": ["name"],
}
# Translated where a translation exists, printed as written where none does: never "missing". A quantity's unit and
# measure are often the same in every language (TFLOPS, %), and a chart that draws them came before they could be
# translated: a project that upgrades keeps building.
OPTIONAL = {("source", "title"), ("entity", "name"), ("glossary", "term"), ("fact", "quantity/unit"),
            ("fact", "quantity/measure")}
_TABLES = {"glossary": ("glossary", "glossaries", "terms"), "entity": ("entities",)}
_KEY = re.compile(r"^([a-z]+)/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)/([a-z_]+(?:/[0-9]+/[a-z_]+|/[a-z_]+)?)$")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{12}$")


def fingerprint(text: str) -> str:
    """The first 12 hex digits of the sha256 of the text, every whitespace run one space, ends stripped."""
    return hashlib.sha256(" ".join(str(text).split()).encode()).hexdigest()[:12]


def plain(text: str) -> str:
    """Text without the pending sentinels."""
    return text.translate(_SENTINELS)


def pending(text: str) -> str:
    return f"{PENDING_START}{text}{PENDING_END}"


# -- the files --------------------------------------------------------------------------------------------

@dataclass
class Entry:
    key: str
    english: str
    source_fingerprint: str
    text: str
    loc: Loc  # the entry's key in the file
    text_loc: Loc


@dataclass
class LanguageFile:
    lang: str
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)


def translation_path(root: Path, lang: str) -> Path:
    return root / FOLDER / f"{lang}.yaml"


def load_language(root: Path, lang: str, out: Collector) -> LanguageFile:
    """One language's file, every problem reported at its line; an absent file is a language with no entries."""
    path = translation_path(root, lang)
    result = LanguageFile(lang, path)
    if not path.is_file():
        return result
    data = load_yaml(path, out)
    if not isinstance(data, YMap):
        return result
    for key in data:
        if key not in ("language", "entries"):
            out.error(data.key_locs[key], f"unknown field '{key}' in a translation file; it holds 'language' and 'entries'")
    written = data.get("language")
    if written != lang:
        where = data.value_locs.get("language", data.loc)
        out.error(where, f"translation file for '{lang}' says language {written!r}; the file's name gives its language "
                         f"({lang}.yaml), so write `language: {lang}`")
    entries = data.get("entries")
    if entries is None:
        return result
    if not isinstance(entries, YMap):
        out.error(data.value_locs["entries"], "'entries' must be a mapping of `kind/id/field:` keys to entries")
        return result
    for key, value in entries.items():
        loc = entries.key_locs[key]
        if not _KEY.match(key):
            out.error(loc, f"'{key}' is not a translation key; write <kind>/<record id>/<field>, e.g. "
                           "fact/launch/statement or brief/my-brief/sections/0/title")
            continue
        if not isinstance(value, YMap):
            out.error(entries.value_locs[key], f"entry '{key}' must be a mapping with english, from and text")
            continue
        problems = False
        for name in value:
            if name not in ("english", "from", "text"):
                out.error(value.key_locs[name], f"unknown field '{name}' in entry '{key}'; an entry has english, from and text")
                problems = True
        english, text = value.get("english"), value.get("text")
        source = value.written.get("from", value.get("from"))
        if not isinstance(english, str) or not english.strip():
            out.error(value.value_locs.get("english", value.loc), f"entry '{key}' needs 'english': the English text it "
                      "was translated from")
            problems = True
        if not isinstance(source, str) or not _FINGERPRINT.match(source):
            out.error(value.value_locs.get("from", value.loc), f"entry '{key}': 'from' must be the 12-digit fingerprint "
                      "of its English text (briefwright translations --write-starter writes it)")
            problems = True
        elif isinstance(english, str) and source != fingerprint(english):
            out.error(value.value_locs["from"], f"entry '{key}': 'from' ({source}) is not the fingerprint of its 'english' "
                      f"({fingerprint(english)}); copy both from the same English text")
            problems = True
        if text is None:
            text = ""
        if not isinstance(text, str):
            out.error(value.value_locs.get("text", value.loc), f"entry '{key}': 'text' must be text (quote it)")
            problems = True
        if not problems:
            assert isinstance(english, str) and isinstance(source, str) and isinstance(text, str)
            result.entries[key] = Entry(key, english, source, text, loc, value.value_locs.get("text", loc))
    return result


# -- which fields a brief shows ---------------------------------------------------------------------------

def _table(project: Any, kind: str) -> dict[str, Any]:
    for name in (kind + "s", *_TABLES.get(kind, ())):
        table = getattr(project, name, None)
        if isinstance(table, dict):
            return table
    return {}


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    record_id: str
    path: tuple[Any, ...]  # names and list indexes: ("statement",) or ("sides", 0, "statement") or ("quantity", "label")
    english: str
    loc: Loc
    optional: bool


def record_fields(kind: str, record: Any, only: set[str] | None = None) -> Iterator[Field]:
    """Every translatable field a record has a value in (only those named in `only`, if given)."""
    for spec in FIELDS.get(kind, []):
        name = spec if isinstance(spec, str) else spec[0]
        if only is not None and name not in only:
            continue
        value = getattr(record, name, None)
        if value is None:
            continue
        base = f"{kind}/{record.id}/{name}"
        if isinstance(spec, str):
            if isinstance(value, str) and value.strip():
                yield Field(base, kind, record.id, (name,), value, record.at(name), (kind, name) in OPTIONAL)
            continue
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            for sub in spec[1]:
                text = getattr(item, sub, None)
                if isinstance(text, str) and text.strip():
                    path = (name, sub) if index is None else (name, index, sub)
                    key = base + (f"/{sub}" if index is None else f"/{index}/{sub}")
                    yield Field(key, kind, record.id, path, text, item.at(sub), (kind, f"{name}/{sub}") in OPTIONAL)


class _Shown:
    """The records (kind, id) a brief prints and which of their fields: None for every translatable one."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], set[str] | None] = {}

    def add(self, kind: str, record_id: str, only: set[str] | None = None) -> None:
        key = (kind, record_id)
        if key in self.records and self.records[key] is None:
            return
        self.records[key] = None if only is None else (self.records.get(key) or set()) | only

    def caveat(self, c: Mapping[str, Any]) -> None:
        self.add("caveat", c["id"], {"title"} if c.get("ref_only") else None)

    def section(self, s: Mapping[str, Any]) -> None:
        for f in s["facts"]:
            self.add("fact", f["id"])
            for c in f["caveats"]:
                self.caveat(c)
        for j in s["judgments"]:
            self.add("judgment", j["id"])
        for c in s["charts"]:
            self.add("chart", c["id"])
            for point in c["points"]:
                if point.get("fact"):
                    self.add("fact", point["fact"], {"quantity"})
        for e in s["events"]:
            self.add("event", e["id"])
        for c in s["caveats"]:
            self.caveat(c)
        for u in s["unknowns"]:
            self.add("unknown", u["id"])

    def changes(self, changes: Mapping[str, Any]) -> None:
        """'What changed' gives the desk's current wording of these."""
        for item in [*changes["added"], *changes["changed"], *(i for i in changes["dropped"] if i.get("now_html"))]:
            self.add("fact", item["id"], {"statement"})
        for item in changes["caveats_added"]:
            self.add("caveat", item["id"], {"title"})
        for item in changes["caveats_changed"]:
            self.add("caveat", item["id"], {"title", "body"})
        for item in [*changes["judgments_added"], *changes["judgments_changed"]]:
            self.add("judgment", item["id"], {"statement"})


def shown_fields(project: Any, resolved: Mapping[str, Any]) -> list[Field]:
    """The translatable fields one brief prints, read from its resolved English edition."""
    # A brief prints its changes_note only under 'What changed' and its currency_note only while the gap it
    # explains is printed: neither needs a translation otherwise.
    changes = resolved.get("changes")
    printed_notes = {"changes_note"} if changes and not changes.get("withheld") else set()
    printed_notes |= {"currency_note"} if resolved.get("currency_note_html") else set()
    brief_fields = {spec if isinstance(spec, str) else spec[0] for spec in FIELDS["brief"]}
    shown = _Shown()
    shown.add("brief", resolved["id"], brief_fields - ({"changes_note", "currency_note"} - printed_notes))
    for s in resolved["sections"]:
        shown.section(s)
    for c in resolved["caveats_section"]:
        shown.caveat(c)
    for u in resolved["unknowns_section"]:
        shown.add("unknown", u["id"])
    for q in resolved["quantities"]:
        shown.add("fact", q["fact"], {"quantity"})
    for n in resolved["notes"]:
        shown.add("source", n["id"])
    for t in resolved.get("glossary") or []:  # the terms an audience that lists them prints, with their expansions
        shown.add("glossary", t["id"])
    if changes and not changes.get("withheld"):
        shown.changes(changes)
    slides = resolved.get("slides")
    if slides:  # the slides' own charts, and what travels with their facts
        shown.section({"facts": [], "judgments": [], "events": [], **{k: slides[k] for k in ("charts", "caveats", "unknowns")}})
        for n in slides["notes"]:
            shown.add("source", n["id"])
    fields: list[Field] = []
    for (kind, record_id), only in shown.records.items():
        record = _table(project, kind).get(record_id)
        if record is not None:
            fields += record_fields(kind, record, only)
    return fields


# -- state of one language for one brief ------------------------------------------------------------------

@dataclass
class Portion:
    """One field a translated edition prints, and how: translated, stale or missing."""

    field: Field
    lang: str
    state: str  # "translated", "stale" or "missing"
    entry: Entry | None

    @property
    def needed(self) -> bool:
        return self.state != "translated" and not self.field.optional


def portions(fields: list[Field], language: LanguageFile) -> list[Portion]:
    result = []
    for f in fields:
        entry = language.entries.get(f.key)
        if entry is None or not entry.text.strip():
            state = "missing"
        elif entry.source_fingerprint != fingerprint(f.english):
            state = "stale"
        else:
            state = "translated"
        result.append(Portion(f, language.lang, state, entry))
    return result


def stale_message(p: Portion) -> str:
    assert p.entry is not None
    old, new = " ".join(p.entry.english.split()), " ".join(p.field.english.split())
    return (f"stale {p.lang} translation of {p.field.kind} '{p.field.record_id}' field '{'/'.join(map(str, p.field.path))}': "
            f"the English changed since it was translated; was: \"{_clip(old)}\"; now: \"{_clip(new)}\"")


def missing_message(p: Portion) -> str:
    return (f"{p.field.kind} '{p.field.record_id}' field '{'/'.join(map(str, p.field.path))}' has no {p.lang} translation "
            f"(key {p.field.key} in {FOLDER}/{p.lang}.yaml)")


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the translated project -------------------------------------------------------------------------------

def translated_project(project: Any, lang: str, table: list[Portion], fallback: bool) -> Any:
    """A translated view of the project: a new Project whose records carry the translated text of every portion in
    `table` (the translation where it is current, else, with fallback, the English between the pending sentinels),
    sharing every record that translates nothing. Its indexes are its own (made from its records when asked);
    its markings are the source records' own."""
    tables: dict[str, dict[str, Any]] = {}
    copied: dict[tuple[str, str], Any] = {}
    for p in table:
        f = p.field
        if p.state == "translated":
            assert p.entry is not None
            value = p.entry.text
        elif fallback and not f.optional:
            value = pending(f.english)
        else:
            continue
        kind_key = (f.kind, f.record_id)
        if kind_key not in copied:
            source = _table(project, f.kind)
            table_name = next(n for n in (f.kind + "s", *_TABLES.get(f.kind, ())) if getattr(project, n, None) is source)
            copied[kind_key] = copy.copy(source[f.record_id])
            tables.setdefault(table_name, dict(source))[f.record_id] = copied[kind_key]
        _set(copied[kind_key], f.path, value)
    return replace(project, **tables, derived={"markings": markings_of(project)})


def _set(record: Any, path: tuple[Any, ...], value: str) -> None:
    if len(path) == 1:
        setattr(record, path[0], value)
        return
    name = path[0]
    inner = getattr(record, name)
    if isinstance(inner, list):
        inner = list(inner)
        inner[path[1]] = copy.copy(inner[path[1]])
        setattr(record, name, inner)
        setattr(inner[path[1]], path[2], value)
    else:
        inner = copy.copy(inner)
        setattr(record, name, inner)
        setattr(inner, path[1], value)


# -- checking -----------------------------------------------------------------------------------------------

def check_file(project: Any, language: LanguageFile, out: Collector) -> None:
    """Each entry against the project: its record and field exist, it cites what the English cites, and it is
    not stale (a warning: `check --strict` and the build of that language fail on it)."""
    for key, entry in language.entries.items():
        kind, record_id, rest = _KEY.match(key).groups()  # type: ignore[union-attr]  # load_language matched it
        if kind not in FIELDS:
            out.error(entry.loc, f"'{kind}' is not a kind that translates; kinds: {', '.join(FIELDS)}")
            continue
        record = _table(project, kind).get(record_id)
        if record is None:
            out.warning(entry.loc, f"{language.lang} translation of {kind} '{record_id}', which does not exist; remove the entry")
            continue
        current = next((f for f in record_fields(kind, record) if f.key == key), None)
        if current is None:
            out.warning(entry.loc, f"{kind} '{record_id}' has no translatable field '{rest}' with text; remove the entry")
            continue
        if entry.text.strip():
            english_cites = sorted({s for group in citations(current.english) for s in group})
            own = sorted({s for group in citations(entry.text) for s in group})
            if english_cites != own:
                out.error(entry.text_loc, f"{language.lang} translation of {kind} '{record_id}' field '{rest}' cites "
                          f"{own or 'no source'}; the English cites {english_cites or 'no source'}: cite the same sources "
                          "([@source-id] as in the English)")
            if entry.source_fingerprint != fingerprint(current.english):
                out.warning(entry.loc, stale_message(Portion(current, language.lang, "stale", entry)))
            if kind == "judgment" and rest == "statement":
                check_likelihood_words(record, entry, language.lang, out)


def check_likelihood_words(judgment: Any, entry: Entry, lang: str, out: Collector) -> None:
    """A translated judgment states the likelihood the English does, in the term the language's ICD 203 table
    (its catalogue) gives for that row, and no other row's term; a hedge of the table (可能 alone: "possibly")
    is refused where a likelihood is set, and warned of where none is."""
    from briefwright.core.model import Likelihood
    used, hedges = i18n.likelihood_words_in(entry.text, lang)
    chosen = judgment.likelihood
    where = f"the {lang} ICD 203 table in {i18n.catalogue_path(lang).relative_to(i18n.LOCALE_DIR.parent.parent)}"
    said = f"{lang} translation of judgment '{judgment.id}'"

    def row_terms(row: str) -> str:
        return " or ".join(f"'{i18n.likelihood_term(t.value, lang)}'" for t in Likelihood if t.row == row)
    if chosen is not None and not any(Likelihood(english).row == chosen.row for _, english in used):
        hedged = f" (it says '{hedges[0]}', a hedge that states no likelihood)" if hedges else ""
        out.error(entry.text_loc, f"{said} does not state its likelihood '{chosen.value}' ({chosen.row}){hedged}: "
                  f"write {row_terms(chosen.row)}, the term for that row in {where}")
        hedges = []
    for words, english in used:
        term = Likelihood(english)
        if chosen is None:
            out.error(entry.text_loc, f"{said} uses '{words}', the ICD 203 term for '{english}' ({term.row}) in {where}, "
                      "but the judgment sets no likelihood")
        elif term.row != chosen.row:
            out.error(entry.text_loc, f"{said} uses '{words}' ('{english}', {term.row}), not in the row of its "
                      f"likelihood '{chosen.value}' ({chosen.row}); write {row_terms(chosen.row)} ({where})")
    for hedge in hedges:
        message = f"{said} says '{hedge}', a hedge that states no ICD 203 likelihood in {where}"
        if chosen is not None:
            out.error(entry.text_loc, f"{message}; write {row_terms(chosen.row)}")
        else:
            out.warning(entry.text_loc, f"{message}; state the likelihood in the English first, or recast the sentence")


def check_languages(project: Any, out: Collector) -> dict[str, LanguageFile]:
    """The languages briefs list, checked (first the project's own, each once, each with engine words), and
    their translation files loaded and checked. Returns the files by language."""
    source = project.settings.language
    engine = i18n.available()
    wanted: dict[str, None] = {}
    for brief in project.briefs.values():
        languages = list(getattr(brief, "languages", None) or [])
        if not languages:
            continue
        for i, lang in enumerate(languages):
            if not isinstance(lang, str) or not _LANGUAGE_TAG.match(lang):
                out.error(brief.at("languages", i), f"brief '{brief.id}': {lang!r} is not a language tag (BCP 47, e.g. "
                          "en, fr, zh-Hans)")
        if i18n.base(languages[0]) != i18n.base(source):
            out.error(brief.at("languages", 0), f"brief '{brief.id}': the first language is the source the translations "
                      f"are made from, the project's language ({source}); found '{languages[0]}'")
        seen: set[str] = set()
        for i, lang in enumerate(languages):
            if lang in seen:
                out.error(brief.at("languages", i), f"brief '{brief.id}' lists language '{lang}' twice")
            seen.add(lang)
            if i and lang not in engine:
                out.error(brief.at("languages", i), f"brief '{brief.id}': no engine words for language '{lang}' "
                          f"(headings, labels, dates); languages with them: {', '.join(engine)}",
                          hint=f"add briefwright/locale/{lang}/LC_MESSAGES/briefwright.po")
            elif i:
                wanted[lang] = None
    files = {lang: load_language(project.root, lang, out) for lang in wanted}
    folder = project.root / FOLDER
    if folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            if path.stem not in files and path.stem in engine[1:]:
                files[path.stem] = load_language(project.root, path.stem, out)
    for language in files.values():
        for problem in i18n.likelihood_table_problems(language.lang):
            out.error(Loc(i18n.catalogue_path(language.lang)), f"ICD 203 table for {language.lang}: {problem}")
        check_file(project, language, out)
    return files


def missing_summary(project: Any, brief: Any, lang: str, table: list[Portion], out: Collector, fallback: bool) -> None:
    """In `check`: one warning per brief and language with fields that print in English."""
    missing = [p for p in table if p.needed and p.state == "missing"]
    if not missing:
        return
    index = languages_of(brief, project).index(lang)
    then = "print in English marked 'translation pending'" if fallback else "fail the build of that language"
    out.warning(brief.at("languages", index),
                f"brief '{brief.id}': {len(missing)} of {len([p for p in table if not p.field.optional])} fields have no "
                f"{lang} translation and {then}; `briefwright translations --lang {lang}` lists them")


def gate(brief_id: str, lang: str, table: list[Portion], out: Collector, limit: int = 25) -> None:
    """The build of a language without fallback: every stale or missing portion is an error naming the record
    and the language (stale at the translation's entry, missing at the English field)."""
    needed = [p for p in table if p.needed]
    for p in needed[:limit]:
        if p.state == "stale":
            assert p.entry is not None
            out.error(p.entry.loc, f"brief '{brief_id}' ({lang}): {stale_message(p)}",
                      hint="translate the new English and copy its fingerprint into 'from', or set translation_fallback: "
                           "true in project.yaml to print it in English, marked")
        else:
            out.error(p.field.loc, f"brief '{brief_id}' ({lang}): {missing_message(p)}",
                      hint=f"briefwright translations --lang {lang} --write-starter adds it to {FOLDER}/{lang}.yaml")
    if len(needed) > limit:
        out.error(p.field.loc, f"brief '{brief_id}' ({lang}): and {len(needed) - limit} more fields stale or untranslated")


# -- the starter file ---------------------------------------------------------------------------------------

def _quoted(text: str, indent: str) -> str:
    """A YAML scalar for the text: a literal block where it spans lines, else a double-quoted string."""
    if "\n" in text.strip():
        body = "\n".join((indent + "  " + line) if line else "" for line in text.strip("\n").split("\n"))
        return "|-\n" + body
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def write_starter(path: Path, lang: str, portions_needed: list[Portion]) -> int:
    """Append an entry (english, from, empty text) for each missing field. The file is only appended to, so
    nothing in it is overwritten or reordered and its comments stay; a stale entry is left as it is (its
    translator updates text, english and from together: a starter cannot know the new translation, and
    moving the fingerprint alone would mark an old translation current). Written atomically (a temporary
    file beside it, then a rename). Returns how many entries were added."""
    text = path.read_text(encoding="utf-8") if path.is_file() else f"language: {lang}\nentries:\n"
    if not re.search(r"^entries:", text, re.M):
        text = text.rstrip("\n") + "\nentries:\n"
    elif re.search(r"^entries:\s*\{\}\s*$", text, re.M):
        text = re.sub(r"^entries:\s*\{\}\s*$", "entries:", text, flags=re.M)
    added = 0
    seen: set[str] = set()
    if not text.endswith("\n"):
        text += "\n"
    lines: list[str] = []
    for p in portions_needed:
        f = p.field
        if f.key in seen:
            continue
        seen.add(f.key)
        if p.state != "missing" or p.entry is not None:
            continue  # a stale entry is the translator's to update; one with empty text is already waiting
        lines.append(f"  {f.key}:\n    english: {_quoted(f.english, '    ')}\n    from: \"{fingerprint(f.english)}\"\n"
                     "    text: \"\"\n")
        added += 1
    after = re.search(r"^entries:.*\n(?:(?:[ #].*|)\n)*", text, re.M)  # the end of the entries block
    end = after.end() if after else len(text)
    text = text[:end] + "".join(lines) + text[end:]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return added


# -- the editions -------------------------------------------------------------------------------------------

@dataclass
class Editions:
    """The translated editions of a build, and what each language still needs."""

    editions: list[ResolvedBrief] = field(default_factory=list)
    pending: dict[str, int] = field(default_factory=dict)  # edition key -> portions printed in English


def resolve_translations(view: ChannelView, english: list[ResolvedBrief], files: dict[str, LanguageFile],
                         downloads: Callable[[str, str], list[Download]], base_url: str | None, out: Collector,
                         previous: dict[str, dict[str, Any]] | None = None,
                         recorded: dict[str, list[dict[str, Any]]] | None = None) -> Editions:
    """Each brief's translated editions, each resolved in its language from a translated view of the channel's
    project, with what changed since its previous edition and its earlier editions, as the source edition has them
    (`previous`, `recorded`: by brief id). Without fallback a stale or missing portion is an error in `out` (the
    caller stops the build); with it, a pending mark."""
    previous, recorded = previous or {}, recorded or {}
    project = view.project
    fallback = bool(getattr(project.settings, "translation_fallback", False))
    result = Editions()
    for brief in english:
        languages = languages_of(project.briefs[brief["id"]], project)
        fields = shown_fields(project, brief) if len(languages) > 1 else []
        for lang in languages[1:]:
            table = portions(fields, files.get(lang) or LanguageFile(lang, translation_path(project.root, lang)))
            if not fallback:
                gate(brief["id"], lang, table, out)
                if any(p.needed for p in table):
                    continue
            translated = translated_project(project, lang, table, fallback)
            with i18n.use(lang):
                resolved = BriefResolver(view, translated.briefs[brief["id"]], previous.get(brief["id"]),
                                         downloads(brief["id"], lang), base_url, recorded.get(brief["id"]),
                                         project=translated,
                                         translation=Translation(lang, sum(1 for p in table if p.needed))).resolve()
            result.editions.append(resolved)
            result.pending[edition_key(resolved)] = resolved["translation"]["pending"]
    return result


# -- marking pending portions in a page -----------------------------------------------------------------------

_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_RAW = {"script", "style", "title", "textarea"}
# Blocks a span may not cross: it closes before each and opens again inside those that hold text.
_BLOCKS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tr",
           "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section", "aside", "figure", "figcaption", "nav",
           "header", "footer", "main", "hr", "br"}
_TEXT_BLOCKS = {"p", "li", "dt", "dd", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "pre"}


def mark_pending(html: str, lang: str, mark: str) -> str:
    """The page with each pending portion (English between the sentinels) as a span in lang="en" with a
    visible mark in the page's language, split at block boundaries; sentinels in attributes, <title>,
    scripts and styles are removed."""
    if PENDING_START not in html:
        return html
    from markupsafe import escape
    opening = '<span class="translation-pending" lang="en">'
    badge = f'<span class="pending-mark" lang="{escape(lang)}">{escape(mark)}</span> '
    parts = _TAG_OR_TEXT.split(html)
    raw = None
    depth = 0  # pending portions open (they do not nest, but a stray end must not go below zero)
    span = False
    out: list[str] = []
    for part in parts:
        if part.startswith("<"):
            part = plain(part)
            name = part[1:].lstrip("/").split(None, 1)[0].rstrip("/>").lower() if len(part) > 2 else ""
            closing = part.startswith("</")
            if name in _RAW:
                raw = None if closing else name
            if depth and name in _BLOCKS and span:
                out.append("</span>")
                span = False
            out.append(part)
            if depth and name in _TEXT_BLOCKS and not closing:
                out.append(opening)
                span = True
            continue
        if raw is not None:
            out.append(plain(part))
            continue
        for piece in re.split(f"([{PENDING_START}{PENDING_END}])", part):
            if piece == PENDING_START:
                depth += 1
                if not span:
                    out.append(opening)
                    span = True
                out.append(badge)
            elif piece == PENDING_END:
                depth = max(depth - 1, 0)
                if span and not depth:
                    out.append("</span>")
                    span = False
            elif piece:
                out.append(piece)
    return "".join(out)


def check_translations(project: Any, out: Collector, english: Sequence[Mapping[str, Any]]) -> dict[str, LanguageFile]:
    """`check`'s part: languages and translation files checked, stale entries warned of at their lines, and
    for each brief and language (from `english`, every brief resolved in the source language with its previous
    edition) the fields still untranslated counted. Returns the files by language."""
    files = check_languages(project, out)
    multi = {b.id for b in project.briefs.values() if len(languages_of(b, project)) > 1}
    if multi and not out.errors:
        fallback = bool(getattr(project.settings, "translation_fallback", False))
        for resolved in (b for b in english if b["id"] in multi):
            record = project.briefs[resolved["id"]]
            fields = shown_fields(project, resolved)
            for lang in languages_of(record, project)[1:]:
                if lang in files:
                    missing_summary(project, record, lang, portions(fields, files[lang]), out, fallback)
    return files


def needs_report(project: Any, files: dict[str, LanguageFile], only: str | None, write: bool,
                 previous: dict[str, dict[str, Any]] | None = None) -> str:
    """`translations`: per language, the share of fields translated and current, then each stale field (old and
    new English) and each missing one, by brief; with `write`, the missing ones appended to its file. `previous`
    holds each brief's previous edition, whose 'what changed' the translated editions print too."""
    wanted: dict[str, list[str]] = {}
    for brief in project.sorted_briefs():
        for lang in languages_of(brief, project)[1:]:
            wanted.setdefault(lang, []).append(brief.id)
    if only is not None and only not in wanted:
        listed = ", ".join(sorted(wanted)) or "none"
        raise ValueError(f"no brief lists language '{only}' (languages briefs list: {listed})")
    if not wanted:
        return "No brief lists a language beside the project's own; add `languages: [en, fr]` to a brief.\n"
    english = {b["id"]: b for b in resolve(project, sorted({i for ids in wanted.values() for i in ids}), previous)}
    lines = []
    for lang in sorted(wanted):
        if only is not None and lang != only:
            continue
        language = files.get(lang) or LanguageFile(lang, translation_path(project.root, lang))
        table: dict[str, Portion] = {}
        users: dict[str, list[str]] = {}
        for brief_id in wanted[lang]:
            for p in portions(shown_fields(project, english[brief_id]), language):
                if p.field.optional:
                    continue
                table.setdefault(p.field.key, p)
                users.setdefault(p.field.key, []).append(brief_id)
        done = sum(1 for p in table.values() if p.state == "translated")
        share = 100 * done // len(table) if table else 100
        stale = [p for p in table.values() if p.state == "stale"]
        missing = [p for p in table.values() if p.state == "missing"]
        lines.append(f"{lang} ({i18n.language_name(lang)}): {share}% translated ({done} of {len(table)} fields current; "
                     f"{len(stale)} stale, {len(missing)} missing) for {', '.join(wanted[lang])}")
        for p in stale:
            assert p.entry is not None
            lines.append(f"  stale    {p.field.key}  ({p.entry.loc}; briefs: {', '.join(users[p.field.key])})")
            lines.append(f"           was: {_clip(' '.join(p.entry.english.split()))}")
            lines.append(f"           now: {_clip(' '.join(p.field.english.split()))}")
        for p in missing:
            lines.append(f"  missing  {p.field.key}  (briefs: {', '.join(users[p.field.key])})")
        if write:
            added = write_starter(language.path, lang, missing)
            lines.append(f"  wrote {added} new entr{'y' if added == 1 else 'ies'} with empty text to {language.path}"
                         + (f"; the {len(stale)} stale entries are left for their translator" if stale else ""))
    return "\n".join(lines) + "\n"
