"""Markdown's HTML as Word runs: the sanitised markup a brief's text becomes (markup.to_html), read into paragraphs
of formatted runs, with citations and links kept as such. The slides read the same blocks."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser

LINK_SCHEMES = ("http://", "https://", "mailto:")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    vert: str | None = None
    href: str | None = None
    cite: tuple[int, bool] | None = None  # a citation in prose: (note number, whether it is the first citation)


@dataclass
class Block:
    runs: list[Run]
    list_kind: str | None = None  # "ul" or "ol" for a list item
    level: int = 0
    list_key: int = 0  # which list an item belongs to, so each ordered list counts from 1


class _Blocks(HTMLParser):
    """The sanitised HTML markup.to_html gives (p, lists, blockquote, em, strong, code, a, sub, sup, br) as
    paragraphs of formatted runs, whitespace collapsed as a browser would."""

    INLINE = {"em": "italic", "i": "italic", "strong": "bold", "b": "bold", "code": "code", "sub": "sub", "sup": "sup"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.block: Block | None = None
        self.active: list[str] = []
        self.lists: list[tuple[str, int]] = []
        self.keys = itertools.count(1)
        self.href: str | None = None
        self.cite: tuple[int, bool] | None = None
        self.skip = 0  # depth inside a print-only footnote span: the Word note carries that text itself

    def _close(self) -> None:
        if self.block is not None:
            runs = self.block.runs
            while runs and not runs[-1].text.strip() and runs[-1].text != "\n":
                runs.pop()
            if runs:
                runs[-1].text = runs[-1].text.rstrip(" ")
                self.blocks.append(self.block)
        self.block = None

    def _open(self, item: bool = False) -> None:
        self._close()
        kind, key = self.lists[-1] if self.lists and item else (None, 0)
        self.block = Block([], kind, max(len(self.lists) - 1, 0), key)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.skip or (tag == "span" and "footnote" in (a.get("class") or "").split()):
            self.skip += tag not in VOID_TAGS
            return
        if tag == "a" and "cite" in (a.get("class") or "").split() and (a.get("href") or "").startswith("#note-"):
            self.cite = (int(a["href"].removeprefix("#note-")), a.get("id") is not None)  # resolve.cite_html's mark
            return
        if tag == "p":
            self._open(item=bool(self.lists) and self.block is not None and self.block.list_kind is not None)
        elif tag in ("ul", "ol"):
            self._close()
            self.lists.append((tag, next(self.keys)))
        elif tag == "li":
            self._open(item=True)
        elif tag == "blockquote":
            self._close()
        elif tag == "br":
            self._data("\n")
        elif tag in self.INLINE:
            self.active.append(self.INLINE[tag])
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1
            return
        if tag == "a" and self.cite is not None:
            if self.block is None:
                self._open(item=False)
            assert self.block is not None
            self.block.runs.append(Run("", cite=self.cite))
            self.cite = None
            return
        if tag in ("p", "li", "blockquote"):
            self._close()
        elif tag in ("ul", "ol"):
            self._close()
            if self.lists:
                self.lists.pop()
        elif tag in self.INLINE and self.INLINE[tag] in self.active:
            self.active.remove(self.INLINE[tag])
        elif tag == "a":
            self.href = None

    def handle_data(self, data):
        if self.skip or self.cite is not None:
            return  # the number of a citation is the Word note's own reference mark
        self._data(re.sub(r"\s+", " ", data))

    def _data(self, text: str) -> None:
        if self.block is None:
            if not text.strip():
                return
            self._open(item=False)
        assert self.block is not None
        if not self.block.runs or self.block.runs[-1].text.endswith(("\n", " ")):
            text = text.lstrip(" ")
        if not text:
            return
        vert = "subscript" if "sub" in self.active else "superscript" if "sup" in self.active else None
        href = self.href if self.href and self.href.startswith(LINK_SCHEMES) else None
        self.block.runs.append(Run(text, "bold" in self.active, "italic" in self.active, "code" in self.active, vert, href))


def html_blocks(html: str) -> list[Block]:
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    parser._close()
    return parser.blocks


_ADDRESS = re.compile(r"^\s*(https?://|www\.)", re.I)


def title_links(runs: list[Run], title: str) -> list[Run]:
    """A note's runs with its address linked from the source's title rather than from the address itself: link text
    that is an address says nothing to a screen reader (Microsoft's checker: unclear hyperlink text), so the title
    carries the link and the address stays printed, as plain text, for a reader of a printed copy. Runs without a
    bare address, or whose title cannot be found, are returned as they are."""
    href = next((r.href for r in runs if r.href and _ADDRESS.match(r.text)), None)
    at = next((i for i, r in enumerate(runs) if not r.href and r.cite is None and title and title in r.text), None)
    if href is None or at is None:
        return runs
    out: list[Run] = []
    for i, r in enumerate(runs):
        if i == at:
            before, _, after = r.text.partition(title)
            out += [replace(r, text=t, href=h) for t, h in ((before, None), (title, href), (after, None)) if t]
        else:
            out.append(replace(r, href=None) if r.href == href else r)  # every piece of the address (it breaks at / . -)
    return out
