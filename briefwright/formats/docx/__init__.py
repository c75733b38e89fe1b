"""The Word edition of a brief (.docx), made from the resolved brief with python-docx, in the worker pool.

Word-native structure, not lookalikes: Heading 1-2 for the navigation pane, key judgments numbered once
across the brief by their style, claim and conflict labels as text, caveats as shaded blocks after the
facts they qualify, sources as real footnotes or endnotes (the audience's policy) numbered as in the PDF,
tables with a repeating header row, charts as 200 dpi PNG with the chart's text alternative, captions in
Word's Caption style, the TLP marking as text in every header and footer. Styles come from a reference
document (the theme's static/reference.docx, or project.yaml's `word_reference`), as pandoc's
--reference-doc; a style the reference lacks is added from HOUSE_STYLES, so any Word template works.

After it is written the file is read back and checked for the caveats, labels and unknowns the brief
requires, the marking in every header and footer, and the note numbering (`check_docx`), as the page is.
Python-docx is chosen over pandoc: footnotes need one small module (ooxml.py) either way, and styles,
captions and tables are set directly instead of through a Markdown round trip.

The package, as Sphinx splits a builder: this module is the format (what the registry finds, the reference
document's check, LibreOffice's page count); `styles` the house styles and the shipped reference, `runs` the
HTML-to-runs parser, `edition` the document builder, `translated` the marks of pending translations, `check` the
read-back check.
"""
from __future__ import annotations

import importlib.metadata
import io
import zipfile
from pathlib import Path
from typing import Any

from briefwright.core import i18n
from briefwright.formats import ooxml
from briefwright.formats.base import Job, Output, OutputError, OutputFormat, package_digest
from briefwright.formats.docx.check import check_docx
from briefwright.formats.docx.edition import WordEdition
from briefwright.formats.docx.runs import html_blocks
from briefwright.formats.docx.styles import HOUSE_STYLES, TABLE_STYLE, TLP_INK, make_reference

__all__ = ["FORMAT", "HOUSE_STYLES", "REFERENCE", "TABLE_STYLE", "TLP_INK", "WordEdition", "WordFormat", "check_docx",
           "html_blocks", "libreoffice", "libreoffice_pages", "make_reference", "reference_problem"]

REFERENCE = "reference.docx"  # in the theme's static folder, so it reaches the site's assets like the stylesheets


class WordFormat(OutputFormat):
    name, label, suffix = "docx", "Word document", ".docx"
    parallel = True
    position = 20

    def text_of(self, data: bytes) -> str:
        return ooxml.package_text(data)
    inputs = (REFERENCE,)  # an input of the editions, not a page asset: a desk's template can carry what it would not publish

    def cache_parts(self) -> list[str]:
        return [importlib.metadata.version("python-docx")]

    def preload(self) -> None:
        import docx  # noqa: F401
        import matplotlib.backends.backend_agg  # noqa: F401  the charts, as PNG

    def render(self, job: Job) -> Output:
        from briefwright.render.charts import chart_style, read_tokens
        assets = Path(job.site) / "assets"
        reference = self.read_input(job, REFERENCE, "the Word reference document")
        problem = reference_problem(reference)
        if problem:
            raise OutputError(f"the Word reference document {REFERENCE} {problem}")
        with i18n.use(job.brief.get("language", i18n.SOURCE_LANGUAGE)):  # the engine's words in the edition's language
            data = WordEdition(job.brief, reference, chart_style(read_tokens(assets / "tokens.css")), assets).build()
        problems = check_docx(job.brief, data)
        if problems:
            raise OutputError("; ".join(problems))
        return Output(data)

    def check_project(self, project: Any, out: Any, cache: Any = None) -> None:
        """A reference document named in project.yaml, or put in the project's templates/static, must be a Word file."""
        from briefwright.core.diagnostics import Loc
        settings = project.settings
        if settings.word_reference:
            where = settings.at("word_reference")
            path = (project.root / settings.word_reference).resolve()
            if not path.is_relative_to(project.root.resolve()):
                out.error(where, f"word_reference '{settings.word_reference}' is outside the project folder; put the file in it")
            elif not path.is_file():
                out.error(where, f"word_reference '{settings.word_reference}' not found in the project folder")
            elif problem := _reference_problem(path, cache):
                out.error(where, f"word_reference '{settings.word_reference}' {problem}")
            return
        themed = project.root / "templates" / "static" / REFERENCE
        if themed.is_file() and (problem := _reference_problem(themed, cache)):
            out.error(Loc(themed, 1, 1), f"{REFERENCE} {problem}")


def libreoffice() -> str | None:
    """The LibreOffice command, where it is installed (`briefwright doctor` gives its install line)."""
    import shutil
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_pages(files: list[Path], scratch: Path, timeout: int = 600) -> dict[Path, int]:
    """Each Word file as LibreOffice Writer lays it out: converted to PDF in `scratch` (in a LibreOffice profile of
    its own, so a desktop session or another build does not interfere) and its pages counted. A file LibreOffice
    could not convert is left out. Raises OSError when LibreOffice is missing or does not finish."""
    import subprocess

    from pypdf import PdfReader
    command = libreoffice()
    if command is None:
        raise OSError("LibreOffice is not installed")
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([command, f"-env:UserInstallation={(scratch / 'profile').as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(scratch), *map(str, files)],
                       capture_output=True, timeout=timeout, check=False)
    except subprocess.SubprocessError as exc:
        raise OSError(f"LibreOffice did not finish: {exc}") from None
    pages = {}
    for file in files:
        converted = scratch / file.with_suffix(".pdf").name
        if converted.is_file():
            pages[file] = len(PdfReader(converted).pages)
    return pages


def _reference_problem(path: Path, cache: Any) -> str | None:
    """reference_problem for a file, its verdict kept in the parse cache by the file's bytes (opening it with
    python-docx was a sixth of a build that had nothing to do)."""
    data = path.read_bytes()
    if cache is None:
        return reference_problem(data)
    checker = package_digest(Path(__file__).parent)  # this package: the check's own code
    return cache.result(path, f"word reference {importlib.metadata.version('python-docx')} {checker}", data,
                        lambda: reference_problem(data))


def reference_problem(data: bytes) -> str | None:
    """Why a file cannot serve as the reference document, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return "is not a Word document (.docx): it is not a zip package"
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return "is not a Word document (.docx): it has no word/document.xml"
    import docx
    try:
        docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001  python-docx raises several kinds for a package it cannot read
        return f"could not be read as a Word document: {exc}"
    return None


FORMAT = WordFormat()  # declared in pyproject.toml's briefwright.formats entry points
