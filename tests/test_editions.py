"""Editions: `release` archives the files as published with their hashes, check holds the archive to its record,
the site serves earlier editions beside the page (never above its channel), and "what changed" covers
facts, judgments and caveats in every format."""
from __future__ import annotations

import hashlib
import json
import re

import docx
from helpers import run_cli
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
        f"{folder / '1.docx'} is missing and the record names no commit to rebuild it from; restore the published "
        "file (it is the record of what readers got)",
        f"editions/sample/1.json:{pdf_hash}:1: error: {folder / '1.pdf'} does not match the sha256 its edition record "
        "holds: the archived file was changed after release; restore the published file"])


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
    assert note in page and "<ins>The widget launched on 10 January 2026.</ins>" in page
    # On paper: the editor's note and a count in place of the list, which the page and the Word file carry.
    pdf = pdf_text(folder / "sample.pdf")
    assert "What changed since edition 1" in pdf and note in pdf
    assert "Changes: 1 to judgments, 1 to facts, 0 to caveats." in pdf
    assert revised not in pdf and "Judgment revised" not in pdf
    word = [p.text for p in docx.Document(str(folder / "sample.docx")).paragraphs]
    assert "What changed since edition 1" in word and note in word
    assert revised in word
    assert "Changed: The widget launched in January 2026. The widget launched on 10 January 2026." in word
    assert "Earlier editions" not in pdf  # links beside the page mean nothing on paper


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


# Published files are build output, ignored by git: a clone rebuilds them from the commit the record names.

def git(project, *args):
    import subprocess
    return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, check=True).stdout


def in_git(project):
    git(project, "init", "-q")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "content")
    return git(project, "rev-parse", "HEAD").strip()


def test_a_clone_without_the_published_files_rebuilds_them_from_the_records_commit(minimal):
    commit = in_git(minimal)
    assert run_cli("release", "sample", cwd=minimal).code == 0
    folder = minimal / "editions" / "sample"
    record = json.loads((folder / "1.json").read_text(encoding="utf-8"))
    assert record["commit"] == commit
    published = {name: (folder / name).read_bytes() for name in ("1.pdf", "1.docx")}
    for name in published:
        (folder / name).unlink()
    assert run_cli("check", cwd=minimal).code == 0
    assert {name: (folder / name).read_bytes() for name in published} == published, "rebuilt byte for byte"
    # a rebuilt file that is not what readers got is refused, at the hash's line
    (folder / "1.pdf").unlink()
    text = (folder / "1.json").read_text(encoding="utf-8")
    wrong = "0" * 64
    (folder / "1.json").write_text(text.replace(record["files"]["pdf"]["sha256"], wrong), encoding="utf-8")
    r = run_cli("check", cwd=minimal)
    line = next(i for i, t in enumerate(text.replace(record["files"]["pdf"]["sha256"], wrong).splitlines(), 1) if wrong in t)
    assert r.code == 1 and f"editions/sample/1.json:{line}:1: error: edition 1 of 'sample': 1.pdf rebuilt from commit " \
        f"{commit[:12]} does not match the sha256 recorded at release" in r.stderr, r.stderr
    assert not (folder / "1.pdf").exists()


def test_a_commit_missing_from_the_clone_is_a_located_error_and_release_needs_committed_sources(minimal):
    in_git(minimal)
    edit(minimal / "content" / "facts.yaml", "The widget launched in January 2026.", "The widget launched in 2026.")
    r = run_cli("release", "sample", cwd=minimal)
    assert r.code == 2 and "cannot release 'sample': commit the sources first (content/facts.yaml differ" in r.stderr
    git(minimal, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "edit")
    assert run_cli("release", "sample", cwd=minimal).code == 0
    folder = minimal / "editions" / "sample"
    text = (folder / "1.json").read_text(encoding="utf-8")
    commit = json.loads(text)["commit"]
    (folder / "1.json").write_text(text.replace(commit, "f" * 40), encoding="utf-8")
    (folder / "1.pdf").unlink()
    r = run_cli("check", cwd=minimal)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if '"commit"' in t)
    assert r.code == 1 and (f"editions/sample/1.json:{line}:1: error: edition 1 of 'sample': its published files are not "
                            "here and cannot be rebuilt: commit ffffffffffff is not in this repository") in r.stderr, r.stderr
