"""The site's search: every record the channel carries (brief and each translated edition, fact, judgment, source,
open question) is one Pagefind record, indexed in its own language (Chinese segmented into words by Pagefind's
extended build), into a chunked bundle under pagefind/ that a browser fetches piece by piece over HTTP. Browsers do
not let a page opened from file:// fetch it, so the site also carries a small index of briefs and judgments
(assets/search-index.js) that search.js reads there instead.

Pagefind's Python API (`pagefind.index`) polls its binary's answers every 0.1 s, one answer per poll: 50 records
took 5.2 s, so 10,000 would take about 17 minutes. `index` below speaks the same service protocol (base64 JSON
messages ended by a comma, on the binary's stdin and stdout) to the same binary (`pagefind.service.get_executable`),
writing every request at once: 10,000 records in about 2 s. Its output is the same bytes for the same records, in
the same order, except that the binary writes pagefind-entry.json's languages in hash-map order; that file is written
again with sorted keys.
"""
from __future__ import annotations

import base64
import gzip
import json
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from briefwright.core.markup import strip_tags
from briefwright.resolve.present import script_json
from briefwright.resolve.translations import plain

FOLDER = "pagefind"
ENTRY = "pagefind-entry.json"
MAGIC = b"pagefind_dcd"  # what every file Pagefind compresses starts with, once decompressed
# Of what the binary writes, what the search page fetches: its script (without the web worker, which costs a second
# script of 41 KB to fetch; search runs in the page), WebAssembly per language, and the index. Not its UI kits.
_KEEP_PREFIXES = ("pagefind.", "wasm.", "index/", "fragment/", "filter/")
_KEEP_FILES = ("pagefind.js", ENTRY)
# Pagefind's index files, gzip-compressed: a fragment holds a record's whole text as JSON, the others its words and
# metadata (the .pagefind files are its WebAssembly, no content).
INDEX_SUFFIXES = (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter")

KIND_LABELS = {"brief": "Brief", "fact": "Fact", "judgment": "Key judgment", "source": "Source", "unknown": "Open question"}


class SearchIndexError(Exception):
    """Pagefind could not be run, or refused a record: the site cannot be built with its search."""


def pagefind_language(lang: str) -> str:
    """The key of a language's index: Pagefind looks an index up by the search page's <html lang>, lower-cased
    (zh-Hans -> zh-hans), and its keys are case-sensitive."""
    return lang.lower()


def _executable() -> str:
    from pagefind.service import get_executable  # not installed: cli names the package to install
    found = get_executable()
    if found is None:
        raise SearchIndexError("Pagefind is not installed; install it with: pip install 'pagefind[extended]'")
    return str(found)


def _message(message_id: int, payload: dict) -> bytes:
    return base64.b64encode(json.dumps({"message_id": message_id, "payload": payload}).encode("utf-8")) + b","


def _answers(stream: Any) -> Iterator[dict]:
    buffer = b""
    while True:
        chunk = stream.read1(1 << 20)
        if not chunk:
            return
        buffer += chunk
        *complete, buffer = buffer.split(b",")
        for message in complete:
            if message.strip():
                yield json.loads(base64.b64decode(message))


def index(records: list[dict]) -> dict[str, bytes]:
    """Pagefind's bundle for `records` (each: url, language, content, meta), as {path under pagefind/: bytes}, in
    one run of the binary. The same records in the same order give the same bytes."""
    # The binary needs a working folder that exists; what it says on stderr goes to a file (a pipe nobody reads
    # while its stdout is read could fill and stop it).
    with tempfile.TemporaryDirectory(prefix="briefwright-pagefind-") as cwd, open(f"{cwd}/stderr", "w+b") as said:
        try:
            service = subprocess.Popen([_executable(), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=said, cwd=cwd)
        except OSError as exc:
            raise SearchIndexError(f"could not run Pagefind: {exc}") from None
        assert service.stdin is not None and service.stdout is not None
        try:
            answers = _answers(service.stdout)
            service.stdin.write(_message(0, {"type": "NewIndex", "config": None}))
            service.stdin.flush()
            created = next(answers, None)
            if created is None or created["payload"].get("type") != "NewIndex":
                raise SearchIndexError(f"Pagefind did not start an index: {created}")
            index_id = created["payload"]["index_id"]
            requests = [_message(n + 1, {"type": "AddRecord", "index_id": index_id, "url": r["url"],
                                         "content": r["content"], "language": pagefind_language(r["language"]),
                                         "meta": r["meta"], "filters": None, "sort": None})
                        for n, r in enumerate(records)]
            last = len(records) + 1
            requests.append(_message(last, {"type": "GetFiles", "index_id": index_id}))
            # Written from a thread while this one reads: the binary answers as it goes, and a full pipe each way
            # would stop both.
            writer = threading.Thread(target=_write_all, args=(service.stdin, requests), daemon=True)
            writer.start()
            files = None
            for answer in answers:
                payload = answer["payload"]
                if payload.get("type") == "Error":
                    raise SearchIndexError(f"Pagefind refused a record: {payload.get('message')}")
                if answer.get("message_id") == last:
                    files = payload["files"]
                    break
            writer.join()
            if files is None:
                service.wait()
                said.seek(0)
                raise SearchIndexError("Pagefind stopped before writing its index: "
                                       + said.read().decode("utf-8", "replace")[-400:].strip())
        finally:
            service.stdin.close()
            service.kill()
            service.wait()
    bundle = {}
    for entry in files:
        path = entry["path"]
        if path in _KEEP_FILES or (path.startswith(_KEEP_PREFIXES) and not path.endswith(".js")):
            bundle[path] = base64.b64decode(entry["content"])
    entry_json = json.loads(bundle[ENTRY])
    bundle[ENTRY] = json.dumps(entry_json, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return dict(sorted(bundle.items()))


def _write_all(stream: Any, requests: list[bytes]) -> None:
    try:
        for request in requests:
            stream.write(request)
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass  # the binary stopped: the reader reports it


def decoded(data: bytes) -> str:
    """The text of a compressed Pagefind file (a fragment is JSON holding the record's whole text): what a reader of
    the index could get from it. Binary parts (index tables) come out as replacement characters. Pagefind keeps the
    words it split Chinese and Japanese into apart with zero-width spaces; they go, as its script drops them."""
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError):
        return ""
    return raw.removeprefix(MAGIC).decode("utf-8", errors="replace").replace("\u200b", "")


def records_of(bundle: dict[str, bytes]) -> list[dict]:
    """Every record in a bundle, read back from its fragments (url, content, meta): for tests and `verify`."""
    return sorted((json.loads(decoded(data)) for name, data in bundle.items() if name.endswith(".pf_fragment")),
                  key=lambda r: r["url"])


def _text(*parts: Any) -> str:
    return " ".join(" ".join(plain(strip_tags(str(p))).split()) for p in parts if p)


def brief_text(brief: Mapping[str, Any]) -> str:
    """A resolved brief's own words for the index: title, bottom line, and each section's title, text, judgments,
    facts and open questions, as the edition prints them (a translated edition in its language)."""
    parts: list[Any] = [brief["title"], brief["bottom_line_text"]]
    for section in brief["sections"]:
        parts += [section["title"], section.get("intro_html")]
        parts += [j["statement"] for j in section.get("judgments", [])]
        parts += [f["statement_html"] for f in section.get("facts", [])]
        parts += [u["question"] for u in section.get("unknowns", [])]
    return _text(*parts)


def _words(brief: Mapping[str, Any]) -> str:
    """A brief's or edition's words for the index: from its resolved body, or (a brief a partial build kept) as the
    build that made it recorded them; a record made before they were recorded gives its title and bottom line."""
    if "sections" in brief:
        return brief_text(brief)
    return brief.get("search_text") or _text(brief["title"], brief["bottom_line_text"])


def kept_record(brief: Mapping[str, Any], editions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What the site record keeps of a brief for a later partial build that keeps it, so that build indexes it as
    this one did: its words, and each translated edition's language, address, title and words."""
    return {"text": brief_text(brief),
            "editions": [{"language": e["language"], "path": next(a["path"] for a in e["alternates"] if a["current"]),
                          "title": e["title"], "bottom_line_text": e["bottom_line_text"], "text": brief_text(e)}
                         for e in editions if e["id"] == brief["id"] and e.get("translation")]}


def kept_editions(brief: Mapping[str, Any], kept: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """A kept brief's translated editions as the index and the search page read an edition (see kept_record)."""
    return [{"id": brief["id"], "translation": {"lang": e["language"]}, "language": e["language"], "title": e["title"],
             "bottom_line_text": e["bottom_line_text"], "alternates": [{"path": e["path"], "current": True}],
             "search_text": e["text"]} for e in (kept or {}).get("editions", [])]


def records(pages: dict[str, list[dict]], listed: Sequence[Mapping[str, Any]], editions: Sequence[Mapping[str, Any]],
            language: str) -> list[dict]:
    """The index's records: each published brief and translated edition, then each record page (permalinks.py's
    context: facts, judgments, sources, open questions the channel carries), with the words a result shows (title,
    kind, the briefs it appears in)."""
    found: list[dict] = []

    def add(url: str, lang: str, kind: str, title: str, content: str, briefs: Iterable[str]) -> None:
        meta = {"title": plain(title), "kind": KIND_LABELS[kind]}
        names = "; ".join(dict.fromkeys(plain(b) for b in briefs))
        if names:
            meta["briefs"] = names
        found.append({"url": url, "language": lang, "content": content or plain(title), "meta": meta})
    for brief in listed:
        add(f"briefs/{brief['id']}/index.html", language, "brief", brief["title"], _words(brief), [])
    for edition in editions:
        if edition.get("translation"):
            path = next(a["path"] for a in edition["alternates"] if a["current"])
            add(path, edition["language"], "brief", edition["title"], _words(edition), [])
    for kind in ("fact", "judgment", "source", "unknown"):
        for page in pages[kind]:
            add(page["path"], language, kind, page["title"], page["search_text"], (b["title"] for b in page["briefs"]))
    return found


def fallback_index(pages: dict[str, list[dict]], listed: Sequence[Mapping[str, Any]], editions: Sequence[Mapping[str, Any]]) -> str:
    """assets/search-index.js: briefs (each translated edition in its language) and judgments, for search.js to
    search from file://, where the Pagefind bundle cannot be fetched."""
    entries = [{"kind": "Brief", "title": b["title"], "text": b["bottom_line_text"], "href": f"briefs/{b['id']}/index.html"}
               for b in listed]
    entries += [{"kind": "Brief", "title": plain(e["title"]), "text": plain(e["bottom_line_text"]),
                 "href": next(a["path"] for a in e["alternates"] if a["current"]), "lang": e["language"]}
                for e in editions if e.get("translation")]
    entries += [{"kind": "Key judgment", "title": j["title"], "text": j["search_text"], "href": j["path"]}
                for j in pages["judgment"]]
    return "window.BRIEFWRIGHT_INDEX = " + script_json(entries) + ";\n"


def languages(language: str, editions: Sequence[Mapping[str, Any]]) -> list[dict]:
    """The languages the search page offers (its own first, then each translated edition's), by Pagefind's key."""
    from briefwright.core.i18n import language_name
    found = [language] + sorted({e["language"] for e in editions if e.get("translation")} - {language})
    return [{"value": pagefind_language(lang), "lang": lang, "name": language_name(lang)} for lang in found]


def site_files(found: list[dict], pages: dict[str, list[dict]], listed: Sequence[Mapping[str, Any]],
               editions: Sequence[Mapping[str, Any]]) -> dict[str, bytes]:
    """The search's files in the site: the Pagefind bundle under pagefind/ and the small index for file://."""
    files = {f"{FOLDER}/{name}": data for name, data in index(found).items()}
    files["assets/search-index.js"] = fallback_index(pages, listed, editions).encode("utf-8")
    return files
