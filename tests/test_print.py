"""Print quality, read back from every PDF of the real content with pypdf and poppler/qpdf tools."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader


def _tool(name):
    if shutil.which(name) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing (apt-get install poppler-utils qpdf)")
        pytest.skip(f"{name} is missing")
    return name


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _pdfs(site):
    return sorted((site / "briefs").glob("*/*.pdf"))


def test_metadata_bookmarks_tags_and_marking_on_every_page(real_site):
    site, _ = real_site
    for pdf in _pdfs(site):
        reader = PdfReader(pdf)
        meta = reader.metadata
        assert meta.title and meta.author and meta.subject and meta.creation_date and meta.modification_date
        assert reader.trailer["/Root"]["/Lang"]
        assert "/StructTreeRoot" in reader.trailer["/Root"], f"{pdf.name} is not tagged"
        assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
        titles = [item.title for item in _flatten(reader.outline)]
        assert len(titles) >= 4 and titles[0] == reader.metadata.title and "Bottom line" in titles, \
            f"{pdf.name} bookmarks: {titles}"
        markings = {m.group(0) for m in re.finditer(r"TLP:(CLEAR|GREEN|AMBER\+STRICT|AMBER|RED)", reader.pages[0].extract_text())}
        assert len(markings) == 1, pdf.name
        for number, page in enumerate(reader.pages, 1):
            assert next(iter(markings)) in page.extract_text(), f"{pdf.name} page {number} has no marking"
            if number > 1:
                assert f"Page {number} of {len(reader.pages)}" in page.extract_text()


def test_all_fonts_embedded(real_site):
    site, _ = real_site
    _tool("pdffonts")
    for pdf in _pdfs(site):
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert out, f"{pdf.name}: no fonts listed"
        for line in out:
            assert line.split()[-5] == "yes", f"{pdf.name}: font not embedded: {line}"


def test_qpdf_check_passes(real_site):
    site, _ = real_site
    _tool("qpdf")
    for pdf in _pdfs(site):
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_pdfinfo_reports_pdf_ua_and_dates_from_the_brief(real_site):
    site, _ = real_site
    _tool("pdfinfo")
    for pdf in _pdfs(site):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "Tagged:          yes" in info
        assert "CreationDate:    Fri Nov 27 00:00:00 2026" in info
        xmp = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "pdfuaid" in xmp, f"{pdf.name}: the PDF/UA identification is missing"
