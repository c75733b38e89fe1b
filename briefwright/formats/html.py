"""The brief's web page: the resolved brief through its audience template (render.render_html)."""
from __future__ import annotations

from briefwright.formats.base import Job, Output, OutputFormat


class HtmlFormat(OutputFormat):
    name, label, suffix = "html", "Web page", ".html"
    download = False
    position = 0

    def text_of(self, data: bytes) -> str:
        return data.decode("utf-8", errors="replace")

    def file_name(self, brief_id: str) -> str:
        return "index.html"

    def render(self, job: Job) -> Output:
        return Output(job.html.encode("utf-8"))


FORMAT = HtmlFormat()  # declared in pyproject.toml's briefwright.formats entry points
