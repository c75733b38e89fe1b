"""Where -j2's time goes on the real content: each layout job timed at -j1 (from the build's progress marks),
the serial rest, and the makespan of the jobs on two workers (longest first), against a measured -j2 build.
In process, after one warm-up build, so Python start and imports are outside the figures.

    python bench/critical_path.py [PROJECT]
"""
from __future__ import annotations

import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from briefwright.builder.pipeline import BuildOptions, build


def run(root: Path, jobs: int) -> tuple[float, list[tuple[float, str]]]:
    marks: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        build(BuildOptions(root=root, out=Path(tmp) / "site", jobs=jobs, force=True, private=False,
                           cache_dir=Path(tmp) / "cache",
                           progress=lambda stage, done, total: marks.append((time.perf_counter(), stage))))
        return time.perf_counter() - start, marks


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    run(root, 1)  # warm-up: imports, fonts
    total1, marks = run(root, 1)
    layout = [t for t, stage in marks if stage == "layout"]
    jobs = sorted((b - a for a, b in pairwise(layout)), reverse=True)
    charts = [t for t, stage in marks if stage == "charts"]
    chart_s = charts[-1] - charts[0] if charts else 0.0
    serial = total1 - sum(jobs) - chart_s
    loads = [0.0, 0.0]
    for job in jobs:
        loads[loads.index(min(loads))] += job
    total2, _ = run(root, 2)
    ideal = serial + chart_s + max(loads)
    print(f"-j1 {total1:.2f} s: {len(jobs)} layout jobs, {sum(jobs):.2f} s in all, longest {jobs[0]:.2f} s; "
          f"charts {chart_s:.2f} s; serial rest (load, validate, render, site) {serial:.2f} s")
    print(f"jobs, longest first: {', '.join(f'{j:.2f}' for j in jobs)}")
    print(f"-j2 best possible: serial {serial:.2f} + charts {chart_s:.2f} + two-worker makespan {max(loads):.2f} "
          f"= {ideal:.2f} s ({total1 / ideal:.2f}x); measured {total2:.2f} s ({total1 / total2:.2f}x)")


if __name__ == "__main__":
    main()
