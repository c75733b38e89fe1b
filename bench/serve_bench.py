"""`python bench/serve_bench.py`: how long an analyst waits in `serve`, on the real content.

A copy of the project is served by `python build.py serve` (a separate process, as an analyst runs it); this
script listens to its event stream as a page does, edits the first fact's statement N times and times, from
just before each save:
  - save to HTML reload: the event that tells pages a build with the edit is ready (pages first);
  - save to PDF ready: the event that says its PDF and Word files are in the site.
For comparison it times WeasyPrint laying out each rebuilt brief's page on its own, warm, in one process.
Results replace the "serve" section of docs/performance.md (with --write).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from synth import copy_for_editing

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
CORES = os.cpu_count() or 1


def listen(base: str, events: list, ready: threading.Event) -> None:
    stream = urllib.request.urlopen(base + "__briefwright/events", timeout=600)
    ready.set()
    for line in stream:
        if line.startswith(b"data: "):
            events.append((time.perf_counter(), json.loads(line[6:])))


def wait_for(events: list, start: int, test, timeout: float = 300) -> tuple[float, dict]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for stamp, state in events[start:]:
            if test(state):
                return stamp, state
        time.sleep(0.005)
    raise SystemExit("serve did not report in time")


def layout_seconds(site: Path, briefs: list[str]) -> dict[str, float]:
    """WeasyPrint alone on each brief's page for print, warm (the second of two runs)."""
    from weasyprint import HTML
    times = {}
    for brief in briefs:
        page = site / "briefs" / brief / "index.html"
        HTML(filename=str(page), media_type="print").write_pdf()
        started = time.perf_counter()
        HTML(filename=str(page), media_type="print").write_pdf()
        times[brief] = time.perf_counter() - started
    return times


def pdf_job_seconds(site: Path, briefs: list[str]) -> dict[str, float]:
    """The build's whole PDF job on each brief's page, warm (the second of two runs): layout with PDF/UA tags,
    writing, and the structure step, as a worker runs it."""
    from briefwright.formats import Job, run_job
    from briefwright.render import print_html
    times = {}
    for brief in briefs:
        folder = site / "briefs" / brief
        job = Job({"id": brief}, print_html((folder / "index.html").read_text(encoding="utf-8")), str(folder), str(site))
        run_job(("pdf", job))
        started = time.perf_counter()
        run_job(("pdf", job))
        times[brief] = time.perf_counter() - started
    return times


def phase_seconds(log: list[str], what: str) -> list[float]:
    return [float(m.group(1)) for line in log if (m := re.match(rf"{what}: built .* in ([0-9.]+) s", line))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--project", type=Path, default=REPO)
    parser.add_argument("--write", action="store_true", help="replace the serve section of docs/performance.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    project = copy_for_editing(args.project, work / "project")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CI", None)
    proc = subprocess.Popen([PY, str(REPO / "build.py"), "serve", "--port", "0", "--no-private"], cwd=project,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(proc.stderr), daemon=True).start()
    try:
        base = proc.stdout.readline().split()[1]
        events: list = []
        ready = threading.Event()
        threading.Thread(target=listen, args=(base, events, ready), daemon=True).start()
        ready.wait(30)
        wait_for(events, 0, lambda s: not s["pending"] and s["version"] >= 2)
        facts = project / "content" / "facts.yaml"
        text = facts.read_text(encoding="utf-8")
        match = re.search(r"^  - id: (\S+)\n    statement: (.+)$", text, re.M)
        assert match
        html_s, pdf_s = [], []
        for i in range(args.edits):
            version, seen = events[-1][1]["version"], len(events)
            edited = text.replace(match.group(0), f"{match.group(0)} (edit {i})", 1)
            saved = time.perf_counter()
            facts.write_text(edited, encoding="utf-8")
            html_at, state = wait_for(events, seen, lambda s, v=version: s["version"] > v or s["errors"])
            assert not state["errors"], state["errors"]
            pdf_at, _ = wait_for(events, seen, lambda s, v=version: s["version"] > v and not s["pending"])
            html_s.append(html_at - saved)
            pdf_s.append(pdf_at - saved)
            time.sleep(0.3)
        built = [line for line in log if line.startswith("PDF and Word: built")][-1]
        briefs = built.removeprefix("PDF and Word: built ").split(" in ")[0].split(", ")
        layout = layout_seconds(project / "site", briefs)
        whole = pdf_job_seconds(project / "site", briefs)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    pages_build = statistics.median(phase_seconds(log, "pages")[1:])
    full_build = statistics.median(phase_seconds(log, "PDF and Word")[1:])
    alone = ", ".join(f"{b} {t:.2f} s" for b, t in layout.items())
    median_pdf = statistics.median(pdf_s)
    # The rebuilt briefs' PDF jobs shared out on serve's workers, longest first: no layout phase can be shorter.
    loads = [0.0] * CORES
    for job in sorted(whole.values(), reverse=True):
        loads[loads.index(min(loads))] += job
    rows = [("save to HTML reload", html_s, f"of which the pages build {pages_build:.2f} s (median)"),
            ("save to PDF and Word ready", pdf_s,
             f"{median_pdf / max(layout.values()):.2f}x the longest rebuilt brief's layout alone "
             f"({alone}); the PDF and Word build {full_build:.2f} s (median). For comparison, not the target: "
             f"{median_pdf / max(whole.values()):.2f}x the longest rebuilt brief's whole PDF job (layout with PDF/UA "
             f"tags and the structure step, warm: {', '.join(f'{b} {t:.2f} s' for b, t in whole.items())}), and "
             f"{median_pdf / max(loads):.2f}x the {max(loads):.2f} s those jobs take at best on {CORES} workers")]
    lines = ["| measurement | median s | worst s | note |", "| --- | ---: | ---: | --- |"]
    lines += [f"| {name} | {statistics.median(xs):.2f} | {max(xs):.2f} | {note} |" for name, xs, note in rows]
    summary = (f"{args.edits} edits of fact `{match.group(1)}` (rebuilt: {', '.join(briefs)}), "
               f"serve -j{CORES}, {CORES} cores, `python bench/serve_bench.py --edits {args.edits}`.")
    print(summary)
    print("\n".join(lines))
    if args.write:
        write_section(summary, lines)


def write_section(summary: str, table: list[str]) -> None:
    doc = REPO / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8")
    head = text.split("\n## serve\n")[0].rstrip("\n")
    section = ["## serve", "", summary, "", *table, "", *SERVE_NOTES]
    doc.write_text(head + "\n\n" + "\n".join(section) + "\n", encoding="utf-8")


SERVE_NOTES = [
    "- **Save to HTML reload** is from just before the file is written to the server-sent event that makes",
    "  open pages reload: the file event (watchfiles, with 50 ms of quiet to gather an editor's writes), a",
    "  build of the pages alone (`formats=['html']`: load, validate, template, swap) in the warm process, and",
    "  the push. The target is a median <= 0.5 s.",
    "- **Save to PDF and Word ready** adds a second build of every format from the same checked content,",
    "  laid out by serve's warm workers (one pool for every build, see docs/architecture.md); briefs whose pages",
    "  did not change are reused from the cache. While it runs the pages carry no PDF or Word links, so a link",
    "  never points to a missing or stale file. The target compares it with WeasyPrint alone laying out the",
    "  longest rebuilt brief's page, warm, in one process (<= 1.2x). The note also gives, for comparison only,",
    "  the ratio to that brief's whole PDF job (layout with PDF/UA tags, writing, the structure step) and to the",
    "  least time the rebuilt briefs' PDF jobs can take on the machine's workers: when an edit rebuilds more",
    "  briefs than there are cores, the layouts alone exceed the target. Where the rest goes is in",
    "  \"serve: where save-to-PDF-ready goes\" above (`python bench/serve_phases.py`).",
]


if __name__ == "__main__":
    main()
