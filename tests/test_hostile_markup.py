"""Hostile text: Markdown is sanitised and refused where unsafe; plain-text fields are escaped on output.

Part 1 feeds script-injection payloads to `briefwright.core.markup` directly. Part 2 builds the sample
project once with payloads in plain-text fields (titles, questions, labels, tags: not Markdown, so
not refused) and reads every published page back with an HTML parser: nothing may become a tag,
an event-handler attribute or a script URL, and every payload must still be shown as text.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from helpers import FIXTURES, copy_project, run_cli, search_records

from briefwright.core import markup

UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset"}


class _Page(HTMLParser):
    """Start tags with attributes, plus the text and script/style contents as a browser decodes them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.raw: list[list] = []  # [script|style, attributes, contents]
        self._inside: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: (v or "") for k, v in attrs}))
        if tag in ("script", "style"):
            self._inside = tag
            self.raw.append([tag, self.tags[-1][1], ""])

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag):
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data):
        if self._inside:
            self.raw[-1][2] += data
        else:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _normalised_url(value: str) -> str:
    # Browsers drop ASCII tab and newline anywhere in a URL and C0 controls and spaces at its ends.
    return re.sub(r"[\t\n\r]", "", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                   "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ").lower()


def unsafe_attributes(page: _Page) -> list[str]:
    """Every event-handler attribute and every script-capable URL in the page's tags."""
    found = []
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name.lower().startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            if name.lower() in URL_ATTRS and _normalised_url(value).startswith(UNSAFE_SCHEMES):
                found.append(f"<{tag} {name}={value!r}>")
    return found


# --------------------------------------------------------------------------------------------
# Part 1: markup.to_html and markup.problems
# --------------------------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    "Hi <script>alert(1)</script> there",
    "a\n\n<script>alert(1)</script>\n\nb",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=javascript:alert(1)>x</a>",
    "<style>body{display:none}</style>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "![x](http://127.0.0.1/x.png)",
    "![x](javascript:alert(1))",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x][1]\n\n[1]: data:text/html,<script>alert(1)</script>",
    "[x](java&#x73;cript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](jav&#10;ascript:alert(1))",
    "[x](jav&#9;ascript:alert(1))",
    '[x](https://example.org/" onmouseover="alert(1))',
    '[x](https://example.org "t\\" onmouseover=\\"alert(1)")',
    "[<img src=x onerror=alert(1)>](https://example.org)",
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
    "> <script>alert(1)</script>",
    "*<img src=x onerror=alert(1)>*",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


@pytest.mark.parametrize("inline", [False, True])
@pytest.mark.parametrize("text", PAYLOADS)
def test_to_html_never_emits_active_markup(text, inline):
    markup.to_html.cache_clear()
    html = markup.to_html(text, inline=inline)
    page = parse(html)
    assert "<script" not in html.lower(), html
    assert not unsafe_attributes(page), html
    allowed = markup.ALLOWED_TAGS
    assert all(tag in allowed for tag, _ in page.tags), html
    for _tag, attrs in page.tags:
        assert set(attrs) <= {"href", "title", "rel"}, html
        if "href" in attrs:
            href = _normalised_url(attrs["href"])
            assert href.startswith(("http://", "https://", "mailto:", "#")) or ":" not in href.split("/")[0], html


def test_raw_html_is_shown_as_text():
    html = markup.to_html("Hi <script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in "".join(parse(html).text)


def test_safe_link_is_kept_with_rel():
    html = markup.to_html("See [the review](https://example.org/review).", inline=True)
    (tag, attrs), = parse(html).tags
    assert tag == "a" and attrs["href"] == "https://example.org/review"
    assert attrs["rel"] == "noopener noreferrer"


def test_to_text_has_no_markup_left():
    assert markup.to_text("**Bold** and [a link](https://example.org).") == "Bold and a link."
    # to_text returns text, not HTML: '<' comes back as a character and is escaped by whoever outputs it
    assert markup.to_text("1 < 2 & 3 > 2") == "1 < 2 & 3 > 2"


RAW = "raw HTML is not allowed in Markdown; write plain text"
IMAGE = "images are not allowed in Markdown; use a chart"


def link(scheme: str) -> str:
    return f"link to '{scheme}:' is not allowed; links may use http, https, mailto or #anchors"


@pytest.mark.parametrize("text, expected", [
    ("<script>alert(1)</script>", RAW),
    ("Hi <img src=x onerror=alert(1)>", RAW),
    ("< script >alert(1)", RAW),
    ("</div>", RAW),
    ("<svg/onload=alert(1)>", RAW),
    ("<a href=javascript:alert(1)>x</a>", RAW),
    ("See [x](javascript:alert(1)).", link("javascript")),
    ("See [x](JaVaScRiPt:alert(1)).", link("javascript")),
    ("See [x]( javascript:alert(1)).", link("javascript")),
    ("See [x](<javascript:alert(1)>).", link("javascript")),
    ("See <javascript:alert(1)>.", link("javascript")),
    ("See [x](data:text/html,hi).", link("data")),
    ("See [x](vbscript:msgbox(1)).", link("vbscript")),
    ("See [x](file:///etc/passwd).", link("file")),
    ("See [x](ftp://example.org/x).", link("ftp")),
    ("Look ![x](http://127.0.0.1/x.png).", IMAGE),
    ("Look ![](https://example.org/x.png)", IMAGE),
])
def test_problems_refuses(text, expected):
    assert expected in markup.problems(text)


@pytest.mark.parametrize("text", [
    "Plain words, **bold**, *em*, `code`.",
    "See [the review](https://example.org/review) and [mail](mailto:desk@example.org).",
    "See [below](#caveats).",
    "1 < 2 and 3 > 2; a -> b",
    "- one\n- two\n\n> quoted",
])
def test_problems_accepts_safe_markdown(text):
    assert markup.problems(text) == []


@pytest.mark.parametrize("text", [
    "See [x][1].\n\n[1]: javascript:alert(1)",
    "See [x][d].\n\n[d]: data:text/html,hi",
    "See [x](java&#x73;cript:alert(1)).",
    "See [x](javascript&colon;alert(1)).",
])
def test_problems_refuses_hidden_unsafe_links(text):
    assert any(p.startswith("link to ") for p in markup.problems(text)), markup.problems(text)


# --------------------------------------------------------------------------------------------
# Part 2: payloads in plain-text fields, built into a site and read back
# --------------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
STYLE = "</style><script>alert(1)</script>"
QUOTE = "' onmouseover='alert(1)' x='"
COMMENT = "--><script>alert(1)</script><!--"
CSS = '"; } body { background: url(javascript:alert(1)) } </style><script>alert(1)</script>'


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


# (file, text in the sample project, replacement); every replacement must apply exactly once.
OVERLAY = [
    ("project.yaml", "organisation: Sample Desk", f"organisation: {q(SCRIPT + ' Desk')}"),
    ("content/sources.yaml", "title: Widget launch", f"title: {q(SCRIPT)}"),
    ("content/sources.yaml", "publisher: Trade Paper", f"publisher: {q(ATTR)}"),
    ("content/other.yaml", "title: Widget launched", f"title: {q(ATTR)}"),
    ("content/other.yaml", "title: Speed not tested independently", f"title: {q(QUOTE)}"),
    ("content/other.yaml", "question: What does the widget cost?", f"question: {q(SCRIPT)}"),
    ("content/other.yaml", "title: Throughput", f"title: {q(STYLE)}"),
    ("content/other.yaml", "statement: The widget will likely displace the rival within a year.",
     f"statement: {q('The widget will likely displace ' + SCRIPT + ' within a year.')}"),
    ("content/facts.yaml", "label: Rival}", f"label: {q(COMMENT)}}}"),
    ("content/facts.yaml", "  - id: widget-launch\n", f"  - id: widget-launch\n    tags: [{q(ATTR)}]\n"),
    ("briefs/sample.yaml", "title: The widget, briefly", f"title: {q(STYLE)}"),
    ("briefs/sample.yaml", "short_title: Widget brief", f"short_title: {q(CSS)}"),
    ("briefs/sample.yaml", "  - title: Facts", f"  - title: {q(ATTR)}"),
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    project = copy_project(FIXTURES / "minimal", base / "project")
    for name, old, new in OVERLAY:
        path = project / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{name} no longer holds {old!r}: update OVERLAY"
        path.write_text(text.replace(old, new), encoding="utf-8")
    out = base / "site"
    result = run_cli("build", "--out", out, "--cache-dir", base / "cache", "-j1", cwd=project)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


PAGES = ["briefs/sample/index.html", "index.html", "facts.html", "sources.html", "unknowns.html", "timeline.html",
         "search.html", "facts/widget-speed/index.html", "facts/widget-launch/index.html", "sources/maker-blog/index.html",
         "judgments/adoption/index.html", "unknowns/widget-price/index.html"]


def _scripts_are_legitimate(page: _Page) -> list[str]:
    bad = []
    for tag, attrs in page.tags:
        if tag != "script":
            continue
        if attrs.get("type") == "application/ld+json":
            continue
        if attrs.get("src", "").split("/")[-1].endswith(".js") and "assets/" in attrs.get("src", ""):
            continue
        bad.append(f"<script {attrs}>")
    return bad


@pytest.mark.parametrize("name", PAGES)
def test_published_page_has_no_injected_markup(hostile_site, name):
    html = (hostile_site / name).read_text(encoding="utf-8")
    page = parse(html)
    assert not unsafe_attributes(page)
    assert not _scripts_are_legitimate(page)
    assert not [attrs for tag, attrs in page.tags if tag == "img" and attrs.get("src") == "x"]
    assert "<script>alert" not in html and "<img src=x" not in html
    for kind, attrs, contents in page.raw:
        assert "</" not in contents, f"{kind} element holds a closing tag: {contents[:200]}"
        if kind == "script":
            assert "<" not in contents
            if attrs.get("type") == "application/ld+json":
                json.loads(contents)  # still one intact JSON value
        else:
            assert "alert(1)" not in contents and "javascript:" not in contents, contents


def test_brief_shows_every_payload_as_text(hostile_site):
    page = parse((hostile_site / "briefs/sample/index.html").read_text(encoding="utf-8"))
    text = "".join(page.text)
    for payload in (SCRIPT, ATTR, STYLE):
        assert payload in text, payload
    assert f"The widget will likely displace {SCRIPT} within a year." in text
    titles = [t for t in page.tags if t[0] == "aside" and "data-caveat" in t[1]]
    assert titles and all(attrs["aria-label"] == f"Caveat: {QUOTE}" for _, attrs in titles)
    assert any(attrs.get("content") == f"{SCRIPT} Desk" for tag, attrs in page.tags if tag == "meta")
    assert any(attrs.get("content") == STYLE for tag, attrs in page.tags if tag == "meta")
    (ld,) = [c for k, a, c in page.raw if k == "script" and a.get("type") == "application/ld+json"]
    data = json.loads(ld)
    assert data["name"] == STYLE and data["author"]["name"] == f"{SCRIPT} Desk"


def test_site_pages_show_payloads_as_text(hostile_site):
    index = "".join(parse((hostile_site / "index.html").read_text(encoding="utf-8")).text)
    assert STYLE in index
    sources = "".join(parse((hostile_site / "sources.html").read_text(encoding="utf-8")).text)
    assert SCRIPT in sources and ATTR in sources
    timeline = "".join(parse((hostile_site / "timeline.html").read_text(encoding="utf-8")).text)
    assert ATTR in timeline
    facts = parse((hostile_site / "facts.html").read_text(encoding="utf-8"))
    assert ATTR in "".join(facts.text)
    assert any(attrs.get("value") == ATTR for tag, attrs in facts.tags if tag == "option")


def test_record_pages_and_the_pagefind_index_show_payloads_as_text(hostile_site):
    judgment = "".join(parse((hostile_site / "judgments/adoption/index.html").read_text(encoding="utf-8")).text)
    assert f"The widget will likely displace {SCRIPT} within a year." in judgment
    source = "".join(parse((hostile_site / "sources/maker-blog/index.html").read_text(encoding="utf-8")).text)
    assert SCRIPT in source
    records = search_records(hostile_site)  # plain text: the search page shows it as text nodes (search.js)
    assert any(SCRIPT in r["content"] for r in records) and any(r["meta"]["title"] == STYLE for r in records)


def test_feed_and_search_index_escape_payloads(hostile_site):
    feed = ET.parse(hostile_site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:author/a:name", ns).text == f"{SCRIPT} Desk"
    assert any(e.find("a:title", ns).text.startswith(STYLE) for e in feed.findall("a:entry", ns))
    index = (hostile_site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "<" not in index and ">" not in index
    data = json.loads(index.split("=", 1)[1].strip().rstrip(";"))
    assert any(entry["title"] == STYLE for entry in data)


def test_chart_svg_keeps_labels_inert(hostile_site):
    svgs = list((hostile_site / "briefs" / "sample").glob("*.svg"))
    assert svgs
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert "<script" not in text.lower()
        root = ET.fromstring(text)  # still well-formed: a label cannot close a comment early
        for element in root.iter():
            assert not [a for a in element.attrib if a.lower().startswith("on")]
    html = (hostile_site / "briefs/sample/index.html").read_text(encoding="utf-8")
    alts = [attrs.get("alt", "") for tag, attrs in parse(html).tags if tag == "img" and attrs.get("src", "").endswith(".svg")]
    assert alts and all(COMMENT in alt and STYLE in alt for alt in alts)
