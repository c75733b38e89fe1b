"""Authoring experience: schemas, diagnostics in three formats, scaffolding."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import REPO, run_cli

from briefwright.authoring.schema import REFERENCE_MARK, reference_markdown, schema_text, schemas
from briefwright.core.diagnostics import Diagnostic, Loc, format_github, format_pretty

PROJECTS = [REPO] + sorted(p.parent for p in (REPO / "topics").glob("*/project.yaml")) + [REPO / "tests" / "fixtures" / "minimal"]


def _plain(value):
    """YAML dates as the ISO strings editors see, so JSON Schema can check them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def test_schemas_in_the_repository_are_up_to_date():
    for name, schema in schemas().items():
        assert (REPO / "schemas" / name).read_text(encoding="utf-8") == schema_text(schema), \
            f"schemas/{name} is stale: run `briefwright schema` (or `python build.py schema`)"


def test_reference_in_the_authoring_guide_is_up_to_date():
    text = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert text.split(REFERENCE_MARK)[1].strip() == reference_markdown().strip()


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_every_shipped_file_validates_against_its_schema(project):
    s = schemas()
    checked = 0
    for path, name in ([(project / "project.yaml", "project.schema.json")]
                       + [(p, "content.schema.json") for p in sorted((project / "content").rglob("*.yaml"))]
                       + [(p, "brief.schema.json") for p in sorted((project / "briefs").glob("*.yaml"))]):
        jsonschema.validate(_plain(yaml.safe_load(path.read_text(encoding="utf-8"))), s[name])
        checked += 1
    assert checked >= 3


def test_schema_rejects_what_check_rejects():
    s = schemas()["content.schema.json"]
    bad = {"facts": [{"id": "x", "statement": "s", "sources": [], "status": "rumoured", "confidence": "high",
                      "as_of": "2026-01-01"}]}
    errors = list(jsonschema.Draft202012Validator(s).iter_errors(bad))
    messages = " ".join(e.message for e in errors)
    assert "'rumoured' is not one of" in messages and "should be non-empty" in messages


def test_pretty_diagnostic_shows_the_line_and_a_caret(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("facts:\n  - id: a\n    status: rumoured\n", encoding="utf-8")
    d = Diagnostic(Loc(path, 3, 13), "fact field 'status': 'rumoured' is not allowed", hint="allowed: confirmed, reported")
    assert format_pretty(d).splitlines()[1:] == [
        " 3 |     status: rumoured",
        "   |             ^",
        "  hint: allowed: confirmed, reported",
    ]


def test_pretty_format_from_the_command_line(minimal):
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("sources: [trade-paper]", "sources: [trade-papers]"),
                     encoding="utf-8")
    r = run_cli("check", "--diagnostics", "pretty", cwd=minimal)
    assert r.code == 1
    assert r.stderr.splitlines()[:4] == [
        "content/facts.yaml:12:15: error: unknown source 'trade-papers' (did you mean 'trade-paper'?)",
        " 12 |     sources: [trade-papers]",
        "    |               ^",
        "  hint: did you mean 'trade-paper'?",
    ]


def test_bad_choice_hint_lists_allowed_values(minimal):
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("status: reported", "status: rumoured"), encoding="utf-8")
    r = run_cli("check", "--diagnostics", "pretty", cwd=minimal)
    assert "  hint: allowed: confirmed, reported, claimed, conflicting, estimated" in r.stderr.splitlines()


def test_json_format(minimal):
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("confidence: moderate", "confidence: sure"), encoding="utf-8")
    r = run_cli("check", "--diagnostics", "json", cwd=minimal)
    assert r.code == 1
    assert json.loads(r.stdout) == [{
        "path": "content/facts.yaml", "line": 14, "column": 17, "severity": "error",
        "message": "fact field 'confidence': 'sure' is not allowed; use one of: high, moderate, low",
        "hint": "allowed: high, moderate, low"}]


def test_github_annotations(minimal):
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("confidence: moderate", "confidence: sure"), encoding="utf-8")
    r = run_cli("check", cwd=minimal, env={"GITHUB_ACTIONS": "true"})
    assert ("::error file=content/facts.yaml,line=14,col=17::fact field 'confidence': 'sure' is not allowed; "
            "use one of: high, moderate, low") in r.stderr.splitlines()
    d = Diagnostic(Loc(Path("a,b:c.yaml"), 1, 2), "50% done\nnext")
    assert format_github(d) == "::error file=a%2Cb%3Ac.yaml,line=1,col=2::50%25 done%0Anext"


def test_new_brief_and_fact_pass_check_and_never_overwrite(minimal):
    r = run_cli("new", "fact", "widget-price-fact", cwd=minimal)
    assert r.code == 0, r.stderr
    r = run_cli("new", "brief", "widget-market", "--audience", "market", cwd=minimal)
    assert r.code == 0, r.stderr
    created = minimal / "briefs" / "widget-market.yaml"
    assert created.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    r = run_cli("check", cwd=minimal)
    assert r.code == 0, r.stderr
    assert "ok: 3 briefs, 4 facts" in r.stderr
    created.write_text(created.read_text(encoding="utf-8") + "# my edits\n", encoding="utf-8")
    before = created.read_bytes()
    r = run_cli("new", "brief", "widget-market", "--audience", "market", cwd=minimal)
    assert r.code == 2 and "already exists" in r.stderr
    assert created.read_bytes() == before
    r = run_cli("new", "fact", "widget-price-fact", cwd=minimal)
    assert r.code == 2 and "already exists" in r.stderr


def test_new_makes_every_record_kind_and_each_passes_check(tmp_path):
    """From an empty project: each scaffold passes check at once; one that needs another record first says
    which command makes it, with the --project that was given."""
    project = tmp_path / "desk" / "topics" / "duv"
    project.mkdir(parents=True)
    (project / "project.yaml").write_text("site_title: DUV briefs\norganisation: Desk\n", encoding="utf-8")
    where = ("--project", project)
    r = run_cli("new", "fact", "first-fact", *where, cwd=tmp_path)
    assert r.code == 2
    assert r.stderr == (f"briefwright: error: the project has no sources yet; start one with `briefwright new "
                        f"source <id> --project {project}`, then make the fact\n")
    for kind in ("source", "fact", "caveat", "judgment", "unknown", "event"):
        r = run_cli("new", kind, f"new-{kind}", *where, cwd=tmp_path)
        assert r.code == 0, r.stderr
        path = project / "content" / f"{kind}s" / f"new-{kind}.yaml"
        assert r.stderr == f"wrote {path}; edit it, then run `briefwright check --project {project}`\n"
    r = run_cli("new", "chart", "new-chart", *where, cwd=tmp_path)
    assert r.code == 2 and "a chart needs two facts with quantities of one measure and unit" in r.stderr
    run_cli("new", "event", "second-event", *where, cwd=tmp_path)
    assert run_cli("new", "chart", "new-chart", *where, cwd=tmp_path).code == 0
    assert run_cli("new", "brief", "new-brief", "--audience", "policymaker", *where, cwd=tmp_path).code == 0
    r = run_cli("check", *where, cwd=tmp_path)
    assert r.code == 0, r.stderr
    assert r.stderr.splitlines()[-1] == "ok: 1 briefs, 1 facts, 1 sources checked"


def test_new_files_point_at_the_schemas_from_any_depth(tmp_path):
    """A topic deep inside a repository uses the repository's schemas/; one with none above it, the engine's."""
    for root, schemas_at in ((tmp_path / "repo" / "topics" / "a" / "b", tmp_path / "repo"), (tmp_path / "alone", None)):
        root.mkdir(parents=True)
        (root / "project.yaml").write_text("site_title: T\norganisation: O\n", encoding="utf-8")
        if schemas_at is not None:
            (schemas_at / "schemas").mkdir()
            for name in ("content.schema.json", "brief.schema.json"):
                (schemas_at / "schemas" / name).write_text((REPO / "schemas" / name).read_text(encoding="utf-8"),
                                                           encoding="utf-8")
        assert run_cli("new", "source", "s", "--project", root, cwd=tmp_path).code == 0
        written = root / "content" / "sources" / "s.yaml"
        first = written.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        target = (written.parent / first.split("$schema=")[1]).resolve()
        assert target == ((schemas_at or REPO) / "schemas" / "content.schema.json").resolve()
    first = (tmp_path / "repo" / "topics" / "a" / "b" / "content" / "sources" / "s.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../../../schemas/content.schema.json"
