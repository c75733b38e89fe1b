"""The resolved brief (issue 26, item 3): resolve gives a frozen `ResolvedBrief` no later stage can change; a
translated edition is resolved from a translated view of the project, in its language from the start; and one
`ChannelView` decides what a channel sees, so a record above it reaches no stage after `check`."""
from __future__ import annotations

import dataclasses
import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, copy_project
from test_markings import CANARIES, RESTRICTED, RESTRICTED_BRIEF

from briefwright.builder import pipeline
from briefwright.check.channel import ChannelView
from briefwright.core.cache import digest, plain_json
from briefwright.core.diagnostics import Collector
from briefwright.core.model import Marking
from briefwright.resolve.resolved import ResolvedBrief
from briefwright.resolve.resolver import resolve
from briefwright.resolve.translations import resolve_translations, translated_project
from briefwright.site import pages


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> pipeline.Checked:
    project = copy_project(FIXTURES / "translated", tmp_path_factory.mktemp("resolved") / "project")
    return pipeline.check(project, private=False)


def test_no_stage_can_change_a_resolved_brief(checked):
    brief = next(b for b in resolve(checked.project, previous=checked.previous) if b.id == "sample")
    assert isinstance(brief, ResolvedBrief) and brief["title"] == brief.title
    with pytest.raises(dataclasses.FrozenInstanceError):
        brief.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        brief["alternates"] = []  # type: ignore[index]
    section = next(s for s in brief.sections if s["facts"])
    with pytest.raises(TypeError):
        section["title"] = "changed"  # type: ignore[index]
    with pytest.raises(AttributeError):
        section["facts"].append({})  # a tuple
    with pytest.raises(TypeError):
        section["facts"][0]["status"]["label"] = "changed"
    # What it was made from, unchanged: its data, its JSON (so every cache key), and a copy sent to a worker.
    data = brief.to_data()
    data["title"] = "a caller's own copy"
    assert brief.title != "a caller's own copy"
    assert list(brief.to_data()) == list(brief) == [f.name for f in dataclasses.fields(ResolvedBrief)]
    plain = json.loads(json.dumps(brief.to_data()))
    assert json.dumps(brief, default=plain_json, sort_keys=True) == json.dumps(plain, sort_keys=True)
    assert digest("html", brief) == digest("html", plain)
    assert pickle.loads(pickle.dumps(brief)).to_data() == brief.to_data()


def test_a_translated_edition_is_resolved_from_a_translated_view_in_its_language(checked):
    project = checked.project
    view = ChannelView.everything(project)
    english = resolve(view, ["sample"], checked.previous, recorded=checked.recorded)
    out = Collector()
    editions = resolve_translations(view, english, checked.translations, lambda brief_id, lang: [], None, out,
                                    checked.previous, checked.recorded)
    assert not out.errors
    french = next(e for e in editions.editions if e.language == "fr")
    assert isinstance(french, ResolvedBrief)
    assert french.translation is not None and french.translation["lang"] == "fr"
    entries = checked.translations["fr"].entries
    # The records it printed carry the translation: the resolver read them so, nothing replaced text afterwards.
    assert french.title == entries["brief/sample/title"].text
    charts = [c for s in french.sections for c in s["charts"]]
    assert charts and all(c["source_line"].startswith("Sources\u00a0: ") for c in charts)  # the French engine words
    assert french.audience["label"] != english[0].audience["label"]
    assert french.date_display != english[0].date_display
    assert [a["lang"] for a in french.alternates] == ["en", "zh-Hans", "fr"] and french.url is None

    # The translated view is a new project: its indexes are made from its own (translated) records, the
    # project it was made from is untouched.
    caveat_id = next(k.split("/")[1] for k in entries if k.startswith("caveat/") and k.endswith("/title"))
    fact_id = project.caveats[caveat_id].applies_to[0]
    table = [p for p in _portions(project, english[0], checked.translations["fr"])]
    translated = translated_project(project, "fr", table, fallback=False)
    assert translated is not project and translated.caveats is not project.caveats
    assert [c.title for c in translated.caveats_of(fact_id) if c.id == caveat_id] == [entries[f"caveat/{caveat_id}/title"].text]
    assert [c.title for c in project.caveats_of(fact_id) if c.id == caveat_id] == [entries[f"caveat/{caveat_id}/title"].english]


def _portions(project: Any, english: ResolvedBrief, language: Any) -> list:
    from briefwright.resolve.translations import portions, shown_fields
    return portions(shown_fields(project, english), language)


def test_a_channel_view_keeps_a_restricted_record_from_every_later_stage(tmp_path, monkeypatch):
    """Restricted records of every kind and a restricted brief, built for the public channel: the resolved briefs,
    the pages rendered, the jobs given to the formats and the site pages' project and context hold none of them."""
    project = shutil.copytree(FIXTURES / "minimal", tmp_path / "project")
    (project / "content" / "restricted.yaml").write_text(RESTRICTED, encoding="utf-8")
    (project / "briefs" / "canary-brief.yaml").write_text(RESTRICTED_BRIEF, encoding="utf-8")
    checked = pipeline.check(project)  # `check` sees everything; what follows it sees the channel
    received: dict[str, list[Any]] = {}

    def spy(module: Any, name: str, keep: Any = None) -> None:
        real = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            received.setdefault(name, []).append(keep(args, result) if keep else (args, kwargs, result))
            return result
        monkeypatch.setattr(module, name, wrapper)

    # resolve is given the view (it must count what a brief may not quote); it reads only the view's project.
    spy(pipeline, "resolve", lambda args, result: (args[0].project, result))
    spy(pipeline, "resolve_translations", lambda args, result: (args[1], result.editions))
    spy(pipeline, "render_html")
    spy(pipeline, "check_rendered")
    spy(pipeline, "run_job")
    spy(pages, "site_context")
    spy(pages, "site_pages")
    report = pipeline.build(pipeline.BuildOptions(root=project, out=tmp_path / "site", cache_dir=tmp_path / "cache",
                                                  formats=["html", "docx"]), checked)
    assert report.left_out == [("canary-brief", "TLP:AMBER")]
    assert {"resolve", "resolve_translations", "render_html", "check_rendered", "run_job", "site_context",
            "site_pages"} <= set(received)
    view_project = received["resolve"][0][0]
    assert "canary-fact" not in view_project.facts and "canary-brief" not in view_project.briefs
    everything = _text(received).lower()
    assert "widget-launch" in everything  # what the channel carries did reach them
    leaks = sorted({c for c in CANARIES if c.lower() in everything})
    assert not leaks, f"reached a stage after check: {leaks}"

    # The same project built for the channel that carries them: the canaries do reach those stages.
    received.clear()
    pipeline.build(pipeline.BuildOptions(root=project, out=tmp_path / "amber", cache_dir=tmp_path / "cache",
                                         formats=["html"], max_marking=Marking.AMBER), checked)
    assert "canary-fact" in _text(received).lower()


def _text(value: Any) -> str:
    """Everything a stage was handed, as text: resolved briefs as JSON, projects by their records."""
    if isinstance(value, ResolvedBrief):
        return json.dumps(value.to_data(), ensure_ascii=False)
    if isinstance(value, dict | list | tuple):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return " ".join(f"{k} {_text(v)}" for k, v in items)
    if isinstance(value, pipeline.Project):
        return " ".join(f"{kind} {_text(list(value.table(kind).items()))}"
                        for kind in ("source", "fact", "caveat", "unknown", "event", "chart", "judgment", "entity",
                                     "term", "brief"))
    if isinstance(value, Path | str | int | float | bool) or value is None:
        return str(value)
    return repr(value)
