"""The brief's web page: the resolved brief through its audience template (render.render_html)."""
from __future__ import annotations

from . import Job, Output, OutputFormat, register_format


class HtmlFormat(OutputFormat):
    name, label, suffix = "html", "Web page", ".html"
    download = False

    def file_name(self, brief_id: str) -> str:
        return "index.html"

    def render(self, job: Job) -> Output:
        return Output(job.html.encode("utf-8"))


register_format(HtmlFormat())
