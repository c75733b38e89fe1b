"""`verify SITE_DIR`: the leak check before publishing. Reads every file of a built site (the text of
PDFs and Word files, and the search index's compressed files, too) and reports any id, title or sentence of a
record the channel may not carry."""
from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from . import markup, search
from .model import Markdown, Marking, Record, parse_plan
from .project import Project

TEXT_SUFFIXES = {".html", ".htm", ".js", ".json", ".xml", ".svg", ".css", ".txt", ".md", ".csv"}
# Read through their text, not their bytes: documents, and the search index (Pagefind's files are compressed).
READ_SUFFIXES = {".pdf", ".docx", ".pptx", *search.INDEX_SUFFIXES}
_TAG = re.compile(r"<[^>]*>")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+")
_DOCX_BREAK = re.compile(r"</w:p>|<w:tab/>|<w:br/>|<w:cr/>|</a:p>|<a:br/>")  # Word and DrawingML (slides, notes, charts)
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
    markings = project.markings
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


def _docx_text(path: Path | io.BytesIO) -> str:
    """The text of a Word or PowerPoint file: its document or slides, notes, headers, footers, masters, charts (and
    the workbooks their data is kept in), properties and link targets. Runs of one paragraph are joined as Word and
    PowerPoint show them (a sentence may be split over runs); paragraphs are spaced apart."""
    import zipfile
    parts = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if name.endswith(".xlsx"):
                parts.append(_docx_text(io.BytesIO(z.read(name))))
            if not name.endswith((".xml", ".rels")):
                continue
            xml = z.read(name).decode("utf-8", errors="replace")
            if name.startswith(("word/", "ppt/", "xl/")) and name.endswith(".xml"):
                xml = _DOCX_BREAK.sub(" ", xml)
                parts.append(html.unescape(_TAG.sub("", xml)))
            else:
                parts.append(html.unescape(_TAG.sub(" ", xml)))
    return _SPACE.sub(" ", " ".join(parts))


def _views(path: Path) -> str:
    """The text of a file as a reader or a crawler would get it: markup removed, escapes decoded."""
    if path.suffix.lower() in (".docx", ".pptx"):
        return _docx_text(path)
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader
        reader = PdfReader(path)
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        if reader.metadata:
            text += " " + " ".join(str(v) for v in reader.metadata.values())
        return _SPACE.sub(" ", text)
    if path.suffix.lower() in search.INDEX_SUFFIXES:
        raw = search.decoded(path.read_bytes())
    else:
        raw = path.read_text(encoding="utf-8", errors="replace")
    decoded = html.unescape(_JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw))
    decoded = decoded.replace('\\"', '"').replace("\\n", " ")
    return _SPACE.sub(" ", raw + " \n " + decoded + " \n " + _TAG.sub(" ", decoded))


def _id_pattern(record_id: str) -> re.Pattern:
    return re.compile(r"(?<![A-Za-z0-9_-])" + re.escape(record_id) + r"(?![A-Za-z0-9_-])")


def verify(site: Path, project: Project, channel: Marking) -> tuple[list[Leak], int]:
    """Every leak in the built folder and the number of files read."""
    found = secrets(project, channel)
    ids = [(s, _id_pattern(s.text)) for s in found if s.is_id]
    texts = [s for s in found if not s.is_id]
    leaks: list[Leak] = []
    files = sorted(p for p in site.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES | READ_SUFFIXES)
    for path in files:
        view = _views(path)
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
