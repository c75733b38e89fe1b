"""`explain ID` for facts, sources, caveats, judgments and unknowns: where a record comes from and what
uses it, for an analyst deciding what a retraction or a new caveat touches."""
from __future__ import annotations

from helpers import run_cli


def test_explain_a_source_shows_what_would_fall_with_it(minimal):
    r = run_cli("explain", "trade-paper", cwd=minimal)
    assert r.code == 0, r.stderr
    assert r.stdout.splitlines() == [
        "source trade-paper (Press report; published January 2026)",
        "  Trade Paper, “Widget reviewed”, January 2026. Press report. https://example.org/review (retrieved 1 February 2026).",
        "  defined at content/sources.yaml:10:5",
        "  marking TLP:CLEAR",
        "facts resting on it alone (they fall with it):",
        "  rival-speed: The rival widget runs at 90 units per hour.",
        "facts it supports with other sources:",
        "  widget-launch: The widget launched in January 2026. (also maker-blog)",
        "caveats citing it:",
        "  speed-untested: Speed not tested independently",
        "events citing it:",
        "  review: Widget reviewed",
        "judgments citing it in their basis:",
        "  none",
        "briefs citing it:",
        "  plain (public, edition 1)",
        "  sample (policymaker, edition 1)",
    ]


def test_explain_a_caveat_a_judgment_and_an_unknown(minimal):
    r = run_cli("explain", "speed-untested", cwd=minimal)
    assert r.code == 0, r.stderr
    assert r.stdout.splitlines()[:2] == ["caveat speed-untested (Critical): Speed not tested independently",
                                         "  No one outside the maker has measured the speed."]
    assert r.stdout.splitlines()[-3:] == [
        "  trade-paper: Trade Paper, “Widget reviewed”, January 2026. Press report. https://example.org/review "
        "(retrieved 1 February 2026).", "briefs showing it:", "  sample (policymaker, edition 1)"]
    r = run_cli("explain", "adoption", cwd=minimal)
    assert r.stdout.splitlines()[0] == "judgment adoption (likely (55-80%); Low confidence)"
    assert "  rival-speed: The rival widget runs at 90 units per hour. (Reported)" in r.stdout.splitlines()
    r = run_cli("explain", "widget-price", cwd=minimal)
    assert r.stdout.splitlines()[-3:] == ["briefs showing it:", "  plain (public, edition 1)",
                                          "  sample (policymaker, edition 1)"]


def test_an_id_two_kinds_share_must_say_which(minimal):
    sources = minimal / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + """
  - id: widget-launch
    title: Widget launch day
    publisher: Trade Paper
    published: 2026-01
    kind: report
""", encoding="utf-8")
    r = run_cli("explain", "widget-launch", cwd=minimal)
    assert r.code == 2
    assert r.stderr == ("briefwright: error: 'widget-launch' is the id of a fact and a source; say which: "
                        "explain fact:widget-launch or explain source:widget-launch\n")
    assert run_cli("explain", "source:widget-launch", cwd=minimal).stdout.startswith("source widget-launch (Report;")
    r = run_cli("explain", "source:trade-papr", cwd=minimal)
    assert r.stderr == "briefwright: error: no source with id 'trade-papr' (did you mean 'trade-paper'?)\n"


def test_explain_hides_what_the_channel_may_not_carry(minimal):
    other = minimal / "content" / "other.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace(
        "    sources: [trade-paper]\n\nunknowns:", "    sources: [trade-paper]\n    marking: AMBER\n\nunknowns:"),
        encoding="utf-8")
    brief = minimal / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("marking: CLEAR", "marking: AMBER"), encoding="utf-8")
    r = run_cli("explain", "trade-paper", cwd=minimal)
    assert r.code == 0, r.stderr
    assert "speed-untested" not in r.stdout and "sample" not in r.stdout
    r = run_cli("explain", "speed-untested", cwd=minimal)
    assert r.stderr == ("briefwright: error: caveat 'speed-untested' is above this channel (TLP:CLEAR); "
                        "pass --max-marking AMBER to see it\n")
    assert run_cli("explain", "speed-untested", "--max-marking", "AMBER", cwd=minimal).code == 0
