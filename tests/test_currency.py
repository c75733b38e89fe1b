"""Currency (issue 28): a brief dated well after its newest cited source prints the gap beside its date, in its own
language; `check` warns, `check --strict` and `release` refuse at the brief's date line unless a printed
currency_note says why; "Facts checked" counts only facts whose sources record the day they were read again."""
from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import FIXTURES, copy_project, line_of, run_cli

OLD = "date: 2026-02-02"  # the sample brief's date: its newest cited source is dated January 2026
LATE = "date: 2026-11-29"
NOTE = ("currency_note: The desk has not looked for evidence newer than January 2026; the next edition will.\n")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def page(site: Path, brief: str = "sample", lang: str | None = None) -> str:
    folder = site / "briefs" / brief / (lang or "")
    return (folder / "index.html").read_text(encoding="utf-8")


def build_html(project: Path, out: Path):
    return run_cli("build", "--out", out, "--cache-dir", out.parent / f"{out.name}-cache", "-j1", "--formats", "html",
                   cwd=project)


def in_git(project: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       capture_output=True, text=True, check=True)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "content")


def test_an_old_evidence_brief_is_refused_by_strict_check_and_release_at_its_date_line(minimal, tmp_path):
    brief = minimal / "briefs" / "sample.yaml"
    edit(brief, OLD, LATE)
    where = f"briefs/sample.yaml:{line_of(brief, LATE)}:7:"
    said = ("brief 'sample' is dated 2026-11-29, 302 days after its newest cited source ('trade-paper', published "
            "2026-01), more than currency_days in project.yaml (90)")

    checked = run_cli("check", "--diagnostics", "text", cwd=minimal)
    assert checked.code == 0, checked.stderr  # a warning: the brief is still right about what it says
    assert f"{where} warning: {said}" in checked.stderr, checked.stderr

    strict = run_cli("check", "--strict", "--diagnostics", "text", cwd=minimal)
    assert strict.code == 1 and f"{where} error: {said}" in strict.stderr, strict.stderr

    in_git(minimal)
    released = run_cli("release", "sample", "--formats", "html", "--diagnostics", "text", cwd=minimal)
    assert released.code == 1, released.stderr
    assert f"{where} error: {said}" in released.stderr and "Aborted with 1 error." in released.stderr
    assert "Traceback" not in released.stderr
    assert not (minimal / "editions").exists(), "a refused release recorded nothing"

    # Saying why, in a note the brief prints, lets it through.
    edit(brief, "bottom_line:", NOTE + "bottom_line:")
    assert run_cli("check", "--strict", cwd=minimal).code == 0
    subprocess.run(["git", "-C", str(minimal), "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam",
                    "note"], check=True, capture_output=True)
    released = run_cli("release", "sample", "--formats", "html", cwd=minimal)
    assert released.code == 0, released.stderr
    assert (minimal / "editions" / "sample" / "1.json").is_file()
    # The note is printed content: a released edition must go on printing it as it was.
    edit(brief, "the next edition will.", "a later edition will.")
    changed = run_cli("check", "--diagnostics", "text", cwd=minimal)
    assert changed.code == 1 and "what it prints has changed since: currency note" in changed.stderr, changed.stderr


def test_the_gap_and_the_note_print_beside_the_date_line_in_html_and_word(minimal, tmp_path):
    import docx
    brief = minimal / "briefs" / "sample.yaml"
    edit(brief, OLD, LATE)
    edit(brief, "bottom_line:", NOTE + "bottom_line:")
    out = tmp_path / "site"
    result = run_cli("build", "--out", out, "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html,docx",
                     cwd=minimal)
    assert result.code == 0, result.stderr
    html = page(out)
    assert ('<span class="currency currency-gap" data-sources-to="2026-01" data-currency-gap="302">Evidence to January '
            '2026; not surveyed since</span>') in html
    assert "Sources to January 2026" not in html  # the gap replaces it: one statement of where the evidence ends
    meta = html.index('<p class="meta">')
    note = html.index('<div class="currency-note" data-currency-note="sample"><p>The desk has not looked')
    assert meta < note < html.index('class="bottom-line"')
    word = docx.Document(str(out / "briefs" / "sample" / "sample.docx"))
    texts = [p.text for p in word.paragraphs]
    line = next(t for t in texts if t.startswith("29 November 2026 · Edition 1"))
    assert "Evidence to January 2026; not surveyed since" in line
    assert texts[texts.index(line) + 1].startswith("The desk has not looked for evidence newer than January 2026")


def test_currency_days_is_the_projects_and_a_brief_may_set_its_own(minimal, tmp_path):
    brief = minimal / "briefs" / "sample.yaml"
    edit(brief, OLD, "date: 2026-05-15")  # 104 days after 31 January 2026, the last day 'January 2026' may mean
    assert run_cli("check", "--strict", cwd=minimal).code == 1
    edit(minimal / "project.yaml", "review_days: 3650", "review_days: 3650\ncurrency_days: 120")
    assert run_cli("check", "--strict", cwd=minimal).code == 0
    assert build_html(minimal, tmp_path / "a").code == 0
    assert "data-currency-gap" not in page(tmp_path / "a")
    edit(brief, "edition: 1", "edition: 1\ncurrency_days: 30")
    strict = run_cli("check", "--strict", "--diagnostics", "text", cwd=minimal)
    assert strict.code == 1 and "more than this brief's currency_days (30)" in strict.stderr, strict.stderr


def test_a_note_with_no_gap_to_explain_is_not_printed_and_check_says_so(minimal, tmp_path):
    brief = minimal / "briefs" / "sample.yaml"
    edit(brief, "bottom_line:", NOTE + "bottom_line:")
    checked = run_cli("check", "--diagnostics", "text", cwd=minimal)
    assert checked.code == 0
    assert (f"briefs/sample.yaml:{line_of(brief, 'currency_note:')}:16: warning: brief 'sample': its currency_note is "
            "not printed") in checked.stderr, checked.stderr
    assert build_html(minimal, tmp_path / "site").code == 0
    assert "currency-note" not in page(tmp_path / "site")


def test_bad_currency_settings_are_located_errors(minimal):
    edit(minimal / "project.yaml", "review_days: 3650", "review_days: 3650\ncurrency_days: 0")
    edit(minimal / "briefs" / "sample.yaml", "edition: 1", "edition: 1\ncurrency_days: soon\ncurrency_note: ''")
    checked = run_cli("check", "--diagnostics", "text", cwd=minimal)
    assert checked.code == 1 and "Traceback" not in checked.stderr
    assert "project.yaml:5:16: error: settings field 'currency_days': must be at least 1, found 0" in checked.stderr
    assert ("briefs/sample.yaml:7:16: error: brief field 'currency_days': expected a whole number, found 'soon'"
            in checked.stderr), checked.stderr
    assert "briefs/sample.yaml:8:16: error: brief field 'currency_note': must not be empty" in checked.stderr


def test_facts_checked_counts_only_facts_whose_sources_were_read_again(minimal, tmp_path):
    sources = minimal / "content" / "sources.yaml"
    facts = minimal / "content" / "facts.yaml"
    # A typed as_of no longer moves the claim: only the days the sources were read do.
    text = facts.read_text(encoding="utf-8").replace("as_of: 2026-02-01", "as_of: 2026-02-02")
    facts.write_text(text, encoding="utf-8")
    edit(sources, "    retrieved: 2026-02-01\n    kind: press", "    retrieved: 2026-01-25\n    kind: press")
    assert build_html(minimal, tmp_path / "a").code == 0
    # every fact the brief relies on cites a source last read on 25 January at the latest, or on 1 February
    assert ('<span class="currency" data-facts-checked="2026-01-25">Facts checked 25 January 2026</span>'
            in page(tmp_path / "a"))
    # a source of a kind read once (a book, no reading date) leaves its facts out of the count
    edit(sources, "  - id: trade-paper\n    title: Widget reviewed\n    publisher: Trade Paper\n"
                  "    url: https://example.org/review\n    published: 2026-01\n    retrieved: 2026-01-25\n    kind: press",
         "  - id: trade-paper\n    title: Widget reviewed\n    publisher: Trade Paper\n    author: A. Writer\n"
         "    published: 2026-01\n    kind: book")
    assert build_html(minimal, tmp_path / "b").code == 0
    html = page(tmp_path / "b")
    assert '<span class="currency" data-facts-checked="2026-02-01">1 of 3 facts checked 1 February 2026</span>' in html


def test_the_gap_prints_in_each_editions_own_language(tmp_path):
    project = copy_project(FIXTURES / "translated", tmp_path / "project")
    edit(project / "briefs" / "sample.yaml", OLD, LATE)
    edit(project / "briefs" / "sample.yaml", "bottom_line:", NOTE + "bottom_line:")
    for lang, text in (("zh-Hans", "我们未查找 2026年1月以后的证据；下一版将补充。"),
                       ("fr", "Nous n’avons pas cherché d’éléments postérieurs à janvier 2026 ; la prochaine édition le fera.")):
        path = project / "translations" / f"{lang}.yaml"
        from briefwright.resolve.translations import fingerprint
        english = NOTE.split(": ", 1)[1].strip()
        path.write_text(path.read_text(encoding="utf-8") + f"  brief/sample/currency_note:\n    english: \"{english}\"\n"
                        f"    from: \"{fingerprint(english)}\"\n    text: \"{text}\"\n", encoding="utf-8")
    assert run_cli("check", "--strict", cwd=project).code == 0
    assert build_html(project, tmp_path / "site").code == 0
    zh = page(tmp_path / "site", lang="zh-Hans")
    assert '>证据截至 2026年1月；此后未再梳理</span>' in zh and "我们未查找 2026年1月以后的证据" in zh
    fr = page(tmp_path / "site", lang="fr")
    assert ">Sources\u00a0: janvier 2026\u00a0; sans veille depuis</span>" in fr, fr[fr.index('class="meta"'):][:400]
    assert "Nous n’avons pas cherché d’éléments postérieurs" in fr
