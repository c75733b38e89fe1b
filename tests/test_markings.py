"""Distribution markings: derived markings refuse under-marked briefs with the chain that forces them,
and nothing above a channel leaves the build: canaries planted in every text field of restricted records
of every kind appear in no byte of the public site and no PDF text, and `verify` catches a planted leak."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from helpers import run_cli
from pypdf import PdfReader

from briefwright import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Every restricted record of every kind, each text field carrying its own canary word.
RESTRICTED = """
sources:
  - id: canary-source
    title: Canarysourcetitle working file
    publisher: Canarysourcepublisher
    published: 2026-01
    retrieved: 2026-02-01
    kind: internal
    marking: AMBER
    note: Canarysourcenote method notes.

facts:
  - id: canary-fact
    statement: Canaryfactstatement the desk's own figure is 75 units per hour.
    sources: [canary-source]
    status: estimated
    confidence: low
    as_of: 2026-02-01
    tags: [canaryfacttag]
    quantity: {value: 75, unit: units/h, measure: throughput, label: Canaryquantitylabel}
  - id: canary-other-fact
    statement: Canaryotherfact a second desk figure of 60 units per hour.
    sources: [canary-source]
    status: conflicting
    confidence: low
    as_of: 2026-02-01
    quantity: {value: 60, unit: units/h, measure: throughput, label: Canaryotherlabel}
    sides:
      - statement: Canarysideone says sixty.
        sources: [canary-source]
      - statement: Canarysidetwo says fewer.
        sources: [maker-blog]
  - id: open-fact-amber-caveat
    statement: Canaryopenfact the widget ships in blue.
    sources: [maker-blog]
    status: reported
    confidence: moderate
    as_of: 2026-02-01

caveats:
  - id: canary-caveat
    title: Canarycaveattitle
    body: Canarycaveatbody the desk has not checked this.
    severity: critical
    applies_to: [canary-fact]
  - id: amber-caveat-on-open-fact
    title: Canaryambercaveat from a contact
    body: Canaryambercaveatbody a contact says the colour may change.
    severity: major
    applies_to: [open-fact-amber-caveat]
    marking: AMBER

unknowns:
  - id: canary-unknown
    question: Canaryunknownquestion what does the desk not know?
    why_it_matters: Canaryunknownwhy it matters to clients.
    would_resolve: Canaryunknownresolve a client's figures.
    facts: [canary-fact]
    marking: AMBER

events:
  - id: canary-event
    date: 2026-01-15
    title: Canaryeventtitle desk meeting
    kind: other
    sources: [canary-source]

charts:
  - id: canary-chart
    kind: bar
    title: Canarycharttitle desk figures
    caption: Canarychartcaption from the working file.
    facts: [canary-fact, canary-other-fact]

judgments:
  - id: canary-judgment
    statement: Canaryjudgmentstatement the figure will likely hold.
    likelihood: likely
    confidence: low
    rests_on: [canary-fact]
    basis: Canaryjudgmentbasis the working file.
"""

RESTRICTED_BRIEF = """id: canary-brief
title: Canarybrieftitle for clients
short_title: Canarybriefshort
audience: market
date: 2026-02-02
edition: 1
page_limit: 4
marking: AMBER
subject: Canarybriefsubject
keywords: [canarybriefkeyword]
bottom_line: Canarybriefbottomline the desk's figures differ from the maker's.
sections:
  - title: Canarysectiontitle
    intro: Canarysectionintro what the desk found.
    judgments: [canary-judgment]
    facts: [canary-fact, widget-launch, open-fact-amber-caveat]
    charts: [canary-chart]
    events: [canary-event, launch]
    unknowns: [canary-unknown]
"""

CANARIES = ["canary-source", "canary-fact", "canary-other-fact", "open-fact-amber-caveat", "canary-caveat",
            "amber-caveat-on-open-fact", "canary-unknown", "canary-event", "canary-chart", "canary-judgment",
            "canary-brief"] + sorted({word.strip(".,:;'{}[]") for word in (RESTRICTED + RESTRICTED_BRIEF).split()
                                      if word.lower().startswith("canary") and word[6:7].isalpha()})


def run(capsys, project: Path, *argv) -> tuple[int, str]:
    code = cli.main([*argv, "--project", str(project)])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def make_desk(folder: Path) -> Path:
    """The sample project plus restricted records of every kind and a restricted brief using them."""
    project = shutil.copytree(FIXTURES / "minimal", folder / "project")
    (project / "content" / "restricted.yaml").write_text(RESTRICTED, encoding="utf-8")
    (project / "briefs" / "canary-brief.yaml").write_text(RESTRICTED_BRIEF, encoding="utf-8")
    return project


@pytest.fixture
def desk(tmp_path) -> Path:
    return make_desk(tmp_path)


def site_text(site: Path) -> dict[str, str]:
    """Every file's bytes as text, every PDF's extracted text and metadata, and every Word file's XML."""
    texts = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        texts[name] = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                texts[name + " (text)"] = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
        if path.suffix == ".pdf":
            reader = PdfReader(path)
            texts[name + " (text)"] = " ".join(page.extract_text() for page in reader.pages) + " ".join(
                str(v) for v in (reader.metadata or {}).values())
    return texts


def build(project: Path, out: Path, *argv: str) -> Path:
    result = run_cli("build", "--project", project, "--out", out, "--cache-dir", out.parent / "cache", "-j1", *argv,
                     cwd=project)
    assert result.code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def desk_sites(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    """The desk (as `desk` makes it) built once for the public channel and once for TLP:AMBER, for the tests that
    only read the sites (or spoil a copy)."""
    work = tmp_path_factory.mktemp("desk")
    project = make_desk(work)
    return project, {"AMBER": build(project, work / "amber", "--max-marking", "AMBER"),
                     "CLEAR": build(project, work / "public")}


def test_canaries_are_in_no_byte_of_the_public_site_but_reach_the_channel_that_may_carry_them(desk_sites, capsys):
    desk, sites = desk_sites
    amber = "\n".join(site_text(sites["AMBER"]).values()).lower()
    missing = [c for c in CANARIES if c.lower() not in amber]
    assert not missing, f"canaries that never reach any output, so the public check would prove nothing: {missing}"

    texts = site_text(sites["CLEAR"])
    assert {"index.html", "facts.html", "sources.html", "unknowns.html", "timeline.html", "terms.html",
            "search.html", "feed.xml", "404.html", "assets/search-index.js"} <= set(texts)
    assert any(name.endswith(".pdf (text)") for name in texts) and any(name.endswith(".svg") for name in texts)
    assert any(name.endswith(".docx (text)") for name in texts)
    leaks = [(name, c) for name, text in texts.items() for c in CANARIES if c.lower() in text.lower()]
    assert not leaks, leaks
    facts_page = texts["facts.html"]
    assert 'id="fact-widget-launch"' in facts_page and "open-fact-amber-caveat" not in facts_page

    code, out = run(capsys, desk, "verify", str(sites["CLEAR"]))
    assert code == 0 and "hold nothing above TLP:CLEAR" in out, out


def test_verify_names_the_file_and_the_record_of_a_planted_leak(desk_sites, tmp_path, capsys):
    desk, sites = desk_sites
    site = Path(shutil.copytree(sites["CLEAR"], tmp_path / "public"))
    page = site / "timeline.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</main>", "<p>Canaryambercaveatbody a contact says the colour may change.</p></main>"), encoding="utf-8")
    code, out = run(capsys, desk, "verify", str(site))
    assert code == 1
    assert f"{site / 'timeline.html'}: error: caveat 'amber-caveat-on-open-fact' (TLP:AMBER) is above this channel" in out
    assert "1 leak of material above TLP:CLEAR" in out
    code, out = run(capsys, desk, "verify", str(site), "--max-marking", "AMBER")
    assert code == 0, out


@pytest.mark.slow
def test_verify_reads_pdf_text_and_search_index_escapes(desk_sites, capsys):
    desk, sites = desk_sites
    code, out = run(capsys, desk, "verify", str(sites["AMBER"]))
    assert code == 1
    for name in ("briefs/canary-brief/canary-brief.pdf", "briefs/canary-brief/canary-brief.docx",
                 "briefs/canary-brief/index.html", "assets/search-index.js",
                 "facts.html", "sources.html", "index.html", "feed.xml"):
        assert f"{sites['AMBER'] / name}: error:" in out, name


def set_marking(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_a_clear_brief_showing_an_amber_fact_fails_with_the_chain(desk, capsys):
    set_marking(desk / "briefs" / "canary-brief.yaml", "marking: AMBER", "marking: CLEAR")
    code, out = run(capsys, desk, "check")
    assert code == 1
    assert ("briefs/canary-brief.yaml:8:10: error: brief 'canary-brief' is marked TLP:CLEAR but shows TLP:AMBER "
            "material: brief canary-brief -> judgment canary-judgment -> fact canary-fact -> source canary-source "
            "(source 'canary-source' is AMBER); mark the brief AMBER or make source 'canary-source' CLEAR") in out


def test_a_clear_brief_cannot_split_a_fact_from_its_amber_caveat(desk, capsys):
    (desk / "briefs" / "canary-brief.yaml").unlink()
    set_marking(desk / "briefs" / "plain.yaml", "facts: [widget-launch]", "facts: [widget-launch, open-fact-amber-caveat]")
    code, out = run(capsys, desk, "check")
    assert code == 1, out
    assert ("brief 'plain' is marked TLP:CLEAR but shows TLP:AMBER material: brief plain -> fact open-fact-amber-caveat "
            "-> caveat amber-caveat-on-open-fact (caveat 'amber-caveat-on-open-fact' is AMBER); mark the brief AMBER or "
            "make caveat 'amber-caveat-on-open-fact' CLEAR (a caveat travels with its fact into every brief)") in out


def test_unknown_marking_values_are_located_errors(desk, capsys):
    set_marking(desk / "content" / "restricted.yaml", "    marking: AMBER\n    note:", "    marking: amber-ish\n    note:")
    code, out = run(capsys, desk, "check")
    assert code == 1
    assert ("content/restricted.yaml:9:14: error: source field 'marking': 'amber-ish' is not allowed; "
            "use one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED") in out


def test_default_marking_applies_to_records_that_set_none(desk, capsys):
    settings = desk / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "default_marking: GREEN\n", encoding="utf-8")
    code, out = run(capsys, desk, "check")
    assert code == 1
    assert "brief 'sample' is marked TLP:CLEAR but shows TLP:GREEN material" in out
    assert "(the project's default_marking is GREEN)" in out


@pytest.mark.slow
def test_mixed_briefs_carry_portion_marks_and_the_banner_is_the_highest(desk, tmp_path, capsys):
    code, err = run(capsys, desk, "build", "--out", str(tmp_path / "amber"), "--cache-dir", str(tmp_path / "cache"),
                    "-j1", "--max-marking", "AMBER", "--only", "canary-brief", "--only", "sample")
    assert code == 0, err
    html = (tmp_path / "amber" / "briefs" / "canary-brief" / "index.html").read_text(encoding="utf-8")
    assert '<li class="fact status-estimated" data-fact="canary-fact">\n<p><span class="portion-mark tlp tlp-amber" ' \
           'data-portion-marking="AMBER">TLP:AMBER</span> ' in html
    assert 'data-fact="widget-launch">\n<p><span class="portion-mark tlp tlp-clear" data-portion-marking="CLEAR">TLP:CLEAR</span>' in html
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "amber" / "briefs" / "canary-brief" / "canary-brief.pdf").pages)
    assert "TLP:CLEAR The widget launched in January 2026." in " ".join(text.split())
    sample = (tmp_path / "amber" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert "portion-mark" not in sample  # a brief whose portions are all CLEAR is not mixed


@pytest.mark.slow
def test_a_site_above_clear_says_so_on_every_page_and_its_files_stay_the_same(desk_sites, tmp_path):
    """Every page of a site built for a channel above CLEAR opens with a banner naming the channel (issues 31 and 32:
    a restricted copy, or serve's preview of one, is never taken for the public site); the public site has none;
    the PDF and Word files are made without it, so a brief's files are the same bytes on every channel."""
    desk, built = desk_sites
    sites = {**built, "RED": build(desk, tmp_path / "red", "--max-marking", "RED")}
    for channel in ("AMBER", "RED"):
        pages = sorted(sites[channel].rglob("*.html"))
        assert len(pages) >= 10 and any("briefs/canary-brief" in p.as_posix() for p in pages)
        for page in pages:
            html = page.read_text(encoding="utf-8")
            body = html[html.index("<body"):]
            first = body[body.index(">") + 1:].lstrip()  # the banner is the first thing in the page
            assert first.startswith(f'<p class="channel-banner" role="note" data-channel="{channel.lower()}">'
                                    f'<span class="tlp tlp-{channel.lower()}">TLP:{channel}</span> Restricted site: it '
                                    f"holds briefs marked up to TLP:{channel}."), (page, first[:300])
            assert html.count("channel-banner") == 1
    public = "\n".join(p.read_text(encoding="utf-8") for p in sites["CLEAR"].rglob("*.html"))
    assert "channel-banner" not in public and "Restricted site" not in public
    for brief, channels in (("sample", ("CLEAR", "AMBER", "RED")), ("canary-brief", ("AMBER", "RED"))):
        for suffix in (".pdf", ".docx"):
            made = {sites[c].joinpath("briefs", brief, brief + suffix).read_bytes() for c in channels}
            assert len(made) == 1, f"{brief}{suffix} differs between channels {channels}"
    text = " ".join(p.extract_text() for p in PdfReader(sites["AMBER"] / "briefs/canary-brief/canary-brief.pdf").pages)
    assert "Canarybriefbottomline" in text and "Restricted site" not in text
