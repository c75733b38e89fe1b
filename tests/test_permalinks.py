"""A page per record: facts/<id>/, sources/<id>/, judgments/<id>/ and unknowns/<id>/, each showing the record as the
channel allows, its caveats, the briefs and editions that use it, its sources with their archived copies and a line
to cite it by; listings split into pages that stay small; brief pages linking each item to its page."""
from __future__ import annotations

import html as html_lib
import json
import re
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, REPO, copy_project, run_cli, search_records
from test_markings import CANARIES, RESTRICTED, RESTRICTED_BRIEF

from briefwright.render.page import print_html
from briefwright.site.permalinks import PER_PAGE
from briefwright.site.search import INDEX_SUFFIXES, decoded

BASE = "https://example.org/desk/"
ARCHIVED = "https://web.archive.org/web/20260203000000/https://example.org/review"


def text(page: Path) -> str:
    """What a reader reads: the main part of the page, tags and break opportunities gone, spaces squeezed."""
    body = page.read_text(encoding="utf-8")
    body = body[body.index("<main"):body.index("</main>")].replace("<wbr>", "")
    body = re.sub(r"</?(?:p|li|dt|dd|dl|ul|ol|h\d|aside|section|div)\b[^>]*>", " ", body)  # blocks: words apart
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", body)).split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample project, one source with an archived copy, and restricted records of every kind (test_markings),
    built for the public channel and for TLP:AMBER, with a site address. Pages only: these tests read the site's
    pages and search index (test_markings reads the PDF and Word files of the same records)."""
    work = tmp_path_factory.mktemp("permalinks")
    project = copy_project(FIXTURES / "minimal", work / "project")
    sources = project / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "    url: https://example.org/review\n",
        f"    url: https://example.org/review\n    archived_url: {ARCHIVED}\n    archived: 2026-02-03\n"), encoding="utf-8")
    (project / "content" / "restricted.yaml").write_text(RESTRICTED, encoding="utf-8")
    (project / "briefs" / "canary-brief.yaml").write_text(RESTRICTED_BRIEF, encoding="utf-8")
    sites = {}
    for channel in ("CLEAR", "AMBER"):
        sites[channel] = work / channel
        result = run_cli("build", "--out", sites[channel], "--cache-dir", work / "cache", "--base-url", BASE, "-j1",
                         "--max-marking", channel, "--formats", "html", cwd=project)
        assert result.code == 0, result.stderr
    return project, sites


def test_every_record_the_channel_carries_has_its_page_and_no_other(built):
    _, sites = built
    pages = {kind: sorted(p.parent.name for p in (sites["CLEAR"] / kind).glob("*/index.html"))
             for kind in ("facts", "sources", "judgments", "unknowns")}
    assert pages == {"facts": ["rival-speed", "widget-launch", "widget-speed"],
                     "sources": ["maker-blog", "trade-paper"], "judgments": ["adoption"], "unknowns": ["widget-price"]}
    # TLP:AMBER carries the restricted records, and the fact whose caveat is AMBER
    amber = {p.parent.name for p in (sites["AMBER"] / "facts").glob("*/index.html")}
    assert {"canary-fact", "canary-other-fact", "open-fact-amber-caveat"} <= amber
    assert (sites["AMBER"] / "judgments" / "canary-judgment" / "index.html").is_file()
    assert (sites["AMBER"] / "unknowns" / "canary-unknown" / "index.html").is_file()
    assert (sites["AMBER"] / "sources" / "canary-source" / "index.html").is_file()


def test_a_restricted_record_is_in_no_page_and_no_search_record_of_the_public_site(built):
    _, sites = built
    public = sites["CLEAR"]
    found, read = [], 0
    for path in sorted(p for p in public.rglob("*") if p.is_file()):
        if path.suffix in INDEX_SUFFIXES:  # the search index, compressed: read as a browser would get it
            body = decoded(path.read_bytes())
        elif path.suffix in (".html", ".js", ".json", ".xml"):
            body = path.read_text(encoding="utf-8")
        else:
            continue
        read += 1
        found += [(path.relative_to(public).as_posix(), c) for c in CANARIES if c.lower() in body.lower()]
    assert found == [] and read > 30
    assert not any("canary" in r["url"] or "Canary" in r["content"] for r in search_records(public))
    assert any("Canaryfactstatement" in r["content"] for r in search_records(sites["AMBER"]))
    assert run_cli("verify", public, cwd=built[0]).code == 0


def test_a_fact_page_shows_the_fact_its_caveats_sources_briefs_and_a_cite_line(built):
    _, sites = built
    page = text(sites["CLEAR"] / "facts" / "widget-speed" / "index.html")
    assert page.startswith("Fact Claimed by the subject, not verified The widget runs at 120 units per hour, its maker says.")
    assert "Critical caveat Speed not tested independently No one outside the maker has measured the speed." in page
    assert "Sources: Trade Paper (January 2026)" in page  # the caveat's own source, linked to its page
    assert "Widget Co, “Widget launch”, 10 January 2026. Subject's own statement. https://example.org/widget" in page
    assert "Briefs that use it The widget, briefly, edition 1 (2 February 2026)" in page
    assert "Key judgments resting on it The widget will likely displace the rival within a year." in page
    assert page.endswith("Cite this fact Sample Desk, “The widget runs at 120 units per hour, its maker says”, fact, "
                         "Sample briefs, as of 1 February 2026. https://example.org/desk/facts/widget-speed/.")
    raw = (sites["CLEAR"] / "facts" / "widget-speed" / "index.html").read_text(encoding="utf-8")
    assert '<em>Sample briefs</em>' in raw and 'href="https://example.org/desk/facts/widget-speed/"' in raw
    for href in re.findall(r'href="(\.\./\.\./[^"#]+)"', raw):  # every link from the page reaches a page of the site
        assert (sites["CLEAR"] / "facts" / "widget-speed" / href).resolve().is_file(), href


def test_a_source_page_shows_its_archived_copy_and_the_facts_it_supports(built):
    _, sites = built
    raw = (sites["CLEAR"] / "sources" / "trade-paper" / "index.html").read_text(encoding="utf-8")
    page = text(sites["CLEAR"] / "sources" / "trade-paper" / "index.html")
    assert f'href="{ARCHIVED}"' in raw
    assert f"Archived copy {ARCHIVED} (3 February 2026)" in page
    assert "Facts it supports The rival widget runs at 90 units per hour. The widget launched in January 2026." in page
    assert f"Cite this source Trade Paper, “Widget reviewed”, January 2026. Press report. https://example.org/review " \
           f"(retrieved 1 February 2026). Archived 3 February 2026: {ARCHIVED}." in page


def test_judgment_and_question_pages(built):
    _, sites = built
    judgment = text(sites["CLEAR"] / "judgments" / "adoption" / "index.html")
    assert "Likelihood: likely (55-80%) Low confidence." in judgment
    assert "Facts it rests on Claimed by the subject, not verified The widget runs at 120 units per hour" in judgment
    assert "Caveats Critical caveat Speed not tested independently" in judgment  # the caveats of what it rests on
    assert judgment.endswith("Cite this key judgment Sample Desk, “The widget will likely displace the rival within a "
                             "year”, key judgment, Sample briefs. https://example.org/desk/judgments/adoption/.")
    question = text(sites["CLEAR"] / "unknowns" / "widget-price" / "index.html")
    assert "Why it matters: Cost decides adoption. What would resolve it: A published price list." in question
    assert "Related facts The widget launched in January 2026." in question
    assert "Briefs that ask it The widget in plain words, edition 1" in question


def test_brief_pages_link_each_item_to_its_page_on_screen_and_not_on_paper(built):
    _, sites = built
    page = (sites["CLEAR"] / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    facts = re.findall(r'<li class="fact[^"]*" data-fact="([^"]+)">(.*?)</li>', page, re.S)
    assert sorted(f for f, _ in facts) == ["widget-launch", "widget-speed"]
    for fid, item in facts:
        assert f'<a class="permalink web-only" href="../../facts/{fid}/index.html"' in item
    assert 'href="../../judgments/adoption/index.html"' in page
    assert "permalink" not in print_html(page)  # the PDF is made from this: it links nowhere on the site
    links = re.findall(r'class="permalink web-only" href="([^"]+)"', page)
    assert links and all((sites["CLEAR"] / "briefs" / "sample" / href).resolve().is_file() for href in links)


def test_listings_link_to_record_pages_and_the_sitemap_lists_them(built):
    _, sites = built
    site = sites["CLEAR"]
    facts = (site / "facts.html").read_text(encoding="utf-8")
    assert 'href="facts/widget-speed/index.html">Fact page</a>' in facts
    assert 'href="sources/trade-paper/index.html">Source page</a>' in (site / "sources.html").read_text(encoding="utf-8")
    assert 'href="unknowns/widget-price/index.html"' in (site / "unknowns.html").read_text(encoding="utf-8")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("facts/widget-speed/", "sources/trade-paper/", "judgments/adoption/", "unknowns/widget-price/"):
        assert f"<loc>{BASE}{path}</loc>" in sitemap
    assert "canary" not in sitemap


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A synthetic project of 1,200 facts (bench/synth.py), built as HTML."""
    sys.path.insert(0, str(REPO / "bench"))
    from synth import generate
    work = tmp_path_factory.mktemp("large")
    project = generate(work / "project", 1200, 12, judgments=1)
    result = run_cli("build", "--project", project, "--out", work / "site", "--cache-dir", work / "cache",
                     "--formats", "html", "-j1", cwd=project)
    assert result.code == 0, result.stderr
    return work / "site"


@pytest.mark.slow  # builds a 1,200-fact project: a scale test
def test_listings_are_split_into_pages_that_name_every_record_once(large):
    per_page = PER_PAGE["facts.html"][1]
    pages = sorted(large.glob("facts*.html"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 1))
    assert [p.name for p in pages] == ["facts.html"] + [f"facts-{n}.html" for n in range(2, 1200 // per_page + 1)]
    listed = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        listed += re.findall(r'<li class="fact-card[^"]*" id="fact-([^"]+)"', html)
        assert all(f'href="{p.name}"' in html or f'<span aria-current="page">{n}</span>' in html
                   for n, p in enumerate(pages, start=1))  # every page names every other
        assert len(page.read_bytes()) < 300 * 1024
    assert sorted(listed) == sorted(f"f{i}" for i in range(1200))
    assert len({p.parent.name for p in (large / "facts").glob("*/index.html")}) == 1200
    sources = sorted(large.glob("sources*.html"))
    assert len(sources) == -(-120 // PER_PAGE["sources.html"][1])
    assert max(p.stat().st_size for p in large.rglob("*.html")) < 300 * 1024


@pytest.mark.slow
def test_a_fact_page_names_the_earlier_editions_that_showed_it(real_site):
    site, _ = real_site
    record = json.loads((REPO / "editions" / "executive-brief" / "2.json").read_text(encoding="utf-8"))
    shown_now = {p.parent.name for p in (site / "facts").glob("*/index.html")}
    fact = next(f for f in record["facts"] if f in shown_now)
    raw = (site / "facts" / fact / "index.html").read_text(encoding="utf-8")
    assert re.search(r"Earlier editions that show it: .*edition 2 \(", text(site / "facts" / fact / "index.html"))
    assert 'href="../../briefs/executive-brief/editions/2.pdf"' in raw
    assert (site / "briefs" / "executive-brief" / "editions" / "2.pdf").is_file()
