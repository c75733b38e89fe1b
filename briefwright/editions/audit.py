"""`briefwright editions audit`: rebuild released editions from the commits their records name, with this machine's
engine, libraries and fonts, and say how the result differs from the stored file. Never a gate: the stored bytes
are what readers got; the audit shows what an upgrade of WeasyPrint, the fonts or the engine would change.

For a PDF that differs: the pages whose text or pixels differ, each with a side-by-side PNG (stored | rebuilt |
the pixels that differ, in red) and a text diff. For a Word file: a text diff of its paragraphs.
"""
from __future__ import annotations

import difflib
import io
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from briefwright.check.editions import editions_folder, sha256
from briefwright.check.reproduce import NotReproducible, rebuild
from briefwright.source.project import Project


@dataclass
class FileDrift:
    edition: int
    file: str
    identical: bool
    why: str = ""  # when not compared: the rebuild failed, or the stored file is missing
    pages: list[dict] = field(default_factory=list)  # {"page": n, "png": path, "text": [diff lines]}
    text: list[str] = field(default_factory=list)  # a Word file's paragraph diff, or the page count change


def pdf_pages_text(data: bytes) -> list[str]:
    from pypdf import PdfReader
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def page_images(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    """Each page as a PNG (poppler's pdftoppm)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(folder / "page")], check=True,
                   capture_output=True, timeout=300)
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def side_by_side(old: Path | None, new: Path | None, target: Path) -> bool:
    """stored | rebuilt | difference in red; True when the pixels differ."""
    from PIL import Image, ImageChops
    images = [Image.open(p).convert("RGB") if p else None for p in (old, new)]
    width = max(i.width for i in images if i)
    height = max(i.height for i in images if i)
    blank = Image.new("RGB", (width, height), "white")
    a, b = (i if i else blank for i in images)
    if a.size != b.size:
        a, b = (i.crop((0, 0, width, height)) for i in (a, b))
    diff = ImageChops.difference(a, b).convert("L")
    changed = diff.getbbox() is not None
    mask = diff.point(lambda v: 255 if v > 16 else 0)
    marked = Image.composite(Image.new("RGB", (width, height), (220, 30, 30)), b.point(lambda v: 200 + v // 5), mask)
    sheet = Image.new("RGB", (width * 3 + 20, height), (128, 128, 128))
    for i, img in enumerate((a, b, marked)):
        sheet.paste(img, (i * (width + 10), 0))
    sheet.save(target)
    return changed


def compare_pdf(stored: bytes, rebuilt: bytes, folder: Path, dpi: int) -> tuple[list[dict], list[str]]:
    old_text, new_text = pdf_pages_text(stored), pdf_pages_text(rebuilt)
    notes = [] if len(old_text) == len(new_text) else [f"pages: {len(old_text)} stored, {len(new_text)} rebuilt"]
    images: tuple[list, list] = ([], [])
    if shutil.which("pdftoppm"):
        for name, data, out in (("stored", stored, images[0]), ("rebuilt", rebuilt, images[1])):
            path = folder / f"{name}.pdf"
            path.write_bytes(data)
            out.extend(page_images(path, folder / name, dpi))
    else:
        notes.append("pdftoppm not found (poppler-utils): pages compared by text only")
    pages = []
    for n in range(max(len(old_text), len(new_text))):
        old = old_text[n] if n < len(old_text) else ""
        new = new_text[n] if n < len(new_text) else ""
        text = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "stored", "rebuilt", lineterm="", n=1))
        png = None
        pixels = False
        if images[0] or images[1]:
            png = folder / f"page-{n + 1}.png"
            pixels = side_by_side(images[0][n] if n < len(images[0]) else None,
                                  images[1][n] if n < len(images[1]) else None, png)
        if text or pixels:
            pages.append({"page": n + 1, "png": str(png) if png else None, "text": text})
        elif png:
            png.unlink()
    return pages, notes


def docx_text(data: bytes) -> list[str]:
    import docx
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs]


def audit(project: Project, brief_ids: list[str] | None, out: Path, dpi: int = 60) -> list[FileDrift]:
    """Every released edition (of the briefs named, or all) rebuilt and compared with its stored files."""
    results: list[FileDrift] = []
    for brief in project.sorted_briefs():
        if brief_ids and brief.id not in brief_ids:
            continue
        folder = editions_folder(project, brief)
        records = sorted(folder.glob("*.json"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0) \
            if folder.is_dir() else []
        for path in records:
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                results.append(FileDrift(0, str(path), False, f"unreadable record: {exc}"))
                continue
            files = {fmt: e for fmt, e in (record.get("files") or {}).items() if isinstance(e, dict)}
            if not files:
                continue
            edition = record.get("edition", 0)
            if not isinstance(record.get("commit"), str):
                results += [FileDrift(edition, str(folder / e.get("file", fmt)), False,
                                      "the record names no commit to rebuild from") for fmt, e in files.items()]
                continue
            try:
                rebuilt = rebuild(project.root, record["commit"], brief.id, list(files))
            except NotReproducible as exc:
                results += [FileDrift(edition, str(folder / e["file"]), False, str(exc)) for e in files.values()]
                continue
            for fmt, entry in files.items():
                stored_path = folder / entry["file"]
                drift = FileDrift(edition, str(stored_path), False)
                results.append(drift)
                if not stored_path.is_file():
                    drift.why = "the stored file is missing"
                    continue
                stored, new = stored_path.read_bytes(), rebuilt.get(fmt)
                if new is None:
                    drift.why = f"the build of commit {record['commit'][:12]} made no {fmt} file"
                    continue
                if sha256(new) == sha256(stored):
                    drift.identical = True
                    continue
                where = out / brief.id / f"{edition}-{fmt}"
                shutil.rmtree(where, ignore_errors=True)
                where.mkdir(parents=True)
                if fmt == "pdf":
                    drift.pages, drift.text = compare_pdf(stored, new, where, dpi)
                elif fmt == "docx":
                    drift.text = list(difflib.unified_diff(docx_text(stored), docx_text(new), "stored", "rebuilt",
                                                           lineterm="", n=1))
                (where / f"rebuilt.{fmt}").write_bytes(new)
    return results


def report(results: list[FileDrift]) -> str:
    lines = []
    for r in results:
        name = f"edition {r.edition}: {r.file}"
        if r.identical:
            lines.append(f"identical  {name}")
        elif r.why:
            lines.append(f"not compared  {name}: {r.why}")
        else:
            lines.append(f"DIFFERS  {name}" + (f" ({'; '.join(r.text)})" if r.text and not r.pages
                                                and len(r.text) == 1 else ""))
            for page in r.pages:
                lines.append(f"    page {page['page']}: " + (page["png"] or "no image") +
                             ("" if page["text"] else " (pixels only; the text is the same)"))
                lines += [f"      {line}" for line in page["text"][:12]]
                if len(page["text"]) > 12:
                    lines.append(f"      ... {len(page['text']) - 12} more diff lines")
            if r.text and (r.pages or len(r.text) > 1):
                lines += [f"    {line}" for line in r.text[:20]]
    same = sum(r.identical for r in results)
    lines.append(f"audit: {same} of {len(results)} published files rebuilt identically")
    return "\n".join(lines)


def default_out(project: Project) -> Path:
    return project.root / ".briefwright-cache" / "audit"
