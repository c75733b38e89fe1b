"""The build on the small sample project: integrity checks after rendering, page budgets,
atomic output, determinism and the cache."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import cli_command, run_cli, run_cli_subprocess, snapshot, subprocess_env


def build(project: Path, out: Path, *extra, cache: Path | None = None, run=run_cli):
    cache = cache or project.parent / "cache"
    return run("build", "--out", out, "--cache-dir", cache, *extra, cwd=project)


def built_ids(result) -> tuple[int, int]:
    m = re.search(r"built (\d+)(?: \([^)]*\))?, reused (\d+) briefs", result.stderr)
    assert m, result.stderr
    return int(m.group(1)), int(m.group(2))


def test_build_writes_html_pdf_and_charts(minimal, tmp_path):
    result = build(minimal, tmp_path / "site", "-j1")
    assert result.code == 0, result.stderr
    folder = tmp_path / "site" / "briefs" / "sample"
    assert (folder / "sample.pdf").read_bytes().startswith(b"%PDF")
    assert (folder / "speed.svg").exists()
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert 'data-caveat="speed-untested"' in html
    assert 'data-status-label="widget-speed"' in html
    assert 'data-unknown="widget-price"' in html
    # currency is derived: the newest cited source is dated to the month only, so it prints as written
    assert '<span class="currency" data-sources-to="2026-01">Sources to January 2026</span>' in html
    assert '<span class="currency" data-facts-checked="2026-02-01">Facts checked 1 February 2026</span>' in html
    assert "Information as of" not in html


def test_a_living_page_does_not_move_sources_to(minimal, tmp_path):
    """A reference page dated the day it was read would claim the record reaches that day: marked living, it
    is left out of 'Sources to'; dated as written, it counts."""
    sources = minimal / "content" / "sources.yaml"
    text = sources.read_text(encoding="utf-8").replace("    published: 2026-01\n", "    published: 2026-11-27\n")
    sources.write_text(text, encoding="utf-8")
    html = lambda out: (out / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert build(minimal, tmp_path / "a", "-j1", "--formats", "html").code == 0
    assert '<span class="currency" data-sources-to="2026-11-27">Sources to 27 November 2026</span>' in html(tmp_path / "a")
    sources.write_text(text.replace("    published: 2026-11-27\n", "    published: 2026-11-27\n    living: true\n"),
                       encoding="utf-8")
    assert build(minimal, tmp_path / "b", "-j1", "--formats", "html").code == 0
    assert '<span class="currency" data-sources-to="2026-01-10">Sources to 10 January 2026</span>' in html(tmp_path / "b")


def test_template_that_drops_a_caveat_fails_the_build(minimal, tmp_path):
    (minimal / "templates").mkdir()
    (minimal / "templates" / "policymaker.html").write_text(
        '{% extends "base.html" %}\n'
        "{% block body %}{% for s in brief.sections %}<section><h2>{{ s.title }}</h2><ul>\n"
        '{% for f in s.facts %}<li data-fact="{{ f.id }}">{{ m.status_label(f) }}{{ f.statement_html }}</li>{% endfor %}\n'
        "</ul></section>{% endfor %}{% endblock %}\n", encoding="utf-8")
    result = build(minimal, tmp_path / "site", "-j1")
    assert result.code == 1
    assert ("briefs/sample.yaml:1:1: error: brief 'sample' uses fact 'widget-speed' but template "
            "'policymaker.html' did not render its caveat 'speed-untested'") in result.stderr.splitlines()
    assert not (tmp_path / "site").exists()


def test_template_that_hides_a_claim_label_fails(minimal, tmp_path):
    (minimal / "templates").mkdir()
    (minimal / "templates" / "policymaker.html").write_text(
        '{% extends "base.html" %}\n'
        "{% block body %}{% for s in brief.sections %}<section><h2>{{ s.title }}</h2><ul>\n"
        '{% for f in s.facts %}<li data-fact="{{ f.id }}">{{ f.statement_html }}'
        "{% for c in f.caveats %}{{ m.caveat(c) }}{% endfor %}</li>{% endfor %}\n"
        "</ul></section>{% endfor %}{% endblock %}\n", encoding="utf-8")
    result = build(minimal, tmp_path / "site", "-j1")
    assert result.code == 1
    assert ("briefs/sample.yaml:1:1: error: brief 'sample': fact 'widget-speed' is not verified but template "
            "'policymaker.html' shows it without its status label") in result.stderr.splitlines()


def test_a_judgment_resting_on_an_estimate_the_brief_does_not_show_says_so_and_a_template_cannot_drop_it(minimal,
                                                                                                       tmp_path):
    """Issue 28: 'adoption' rests only on the rival's speed, now the desk's estimate, which the brief charts but never
    states: the judgment still says it rests partly on unverified claims, in the page and in Word; a template that
    prints the judgment without that label fails the build."""
    import docx
    other, facts = minimal / "content" / "other.yaml", minimal / "content" / "facts.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("rests_on: [widget-speed, rival-speed]",
                                                               "rests_on: [rival-speed]"), encoding="utf-8")
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "    sources: [trade-paper]\n    status: reported", "    sources: [trade-paper]\n    status: estimated"),
        encoding="utf-8")
    result = build(minimal, tmp_path / "site", "-j1", "--formats", "html,docx")
    assert result.code == 0, result.stderr
    html = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert 'data-fact="rival-speed"' not in html  # the brief never states the estimate it rests on
    assert '<span class="unverified" data-unverified="adoption">Rests partly on unverified claims.</span>' in html
    word = docx.Document(str(tmp_path / "site" / "briefs" / "sample" / "sample.docx"))
    assert any("Low confidence. Rests partly on unverified claims." in p.text for p in word.paragraphs)
    (minimal / "templates").mkdir()
    (minimal / "templates" / "policymaker.html").write_text(
        '{% extends "base.html" %}\n'
        "{% block body %}{% for s in brief.sections %}<section><h2>{{ s.title }}</h2><ol>\n"
        '{% for j in s.judgments %}<li data-judgment="{{ j.id }}">{{ j.statement }}</li>{% endfor %}</ol>\n'
        '<ul>{% for f in s.facts %}<li data-fact="{{ f.id }}">{{ m.status_label(f) }}{{ f.statement_html }}'
        "{% for c in f.caveats %}{{ m.caveat(c) }}{% endfor %}</li>{% endfor %}</ul>\n"
        "</section>{% endfor %}{% endblock %}\n", encoding="utf-8")
    result = build(minimal, tmp_path / "site2", "-j1", "--formats", "html")
    assert result.code == 1
    assert ("briefs/sample.yaml:1:1: error: brief 'sample': judgment 'adoption' rests partly on facts that are only "
            "claimed, disputed or estimated, but template 'policymaker.html' shows it without saying so (the 'Rests "
            "partly on unverified claims' label, data-unverified)") in result.stderr.splitlines(), result.stderr
    assert not (tmp_path / "site2").exists()


def test_undefined_template_variable_names_template_and_line(minimal, tmp_path):
    (minimal / "templates").mkdir()
    (minimal / "templates" / "policymaker.html").write_text(
        '{% extends "base.html" %}\n{% block body %}\n<p>{{ brief.no_such_field }}</p>\n{% endblock %}\n', encoding="utf-8")
    result = build(minimal, tmp_path / "site", "-j1")
    assert result.code == 1, result.stderr
    line = [ln for ln in result.stderr.splitlines() if "no_such_field" in ln]
    assert line and line[0].startswith("templates/policymaker.html:3:1: error: "), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_brief_over_its_page_limit_fails_and_keeps_previous_site(minimal, tmp_path):
    site = tmp_path / "site"
    assert build(minimal, site, "-j1").code == 0
    before = snapshot(site)
    text = (minimal / "briefs" / "sample.yaml").read_text(encoding="utf-8")
    (minimal / "briefs" / "sample.yaml").write_text(text.replace("page_limit: 2", "page_limit: 1"), encoding="utf-8")
    result = build(minimal, site, "-j1")
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        "briefs/sample.yaml:7:13: error: brief 'sample' has 2 pages; its page_limit is 1; section 'What we don’t "
        "know' runs from page 1 onto page 2, and 'How to read the judgments' starts after page 1; the PDF is kept at "
        "../cache/overflow/sample.pdf; the engine added the ICD 203 legend 0.08 page, open questions on its facts (1) "
        "0.08 page; to give room back, set `likelihood_legend: line` (a one-line ICD 203 legend) in the brief, or for "
        "every brief of audience 'policymaker' under audiences in project.yaml")
    assert snapshot(site) == before


@pytest.mark.slow
def test_two_builds_in_two_processes_are_byte_identical(minimal, tmp_path):
    a = build(minimal, tmp_path / "a", "-j2", cache=tmp_path / "cache-a")  # workers forked from this process
    # A separate process (its own hash seed, fresh module state) must write the same bytes.
    b = build(minimal, tmp_path / "b", "-j1", cache=tmp_path / "cache-b", run=run_cli_subprocess)
    assert a.code == 0 and b.code == 0, a.stderr + b.stderr
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


@pytest.mark.slow
def test_cache_rebuilds_exactly_the_briefs_that_use_an_edited_fact(minimal, tmp_path):
    site = tmp_path / "site"
    assert built_ids(build(minimal, site, "-j1")) == (2, 0)
    assert built_ids(build(minimal, site, "-j1")) == (0, 2)
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("runs at **120 units**", "runs at **about 120 units**"),
                     encoding="utf-8")
    result = build(minimal, site, "-j1")
    assert built_ids(result) == (1, 1) and "built 1 (sample), reused 1" in result.stderr
    assert "about 120 units" in (site / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert "about" not in (site / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_editing_a_template_rebuilds_the_briefs_using_it(minimal, tmp_path):
    site = tmp_path / "site"
    assert build(minimal, site, "-j1").code == 0
    (minimal / "templates").mkdir()
    (minimal / "templates" / "public.html").write_text(
        '{% extends "base.html" %}{% block body %}<p class="desk">Checked facts</p>{{ super() }}{% endblock %}\n', encoding="utf-8")
    result = build(minimal, site, "-j1")
    assert built_ids(result) == (1, 1)
    assert "Checked facts" in (site / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_corrupt_cache_is_discarded_with_a_warning(minimal, tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    assert build(minimal, site, "-j1", cache=cache).code == 0
    good = snapshot(site)
    for pdf in cache.rglob("*.pdf"):
        pdf.write_bytes(b"garbage")
    for manifest in list(cache.rglob("manifest.json"))[:1]:
        manifest.write_text("{not json", encoding="utf-8")
    result = build(minimal, site, "-j1", cache=cache)
    assert result.code == 0, result.stderr
    assert "is unreadable" in result.stderr
    assert snapshot(site) == good


@pytest.mark.slow
def test_force_ignores_the_cache(minimal, tmp_path):
    site = tmp_path / "site"
    build(minimal, site, "-j1")
    assert built_ids(build(minimal, site, "-j1", "--force")) == (2, 0)


@pytest.mark.slow
def test_restricted_briefs_are_left_out_unless_asked(minimal, tmp_path):
    brief = minimal / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("marking: CLEAR", "marking: AMBER"), encoding="utf-8")
    result = build(minimal, tmp_path / "site", "-j1")
    assert result.code == 0
    assert "left out: plain (TLP:AMBER) is above this channel (TLP:CLEAR); pass --max-marking AMBER" in result.stderr
    assert not (tmp_path / "site" / "briefs" / "plain").exists()
    result = build(minimal, tmp_path / "site2", "-j1", "--include-restricted")
    assert (tmp_path / "site2" / "briefs" / "plain" / "plain.pdf").exists()


@pytest.mark.slow
def test_green_brief_never_reaches_the_public_channel(minimal, tmp_path):
    """TLP 2.0: TLP:GREEN may not go to publicly accessible channels; the default build is the public site."""
    brief = minimal / "briefs" / "plain.yaml"
    text = brief.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", text, re.M).group(1).strip().strip('"')
    brief.write_text(text.replace("marking: CLEAR", "marking: GREEN"), encoding="utf-8")
    public = tmp_path / "public"
    result = build(minimal, public, "-j1")
    assert result.code == 0, result.stderr
    assert "left out: plain (TLP:GREEN) is above this channel (TLP:CLEAR)" in result.stderr
    assert not (public / "briefs" / "plain").exists()
    for name, data in snapshot(public).items():
        assert b"briefs/plain/" not in data and title.encode() not in data, f"{name} names the GREEN brief"
    community = tmp_path / "community"
    result = build(minimal, community, "-j1", "--max-marking", "GREEN")
    assert result.code == 0, result.stderr
    assert (community / "briefs" / "plain" / "plain.pdf").exists()
    assert "includes restricted briefs: plain (TLP:GREEN)" in result.stderr
    result = build(minimal, tmp_path / "bad", "--max-marking", "PURPLE")
    assert result.code == 2 and "'PURPLE' is not a TLP 2.0 label" in result.stderr


def test_refuses_to_replace_a_folder_it_did_not_build(minimal, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me", encoding="utf-8")
    result = build(minimal, precious, "-j1")
    assert result.code == 2
    assert (precious / "notes.txt").read_text(encoding="utf-8") == "keep me"
    result = build(minimal, minimal / "content" / "out", "-j1")
    assert result.code == 2 and "inside content/" in result.stderr


@pytest.mark.slow
def test_killed_build_leaves_previous_site_untouched(minimal, tmp_path):
    site = tmp_path / "site"
    assert build(minimal, site, "-j1").code == 0
    before = snapshot(site)
    facts = minimal / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("launched in", "went on sale in"), encoding="utf-8")
    proc = subprocess.Popen(cli_command("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j1", "--force"),
                            cwd=minimal, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline and not list(tmp_path.glob(".site.tmp-*/briefs")):
        time.sleep(0.01)
    assert list(tmp_path.glob(".site.tmp-*")), "the build never started writing its temporary folder"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert snapshot(site) == before
    assert build(minimal, site, "-j1").code == 0
    assert not list(tmp_path.glob(".site.tmp-*")), "a later build cleans up the killed build's folder"
    assert "went on sale" in (site / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")


def test_check_reports_ok(minimal):
    result = run_cli("check", cwd=minimal)
    assert result.code == 0
    assert "ok: 2 briefs, 3 facts, 2 sources checked" in result.stderr


def test_unknown_only_id_is_a_usage_error(minimal, tmp_path):
    result = build(minimal, tmp_path / "site", "--only", "nope")
    assert result.code == 2
    assert "no brief with id 'nope'" in result.stderr


@pytest.mark.slow
def test_pdf_layout_refuses_files_outside_the_build_and_the_network(minimal, tmp_path):
    (minimal / "templates").mkdir()
    for n, src in enumerate(["file:///etc/passwd", "http://127.0.0.1:9/x.png"]):
        (minimal / "templates" / "policymaker.html").write_text(
            '{% extends "base.html" %}\n{% block body %}<img src="' + src + '" alt="x">{{ super() }}{% endblock %}\n',
            encoding="utf-8")
        result = build(minimal, tmp_path / f"site{n}", "-j1", "--force")
        assert result.code == 1, result.stderr
        expected = ("refused to read /etc/passwd: it is outside the project's asset folders or missing" if n == 0 else
                    "refused to fetch http://127.0.0.1:9/x.png: only files inside the project are read")
        assert f"briefs/sample.yaml:1:1: error: brief 'sample': {expected}" in result.stderr.splitlines(), result.stderr
        assert not (tmp_path / f"site{n}").exists()


def test_including_restricted_briefs_warns_not_to_publish(minimal, tmp_path):
    brief = minimal / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("marking: CLEAR", "marking: RED"), encoding="utf-8")
    result = build(minimal, tmp_path / "site", "-j1", "--include-restricted", "--formats", "html")  # the warning is read
    assert result.code == 0
    assert (f"warning: {tmp_path / 'site'} includes restricted briefs: plain (TLP:RED); do not publish this folder"
            in result.stderr.splitlines())


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_only_updates_the_named_brief_and_keeps_the_others(minimal, tmp_path):
    site = tmp_path / "site"
    assert build(minimal, site, "-j1").code == 0
    sample_before = snapshot(site / "briefs" / "sample")
    _edit(minimal / "briefs" / "plain.yaml", "A new widget is on sale.", "A new widget is on sale now.")
    result = build(minimal, site, "-j1", "--only", "plain")
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "built 1 (plain), reused 0 briefs, kept 1 as they were (3 pages) into ")
    assert snapshot(site / "briefs" / "sample") == sample_before  # byte for byte as it was
    assert "A new widget is on sale now." in (site / "briefs" / "plain" / "index.html").read_text(encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="briefs/sample/index.html"' in index and 'href="briefs/plain/index.html"' in index
    assert "sample.pdf" in index  # the kept brief's downloads are still offered
    assert "<title>The widget, briefly (edition 1)</title>" in (site / "feed.xml").read_text(encoding="utf-8")


def test_only_warns_about_a_kept_brief_that_changed_since(minimal, tmp_path):
    site = tmp_path / "site"
    assert build(minimal, site, "-j1", "--formats", "html").code == 0
    before = (site / "briefs" / "sample" / "index.html").read_bytes()
    _edit(minimal / "briefs" / "sample.yaml", "The widget is new", "The widget is brand new")
    result = build(minimal, site, "-j1", "--formats", "html", "--only", "plain")
    assert result.code == 0, result.stderr
    assert ("warning: kept sample as last built, but its content has changed since; rebuild it with --only sample "
            "(or build every brief)") in result.stderr.splitlines()
    assert (site / "briefs" / "sample" / "index.html").read_bytes() == before


def test_only_refuses_to_keep_a_brief_that_would_now_leak(minimal, tmp_path):
    """A kept page built before a fact was re-marked AMBER must not stay on a CLEAR site."""
    site = tmp_path / "site"
    assert build(minimal, site, "-j1", "--formats", "html").code == 0
    before = snapshot(site)
    _edit(minimal / "content" / "facts.yaml", "    status: confirmed\n", "    status: confirmed\n    marking: AMBER\n")
    _edit(minimal / "briefs" / "plain.yaml", "    facts: [widget-launch]\n", "")
    _edit(minimal / "briefs" / "sample.yaml", "facts: [widget-launch, widget-speed]", "facts: [widget-speed]")
    result = build(minimal, site, "-j1", "--formats", "html", "--only", "plain")
    assert result.code == 2
    assert result.stderr.startswith(f"briefwright: error: brief 'sample' in {site} was built from content that has "
                                    "changed since and now shows material above this channel (fact 'widget-launch' "
                                    "(TLP:AMBER) is above this channel: its id appears); rebuild it too "
                                    "(--only sample) or build every brief")
    assert snapshot(site) == before


def test_only_drops_a_brief_now_above_the_channel_and_never_mixes_channels(minimal, tmp_path):
    site = tmp_path / "site"
    assert build(minimal, site, "-j1", "--formats", "html").code == 0
    _edit(minimal / "briefs" / "sample.yaml", "marking: CLEAR", "marking: AMBER")
    result = build(minimal, site, "-j1", "--formats", "html", "--only", "plain")
    assert result.code == 0, result.stderr
    assert f"dropped sample from {site}: it is now marked above this channel (TLP:AMBER)" in result.stderr.splitlines()
    assert not (site / "briefs" / "sample").exists()
    assert "sample" not in (site / "index.html").read_text(encoding="utf-8")
    before = snapshot(site)
    result = build(minimal, site, "-j1", "--formats", "html", "--only", "sample", "--max-marking", "AMBER")
    assert result.code == 2
    assert result.stderr == (f"briefwright: error: {site} was built for TLP:CLEAR; a partial build for TLP:AMBER "
                             "would mix channels: pass --max-marking CLEAR, or build every brief without --only\n")
    (site / ".briefwright-site.json").unlink()  # as a site built before partial builds kept their record
    result = build(minimal, site, "-j1", "--formats", "html", "--only", "plain")
    assert result.code == 2
    assert result.stderr == (f"briefwright: error: {site} has no readable record of its briefs "
                             "(.briefwright-site.json), so --only cannot keep them; build every brief once without "
                             "--only\n")
    assert snapshot(site) == {k: v for k, v in before.items() if k != ".briefwright-site.json"}


LONG_BOTTOM_LINE = " ".join(["The widget went on sale in January and sold out within days."] * 90)


@pytest.mark.slow
def test_an_overflowing_pdf_is_kept_and_the_crossing_section_named(minimal, tmp_path):
    brief = minimal / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "  - title: What happened\n", f"  - title: What happened\n    intro: {LONG_BOTTOM_LINE}\n")
        .replace("page_limit: 2", "page_limit: 1"), encoding="utf-8")
    cache = tmp_path / "cache"
    result = build(minimal, tmp_path / "site", "-j1", cache=cache)
    assert result.code == 1
    kept = cache / "overflow" / "plain.pdf"
    message = [line for line in result.stderr.splitlines() if line.startswith("briefs/plain.yaml")][0]
    assert re.fullmatch(r"briefs/plain\.yaml:7:13: error: brief 'plain' has (\d) pages; its page_limit is 1; "
                        r"section 'What happened' runs from page 1 onto page 2(, and .* after page 1)?; "
                        r"the PDF is kept at " + re.escape(os.path.relpath(kept, minimal))
                        + r"; the engine added open questions on its facts \(1\) 0\.\d\d page", message), message
    assert kept.read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "site").exists()
    # check --layout finds it before any build, and says so the same way; within the limit it lists the pages.
    result = run_cli("check", "--layout", "-j1", cwd=minimal)
    assert result.code == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("briefs/plain.yaml")] == [
        message.replace(os.path.relpath(kept, minimal), ".briefwright-cache/overflow/plain.pdf")]
    brief.write_text(brief.read_text(encoding="utf-8").replace("page_limit: 1", "page_limit: 9"), encoding="utf-8")
    result = run_cli("check", "--layout", "-j1", cwd=minimal)
    assert result.code == 0, result.stderr
    assert re.fullmatch(r"ok: 2 briefs laid out within their page limits \(plain \d pages( \(Word \d\))?, "
                        r"sample 2 pages( \(Word \d\))?\)",
                        result.stderr.splitlines()[-1]), result.stderr
