"""The content-addressed build cache: keys, round trips, and what happens when the store is damaged or unwritable."""
from __future__ import annotations

import json
import os
import re
import time

from briefwright.core.cache import Cache, digest, tree_digest

KEY = digest("html", {"id": "sample"}, ["1.0"])
FILES = {"index.html": b"<!doctype html><p>hi</p>", "chart.svg": b"<svg/>"}


def entry(root, key=KEY):
    return root / key[:2] / key


def test_digest_depends_on_every_part_and_nothing_else():
    assert digest("a", {"x": 1, "y": 2}) == digest("a", {"y": 2, "x": 1})  # key order is not content
    assert digest("a", {"x": 1}) != digest("a", {"x": 2})
    assert digest(b"ab", b"c") != digest(b"a", b"bc")  # parts are length-prefixed, never run together
    assert digest(b"raw") != digest("raw")  # bytes are hashed as they are, other values as JSON
    assert len(KEY) == 64 and int(KEY, 16) >= 0


def test_tree_digest_follows_names_and_bytes(tmp_path):
    folder = tmp_path / "templates"
    (folder / "partials").mkdir(parents=True)
    (folder / "partials" / "a.html").write_text("one", encoding="utf-8")
    first = tree_digest([folder])
    assert tree_digest([folder]) == first
    (folder / "partials" / "a.html").write_text("two", encoding="utf-8")
    changed = tree_digest([folder])
    assert changed != first
    (folder / "partials" / "a.html").rename(folder / "partials" / "b.html")
    assert tree_digest([folder]) not in (first, changed)


def test_put_then_get_returns_the_same_files(tmp_path):
    cache = Cache(tmp_path / "cache")
    assert cache.get(KEY) is None  # nothing stored yet
    cache.put(KEY, FILES)
    assert cache.get(KEY) == FILES
    assert Cache(tmp_path / "cache").get(KEY) == FILES  # stored on disk, not in memory
    manifest = json.loads((entry(tmp_path / "cache") / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(FILES)
    assert cache.get(digest("another key")) is None
    assert cache.warnings == []


def test_put_replaces_an_entry_whole(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put(KEY, FILES)
    cache.put(KEY, {"index.html": b"new"})
    assert cache.get(KEY) == {"index.html": b"new"}
    assert sorted(p.name for p in (entry(tmp_path / "cache") / "files").iterdir()) == ["index.html"]
    assert [p.name for p in entry(tmp_path / "cache").parent.iterdir()] == [KEY]  # no temporary folder left


def test_changed_file_is_dropped_with_a_warning(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put(KEY, FILES)
    (entry(tmp_path / "cache") / "files" / "chart.svg").write_bytes(b"<svg>tampered</svg>")
    assert cache.get(KEY) is None
    assert cache.warnings == [f"cache entry {KEY[:12]} is unreadable (chart.svg does not match its checksum); rebuilding it"]
    assert not entry(tmp_path / "cache").exists()
    cache.put(KEY, FILES)  # rebuilt and stored again
    assert cache.get(KEY) == FILES and len(cache.warnings) == 1


def test_unreadable_manifest_or_missing_file_is_dropped_with_a_warning(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put(KEY, FILES)
    (entry(tmp_path / "cache") / "manifest.json").write_text("{not json", encoding="utf-8")
    assert cache.get(KEY) is None
    other = digest("other")
    cache.put(other, FILES)
    (entry(tmp_path / "cache", other) / "files" / "index.html").unlink()
    assert cache.get(other) is None
    assert [w.split(" (")[0] for w in cache.warnings] == [f"cache entry {KEY[:12]} is unreadable",
                                                          f"cache entry {other[:12]} is unreadable"]
    assert "index.html" in cache.warnings[1]
    assert not entry(tmp_path / "cache").exists() and not entry(tmp_path / "cache", other).exists()


def test_read_false_never_reads_but_still_writes(tmp_path):
    forced = Cache(tmp_path / "cache", read=False)
    forced.put(KEY, FILES)
    assert forced.get(KEY) is None  # --force: every output is made again
    assert Cache(tmp_path / "cache").get(KEY) == FILES  # and the next ordinary build can reuse it
    assert forced.warnings == []


def test_no_root_stores_nothing(tmp_path):
    cache = Cache(None)
    cache.put(KEY, FILES)
    assert cache.get(KEY) is None and cache.warnings == []


def test_unwritable_root_only_costs_a_warning(tmp_path, capsys):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    cache = Cache(blocker)
    cache.put(KEY, FILES)  # must not raise
    cache.put("1" * 64, FILES)
    assert capsys.readouterr().err == ""  # queued for the build's report, said once
    assert len(cache.warnings) == 1 and cache.warnings[0].startswith("could not write the build cache: ")
    assert cache.get(KEY) is None
    assert blocker.read_text(encoding="utf-8") == "a file where the cache folder should be"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def _aged(cache: Cache, key: str, files: dict[str, bytes], seconds_ago: float) -> None:
    cache.put(key, files)
    manifest = cache.root / key[:2] / key / "manifest.json"
    os.utime(manifest, (time.time() - seconds_ago, time.time() - seconds_ago))


def test_sweep_removes_the_entries_used_longest_ago_down_to_the_limit(tmp_path):
    old = Cache(tmp_path)
    old.started = time.time() - 1000  # an earlier build wrote these
    keys = [digest("entry", i) for i in range(4)]
    for age, key in zip((400, 300, 200, 100), keys, strict=True):
        _aged(old, key, {"out.pdf": b"x" * 1000}, age)
    (tmp_path / "parse").mkdir()
    (tmp_path / "parse" / "big.bin").write_bytes(b"p" * 50_000)  # not an entry: never counted or removed
    now = Cache(tmp_path)
    assert now.get(keys[0]) == {"out.pdf": b"x" * 1000}  # used by this build: kept, though written first
    assert now.sweep(limit=2500) == (2, 2000)
    assert [now.get(k) is not None for k in keys] == [True, False, False, True]  # the 300 s and 200 s old ones went
    assert (tmp_path / "parse" / "big.bin").exists()


def test_sweep_never_removes_what_this_build_used_even_over_the_limit(tmp_path):
    cache = Cache(tmp_path)
    cache.put(digest("a"), {"a": b"a" * 5000})
    assert cache.sweep(limit=10) == (0, 0)
    assert cache.get(digest("a")) is not None


def test_the_limit_comes_from_the_environment_in_megabytes(monkeypatch):
    from briefwright.core.cache import DEFAULT_MAX_BYTES, max_bytes
    monkeypatch.setenv("BRIEFWRIGHT_CACHE_MAX_MB", "300")
    assert max_bytes() == 300 * 1024 ** 2
    monkeypatch.setenv("BRIEFWRIGHT_CACHE_MAX_MB", "lots")
    assert max_bytes() == DEFAULT_MAX_BYTES


def test_a_build_sweeps_what_an_earlier_build_left_and_keeps_what_it_used(tmp_path):
    from helpers import FIXTURES, copy_project, run_cli
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    args = ("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "--formats", "html", "-j1")
    assert run_cli(*args, cwd=project).code == 0
    first = {p.name for p in (tmp_path / "cache").glob("??/*")}
    facts = project / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("launched in", "went on sale in"), encoding="utf-8")
    result = run_cli(*args, cwd=project, env={"BRIEFWRIGHT_CACHE_MAX_MB": "0"})
    assert result.code == 0, result.stderr
    assert re.search(r"build cache: removed \d+ entries used longest ago \(\d+ MB\), to stay within 0 MB", result.stderr)
    second = {p.name for p in (tmp_path / "cache").glob("??/*")}
    assert first - second and second - first  # entries only the first build used are gone; this build's are there
    assert run_cli(*args, cwd=project).code == 0  # and what it kept still builds
