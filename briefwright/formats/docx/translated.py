"""Translated editions: each portion still pending translation, in English after a visible mark in the edition's
language, in every part of the document."""
from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from briefwright.formats import ooxml


def mark_pending_parts(data: bytes, mark: str, lang: str, mark_style: str) -> bytes:
    """Each pending portion of a translated edition (English between translations.PENDING_START and _END) as
    runs in w:lang en-US after a visible mark in the edition's language, in every part (body, headers, notes);
    the sentinels are removed from attributes (alt text) and document properties."""
    from lxml import etree  # type: ignore[import-untyped]  # python-docx's own XML library

    from briefwright.resolve.translations import PENDING_END, PENDING_START, plain
    sentinel = PENDING_START.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, body in entries:
            if info.filename.endswith(".xml") and sentinel in body:
                root = etree.fromstring(body)
                for element in root.iter():
                    for name, value in element.attrib.items():
                        if PENDING_START in value or PENDING_END in value:
                            element.set(name, plain(value))
                    if element.tag != ooxml.qn("w:t") and element.text and PENDING_START in element.text:
                        element.text = plain(element.text)  # a document property, not text on the page
                _mark_runs(root, mark, lang, mark_style)
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, body)
    return out.getvalue()


def _mark_runs(root: Any, mark: str, lang: str, mark_style: str) -> None:
    import copy

    from briefwright.resolve.translations import PENDING_END, PENDING_START
    w_t = ooxml.qn("w:t")
    pending = False
    for r in list(root.iter(ooxml.qn("w:r"))):
        texts = r.findall(w_t)
        joined = "".join(t.text or "" for t in texts)
        if PENDING_START not in joined and PENDING_END not in joined:
            if pending and texts:
                _run_lang(r, "en-US")
            continue
        parent, index = r.getparent(), r.getparent().index(r)
        made = []
        for piece in re.split(f"([{PENDING_START}{PENDING_END}])", joined):
            if piece == PENDING_START:
                pending = True
                badge = ooxml.run(mark + " ", mark_style)
                _run_lang(badge, lang)
                made.append(badge)
            elif piece == PENDING_END:
                pending = False
            elif piece:
                piece_run = copy.deepcopy(r)
                for t in piece_run.findall(w_t):
                    piece_run.remove(t)
                t = ooxml.element("t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                piece_run.append(t)
                if pending:
                    _run_lang(piece_run, "en-US")
                made.append(piece_run)
        parent.remove(r)
        for k, new in enumerate(made):
            parent.insert(index + k, new)


def _run_lang(r: Any, lang: str) -> None:
    rpr = r.find(ooxml.qn("w:rPr"))
    if rpr is None:
        rpr = ooxml.element("rPr")
        r.insert(0, rpr)
    ooxml.put(rpr, ooxml.element("lang", val=lang), ooxml.RPR)
