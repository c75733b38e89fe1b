"""Output formats are builders: a new one is a class and a registration, and the page and the
site index list it from data."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefwright import cli
from briefwright.core.markup import strip_tags
from briefwright.formats import FORMATS, Job, Output, OutputFormat, register_format

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class PlainTextFormat(OutputFormat):
    """The whole of a tiny format: the page's text, one line per block."""

    name, label, suffix = "txt", "Plain text", ".txt"

    def render(self, job: Job) -> Output:
        body = re.search(r"<main[^>]*>(.*)</main>", job.html, re.S).group(1)
        text = strip_tags(re.sub(r"</(p|li|h\d|tr)>", "\n", body))
        return Output("\n".join(line.strip() for line in text.splitlines() if line.strip()).encode("utf-8"))


@pytest.fixture
def plain_text_format():
    register_format(PlainTextFormat())
    yield
    FORMATS.forget("txt")


def run(capsys, project: Path, *argv) -> tuple[int, str]:
    code = cli.main([*argv, "--project", str(project)])
    return code, capsys.readouterr().err


def test_a_registered_format_is_built_linked_and_cached(plain_text_format, tmp_path, capsys):
    project = shutil.copytree(FIXTURES / "minimal", tmp_path / "project")
    site, cache = tmp_path / "site", tmp_path / "cache"
    code, err = run(capsys, project, "build", "--out", str(site), "--cache-dir", str(cache), "-j1",
                    "--formats", "html,pdf,txt")
    assert code == 0, err
    text = (site / "briefs" / "sample" / "sample.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "Bottom line"
    assert "Sources" in text.splitlines()
    page = (site / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert '<a class="pdf-link" href="sample.pdf">Download PDF</a> <a class="txt-link" href="sample.txt">Download Plain text</a>' in page
    size = round((site / "briefs" / "sample" / "sample.txt").stat().st_size / 1024)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'<a href="briefs/sample/sample.txt">Plain text, {size} KB</a>' in index
    code, err = run(capsys, project, "build", "--out", str(site), "--cache-dir", str(cache), "-j1",
                    "--formats", "html,pdf,txt")
    assert code == 0 and re.search(r"built 0, reused 2 briefs", err), err


def test_leaving_out_a_format_drops_its_link(tmp_path, capsys):
    project = shutil.copytree(FIXTURES / "minimal", tmp_path / "project")
    site = tmp_path / "site"
    code, err = run(capsys, project, "build", "--out", str(site), "--cache-dir", str(tmp_path / "cache"), "-j1",
                    "--formats", "html")
    assert code == 0, err
    assert not (site / "briefs" / "sample" / "sample.pdf").exists()
    assert "Download PDF" not in (site / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert "sample.pdf" not in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, message", [
    (["build", "--formats", "html,epub"], "unknown output format 'epub'; registered formats: docx, html, pdf, pptx"),
    (["build", "--formats", "pdf"], "the html format cannot be left out"),
    (["check", "--format", "json"], "--format was renamed --diagnostics"),
])
def test_format_options_are_checked(argv, message, tmp_path, capsys):
    project = shutil.copytree(FIXTURES / "minimal", tmp_path / "project")
    code, err = run(capsys, project, *argv)
    assert code == 2 and message in err, err
