"""`verify SITE_DIR`: the leak check before publishing. Reads every file of a built site (the text of
PDFs and Word files, and the search index's compressed files, too) and reports any id, title or sentence of a
record the channel may not carry."""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefwright.check.markings import markings_of
from briefwright.core import markup
from briefwright.core.model import Markdown, Marking, Record, parse_plan
from briefwright.formats import FORMATS
from briefwright.site import search
from briefwright.source.project import Project

TEXT_SUFFIXES = {".html", ".htm", ".js", ".json", ".xml", ".svg", ".css", ".txt", ".md", ".csv"}
_TAG = re.compile(r"<[^>]*>")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+")
MIN_WORDS = 4  # shorter phrases ("Not known.") are too common to prove a leak; ids and titles catch the rest


@dataclass(frozen=True)
class Secret:
    kind: str
    record_id: str
    marking: Marking
    text: str
    is_id: bool = False


@dataclass(frozen=True)
class Leak:
    file: str
    secret: Secret

    def __str__(self) -> str:
        what = "its id" if self.secret.is_id else f"“{self.secret.text[:80]}”"
        return (f"{self.secret.kind} '{self.secret.record_id}' ({self.secret.marking.label}) "
                f"is above this channel: {what} appears")


def _plain(text: str, is_markdown: bool) -> str:
    return _SPACE.sub(" ", markup.to_text(text) if is_markdown else text).strip()


def _phrases(text: str) -> list[str]:
    """The whole text and each of its sentences long enough to be unmistakable."""
    parts = [text] + [p.strip() for p in _SENTENCE.split(text)]
    return [p for p in dict.fromkeys(parts) if len(p.split()) >= MIN_WORDS or (len(p) >= 24 and " " in p)]


def _strings(record: Record) -> list[tuple[str, bool]]:
    """Every free-text value of a record and its nested records, with whether it is Markdown."""
    found: list[tuple[str, bool]] = []
    for name, tp, item, _, _, _ in parse_plan(type(record)):
        if name in ("id", "url", "archived_url", "kind", "attribution", "marking", "template", "audience"):
            continue
        value = getattr(record, name)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, Record):
                found += _strings(v)
            elif isinstance(v, str) and (item or tp) in (str, Markdown):  # not ids, dates or choices
                found.append((v, (item or tp) is Markdown))
    return found


def secrets(project: Project, channel: Marking) -> list[Secret]:
    """What must not appear in a site for this channel: ids and text of every record above it."""
    markings = markings_of(project)
    found: list[Secret] = []
    allowed_text: set[str] = set()
    kinds = ("source", "fact", "caveat", "unknown", "judgment", "event", "chart")
    for kind in kinds:
        for rid, record in project.table(kind).items():
            if markings.allowed(kind, rid, channel):
                allowed_text.update(_plain(t, md) for t, md in _strings(record))
    for brief in project.briefs.values():
        if brief.marking.allowed_in(channel):
            allowed_text.update(_plain(t, md) for t, md in _strings(brief))
    allowed_blob = "\n".join(allowed_text)
    restricted: list[tuple[str, str, Marking, Record]] = []
    for kind in kinds:
        for rid, record in project.table(kind).items():
            derived = markings.with_caveats(rid) if kind == "fact" else markings.of(kind, rid)
            if not derived.marking.allowed_in(channel):
                restricted.append((kind, rid, derived.marking, record))
    for brief in project.briefs.values():
        if not brief.marking.allowed_in(channel):
            restricted.append(("brief", brief.id, brief.marking, brief))
    for kind, rid, marking, record in restricted:
        found.append(Secret(kind, rid, marking, rid, is_id=True))
        for text, is_markdown in _strings(record):
            # Words that a record the channel carries also uses (a publisher's name, a stock phrase) prove nothing.
            found += [Secret(kind, rid, marking, phrase) for phrase in _phrases(_plain(text, is_markdown))
                      if phrase not in allowed_blob]
    return found


# Files that hold no words a reader could find (pictures, fonts): not read, and named here so that nothing else is
# passed over. Every other file is read as text or by the format that wrote it.
NO_TEXT_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf",
                    ".pagefind", ".wasm"}  # Pagefind's WebAssembly search engine: code, the same for every site


@dataclass(frozen=True)
class Unreadable:
    """A file verify cannot read, so cannot vouch for: the check fails rather than skip it."""

    file: str
    why: str

    def __str__(self) -> str:
        return f"cannot be read for the leak check ({self.why}); do not publish a file nobody has checked"


def _as_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def readers() -> dict[str, Callable[[bytes], str]]:
    """How each kind of file is read, by suffix: text as text, and each registered format's files by the format."""
    # A file with no suffix (the site's marker, a CNAME) is read as text too.
    found: dict[str, Callable[[bytes], str]] = {s: _as_text for s in (*TEXT_SUFFIXES, "")}
    # The search index: Pagefind's compressed files, each record's whole text in its fragment.
    found.update({s: search.decoded for s in search.INDEX_SUFFIXES})
    for name in FORMATS:
        fmt = FORMATS[name]
        if fmt.suffix.lower() not in TEXT_SUFFIXES:
            found[fmt.suffix.lower()] = fmt.text_of
    return found


def _view(raw: str, markup_text: bool) -> str:
    """The text of a file as a reader or a crawler would get it: markup removed, escapes decoded."""
    if not markup_text:
        return _SPACE.sub(" ", raw)
    decoded = html.unescape(_JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw))
    decoded = decoded.replace('\\"', '"').replace("\\n", " ")
    return _SPACE.sub(" ", raw + " \n " + decoded + " \n " + _TAG.sub(" ", decoded))


def _id_pattern(record_id: str) -> re.Pattern:
    return re.compile(r"(?<![A-Za-z0-9_-])" + re.escape(record_id) + r"(?![A-Za-z0-9_-])")


def verify(site: Path, project: Project, channel: Marking) -> tuple[list[Leak | Unreadable], int]:
    """Every leak in the built folder, and every file it could not read, and the number of files looked at."""
    found = secrets(project, channel)
    ids = [(s, _id_pattern(s.text)) for s in found if s.is_id]
    texts = [s for s in found if not s.is_id]
    leaks: list[Leak | Unreadable] = []
    read = readers()
    files = sorted(p for p in site.rglob("*") if p.is_file() and p.suffix.lower() not in NO_TEXT_SUFFIXES)
    for path in files:
        reader = read.get(path.suffix.lower())
        if reader is None:
            leaks.append(Unreadable(path.relative_to(site).as_posix(), f"no reader for '{path.suffix or path.name}' files"))
            continue
        try:
            view = _view(reader(path.read_bytes()), path.suffix.lower() in (*TEXT_SUFFIXES, "", *search.INDEX_SUFFIXES))
        except NotImplementedError as exc:
            leaks.append(Unreadable(path.relative_to(site).as_posix(), str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001  a damaged file is reported, not a traceback
            leaks.append(Unreadable(path.relative_to(site).as_posix(), f"{type(exc).__name__}: {exc}"))
            continue
        name = path.relative_to(site).as_posix()
        seen: set[tuple[str, str]] = set()
        for secret, pattern in ids:
            if pattern.search(view) and (secret.kind, secret.record_id) not in seen:
                seen.add((secret.kind, secret.record_id))
                leaks.append(Leak(name, secret))
        for secret in texts:
            if (secret.kind, secret.record_id) not in seen and secret.text in view:
                seen.add((secret.kind, secret.record_id))
                leaks.append(Leak(name, secret))
    return leaks, len(files)
