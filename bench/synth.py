"""Synthetic content for scale benchmarks: N facts, M briefs, written into a new project folder.

Generated text is deliberately plain; what matters is the shape: every fact has sources, some
carry caveats and quantities, briefs use a few dozen facts each, a chart per brief.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import zlib
from pathlib import Path

AUDIENCES = ["policymaker", "compliance", "technical", "market", "public"]
STATUSES = ["confirmed", "reported", "claimed"]


def copy_for_editing(source: Path, project: Path) -> Path:
    """A copy of a real project (its sources, theme, editions and translations) for benchmarks that edit it. The
    edits change English text, so translated editions print it marked "translation pending" rather than fail, as
    a desk previewing an edit would see them."""
    import subprocess
    import sys
    # check first: in a fresh clone it rebuilds the released editions' files (ignored by git) from their commits
    subprocess.run([sys.executable, str(Path(__file__).resolve().parent.parent / "build.py"), "check", "--no-private",
                    "--project", str(source)], check=True, capture_output=True)
    project.mkdir()
    for name in ("project.yaml", "content", "briefs", "templates", "editions", "translations"):
        if (source / name).exists():
            (shutil.copytree if (source / name).is_dir() else shutil.copy)(source / name, project / name)
    with (project / "project.yaml").open("a", encoding="utf-8") as settings:
        settings.write("\ntranslation_fallback: true\n")
    return project


def generate(root: Path, facts: int, briefs: int, seed: int = 1, languages: tuple[str, ...] = (),
             judgments: int = 0, translated: int | None = None) -> Path:
    """A project of `facts` facts and `briefs` briefs. With `languages` (the source first, e.g. en, fr, zh-Hans)
    every brief (or the first `translated` of them) lists them and every field its editions show gets a made-up
    translation, so each such brief has an edition per language that builds without fallback; see `translate`.
    `judgments`: key judgments per brief (in briefs without translations: a made-up translation would not state the
    likelihood in its language's ICD 203 term), each resting on two facts, shown in its first section."""
    rng = random.Random(seed)
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "briefs").mkdir(exist_ok=True)
    (root / "project.yaml").write_text("site_title: Synthetic\norganisation: Bench Desk\nreview_days: 3650\n")
    sources = max(10, facts // 10)
    lines = ["sources:"]
    for s in range(sources):
        lines += [f"  - id: s{s}", f"    title: Source number {s}", "    publisher: Bench Press",
                  f"    url: https://example.org/{s}", "    published: 2026-01-01", "    retrieved: 2026-02-01",
                  "    kind: secondary"]
    (root / "content" / "sources.yaml").write_text("\n".join(lines) + "\n")
    per_file = 1000
    for start in range(0, facts, per_file):
        lines = ["facts:"]
        for f in range(start, min(facts, start + per_file)):
            lines += [f"  - id: f{f}", f"    statement: Fact {f} says that measure {f % 17} rose by {rng.randint(1, 99)} "
                      "percent over the period, according to its source.",
                      f"    sources: [s{rng.randrange(sources)}, s{rng.randrange(sources)}]".replace(
                          "[s", "[s", 1), f"    status: {STATUSES[f % 3]}", "    confidence: moderate",
                      "    as_of: 2026-02-01", f"    tags: [t{f % 7}]",
                      f"    quantity: {{value: {rng.randint(10, 999)}, unit: units, measure: output, label: Item {f}}}"]
        text = "\n".join(lines) + "\n"
        (root / "content" / f"facts-{start // per_file:03d}.yaml").write_text(_dedupe_sources(text))
    lines = ["caveats:"]
    for c in range(max(1, facts // 20)):
        lines += [f"  - id: c{c}", f"    title: Caveat {c}", f"    body: Fact f{c * 20} rests on one source.",
                  f"    severity: {['critical', 'major', 'minor'][c % 3]}", f"    applies_to: [f{c * 20}]"]
    # Open questions, each about two facts: a brief using either shows it (found through an index, not a scan).
    lines += ["unknowns:"]
    for u in range(max(1, facts // 50)):
        lines += [f"  - id: u{u}", f"    question: What happened to measure {u % 17} after fact f{u * 50}?",
                  "    why_it_matters: It would confirm or undo the trend.", "    would_resolve: A later filing.",
                  f"    facts: [f{u * 50}, f{rng.randrange(facts)}]"]
    lines += ["charts:"]
    for b in range(briefs):
        picks = sorted({rng.randrange(facts) for _ in range(5)})
        lines += [f"  - id: ch{b}", "    kind: bar", f"    title: Output for brief {b}",
                  f"    facts: [{', '.join(f'f{p}' for p in picks)}]"]
    (root / "content" / "analysis.yaml").write_text("\n".join(lines) + "\n")

    def translated_brief(b: int) -> bool:
        return bool(languages) and (translated is None or b < translated)
    judged = {b for b in range(briefs) if judgments and not translated_brief(b)}
    if judged:  # drawn from their own generator, so a project without judgments is the same as before
        jrng = random.Random(seed + 1)
        lines = ["judgments:"]
        for b in sorted(judged):
            for j in range(judgments):
                rests = sorted({jrng.randrange(facts) for _ in range(2)})
                lines += [f"  - id: j{b}-{j}", f"    statement: Measure {b % 17} will likely keep rising in region {j} "
                          "over the next year.", "    likelihood: likely", "    confidence: moderate",
                          f"    rests_on: [{', '.join(f'f{r}' for r in rests)}]"]
        (root / "content" / "judgments.yaml").write_text("\n".join(lines) + "\n")
    for b in range(briefs):
        used = sorted({rng.randrange(facts) for _ in range(24)})
        sections = [used[i:i + 8] for i in range(0, len(used), 8)]
        text = [f"id: b{b}", f"title: Synthetic brief {b}", f"short_title: Brief {b}",
                f"audience: {AUDIENCES[b % 5]}", "date: 2026-02-02", "edition: 1", "page_limit: 20",
                "marking: CLEAR", "bottom_line: A synthetic brief for measuring the build.", "sections:"]
        if translated_brief(b):
            text.insert(4, f"languages: [{', '.join(languages)}]")
        for i, part in enumerate(sections):
            text += [f"  - title: Part {i + 1}", f"    facts: [{', '.join(f'f{p}' for p in part)}]"]
            if i == 0:
                text += [f"    charts: [ch{b}]"]
                if b in judged:
                    text += [f"    judgments: [{', '.join(f'j{b}-{j}' for j in range(judgments))}]"]
        (root / "briefs" / f"b{b}.yaml").write_text("\n".join(text) + "\n")
    if len(languages) > 1:
        translate(root, languages[1:])
    return root


# Made-up words for the made-up translations: Latin text for most languages, Han characters for Chinese and
# Japanese, so a Chinese edition lays out Chinese text with a CJK font, as a real one would.
_HAN = [chr(0x4E00 + i) for i in range(0, 0x5000, 37)]


def _made_up(text: str, lang: str) -> str:
    """A stand-in translation: each English word replaced by a word derived from it (numbers, markup and citations
    kept), about as long as a translation would be."""
    cjk = lang.split("-")[0] in ("zh", "ja")

    def word(match: re.Match) -> str:
        w = match.group(0)
        h = zlib.crc32(w.encode())
        if cjk:
            return "".join(_HAN[(h >> (8 * i)) % len(_HAN)] for i in range(1 + len(w) // 3))
        return w[::-1].capitalize() if w[0].isupper() else w[::-1]
    kept = re.split(r"(\[@[^\]]*\]|\*\*|`[^`]*`)", text)
    out = [part if i % 2 else re.sub(r"[A-Za-z]{2,}", word, part) for i, part in enumerate(kept)]
    return "".join(out)


def translate(root: Path, languages: tuple[str, ...]) -> None:
    """translations/<lang>.yaml for each language, every field the editions show filled with `_made_up` text: the
    engine lists what is needed (`translations --write-starter`), then the empty texts are filled in."""
    import yaml

    from briefwright.builder.pipeline import check
    from briefwright.resolve.translations import needs_report
    checked = check(root, private=False)
    for lang in languages:
        needs_report(checked.project, checked.translations, lang, True)
        path = root / "translations" / f"{lang}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["entries"].values():
            entry["text"] = _made_up(str(entry["english"]), lang)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def _dedupe_sources(text: str) -> str:
    out = []
    for line in text.splitlines():
        if line.startswith("    sources: [s"):
            ids = list(dict.fromkeys(x.strip() for x in line.split("[")[1].rstrip("]").split(",")))
            line = f"    sources: [{', '.join(ids)}]"
        out.append(line)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--facts", type=int, default=100)
    parser.add_argument("--briefs", type=int, default=10)
    parser.add_argument("--languages", default="", help="e.g. en,fr,zh-Hans: an edition of every brief in each")
    args = parser.parse_args()
    print(generate(args.folder, args.facts, args.briefs,
                   languages=tuple(x.strip() for x in args.languages.split(",") if x.strip())))
