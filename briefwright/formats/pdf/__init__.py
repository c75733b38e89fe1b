"""Print-quality PDF/UA from the brief's page, laid out by WeasyPrint in the worker pool.

The package: this module is the format and the layout call; `layout` reads the layout back from WeasyPrint's boxes
(the room each engine-added part takes) and corrects it, `structure` completes the PDF's structure tree after
layout with pikepdf.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefwright.formats.base import Job, Output, OutputError, OutputFormat, package_digest

MIME_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".ttf": "font/ttf",
              ".woff2": "font/woff2", ".woff": "font/woff"}


def make_fetcher(allowed: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves files inside `allowed` folders and refuses the rest."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    roots = [p.resolve() for p in allowed]

    class ProjectFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise FatalURLFetchingError(f"refused to fetch {url}: only files inside the project are read")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(r) for r in roots) or not path.is_file():
                raise FatalURLFetchingError(f"refused to read {path}: it is outside the project's asset folders or missing")
            mime = MIME_TYPES.get(path.suffix, "application/octet-stream")
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    return ProjectFetcher()


def render_pdf(html: str, base_dir: Path, allowed: list[Path]) -> tuple[bytes, int]:
    """Lay out and write one PDF; returns its bytes and page count. Deterministic for fixed input."""
    data, pages, _room = lay_out_pdf(html, base_dir, allowed)
    return data, pages


def lay_out_pdf(html: str, base_dir: Path, allowed: list[Path]) -> tuple[bytes, int, dict]:
    """render_pdf, with the room each engine-added part takes (layout.room). Laid out again where
    layout corrects a table pushed past its page or a blank band before a chart."""
    import weasyprint

    from briefwright.formats.pdf.layout import room, settle
    from briefwright.formats.pdf.structure import finish_structure

    fetcher = make_fetcher(allowed)

    def lay_out(page: str) -> Any:
        return weasyprint.HTML(string=page, base_url=str(base_dir) + "/",
                               url_fetcher=fetcher).render(pdf_variant="pdf/ua-1", pdf_tags=True)

    document, printed = settle(html, lay_out)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier, pdf_tags=True)
    return finish_structure(data, printed), len(document.pages), room(document)


class PdfFormat(OutputFormat):
    name, label, suffix = "pdf", "PDF", ".pdf"
    parallel = True
    position = 10

    def text_of(self, data: bytes) -> str:
        """The text of every page and the document's properties, as a reader's search finds them."""
        import io

        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(data))
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        if reader.metadata:
            text += " " + " ".join(str(v) for v in reader.metadata.values())
        return text
    paged = True

    def cache_parts(self) -> list[str]:
        steps = package_digest(Path(__file__).parent)  # the steps around layout decide bytes too: every module here
        return [importlib.metadata.version("weasyprint"), importlib.metadata.version("pikepdf"), steps]

    def preload(self) -> None:
        import weasyprint  # noqa: F401

    def render(self, job: Job) -> Output:
        from weasyprint.urls import FatalURLFetchingError
        try:
            data, pages, parts = lay_out_pdf(job.html, Path(job.folder), [Path(job.site)])
        except FatalURLFetchingError as exc:
            raise OutputError(str(exc)) from None
        return Output(data, pages, parts)


FORMAT = PdfFormat()  # declared in pyproject.toml's briefwright.formats entry points
