"""Word editions, read back by real consumers: python-docx (headings, notes, tables, images, markings,
properties), LibreOffice (opens and converts every edition; the converted text holds every caveat title,
claim label and the marking), a second process (same bytes), and the build's own check (a renderer that
drops a caveat or a label fails the build). Bad reference documents are located errors."""
from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from docx.shared import RGBColor
from helpers import REPO, convert_with_libreoffice, run_cli, run_cli_subprocess
from pypdf import PdfReader

from briefwright.formats import docx as word
from briefwright.formats import ooxml
from briefwright.formats.docx import check as word_check

TOPICS = {"glm-image": REPO, "eu-ai-act": REPO / "topics" / "eu-ai-act"}


def resolved(project: Path) -> dict[str, dict]:
    """Each brief's resolved dict, as the build renders it."""
    from briefwright.builder.pipeline import check
    from briefwright.resolve.resolver import resolve
    checked = check(project, private=False)
    return {b["id"]: b for b in resolve(checked.project, previous=checked.previous)}


def build(project: Path, out: Path, *extra, cache: Path | None = None) -> str:
    result = run_cli("build", "--project", project, "--out", out, "--cache-dir", cache or out.parent / f"{out.name}-cache",
                     "-j1", *extra, cwd=project)
    assert result.code == 0, result.stderr
    return result.stderr


def squeeze(text: str) -> str:
    """Text compared as a reader reads it: case, spacing and line breaks do not matter."""
    return re.sub(r"\s+", "", text).casefold()


def required_texts(brief: dict) -> list[str]:
    """What a reader of any edition must find: every caveat title, the claim label of every labelled fact it
    shows (a fact a judgment only rests on is not shown), the marking."""
    caveats, _, labels = word_check._titles(brief)
    titles = [caveats[c] for _, c in brief["required"]["caveats"]]
    claim_labels = [labels[f] for f in brief["required"]["labelled"] if f in labels]
    return sorted(set(titles + claim_labels + [brief["marking"]["label"]]))


def assert_word_structure(path: Path, brief: dict) -> None:
    """Everything the issue asks a reader of the .docx to find, read back with python-docx."""
    document = docx.Document(str(path))
    data = path.read_bytes()
    headings = [(int(p.style.name.split()[-1]), p.text) for p in document.paragraphs
                if p.style is not None and p.style.name.startswith("Heading")]
    assert headings[0] == (1, "Bottom line")
    top = [text for level, text in headings if level == 1]
    positions = [top.index(s["title"]) for s in brief["sections"]]
    assert positions == sorted(positions), top
    previous = 0
    for level, text in headings:
        assert level <= previous + 1, f"heading '{text}' skips a level"
        previous = level

    kind = "footnote" if brief["audience"]["notes"] == "footnotes" else "endnote"
    parts = ooxml.read_parts(data)
    notes = ooxml.notes(parts[f"word/{kind}s.xml"], kind)
    assert sorted(notes) == list(range(1, len(brief["notes"]) + 1))
    for note in brief["notes"]:
        assert note["title"] in notes[note["n"]], (note["n"], notes[note["n"]])
    assert ooxml.note_references(parts["word/document.xml"], kind) == sorted(notes)
    other = "endnote" if kind == "footnote" else "footnote"
    assert not ooxml.note_references(parts["word/document.xml"], other)

    for table in document.tables:
        rows = table._tbl.tr_lst
        header = rows[0].trPr
        assert header is not None and header.find(ooxml.qn("w:tblHeader")) is not None
        assert not table._tbl.xpath(".//w:gridSpan | .//w:vMerge | .//w:hMerge"), "merged cells"
        assert {len(r.tc_lst) for r in rows} == {len(table.columns)}

    charts = [c for s in brief["sections"] for c in s["charts"]]
    shapes = document.inline_shapes
    assert len(shapes) == len(charts) + (1 if brief["logo"] and brief["logo"].endswith(".png") else 0)
    alts = [s._inline.docPr.get("descr") for s in shapes]
    assert all(alts) and [c["alt"] for c in charts] == alts[-len(charts):] if charts else True
    for shape in shapes:
        blip = shape._inline.xpath(".//a:blip/@r:embed")[0]
        image = document.part.related_parts[blip].image
        assert image.content_type == "image/png"
        assert image.px_width / shape.width.inches >= 200, "charts are at least 200 dpi as placed"
    captions = [ooxml.paragraph_text(p._p) for p in document.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert captions == [f"Figure {i}: {c['title']}" for i, c in enumerate(charts, 1)]

    label = brief["marking"]["label"]
    for section in document.sections:
        for part in (section.header, section.footer):
            assert not part.is_linked_to_previous
            text = "\n".join(p.text for p in part.paragraphs)
            assert text.rstrip().endswith(label), text
            assert part.paragraphs[-1].paragraph_format.tab_stops[-1].alignment == 2  # right-aligned, at the margin

    body_text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells)
    for text in required_texts(brief):
        assert text in body_text, text

    core = document.core_properties
    assert (core.title, core.author, core.language) == (brief["title"], brief["organisation"], brief["language"])
    assert core.subject == brief["subject"][:255] and core.keywords == ", ".join(brief["keywords"])[:255]
    assert core.created.date().isoformat() == core.modified.date().isoformat() == brief["date"]
    defaults = document.styles.element.find(ooxml.qn("w:docDefaults"))
    langs = {lang.get(ooxml.qn("w:val")) for lang in defaults.iter(ooxml.qn("w:lang"))}
    assert langs == {brief["language"]}


# -- the small sample project ---------------------------------------------------------------------------

@pytest.mark.slow
def test_the_word_edition_is_linked_beside_the_pdf_and_reads_back(minimal, tmp_path):
    site = tmp_path / "site"
    build(minimal, site)
    briefs = resolved(minimal)
    for brief_id, brief in briefs.items():
        path = site / "briefs" / brief_id / f"{brief_id}.docx"
        assert_word_structure(path, brief)
        page = (site / "briefs" / brief_id / "index.html").read_text(encoding="utf-8")
        assert f'<a class="docx-link" href="{brief_id}.docx">Download Word document</a>' in page
        kb = round(path.stat().st_size / 1024)
        assert f'<a href="briefs/{brief_id}/{brief_id}.docx">Word document, {kb} KB</a>' in (site / "index.html").read_text(
            encoding="utf-8")
        pdf_text = " ".join(p.extract_text() for p in PdfReader(site / "briefs" / brief_id / f"{brief_id}.pdf").pages)
        assert "Download" not in pdf_text  # links to files mean nothing on paper
    assert briefs["sample"]["audience"]["notes"] == "footnotes" and briefs["plain"]["audience"]["notes"] == "endnotes"


@pytest.mark.slow
def test_footnotes_number_as_in_the_pdf(minimal, tmp_path):
    site = tmp_path / "site"
    build(minimal, site)
    brief = resolved(minimal)["sample"]
    pdf = squeeze(" ".join(p.extract_text() for p in PdfReader(site / "briefs" / "sample" / "sample.pdf").pages))
    notes = ooxml.notes(ooxml.read_parts((site / "briefs" / "sample" / "sample.docx").read_bytes())["word/footnotes.xml"],
                        "footnote")
    assert len(notes) == len(brief["notes"]) >= 2
    for note in brief["notes"]:
        assert squeeze(f"{note['n']}. {note['publisher']}, \u201c{note['title']}\u201d") in pdf  # the PDF's footnote n
        assert notes[note["n"]].startswith(f"{note['publisher']}, \u201c{note['title']}\u201d")  # is Word's footnote n


@pytest.mark.slow
def test_two_builds_in_separate_processes_give_the_same_bytes(minimal, tmp_path):
    made = []
    for n in (1, 2):
        out = tmp_path / f"site{n}"
        result = run_cli_subprocess("build", "--project", minimal, "--out", out, "--cache-dir", tmp_path / f"cache{n}",
                                    "-j2", cwd=minimal)
        assert result.code == 0, result.stderr
        made.append({p.name: p.read_bytes() for p in sorted(out.glob("briefs/*/*.docx"))})
    assert sorted(made[0]) == ["plain.docx", "sample.docx"]
    assert made[0] == made[1]


@pytest.mark.slow
def test_a_word_renderer_that_drops_a_caveat_fails_the_build(minimal, tmp_path, monkeypatch):
    show = word.WordEdition.caveat
    monkeypatch.setattr(word.WordEdition, "caveat",
                        lambda self, c, numbered=True: None if c["id"] == "speed-untested" else show(self, c, numbered))
    result = run_cli("build", "--project", minimal, "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1",
                     cwd=minimal)
    assert result.code == 1
    assert ("briefs/sample.yaml:1:1: error: brief 'sample': its Word edition did not render caveat 'speed-untested' "
            "of fact 'widget-speed'") in result.stderr, result.stderr
    assert not (tmp_path / "site").exists()  # the previous site (none) is untouched
    monkeypatch.undo()  # a failed check cached nothing: the same cache now builds
    build(minimal, tmp_path / "site")


def test_a_word_renderer_that_drops_a_claim_label_fails_the_build(minimal, tmp_path, monkeypatch):
    write = word.WordEdition.text
    monkeypatch.setattr(word.WordEdition, "text",
                        lambda self, p, text, style=None, **fmt: None if style == "Status Label" else write(self, p, text, style, **fmt))
    result = run_cli("build", "--project", minimal, "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1",
                     "--formats", "html,docx", cwd=minimal)
    assert result.code == 1
    assert ("error: brief 'sample': fact 'widget-speed' is not verified but its Word edition shows it without its "
            "status label") in result.stderr, result.stderr


@pytest.mark.slow
def test_numbered_paragraphs_number_the_body_once_judgments_included(minimal, tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(minimal, site, cache=cache)
    brief_file = minimal / "briefs" / "sample.yaml"
    brief_file.write_text(brief_file.read_text(encoding="utf-8") + "numbered_paragraphs: true\n", encoding="utf-8")
    err = build(minimal, site, cache=cache)  # the page is unchanged, the Word edition is not: it is rebuilt
    assert "built 1 (sample), reused 1 briefs" in err, err
    numbered = docx.Document(str(site / "briefs" / "sample" / "sample.docx"))
    numbers = {}
    for p in numbered.paragraphs:
        num = p._p.pPr.numPr if p._p.pPr is not None else None
        if num is not None:
            numbers.setdefault(num.numId.val, []).append((p.style.name, p.text))
    assert len(numbers) == 1, numbers  # one sequence: bottom line, judgment, intro, facts, unknowns
    styles = [style for style, _ in next(iter(numbers.values()))]
    assert styles == ["Bottom Line", "Key Judgment", "Normal", "Fact", "Fact", "Unknown Question"], styles
    # the caveat shown after its fact belongs to the fact's paragraph: no number of its own
    plain = docx.Document(str(site / "briefs" / "plain" / "plain.docx"))
    assert not any(p._p.pPr is not None and p._p.pPr.numPr is not None for p in plain.paragraphs)


@pytest.mark.slow
def test_styles_come_from_the_project_reference_document(minimal, tmp_path):
    house = docx.Document(io.BytesIO(word.make_reference()))
    house.styles["Heading 1"].font.color.rgb = RGBColor(0x8B, 0x00, 0x3A)
    house.styles["Caveat Title"].font.size = docx.shared.Pt(12)
    (minimal / "word").mkdir()
    house.save(str(minimal / "word" / "house.docx"))
    bare = minimal / "templates" / "static"  # a plain Word template without any of the builder's own styles
    bare.mkdir(parents=True)
    docx.Document().save(str(bare / "reference.docx"))
    settings = minimal / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "word_reference: word/house.docx\n", encoding="utf-8")
    build(minimal, tmp_path / "house")
    made = docx.Document(str(tmp_path / "house" / "briefs" / "sample" / "sample.docx"))
    assert made.styles["Heading 1"].font.color.rgb == RGBColor(0x8B, 0x00, 0x3A)
    assert made.styles["Caveat Title"].font.size == docx.shared.Pt(12)

    settings.write_text(settings.read_text(encoding="utf-8").replace("word_reference: word/house.docx\n", ""),
                        encoding="utf-8")
    build(minimal, tmp_path / "bare")
    made = docx.Document(str(tmp_path / "bare" / "briefs" / "sample" / "sample.docx"))
    names = {s.name.lower() for s in made.styles}
    assert {spec.name.lower() for spec in word.HOUSE_STYLES} <= names  # added where the reference lacked them
    assert_word_structure(tmp_path / "bare" / "briefs" / "sample" / "sample.docx", resolved(minimal)["sample"])


@pytest.mark.parametrize("setting, content, message", [
    ("word_reference: word/missing.docx", None, "word_reference 'word/missing.docx' not found in the project folder"),
    ("word_reference: word/notes.docx", b"plain text, not a Word file\n",
     "word_reference 'word/notes.docx' is not a Word document (.docx): it is not a zip package"),
    ("word_reference: word/notes.docx", "zip", "word_reference 'word/notes.docx' is not a Word document (.docx): "
                                               "it has no word/document.xml"),
    ("word_reference: ../outside.docx", None, "word_reference '../outside.docx' is outside the project folder"),
])
def test_a_bad_word_reference_is_a_located_error(minimal, tmp_path, setting, content, message):
    import zipfile
    (minimal / "word").mkdir()
    if content == "zip":
        with zipfile.ZipFile(minimal / "word" / "notes.docx", "w") as z:
            z.writestr("notes.txt", "not a document")
    elif content is not None:
        (minimal / "word" / "notes.docx").write_bytes(content)
    settings = minimal / "project.yaml"
    line = len(settings.read_text(encoding="utf-8").splitlines()) + 1
    settings.write_text(settings.read_text(encoding="utf-8") + setting + "\n", encoding="utf-8")
    for command in (["check"], ["build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1"]):
        result = run_cli(*command, "--project", minimal, cwd=minimal)
        assert result.code == 1, result.stderr
        assert f"project.yaml:{line}:17: error: {message}" in result.stderr, result.stderr


def test_a_broken_reference_in_the_project_theme_is_a_located_error(minimal, tmp_path):
    static = minimal / "templates" / "static"
    static.mkdir(parents=True)
    (static / "reference.docx").write_text("<html>not Word</html>", encoding="utf-8")
    result = run_cli("check", "--project", minimal, cwd=minimal)
    assert result.code == 1
    assert ("templates/static/reference.docx:1:1: error: reference.docx is not a Word document (.docx): "
            "it is not a zip package") in result.stderr, result.stderr


def test_the_shipped_reference_defines_every_style_and_holds_no_text():
    shipped = docx.Document(str(REPO / "templates" / "static" / "reference.docx"))
    names = {s.name.lower() for s in shipped.styles}
    assert {spec.name.lower() for spec in word.HOUSE_STYLES} | {word.TABLE_STYLE.lower()} <= names
    assert not shipped.paragraphs or not any(p.text for p in shipped.paragraphs)
    assert shipped.core_properties.author == "" and shipped.sections[0].page_width == docx.shared.Twips(11906)


# -- the real topics --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def topics(real_site, tmp_path_factory):
    """Both real topics built: GLM-Image from the session's build, the EU AI Act one here."""
    out = tmp_path_factory.mktemp("eu") / "site"
    build(TOPICS["eu-ai-act"], out)
    return {"glm-image": real_site[0], "eu-ai-act": out}


@pytest.mark.slow
def test_every_real_brief_has_a_word_edition_that_reads_back(topics):
    count = 0
    for name, site in topics.items():
        for brief_id, brief in resolved(TOPICS[name]).items():
            assert_word_structure(site / "briefs" / brief_id / f"{brief_id}.docx", brief)
            count += 1
    assert count == 7


@pytest.mark.slow
def test_libreoffice_opens_every_real_word_edition_and_shows_what_it_must(topics, tmp_path):
    briefs = {site / "briefs" / b / f"{b}.docx": brief for name, site in topics.items()
              for b, brief in resolved(TOPICS[name]).items()}
    converted = convert_with_libreoffice(sorted(briefs), tmp_path / "lo")
    for path, pdf in converted.items():
        text = squeeze(" ".join(page.extract_text() for page in PdfReader(pdf).pages))
        missing = [t for t in required_texts(briefs[path]) if squeeze(t) not in text]
        assert not missing, (path.name, missing)
        assert squeeze(briefs[path]["title"]) in text


@pytest.mark.slow
def test_libreoffice_opens_the_sample_editions(minimal, tmp_path):
    site = tmp_path / "site"
    build(minimal, site)
    briefs = resolved(minimal)
    files = sorted(site.glob("briefs/*/*.docx"))
    for path, pdf in convert_with_libreoffice(files, tmp_path / "lo").items():
        text = squeeze(" ".join(page.extract_text() for page in PdfReader(pdf).pages))
        brief = briefs[path.stem]
        assert all(squeeze(t) in text for t in required_texts(brief)), path.name
        assert text.count(squeeze(brief["marking"]["label"])) >= 3  # masthead, header and footer


def test_the_reference_document_is_not_published(tmp_path):
    from helpers import FIXTURES, copy_project, run_cli
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    site = tmp_path / "site"
    result = run_cli("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html,docx",
                     cwd=project)  # the Word edition, made from the reference document, is what could carry it
    assert result.code == 0, result.stderr
    assert (site / "briefs" / "sample" / "sample.docx").is_file()
    assert not list(site.rglob("*reference*")) and not list((site / "assets").glob("*.docx"))


def test_a_reference_documents_verdict_is_kept_by_its_bytes(minimal, tmp_path):
    """python-docx opens the reference document once per version of its bytes: the next check reads the verdict
    from the parse cache, says the same thing at the same place, and a fixed file is judged again."""
    import zipfile
    static = minimal / "templates" / "static"
    static.mkdir(parents=True)
    reference = static / "reference.docx"
    with zipfile.ZipFile(reference, "w") as z:  # the parts a package needs, but no Word document in them
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "not xml")
    kept = minimal / ".briefwright-cache" / "parse"
    outputs = []
    for _ in range(2):
        result = run_cli("check", "--project", minimal, cwd=minimal)
        assert result.code == 1
        outputs.append([line for line in result.stderr.splitlines() if "reference.docx" in line])
    assert outputs[0] == outputs[1] and len(outputs[0]) == 1, outputs
    assert outputs[0][0].startswith("templates/static/reference.docx:1:1: error: reference.docx could not be read "
                                    "as a Word document")
    verdicts = [entry for entry in kept.rglob("*.json") if b'"result"' in entry.read_bytes()]
    assert len(verdicts) == 1, "one verdict kept for these bytes"
    reference.write_bytes(word.make_reference())
    assert run_cli("check", "--project", minimal, cwd=minimal).code == 0


def test_a_notes_title_carries_its_link_and_the_address_stays_printed(minimal, tmp_path):
    """Link text that is an address says nothing to a screen reader (Microsoft's checker warns of it): in the Word
    notes the source's title is the link, and the address is printed after it as plain text for a paper copy."""
    import re
    site = tmp_path / "site"
    build(minimal, site, "--formats", "html,docx")
    brief = resolved(minimal)["plain"]  # endnotes: the full citation, address included
    import zipfile
    with zipfile.ZipFile(site / "briefs" / "plain" / "plain.docx") as package:
        rels_xml = package.read("word/_rels/endnotes.xml.rels").decode()
        xml = package.read("word/endnotes.xml").decode()
    rels = {rid: target for target, rid in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels_xml)}
    rels |= dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels_xml))
    links = [(rels[rid], "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", inner)))
             for rid, inner in re.findall(r'<w:hyperlink r:id="(rId\d+)"[^>]*>(.*?)</w:hyperlink>', xml)]
    notes = ooxml.notes(ooxml.read_parts((site / "briefs" / "plain" / "plain.docx").read_bytes())["word/endnotes.xml"],
                        "endnote")
    with_address = [n for n in brief["notes"] if n.get("url")]
    assert with_address
    for note in with_address:
        assert (note["url"], note["title"]) in links  # the title links to the source
        assert note["url"] in notes[note["n"]]  # and the address is printed in full
    assert not [text for _url, text in links if re.match(r"\s*(https?://|www\.)", text)]
