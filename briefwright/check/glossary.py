"""Abbreviations: what counts as one, their expansion at first use in a brief, and the check for those a
reader-facing brief uses without a glossary entry.

Expansion works on the text a brief prints, in the order the resolver produces it (the order that numbers
the notes, which is print order). Only running text is expanded: prose, statements, caveat bodies, open
questions, chart captions and the screening actions. Headings, titles, table cells and the notes are read
for terms (so the glossary lists them) but never rewritten, and nothing inside a link, code, a footnote or a
URL is touched. Matching is case-sensitive and whole-word: BIS never matches inside BISON or bis.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefwright.core.diagnostics import Collector, Loc
from briefwright.core.model import Brief, GlossaryTerm, Record

if TYPE_CHECKING:
    from briefwright.source.project import Project

# Roman numerals (Annex III, World War II) are numbers, not abbreviations.
_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
# A word of ASCII letters and digits with at least two capitals: the only words `abbreviation` may accept.
_CANDIDATE = re.compile(r"(?<![\w])(?=[a-z0-9]*[A-Z][a-z0-9]*[A-Z])[A-Za-z0-9]+(?![\w])")
_URL_LIKE = re.compile(r"://|^www\.|@")
_SKIPPED_TAGS = frozenset({"a", "code", "pre", "script", "style", "sup"})
_VOID_TAGS = frozenset({"br", "wbr", "hr", "img"})
_TAG = re.compile(r"(<[^>]*>)")


def abbreviation(token: str) -> str | None:
    """The abbreviation a word is, or None. The rule: at least two capital letters, and capitals are more than
    half its letters (digits and lower-case letters may mix in: FP16, TFLOPS, HBM2e, DiT), so CamelCase names
    (DeepSeek, GitHub, OpenAI) and Roman numerals are not abbreviations. A plural 's' is dropped (GPUs -> GPU)."""
    letters = [c for c in token if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    if capitals < 2 or capitals * 2 <= len(letters) or _ROMAN.match(token):
        return None
    if token.endswith("s") and len(token) > 2 and token[:-1].isupper():
        return token[:-1]
    return token


def _outside_urls(text: str) -> str:
    """The text with every URL-like word (an address, an e-mail) blanked, so nothing in it is read as a word."""
    if "://" not in text and "www." not in text and "@" not in text:
        return text  # nothing URL-like (most texts): no pass over every word
    return re.sub(r"\S+", lambda m: " " * len(m.group(0)) if _URL_LIKE.search(m.group(0)) else m.group(0), text)


def abbreviations_in(text: str) -> list[str]:
    """The abbreviations a Markdown or plain text uses, in order, once each; code spans, URLs and link
    targets are left out."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    text = re.sub(r"\[@[^\]]*\]", " ", text)
    found = (abbreviation(m.group(0)) for m in _CANDIDATE.finditer(_outside_urls(text)))
    return list(dict.fromkeys(a for a in found if a))


@dataclass
class Expander:
    """One brief's glossary: expands each term at its first use and remembers which terms the brief uses."""

    terms: Iterable[GlossaryTerm]
    # False in a translated edition: a translator spells names out as the language does (美国商务部工业与安全局
    # （BIS）), so the English "expansion (TERM)" is never inserted; the terms are still noted and listed.
    expanding: bool = True
    by_term: dict[str, GlossaryTerm] = field(init=False)
    expanded: set[str] = field(default_factory=set, init=False)
    used: dict[str, None] = field(default_factory=dict, init=False)  # in order of first appearance

    def __post_init__(self) -> None:
        self.by_term = {t.term: t for t in self.terms}
        words = sorted(self.by_term, key=len, reverse=True)  # the longest first: 'EAR99' before 'EAR'
        self._plain = self._pattern(words)
        self._escaped = self._pattern([html.escape(w, quote=False) for w in words])
        self._unescape = {html.escape(w, quote=False): w for w in words}

    @staticmethod
    def _pattern(words: list[str]) -> re.Pattern | None:
        if not words:
            return None
        return re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in words) + r")(s?)(?![\w])")

    def text(self, text: str, expand: bool = True) -> str:
        """Plain text (a judgment's statement, an open question), as the template will escape it."""
        return self._segment(text, self._plain, expand, escaped=False)

    def html(self, markup: str | None, expand: bool = True) -> str | None:
        """Sanitised HTML: only text outside tags and outside links, code and footnotes is read."""
        if not markup or self._escaped is None:
            return markup
        out: list[str] = []
        skipping: list[bool] = []  # per open element: whether its text is left alone
        for part in _TAG.split(markup):
            if part.startswith("<"):
                name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
                tag = name.group(1).lower() if name else ""
                if part.startswith("</"):
                    if skipping:
                        skipping.pop()
                elif tag not in _VOID_TAGS and not part.endswith("/>"):
                    skip = tag in _SKIPPED_TAGS or (tag == "span" and "footnote" in part)
                    skipping.append(skip or bool(skipping and skipping[-1]))
                out.append(part)
            elif skipping and skipping[-1]:
                out.append(part)
            else:
                out.append(self._segment(part, self._escaped, expand, escaped=True))
        return "".join(out)

    def scan(self, *texts: str | None) -> None:
        """Note the terms texts use, expanding nothing (titles, table cells)."""
        for text in texts:
            if text:
                self.text(text, expand=False)

    def _segment(self, text: str, pattern: re.Pattern | None, expand: bool, escaped: bool) -> str:
        if pattern is None:
            return text
        blanked = _outside_urls(text)
        pieces: list[str] = []
        at = 0
        for m in pattern.finditer(blanked):
            written, plural = m.group(1), m.group(2)
            word = self._unescape[written] if escaped else written
            self.used.setdefault(word, None)
            if not expand or not self.expanding or plural or word in self.expanded:
                continue  # a plural is counted as a use but not expanded: "graphics processing unit (GPUs)" misreads
            self.expanded.add(word)
            expansion = self.by_term[word].expansion
            shown = html.escape(expansion, quote=False) if escaped else expansion
            if text[:m.start()].endswith(shown + " (") and text[m.end():].startswith(")"):
                continue  # the writer expanded it already
            pieces += [text[at:m.start()], f"{shown} ({written})"]
            at = m.end()
        return "".join(pieces) + text[at:]

    def listed(self) -> list[GlossaryTerm]:
        """The terms the brief uses, as its glossary lists them: alphabetically, ignoring case."""
        return sorted((self.by_term[t] for t in self.used), key=lambda t: (t.term.casefold(), t.term))



def _brief_texts(project: Project, brief: Brief) -> Iterator[tuple[Record, str, str | None]]:
    """Every text a brief prints that an analyst wrote, with the record and field it was written in (located only
    when there is something to say: most records never need their locations made)."""
    yield brief, "title", brief.title
    yield brief, "bottom_line", brief.bottom_line
    used = project.used_facts(brief)
    shown: dict[tuple[str, str], None] = {}
    for section in brief.sections:
        yield section, "title", section.title
        yield section, "intro", section.intro
        shown.update(dict.fromkeys(("judgment", j) for j in section.judgments))
        shown.update(dict.fromkeys(("event", e) for e in section.events))
        shown.update(dict.fromkeys(("chart", c) for c in section.charts))
        shown.update(dict.fromkeys(("caveat", c) for c in section.caveats))
        shown.update(dict.fromkeys(("unknown", u) for u in section.unknowns))
    shown.update(dict.fromkeys(("fact", f) for f in used))
    for fid in used:
        shown.update(dict.fromkeys(("caveat", c.id) for c in project.caveats_of(fid)))
    shown.update(dict.fromkeys(("unknown", u.id) for u in project.unknowns_about(used)))
    fields = {"fact": ("statement",), "judgment": ("statement", "basis"), "event": ("title",),
              "chart": ("title", "caption"), "caveat": ("title", "body"),
              "unknown": ("question", "why_it_matters", "would_resolve")}
    for kind, rid in shown:
        record: Record | None = project.table(kind).get(rid)
        if record is None:
            continue
        for name in fields[kind]:
            yield record, name, getattr(record, name)
        for side in getattr(record, "sides", []) if kind == "fact" else []:
            yield side, "statement", side.statement


def check_abbreviations(project: Project, out: Collector) -> None:
    """Warn, where it is written, on each abbreviation a brief for a glossary audience prints without a glossary
    entry (or a place among the project's known_abbreviations), naming the briefs that print it."""
    known = {t.term for t in project.terms.values()} | set(project.settings.known_abbreviations)
    found: dict[tuple[Loc, str], list[str]] = {}
    read: dict[str, list[str]] = {}  # a fact's statement is printed by many briefs: read once
    for brief in project.sorted_briefs():
        audience = project.audiences.get(brief.audience)
        if audience is None or not audience.glossary:
            continue
        try:
            texts = list(_brief_texts(project, brief))
        except KeyError:
            continue  # a dangling reference, reported by reference checking
        for record, name, text in texts:
            if not text:
                continue
            abbreviations = read.get(text)
            if abbreviations is None:
                abbreviations = read[text] = abbreviations_in(text)
            for abbr in abbreviations:
                if abbr not in known:
                    briefs = found.setdefault((record.at(name), abbr), [])
                    if brief.id not in briefs:
                        briefs.append(brief.id)
    for (loc, abbr), briefs in found.items():
        named = ", ".join(f"'{b}'" for b in briefs)
        out.warning(loc, f"'{abbr}' looks like an abbreviation and has no glossary entry (printed in brief"
                    f"{'s' if len(briefs) > 1 else ''} {named}, whose audience lists its glossary terms); add it "
                    "under 'glossary:' in content/ with its expansion, or to known_abbreviations in project.yaml if "
                    "every reader knows it")
