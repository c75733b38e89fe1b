"""Stage 2, validate: references, integrity rules and analytic standards, all problems at once."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefwright.check.glossary import check_abbreviations
from briefwright.check.markings import check_briefs, check_public_repository, markings_of
from briefwright.core import markup
from briefwright.core.audiences import AUDIENCES, SECTION_ITEMS
from briefwright.core.chart_kinds import CHART_KINDS
from briefwright.core.diagnostics import Collector, Diagnostic, Loc, nearest
from briefwright.core.model import (
    HEDGES,
    ID_PATTERN,
    MODAL_HEDGES,
    Attribution,
    Brief,
    Chart,
    Confidence,
    Entity,
    Fact,
    GlossaryTerm,
    Judgment,
    Likelihood,
    Markdown,
    Record,
    Source,
    Status,
    UrlStatus,
    parse_plan,
)
from briefwright.source.project import Project

_CONFIDENCE_WORDS = re.compile(r"\b(high|moderate|low)\s+confidence\b|\bconfiden(t|ce)\b", re.I)
_LIKELIHOOD_TERMS = sorted((m.value for m in Likelihood), key=len, reverse=True)
_LIKELIHOOD_RE = re.compile(r"\b(" + "|".join(re.escape(t) for t in _LIKELIHOOD_TERMS) + r")\b", re.I)
_HEDGE_RE = re.compile(r"\b(" + "|".join(re.escape(h) for h in sorted(HEDGES, key=len, reverse=True)) + r")\b", re.I)
_MONTH_MAY = re.compile(r"\bMay\b(?=,?\s+\d)|(?<=\d\s)May\b")  # the month, not the verb
_WARN_ONLY = MODAL_HEDGES | {"possible"}  # also plain English ("the only possible supplier"): a warning
_EXTREME_ROWS = {Likelihood.ALMOST_CERTAIN.row: "very likely", Likelihood.REMOTE.row: "very unlikely"}


def hedges_in(text: str) -> list[re.Match]:
    """Likelihood words that are not ICD 203 terms (probably, highly likely, may...), longest first."""
    months = {m.start() for m in _MONTH_MAY.finditer(text)}
    return [m for m in _HEDGE_RE.finditer(text) if m.start() not in months]


def likelihood_terms_in(text: str) -> list[Likelihood]:
    """ICD 203 terms used in a text, longest first so 'very likely' is not read as 'likely'; a term inside a
    non-ICD phrase ('highly likely') is that phrase's, not a use of the term."""
    for m in reversed(hedges_in(text)):
        text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return [Likelihood(m.group(1).lower()) for m in _LIKELIHOOD_RE.finditer(text)]


_PLANS: dict = {}


def _plan(cls: type) -> list:
    """Per record class, once: (field, ref kind, is Markdown, nested record class) for the fields that matter."""
    if cls not in _PLANS:
        plan = []
        for name, tp, item, _, _, spec in parse_plan(cls):
            inner = item or tp
            nested = inner if isinstance(inner, type) and issubclass(inner, Record) else None
            if spec.get("ref") or inner is Markdown or nested:
                plan.append((name, spec.get("ref"), inner is Markdown, nested))
        _PLANS[cls] = plan
    return _PLANS[cls]


def _walk(record: Record) -> Iterator[tuple[Record, str, str | None, bool, Any]]:
    """Yield (record, field name, ref kind, is Markdown, value) for every checked field, nested records too."""
    for name, ref, is_markdown, nested in _plan(type(record)):
        value = getattr(record, name)
        yield record, name, ref, is_markdown, value
        if nested is not None and value is not None:
            for child in (value if isinstance(value, list) else [value]):
                yield from _walk(child)


def _check_record(record: Record, project: Project, out: Collector) -> None:
    """A record's references and Markdown fields, nested records too, in one pass over its fields."""
    for owner, name, kind, is_markdown, value in _walk(record):
        if value is None:
            continue
        if kind:
            _check_references(owner, name, kind, value, project, out)
        if is_markdown:
            _check_markdown(owner, name, value, project, out)


def _check_references(owner: Record, name: str, kind: str, value: Any, project: Project, out: Collector) -> None:
    table = project.table(kind)
    many = isinstance(value, list)
    values = value if many else [value]
    distinct = set(values)
    if len(distinct) == len(values) and distinct <= table.keys():
        return  # the common case: decided without a step in Python per reference
    for i, ref in enumerate(values):
        if ref in table:
            continue
        if (kind, ref) in project.broken:
            _unchecked(project, kind, ref, out)
            continue
        close = nearest(ref, table)
        hint = ("did you mean " + ", ".join(f"'{c}'" for c in close) + "?") if close else None
        out.error(owner.at(name, i if many else None), f"{_no_such(kind, ref)}" + (f" ({hint})" if hint else ""),
                  hint=hint)
    if len(distinct) != len(values):
        seen = set()
        for i, ref in enumerate(values):
            if ref in seen:
                out.error(owner.at(name, i), f"{kind} '{ref}' is listed twice")
            seen.add(ref)


def _unchecked(project: Project, kind: str, ref: str, out: Collector) -> None:
    """A reference into a record that failed to load is not reported: that failure is the one cause. For a
    file YAML could not read, the summary counts such references against it."""
    cause = project.broken[(kind, ref)]
    if cause is not None:
        out.unchecked(cause)


def _no_such(kind: str, ref: str) -> str:
    # "unknown unknown 'x'" reads as a stutter; an open question is named as such.
    return f"no unknown (open question) with id '{ref}'" if kind == "unknown" else f"unknown {kind} '{ref}'"


def _check_markdown(owner: Record, name: str, value: Any, project: Project, out: Collector) -> None:
    many = isinstance(value, list)
    for i, text in enumerate(value if many else [value]):
        if "<" not in text and "[" not in text and "]" not in text:
            continue  # nothing markup.problems or a citation can match: no tag, link, image, footnote or [@...]
        loc = owner.at(name, i if many else None)
        for problem in markup.problems(text):
            out.error(loc, problem)
        _check_citations(owner, name, text, project, out, loc)


def _check_citations(owner: Record, name: str, text: str, project: Project, out: Collector,
                     loc: Loc | None = None) -> None:
    """[@source-id] citations are checked like any reference, in the fields that may cite."""
    groups = markup.citations(text)
    if not groups:
        return
    where = loc or owner.at(name)
    spec = next(spec for field_name, *_, spec in parse_plan(type(owner)) if field_name == name)
    if not spec.get("cites"):
        label = getattr(type(owner), "LABEL", "") or type(owner).KIND or type(owner).__name__.lower()
        out.error(where, f"{label} field '{name}' cannot cite sources with [@...]: citations belong in a "
                  "brief's bottom_line, a section's intro and a judgment's basis; a record names its sources "
                  "in its 'sources' list")
        return
    for ids in groups:
        for ref in ids:
            if not ID_PATTERN.match(ref):
                out.error(where, f"citation [@{ref}] does not name a source id (lower-case letters, digits "
                          "and hyphens); write [@source-id], or [@one; @two] for several")
            elif ref in project.sources:
                continue
            elif ("source", ref) in project.broken:
                _unchecked(project, "source", ref, out)
            else:
                close = nearest(ref, project.sources)
                hint = ("did you mean " + ", ".join(f"'{c}'" for c in close) + "?") if close else None
                out.error(where, f"citation [@{ref}]: unknown source '{ref}'" + (f" ({hint})" if hint else ""),
                          hint=hint)


def check_judgment(judgment: Judgment, out: Collector) -> None:
    used = likelihood_terms_in(judgment.statement)
    chosen = judgment.likelihood
    hedged = False
    for m in hedges_in(judgment.statement):
        word = m.group(1).lower()
        close = " or ".join(f"'{t}'" for t in HEDGES[word])
        if word in MODAL_HEDGES:
            out.warning(judgment.at("statement"), f"judgment '{judgment.id}' says '{m.group(1)}', which states no "
                        f"likelihood; use an ICD 203 term (e.g. {close}) or recast the sentence")
        elif word in _WARN_ONLY:
            out.warning(judgment.at("statement"), f"judgment '{judgment.id}' uses '{m.group(1)}', which is not an "
                        f"ICD 203 likelihood term; did you mean {close}?")
        else:
            hedged = True
            out.error(judgment.at("statement"), f"judgment '{judgment.id}' uses '{m.group(1)}', which is not an "
                      f"ICD 203 likelihood term; did you mean {close}?", hint=f"ICD 203 terms: {Likelihood.scale()}")
    if chosen is not None and chosen.row in _EXTREME_ROWS and judgment.confidence is not Confidence.HIGH:
        out.warning(judgment.at("likelihood"), f"judgment '{judgment.id}' is '{chosen.value}' ({chosen.row}) with only "
                    f"{judgment.confidence.value} confidence; a likelihood that extreme needs high confidence: raise "
                    f"the confidence if the evidence allows, or use '{_EXTREME_ROWS[chosen.row]}'")
    if chosen is not None and not hedged:
        if not any(term.row == chosen.row for term in used):
            out.error(judgment.at("statement"),
                      f"judgment '{judgment.id}' sets likelihood '{chosen.value}' but its statement does not use it")
    for term in used:
        if chosen is None:
            out.error(judgment.at("statement"), f"judgment '{judgment.id}' uses the likelihood term '{term.value}' but sets no likelihood")
        elif term.row != chosen.row:
            out.error(judgment.at("statement"), f"judgment '{judgment.id}' mixes likelihood rows: '{term.value}' ({term.row}) "
                      f"is not in the row of '{chosen.value}' ({chosen.row})")
    for sentence in re.split(r"(?<=[.!?])\s+", judgment.statement):
        if likelihood_terms_in(sentence) and _CONFIDENCE_WORDS.search(sentence):
            out.error(judgment.at("statement"), f"judgment '{judgment.id}' states likelihood and confidence in the same sentence; "
                      "put confidence in the 'confidence' field")
            break
    if chosen is None and not used and _CONFIDENCE_WORDS.search(judgment.statement):
        out.error(judgment.at("statement"), f"judgment '{judgment.id}' states confidence in its text; use the 'confidence' field")


def validate(project: Project, out: Collector, templates: set[str] | None = None, today: dt.date | None = None) -> None:
    """Check everything that can be checked before rendering; report each problem located."""
    for kind in ("source", "fact", "caveat", "unknown", "event", "chart", "judgment", "entity", "term", "brief"):
        for record in project.table(kind).values():
            _check_record(record, project, out)
    for fact in project.facts.values():
        check_sides(fact, out)
    for chart in project.charts.values():
        check_chart_kind(chart, project, out)
    for judgment in project.judgments.values():
        check_judgment(judgment, out)

    check_audiences(project, out, templates)
    for brief in project.briefs.values():
        check_brief_shape(brief, project, templates, out)
    check_briefs(project, out)
    check_public_repository(project, out)

    today = today or dt.date.today()
    limit = dt.timedelta(days=project.settings.review_days)
    for fact in project.facts.values():
        if today - fact.as_of > limit:
            out.warning(fact.at("as_of"), f"fact '{fact.id}' is stale: as of {fact.as_of}, older than the review interval "
                        f"of {project.settings.review_days} days")
    for source in project.sources.values():
        check_source(source, today, out)
    check_link_settings(project, out)
    if not out.errors:  # it follows every reference a brief makes, which must resolve first
        check_archived_copies(project, out)
    for entity in project.entities.values():
        check_entity(entity, out)
    check_glossary(project, out)
    check_abbreviations(project, out)
    for judgment in project.judgments.values():
        check_interested_basis(judgment, project, out)
    for brief in project.briefs.values():
        check_unshown_entities(brief, project, out)
        check_slide_charts(brief, project, out)
    for judgment in project.judgments.values():
        check_window(judgment, project, today, out)


def check_sides(fact: Fact, out: Collector) -> None:
    """A conflicting fact gives both sides; only a conflicting fact has sides."""
    if fact.status is Status.CONFLICTING and len(fact.sides) < 2:
        out.error(fact.at("status"),
                  f"fact '{fact.id}' is conflicting: give both sides under 'sides' (at least two), each with its sources")
    if fact.sides and fact.status is not Status.CONFLICTING:
        out.error(fact.at("sides"), f"fact '{fact.id}' has sides but its status is '{fact.status.value}', not 'conflicting'")


def check_chart_kind(chart: Chart, project: Project, out: Collector) -> None:
    """A chart names a registered kind, which checks the chart's own fields."""
    chart_kind = CHART_KINDS.get(chart.kind)
    if chart_kind is None:
        out.error(chart.at("kind"), f"unknown chart kind '{chart.kind}'; registered kinds: {', '.join(sorted(CHART_KINDS))}")
    else:
        chart_kind.check(chart, project, out)


def check_brief_shape(brief: Brief, project: Project, templates: set[str] | None, out: Collector) -> None:
    """A brief's audience, page limit and template exist, and it shows something."""
    audience = project.audiences.get(brief.audience)
    if audience is None:
        out.error(brief.at("audience"), f"unknown audience '{brief.audience}'; use one of: "
                  f"{', '.join(project.audiences)} (or declare it under 'audiences' in project.yaml)")
    elif project.page_limit(brief) is None:
        out.error(brief.at("audience"), f"brief '{brief.id}' sets no page_limit and audience '{audience.id}' "
                  "has no default one; set page_limit in the brief, or for the audience in project.yaml")
    template = brief.template or (audience.template if audience else None)
    if templates is not None and template and template not in templates:
        out.error(brief.at("template") if brief.template else brief.at("audience"),
                  f"template '{template}' not found in templates/")
    if not any(s.facts or s.judgments or s.charts or s.events for s in brief.sections):
        out.error(brief.at("sections"), f"brief '{brief.id}' uses no facts, judgments, charts or events")


def check_slide_charts(brief: Brief, project: Project, out: Collector) -> None:
    """Slide-only charts need slides to go on, and a chart a section already shows would be drawn twice."""
    if not brief.slide_charts:
        return
    audience = project.audiences.get(brief.audience)
    if not (brief.slides if brief.slides is not None else audience is not None and audience.slides):
        out.error(brief.at("slide_charts"), f"brief '{brief.id}' has slide_charts but no slides, so they would "
                  "never be drawn; set slides: true, or move the charts into a section")
    in_sections = {c: s.title for s in brief.sections for c in s.charts}
    for i, chart in enumerate(brief.slide_charts):
        if chart in in_sections:
            out.error(brief.at("slide_charts", i), f"chart '{chart}' is already in section "
                      f"'{in_sections[chart]}', which the slides show; list it once")
        elif chart in brief.slide_charts[:i]:
            out.error(brief.at("slide_charts", i), f"chart '{chart}' is listed twice in slide_charts")


def check_unshown_entities(brief: Brief, project: Project, out: Collector) -> None:
    """Entities in a section of a brief whose audience has no screening table would silently not be shown."""
    audience = project.audiences.get(brief.audience)
    if audience is not None and not audience.screening:
        for section in brief.sections:
            if section.entities:
                out.warning(section.at("entities"), f"brief '{brief.id}': audience '{audience.id}' has no "
                            "screening table, so this section's entities are not shown; set screening: true for "
                            "the audience in project.yaml, or remove them")


def check_window(judgment: Judgment, project: Project, today: dt.date, out: Collector) -> None:
    """A forecast whose window has ended is history, not a forecast: the desk must judge it again."""
    if judgment.window is None or judgment.window.end >= today:
        return
    shown = [b.id for b in project.sorted_briefs() if any(judgment.id in s.judgments for s in b.sections)]
    where = f" (shown in {', '.join(shown)})" if shown else ""
    out.warning(judgment.at("window"), f"judgment '{judgment.id}'{where} forecasts a window that ended on "
                f"{judgment.window.end}; judge it again and set a new window, or take it out of the briefs")


def check_interested_basis(judgment: Judgment, project: Project, out: Collector) -> None:
    """A judgment every source of whose facts has a stake in it stands on what interested parties say."""
    try:
        ids = [s for fid in judgment.rests_on for s in project.facts[fid].sources]
        ids += [s for fid in judgment.rests_on for side in project.facts[fid].sides for s in side.sources]
        sources = [project.sources[s] for s in dict.fromkeys(ids)]
    except KeyError:
        return  # a dangling reference, reported by reference checking
    if sources and all(source.interest is not None for source in sources):
        stakes = ", ".join(f"{s.id} ({s.interest.value})" for s in sources if s.interest is not None)
        out.warning(judgment.at("rests_on"), f"judgment '{judgment.id}' rests only on interested sources: {stakes}; "
                    "add a fact from an independent source, or say in its basis why these suffice")


_COUNTRY = re.compile(r"^[A-Z]{2}$")
# BCP 47 in outline: a language subtag, then script, region or variant subtags (zh-Hans, sr-Latn-RS, en-GB).
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def check_entity(entity: Entity, out: Collector) -> None:
    """What the parser cannot see: codes in their standard shapes, and no name listed twice."""
    if entity.country is not None and not _COUNTRY.match(entity.country):
        out.error(entity.at("country"), f"entity '{entity.id}': country '{entity.country}' is not an ISO 3166 alpha-2 "
                  "code; write two capital letters, e.g. CN, US, GB")
    seen = {entity.name.casefold(): "its name"}
    if entity.legal_name:
        seen.setdefault(entity.legal_name.casefold(), "its legal_name")
    for alias in entity.aliases:
        if alias.lang is not None and not _LANGUAGE_TAG.match(alias.lang):
            out.error(alias.at("lang"), f"entity '{entity.id}': alias lang '{alias.lang}' is not a BCP 47 language "
                      "tag; write e.g. zh-Hans, zh-Hant, ru or en")
        key = alias.name.casefold()
        if key in seen:
            out.warning(alias.at("name"), f"entity '{entity.id}': alias '{alias.name}' repeats {seen[key]}; "
                        "remove it")
        seen.setdefault(key, "another alias")


def check_glossary(project: Project, out: Collector) -> None:
    """One entry per term: two expansions of one abbreviation would make the first use ambiguous."""
    first: dict[str, GlossaryTerm] = {}
    for term in project.terms.values():
        if term.term.strip() != term.term or "\n" in term.term:
            out.error(term.at("term"), f"glossary term '{term.id}': term '{term.term}' must be written as it appears "
                      "in text, without surrounding spaces")
        earlier = first.setdefault(term.term, term)
        if earlier is not term:
            out.error(term.at("term"), f"glossary term '{term.id}': '{term.term}' is already defined by glossary "
                      f"term '{earlier.id}' (at {earlier.at('term')}); keep one entry per abbreviation")


def check_audiences(project: Project, out: Collector, templates: set[str] | None) -> None:
    """The audiences project.yaml declares: distinct ids, an existing template, each section item once."""
    seen: dict[str, Loc] = {}
    for declared in project.settings.audiences:
        if declared.id in seen:
            out.error(declared.at("id"), f"audience '{declared.id}' is declared twice (first at line {seen[declared.id].line})")
        seen.setdefault(declared.id, declared.at("id"))
        if declared.label is None and declared.id not in AUDIENCES:
            out.error(declared.at("id"), f"audience '{declared.id}' has no label; say who it is for, as briefs and the "
                      "site show it (label: Board members)")
        if templates is not None and declared.template not in templates:
            out.error(declared.at("template"), f"audience '{declared.id}': template '{declared.template}' not found "
                      "in templates/")
        order = [part.value for part in declared.order]
        missing = sorted(SECTION_ITEMS - set(order))
        twice = sorted({part for part in order if order.count(part) > 1})
        if missing or twice:
            what = "; ".join(filter(None, [f"missing {', '.join(missing)}" if missing else "",
                                           f"listed twice: {', '.join(twice)}" if twice else ""]))
            out.error(declared.at("order"), f"audience '{declared.id}': order must list each of judgments, facts, "
                      f"charts, events, caveats and unknowns once ({what})")


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def check_source(source: Source, today: dt.date, out: Collector) -> None:
    """The fields each kind of source needs, and only those: an address only where one exists."""
    kind, sid = source.kind, source.id
    if source.interest_note is not None and source.interest is None:
        out.warning(source.at("interest_note"), f"source '{sid}' has an interest_note but no 'interest': say whose "
                    "stake it is (subject, supplier, customer, competitor, government, funded-by or advocate)")
    if source.url is None and kind.needs_url:
        out.error(source.at("kind"), f"source '{sid}' has no url; {_a(kind.value)} source is read online, so a reader "
                  "needs its address (for a document with none, use kind book, report, dataset, legal or internal; "
                  "for what was said to you, interview or conversation)")
    if source.url is not None and source.retrieved is None:
        out.error(source.at("url"), f"source '{sid}' has a url but no 'retrieved' date: say when it was last read "
                  "(YYYY-MM-DD), since pages change")
    if source.retrieved is not None and source.retrieved > today:
        out.error(source.at("retrieved"), f"source '{sid}' was retrieved in the future ({source.retrieved})")
    if source.archived is not None and source.archived_url is None:
        out.error(source.at("archived"), f"source '{sid}' has an 'archived' date but no archived_url: give the archived "
                  "copy's address, or remove the date")
    elif source.archived is not None and source.archived > today:
        out.error(source.at("archived"), f"source '{sid}' was archived in the future ({source.archived})")
    if source.url is None and not kind.spoken:
        for name in ("archived_url", "url_status"):
            if getattr(source, name) is not None:
                out.error(source.at(name), f"source '{sid}' has '{name}' but no url: give the original address in "
                          "'url' (with url_status: dead if it no longer answers)")
    elif source.url_status is UrlStatus.DEAD and source.archived_url is None:
        out.warning(source.at("url_status"), f"source '{sid}' is marked dead and has no archived copy, so its notes "
                    "give readers an address that no longer answers; find a copy (an archive's listing of "
                    f"{source.url}) and add it as archived_url, or cite another source")
    if kind.spoken:
        for name in ("publisher", "author", "pages", "archived_url", "archived", "url_status"):
            if getattr(source, name) is not None:
                out.error(source.at(name), f"source '{sid}' is {_a(kind.value)}: it has no '{name}' (who spoke goes "
                          "in 'person', the rule for naming them in 'attribution')")
        if source.attribution is None:
            out.error(source.at("kind"), f"source '{sid}' is {_a(kind.value)}: say how it may be attributed with "
                      "'attribution' (on-record, not-for-attribution, background or chatham-house)")
        elif source.attribution is Attribution.CHATHAM_HOUSE and source.person is not None:
            out.error(source.at("person"), f"source '{sid}' is under the Chatham House Rule, which forbids revealing "
                      "the speaker's identity or affiliation; remove 'person'")
        elif source.person is None and kind.value == "interview" and source.attribution is not Attribution.CHATHAM_HOUSE:
            out.error(source.at("kind"), f"source '{sid}' is an interview: say who was interviewed in 'person' (a "
                      "name only on the record; else a description such as 'a former export-control official')")
    else:
        for name in ("person", "attribution"):
            if getattr(source, name) is not None:
                out.error(source.at(name), f"source '{sid}' is {_a(kind.value)} source: '{name}' is only for an "
                          "interview or a conversation")
        if source.publisher is None:
            out.error(source.at("kind"), f"source '{sid}' has no publisher; say who published it")
        if kind.value == "book" and source.author is None:
            out.error(source.at("kind"), f"source '{sid}' is a book: name its author(s) in 'author'")


def check_link_settings(project: Project, out: Collector) -> None:
    links = project.settings.links
    if links is None:
        return
    if links.per_host > 2:
        out.error(links.at("per_host"), f"links per_host: {links.per_host} requests at a time to one host is more "
                  "than a polite checker opens; use 1 or 2")
    if links.delay_seconds < 0:
        out.error(links.at("delay_seconds"), "links delay_seconds: must be 0 or more")
    if links.timeout_seconds <= 0:
        out.error(links.at("timeout_seconds"), "links timeout_seconds: must be more than 0")


NOTED_UNARCHIVED = 10  # notes beyond this many are one line; with require_archive every one is a warning


def unarchived(project: Project, brief_ids: list[str] | None = None) -> dict[str, list[str]]:
    """Cited sources with an address and no archived copy, each with the briefs citing it, most recently read
    first: an address read lately is the one most likely to be captured as the analyst saw it."""
    found: dict[str, list[str]] = {}
    for brief in project.sorted_briefs():
        if brief_ids is not None and brief.id not in brief_ids:
            continue
        for sid in markings_of(project).cited_sources(brief):
            source = project.sources[sid]
            if source.url is not None and source.archived_url is None:
                found.setdefault(sid, []).append(brief.id)
    order = sorted(found, key=lambda sid: (-(project.sources[sid].retrieved or dt.date.min).toordinal(), sid))
    return {sid: found[sid] for sid in order}


def release_archives(project: Project, brief_id: str) -> list[Diagnostic]:
    """With links: {require_archive: true}, an error for each address the brief cites without an archived copy."""
    if project.settings.links is None or not project.settings.links.require_archive:
        return []
    return [Diagnostic(project.sources[sid].at("url"), f"brief '{brief_id}' cites source '{sid}', which has no "
                       "archived copy, and project.yaml sets links require_archive; run `briefwright links archive`, "
                       "commit, then release", hint="`links archive` writes archived_url and archived here")
            for sid in unarchived(project, [brief_id])]


def check_archived_copies(project: Project, out: Collector) -> None:
    """A cited address without an archived copy: noted while it can still be captured as it was read; a warning
    (so --strict fails) where project.yaml sets links: {require_archive: true}, as `release` then refuses it."""
    required = project.settings.links is not None and project.settings.links.require_archive
    missing = unarchived(project)
    for count, (sid, briefs) in enumerate(missing.items()):
        if not required and count == NOTED_UNARCHIVED:
            out.note(project.sources[sid].at("url"), f"and {len(missing) - count} more cited sources have no archived "
                     "copy; `briefwright links archive` asks for every one")
            break
        cited_by = ", ".join(briefs[:-1]) + " and " + briefs[-1] if len(briefs) > 1 else briefs[0]
        said = f"source '{sid}' is cited by {cited_by} and has no archived copy"
        hint = "run `briefwright links archive`, which writes archived_url and archived here"
        if required:
            out.warning(project.sources[sid].at("url"), f"{said}; links require_archive is set, so release refuses "
                        "these briefs", hint=hint)
        else:
            out.note(project.sources[sid].at("url"), f"{said}; an archive can still capture the page as it was read",
                     hint=hint)


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&#?\w+;")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def check_template_numbers(dirs: list[Path], out: Collector) -> None:
    """Numbers a reader sees must come from facts: refuse digits typed into a template's text."""
    for folder in dirs:
        for path in sorted(folder.rglob("*.html")):
            for line, col, number in _typed_numbers(path.read_text(encoding="utf-8")):
                out.error(Loc(path, line, col), f"number '{number}' typed into template text; numbers must come "
                          "from facts' quantities or the brief's data")


@lru_cache(maxsize=256)
def _typed_numbers(text: str) -> tuple[tuple[int, int, str], ...]:
    """Line, column and digits of each number in a template's text outside its tags, styles and entities. Kept by
    the text: every check reads the same templates again (a warm process, the tests)."""
    for pattern in (_JINJA, _STYLE, _TAG, _ENTITY):
        text = pattern.sub(_blank, text)
    found = []
    for m in _DIGITS.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        found.append((line, col, m.group(0)))
    return tuple(found)
