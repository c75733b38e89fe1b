"""A brief's language editions: which languages it is printed in, where each edition lives, how they link."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from briefwright.core import i18n


def languages_of(brief: Any, project: Any) -> list[str]:
    """The brief's languages, the source first: [project language] when it lists none."""
    return list(getattr(brief, "languages", None) or []) or [project.settings.language]


def edition_key(brief: Mapping[str, Any]) -> str:
    """Where an edition lives under briefs/: the brief's id for the source, `<id>/<lang>` for a translation."""
    translation = brief.get("translation")
    return str(brief["id"]) if not translation else f"{brief['id']}/{translation['lang']}"


def file_stem(brief_id: str, lang: str | None) -> str:
    """A download's name without its suffix: `<id>` for the source, `<id>.<lang>` for a translation, so two
    editions saved into one folder never overwrite each other."""
    return brief_id if lang is None else f"{brief_id}.{lang}"


def alternates(brief_id: str, languages: list[str], here: str | None, base_url: str | None) -> list[dict[str, Any]]:
    """Every edition of a brief, as links from the edition in language `here` (None: the source): its language,
    name, href from that page, path from the site root, and absolute URL when the site has one."""
    result = []
    for i, lang in enumerate(languages):
        path = f"briefs/{brief_id}/index.html" if i == 0 else f"briefs/{brief_id}/{lang}/index.html"
        if here is None:
            href = "index.html" if i == 0 else f"{lang}/index.html"
        else:
            href = "../index.html" if i == 0 else f"../{lang}/index.html"
        result.append({"lang": lang, "name": i18n.language_name(lang), "href": href, "path": path,
                       "url": f"{base_url}{path}" if base_url else None, "current": lang == (here or languages[0])})
    return result
