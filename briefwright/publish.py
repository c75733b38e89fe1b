"""Stage 5, publish: the site's own pages around the briefs (index, and later search and feed)."""
from __future__ import annotations

from pathlib import Path

from .audiences import AUDIENCES
from .render import TemplateError, _mark_safe, _template_frame


def _render(env, name: str, **context) -> str:
    try:
        return env.get_template(name).render(**_mark_safe(context))
    except Exception as exc:  # noqa: BLE001  reported with template and line, like a brief's template
        template, line = _template_frame(exc, name)
        raise TemplateError(template, line, str(exc)) from None


def write_site_pages(project, published: list[dict], env, site: Path, report) -> None:
    groups = []
    for audience in AUDIENCES.values():
        briefs = [b for b in published if b["audience"]["id"] == audience.id]
        if briefs:
            groups.append({"id": audience.id, "label": audience.label, "briefs": briefs})
    page = {"assets": "assets/", "root": ""}
    settings = project.settings
    html = _render(env, "index.html", page=page, groups=groups, left_out=[list(x) for x in report.left_out],
                   site={"title": settings.site_title, "organisation": settings.organisation,
                         "language": settings.language, "topic": settings.topic})
    (site / "index.html").write_text(html, encoding="utf-8")
