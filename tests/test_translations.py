"""Translated editions (issue 17): the fixture project `translated` builds its sample brief in English,
Simplified Chinese and French from translations/<lang>.yaml; stale and missing translations are caught, located,
and either stop the build or print in English with a visible mark in HTML, PDF and Word."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURES, REPO, copy_project, line_of, run_cli

from briefwright.core import i18n
from briefwright.core.model import Likelihood
from briefwright.resolve.translations import fingerprint, mark_pending

ZH = "zh-Hans"
FIXTURE = FIXTURES / "translated"


def build(project: Path, *extra: str):
    return run_cli("build", "--project", project, "--out", project / "site", "--cache-dir", project / ".cache",
                   "-j", "1", *extra, cwd=project)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = copy_project(FIXTURE, tmp_path_factory.mktemp("translated") / "project")
    result = build(project)
    assert result.code == 0, result.stderr
    return project / "site"


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(FIXTURE, tmp_path / "project")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- the contract --------------------------------------------------------------------------------------------

def test_fingerprint_is_the_contracts():
    text = "The widget runs at **120 units**\n   per hour, its maker says. "
    expected = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]
    assert fingerprint(text) == expected == fingerprint("The widget runs at **120 units** per hour, its maker says.")
    entries = yaml.safe_load((FIXTURE / "translations" / f"{ZH}.yaml").read_text(encoding="utf-8"))["entries"]
    for entry in entries.values():
        assert entry["from"] == fingerprint(entry["english"])


# -- the editions --------------------------------------------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.alternates: dict[str, str] = {}
        self.switch: list[tuple[str, str | None]] = []
        self.in_switch = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[a["hreflang"]] = a["href"]
        if tag == "nav" and "language-switch" in (a.get("class") or ""):
            self.in_switch = True
        if self.in_switch and tag in ("a", "span") and a.get("lang"):
            self.switch.append((a["lang"], a.get("href")))

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_switch = False


def page(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_each_language_has_its_page_pdf_and_word_file_at_stable_addresses(built):
    folder = built / "briefs" / "sample"
    for name in ("index.html", "sample.pdf", "sample.docx"):
        assert (folder / name).is_file()  # English stays where it was
    for lang in (ZH, "fr"):
        for name in ("index.html", f"sample.{lang}.pdf", f"sample.{lang}.docx"):
            assert (folder / lang / name).is_file(), f"{lang}/{name}"
    assert not (built / "briefs" / "plain" / ZH).exists()  # a brief that lists no languages has one edition


def test_lang_and_hreflang_on_every_edition(built):
    folder = built / "briefs" / "sample"
    pages = {"en": page(folder / "index.html"), ZH: page(folder / ZH / "index.html"), "fr": page(folder / "fr" / "index.html")}
    for lang, parsed in pages.items():
        assert parsed.html_lang == lang
        assert set(parsed.alternates) == {"en", ZH, "fr"}
        assert [lang_ for lang_, _ in parsed.switch] == ["en", ZH, "fr"]
        assert dict(parsed.switch)[lang] is None  # the page's own language is shown, not linked
    assert pages[ZH].alternates["en"] == "../index.html" and pages["en"].alternates["fr"] == "fr/index.html"
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="briefs/sample/zh-Hans/index.html" hreflang="zh-Hans" lang="zh-Hans"' in home
    downloads = (folder / ZH / "index.html").read_text(encoding="utf-8")
    assert 'href="sample.zh-Hans.pdf"' in downloads and "下载 PDF" in downloads


def test_pdf_and_word_carry_the_language(built):
    from pypdf import PdfReader
    folder = built / "briefs" / "sample" / ZH
    assert str(PdfReader(folder / f"sample.{ZH}.pdf").trailer["/Root"]["/Lang"]) == ZH
    with zipfile.ZipFile(folder / f"sample.{ZH}.docx") as docx:
        core = docx.read("docProps/core.xml").decode()
        styles = docx.read("word/styles.xml").decode()
    assert f"<dc:language>{ZH}</dc:language>" in core
    assert f'w:val="{ZH}" w:eastAsia="{ZH}"' in styles


def test_engine_words_come_from_the_catalogue(built):
    zh = (built / "briefs" / "sample" / ZH / "index.html").read_text(encoding="utf-8")
    for words in ("核心结论", "第 1 版", "事实核查于 2026年2月1日", "2026年2月2日", "当事方自称，未经核实", "关键警示",
                  "可能性：较有可能（55-80%）", "低置信度", "为何重要：", "尚不清楚的问题", "如何解读判断", "公告"):
        assert words in zh, words
    assert "TLP:CLEAR" in zh and "Bottom line" not in zh and "Claimed by the subject" not in zh
    assert "\\007b2c " in zh  # 'Page X of Y' ("第 X 页") as the running footer's CSS content
    fr = (built / "briefs" / "sample" / "fr" / "index.html").read_text(encoding="utf-8")
    for words in ("L’essentiel", "Édition 1", "2 février 2026", "Affirmé par l’intéressé, non vérifié",
                  "Probabilité\u00a0: probable (55-80%)", "Réserve critique"):
        assert words in fr, words
    text = pdf_text(built / "briefs" / "sample" / ZH / f"sample.{ZH}.pdf")
    assert "第 2 页，共 2 页" in text  # the first page carries no page number
    with zipfile.ZipFile(built / "briefs" / "sample" / ZH / f"sample.{ZH}.docx") as docx:
        body = docx.read("word/document.xml").decode()
    assert "核心结论" in body and "可能性：较有可能（55-80%）" in body


def test_the_likelihood_table_keeps_every_row_in_every_language():
    english_rows = [row for row in dict.fromkeys(t.row for t in Likelihood)]
    for lang in (ZH, "fr"):
        assert i18n.likelihood_table_problems(lang) == []
        scale = i18n.likelihood_scale(lang)
        assert [r["range"] for r in scale] == english_rows and len(scale) == 7
    assert all(re.search("[\u4e00-\u9fff]", i18n.likelihood_term(t.value, ZH)) for t in Likelihood)
    assert i18n.likelihood_term("very likely", "fr") == "très probable"


def test_every_engine_word_has_an_entry_in_each_catalogue():
    used = set()
    for path in (REPO / "templates").rglob("*.html"):
        used |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")))
    for path in (REPO / "briefwright").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= {m.encode().decode("unicode_escape") if "\\u" in m else m
                 for m in re.findall(r'(?<![\w.])(?:_|gettext)\("((?:[^"\\]|\\.)*)"\)?', text) if "%" in m or m.strip()}
    used.discard("Confidence (high, moderate, low) rates the evidence and reasoning, and is stated apart ")
    for lang in (ZH, "fr"):
        table = i18n.messages(lang)
        missing = sorted(u for u in used if (None, u) not in table)
        assert missing == [], f"{lang} lacks {missing}"


# -- drift -----------------------------------------------------------------------------------------------

def test_a_changed_english_fact_is_stale_located_at_its_entry(project):
    edit(project / "content" / "facts.yaml", "The widget launched in January 2026.", "The widget launched on 5 January 2026.")
    entry_line = line_of(project / "translations" / f"{ZH}.yaml", "fact/widget-launch/statement:")
    checked = run_cli("check", "--project", project, "--diagnostics", "text", cwd=project)
    assert checked.code == 0, checked.stderr  # a warning: the English edition is still right
    stale = [line for line in checked.stderr.splitlines() if "stale zh-Hans translation" in line]
    assert stale and stale[0].startswith(f"translations/{ZH}.yaml:{entry_line}:")
    assert "fact 'widget-launch' field 'statement'" in stale[0]
    assert 'was: "The widget launched in January 2026."' in stale[0]
    assert 'now: "The widget launched on 5 January 2026."' in stale[0]
    strict = run_cli("check", "--strict", "--project", project, cwd=project)
    assert strict.code == 1
    result = build(project)
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if ": error:" in line]
    assert any("(zh-Hans)" in e and "widget-launch" in e for e in errors)
    assert any("(fr)" in e and "widget-launch" in e for e in errors)
    assert not (project / "site").exists()


def test_a_missing_translation_fails_the_build_at_the_english_field(project):
    edit(project / "translations" / "fr.yaml", 'text: "Personne en dehors du fabricant n’a mesuré la vitesse."', 'text: ""')
    result = build(project, "--diagnostics", "text")
    assert result.code == 1
    line = line_of(project / "content" / "other.yaml", "body: No one outside the maker")
    assert re.search(rf"content/other.yaml:{line}:\d+: error: brief 'sample' \(fr\): caveat 'speed-untested' field "
                     r"'body' has no fr translation", result.stderr), result.stderr


@pytest.mark.slow
def test_with_fallback_the_english_prints_marked_in_html_pdf_and_word(project):
    edit(project / "project.yaml", "review_days: 3650", "review_days: 3650\ntranslation_fallback: true")
    edit(project / "content" / "other.yaml", "title: Speed not tested independently", "title: Speed never tested independently")
    result = build(project)
    assert result.code == 0, result.stderr
    folder = project / "site" / "briefs" / "sample" / ZH
    html = (folder / "index.html").read_text(encoding="utf-8")
    mark = '<span class="translation-pending" lang="en"><span class="pending-mark" lang="zh-Hans">译文待更新</span> '
    assert html.count(mark + "Speed never tested independently</span>") == 1
    assert 'aria-label="警示：Speed never tested independently"' in html  # an attribute: no markup, no sentinel
    assert "\ue000" not in html and "\ue001" not in html
    assert "译文待更新：本版有 1 处内容" in html
    text = pdf_text(folder / f"sample.{ZH}.pdf")
    assert "译文待更新 Speed never tested independently" in " ".join(text.split())
    with zipfile.ZipFile(folder / f"sample.{ZH}.docx") as docx:
        body = docx.read("word/document.xml").decode()
    assert "\ue000" not in body
    runs = re.findall(r"<w:r>(.*?)</w:r>", body)
    marked = [r for r in runs if "译文待更新" in r]
    english = [r for r in runs if "Speed never tested independently" in r]
    assert marked and english
    assert all('w:lang w:val="zh-Hans"' in r for r in marked)
    assert all('w:lang w:val="en-US"' in r for r in english)
    fr = (project / "site" / "briefs" / "sample" / "fr" / "index.html").read_text(encoding="utf-8")
    assert '<span class="pending-mark" lang="fr">Traduction en attente</span> Speed never tested independently' in fr


def test_mark_pending_splits_at_blocks():
    html = "<body><div>\ue000<p>One <em>a</em></p>\n<p>Two</p>\ue001</div><a title=\"\ue000x\ue001\">y</a></body>"
    out = mark_pending(html, ZH, "M")
    assert out == ('<body><div><span class="translation-pending" lang="en"><span class="pending-mark" lang="zh-Hans">M</span> '
                   '</span><p><span class="translation-pending" lang="en">One <em>a</em></span></p>\n'
                   '<p><span class="translation-pending" lang="en">Two</span></p></div><a title="x">y</a></body>')


def test_a_caveat_missing_from_the_chinese_edition_fails_the_build(project):
    (project / "templates").mkdir()
    (project / "templates" / "policymaker.html").write_text(
        '{% extends "default:policymaker.html" %}\n'
        '{% block body %}{% if brief.translation %}<p>nothing</p>{% else %}{{ super() }}{% endif %}{% endblock %}\n',
        encoding="utf-8")
    result = build(project)
    assert result.code == 1
    assert "did not render its caveat 'speed-untested' (its zh-Hans edition)" in result.stderr
    assert "did not render its caveat 'speed-untested' (its fr edition)" in result.stderr
    assert "did not render its caveat 'speed-untested'\n" not in result.stderr  # the English edition is whole


def test_languages_are_checked_where_written(project):
    edit(project / "briefs" / "sample.yaml", "languages: [en, zh-Hans, fr]", "languages: [fr, en, de]")
    result = run_cli("check", "--project", project, "--diagnostics", "text", cwd=project)
    assert result.code == 1
    assert re.search(r"briefs/sample.yaml:\d+:\d+: error: brief 'sample': the first language is the source", result.stderr)
    assert "no engine words for language 'de'" in result.stderr


# -- the translations command -------------------------------------------------------------------------------

def test_translations_lists_needs_and_writes_a_starter_that_keeps_the_file(project):
    path = project / "translations" / "fr.yaml"
    edit(path, 'text: "Débit"', 'text: ""')
    edit(project / "content" / "other.yaml", "title: Widget reviewed", "title: Widget reviewed twice")
    before = path.read_text(encoding="utf-8")
    path.write_text(before.replace("  event/launch/title:\n", "  # the launch, as the maker called it\n  event/launch/title:\n"),
                    encoding="utf-8")
    listed = run_cli("translations", "--project", project, "--lang", "fr", cwd=project)
    assert listed.code == 0, listed.stderr
    assert "fr (Français): 89% translated (17 of 19 fields current; 1 stale, 1 missing)" in listed.stdout
    assert "stale    event/review/title" in listed.stdout and "now: Widget reviewed twice" in listed.stdout
    assert "missing  chart/speed/title" in listed.stdout
    removed = path.read_text(encoding="utf-8").replace('  chart/speed/title:\n    english: "Throughput"\n    from: "960bcc4e48b9"\n'
                                                      '    text: ""\n', "")
    path.write_text(removed, encoding="utf-8")
    kept = path.read_text(encoding="utf-8")
    wrote = run_cli("translations", "--project", project, "--lang", "fr", "--write-starter", cwd=project)
    assert wrote.code == 0 and "wrote 1 new entry" in wrote.stdout
    after = path.read_text(encoding="utf-8")
    assert after.startswith(kept)  # appended only: comments, order and every translation kept
    assert after[len(kept):] == '  chart/speed/title:\n    english: "Throughput"\n    from: "960bcc4e48b9"\n    text: ""\n'
    assert yaml.safe_load(after)["entries"]["event/review/title"]["text"] == "Test du widget"  # stale: left for its translator
    assert not list(path.parent.glob(".*.tmp"))


def test_translations_names_an_unknown_language(project):
    result = run_cli("translations", "--project", project, "--lang", "de", cwd=project)
    assert result.code == 2 and "no brief lists language 'de'" in result.stderr


# -- CJK -------------------------------------------------------------------------------------------------

def test_chinese_pdf_embeds_subset_cjk_fonts_and_reads_back_as_written(built):
    pdf = built / "briefs" / "sample" / ZH / f"sample.{ZH}.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk, fonts
    assert all(re.match(r"[A-Z]{6}\+", line) and " yes " in line for line in cjk)  # subset, embedded
    entries = yaml.safe_load((FIXTURE / "translations" / f"{ZH}.yaml").read_text(encoding="utf-8"))["entries"]
    text = squash(pdf_text(pdf))
    for key, entry in entries.items():
        if key.startswith("chart/") or key.endswith("quantity/label"):
            continue  # drawn in the chart: an image's text, not the page's
        written = squash(re.sub(r"\*\*", "", entry["text"]))
        assert written in text, key
    used = {ch for entry in entries.values() for ch in entry["text"] if ord(ch) > 0x2e80}
    from pypdf import PdfReader
    covered: set[str] = set()
    for pdf_page in PdfReader(pdf).pages:
        covered |= set(pdf_page.extract_text())
    assert used <= covered, sorted(used - covered)


def test_offline_search_finds_chinese_words(built, tmp_path):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    script = tmp_path / "run.js"
    script.write_text(f"""
const fs = require("fs");
const window = {{location: {{search: "", protocol: "file:"}}}};  // from file://: the small index, searched here
eval(fs.readFileSync({json.dumps(str(built / "assets" / "search-index.js"))}, "utf8"));
function el() {{ return {{children: [], value: "", textContent: "", appendChild(c) {{ this.children.push(c); }},
  addEventListener() {{}} }}; }}
const nodes = {{q: el(), results: el(), "search-status": el(), "search-note": el()}};
const document = {{getElementById: (id) => nodes[id], createElement: el, createTextNode: (t) => ({{t}})}};
const URLSearchParams = class {{ get() {{ return process.argv[2]; }} }};
eval(fs.readFileSync({json.dumps(str(built / "assets" / "search.js"))}, "utf8"));
console.log(JSON.stringify(nodes.results.children.map((li) => li.children[2].href)));
""", encoding="utf-8")

    def search(query: str) -> list[str]:
        out = subprocess.run(["node", str(script), query], capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    assert search("速度") == ["briefs/sample/zh-Hans/index.html"]
    assert search("小部件 简报") == ["briefs/sample/zh-Hans/index.html"]  # "小部件简报" is the title
    assert search("厂商自称") == ["briefs/sample/zh-Hans/index.html"]  # four characters: three pairs, all in the text
    assert search("简部") == []  # a pair the text does not hold
    assert "briefs/sample/index.html" in search("widget")


def test_glossary_terms_a_brief_lists_are_translated_and_counted(tmp_path):
    """A policymaker brief lists its glossary terms: their expansions and definitions are fields to translate
    (missing until written), and once written the translated edition prints them; the term itself may stay."""
    project = copy_project(FIXTURE, tmp_path / "project")
    (project / "content" / "glossary.yaml").write_text(
        "glossary:\n  - id: wdg\n    term: WDG\n    expansion: widget data group\n"
        "    definition: The group that tests widgets.\n", encoding="utf-8")
    brief = project / "briefs" / "sample.yaml"
    old = "The widget is new and its speed is only claimed."
    new = "The widget is new and its speed, per the WDG, is only claimed."
    brief.write_text(brief.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    report = run_cli("translations", "--lang", ZH, cwd=project).stdout
    assert "missing  glossary/wdg/expansion" in report and "missing  glossary/wdg/definition" in report
    assert "glossary/wdg/term" not in report, "a term is printed as written unless translated"
    path = project / "translations" / f"{ZH}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, english, text in (("brief/sample/bottom_line", new, "这款小部件是新产品，据 WDG 称其速度仅为厂商自称。"),
                               ("glossary/wdg/expansion", "widget data group", "小部件数据组"),
                               ("glossary/wdg/definition", "The group that tests widgets.", "测试小部件的小组。")):
        data["entries"][key] = {"english": english, "from": fingerprint(english), "text": text}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert "glossary/wdg" not in run_cli("translations", "--lang", ZH, cwd=project).stdout
    project_yaml = project / "project.yaml"  # French is not this test's subject: its gaps print marked
    project_yaml.write_text(project_yaml.read_text(encoding="utf-8") + "translation_fallback: true\n", encoding="utf-8")
    result = build(project, "--formats", "html")
    assert result.code == 0, result.stderr
    site = project / "site" / "briefs" / "sample"
    page = (site / ZH / "index.html").read_text(encoding="utf-8")
    glossary = page[page.index('id="glossary"'):]
    assert "小部件数据组" in glossary and "测试小部件的小组。" in glossary and "widget data group" not in page
    assert "据 WDG 称" in page, "a translated edition never inserts the English expansion at first use"
    english = (site / "index.html").read_text(encoding="utf-8")
    assert "per the widget data group (WDG)" in english


# -- ICD 203 terms in each language (issue 28) ----------------------------------------------------------------

def test_likely_is_较有可能_and_the_table_refuses_a_term_that_is_only_a_hedge(monkeypatch):
    assert i18n.likelihood_term("likely", ZH) == "较有可能" and i18n.likelihood_term("likely", "fr") == "probable"
    real = i18n.messages
    monkeypatch.setattr(i18n, "messages", lambda lang: {**real(lang), (i18n.LIKELIHOOD_CONTEXT, "likely"): "可能"})
    assert any("'可能' is the term for 'likely' and also a hedge (for 'possibly'" in p
               for p in i18n.likelihood_table_problems(ZH))


def test_a_translated_judgment_is_checked_against_the_catalogues_table(project):
    zh = project / "translations" / f"{ZH}.yaml"
    line = line_of(zh, "这款小部件较有可能")
    where = f"translations/{ZH}.yaml:{line}:11:"
    edit(zh, "这款小部件较有可能在一年内取代竞品。", "这款小部件可能在一年内取代竞品。")
    edit(project / "translations" / "fr.yaml", "Il est probable que le widget supplante",
         "Il est très probable que le widget supplante")
    result = run_cli("check", "--project", project, "--diagnostics", "text", cwd=project)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert (f"{where} error: zh-Hans translation of judgment 'adoption' does not state its likelihood 'likely' (55-80%) "
            "(it says '可能', a hedge that states no likelihood): write '较有可能' or '较为可能'") in result.stderr, result.stderr
    assert ("error: fr translation of judgment 'adoption' uses 'très probable' ('very likely', 80-95%), not in the row of "
            "its likelihood 'likely' (55-80%); write 'probable' or 'vraisemblable'") in result.stderr, result.stderr
    edit(zh, "这款小部件可能在一年内取代竞品。", "这款小部件较有可能在一年内取代竞品，但也可能不会。")
    result = run_cli("check", "--project", project, "--diagnostics", "text", cwd=project)
    assert "zh-Hans translation of judgment 'adoption' says '可能', a hedge that states no ICD 203 likelihood" in result.stderr


# -- everything the English edition prints, translated (issue 28) -------------------------------------------

def set_entry(path: Path, key: str, english: str, text: str) -> None:
    """Write (or replace) one entry of a translation file, its fingerprint taken from `english`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["entries"][key] = {"english": english, "from": fingerprint(english), "text": text}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


@pytest.mark.slow
def test_translated_editions_say_what_changed_and_translate_source_and_interest_notes(project):
    import subprocess
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       check=True, capture_output=True)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "edition 1")
    assert run_cli("release", "sample", "--formats", "html", "--project", project, cwd=project).code == 0
    old, new = "The widget launched in January 2026.", "The widget launched on 10 January 2026."
    edit(project / "content" / "facts.yaml", old, new)
    note = "Edition 1 gave the launch to the month."
    edit(project / "briefs" / "sample.yaml", "edition: 1", f"edition: 2\nchanges_note: {note}")
    edit(project / "content" / "sources.yaml", "    kind: subject\n",
         "    kind: subject\n    interest: subject\n    interest_note: The maker's own\n"
         "    note: Read on the maker's site.\n")
    result = build(project, "--formats", "html,docx", "--diagnostics", "text")
    assert result.code == 1  # each new field the editions print needs its translation, in each language
    for lang in (ZH, "fr"):
        for field in ("brief 'sample' field 'changes_note'", "source 'maker-blog' field 'note'",
                      "source 'maker-blog' field 'interest_note'"):
            assert f"({lang}): {field} has no {lang} translation" in result.stderr, (lang, field, result.stderr)
    words = {ZH: ("这款小部件于2026年1月10日发布。", "第 1 版只给出了发布月份。", "制造商自己的说法", "在制造商网站上阅读。"),
             "fr": ("Le widget a été lancé le 10 janvier 2026.", "L’édition 1 ne donnait que le mois du lancement.",
                    "Publication du fabricant", "Lu sur le site du fabricant.")}
    for lang, (fact, changes, interest, source_note) in words.items():
        path = project / "translations" / f"{lang}.yaml"
        set_entry(path, "fact/widget-launch/statement", new, fact)
        set_entry(path, "brief/sample/changes_note", note, changes)
        set_entry(path, "source/maker-blog/interest_note", "The maker's own", interest)
        set_entry(path, "source/maker-blog/note", "Read on the maker's site.", source_note)
    translations = run_cli("translations", "--project", project, cwd=project)
    assert "fr (Français): 100% translated" in translations.stdout and "zh-Hans (中文 (简体)): 100% translated" in translations.stdout
    result = build(project, "--formats", "html,docx")
    assert result.code == 0, result.stderr
    folder = project / "site" / "briefs" / "sample"
    for lang, heading in ((ZH, "自第 1 版以来的变更"), ("fr", "Ce qui a changé depuis l’édition 1")):
        fact, changes, interest, source_note = words[lang]
        html = (folder / lang / "index.html").read_text(encoding="utf-8")
        section = html[html.index('id="changes"'):html.index("</section>", html.index('id="changes"'))]
        assert heading in section and changes in section
        # what edition 1 printed is quoted as its record holds it, marked English; the new wording is the translation
        assert f'<del lang="en">{old}</del> <ins>{fact}</ins>' in section, section
        assert interest in html and source_note in html  # the Sources list: the stake and the analyst's note
        assert "The maker's own" not in html and "Read on the maker's site." not in html
        assert 'href="../editions/' not in html or 'hreflang="en"' in html
        with zipfile.ZipFile(folder / lang / f"sample.{lang}.docx") as docx:
            body = docx.read("word/document.xml").decode()
        assert heading in body and changes in body and fact in body


def test_every_section_of_the_english_edition_has_its_counterpart_in_each_translation(real_site):
    """The real briefs: each translated edition prints the sections, items and currency lines of its English edition,
    in the same order, and (Chinese) no passage of English outside what it quotes or cites as written."""
    site, _ = real_site
    checked = 0
    for english_page in sorted((site / "briefs").glob("*/index.html")):
        english = _outline(english_page)
        for lang in (ZH, "fr"):
            translated_page = english_page.parent / lang / "index.html"
            if not translated_page.is_file():
                continue
            outline = _outline(translated_page)
            assert outline.sections == english.sections, (translated_page, outline.sections, english.sections)
            assert outline.items == english.items, translated_page
            assert outline.marks == english.marks, translated_page
            if lang == ZH:
                assert outline.english_runs == [], (translated_page, outline.english_runs)
            checked += 1
    assert checked >= 3  # the executive brief in Chinese and French, the press explainer in Chinese


class _Outline(HTMLParser):
    """What a brief page is made of, whatever its language: its sections by class in order, the items each shows (by
    their data- ids), the currency marks, and (for a Chinese page) runs of English words outside what is quoted in
    English (lang="en"), cited as written (footnotes, the Sources list) or a name."""

    # Not data-term: a glossary lists the abbreviations its own edition's text uses (台积电 needs no entry for TSMC).
    ITEMS = ("data-fact", "data-judgment", "data-caveat", "data-unknown", "data-event", "data-change", "data-unverified",
             "data-edition", "data-status-label")
    MARKS = ("data-currency-gap", "data-currency-note", "data-facts-checked", "data-sources-to")

    def __init__(self):
        super().__init__()
        self.sections: list[str] = []
        self.items: list[list[tuple[str, str]]] = []
        self.marks: list[tuple[str, str]] = []
        self.english_runs: list[str] = []
        self.open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("class") or "")
            self.items.append([])
        for key in self.ITEMS:
            if a.get(key) and self.items:
                self.items[-1].append((key, a[key]))
        self.marks += [(key, a[key]) for key in self.MARKS if key in a]
        if tag not in ("br", "img", "meta", "link", "wbr", "hr", "input"):
            quoted = (a.get("lang") == "en" or a.get("id") == "sources" or "footnote" in (a.get("class") or "")
                      or tag in ("script", "style", "head", "abbr"))
            self.open.append((tag, quoted))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not any(quoted for _, quoted in self.open):
            self.english_runs += re.findall(r"(?:[A-Za-z][\w'’-]*[ ,;:]+){5,}[A-Za-z]+", data)


def _outline(path: Path) -> _Outline:
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser
