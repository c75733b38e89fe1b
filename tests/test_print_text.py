"""What a reader copies, searches or hears from a PDF: its text layer read back with poppler's pdftotext
(which splits letter-spaced capitals and keeps hyphenation). Labels extract as written, contents entries
carry their page, and addresses, acronyms and model names are never hyphenated."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from helpers import FIXTURES, copy_project, run_cli

# Every test reads one PDF build back with poppler, a real consumer: `make test` runs them, `make test-fast` not.
pytestmark = pytest.mark.slow

# WeasyPrint marks a hyphenation break with U+2010; an address or acronym must never hold one.
HYPHEN = "\u2010"
ACRONYMS = ["HBM2e", "HBM3e", "GLM-Image", "Ascend910C", "FP16-TFLOPS", "NVLink4", "CoWoS-L", "Armv8-A", "LPDDR5X"]
LONG_URL = ("https://www.transparency.gov.au/annual-reports/australian-strategic-policy-institute-limited/"
            "reporting-year/2019-20-40")


def _pdftotext(pdf, *args) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext is missing (apt-get install poppler-utils)")
        pytest.skip("pdftotext is missing")
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """One build, read by every test here (none writes to it)."""
    tmp_path = tmp_path_factory.mktemp("printed")
    minimal = copy_project(FIXTURES / "minimal", tmp_path / "project")
    facts = minimal / "content" / "facts.yaml"
    words = " ".join(f"{word} and" for word in ACRONYMS * 6)
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "The widget launched in January 2026.", f"The widget launched in January 2026 with {words} more."),
        encoding="utf-8")
    sources = minimal / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + f"""
  - id: annual-report
    title: Australian Strategic Policy Institute Limited annual report 2019-20
    publisher: Australian Government Transparency Portal
    url: {LONG_URL}
    published: 2020-10
    retrieved: 2026-02-01
    kind: primary
""", encoding="utf-8")
    facts.write_text(facts.read_text(encoding="utf-8").replace("sources: [maker-blog, trade-paper]",
                                                               "sources: [maker-blog, trade-paper, annual-report]"),
                     encoding="utf-8")
    judgments = minimal / "content" / "other.yaml"  # a second judgment, in a later section, with a window
    judgments.write_text(judgments.read_text(encoding="utf-8").replace("judgments:\n", """judgments:
  - id: rival-response
    statement: The rival will likely cut its price.
    likelihood: likely
    confidence: low
    rests_on: [rival-speed]
    window: 2026-01-14/2027-01-14
""", 1), encoding="utf-8")
    brief = minimal / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("page_limit: 2", "page_limit: 3").replace(
        "    events: [launch, review]\n", "    events: [launch, review]\n  - title: Outlook\n    judgments: [rival-response]\n"),
        encoding="utf-8")
    r = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", cwd=minimal)
    assert r.code == 0, r.stderr
    return tmp_path / "site" / "briefs"


def test_labels_in_capitals_extract_as_written(printed):
    text = _pdftotext(printed / "sample" / "sample.pdf")
    assert "BOTTOM LINE" in text.splitlines(), text[:400]
    assert "CONTENTS" in text.splitlines()
    assert "CRITICAL CAVEAT" in text


def test_every_contents_entry_has_its_page(printed):
    """A policymaker brief prints its sources as footnotes, so the contents list no Sources entry without a page."""
    text = _pdftotext(printed / "sample" / "sample.pdf", "-layout")
    contents = text.split("CONTENTS")[1].strip().split("\n\n")[0].splitlines()
    assert [re.sub(r"\s*\.+\s*\d+$", "", line.strip()) for line in contents] == ["Key judgments", "Facts", "Outlook",
                                                                                  "What we don’t know"]
    assert all(re.search(r"\.\s*\d+$", line) for line in contents), contents


def test_addresses_acronyms_and_model_names_are_never_hyphenated(printed):
    for pdf in printed.glob("*/*.pdf"):
        text = _pdftotext(pdf)
        for word in ACRONYMS + [LONG_URL]:
            broken = [re.escape(word[:i]) + HYPHEN + r"\s*" + re.escape(word[i:]) for i in range(1, len(word))]
            found = re.search("|".join(broken), text)
            assert not found, f"{pdf.name}: '{word}' hyphenated as {found.group(0)!r}"


def test_an_address_breaks_before_its_hyphens_and_copies_whole(printed):
    """A line of an address never ends with its hyphen (the Chicago Manual breaks before one): a reader would
    take it for hyphenation, and so does pdftotext, which copies "policy-\\ninstitute" as "policyinstitute"."""
    for pdf in printed.glob("*/*.pdf"):
        text = _pdftotext(pdf)
        assert LONG_URL in re.sub(r"\s+", "", text), f"{pdf.name}: the address does not copy whole"


def test_key_judgments_number_once_across_the_brief_in_print(printed):
    """Two judgment lists in two sections: the second continues at 2 in the PDF (WeasyPrint ignores <ol start>)."""
    text = _pdftotext(printed / "sample" / "sample.pdf")
    numbered = [m.group(1, 2) for m in re.finditer(r"^(\d+)\. The (widget|rival) will likely", text, re.M)]
    assert numbered == [("1", "widget"), ("2", "rival")], text


def test_currency_and_forecast_window_read_back_from_the_pdf(printed):
    text = " ".join(_pdftotext(printed / "sample" / "sample.pdf").split())
    assert "2 February 2026 · Edition 1 · Sources to January 2026 · Facts checked 1 February 2026" in text
    assert "Forecast window: 14 January 2026 \u2013 14 January 2027." in text
    assert "Information as of" not in text
