"""Where `serve`'s save-to-PDF-ready goes, phase by phase: serve's two builds of one edit, run in process as serve
runs them (one warm process, the parse cache in memory, the same worker pool for every build), with timestamps
from the builds' progress marks and each layout job's time in its worker.

    python bench/serve_phases.py [--edits N] [-j 2] [PROJECT]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from synth import copy_for_editing

import briefwright.builder.pipeline
from briefwright.builder.pipeline import BuildOptions, build, check, parse_cache
from briefwright.builder.workers import WarmPool
from briefwright.formats import run_job
from briefwright.render.page import template_dirs

REPO = Path(__file__).resolve().parent.parent


def timed_job(task):
    """run_job, with its wall and CPU time in the worker appended to the file $SERVE_PHASES_JOBS."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_job(task)
    record = {"pid": os.getpid(), "format": task[0], "brief": task[1].folder.split("/briefs/")[-1],
              "start": wall, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    with open(os.environ["SERVE_PHASES_JOBS"], "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--fork", action="store_true", help="a pool forked for each build (as before the warm pool)")
    parser.add_argument("project", type=Path, nargs="?", default=REPO)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="serve-phases-"))
    project = copy_for_editing(args.project, work / "project")
    jobs_log = work / "jobs.jsonl"
    os.environ["SERVE_PHASES_JOBS"] = str(jobs_log)
    briefwright.builder.pipeline.run_job = timed_job  # type: ignore[attr-defined]
    static = [d / "static" for d in template_dirs(project) if (d / "static").is_dir()]
    pool = WarmPool(args.jobs, static) if args.jobs > 1 and not args.fork else None
    marks: list[tuple[float, str]] = []
    opts = BuildOptions(root=project, out=project / "site", jobs=args.jobs, private=False, workers=pool,
                        progress=lambda stage, done, total: marks.append((time.perf_counter(), f"{stage} {done}/{total}")))
    pages = replace(opts, formats=["html"])
    cache = parse_cache(opts, memory=True)
    try:
        checked = check(project, False, False, cache)
        build(pages, checked)
        build(opts, checked)
        facts = project / "content" / "facts.yaml"
        text = facts.read_text(encoding="utf-8")
        match = re.search(r"^  - id: (\S+)\n    statement: (.+)$", text, re.M)
        assert match
        rows: dict[str, list[float]] = {}
        for i in range(args.edits):
            facts.write_text(text.replace(match.group(0), f"{match.group(0)} (edit {i})", 1), encoding="utf-8")
            marks.clear()
            t0 = time.perf_counter()
            checked = check(project, False, False, cache)
            t1 = time.perf_counter()
            build(pages, checked)
            t2 = time.perf_counter()
            marks.clear()
            jobs_log.write_text("")
            report = build(opts, checked)
            t3 = time.perf_counter()
            jobs = [json.loads(line) for line in jobs_log.read_text().splitlines()]
            layout = [t for t, m in marks if m.startswith("layout")]
            phases = {"check": t1 - t0, "pages build": t2 - t1,
                      "full build: before layout": (layout[0] if layout else t3) - t2,
                      "full build: layout": (layout[-1] - layout[0]) if layout else 0.0,
                      "full build: after layout (page limits, site pages, swap)": t3 - (layout[-1] if layout else t3),
                      "save to PDF ready (no file event)": t3 - t0}
            for name, value in phases.items():
                rows.setdefault(name, []).append(value)
            print(f"edit {i}: " + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()) + f"; built {report.built}",
                  flush=True)
            for job in sorted(jobs, key=lambda j: j["start"]):
                print(f"    {job['pid']} {job['format']:4} {job['brief']:24} starts +{job['start'] - t2:.2f} "
                      f"wall {job['wall']:.2f} cpu {job['cpu']:.2f}")
        print("medians:")
        for name, values in rows.items():
            print(f"  {name}: {statistics.median(values):.2f} s")
    finally:
        if pool:
            pool.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
