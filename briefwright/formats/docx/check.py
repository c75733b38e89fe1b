"""The read-back check: the saved Word file opened again and held to what the brief requires, as the page is."""
from __future__ import annotations

import itertools
import re

from briefwright.core import i18n
from briefwright.core.i18n import gettext as _
from briefwright.formats import ooxml
from briefwright.formats.docx.edition import mark_name


def _titles(brief: dict) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Caveat titles, unknown questions and status labels by id, wherever the brief shows them."""
    caveats: dict[str, str] = {}
    unknowns: dict[str, str] = {}
    labels: dict[str, str] = {}
    for s in brief["sections"]:
        for f in s["facts"]:
            labels[f["id"]] = f["status"]["label"]
            caveats.update((c["id"], c["title"]) for c in f["caveats"])
        caveats.update((c["id"], c["title"]) for c in s["caveats"])
        unknowns.update((u["id"], u["question"]) for u in s["unknowns"])
    caveats.update((c["id"], c["title"]) for c in brief["caveats_section"])
    unknowns.update((u["id"], u["question"]) for u in brief["unknowns_section"])
    labels.update((q["fact"], q["status"]["label"]) for q in brief["quantities"])
    return caveats, unknowns, labels


def check_docx(brief: dict, data: bytes) -> list[str]:
    """Read the saved file back: what the brief requires that the Word edition does not show, each a sentence.
    The same rules as render.check_rendered (caveats, status labels, unknowns), plus the marking in every
    header and footer and notes numbered as in the PDF."""
    parts = ooxml.read_parts(data)
    shown: dict[str, str] = {}
    for names, paragraph in ooxml.paragraphs(parts["word/document.xml"]):
        for name in names:
            shown.setdefault(name, paragraph)
    caveats, unknowns, labels = _titles(brief)
    from briefwright.resolve.translations import plain  # a pending portion's title is checked without its marks
    caveats, unknowns = {k: plain(v) for k, v in caveats.items()}, {k: plain(v) for k, v in unknowns.items()}
    problems = []
    for fact_id, caveat_id in brief["required"]["caveats"]:
        found = shown.get(mark_name("caveat", caveat_id))
        if found is None or caveats.get(caveat_id, "") not in found:
            problems.append(f"its Word edition did not render caveat '{caveat_id}' of fact '{fact_id}'")
    for unknown_id in brief["required"]["unknowns"]:
        found = shown.get(mark_name("unknown", unknown_id))
        if found is None or unknowns.get(unknown_id, "") not in found:
            problems.append(f"its Word edition did not render unknown '{unknown_id}'")
    for fact_id in brief["required"]["labelled"]:
        for n in itertools.count(1):
            found = shown.get(mark_name("fact", fact_id, n))
            if found is None:
                break
            if labels.get(fact_id, "\0") not in found:
                problems.append(f"fact '{fact_id}' is not verified but its Word edition shows it without its status label")
                break
    with i18n.use(brief.get("language", i18n.SOURCE_LANGUAGE)):
        unverified = _("Rests partly on unverified claims.")
    for judgment_id in brief["required"].get("unverified", []):
        for n in itertools.count(1):
            found = shown.get(mark_name("judgment", judgment_id, n))
            if found is None and n > 1:
                break
            if found is None or unverified not in found:
                problems.append(f"judgment '{judgment_id}' rests partly on unverified claims but its Word edition does "
                                "not say so")
                break
    label = brief["marking"]["label"]
    for name, root in sorted(parts.items()):
        if re.match(r"word/(header|footer)\d*\.xml$", name) and label not in " ".join(t for _, t in ooxml.paragraphs(root)):
            problems.append(f"its Word edition lacks the marking {label} in {name}")
    kind = "footnote" if brief["audience"]["notes"] == "footnotes" else "endnote"
    expected = list(range(1, len(brief["notes"]) + 1))
    written = ooxml.notes(parts[f"word/{kind}s.xml"], kind) if f"word/{kind}s.xml" in parts else {}
    references = ooxml.note_references(parts["word/document.xml"], kind)
    if references != expected or sorted(written) != expected or any(
            brief["notes"][n - 1]["title"] not in written[n] for n in expected):
        problems.append(f"its Word edition's {kind}s are not numbered as the PDF's sources (1 to {len(expected)} in order)")
    return problems
