"""Is a build of the pages linear in the number of briefs? Cold `build --formats html --force -j1` of synthetic
projects (bench/synth.py, 50 facts per brief as make bench's scale rows) of 1, 20 and 200 briefs, each a fresh
process, fastest of --runs. Time per brief is the time beyond the 1-brief project's (the fixed cost: Python start,
imports, the templates' checks), divided by the briefs beyond 1; the target is 200 briefs within 1.3x of 20, per
brief. Then, in this process, where each size's time goes by stage, per brief, to show what grows if anything does.

    python bench/html_scale.py [--sizes 1,20,200] [--runs 3]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from shard_plan import ENV, PY  # noqa: E402
from synth import generate  # noqa: E402

FACTS_PER_BRIEF = 50


def cold_html(project: Path, work: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one cold HTML build in a fresh process (CPU: this machine is shared)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([PY, str(REPO / "build.py"), "build", "--project", str(project), "--out", str(work / "site"),
                           "--cache-dir", str(work / "cache"), "--formats", "html", "--force", "-j1"],
                          env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def stages(project: Path, work: Path) -> dict[str, float]:
    """CPU seconds per stage of one cold HTML build in this process (after a first build, so imports are done)."""
    from briefwright.builder import pipeline
    spent: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start
        return wrapper
    # A bench reaching into the build's steps by name, to time them; the build itself is not changed.
    steps = {"check (load, validate)": (pipeline, "check"),
             "resolve every brief": (pipeline._Build, "choose_briefs"),
             "assets": (pipeline._Build, "start_site"),
             "render pages": (pipeline._Build, "render_pages"),
             "draw charts": (pipeline._Build, "draw_charts"),
             "write brief folders": (pipeline._Build, "make_downloads"),
             "site pages": (pipeline._Build, "write_site_pages"),
             "site record": (pipeline._Build, "write_site_record")}
    saved = {name: getattr(owner, attr) for name, (owner, attr) in steps.items()}
    for name, (owner, attr) in steps.items():
        setattr(owner, attr, timed(name, saved[name]))
    try:
        start = time.process_time()
        pipeline.build(pipeline.BuildOptions(root=project, out=work / "site-in-process", cache_dir=work / "cache-ip",
                                             formats=["html"], force=True, private=False))
        spent["whole build"] = time.process_time() - start
    finally:
        for name, (owner, attr) in steps.items():
            setattr(owner, attr, saved[name])
    return spent


def linearity(work: Path, sizes: list[int], runs: int, say=print) -> dict:
    """The cold HTML builds of each size; per brief beyond the first size's project, in wall and CPU seconds; and
    the ratio of the last size's to the second's, per brief (CPU, then wall)."""
    projects = {n: generate(work / f"p{n}", FACTS_PER_BRIEF * n, n) for n in sizes}
    measured: dict[int, tuple[float, float]] = {}
    for n in sizes:
        times = [cold_html(projects[n], work / f"run{n}") for _ in range(runs)]
        measured[n] = (min(t[0] for t in times), min(t[1] for t in times))
        say(f"{n} briefs, {FACTS_PER_BRIEF * n} facts: cold HTML build {measured[n][0]:.2f} s wall, "
            f"{measured[n][1]:.2f} s CPU (fastest of {runs})")
    base = sizes[0]
    per_brief = {n: tuple((measured[n][i] - measured[base][i]) / (n - base) for i in (0, 1)) for n in sizes[1:]}
    for n in sizes[1:]:
        say(f"{n} briefs: {per_brief[n][0] * 1000:.0f} ms wall, {per_brief[n][1] * 1000:.0f} ms CPU per brief beyond "
            f"the {base}-brief project; {measured[n][1] / n * 1000:.0f} ms CPU per brief with it")
    small, large = sizes[1], sizes[-1]
    ratio = (per_brief[large][1] / per_brief[small][1], per_brief[large][0] / per_brief[small][0])
    say(f"time per brief, {large} against {small} briefs: {ratio[0]:.2f}x in CPU time, {ratio[1]:.2f}x in wall time "
        "(target within 1.3x)")
    return {"projects": projects, "measured": measured, "per_brief": per_brief, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,20,200", help="briefs per project; the first is the fixed cost")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bw-html-scale-"))
    found = linearity(work, sizes, args.runs, lambda line: print(line, flush=True))
    projects = found["projects"]

    print("\nwhere the time goes, CPU ms per brief, in this process after a warm-up build:")
    stages(projects[sizes[0]], work / "warm")
    by_size = {n: stages(projects[n], work / f"stages{n}") for n in sizes[1:]}
    names = list(by_size[sizes[1]])
    print("| stage | " + " | ".join(f"{n} briefs" for n in sizes[1:]) + " |")
    print("| --- | " + " | ".join("---:" for _ in sizes[1:]) + " |")
    for name in names:
        print(f"| {name} | " + " | ".join(f"{by_size[n].get(name, 0.0) / n * 1000:.1f}" for n in sizes[1:]) + " |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
