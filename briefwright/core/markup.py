"""Markdown from content to safe HTML: raw HTML is never passed through, links are restricted."""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = {"p", "em", "strong", "a", "code", "ul", "ol", "li", "br", "blockquote", "sub", "sup"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)|<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>|^[ ]{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)",
                          re.M)
_RAW_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _converter() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[], output_format="html")
    # Content is untrusted: with these gone, raw HTML is shown as text, never parsed.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.deregister("image_link")
    md.inlinePatterns.deregister("image_reference")
    md.inlinePatterns.deregister("short_image_ref")
    return md


_MD = _converter()


# Large enough for every fact, caveat and question of a 10,000-fact archive: the listings and each record's own page
# render them again.
@lru_cache(maxsize=65536)
def to_html(text: str, inline: bool = False) -> str:
    """Render Markdown to sanitised HTML; `inline` drops the wrapping paragraph."""
    _MD.reset()
    html = _MD.convert(text)
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes=ALLOWED_SCHEMES, link_rel="noopener noreferrer")
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def to_text(text: str) -> str:
    """Plain text of a Markdown snippet, for PDF metadata, alt text, feeds and search (citations left out)."""
    return re.sub(r"\s+", " ", strip_tags(to_html(CITATION.sub("", text)))).strip()


# A citation in prose: [@source-id] or [@one; @two], as Pandoc writes them.
CITATION = re.compile(r"\s?\[@([^\]\n]*)\]")
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_PLACEHOLDER = "\ue000{}\ue001"  # private-use characters: Markdown and the sanitiser leave them alone


def citations(text: str) -> list[list[str]]:
    """The source ids of each citation in a text, in order; an id as written (checked by validate)."""
    return [[part.strip().removeprefix("@").strip() for part in m.group(1).split(";")] for m in CITATION.finditer(text)]


def to_html_cited(text: str, cite: Callable[[list[str]], str], inline: bool = False) -> str:
    """Markdown with its citations replaced, in order, by what `cite` makes of each one's ids (trusted HTML)."""
    groups = citations(text)
    if not groups:
        return to_html(text, inline)
    counter = iter(range(len(groups)))
    html = to_html(CITATION.sub(lambda m: _PLACEHOLDER.format(next(counter)), text), inline)
    for k, ids in enumerate(groups):
        html = html.replace(_PLACEHOLDER.format(k), cite(ids))
    return html


def strip_tags(html_text: str) -> str:
    """The text of sanitised HTML, character references decoded once."""
    return html.unescape(nh3.clean(str(html_text), tags=set()))


def problems(text: str) -> list[str]:
    """What in a Markdown field the build refuses: raw HTML and links to unsafe schemes."""
    found = []
    if _RAW_TAG.search(text):
        found.append("raw HTML is not allowed in Markdown; write plain text")
    for m in _LINK_TARGET.finditer(text):
        # Decode character references and drop the blanks browsers ignore, so `java&#x73;cript:` is seen too.
        target = re.sub(r"[\x00-\x20]", "", html.unescape(m.group(1) or m.group(2) or m.group(3) or ""))
        scheme = _SCHEME.match(target)
        if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
            found.append(f"link to '{scheme.group(1).lower()}:' is not allowed; links may use http, https, mailto or #anchors")
    if re.search(r"!\[[^\]]*\]\(", text):
        found.append("images are not allowed in Markdown; use a chart")
    if footnote := _FOOTNOTE.search(text):
        found.append(f"Markdown footnotes ({footnote.group(0)}) are not supported and would print as written; "
                     "cite a source with [@source-id]")
    return found


_WORD = re.compile(r"\S+\s*")


def word_diff(old_html: str, new_html: str) -> str | None:
    """Old and new wording as one passage, only the words that changed marked <del> and <ins> ('Low' struck, then
    'Moderate' added, the rest of the sentence once), so a revision reads at a glance. For inline HTML without
    tags (a tag's span cannot be split safely) and wording that still shares most of its words; else None, and
    the caller shows the old and the new passages whole."""
    if "<" in old_html or "<" in new_html:
        return None
    import difflib
    old, new = _WORD.findall(old_html), _WORD.findall(new_html)
    matcher = difflib.SequenceMatcher(None, [w.strip() for w in old], [w.strip() for w in new], autojunk=False)
    if matcher.ratio() < 0.5:
        return None
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append("".join(new[j1:j2]))
            continue
        gone, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        tail = added[len(added.rstrip()):] if added else gone[len(gone.rstrip()):]
        parts = ([f"<del>{gone.rstrip()}</del>"] if gone else []) + ([f"<ins>{added.rstrip()}</ins>"] if added else [])
        out.append(" ".join(parts) + tail)
    return "".join(out)
