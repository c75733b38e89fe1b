"""Search by Pagefind: every brief, translated edition, fact, key judgment, source and open question the channel carries
is one record, in its language; the bundle is the same bytes for the same records; `verify` reads its compressed
files; over HTTP results show an excerpt, the kind and the briefs, a Chinese query finds the Chinese edition; from
file:// the page says so and searches a small index of briefs and judgments."""
from __future__ import annotations

import functools
import gzip
import http.server
import json
import shutil
import threading

import pytest
from helpers import FIXTURES, copy_project, run_cli, search_records
from test_markings import RESTRICTED, RESTRICTED_BRIEF

from briefwright.site import search
from briefwright.site.search import ENTRY, MAGIC


@pytest.fixture(scope="module")
def translated(tmp_path_factory):
    work = tmp_path_factory.mktemp("search")
    project = copy_project(FIXTURES / "translated", work / "project")
    result = run_cli("build", "--out", work / "site", "--cache-dir", work / "cache", "--formats", "html", "-j1",
                     cwd=project)
    assert result.code == 0, result.stderr
    return project, work / "site"


def test_one_record_per_brief_edition_and_record_each_in_its_language(translated):
    _, site = translated
    records = {r["url"]: r for r in search_records(site)}
    kinds = {}
    for r in records.values():
        kinds[r["meta"]["kind"]] = kinds.get(r["meta"]["kind"], 0) + 1
    assert kinds == {"Brief": 4, "Fact": 3, "Key judgment": 1, "Source": 2, "Open question": 1}
    assert records["briefs/sample/zh-Hans/index.html"]["meta"]["title"] == "小部件简报"
    # Pagefind keeps the words it split the Chinese into apart with zero-width spaces
    assert "厂商自称" in records["briefs/sample/zh-Hans/index.html"]["content"].replace("\u200b", "")
    assert records["facts/widget-speed/index.html"]["meta"]["briefs"] == "The widget, briefly"
    assert "Speed not tested independently" in records["facts/widget-speed/index.html"]["content"]  # its caveat too
    entry = json.loads((site / "pagefind" / ENTRY).read_text(encoding="utf-8"))
    assert sorted(entry["languages"]) == ["en", "fr", "zh-hans"]  # the page's lang, lower-cased, as Pagefind looks it up
    assert entry["languages"]["en"]["page_count"] == 9
    names = sorted(p.name for p in (site / "pagefind").iterdir())
    assert "pagefind.js" in names and not [n for n in names if n.startswith("pagefind-") and n != ENTRY]  # no UI kits


def test_a_partial_build_indexes_the_briefs_it_keeps_as_the_full_build_did(translated, tmp_path):
    project, site = translated
    again = tmp_path / "site"
    shutil.copytree(site, again)
    result = run_cli("build", "--out", again, "--cache-dir", tmp_path / "cache", "--formats", "html", "-j1",
                     "--only", "plain", cwd=project)
    assert result.code == 0 and "kept 1 as they were" in result.stderr, result.stderr
    partial = {r["url"]: r for r in search_records(again)}
    assert "briefs/sample/zh-Hans/index.html" in partial and "briefs/sample/fr/index.html" in partial
    assert "厂商自称" in partial["briefs/sample/zh-Hans/index.html"]["content"].replace("\u200b", "")  # its body, not its title alone

    def bundle(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in (folder / "pagefind").rglob("*") if p.is_file()}
    assert bundle(again) == bundle(site)  # the kept brief and its translated editions, each in its language, as before
    assert (again / "assets" / "search-index.js").read_bytes() == (site / "assets" / "search-index.js").read_bytes()
    assert (again / "search.html").read_bytes() == (site / "search.html").read_bytes()  # its languages offered


def test_the_bundle_is_the_same_bytes_for_the_same_records():
    records = [{"url": f"facts/f{i}/index.html", "language": ("en", "fr", "zh-Hans")[i % 3],
                "content": f"Fact {i} says measure {i % 7} rose. 出口管制芯片 {i}", "meta": {"title": f"Fact {i}", "kind": "Fact"}}
               for i in range(300)]
    first, second = search.index(records), search.index(records)
    assert first == second
    assert list(json.loads(first[ENTRY])["languages"]) == ["en", "fr", "zh-hans"]  # written again, keys sorted
    assert len([n for n in first if n.startswith("fragment/")]) == 300


def test_the_small_index_for_file_urls_holds_briefs_and_judgments_only(translated):
    _, site = translated
    script = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(script.removeprefix("window.BRIEFWRIGHT_INDEX = ").rstrip().rstrip(";"))
    assert sorted({e["kind"] for e in entries}) == ["Brief", "Key judgment"]
    assert {e["href"] for e in entries} == {"briefs/plain/index.html", "briefs/sample/index.html",
                                            "briefs/sample/fr/index.html", "briefs/sample/zh-Hans/index.html",
                                            "judgments/adoption/index.html"}


def _fragment(text: str) -> bytes:
    record = {"url": "facts/planted/index.html", "content": text, "word_count": 9, "filters": {},
              "meta": {"title": "Planted"}, "anchors": []}
    return gzip.compress(MAGIC + json.dumps(record, ensure_ascii=False).encode("utf-8"), mtime=0)


def test_verify_reads_the_search_index_and_catches_a_canary_in_it(tmp_path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (project / "content" / "restricted.yaml").write_text(RESTRICTED, encoding="utf-8")
    (project / "briefs" / "canary-brief.yaml").write_text(RESTRICTED_BRIEF, encoding="utf-8")
    public, amber = tmp_path / "public", tmp_path / "amber"
    for out, channel in ((public, "CLEAR"), (amber, "AMBER")):
        result = run_cli("build", "--out", out, "--cache-dir", tmp_path / "cache", "--formats", "html", "-j1",
                         "--max-marking", channel, cwd=project)
        assert result.code == 0, result.stderr
    assert run_cli("verify", public, cwd=project).code == 0
    # One compressed fragment carrying a sentence of an AMBER caveat: no other file of the site holds it.
    planted = public / "pagefind" / "fragment" / "en_0000000.pf_fragment"
    planted.write_bytes(_fragment("Canaryambercaveatbody a contact says the colour may change."))
    result = run_cli("verify", public, cwd=project)
    assert result.code == 1
    assert f"{planted}: error: caveat 'amber-caveat-on-open-fact' (TLP:AMBER) is above this channel" in result.stderr
    planted.unlink()
    # The AMBER site's real index holds AMBER records: verify for the public channel finds them in Pagefind's files.
    result = run_cli("verify", amber, cwd=project)
    assert result.code == 1
    leaked = {line.split(": error:")[0] for line in result.stderr.splitlines() if ": error:" in line}
    # (Its index chunks hold single words, which prove nothing alone; every record indexed has its fragment.)
    assert any("/pagefind/fragment/" in f and f.endswith(".pf_fragment") for f in leaked), sorted(leaked)


# -- in a browser --------------------------------------------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(translated):
    _, site = translated
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", site
    httpd.shutdown()




def _results(page, query: str) -> list[dict]:
    """The results shown once the page says it searched for `query` (an earlier query's may still be on it)."""
    page.wait_for_function("q => document.getElementById('search-status').textContent.includes('\u201c' + q + '\u201d')",
                           arg=query)
    return page.eval_on_selector_all("#results li", """els => els.map(li => ({
        kind: li.querySelector('.result-kind').textContent, href: li.querySelector('a').getAttribute('href'),
        title: li.querySelector('a').textContent, excerpt: li.querySelector('.result-excerpt').textContent,
        marked: Array.from(li.querySelectorAll('mark')).map(m => m.textContent),
        briefs: (li.querySelector('.result-briefs') || {}).textContent || null}))""")


@pytest.mark.slow
def test_over_http_results_show_an_excerpt_the_kind_and_the_briefs(served, browser):
    from test_browser import _watch
    base, _ = served
    page = browser.new_page()
    log = _watch(page)
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(base + "search.html")
    assert not [u for u in fetched if "/pagefind/" in u]  # nothing of the index loads with the page
    page.fill("#q", "independently")
    found = _results(page, "independently")
    assert found[0] == {"kind": "Fact", "href": "facts/widget-speed/index.html",
                        "title": "The widget runs at 120 units per hour, its maker says.",
                        "excerpt": found[0]["excerpt"], "marked": ["independently."], "briefs": "In: The widget, briefly"}
    assert "Speed not tested independently" in found[0]["excerpt"]
    assert any("/pagefind/fragment/" in u for u in fetched) and any(u.endswith("wasm.en.pagefind") for u in fetched)
    page.fill("#q", "widget")
    kinds = {r["kind"] for r in _results(page, "widget")}
    assert kinds == {"Brief", "Fact", "Key judgment", "Source", "Open question"}
    page.locator("#results li a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(base) and not page.url.endswith("search.html")
    assert log["console"] == [] and log["outside"] == []


@pytest.mark.slow
def test_a_chinese_query_finds_the_chinese_edition(served, browser):
    from test_browser import _watch
    base, _ = served
    page = browser.new_page()
    log = _watch(page)
    page.goto(base + "search.html")
    page.fill("#q", "速度")  # a word of the Chinese edition's bottom line, which writes no spaces between words
    found = _results(page, "速度")
    assert [r["href"] for r in found] == ["briefs/sample/zh-Hans/index.html"]
    assert page.locator("#search-lang").input_value() == "zh-hans"  # chosen by the query's characters
    # English words on the same page: one Pagefind per page, so it opens again for English, with the query
    page.fill("#q", "widget")
    page.wait_for_url("**/search.html?q=widget&lang=en&auto=1")
    assert any(r["href"] == "facts/widget-launch/index.html" for r in _results(page, "widget"))
    # A language the reader picks stays picked: Chinese words then search the English records
    page.select_option("#search-lang", "en")
    page.fill("#q", "速度")
    assert page.locator("#search-lang").input_value() == "en"
    page.wait_for_function("() => document.getElementById('search-status').textContent.startsWith('0 results')")
    assert log["console"] == [] and log["outside"] == []


@pytest.mark.slow
def test_from_a_file_url_the_page_says_so_and_searches_briefs_and_judgments(translated, browser):
    from test_browser import _watch
    _, site = translated
    page = browser.new_page()
    log = _watch(page)
    page.goto((site / "search.html").as_uri())
    note = page.locator("#search-note")
    assert note.is_visible() and "opened from a file" in note.text_content()
    page.fill("#q", "widget")
    found = _results(page, "widget")
    assert {r["kind"] for r in found} == {"Brief", "Key judgment"} and len(found) >= 3
    page.fill("#q", "小部件")
    assert [r["href"] for r in _results(page, "小部件")] == ["briefs/sample/zh-Hans/index.html"]
    assert log["console"] == [] and log["outside"] == []
