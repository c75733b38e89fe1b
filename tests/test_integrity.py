"""Analytic integrity rules: each with a failing case asserting the exact message and location."""
from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from helpers import run_cli


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


JUDGMENT = """judgments:
  - id: extra-judgment
    statement: {statement}
    confidence: moderate
    rests_on: [widget-launch]
{likelihood}"""


def check_judgment(project, statement, likelihood=None, rests_on=None):
    text = JUDGMENT.format(statement=statement, likelihood=f"    likelihood: {likelihood}\n" if likelihood else "")
    if rests_on is not None:
        text = text.replace("rests_on: [widget-launch]", f"rests_on: {rests_on}")
    write(project / "content" / "extra.yaml", text)
    return run_cli("check", cwd=project)


def test_likelihood_word_from_another_row_is_rejected(minimal):
    r = check_judgment(minimal, "Sales will very likely grow, and rivals are almost certain to respond.", "very likely")
    assert r.code == 1
    assert ("content/extra.yaml:3:16: error: judgment 'extra-judgment' mixes likelihood rows: 'almost certain' (95-99%) "
            "is not in the row of 'very likely' (80-95%)") in r.stderr.splitlines()


def test_alternative_term_of_the_same_row_is_accepted(minimal):
    r = check_judgment(minimal, "Sales will very likely grow; a fall is highly improbable.", "very likely")
    assert r.code == 1
    assert ("content/extra.yaml:3:16: error: judgment 'extra-judgment' mixes likelihood rows: 'highly improbable' "
            "(5-20%) is not in the row of 'very likely' (80-95%)") in r.stderr.splitlines()
    r = check_judgment(minimal, "Sales will very likely grow, as is highly probable for new widgets.", "very likely")
    assert r.code == 0, r.stderr


def test_likelihood_and_confidence_in_one_sentence_is_rejected(minimal):
    r = check_judgment(minimal, "We assess with high confidence that sales will likely grow.", "likely")
    assert r.code == 1
    assert ("content/extra.yaml:3:16: error: judgment 'extra-judgment' states likelihood and confidence in the same "
            "sentence; put confidence in the 'confidence' field") in r.stderr.splitlines()


def test_likelihood_set_but_not_used(minimal):
    r = check_judgment(minimal, "Sales will grow.", "likely")
    assert "content/extra.yaml:3:16: error: judgment 'extra-judgment' sets likelihood 'likely' but its statement does not use it" \
        in r.stderr.splitlines()


def test_unsourced_judgment_is_rejected(minimal):
    r = check_judgment(minimal, "Sales will likely grow.", "likely", rests_on="[]")
    assert r.code == 1
    assert "content/extra.yaml:5:15: error: judgment field 'rests_on': needs at least 1 item" in r.stderr.splitlines()


def test_number_typed_into_a_template_is_rejected(minimal):
    write(minimal / "templates" / "policymaker.html",
          '{% extends "base.html" %}\n{% block body %}\n<p class="x">Throughput is 120 units.</p>\n{% endblock %}\n')
    r = run_cli("check", cwd=minimal)
    assert r.code == 1
    assert ("templates/policymaker.html:3:28: error: number '120' typed into template text; numbers must come from "
            "facts' quantities or the brief's data") in r.stderr.splitlines()


def test_number_typed_into_a_chart_definition_is_rejected(minimal):
    write(minimal / "content" / "extra.yaml", "charts:\n  - id: typed\n    kind: bar\n    title: Typed\n"
          "    facts: [widget-speed, rival-speed]\n    values: [120, 90]\n")
    r = run_cli("check", cwd=minimal)
    assert r.code == 1
    assert ("content/extra.yaml:6:5: error: unknown field 'values' in chart: charts take numbers only from facts' "
            "quantities; list the facts under 'facts'") in r.stderr.splitlines()


def test_stale_fact_warns_and_fails_under_strict(minimal):
    settings = minimal / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("review_days: 3650", "review_days: 30"), encoding="utf-8")
    env = {"SOURCE_DATE_EPOCH": "1780000000"}  # 2026-05-28: every fact is older than 30 days
    line = ("content/facts.yaml:7:12: warning: fact 'widget-speed' is stale: as of 2026-02-01, older than the review "
            "interval of 30 days")
    r = run_cli("check", cwd=minimal, env=env)
    assert r.code == 0 and line in r.stderr.splitlines()
    r = run_cli("check", "--strict", cwd=minimal, env=env)
    assert r.code == 1
    assert line.replace(": warning: ", ": error: ") in r.stderr.splitlines()


class _Changes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.items = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-change" in a:
            self.items.append((a["data-change"], a.get("data-change-fact") or a.get("data-change-caveat")))


@pytest.mark.slow
def test_release_then_edit_shows_exactly_that_change(minimal, tmp_path):
    r = run_cli("release", "sample", cwd=minimal)
    assert r.code == 0, r.stderr
    record = json.loads((minimal / "editions" / "sample" / "1.json").read_text(encoding="utf-8"))
    assert record["edition"] == 1 and "widget-speed" in record["facts"]
    assert run_cli("release", "sample", cwd=minimal).code == 2  # never overwrites a recorded edition

    brief = minimal / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("edition: 1", "edition: 2"), encoding="utf-8")
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("launched in January 2026", "launched on 10 January 2026"),
                     encoding="utf-8")
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", cwd=minimal)
    assert r.code == 0, r.stderr
    html = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    parser = _Changes()
    parser.feed(html)
    assert parser.items == [("changed", "widget-launch")]
    assert "What changed since edition 1" in html
    assert "The widget launched <del>in</del> <ins>on 10</ins> January 2026." in html  # the words that changed


def test_explain_lists_everything_that_uses_a_fact(minimal):
    r = run_cli("explain", "widget-speed", cwd=minimal)
    assert r.code == 0, r.stderr
    assert "speed-untested (critical): Speed not tested independently" in r.stdout
    assert "adoption: The widget will likely displace the rival within a year." in r.stdout
    assert "speed: Throughput" in r.stdout
    assert "sample (policymaker, edition 1)" in r.stdout
    assert "plain" not in r.stdout.split("briefs using it:")[1]
    r = run_cli("explain", "widget-sped", cwd=minimal)
    assert r.code == 2 and "did you mean 'widget-speed'" in r.stderr


def test_a_withdrawn_fact_now_above_the_brief_is_counted_not_quoted(minimal, tmp_path):
    assert run_cli("release", "plain", cwd=minimal).code == 0
    brief = minimal / "briefs" / "plain.yaml"
    text = brief.read_text(encoding="utf-8").replace("edition: 1", "edition: 2")
    brief.write_text(text.replace("facts: [widget-launch]\n    events: [launch, review]", "events: [review]"),
                     encoding="utf-8")
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "    status: confirmed\n", "    status: confirmed\n    marking: AMBER\n", 1), encoding="utf-8")
    sample = minimal / "briefs" / "sample.yaml"  # it shows the fact too, so it rises with it
    sample.write_text(sample.read_text(encoding="utf-8").replace("marking: CLEAR", "marking: AMBER"), encoding="utf-8")
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html",
                cwd=minimal)  # the page is what is read
    assert r.code == 0, r.stderr
    html = (tmp_path / "site" / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")
    parser = _Changes()
    parser.feed(html)
    assert parser.items == [("withdrawn-above-marking", None)]
    assert "1 item now marked above TLP:CLEAR, so not shown here." in html
    assert "widget launched in January" not in html and "widget-launch" not in html


def test_modal_hedges_warn_with_icd_terms_and_the_month_may_is_not_one(minimal):
    r = check_judgment(minimal, "The rival could leave the market before May 2027.")
    assert r.code == 0, r.stderr
    assert r.stderr.splitlines()[0] == (
        "content/extra.yaml:3:16: warning: judgment 'extra-judgment' says 'could', which states no likelihood; "
        "use an ICD 203 term (e.g. 'likely' or 'unlikely') or recast the sentence")
    assert "'May'" not in r.stderr and "'may'" not in r.stderr


def test_unknown_likelihood_suggests_terms_and_lists_the_scale_once(minimal):
    write(minimal / "content" / "extra.yaml", JUDGMENT.format(statement="Sales will grow.",
                                                              likelihood="    likelihood: probably\n"))
    r = run_cli("check", "--diagnostics", "pretty", cwd=minimal)
    assert r.code == 1
    assert r.stderr.splitlines()[0] == ("content/extra.yaml:6:17: error: judgment field 'likelihood': 'probably' is not "
                                        "an ICD 203 likelihood term; did you mean 'likely' or 'probable'?")
    assert r.stderr.splitlines()[3] == (
        "  hint: ICD 203 terms: almost no chance or remote (1-5%); very unlikely or highly improbable (5-20%); "
        "unlikely or improbable (20-45%); roughly even chance or roughly even odds (45-55%); likely or probable "
        "(55-80%); very likely or highly probable (80-95%); almost certain or nearly certain (95-99%)")
    assert r.stderr.count("nearly certain") == 1


@pytest.mark.parametrize("written, terms", [("probably not", "'unlikely' or 'improbable'"),
                                            ("almost certainly not", "'almost no chance' or 'remote'")])
def test_a_negated_hedge_suggests_the_row_it_means(minimal, written, terms):
    write(minimal / "content" / "extra.yaml", JUDGMENT.format(statement=f"Sales will {written} grow.",
                                                              likelihood=f"    likelihood: {written}\n"))
    r = run_cli("check", cwd=minimal)
    assert r.code == 1
    assert (f"content/extra.yaml:6:17: error: judgment field 'likelihood': '{written}' is not an ICD 203 likelihood "
            f"term; did you mean {terms}?") in r.stderr, r.stderr
    r = check_judgment(minimal, f"Sales will {written} grow.", "unlikely")  # the same words in a statement
    assert r.code == 1
    assert (f"content/extra.yaml:3:16: error: judgment 'extra-judgment' uses '{written}', which is not an ICD 203 "
            f"likelihood term; did you mean {terms}?") in r.stderr, r.stderr


def test_almost_certain_with_less_than_high_confidence_warns(minimal):
    r = check_judgment(minimal, "The widget will almost certain stay on sale.", "almost certain")
    assert r.code == 0, r.stderr
    assert ("content/extra.yaml:6:17: warning: judgment 'extra-judgment' is 'almost certain' (95-99%) with only "
            "moderate confidence; a likelihood that extreme needs high confidence: raise the confidence if the "
            "evidence allows, or use 'very likely'") in r.stderr.splitlines()
    text = (minimal / "content" / "extra.yaml").read_text(encoding="utf-8")
    write(minimal / "content" / "extra.yaml", text.replace("confidence: moderate", "confidence: high"))
    assert "warning" not in run_cli("check", cwd=minimal).stderr


class _JudgmentNumbers(HTMLParser):
    """The number printed beside each key judgment: an <ol>'s start, counted on per item."""

    def __init__(self):
        super().__init__()
        self.next = None
        self.numbers = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "ol" and "judgments" in a.get("class", ""):
            self.next = int(a.get("start", 1))
        elif tag == "li" and "data-judgment" in a:
            self.numbers[a["data-judgment"]] = self.next
            self.next += 1


TWO_JUDGMENT_SECTIONS = """
  - title: Outlook
    judgments: [outlook]
"""
OUTLOOK = """judgments:
  - id: outlook
    statement: The rival is unlikely to cut its price this year.
    likelihood: unlikely
    confidence: low
    rests_on: [rival-speed]
"""


def test_judgments_are_numbered_once_across_a_brief(minimal, tmp_path):
    write(minimal / "content" / "extra.yaml", OUTLOOK)
    brief = minimal / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + TWO_JUDGMENT_SECTIONS, encoding="utf-8")
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html",
                cwd=minimal)
    assert r.code == 0, r.stderr
    parser = _JudgmentNumbers()
    parser.feed((tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8"))
    assert parser.numbers == {"adoption": 1, "outlook": 2}
    assert "numbers 2 judgments" not in r.stderr


def test_a_template_numbering_judgments_per_section_is_warned(minimal, tmp_path):
    write(minimal / "content" / "extra.yaml", OUTLOOK)
    brief = minimal / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + TWO_JUDGMENT_SECTIONS, encoding="utf-8")
    write(minimal / "templates" / "policymaker.html", '{% extends "default:policymaker.html" %}\n{% block body %}'
          '{% for s in brief.sections %}<section><ol class="judgments">{% for j in s.judgments %}'
          '{{ m.judgment(j) }}{% endfor %}</ol>{% if s.facts %}{{ m.facts_list(s.facts) }}{% endif %}'
          '{% for c in s.charts %}{{ m.chart(c) }}{% endfor %}{% if s.events %}{{ m.events_table(s.events) }}{% endif %}'
          '</section>{% endfor %}{% endblock %}\n')
    args = ("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html")
    warning = ("briefs/sample.yaml:1:1: warning: brief 'sample': template 'policymaker.html' numbers 2 judgments 1 "
               "('adoption', 'outlook'); number key judgments once across the brief (start each list at its first "
               "judgment's number, j.n, as partials/macros.html does)")
    r = run_cli(*args, cwd=minimal)
    assert r.code == 0, r.stderr
    assert warning in r.stderr.splitlines()
    assert warning in run_cli(*args, cwd=minimal).stderr.splitlines()  # also when the page comes from the cache


def test_raising_the_edition_without_a_release_warns(minimal):
    brief = minimal / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("edition: 1", "edition: 2"), encoding="utf-8")
    r = run_cli("check", cwd=minimal)
    assert r.code == 0, r.stderr
    assert r.stderr.splitlines()[0] == (
        "briefs/sample.yaml:6:10: warning: brief 'sample' is edition 2, but edition 1 was never recorded, so it shows "
        "no 'what changed'; set edition back to 1, run `briefwright release sample`, then raise it")


@pytest.mark.slow
def test_a_fact_left_out_of_a_brief_is_not_called_withdrawn(minimal, tmp_path):
    """Withdrawn is for a fact the desk no longer holds; one merely left out of this brief still stands."""
    assert run_cli("release", "sample", cwd=minimal).code == 0
    brief = minimal / "briefs" / "sample.yaml"
    text = brief.read_text(encoding="utf-8").replace("edition: 1", "edition: 2")
    brief.write_text(text.replace("facts: [widget-launch, widget-speed]", "facts: [widget-speed]"), encoding="utf-8")
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html",
                cwd=minimal)
    assert r.code == 0, r.stderr
    html = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    parser = _Changes()
    parser.feed(html)
    assert parser.items == [("dropped", "widget-launch")]
    assert ('<li data-change="dropped" data-change-fact="widget-launch"><span class="lead">No longer in this brief '
            '(the fact stands):</span> The widget launched in January 2026.</li>') in html
    assert "Withdrawn:" not in html
    facts = minimal / "content" / "facts.yaml"  # now the desk withdraws the fact itself
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text[:text.index("  - id: widget-launch")], encoding="utf-8")
    other = minimal / "content" / "other.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("    facts: [widget-launch]\n", ""), encoding="utf-8")
    plain = minimal / "briefs" / "plain.yaml"
    plain.write_text(plain.read_text(encoding="utf-8").replace("    facts: [widget-launch]\n", ""), encoding="utf-8")
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html",
                cwd=minimal)
    assert r.code == 0, r.stderr
    parser = _Changes()
    parser.feed((tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8"))
    assert parser.items == [("withdrawn", "widget-launch")]
