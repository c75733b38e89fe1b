"""The parse cache: an unchanged file is not parsed again, yet every load says what the files say now.
On disk (across runs) and in memory (serve's warm process): never a stale record, a damaged or planted
entry dropped with a warning (or passed over, when another machine signed it), and the same located
problems whether a file was parsed or its parse was read back."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, copy_project, run_cli
from test_broken_content import BROKEN, CASES, read_expect

from briefwright.builder.pipeline import check
from briefwright.core.diagnostics import Collector, ContentError
from briefwright.source.load import load_project
from briefwright.source.parse_cache import ParseCache
from briefwright.source.yamlfile import MAX_DEPTH, MAX_SCALAR_CHARS

STATES = ("went on sale in", "launched in", "shipped in", "launched in")


@pytest.fixture(autouse=True)
def own_signing_key(tmp_path, monkeypatch):
    """A signing key of the test's own (not the user's), made afresh in a folder of the test's."""
    import briefwright.source.parse_cache as cache_module
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(cache_module, "_SIGNING_KEY", [])


def _folder(project: Path) -> Path:
    return project / ".briefwright-cache" / "parse"


def _entry(project: Path, path: Path) -> Path:
    key = ParseCache(None).key(path.read_bytes(), "content")
    return _folder(project) / key[:2] / f"{key}.json"


def _load(project: Path, cache: ParseCache) -> tuple[str, list[str]]:
    """The sample fact's statement, and the notes the load gave (where the cache's warnings go)."""
    loaded = load_project(project, Collector(), cache=cache)
    assert loaded is not None
    return loaded.facts["widget-launch"].statement, loaded.notes


def _statement(project: Path, cache: ParseCache) -> str:
    return _load(project, cache)[0]


def _write(facts: Path, original: str, words: str) -> None:
    facts.write_text(original.replace("launched in", words), encoding="utf-8")


def test_edit_revert_edit_on_disk_each_run_reads_what_the_file_says(minimal):
    facts = minimal / "content" / "facts.yaml"
    original = facts.read_text(encoding="utf-8")
    assert "launched in" in _statement(minimal, ParseCache(_folder(minimal)))
    seen = {"launched in"}
    for words in STATES:
        _write(facts, original, words)
        cache = ParseCache(_folder(minimal))  # a new run: only the disk is shared
        assert words in _statement(minimal, cache)
        for other in set(STATES) - {words}:
            assert other not in _statement(minimal, ParseCache(_folder(minimal)))
        parsed = 0 if words in seen else 1  # bytes seen before (the revert) are read back too
        assert (cache.parsed, cache.hits) == (parsed, 5 - parsed), "only the edited file is parsed"
        seen.add(words)
        again = ParseCache(_folder(minimal))
        assert words in _statement(minimal, again) and again.parsed == 0 and again.hits == 5


def test_edit_revert_edit_in_memory_each_load_reads_what_the_file_says(minimal):
    facts = minimal / "content" / "facts.yaml"
    original = facts.read_text(encoding="utf-8")
    cache = ParseCache(_folder(minimal), memory=True)
    assert "launched in" in _statement(minimal, cache)
    for words in STATES:
        before = cache.recalled
        _write(facts, original, words)
        assert words in _statement(minimal, cache)
        assert cache.recalled - before == 4, "the four unchanged files come from memory"
        for other in set(STATES) - {words}:
            assert other not in _statement(minimal, cache)
    assert len(cache.memory or {}) == 5, "memory keeps only what the last load used"


def test_a_file_renamed_keeps_its_parse_but_reports_its_new_path(minimal):
    cache = ParseCache(_folder(minimal), memory=True)
    load_project(minimal, Collector(), cache=cache)
    (minimal / "content" / "facts.yaml").rename(minimal / "content" / "renamed.yaml")
    for run in (cache, ParseCache(_folder(minimal))):
        loaded = load_project(minimal, Collector(), cache=run)
        assert loaded is not None and loaded.facts["widget-launch"].loc.path.name == "renamed.yaml"
    assert run.hits == 5 and run.parsed == 0


def _outcome(project: Path, cache: ParseCache, args: list[str]) -> tuple:
    try:
        checked = check(project, "--strict" in args, "--no-private" not in args, cache)
        found, stopped, notes = checked.diagnostics.diagnostics, checked.diagnostics.stopped, checked.project.notes
    except ContentError as exc:
        found, stopped, notes = exc.diagnostics, exc.stopped, []
    return [(d.loc, d.message, d.severity, d.hint, d.syntax) for d in found], dict(stopped), notes


@pytest.mark.parametrize("case", CASES)
def test_every_broken_case_is_reported_identically_from_a_warm_cache(case, tmp_path):
    """Cold, then warm from disk, then from memory: the same located problems, in the same order."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    case_dir = BROKEN / case
    if (case_dir / "files").is_dir():
        shutil.copytree(case_dir / "files", project, dirs_exist_ok=True)
    for gone in (case_dir / "delete").read_text().split() if (case_dir / "delete").exists() else []:
        (project / gone).unlink()
    args = read_expect(case)[0]
    memory = ParseCache(_folder(project), memory=True)
    cold = _outcome(project, memory, args)  # parsed, stored on disk and kept in memory
    warm = ParseCache(_folder(project))
    assert _outcome(project, warm, args) == cold
    assert _outcome(project, memory, args) == cold
    if (project / "content").is_dir() and any((project / "content").rglob("*.yaml")):
        assert warm.hits + memory.recalled > 0, "the warm runs read nothing back: this case proves nothing"


DAMAGE = {
    "not json": lambda head, body: head + b"\n{not json",
    "cut short": lambda head, body: head + b"\n" + body[: len(body) // 2],
    "no header": lambda head, body: body,
    "edited body": lambda head, body: head + b"\n" + body.replace(b"launched in", b"INJECTED in"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_dropped_with_a_warning(minimal, damage):
    facts = minimal / "content" / "facts.yaml"
    assert run_cli("check", cwd=minimal).code == 0
    entry = _entry(minimal, facts)
    head, _, body = entry.read_bytes().partition(b"\n")
    entry.write_bytes(DAMAGE[damage](head, body))
    result = run_cli("check", cwd=minimal)
    assert result.code == 0 and "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "parse cache" in line]
    assert len(warnings) == 1 and warnings[0].startswith(
        "warning: the parse cache entry for content/facts.yaml was unreadable ("), result.stderr
    assert warnings[0].endswith("); dropped it and read the file")
    cache = ParseCache(_folder(minimal))
    statement, notes = _load(minimal, cache)
    assert "launched in" in statement and cache.hits == 5 and notes == [], "the entry was written again from the file"


def _forge(project: Path, path: Path, tree) -> None:
    """An entry for `path`'s bytes, correctly signed with this user's key: what only someone who can read
    the key could write. It must still hold the parser's limits."""
    cache = ParseCache(_folder(project))
    key = cache.key(path.read_bytes(), "content")
    parser = json.loads(_entry(project, path).read_bytes().partition(b"\n")[2])["parser"]
    payload = {"events": tree[1]} if tree[0] == "events" else {"tree": tree}
    body = json.dumps({"key": key, "parser": parser, **payload}).encode()
    _entry(project, path).write_bytes(b" ".join([cache.MAGIC, cache.key_id, cache._sign(body)]) + b"\n" + body)


def _deep(depth: int):
    tree: list = ["l", 1, 1, []]
    for _ in range(depth):
        tree = ["l", 1, 1, [1, 1, None, tree]]
    return ["m", 1, 1, ["facts", 1, 1, 1, 1, None, tree]]


FORGED = {
    "a value over the length limit": ["m", 1, 1, ["facts", 1, 1, 1, 1, None, "x" * (MAX_SCALAR_CHARS + 1)]],
    "nested deeper than the limit": _deep(MAX_DEPTH + 2),
    "nested deeper than JSON reads": "[" * 100_000,
    "an object where a value goes": ["m", 1, 1, ["facts", 1, 1, 1, 1, None, {"__class__": "os.system"}]],
    "a line that is not a number": ["m", 1, 1, ["facts", "1", 1, 1, 1, None, "x"]],
    "a key twice": ["m", 1, 1, ["a", 1, 1, 1, 1, None, "x", "a", 2, 1, 2, 1, None, "y"]],
    "a list at the top": ["l", 1, 1, []],
    "records: an unknown kind": ["events", [["r", "settings", [1, 1, [], {}, {}]]]],
    "records: too few fields": ["events", [["r", "fact", [1, 1, ["x"], {}, {}]]]],
    "records: an unknown event": ["events", [["x"]]],
    "records: not a list": ["events", {"r": 1}],
}


@pytest.mark.parametrize("forged", FORGED)
def test_an_entry_beyond_the_parsers_limits_is_dropped_not_trusted(minimal, forged):
    facts = minimal / "content" / "facts.yaml"
    load_project(minimal, Collector(), cache=ParseCache(_folder(minimal)))
    tree = FORGED[forged]
    if isinstance(tree, str):  # raw JSON text
        cache = ParseCache(_folder(minimal))
        body = tree.encode()
        _entry(minimal, facts).write_bytes(b" ".join([cache.MAGIC, cache.key_id, cache._sign(body)]) + b"\n" + body)
    else:
        _forge(minimal, facts, tree)
    statement, notes = _load(minimal, ParseCache(_folder(minimal)))
    assert "launched in" in statement
    assert len(notes) == 1 and notes[0].startswith("warning: the parse cache entry for"), notes


def test_a_planted_entry_cannot_say_what_the_file_does_not(minimal, tmp_path):
    """Entries are keyed by the file's bytes and signed with a key kept outside the project: an entry made for
    other bytes, or one committed or restored into the cache folder from elsewhere, is never read as this
    file's parse."""
    facts = minimal / "content" / "facts.yaml"
    original = facts.read_text(encoding="utf-8")
    _write(facts, original, "INJECTED in")
    load_project(minimal, Collector(), cache=ParseCache(_folder(minimal)))
    injected = _entry(minimal, facts).read_bytes()
    facts.write_text(original, encoding="utf-8")
    # 1. The entry for the injected text, under the key of the file's real bytes.
    _entry(minimal, facts).parent.mkdir(parents=True, exist_ok=True)
    _entry(minimal, facts).write_bytes(injected)
    statement, notes = _load(minimal, ParseCache(_folder(minimal)))
    assert "launched in" in statement
    assert len(notes) == 1 and "stored for other bytes" in notes[0], notes
    # 2. A whole cache folder made on another machine (another key), for exactly these bytes, saying otherwise.
    head, _, body = _entry(minimal, facts).read_bytes().partition(b"\n")
    magic, version, _, _ = head.split(b" ")
    forged = body.replace(b"launched in", b"INJECTED in")
    import hashlib
    import hmac
    other = hmac.new(b"another machine's key" * 2, forged, hashlib.sha256).hexdigest().encode()
    _entry(minimal, facts).write_bytes(b" ".join([magic, version, b"0123456789abcdef", other]) + b"\n" + forged)
    cache = ParseCache(_folder(minimal))
    statement, notes = _load(minimal, cache)
    assert "launched in" in statement
    assert notes == [] and cache.hits == 4 and cache.parsed == 1, "passed over quietly, and replaced"
    # 3. The same, claiming this machine's key id without its key.
    cache = ParseCache(_folder(minimal))
    _entry(minimal, facts).write_bytes(b" ".join([magic, version, cache.key_id, other]) + b"\n" + forged)
    statement, notes = _load(minimal, cache)
    assert "launched in" in statement
    assert len(notes) == 1 and "signature does not match" in notes[0], notes


def test_a_file_with_a_syntax_error_is_never_stored_and_stays_located(minimal):
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "  - id: [unclosed\n", encoding="utf-8")
    first = run_cli("check", cwd=minimal)
    assert first.code == 1 and "content/facts.yaml:" in first.stderr
    assert not _entry(minimal, facts).exists()
    assert run_cli("check", cwd=minimal).stderr == first.stderr


def test_without_a_place_for_the_key_the_disk_cache_is_off(minimal, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    cache = ParseCache(_folder(minimal))
    assert cache.folder is None
    assert _load(minimal, cache) == ("The widget launched in January 2026.", [])
    assert not _folder(minimal).exists()


def _shape(value):
    """A value with every type spelled out, records with their locations: equal only if read back exactly."""
    from briefwright.core.model import Record
    if isinstance(value, Record):
        # Locations are compared through field_locs and item_locs, which a record read back makes when first asked.
        fields = sorted((k, _shape(v)) for k, v in vars(value).items()
                        if k not in ("field_locs", "item_locs", "_locs_later"))
        return (type(value).__name__, tuple(fields), tuple(sorted(value.field_locs.items())),
                tuple(sorted((k, tuple(v)) for k, v in value.item_locs.items())))
    if isinstance(value, list):
        return ("list", tuple(_shape(v) for v in value))
    return (type(value).__name__, value)


def test_the_real_content_reads_back_record_for_record(tmp_path):
    from helpers import REPO
    project = tmp_path / "real"
    project.mkdir()
    shutil.copy(REPO / "project.yaml", project)
    for name in ("content", "briefs"):
        shutil.copytree(REPO / name, project / name)
    tables = ("sources", "facts", "caveats", "unknowns", "events", "charts", "judgments", "briefs")
    seen = []
    for cache in (ParseCache(_folder(project)), ParseCache(_folder(project))):
        loaded = load_project(project, Collector(), private=False, cache=cache)
        assert loaded is not None
        seen.append({t: {i: _shape(r) for i, r in getattr(loaded, t).items()} for t in tables})
    assert cache.parsed == 0 and cache.hits > 10, "the second load read every file back"
    assert seen[0] == seen[1] and sum(len(t) for t in seen[0].values()) > 100
    # Each file is kept as its records, not as the YAML tree the codec falls back to for a record it cannot write
    # (which would read back right but parse every record again: a silent slowdown).
    kept = [json.loads(entry.read_bytes().partition(b"\n")[2]) for entry in _folder(project).rglob("*.json")]
    assert len(kept) == cache.hits and all("events" in entry and "tree" not in entry for entry in kept)


def test_a_record_read_back_is_located_like_the_parsed_one_when_first_asked(minimal):
    facts = minimal / "content" / "facts.yaml"
    parsed = load_project(minimal, Collector(), cache=ParseCache(_folder(minimal)))
    read_back = load_project(minimal, Collector(), cache=ParseCache(_folder(minimal)))
    assert parsed is not None and read_back is not None
    fact, again = parsed.facts["widget-launch"], read_back.facts["widget-launch"]
    assert "_locs_later" in vars(again), "read back without making every location"
    assert again.at("statement") == fact.at("statement") and again.at("statement").path == facts
    assert again.at("sources", 0) == fact.at("sources", 0) and again.at("sources", 0).line > again.loc.line
    assert "_locs_later" not in vars(again) and again.field_locs == fact.field_locs


def test_entries_no_run_has_read_for_a_fortnight_are_swept_once_a_day(minimal):
    import os
    import time
    facts = minimal / "content" / "facts.yaml"
    original = facts.read_text(encoding="utf-8")
    folder = _folder(minimal)
    assert run_cli("check", cwd=minimal).code == 0
    _write(facts, original, "went on sale in")  # an earlier version of the file: its entry is no longer read
    assert run_cli("check", cwd=minimal).code == 0
    entries = sorted(folder.rglob("*.json"))
    old_version = _entry(minimal, facts)
    facts.write_text(original, encoding="utf-8")
    current = _entry(minimal, facts)
    assert old_version in entries and current in entries and old_version != current
    month_ago = time.time() - 30 * 86400
    for entry in entries:  # nothing read for a month...
        os.utime(entry, (month_ago, month_ago))
    stray = current.with_name(current.name + ".123.tmp")  # ...and a stopped run's temporary file
    stray.write_bytes(b"half")
    os.utime(stray, (month_ago, month_ago))
    (folder / ParseCache.SWEPT).unlink(missing_ok=True)
    assert run_cli("check", cwd=minimal).code == 0  # reads the current files' entries, then sweeps
    left = set(folder.rglob("*.json"))
    assert current in left and old_version not in left and not stray.exists()
    assert len(left) == len(entries) - 1, "every entry this run read is kept"
    # Swept at most once a day: an entry unread for a month survives until the next day's sweep.
    os.utime(current, (month_ago, month_ago))
    assert ParseCache(folder).sweep() == 0 and current.exists()
    assert ParseCache(folder).sweep(now=time.time() + 25 * 3600) >= 1 and not current.exists()
