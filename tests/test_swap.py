"""The new site replaces the previous one in a single step: a reader asking for a page during the swap gets
the old page or the new one, never a 404 (serve's pages-first test met the gap between two renames in CI)."""
from __future__ import annotations

import errno
import sys
import threading

import pytest

from briefwright.builder.pipeline import _swap_in
from briefwright.core.swap import exchange

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")


@linux_only
def test_exchange_swaps_two_folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "page.html").write_text("first")
    (b / "page.html").write_text("second")
    assert exchange(a, b) is True
    assert (a / "page.html").read_text() == "second" and (b / "page.html").read_text() == "first"


@linux_only
def test_exchange_raises_a_real_error_with_the_path(tmp_path):
    (tmp_path / "there").mkdir()
    with pytest.raises(OSError) as caught:
        exchange(tmp_path / "missing", tmp_path / "there")
    assert caught.value.errno == errno.ENOENT and caught.value.filename == str(tmp_path / "missing")


def _site(folder, text):
    (folder / "briefs" / "one").mkdir(parents=True)
    (folder / "briefs" / "one" / "index.html").write_text(text)


@linux_only
def test_a_reader_never_misses_a_page_while_sites_are_swapped(tmp_path):
    out = tmp_path / "site"
    _site(out, "build 0")
    misses, seen, stop = [], set(), threading.Event()

    def read():
        page = out / "briefs" / "one" / "index.html"
        while not stop.is_set():
            try:
                seen.add(page.read_text())
            except FileNotFoundError:
                misses.append(1)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(1, 300):
            tmp = tmp_path / f".site.tmp-{n}"
            _site(tmp, f"build {n}")
            _swap_in(tmp, out)
            assert not tmp.exists()  # the previous site, removed once swapped out
    finally:
        stop.set()
        reader.join()
    assert (out / "briefs" / "one" / "index.html").read_text() == "build 299"
    assert misses == [] and len(seen) > 1, (len(misses), len(seen))


def test_without_exchange_the_two_renames_still_replace_the_site(tmp_path, monkeypatch):
    monkeypatch.setattr("briefwright.builder.pipeline.exchange", lambda first, second: False)
    out, tmp = tmp_path / "site", tmp_path / ".site.tmp-1"
    _site(out, "old")
    _site(tmp, "new")
    _swap_in(tmp, out)
    assert (out / "briefs" / "one" / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
