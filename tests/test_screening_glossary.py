"""Entities, the glossary and interested sources: the screening tables read back from HTML and Word, each
abbreviation expanded once per brief at its first use in print order (never inside a link, code, a URL or a
longer word), the glossary list, interest in every note, and the warnings `check` gives (and does not)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from helpers import FIXTURES, copy_project, run_cli

from briefwright.check.glossary import Expander, abbreviation, abbreviations_in
from briefwright.core.model import GlossaryTerm
from briefwright.formats import ooxml

ENTITIES = """\
entities:
  - id: widget-co
    name: Widget Co
    kind: organisation
    legal_name: Widget Company Ltd.
    country: CN
    aliases:
      - name: 小部件公司
        lang: zh-Hans
        note: Chinese legal name
      - name: WidgetCo
    identifiers:
      - scheme: HKEX stock code
        value: "2513"
    listings:
      - list: Entity List
        authority: BIS
        entry: Widget Company Ltd.
        citation: 90 FR 4544
        effective: 2025-01-15
        requirement: A licence is required to export any item subject to the EAR to it.
        sources: [trade-paper]
    checks: ["Screen **every** distributor against the list."]
    sources: [maker-blog]

glossary:
  - id: bis
    term: BIS
    expansion: Bureau of Industry and Security
    definition: The US agency that keeps the Entity List.
  - id: ear
    term: EAR
    expansion: Export Administration Regulations
"""

COMPLIANCE = """\
id: comp
title: The widget and the BIS rules
short_title: Widget compliance
audience: compliance
date: 2026-02-02
edition: 1
marking: CLEAR
bottom_line: >-
  Widget Co is listed by BIS (see https://example.org/BIS/rule and [the BIS notice](https://example.org/BIS)).
  The `BIS` code and the BISON project are not uses; bis is not either.
sections:
  - title: Facts
    intro: The EAR applies.
    facts: [widget-launch, widget-speed]
"""


def project_with_records(root: Path) -> Path:
    project = copy_project(FIXTURES / "minimal", root)
    (project / "content" / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    (project / "briefs" / "comp.yaml").write_text(COMPLIANCE, encoding="utf-8")
    facts = project / "content" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    text = text.replace("  - id: widget-launch\n", "  - id: widget-launch\n    entities: [widget-co]\n")
    text = text.replace("statement: The widget launched in January 2026.",
                        "statement: The widget launched in January 2026 under BIS and EAR rules.")
    facts.write_text(text, encoding="utf-8")
    sources = project / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "    kind: subject\n", "    kind: subject\n    interest: subject\n    interest_note: The maker's own blog\n"),
        encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("records")
    project = project_with_records(root / "project")
    result = run_cli("build", "--project", project, "--out", root / "site", "--cache-dir", root / "cache", "-j1",
                     "--formats", "html,docx", cwd=project)
    assert result.code == 0, result.stderr
    return root / "site"


class _Tables(HTMLParser):
    """Each table's rows as lists of cell texts, and the lang of every element that sets one."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.langs: list[tuple[str, str]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._lang: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("class", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        if tag not in ("br", "wbr", "img", "meta", "link", "input"):
            self._lang.append(a.get("lang"))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        if tag not in ("br", "wbr", "img", "meta", "link", "input") and self._lang:
            self._lang.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._lang and self._lang[-1] and data.strip():
            self.langs.append((self._lang[-1], data.strip()))


def page(site: Path, brief: str) -> str:
    return (site / "briefs" / brief / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    main = html.split('id="sources"')[0].split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", main))


# the abbreviation rule


@pytest.mark.parametrize("token", ["FP16", "TFLOPS", "HBM2e", "DiT", "BIS", "MI308"])
def test_abbreviations_by_the_rule(token):
    assert abbreviation(token) == token


@pytest.mark.parametrize("token", ["DeepSeek", "OpenAI", "GitHub", "III", "IV", "Ascend", "910B", "H20", "A", "ai"])
def test_not_abbreviations(token):
    assert abbreviation(token) is None


def test_plural_is_the_abbreviation_and_urls_and_code_are_not_read():
    assert abbreviations_in("Two GPUs and `NCCL` at https://example.org/TPU/x, see [SMIC](https://a.org/ASML).") == \
        ["GPU", "SMIC"]


# expansion at first use


def expander(*pairs: tuple[str, str]) -> Expander:
    return Expander([GlossaryTerm(id=term.lower(), term=term, expansion=expansion) for term, expansion in pairs])


def test_expands_once_in_order_across_texts():
    g = expander(("BIS", "Bureau of Industry and Security"))
    assert g.text("BIS rules and BIS again") == "Bureau of Industry and Security (BIS) rules and BIS again"
    assert g.html("<p>Then BIS.</p>") == "<p>Then BIS.</p>"


def test_never_inside_links_code_urls_attributes_or_longer_words():
    g = expander(("BIS", "Bureau of Industry and Security"))
    html = ('<p><a href="https://example.org/BIS" title="BIS">the BIS notice</a> https://x.org/BIS/y '
            '<code>BIS</code> BISON bis <span class="footnote">BIS, “Rule”</span> BIS</p>')
    out = g.html(html)
    assert out == html.replace(" BIS</p>", " Bureau of Industry and Security (BIS)</p>")
    assert out.count("Bureau of Industry and Security") == 1


def test_expansion_written_by_the_analyst_is_not_doubled_and_plural_not_expanded():
    g = expander(("BIS", "Bureau of Industry and Security"), ("GPU", "graphics processing unit"))
    assert g.text("The Bureau of Industry and Security (BIS) said") == "The Bureau of Industry and Security (BIS) said"
    assert g.text("Two GPUs, one GPU") == "Two GPUs, one graphics processing unit (GPU)"
    assert [t.term for t in g.listed()] == ["BIS", "GPU"]


def test_escaped_html_terms_match():
    g = expander(("R&D", "research and development"))
    assert g.html("<p>R&amp;D spend</p>") == "<p>research and development (R&amp;D) spend</p>"


# the built briefs


def test_screening_table_read_back_from_html(site):
    parser = _Tables()
    parser.feed(page(site, "comp"))
    rows = parser.tables["screening-table"]
    assert rows[0] == ["Name", "Other names", "Identifiers", "Listings"]
    name, aliases, identifiers, listings = rows[1]
    assert name.startswith("Widget Co") and "Widget Company Ltd." in name and "Organisation, CN" in name
    assert aliases.splitlines() == ["小部件公司 (Chinese legal name; zh-Hans)", "WidgetCo"]
    assert identifiers == "HKEX stock code: 2513"
    assert re.fullmatch(r"Entity List \(BIS\), 90 FR 4544, effective 15 January 2025; listed as “Widget Company Ltd\.”\d+",
                        listings), listings
    assert ("zh-Hans", "小部件公司") in parser.langs
    html = page(site, "comp")
    check = re.search(r'<section class="section what-to-check".*?</section>', html, re.S).group(0)
    items = [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", check, re.S)]
    assert items[0].startswith("Widget Co, Entity List (BIS), 90 FR 4544, effective 15 January 2025: A licence is "
                               "required to export any item subject to the EAR to it.")
    assert items[1].startswith("Widget Co: Screen every distributor against the list.")
    assert "<strong>every</strong>" in check
    # the entity and its listing are sourced like facts: their notes are in the list
    assert 'id="note-2"' in html and "Widget reviewed" in html.split('id="sources"')[1]


def test_screening_only_for_screening_audiences(site):
    for brief in ("plain", "sample"):
        assert "Names to screen" not in page(site, brief)


def test_screening_table_read_back_from_word(site):
    document = docx.Document(str(site / "briefs" / "comp" / "comp.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("Names to screen") < headings.index("What to check")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Name")
    cells = [c.text for c in table.rows[1].cells]
    assert cells[0].splitlines() == ["Widget Co", "Widget Company Ltd.", "Organisation, CN"]
    assert cells[1].splitlines() == ["小部件公司 (Chinese legal name; zh-Hans)", "WidgetCo"]
    assert cells[3].startswith("Entity List (BIS), 90 FR 4544, effective 15 January 2025")
    langs = table._tbl.findall(".//" + ooxml.qn("w:lang"))
    assert [(el.get(ooxml.qn("w:val")), el.get(ooxml.qn("w:eastAsia"))) for el in langs] == [("zh-Hans", "zh-Hans")]
    checks = [p.text for p in document.paragraphs if p.text.startswith(("Widget Co,", "Widget Co:"))]
    assert checks[0].startswith("Widget Co, Entity List (BIS), 90 FR 4544, effective 15 January 2025: A licence")


def test_first_use_expanded_exactly_once_per_brief(site):
    html = page(site, "comp")
    body = text_of(html)
    assert body.count("Bureau of Industry and Security (BIS)") == 1
    assert body.count("Export Administration Regulations (EAR)") == 1
    # the first use in print order is the bottom line's; the link, the URL and the code are left alone
    bottom = html.split('id="bluf"')[1].split("</section>")[0]
    assert "Widget Co is listed by Bureau of Industry and Security (BIS)" in bottom
    assert 'href="https://example.org/BIS"' in bottom and "https://example.org/BIS/rule" in bottom
    assert "<code>BIS</code>" in bottom and "BISON" in bottom and "bis is not" in bottom
    assert "Bureau of Industry and Security (BIS) and" not in body  # the fact's later use stays short
    # the title, a heading, is not rewritten
    assert "<h1>The widget and the BIS rules</h1>" in html
    document = docx.Document(str(site / "briefs" / "comp" / "comp.docx"))
    word_text = "\n".join(p.text for p in document.paragraphs)
    assert word_text.count("Bureau of Industry and Security (BIS)") == 1


def test_glossary_audiences_list_the_terms_they_use(site):
    html = page(site, "sample")  # policymaker: uses BIS and EAR in the widget-launch fact
    glossary = re.search(r'<section class="glossary".*?</section>', html, re.S).group(0)
    assert re.findall(r'data-term="([^"]+)"', glossary) == ["bis", "ear"]
    assert "Bureau of Industry and Security" in glossary and "The US agency that keeps the Entity List." in glossary
    assert 'id="glossary"' not in page(site, "comp")  # compliance does not list them
    document = docx.Document(str(site / "briefs" / "sample" / "sample.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    at = paragraphs.index("Glossary")
    assert paragraphs[at + 1] == "BIS Bureau of Industry and Security: The US agency that keeps the Entity List."


def test_interest_shown_in_every_note(site):
    for brief in ("comp", "sample"):  # endnotes and footnotes
        html = page(site, brief)
        assert html.count("Interested party (subject): The maker&#39;s own blog.") >= 1, brief
    notes = (site / "briefs" / "comp" / "comp.docx").read_bytes()
    parts = ooxml.read_parts(notes)
    assert "Interested party (subject): The maker's own blog." in ooxml.notes(parts["word/endnotes.xml"], "endnote")[1]
    parts = ooxml.read_parts((site / "briefs" / "sample" / "sample.docx").read_bytes())
    assert any("Interested party (subject)" in text for text in ooxml.notes(parts["word/footnotes.xml"], "footnote").values())


# check's warnings


def warnings(project: Path) -> list[str]:
    result = run_cli("check", cwd=project)
    assert result.code == 0, result.stderr
    return [line for line in result.stderr.splitlines() if ": warning: " in line]


def test_abbreviation_without_glossary_entry_warns_where_written(tmp_path):
    project = project_with_records(tmp_path / "p")
    facts = project / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "statement: The rival widget runs at 90 units per hour.",
        "statement: The rival widget runs at 90 units per hour on HBM2e and two GPUs; DeepSeek and Annex III are not abbreviations."),
        encoding="utf-8")
    lines = facts.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "HBM2e" in text)
    found = warnings(project)
    assert [w.split(": warning: ")[0] for w in found] == [f"content/facts.yaml:{line}:16"] * 2
    assert found[0].split(": warning: ")[1].startswith("'HBM2e' looks like an abbreviation and has no glossary entry "
                                                      "(printed in brief 'sample', whose audience")
    assert "'GPU'" in found[1]
    settings = project / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "known_abbreviations: [HBM2e, GPU]\n", encoding="utf-8")
    assert warnings(project) == []


def test_abbreviation_in_a_brief_field_warns_there_and_not_for_other_audiences(tmp_path):
    project = project_with_records(tmp_path / "p")
    brief = project / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("bottom_line: A new widget is on sale.",
                                                                "bottom_line: A new widget is on sale, says the WTO."),
                     encoding="utf-8")
    comp = project / "briefs" / "comp.yaml"
    comp.write_text(comp.read_text(encoding="utf-8").replace("The EAR applies.", "The EAR and NATO apply."),
                    encoding="utf-8")
    found = warnings(project)
    assert len(found) == 1 and found[0].startswith("briefs/plain.yaml:9:14: warning: 'WTO' looks like")


def test_judgment_on_interested_sources_only_warns_at_rests_on(tmp_path):
    project = project_with_records(tmp_path / "p")
    judgments = project / "content" / "other.yaml"
    text = judgments.read_text(encoding="utf-8").replace("rests_on: [widget-speed, rival-speed]", "rests_on: [widget-speed]")
    judgments.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "rests_on: [widget-speed]" in t)
    found = [w for w in warnings(project) if "interested" in w]
    assert found == [f"content/other.yaml:{line}:15: warning: judgment 'adoption' rests only on interested sources: "
                     "maker-blog (subject); add a fact from an independent source, or say in its basis why these suffice"]
    # with the trade paper's fact beside it, the basis is not only interested
    judgments.write_text(text.replace("rests_on: [widget-speed]", "rests_on: [widget-speed, rival-speed]"), encoding="utf-8")
    assert [w for w in warnings(project) if "interested" in w] == []


def test_section_entities_outside_a_screening_audience_warn(tmp_path):
    project = project_with_records(tmp_path / "p")
    brief = project / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("    judgments: [adoption]\n",
                                                                "    judgments: [adoption]\n    entities: [widget-co]\n"),
                     encoding="utf-8")
    found = warnings(project)
    assert any(w.startswith("briefs/sample.yaml:13:15: warning: brief 'sample': audience 'policymaker' has no screening "
                            "table") for w in found), found


def test_entity_marking_raises_a_screening_brief(tmp_path):
    project = project_with_records(tmp_path / "p")
    entities = project / "content" / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace("    sources: [maker-blog]\n",
                                                                      "    sources: [maker-blog]\n    marking: AMBER\n"),
                        encoding="utf-8")
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert ("briefs/comp.yaml:7:10: error: brief 'comp' is marked TLP:CLEAR but shows TLP:AMBER material: brief comp -> "
            "entity widget-co") in result.stderr


def test_explain_an_entity(tmp_path):
    project = project_with_records(tmp_path / "p")
    result = run_cli("explain", "widget-co", cwd=project)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "entity widget-co (Organisation, CN): Widget Co"
    assert "  小部件公司 (Chinese legal name; zh-Hans)" in lines
    assert "  Entity List (BIS), 90 FR 4544, effective 15 January 2025 [trade-paper]" in lines
    assert lines[lines.index("briefs screening it:") + 1] == "  comp (compliance, edition 1)"


@pytest.mark.slow
def test_a_claim_resting_only_on_the_supplier_is_labelled_the_suppliers(tmp_path):
    """Who claims it is part of the label: a claimed fact whose every source is the subject's supplier is
    'Claimed by the supplier', in the brief and the site's facts page; the subject's own claim keeps its label."""
    project = project_with_records(tmp_path / "p")
    sources = project / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("    interest: subject\n", "    interest: supplier\n"),
                       encoding="utf-8")
    result = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1",
                     "--formats", "html", cwd=project)
    assert result.code == 0, result.stderr
    brief = page(tmp_path / "site", "sample")
    label = re.search(r'data-status-label="widget-speed">([^<]+)<', brief)
    assert label and label.group(1) == "Claimed by the supplier, not verified"
    assert "Claimed by the supplier, not verified" in (tmp_path / "site" / "facts.html").read_text(encoding="utf-8")
    subject = page(site_of(project_with_records(tmp_path / "q"), tmp_path / "q-site"), "sample")
    assert re.search(r'data-status-label="widget-speed">Claimed by the subject, not verified<', subject)


def site_of(project: Path, out: Path) -> Path:
    result = run_cli("build", "--out", out, "--cache-dir", out.parent / "q-cache", "-j1", "--formats", "html", cwd=project)
    assert result.code == 0, result.stderr
    return out


def test_a_judgment_on_a_claim_says_so_beside_its_likelihood(site, tmp_path):
    """'adoption' rests on the maker's claimed speed: every format says it rests partly on unverified claims,
    though the reader may never see that fact; resting only on reported facts, it says nothing of the kind."""
    html = page(site, "sample")
    assert re.search(r'<span class="unverified" data-unverified="adoption">Rests partly on unverified claims\.</span>', html)
    word = docx.Document(str(site / "briefs" / "sample" / "sample.docx"))
    assert any("Rests partly on unverified claims." in p.text for p in word.paragraphs)
    project = project_with_records(tmp_path / "p")
    other = project / "content" / "other.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("rests_on: [widget-speed, rival-speed]",
                                                               "rests_on: [rival-speed]"), encoding="utf-8")
    out = site_of(project, tmp_path / "site")
    assert 'data-unverified=' not in page(out, "sample")
