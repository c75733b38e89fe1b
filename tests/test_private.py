"""Private overlays: restricted records live in a folder beside the public repository, join the
project when it is there and are absent (with one line saying so) when it is not; a public
repository refuses restricted records inside it."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import REPO, run_cli
from private_overlay import write_overlay


@pytest.fixture
def desk(tmp_path) -> Path:
    """A copy of the GLM-Image project (public records only), as a desk's public repository."""
    project = tmp_path / "glm-image"
    project.mkdir()
    shutil.copy(REPO / "project.yaml", project)
    for folder in ("content", "briefs", "translations", "editions", "schemas"):
        shutil.copytree(REPO / folder, project / folder)
    return project


def test_this_repository_holds_no_restricted_record():
    for root in (REPO, REPO / "topics" / "eu-ai-act"):
        assert re.search(r"^public_repository: true$", (root / "project.yaml").read_text(encoding="utf-8"), re.M)
        for path in [*(root / "content").glob("*.yaml"), *(root / "briefs").glob("*.yaml")]:
            markings = re.findall(r"^\s*marking:\s*(\S+)", path.read_text(encoding="utf-8"), re.M)
            assert set(markings) <= {"CLEAR"}, f"{path} holds {markings}"
        result = run_cli("check", "--no-private", "--project", root, cwd=REPO)
        assert result.code == 0, result.stderr


@pytest.mark.slow
def test_an_absent_private_folder_is_one_line_and_the_public_briefs_build(desk, tmp_path):
    result = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j2", cwd=desk)
    assert result.code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "private folder" in line]
    assert lines == ["private folder ../glm-image-private not found: building without its records"]
    assert sorted(p.name for p in (tmp_path / "site" / "briefs").iterdir()) == [
        "compliance-note", "executive-brief", "market-note", "press-explainer", "technical-annex"]


@pytest.mark.slow
def test_the_private_folder_builds_the_restricted_brief_locally_and_never_publicly(desk, tmp_path):
    write_overlay(tmp_path / "glm-image-private", desk)
    amber, public, cache = tmp_path / "amber", tmp_path / "public", tmp_path / "cache"
    result = run_cli("build", "--out", amber, "--cache-dir", cache, "-j2", "--max-marking", "AMBER", cwd=desk)
    assert result.code == 0, result.stderr
    html = (amber / "briefs" / "market-client-annex" / "index.html").read_text(encoding="utf-8")
    assert "The desk estimates, from published peak figures" in html and "TLP:AMBER" in html
    assert "about 2,560 trillion floating-point operations per second (TFLOPS)" in html  # 8 x the public 320, first use
    assert "if its 8 modules are Ascend 910Bs" in html

    result = run_cli("build", "--out", public, "--cache-dir", cache, "-j2", cwd=desk)
    assert result.code == 0, result.stderr
    assert "left out: market-client-annex (TLP:AMBER)" in result.stderr
    assert run_cli("verify", public, cwd=desk).code == 0
    leak = run_cli("verify", amber, cwd=desk)
    assert leak.code == 1 and "brief 'market-client-annex' (TLP:AMBER) is above this channel" in leak.stderr

    result = run_cli("check", "--no-private", cwd=desk)
    assert result.code == 0 and "private folder" not in result.stderr and "ok: 5 briefs" in result.stderr


@pytest.mark.slow
def test_a_brief_moved_into_the_private_folder_keeps_its_editor_schema(desk, tmp_path):
    """A brief marked AMBER moves from the public repository into the private folder: its relative $schema path
    then points nowhere, and check says so at the line, with the path that works; `schema` writes schemas/ into the
    private folder too, after which the same relative path works there."""
    private = write_overlay(tmp_path / "glm-image-private", desk)
    brief = desk / "briefs" / "market-note.yaml"
    assert "# yaml-language-server: $schema=../schemas/brief.schema.json\n" in brief.read_text(encoding="utf-8")
    assert run_cli("check", cwd=desk).stderr.count("schema comment") == 0
    moved = private / "briefs" / "market-note.yaml"
    shutil.move(brief, moved)
    line = moved.read_text(encoding="utf-8").splitlines().index(
        "# yaml-language-server: $schema=../schemas/brief.schema.json") + 1
    result = run_cli("check", cwd=desk)
    assert result.code == 0, result.stderr
    assert (f"../glm-image-private/briefs/market-note.yaml:{line}:33: warning: the editor's schema comment points to "
            "../schemas/brief.schema.json, which is not there from this file, so editors give no completion or "
            "checking; write $schema=../../glm-image/schemas/brief.schema.json") in result.stderr, result.stderr
    result = run_cli("schema", cwd=desk)
    assert result.code == 0 and f"wrote {private / 'schemas' / 'brief.schema.json'}" in result.stderr, result.stderr
    assert (private / "schemas" / "brief.schema.json").read_bytes() == (desk / "schemas" / "brief.schema.json").read_bytes()
    assert "schema comment" not in run_cli("check", cwd=desk).stderr


def test_a_restricted_record_inside_a_public_repository_is_refused(desk):
    sources = desk / "content" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("    kind: press\n", "    kind: press\n    marking: AMBER\n", 1), encoding="utf-8")
    line = text[:text.index("    kind: press\n")].count("\n") + 2
    result = run_cli("check", "--no-private", cwd=desk)
    assert result.code == 1
    first = next(d for d in result.stderr.splitlines() if "kept in this public repository" in d)
    assert re.fullmatch(rf"content/sources\.yaml:{line}:14: error: source '[a-z0-9-]+' is kept in this public "
                        r"repository but it is marked AMBER; move it to a private folder named in private_content "
                        r"\(e\.g\. \.\./glm-image-private/content/\)", first), first


def test_a_fact_resting_on_a_private_source_cannot_live_in_the_public_repository(desk, tmp_path):
    write_overlay(tmp_path / "glm-image-private", desk)
    facts = desk / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "    sources: [worldtoday-atlas, haoyuanyu-atlas]", "    sources: [worldtoday-atlas, desk-atlas-server-estimate]"),
        encoding="utf-8")
    result = run_cli("check", cwd=desk)
    assert result.code == 1
    assert ("error: fact 'atlas-800t-config' is kept in this public repository but it rests on AMBER material "
            "(fact atlas-800t-config -> source desk-atlas-server-estimate)") in result.stderr


def test_a_private_folder_must_be_outside_the_project(desk):
    settings = desk / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("[../glm-image-private]", "[private]"),
                        encoding="utf-8")
    result = run_cli("check", cwd=desk)
    assert result.code == 1
    assert "error: private folder 'private' must be outside the project folder (beside it)" in result.stderr


def test_a_restricted_default_in_a_public_repository_is_one_error_at_the_setting(desk):
    settings = desk / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "default_marking: GREEN\n", encoding="utf-8")
    result = run_cli("check", "--no-private", cwd=desk)
    assert result.code == 1
    public = [line for line in result.stderr.splitlines() if "public" in line and "error:" in line]
    assert len(public) == 1 and public[0].startswith("project.yaml:")
    assert "default_marking is GREEN but public_repository is true" in public[0]
