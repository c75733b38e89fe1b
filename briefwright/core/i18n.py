"""Engine words in the reader's language: per-language gettext catalogues (.po, read with Babel), dates
formatted by Babel's CLDR data, and the ICD 203 likelihood table in each language.

The catalogues are the .po files under briefwright/locale/<lang>/LC_MESSAGES/briefwright.po, read as they
are (babel.messages.pofile): there is no compile step, so a fresh clone and the wheel read the same files.
A msgid is the English text itself, so English needs no catalogue and its output is unchanged. An entry
marked fuzzy (its English changed since it was translated) is skipped, as msgfmt skips it.

The language words are looked up in is the one `use(lang)` set for the current context: resolve, render
and the Word edition run inside it, so a template or a label asks `gettext(text)` and gets it in the
edition's language.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefwright.core.vocabulary import HEDGES, Likelihood

SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "briefwright"
LIKELIHOOD_CONTEXT = "ICD 203 likelihood"
# Words of the language that hedge without stating a likelihood (msgid: the English hedge, model.HEDGES): a
# translated judgment using one reads weaker or vaguer than the ICD 203 term it stands for.
HEDGE_CONTEXT = "ICD 203 hedge"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("briefwright_language", default=SOURCE_LANGUAGE)


def base(lang: str) -> str:
    """The language without region or script: 'en' for 'en-GB', 'zh' for 'zh-Hans'."""
    return lang.split("-")[0].lower()


def is_source(lang: str) -> bool:
    return base(lang) == SOURCE_LANGUAGE


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def available() -> list[str]:
    """The languages the engine has words for: English and every catalogue shipped."""
    found = sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()) \
        if LOCALE_DIR.is_dir() else []
    return [SOURCE_LANGUAGE, *found]


def catalogue_digest() -> str:
    """Part of every cache key of a page: a changed catalogue changes the words printed."""
    h = hashlib.sha256()
    for lang in available()[1:]:
        h.update(lang.encode() + catalogue_path(lang).read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=16)
def messages(lang: str) -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> msgstr for one language; fuzzy and empty entries are left out."""
    if is_source(lang):
        return {}
    path = catalogue_path(lang)
    if not path.is_file():
        return {}
    from babel.messages.pofile import read_po
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=babel_locale(lang), domain=DOMAIN)
    table: dict[tuple[str | None, str], str] = {}
    for message in catalog:
        if not message.id or message.fuzzy or not isinstance(message.id, str):
            continue
        text = message.string if isinstance(message.string, str) else ""
        if text:
            table[(message.context, message.id)] = text
    return table


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def use(lang: str) -> Iterator[None]:
    """Engine words, dates and likelihood terms in `lang` within the block."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(text: str, context: str | None = None, **values: object) -> str:
    """`text` in the current language (itself where no translation exists), with %(name)s values filled."""
    found = messages(current()).get((context, text), text)
    return found % values if values else found


_ = gettext


def babel_locale(lang: str) -> Any:  # babel.core.Locale, imported when first needed
    from babel import Locale
    return Locale.parse(lang.replace("-", "_"))


def language_name(lang: str) -> str:
    """The language's own name for itself, as a language switch shows it: 'English', '中文（简体）', 'Français'."""
    try:
        name = babel_locale(lang).get_display_name() or lang
    except (ValueError, LookupError):
        return lang
    return name[:1].upper() + name[1:]


def format_date(day: dt.date, lang: str | None = None) -> str:
    """A full date as the language writes it: '14 January 2026', '2026年1月14日', '14 janvier 2026'."""
    lang = lang or current()
    if is_source(lang):
        return f"{day.day} {day:%B %Y}"  # the engine's own English form, unchanged
    from babel.dates import format_date as babel_date
    return babel_date(day, "long", locale=babel_locale(lang))


def format_month(day: dt.date, lang: str | None = None) -> str:
    lang = lang or current()
    if is_source(lang):
        return f"{day:%B %Y}"
    from babel.dates import format_skeleton
    return format_skeleton("yMMMM", dt.datetime.combine(day, dt.time()), locale=babel_locale(lang))


def format_partial(written: str, lang: str | None = None) -> str:
    """A date known to the year, month or day ('2025', '2025-08', '2025-08-14') in the language."""
    parts = [int(p) for p in written.split("-")]
    if len(parts) == 3:
        return format_date(dt.date(*parts), lang)
    if len(parts) == 2:
        return format_month(dt.date(parts[0], parts[1], 1), lang)
    return written


def css_counter_text(template: str) -> str:
    """A message such as 'Page %(page)s of %(pages)s' as CSS generated content with page counters, for @page."""
    out = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", template):
        if piece == "%(page)s":
            out.append("counter(page)")
        elif piece == "%(pages)s":
            out.append("counter(pages)")
        elif piece:
            out.append('"' + "".join(ch if ch.isalnum() and ch.isascii() or ch == " " else f"\\{ord(ch):06x} "
                                     for ch in piece) + '"')
    return " ".join(out)


def likelihood_term(term: str, lang: str | None = None) -> str:
    """An ICD 203 term in the language, from the catalogue's likelihood table (its row never changes)."""
    lang = lang or current()
    return messages(lang).get((LIKELIHOOD_CONTEXT, term), term)


def likelihood_table_problems(lang: str) -> list[str]:
    """What is wrong with a language's ICD 203 table: every English term needs a term of its own, and no
    two rows may share a term (a reader could not tell the rows apart)."""
    table = messages(lang)
    problems = []
    row_of: dict[str, str] = {}
    for term in Likelihood:
        translated = table.get((LIKELIHOOD_CONTEXT, term.value))
        if translated is None:
            problems.append(f"'{term.value}' ({term.row}) has no {lang} term")
            continue
        other = row_of.setdefault(translated, term.row)
        if other != term.row:
            problems.append(f"'{translated}' stands for two rows ({other} and {term.row})")
    hedges = {text.casefold(): english for (context, english), text in table.items() if context == HEDGE_CONTEXT}
    for (context, english), translated in table.items():
        if context == LIKELIHOOD_CONTEXT and translated.casefold() in hedges:
            problems.append(f"'{translated}' is the term for '{english}' and also a hedge (for "
                            f"'{hedges[translated.casefold()]}', msgctxt \"{HEDGE_CONTEXT}\"), which states no likelihood")
    problems += [f"hedge entry '{english}' is not an English hedge the engine knows ({', '.join(sorted(HEDGES))})"
                 for (context, english) in table if context == HEDGE_CONTEXT and english not in HEDGES]
    return problems


def _word(term: str) -> str:
    """A regular expression for the term as a whole word where its script spaces words (Latin), and as written
    where it does not (Chinese: 较有可能 inside a sentence has no word boundary)."""
    spaced = [ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN") for ch in (term[0], term[-1])]
    return ("(?<!\\w)" if spaced[0] else "") + re.escape(term) + ("(?!\\w)" if spaced[1] else "")


@lru_cache(maxsize=16)
def _likelihood_words(lang: str) -> tuple[re.Pattern[str] | None, dict[str, str], re.Pattern[str] | None]:
    """The language's ICD 203 terms as one pattern, longest first (so 'très probable' is not read as 'probable'),
    with the English term each stands for; and its hedges (HEDGE_CONTEXT) as another."""
    table = messages(lang)
    terms = {text.casefold(): english for (context, english), text in table.items() if context == LIKELIHOOD_CONTEXT}
    hedges = sorted({text.casefold() for (context, _), text in table.items() if context == HEDGE_CONTEXT}, key=len,
                    reverse=True)

    def pattern(words: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(_word(w) for w in words), re.I) if words else None
    return pattern(sorted(terms, key=len, reverse=True)), terms, pattern(hedges)


def likelihood_words_in(text: str, lang: str) -> tuple[list[tuple[str, str]], list[str]]:
    """In a text of the language: the ICD 203 terms of its table used, as (the words, the English term), and the
    hedges of its table left once those terms are taken out (可能 alone, outside 较有可能)."""
    terms_re, terms, hedges_re = _likelihood_words(lang)
    used: list[tuple[str, str]] = []
    if terms_re is not None:
        for m in terms_re.finditer(text):
            used.append((m.group(0), terms[m.group(0).casefold()]))
        text = terms_re.sub(lambda m: " " * len(m.group(0)), text)
    hedges = [m.group(0) for m in hedges_re.finditer(text)] if hedges_re is not None else []
    return used, hedges


def likelihood_scale(lang: str | None = None) -> list[dict[str, str]]:
    """The seven ICD 203 rows, each with its terms in the language and its probability range (unchanged)."""
    lang = lang or current()
    rows: dict[str, list[str]] = {}
    for term in Likelihood:
        rows.setdefault(term.row, []).append(likelihood_term(term.value, lang))
    joiner = gettext(" or ")
    return [{"terms": joiner.join(terms), "range": row} for row, terms in rows.items()]
