"""Audiences declared in project.yaml, beside (or replacing) the built-in five: no Python needed."""
from __future__ import annotations

import jsonschema
import pytest
import yaml
from helpers import run_cli

from briefwright.authoring.schema import schemas

BOARD = """audiences:
  - id: board
    label: Board members
    template: board.html
    page_limit: 1
    notes: footnotes
    order: [judgments, facts, caveats, charts, events, unknowns]
  - id: policymaker
    label: Legislators and policymakers
    template: policymaker.html
    page_limit: 3
"""


def _declare(project) -> None:
    settings = project / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + BOARD, encoding="utf-8")
    (project / "templates").mkdir()
    (project / "templates" / "board.html").write_text('{% extends "base.html" %}\n', encoding="utf-8")
    brief = project / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("audience: public", "audience: board")
                     .replace("page_limit: 2\n", ""), encoding="utf-8")


@pytest.mark.slow
def test_a_declared_audience_builds_with_its_label_template_notes_and_page_limit(minimal, tmp_path):
    _declare(minimal)
    jsonschema.validate(yaml.safe_load((minimal / "project.yaml").read_text(encoding="utf-8")),
                        schemas()["project.schema.json"])
    jsonschema.validate("board", schemas()["brief.schema.json"]["properties"]["audience"])  # editors accept it
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", cwd=minimal)
    assert r.code == 0, r.stderr
    page = (tmp_path / "site" / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")
    assert '<body class="audience-board notes-footnotes">' in page
    assert '<p class="kicker">Board members</p>' in page
    assert '<h2 id="aud-board">For board members</h2>' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_declared_default_page_limit_is_enforced_and_named(minimal, tmp_path):
    _declare(minimal)
    brief = minimal / "briefs" / "plain.yaml"
    long_text = " ".join(["The widget went on sale in January and sold out in days."] * 120)
    brief.write_text(brief.read_text(encoding="utf-8").replace("bottom_line: A new widget is on sale.",
                                                               f"bottom_line: {long_text}"), encoding="utf-8")
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", cwd=minimal)
    assert r.code == 1
    located = [line for line in r.stderr.splitlines() if line.startswith("briefs/plain.yaml")]
    assert located[0].startswith("briefs/plain.yaml:4:11: error: brief 'plain' has ")
    assert " pages; its page_limit is 1 (the default for audience 'board'); section " in located[0]


def test_a_built_in_audience_declared_again_changes_only_what_it_writes(minimal, tmp_path):
    _declare(minimal)  # policymaker declared with a template and a page limit, and no notes policy
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html",
                cwd=minimal)
    assert r.code == 0, r.stderr
    page = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert '<body class="audience-policymaker notes-footnotes">' in page  # the built-in's footnotes, kept
    r = run_cli("new", "brief", "board-note", "--audience", "board", cwd=minimal)
    assert r.code == 0, r.stderr
    assert "# A new brief for board members." in (minimal / "briefs" / "board-note.yaml").read_text(encoding="utf-8")


def test_an_audience_label_is_overridden_in_one_line(minimal, tmp_path):
    settings = minimal / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "audiences: [{id: policymaker, label: Ministers}]\n",
                        encoding="utf-8")
    jsonschema.validate(yaml.safe_load(settings.read_text(encoding="utf-8")), schemas()["project.schema.json"])
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html,pdf",
                cwd=minimal)
    assert r.code == 0, r.stderr
    page = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert '<p class="kicker">Ministers</p>' in page
    # Everything else is the built-in policymaker's: its template, footnotes, glossary and two-page limit.
    assert '<body class="audience-policymaker notes-footnotes">' in page and 'class="footnote"' in page
    assert '<h2 id="aud-policymaker">For ministers</h2>' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    brief = minimal / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("page_limit: 2\n", ""), encoding="utf-8")
    assert run_cli("check", cwd=minimal).code == 0  # the page limit still comes from the audience


def test_a_new_audience_without_a_label_is_a_located_error(minimal):
    settings = minimal / "project.yaml"
    line = len(settings.read_text(encoding="utf-8").splitlines()) + 2
    settings.write_text(settings.read_text(encoding="utf-8") + "audiences:\n  - id: board\n    page_limit: 1\n",
                        encoding="utf-8")
    r = run_cli("check", cwd=minimal)
    assert r.code == 1
    assert f"project.yaml:{line}:9: error: audience 'board' has no label; say who it is for" in r.stderr, r.stderr
