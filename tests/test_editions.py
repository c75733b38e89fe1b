"""Editions: `release` archives the files as published with their hashes, check holds the archive to its record,
the site serves earlier editions beside the page (never above its channel), and "what changed" covers
facts, judgments and caveats in every format."""
from __future__ import annotations

import hashlib
import json
import re

import docx
import pytest
from helpers import REPO, run_cli
from pypdf import PdfReader

CANARY = "Canary phrase seven orchids in a blue teapot"


def pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def build(project, out, *extra):
    return run_cli("build", "--out", out, "--cache-dir", out.parent / "cache", "-j1", *extra, cwd=project)


def raise_edition(project, brief="sample", to=2):
    path = project / "briefs" / f"{brief}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("edition: 1", f"edition: {to}"), encoding="utf-8")


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_release_archives_the_published_files_with_their_hashes(minimal, tmp_path):
    r = run_cli("release", "sample", cwd=minimal)
    assert r.code == 0, r.stderr
    folder = minimal / "editions" / "sample"
    assert sorted(p.name for p in folder.iterdir()) == ["1.docx", "1.json", "1.pdf"]
    record = json.loads((folder / "1.json").read_text(encoding="utf-8"))
    assert (record["edition"], record["date"], record["title"], record["marking"]) == \
        (1, "2026-02-02", "The widget, briefly", "CLEAR")
    for fmt, label in (("pdf", "PDF"), ("docx", "Word document")):
        data = (folder / f"1.{fmt}").read_bytes()
        assert record["files"][fmt] == {"file": f"1.{fmt}", "label": label, "sha256": hashlib.sha256(data).hexdigest(),
                                        "bytes": len(data)}
    assert "Edition 1" in " ".join(p.extract_text() for p in PdfReader(folder / "1.pdf").pages)
    assert record["judgments"] == {"adoption": "The widget will likely displace the rival within a year. "
                                               "Likelihood: likely (55-80%). Low confidence."}
    assert set(record["caveats"]) == {"speed-untested"} and record["caveats"]["speed-untested"]["title"]
    # the archive is what a build of that edition gives, byte for byte
    assert build(minimal, tmp_path / "site").code == 0
    assert (tmp_path / "site" / "briefs" / "sample" / "sample.pdf").read_bytes() == (folder / "1.pdf").read_bytes()
    r = run_cli("release", "sample", cwd=minimal)
    assert r.code == 2 and "already recorded" in r.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["1.docx", "1.json", "1.pdf"]


def test_release_without_word_archives_the_pdf_only(minimal):
    assert run_cli("release", "sample", "--formats", "html,pdf", cwd=minimal).code == 0
    assert sorted(p.name for p in (minimal / "editions" / "sample").iterdir()) == ["1.json", "1.pdf"]


def test_a_changed_or_missing_archive_is_a_located_error(minimal):
    assert run_cli("release", "sample", cwd=minimal).code == 0
    folder = minimal / "editions" / "sample"
    text = (folder / "1.json").read_text(encoding="utf-8").splitlines()
    pdf_hash = next(i for i, line in enumerate(text, 1) if '"sha256"' in line and i > next(
        j for j, x in enumerate(text, 1) if '"pdf": {' in x))
    docx_file = next(i for i, line in enumerate(text, 1) if '"file": "1.docx"' in line)
    (folder / "1.pdf").write_bytes((folder / "1.pdf").read_bytes() + b"\n")
    (folder / "1.docx").unlink()
    r = run_cli("check", cwd=minimal)
    assert r.code == 1
    assert sorted(r.stderr.splitlines()[:2]) == sorted([
        f"editions/sample/1.json:{docx_file}:1: error: edition 1 of 'sample' was published as 1.docx, but "
        f"{folder / '1.docx'} is missing; it is the record of what readers got, kept beside its record: restore it "
        f"(`git checkout -- 1.docx` in {folder}, or from where it was sent out)",
        f"editions/sample/1.json:{pdf_hash}:1: error: {folder / '1.pdf'} does not match the sha256 its edition record "
        "holds: the published file was changed after release; restore it (`git checkout` it, or take it from where it "
        "was sent out)"])


@pytest.mark.slow
def test_edition_two_links_edition_one_and_lists_what_changed_everywhere(minimal, tmp_path):
    assert run_cli("release", "sample", cwd=minimal).code == 0
    raise_edition(minimal)
    edit(minimal / "content" / "facts.yaml", "The widget launched in January 2026.", "The widget launched on 10 January 2026.")
    edit(minimal / "content" / "other.yaml", "    likelihood: likely\n    confidence: low\n",
         "    likelihood: likely\n    confidence: moderate\n    window: 2026-02-01/2027-01-31\n")
    with (minimal / "briefs" / "sample.yaml").open("a", encoding="utf-8") as f:
        f.write("changes_note: The launch date is now exact, and the forecast has a window.\n")
    r = build(minimal, tmp_path / "site")
    assert r.code == 0, r.stderr
    folder = tmp_path / "site" / "briefs" / "sample"
    assert (folder / "editions" / "1.pdf").read_bytes() == (minimal / "editions" / "sample" / "1.pdf").read_bytes()
    assert (folder / "editions" / "1.docx").read_bytes() == (minimal / "editions" / "sample" / "1.docx").read_bytes()
    page = (folder / "index.html").read_text(encoding="utf-8")
    editions = page[page.index('<section class="editions"'):]
    editions = editions[:editions.index("</section>")]
    kb = round((folder / "editions" / "1.pdf").stat().st_size / 1024)
    assert 'Edition 1, 2 February 2026 · <a href="editions/1.pdf" class="edition-pdf">' f"PDF, {kb} KB</a>" in editions
    assert 'href="editions/1.docx"' in editions
    assert re.findall(r'data-change="([^"]+)"', page) == ["judgment-changed", "changed"]
    revised = ("Judgment revised: The widget will likely displace the rival within a year. Likelihood: likely (55-80%). "
               "Low confidence. The widget will likely displace the rival within a year. Likelihood: likely (55-80%). "
               "Moderate confidence. Forecast window: 1 February 2026 \u2013 31 January 2027.")
    note = "The launch date is now exact, and the forecast has a window."
    assert note in page
    # The web page marks the words that changed, not the whole sentence.
    assert ('<span class="lead">Changed:</span> <span class="diff">The widget launched <del>in</del> <ins>on 10</ins> '
            'January 2026.</span>') in page
    assert "<del>Low</del> <ins>Moderate</ins> confidence. <ins>Forecast window:" in page
    # On paper and in Word (both held to the page limit): the editor's note and a count in place of the list,
    # which the page carries.
    pdf = pdf_text(folder / "sample.pdf")
    assert "What changed since edition 1" in pdf and note in pdf
    count = ("Changes: 1 to judgments, 1 to facts, 0 to caveats. Each, with its old and new wording, is listed on "
             "this brief's web page, where edition 1 remains available.")
    assert count in pdf
    assert revised not in pdf and "Judgment revised" not in pdf
    word = [p.text for p in docx.Document(str(folder / "sample.docx")).paragraphs]
    assert "What changed since edition 1" in word and note in word and count in word
    assert not any("Judgment revised" in p or "Changed:" in p for p in word)
    assert "Earlier editions" not in pdf  # links beside the page mean nothing on paper


def test_check_warns_at_the_edition_line_while_a_new_edition_has_no_changes_note(minimal, tmp_path):
    assert run_cli("release", "sample", "--formats", "html", cwd=minimal).code == 0
    raise_edition(minimal)
    r = run_cli("check", cwd=minimal)
    assert r.code == 0, r.stderr
    assert ("briefs/sample.yaml:6:10: warning: brief 'sample': edition 2 has no changes_note, so its PDF and Word "
            "files say only how many judgments, facts and caveats changed") in r.stderr, r.stderr
    assert run_cli("check", "--strict", cwd=minimal).code == 1
    with (minimal / "briefs" / "sample.yaml").open("a", encoding="utf-8") as f:
        f.write("changes_note: Nothing of substance; the speed is still only claimed.\n")
    r = run_cli("check", "--strict", cwd=minimal)
    assert r.code == 0 and "changes_note" not in r.stderr, r.stderr


def test_caveat_changes_and_removals_are_listed(minimal, tmp_path):
    assert run_cli("release", "sample", "--formats", "html", cwd=minimal).code == 0
    raise_edition(minimal)
    edit(minimal / "content" / "other.yaml", "    body: No one outside the maker has measured the speed.\n",
         "    body: Nobody outside the maker has timed it, as of February 2026.\n")
    r = build(minimal, tmp_path / "site", "--formats", "html")
    assert r.code == 0, r.stderr
    page = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'data-change="([^"]+)"', page) == ["caveat-changed"]
    assert "<ins>Nobody outside the maker has timed it, as of February 2026.</ins>" in page


@pytest.mark.slow
def test_an_amber_edition_never_reaches_the_clear_site(minimal, tmp_path):
    """Edition 1 was AMBER and carried a canary; edition 2 is CLEAR without it. The CLEAR site neither links nor
    holds edition 1, its 'what changed' quotes nothing from it, and verify passes; the brief page of an AMBER
    build may list it."""
    sample = minimal / "briefs" / "sample.yaml"
    edit(sample, "marking: CLEAR", "marking: AMBER")
    edit(sample, "bottom_line: The widget is new and its speed is only claimed.",
         f"bottom_line: The widget is new and its speed is only claimed. {CANARY}.")
    r = run_cli("release", "sample", cwd=minimal)
    assert r.code == 0, r.stderr
    assert CANARY in pdf_text(minimal / "editions" / "sample" / "1.pdf")
    edit(sample, "marking: AMBER", "marking: CLEAR")
    edit(sample, f" {CANARY}.", "")
    raise_edition(minimal)
    site = tmp_path / "site"
    r = build(minimal, site)
    assert r.code == 0, r.stderr
    page = (site / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert not (site / "briefs" / "sample" / "editions").exists()
    assert "Earlier editions" not in page and "editions/1" not in page
    assert 'data-change="withheld"' in page and "Edition 1 was marked TLP:AMBER" in page
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".js", ".txt"):
            assert "orchids" not in path.read_text(encoding="utf-8", errors="replace"), path
    for pdf in site.rglob("*.pdf"):
        assert "orchids" not in pdf_text(pdf), pdf
    r = run_cli("verify", site, cwd=minimal)
    assert r.code == 0, r.stderr


# Published files are kept as bytes beside their records and tracked in git; re-rendering from the commit a record
# names is an audit (`editions audit`) or an explicit restore, never part of check.

def git(project, *args):
    import subprocess
    return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, check=True).stdout


def in_git(project):
    git(project, "init", "-q")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "content")
    return git(project, "rev-parse", "HEAD").strip()


def commit_all(project, message="edit"):
    git(project, "add", "-A")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)
    return git(project, "rev-parse", "HEAD").strip()


@pytest.mark.slow
def test_check_reads_the_stored_files_and_never_rebuilds_restore_does_it_only_when_asked(minimal):
    commit = in_git(minimal)
    assert run_cli("release", "sample", cwd=minimal).code == 0
    folder = minimal / "editions" / "sample"
    record = json.loads((folder / "1.json").read_text(encoding="utf-8"))
    assert record["commit"] == commit
    published = {name: (folder / name).read_bytes() for name in ("1.pdf", "1.docx")}
    for name in published:
        (folder / name).unlink()
    r = run_cli("check", cwd=minimal)
    assert r.code == 1 and "1.pdf, but" in r.stderr and "briefwright editions restore" in r.stderr, r.stderr
    assert not (folder / "1.pdf").exists(), "check rebuilt a published file"
    r = run_cli("editions", "restore", cwd=minimal)
    assert r.code == 0 and "1.pdf: restored (sha256 matches the record)" in r.stderr, r.stderr
    assert {name: (folder / name).read_bytes() for name in published} == published, "rebuilt byte for byte"
    assert run_cli("check", cwd=minimal).code == 0
    # a rebuilt file that is not what readers got is not kept
    (folder / "1.pdf").unlink()
    text = (folder / "1.json").read_text(encoding="utf-8")
    (folder / "1.json").write_text(text.replace(record["files"]["pdf"]["sha256"], "0" * 64), encoding="utf-8")
    r = run_cli("editions", "restore", cwd=minimal)
    assert r.code == 0 and "its sha256 differs from the recorded one" in r.stderr and "not kept" in r.stderr, r.stderr
    assert not (folder / "1.pdf").exists()


@pytest.mark.slow
def test_audit_says_identical_and_shows_the_pages_a_changed_stylesheet_moves(minimal, tmp_path):
    in_git(minimal)
    assert run_cli("release", "sample", cwd=minimal).code == 0
    commit_all(minimal, "edition 1")
    out = tmp_path / "audit"
    r = run_cli("editions", "audit", "--out", out, cwd=minimal)
    assert r.code == 0, r.stderr
    assert "identical  edition 1:" in r.stdout and "audit: 2 of 2 published files rebuilt identically" in r.stdout
    # The house stylesheet changes (as a WeasyPrint or font upgrade would move text): the record is pointed at the
    # commit holding it, so the audit rebuilds the edition as the changed theme lays it out.
    css = minimal / "templates" / "static" / "print.css"
    css.parent.mkdir(parents=True)
    css.write_text((REPO / "templates" / "static" / "print.css").read_text(encoding="utf-8")
                   + "\nhtml { font-size: 12.5pt; }\n", encoding="utf-8")
    changed = commit_all(minimal, "bigger type")
    path = minimal / "editions" / "sample" / "1.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(json.loads(text)["commit"], changed), encoding="utf-8")
    r = run_cli("editions", "audit", "sample", "--out", out, cwd=minimal)
    assert r.code == 0, "the audit reports; it fails only with --strict"
    assert "DIFFERS  edition 1:" in r.stdout and "1.pdf" in r.stdout, r.stdout
    pngs = sorted((out / "sample" / "1-pdf").glob("page-*.png"))
    assert pngs and f"page 1: {pngs[0]}" in r.stdout, r.stdout
    from PIL import Image
    with Image.open(pngs[0]) as sheet:
        assert sheet.width > 2.9 * sheet.height / 1.5, "stored | rebuilt | difference, side by side"
        assert (220, 30, 30) in {sheet.getpixel((x, y)) for x in range(sheet.width * 2 // 3, sheet.width, 3)
                                 for y in range(0, sheet.height, 3)}, "the differing pixels are marked"
    assert run_cli("editions", "audit", "--strict", "--out", out, cwd=minimal).code == 1


def test_audit_of_a_commit_missing_from_the_clone_reports_it_and_release_needs_committed_sources(minimal):
    in_git(minimal)
    edit(minimal / "content" / "facts.yaml", "The widget launched in January 2026.", "The widget launched in 2026.")
    r = run_cli("release", "sample", cwd=minimal)
    assert r.code == 2 and "cannot release 'sample': commit the sources first (content/facts.yaml differ" in r.stderr
    commit_all(minimal)
    assert run_cli("release", "sample", cwd=minimal).code == 0
    folder = minimal / "editions" / "sample"
    text = (folder / "1.json").read_text(encoding="utf-8")
    commit = json.loads(text)["commit"]
    (folder / "1.json").write_text(text.replace(commit, "f" * 40), encoding="utf-8")
    assert run_cli("check", cwd=minimal).code == 0, "check never needs the commit"
    r = run_cli("editions", "audit", cwd=minimal)
    assert r.code == 0 and "not compared  edition 1:" in r.stdout and \
        "commit ffffffffffff is not in this repository" in r.stdout, r.stdout


def test_release_before_a_first_commit_says_to_make_one(minimal):
    git(minimal, "init", "-q")
    r = run_cli("release", "sample", cwd=minimal)
    assert r.code == 2 and "the repository has no commit yet; make a first commit" in r.stderr, r.stderr


@pytest.mark.slow
def test_a_released_edition_whose_print_changed_must_raise_its_number(minimal):
    in_git(minimal)
    assert run_cli("release", "sample", cwd=minimal).code == 0
    brief = minimal / "briefs" / "sample.yaml"
    line = next(i for i, t in enumerate(brief.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("edition:"))
    for path, old, new, said in (
            (minimal / "content" / "facts.yaml", "The widget launched in January 2026.", "The widget launched in 2026.",
             "facts 'widget-launch'"),
            (brief, "bottom_line: ", "bottom_line: Revised. ", "bottom line"),
            (brief, "marking: CLEAR", "marking: GREEN", "marking")):
        original = path.read_text(encoding="utf-8")
        edit(path, old, new)
        r = run_cli("check", cwd=minimal)
        assert r.code == 1, r.stderr
        assert f"briefs/sample.yaml:{line}:" in r.stderr and "is edition 1, released on" in r.stderr and said in \
            r.stderr and "raise 'edition' to 2" in r.stderr, r.stderr
        path.write_text(original, encoding="utf-8")
    assert run_cli("check", cwd=minimal).code == 0
    # from edition 2 on, release asks for a changes_note, at the brief's edition line
    edit(minimal / "content" / "facts.yaml", "The widget launched in January 2026.", "The widget launched in 2026.")
    raise_edition(minimal)
    commit_all(minimal)
    r = run_cli("release", "sample", cwd=minimal)
    assert r.code == 2 and f"briefs/sample.yaml:{line}: edition 2 of 'sample' has no changes_note" in r.stderr, r.stderr
