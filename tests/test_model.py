"""Parsing content into the model: what YAML makes of an analyst's words, read back as they were meant."""
from __future__ import annotations

import datetime as dt

from helpers import run_cli

from briefwright.core.diagnostics import Collector
from briefwright.source.load import load_project


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_values_yaml_reads_as_other_types_are_kept_as_written(minimal):
    """A quoted date is a date; `id: 2024` is the id '2024'; a label typed 1.10 stays 1.10, not 1.1."""
    write(minimal / "content" / "extra.yaml", """facts:
  - id: 2024
    statement: Version 1.10 of the widget shipped.
    sources: [trade-paper]
    status: reported
    confidence: low
    as_of: "2026-02-01"
    quantity: {value: 3, unit: units, measure: versions, label: 1.10}
""")
    out = Collector()
    project = load_project(minimal, out)
    assert out.diagnostics == []
    fact = project.facts["2024"]
    assert fact.as_of == dt.date(2026, 2, 1)
    assert fact.quantity.label == "1.10"


def test_tlp_prefix_is_accepted_in_markings(minimal):
    """Briefs print 'TLP:AMBER', so an analyst copies the label that way; it means AMBER."""
    brief = minimal / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("marking: CLEAR", "marking: TLP:GREEN"), encoding="utf-8")
    r = run_cli("check", cwd=minimal)
    assert r.code == 0, r.stderr
    out = Collector()
    assert load_project(minimal, out).briefs["plain"].marking.value == "GREEN"


def test_syntax_errors_come_first_then_by_file_and_line(minimal):
    """One cause, one message, first: a file YAML could not read is reported before other problems, even
    those in files that sort before it; references into it are not reported as unknown but counted."""
    brief = minimal / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("page_limit: 2", "page_limit: 0"), encoding="utf-8")
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("unit: units/h, measure", "unit: %, measure", 1),
                     encoding="utf-8")
    r = run_cli("check", cwd=minimal)
    assert r.code == 1
    assert r.stderr.splitlines() == [
        "content/facts.yaml:8:34: error: invalid YAML: '%' cannot start a plain value; quote it (write unit: \"%\")",
        "briefs/plain.yaml:7:13: error: brief field 'page_limit': must be at least 1, found 0",
        "Aborted with 2 errors: 1 error in content/facts.yaml stopped checking of 8 references (the file could not "
        "be read, so its records are unavailable).",
    ]
