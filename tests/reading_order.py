"""A PDF's structure tree as a screen reader would walk it: one line per block, in reading order, with what
it would announce (heading level, list and item, table row, figure's alt text, note and its ID). For the
manual pass of docs/accessibility.md: `python tests/reading_order.py BRIEF.pdf`."""
from __future__ import annotations

import sys
from pathlib import Path

import pikepdf

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from briefwright.formats.pdf.structure import StructureTree  # noqa: E402

BLOCKS = {"/P": "", "/Caption": "caption: ", "/Note": "note", "/H1": "heading 1: ", "/H2": "heading 2: ",
          "/H3": "heading 3: ", "/H4": "heading 4: ", "/H5": "heading 5: ", "/H6": "heading 6: "}
WIDTH = 110


def lines(tree: StructureTree, element: pikepdf.Object, depth: int = 0) -> list[str]:
    role, indent = tree.role(element), "  " * depth
    children = [kid for kid in tree.kids(element) if tree.is_element(kid)]

    def say(text: str) -> list[str]:
        text = " ".join(text.split())
        return [indent + (text if len(text) <= WIDTH else text[:WIDTH - 1] + "…")]
    if role == "/Note":
        return say(f"note {element.ID}: {tree.text(element)}")
    if role in BLOCKS:
        return say(BLOCKS[role] + tree.text(element))
    if role == "/Figure":
        return say(f"figure: {element.get('/Alt', '(no alt text)')}")
    if role == "/L":
        items = [kid for kid in children if tree.role(kid) == "/LI"]
        return say(f"list, {len(items)} item{'s' if len(items) != 1 else ''}") + \
            [line for item in items for line in lines(tree, item, depth + 1)]
    if role == "/LI":
        label = next((tree.text(kid).strip() for kid in children if tree.role(kid) == "/Lbl"), "")
        body = [line for kid in children if tree.role(kid) == "/LBody" for line in lines(tree, kid, depth + 1)]
        return say(f"item {label}".rstrip()) + body
    if role == "/Table":
        rows = [line for kid in children for line in lines(tree, kid, depth + 1)]
        return say(f"table, {len(rows)} rows") + rows
    if role == "/TR":
        cells = [("header " if tree.role(cell) == "/TH" else "") + tree.text(cell).strip() for cell in children]
        return say("row: " + " | ".join(cells))
    if role in ("/Span", "/Link", "/Reference") and tree.text(element).strip():
        return say(tree.text(element))
    return [line for kid in children for line in lines(tree, kid, depth)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/reading_order.py BRIEF.pdf", file=sys.stderr)
        return 2
    with pikepdf.open(argv[0]) as pdf:
        tree = StructureTree(pdf)
        print("\n".join(lines(tree, tree.document)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
