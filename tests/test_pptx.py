"""Briefing slides (.pptx), read back by real consumers: python-pptx (slide order, titles, native charts, tables,
notes, the marking on the master and in the properties), LibreOffice Impress (every slide's text in the PDF it
makes), the accessibility checker (tests/office_a11y.py, Microsoft's rules), `verify` (slide and notes text), the
build's own check (a builder that drops a caveat fails the build) and a second build (same bytes). A template with
renamed layouts works once project.yaml maps them; a missing layout is a located error listing the layouts."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pptx
import pytest
from helpers import FIXTURES, REPO, run_cli, run_cli_subprocess, soffice
from office_a11y import check_docx, errors_and_warnings
from office_a11y import check_pptx as accessibility
from test_docx import resolved
from test_markings import RESTRICTED, RESTRICTED_BRIEF

from briefwright.formats import pptx as slides


def with_slides(project: Path, brief: str = "sample") -> None:
    path = project / "briefs" / f"{brief}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("marking: ", "slides: true\nmarking: ", 1), encoding="utf-8")


def slides_project(folder: Path) -> Path:
    project = shutil.copytree(FIXTURES / "minimal", folder / "project")
    with_slides(project)
    return project


@pytest.fixture
def minimal(tmp_path) -> Path:
    return slides_project(tmp_path)


def build(project: Path, out: Path, *extra) -> str:
    result = run_cli("build", "--project", project, "--out", out, "--cache-dir", out.parent / f"{out.name}-cache", "-j1",
                     "--formats", "html,pptx", *extra, cwd=project)
    assert result.code == 0, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> tuple[Path, Path]:
    """The sample project with slides for its sample brief, built once for the tests that only read the site."""
    work = tmp_path_factory.mktemp("slides")
    project = slides_project(work)
    build(project, work / "site")
    return project, work / "site"


@pytest.fixture
def built(built_project) -> Path:
    return built_project[1]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def test_only_briefs_with_slides_get_a_deck_offered_beside_the_other_files(built):
    deck = built / "briefs" / "sample" / "sample.pptx"
    assert deck.is_file() and not (built / "briefs" / "plain" / "plain.pptx").exists()
    page = (built / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert '<a class="pptx-link" href="sample.pptx">Download PowerPoint slides</a>' in page
    assert "pptx" not in (built / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")
    index = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="briefs/sample/sample.pptx">PowerPoint slides' in index and "plain.pptx" not in index
    assert not (built / "assets" / slides.REFERENCE).exists()  # an input of the decks, not published


def test_the_deck_holds_the_brief_in_order_natively(built, minimal):
    brief = resolved(minimal)["sample"]
    data = (built / "briefs" / "sample" / "sample.pptx").read_bytes()
    prs, read = slides.read_slides(data)
    assert [s["title"] for s in read] == [brief["title"], "Bottom line", "Key judgment 1", "Facts", "Timeline: Facts",
                                          "Throughput", "Caveats", "What we don’t know", "Sources"]
    assert [s["slide"].slide_layout.name for s in read] == ["Title Slide", "Title and Content", "Title and Content",
                                                            "Title and Content", "Title Only", "Title Only",
                                                            "Title and Content", "Title and Content", "Title and Content"]
    first, _bottom, judgment, facts, timeline, chart, caveats, unknowns, sources = read
    assert "TLP:CLEAR" in first["paragraphs"] and "2 February 2026 · Edition 1" in first["paragraphs"]
    assert "Likelihood: likely (55-80%). Low confidence. Rests partly on unverified claims." in judgment["paragraphs"]
    speed = "Claimed by the subject, not verified The widget runs at 120 units per hour, its maker says."
    assert any(p.startswith(speed) for p in judgment["paragraphs"] + facts["paragraphs"])
    for s in (judgment, facts):  # the fact's critical caveat on its slide, and in its notes with the caveat's text
        assert "Critical caveat Speed not tested independently" in s["paragraphs"]
        assert "Critical caveat: Speed not tested independently No one outside the maker has measured the speed." in s["notes"]
    assert "Critical caveat Speed not tested independently" in caveats["paragraphs"]
    assert unknowns["paragraphs"][1] == "What does the widget cost?"
    assert [p.split(" ")[0] for p in sources["paragraphs"][1:]] == [f"{n['n']}." for n in brief["notes"]]

    table = next(s for s in timeline["slide"].shapes if s.has_table).table
    assert table.first_row and [c.text for c in table.rows[0].cells] == ["Date", "Event", "Kind"]
    assert [c.text for c in table.rows[1].cells] == ["10 January 2026", "Widget launched1", "Announcement"]

    frame = next(s for s in chart["slide"].shapes if s.has_chart)
    plot = frame.chart.plots[0]
    assert frame.chart.chart_type == pptx.enum.chart.XL_CHART_TYPE.BAR_CLUSTERED
    chart_data = brief["sections"][1]["charts"][0]
    drawn = chart_data["points"][::-1]  # from the bottom up, so the first fact is on top as on the page
    assert list(plot.categories) == [p["label"] for p in drawn]
    assert list(plot.series[0].values) == [p["value"] for p in drawn]
    assert frame._element.nvGraphicFramePr.cNvPr.get("descr") == chart_data["alt"]
    hatched = [i for i, p in enumerate(drawn) if p["flagged"]]
    assert hatched and all(plot.series[0].points[i].format.fill.type == pptx.enum.dml.MSO_FILL.PATTERNED for i in hatched)

    master_texts = [sh.text_frame.text for sh in prs.slide_masters[0].shapes if sh.has_text_frame]
    assert "TLP:CLEAR" in master_texts  # top right of every slide
    mark = next(sh for sh in prs.slide_masters[0].shapes if sh.has_text_frame and sh.text_frame.text == "TLP:CLEAR")
    assert mark.left + mark.width > prs.slide_width * 0.9 and mark.top < prs.slide_height * 0.1
    core = prs.core_properties
    assert (core.content_status, core.title, core.language, core.identifier) == ("TLP:CLEAR", brief["title"], "en", "sample")
    assert core.created.date().isoformat() == core.modified.date().isoformat() == brief["date"]


@pytest.mark.slow
def test_long_lists_go_on_to_continued_slides_measured_to_fit(minimal, tmp_path):
    """Twelve long facts cannot share a slide: they go on as '(continued, n of N)' slides, each holding whole
    facts, and LibreOffice draws every one of them inside the slide."""
    facts = minimal / "content" / "facts.yaml"
    extra = "".join(f"""
  - id: long-{i}
    statement: Fact number {i} is a long sentence about the widget, its maker, its price and its speed, written out
      so that it needs two lines of a slide at the least, which is what briefing slides hold, and more.
    sources: [maker-blog]
    status: reported
    confidence: moderate
    as_of: 2026-02-01
""" for i in range(12))
    facts.write_text(facts.read_text(encoding="utf-8") + extra, encoding="utf-8")
    sample = minimal / "briefs" / "sample.yaml"
    sample.write_text(sample.read_text(encoding="utf-8").replace(
        "facts: [widget-launch, widget-speed]", "facts: [widget-launch, widget-speed, " + ", ".join(f"long-{i}" for i in range(12)) + "]")
        .replace("page_limit: 2", "page_limit: 9"), encoding="utf-8")
    build(minimal, tmp_path / "site")
    _prs, read = slides.read_slides((tmp_path / "site" / "briefs" / "sample" / "sample.pptx").read_bytes())
    titles = [s["title"] for s in read]
    continued = [t for t in titles if t.startswith("Facts (continued")]
    assert continued and continued[-1] == f"Facts (continued, {len(continued) + 1} of {len(continued) + 1})"
    shown = [p for s in read if s["title"].startswith("Facts") for p in s["paragraphs"]]
    assert sum(p.startswith("Fact number") for p in shown) == 12  # each whole, on one slide
    pdf = convert(tmp_path / "site" / "briefs" / "sample" / "sample.pptx", tmp_path / "lo")
    check_every_slide_in_pdf(read, pdf)


@pytest.mark.slow
def test_the_same_brief_gives_the_same_bytes_in_another_process(built_project, tmp_path):
    project, built = built_project
    other = tmp_path / "again"
    result = run_cli_subprocess("build", "--project", project, "--out", other, "--cache-dir", tmp_path / "again-cache",
                                "-j1", "--force", "--formats", "html,pptx", cwd=project)
    assert result.code == 0, result.stderr
    first = (built / "briefs" / "sample" / "sample.pptx").read_bytes()
    assert (other / "briefs" / "sample" / "sample.pptx").read_bytes() == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 2, 2, 0, 0, 0)}
        books = [n for n in z.namelist() if n.endswith(".xlsx")]
        assert books  # the native chart's data, in the workbook PowerPoint edits it in
        for name in books:
            with zipfile.ZipFile(io.BytesIO(z.read(name))) as book:
                assert b"2026-02-02T00:00:00Z" in book.read("docProps/core.xml")


def test_a_builder_that_drops_a_caveat_from_a_slide_fails_the_build(minimal, tmp_path, monkeypatch):
    original = slides.Deck.fact_block

    def without_caveat_lines(self, f, size, lead=None):
        block = original(self, f, size, lead)
        block.paras = [p for p in block.paras if not any("caveat" in t.text for t in p.runs)]
        return block

    monkeypatch.setattr(slides.Deck, "fact_block", without_caveat_lines)
    result = run_cli("build", "--project", minimal, "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1",
                     "--formats", "html,pptx", cwd=minimal)
    assert result.code == 1
    assert "slide 3 shows fact 'widget-speed' without its critical caveat 'speed-untested' on the slide" in result.stderr
    assert re.search(r"briefs/sample.yaml:1:1: error: brief 'sample': ", result.stderr), result.stderr
    assert not (tmp_path / "site").exists()


def renamed_template() -> bytes:
    """The shipped template with its layouts under a ministry's own names."""
    names = {"Title Slide": "Cover", "Title and Content": "Text", "Title Only": "Heading only"}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(slides.make_reference())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("ppt/slideLayouts/slideLayout"):
                for old, new in names.items():
                    body = body.replace(f'<p:cSld name="{old}">'.encode(), f'<p:cSld name="{new}">'.encode())
            target.writestr(info, body)
    return out.getvalue()


def test_a_template_with_renamed_layouts_works_once_project_yaml_maps_them(minimal, tmp_path):
    static = minimal / "templates" / "static"
    static.mkdir(parents=True)
    (static / "reference.pptx").write_bytes(renamed_template())
    result = run_cli("check", "--project", minimal, cwd=minimal)
    assert result.code == 1
    assert ("templates/static/reference.pptx:1:1: error: the slide template templates/static/reference.pptx has no "
            "layout 'Title Slide' for title slides; its layouts: 'Cover', 'Text', 'Section Header'") in result.stderr
    assert "name the layout title slides use in project.yaml (slide_layouts: {title: ...})" in result.stderr
    assert "Traceback" not in result.stderr

    project = minimal / "project.yaml"
    project.write_text(project.read_text(encoding="utf-8") + "slide_layouts:\n  title: Cover\n  bottom_line: Text\n"
                       "  judgment: Text\n  section: Text\n  chart: Heading only\n  table: Heading only\n  caveats: Text\n"
                       "  unknowns: Txt\n  sources: Text\n", encoding="utf-8")
    result = run_cli("check", "--project", minimal, cwd=minimal)
    assert result.code == 1
    assert re.search(r"project.yaml:13:13: error: slide_layouts.unknowns: the slide template "
                     r"templates/static/reference.pptx has no layout 'Txt' for unknowns slides; its layouts: 'Cover', ",
                     result.stderr), result.stderr
    project.write_text(project.read_text(encoding="utf-8").replace("unknowns: Txt", "unknowns: Text"), encoding="utf-8")
    build(minimal, tmp_path / "site")
    _prs, read = slides.read_slides((tmp_path / "site" / "briefs" / "sample" / "sample.pptx").read_bytes())
    assert [s["slide"].slide_layout.name for s in read][:6] == ["Cover", "Text", "Text", "Text", "Heading only", "Heading only"]


def test_a_template_that_is_no_powerpoint_file_is_a_located_error(minimal):
    static = minimal / "templates" / "static"
    static.mkdir(parents=True)
    (static / "reference.pptx").write_bytes(b"not a deck")
    result = run_cli("check", "--project", minimal, cwd=minimal)
    assert result.code == 1
    assert ("templates/static/reference.pptx:1:1: error: the slide template templates/static/reference.pptx is not a "
            "PowerPoint file (.pptx): it is not a zip package") in result.stderr


# -- accessibility ------------------------------------------------------------------------------------------

def test_the_accessibility_checker_reports_what_is_planted(built):
    """A picture without alt text, a slide without a title, an unclear link and pale text are each reported."""
    prs = pptx.Presentation(str(built / "briefs" / "sample" / "sample.pptx"))
    assert errors_and_warnings(accessibility(_saved(prs))) == []
    picture = prs.slides[5].shapes.add_picture(io.BytesIO(_png()), 0, 0)
    picture._element.nvPicPr.cNvPr.set("descr", "")
    title = prs.slides[1].shapes.title
    title._element.getparent().remove(title._element)
    run = prs.slides[8].placeholders[1].text_frame.paragraphs[0].runs[0]
    run.hyperlink.address = "https://example.org/"
    run.text = "click here"
    pale = prs.slides[2].placeholders[1].text_frame.paragraphs[0].runs[0]
    pale.font.color.rgb = pptx.dml.color.RGBColor.from_string("D8D8D8")
    found = [str(f) for f in accessibility(_saved(prs))]
    assert any(f.startswith("error: Missing alternative text (slide 6, 'Picture") for f in found), found
    assert "error: Missing slide title (slide 2)" in found
    assert "warning: Unclear hyperlink text 'click here' (slide 9, 'Content Placeholder 2')" in found
    assert any(f.startswith("warning: Hard-to-read text contrast: D8D8D8 on FFFFFF") for f in found), found


def _saved(prs) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _png() -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, "PNG")
    return buffer.getvalue()


# -- LibreOffice --------------------------------------------------------------------------------------------

def impress() -> str:
    """LibreOffice with Impress: a Writer-only install has soffice but cannot open a deck."""
    path = soffice()
    program = Path(path).resolve().parent
    if (program / "soffice.bin").exists() and not any(program.glob("libsdlo.*")):
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice Impress is not installed; .ci/run installs libreoffice-impress-nogui")
        pytest.skip("LibreOffice Impress is not installed (apt-get install --no-install-recommends libreoffice-impress-nogui)")
    return path


def convert(deck: Path, out: Path) -> Path:
    """The deck opened and saved as PDF by LibreOffice Impress, in a profile of its own."""
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([impress(), f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(out), str(deck)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and not re.search(r"error|repair|corrupt", proc.stderr, re.I), proc.stdout + proc.stderr
    pdf = out / deck.with_suffix(".pdf").name
    assert pdf.is_file(), proc.stdout + proc.stderr
    return pdf


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def check_every_slide_in_pdf(read: list[dict], pdf: Path) -> None:
    pages = page_texts(pdf)
    assert len(pages) == len(read)
    for n, (s, page) in enumerate(zip(read, pages, strict=True), 1):
        shown = squeeze(page)
        for text in [s["title"], *s["paragraphs"], "TLP:CLEAR"]:
            assert squeeze(text) in shown, f"slide {n}: {text!r} is not in LibreOffice's page"


@pytest.mark.slow
def test_libreoffice_draws_every_slide_with_its_text(built, tmp_path):
    deck = built / "briefs" / "sample" / "sample.pptx"
    _prs, read = slides.read_slides(deck.read_bytes())
    check_every_slide_in_pdf(read, convert(deck, tmp_path / "lo"))


# -- verify -------------------------------------------------------------------------------------------------

@pytest.fixture
def desk(tmp_path) -> Path:
    project = shutil.copytree(FIXTURES / "minimal", tmp_path / "desk")
    (project / "content" / "restricted.yaml").write_text(RESTRICTED, encoding="utf-8")
    (project / "briefs" / "canary-brief.yaml").write_text(RESTRICTED_BRIEF, encoding="utf-8")
    with_slides(project)
    with_slides(project, "canary-brief")
    return project


@pytest.mark.slow
def test_verify_reads_the_slides_and_notes_of_a_deck(desk, tmp_path):
    amber = tmp_path / "amber"
    build(desk, amber, "--max-marking", "AMBER")
    result = run_cli("verify", amber, "--project", desk, cwd=desk)
    assert result.code == 1 and f"{amber / 'briefs' / 'canary-brief' / 'canary-brief.pptx'}: error:" in result.stderr

    public = tmp_path / "public"
    build(desk, public)
    assert run_cli("verify", public, "--project", desk, cwd=desk).code == 0
    deck = public / "briefs" / "sample" / "sample.pptx"
    prs = pptx.Presentation(str(deck))
    prs.slides[1].notes_slide.notes_text_frame.text = "Say: Canaryambercaveatbody a contact says the colour may change."
    prs.save(str(deck))
    result = run_cli("verify", public, "--project", desk, cwd=desk)
    assert result.code == 1
    assert (f"{deck}: error: caveat 'amber-caveat-on-open-fact' (TLP:AMBER) is above this channel" in result.stderr), result.stderr


# -- the real content ---------------------------------------------------------------------------------------

DECKS = {"executive-brief": ["en", "zh-Hans", "fr"], "press-explainer": ["en", "zh-Hans"]}


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real") / "site"
    args = [a for brief in DECKS for a in ("--only", brief)]
    result = run_cli("build", "--project", REPO, "--out", out, "--cache-dir", out.parent / "cache", "-j1",
                     "--formats", "html,docx,pptx", "--no-private", *args, cwd=REPO)
    assert result.code == 0, result.stderr
    return out


def real_decks(site: Path) -> list[Path]:
    found = []
    for brief, languages in DECKS.items():
        for lang in languages:
            folder = site / "briefs" / brief / ("" if lang == "en" else lang)
            found.append(folder / (f"{brief}.pptx" if lang == "en" else f"{brief}.{lang}.pptx"))
    return found


@pytest.mark.slow
def test_the_real_decks_exist_in_every_language_and_pass_the_accessibility_checker(real_site):
    decks = real_decks(real_site)
    assert all(d.is_file() for d in decks), [d for d in decks if not d.is_file()]
    for deck in decks:
        assert errors_and_warnings(accessibility(deck.read_bytes())) == [], deck
        _prs, read = slides.read_slides(deck.read_bytes())
        titles = [s["title"] for s in read]
        assert len(titles) == len(set(titles)), titles
    for doc in sorted(d for d in real_site.rglob("*.docx") if "editions" not in d.parts):  # made by this build
        # A note's title links to its source and the address is printed as plain text (no unclear link text).
        assert errors_and_warnings(check_docx(doc.read_bytes())) == [], doc


@pytest.mark.slow
def test_libreoffice_draws_every_slide_of_the_real_decks(real_site, tmp_path):
    for deck in real_decks(real_site):
        _prs, read = slides.read_slides(deck.read_bytes())
        check_every_slide_in_pdf(read, convert(deck, tmp_path / deck.stem))


def test_each_chart_kind_is_native_where_powerpoint_has_it_else_a_picture_with_alt_text(minimal, tmp_path):
    other = minimal / "content" / "other.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("charts:\n", """charts:
  - id: shares
    kind: split
    title: Throughput shares
    facts: [widget-speed, rival-speed]
  - id: dates
    kind: timeline
    title: The widget's first month
    events: [launch, review]
""", 1), encoding="utf-8")
    sample = minimal / "briefs" / "sample.yaml"
    sample.write_text(sample.read_text(encoding="utf-8").replace("charts: [speed]", "charts: [speed, shares, dates]")
                      .replace("page_limit: 2", "page_limit: 4"), encoding="utf-8")
    build(minimal, tmp_path / "site")
    brief = resolved(minimal)["sample"]
    charts = {c["title"]: c for c in brief["sections"][1]["charts"]}
    _prs, read = slides.read_slides((tmp_path / "site" / "briefs" / "sample" / "sample.pptx").read_bytes())
    by_title = {s["title"]: s["slide"] for s in read}
    split = next(s for s in by_title["Throughput shares"].shapes if s.has_chart)
    assert split.chart.chart_type == pptx.enum.chart.XL_CHART_TYPE.BAR_STACKED
    assert [series.name for series in split.chart.plots[0].series] == ["Widget", "Rival"]
    assert split._element.nvGraphicFramePr.cNvPr.get("descr") == charts["Throughput shares"]["alt"]
    picture = next(s for s in by_title["The widget's first month"].shapes
                   if s.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE)
    assert picture._element.nvPicPr.cNvPr.get("descr") == charts["The widget's first month"]["alt"]
    assert picture.image.size[0] / (picture.width / 914400) >= 250, "a high-resolution picture as placed"
    assert errors_and_warnings(accessibility((tmp_path / "site" / "briefs" / "sample" / "sample.pptx").read_bytes())) == []


def test_the_shipped_template_is_what_make_reference_writes():
    assert (REPO / "templates" / "static" / slides.REFERENCE).read_bytes() == slides.make_reference()
    layouts = slides.describe_template(slides.make_reference())["layouts"]
    assert slides.layout_problems(layouts, {}) == []
