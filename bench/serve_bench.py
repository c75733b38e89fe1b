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
    from briefwright.render.page import print_html
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


def rebuilt_by_edit(project: Path, fact_id: str) -> list[str]:
    """The editions whose resolved brief an edit of the fact's statement changes (found before serving, in process)."""
    from briefwright.builder.pipeline import check
    from briefwright.resolve.resolver import resolve
    facts = project / "content" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")

    def resolved() -> dict:
        checked = check(project, private=False)
        return {b["id"]: b for b in resolve(checked.project, None, checked.previous, {}, None, checked.recorded)}

    before = resolved()
    facts.write_text(_edited(text, fact_id, "probe"), encoding="utf-8")
    try:
        after = resolved()
    finally:
        facts.write_text(text, encoding="utf-8")
    return sorted(b for b in before if before[b] != after.get(b))


PLAIN = r"""[^"'>|\s].*"""  # a statement on one line, unquoted: words can be added at its end


def _edited(text: str, fact_id: str, mark: str) -> str:
    match = re.search(rf"^  - id: {re.escape(fact_id)}\n    statement: ({PLAIN})$", text, re.M)
    assert match, fact_id
    return text.replace(match.group(0), f"{match.group(0)} ({mark})", 1)


def one_brief_fact(project: Path) -> str | None:
    """The first fact in content/facts.yaml whose edit changes one brief, and one with no translated edition: the
    case the target describes (an edit, and that brief's own layout)."""
    from briefwright.builder.pipeline import check
    from briefwright.resolve.translations import languages_of
    checked = check(project, private=False)
    text = (project / "content" / "facts.yaml").read_text(encoding="utf-8")
    for fact_id in re.findall(rf"^  - id: (\S+)\n    statement: {PLAIN}$", text, re.M):
        users = [b for b in checked.project.briefs.values() if fact_id in checked.project.used_facts(b)]
        if len(users) == 1 and len(languages_of(users[0], checked.project)) == 1:
            if rebuilt_by_edit(project, fact_id) == [users[0].id]:
                return fact_id
    return None


def measure(project: Path, events: list, log: list[str], fact_id: str, edits: int) -> dict:
    """`edits` saves of one fact's statement, each timed to the HTML reload and to the PDF and Word files ready."""
    facts = project / "content" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    html_s, pdf_s = [], []
    first_log = len(log)
    for i in range(edits):
        version, seen = events[-1][1]["version"], len(events)
        edited = _edited(text, fact_id, f"edit {i}")
        saved = time.perf_counter()
        facts.write_text(edited, encoding="utf-8")
        html_at, state = wait_for(events, seen, lambda s, v=version: s["version"] > v or s["errors"])
        assert not state["errors"], state["errors"]
        pdf_at, _ = wait_for(events, seen, lambda s, v=version: s["version"] > v and not s["pending"])
        html_s.append(html_at - saved)
        pdf_s.append(pdf_at - saved)
        time.sleep(0.3)
    mine = log[first_log:]
    version, seen = events[-1][1]["version"], len(events)
    facts.write_text(text, encoding="utf-8")  # back as it was, for the next case
    wait_for(events, seen, lambda s, v=version: s["version"] > v and not s["pending"])
    built = [line for line in mine if line.startswith("PDF and Word: built")][-1]
    briefs = built.removeprefix("PDF and Word: built ").split(" in ")[0].split(", ")
    layout = layout_seconds(project / "site", briefs)
    whole = pdf_job_seconds(project / "site", briefs)
    return {"fact": fact_id, "html": html_s, "pdf": pdf_s, "briefs": briefs, "layout": layout, "whole": whole,
            "pages_build": statistics.median(phase_seconds(mine, "pages")[1:] or phase_seconds(mine, "pages")),
            "full_build": statistics.median(phase_seconds(mine, "PDF and Word")[1:] or phase_seconds(mine, "PDF and Word"))}


def rows_for(case: dict, label: str) -> list[tuple[str, list[float], str]]:
    layout, whole = case["layout"], case["whole"]
    alone = ", ".join(f"{b} {t:.2f} s" for b, t in layout.items())
    median_pdf = statistics.median(case["pdf"])
    # The rebuilt briefs' PDF jobs shared out on serve's workers, longest first: no layout phase can be shorter.
    loads = [0.0] * CORES
    for job in sorted(whole.values(), reverse=True):
        loads[loads.index(min(loads))] += job
    return [(f"save to HTML reload, {label}", case["html"], f"of which the pages build {case['pages_build']:.2f} s (median)"),
            (f"save to PDF and Word ready, {label}", case["pdf"],
             f"**{median_pdf / max(layout.values()):.2f}x** the longest rebuilt brief's layout alone "
             f"({alone}); the PDF and Word build {case['full_build']:.2f} s (median). For comparison, not the target: "
             f"{median_pdf / max(whole.values()):.2f}x the longest rebuilt brief's whole PDF job (layout with PDF/UA "
             f"tags and the structure step, warm: {', '.join(f'{b} {t:.2f} s' for b, t in whole.items())}), and "
             f"{median_pdf / max(loads):.2f}x the {max(loads):.2f} s those jobs take at best on {CORES} workers")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--project", type=Path, default=REPO)
    parser.add_argument("--write", action="store_true", help="replace the serve section of docs/performance.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    project = copy_for_editing(args.project, work / "project")
    text = (project / "content" / "facts.yaml").read_text(encoding="utf-8")
    first = re.search(rf"^  - id: (\S+)\n    statement: {PLAIN}$", text, re.M)
    assert first
    cases = [(fid, "one brief") for fid in [one_brief_fact(project)] if fid]
    many = rebuilt_by_edit(project, first.group(1))
    if len(many) > 1 or not cases:
        cases.append((first.group(1), "several briefs"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CI", None)
    proc = subprocess.Popen([PY, str(REPO / "build.py"), "serve", "--port", "0", "--no-private"], cwd=project,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(proc.stderr), daemon=True).start()
    results = []
    try:
        base = proc.stdout.readline().split()[1]
        events: list = []
        ready = threading.Event()
        threading.Thread(target=listen, args=(base, events, ready), daemon=True).start()
        ready.wait(30)
        wait_for(events, 0, lambda s: not s["pending"] and s["version"] >= 2)
        for fact_id, label in cases:
            results.append((label, measure(project, events, log, fact_id, args.edits)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    rows = [row for label, case in results for row in rows_for(case, label)]
    lines = ["| measurement | median s | worst s | note |", "| --- | ---: | ---: | --- |"]
    lines += [f"| {name} | {statistics.median(xs):.2f} | {max(xs):.2f} | {note} |" for name, xs, note in rows]
    described = "; ".join(f"{label}: fact `{case['fact']}`, rebuilt {', '.join(case['briefs'])}" for label, case in results)
    summary = (f"{args.edits} edits per case ({described}), serve -j{CORES}, {CORES} cores, "
               f"`python bench/serve_bench.py --edits {args.edits}`.")
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
    "  longest rebuilt brief's page, warm, in one process (<= 1.2x). Two cases: an edit of a fact one brief uses",
    "  (the first such fact in content/facts.yaml whose edit changes that brief alone: the case the target",
    "  describes), and an edit of the first fact, which several briefs show (a brief that dropped a fact since its",
    "  last edition shows the fact's current wording too). The note also gives, for comparison only,",
    "  the ratio to that brief's whole PDF job (layout with PDF/UA tags, writing, the structure step) and to the",
    "  least time the rebuilt briefs' PDF jobs can take on the machine's workers: when an edit rebuilds more",
    "  briefs than there are cores, the layouts alone exceed the target. Where the rest goes is in",
    "  \"serve: where save-to-PDF-ready goes\" above (`python bench/serve_phases.py`).",
]


if __name__ == "__main__":
    main()
