"""Expected wall time of a build spread over N runners (`build --shard K/N` on each, then `merge`) for a desk's
archive, from costs measured here on a synthetic project of that size (bench/synth.py, with a made-up translation
of every brief into each language). Prints what it measured, then the plan as a Markdown table.

What is measured, each a fresh process as a CI job runs it (wall time; cold: --force, no parse cache):
- a shard's fixed cost: `build --shard K/N` for a K that holds no edition (Python start, imports, the machine
  fingerprint, parsing and checking the whole project, resolving every edition, the manifest): every shard pays it;
- the cost of an edition: a shard of about 30 editions, at -j1 and -j2, less the fixed cost, per edition;
- the merge: `merge` of HTML-only shards of the whole project, plus the cost of copying and checking an edition's
  PDF and Word files (measured on the sample shard, in process).
What is not: a runner's start, checkout, installing Python packages and system libraries, artifact upload and
download; the script prints the bytes that travel, and docs/performance.md states what it assumes for them.

    python bench/shard_plan.py [--briefs 500] [--facts 10000] [--languages en,fr,zh-Hans] [--runners 1,8,32]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synth import generate  # noqa: E402

from briefwright.builder.shard import MANIFEST, Merge, read_shard, shard_of  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
for name in ("CI", "SOURCE_DATE_EPOCH", "GITHUB_ACTIONS", "PYTHONDONTWRITEBYTECODE"):  # as an installed tool runs
    ENV.pop(name, None)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(project: Path, *args) -> tuple[float, float]:
    """Wall and CPU seconds of one command. CPU is what the projections use: this machine is shared, so its wall
    times carry other people's work, and a CI runner's cores are its own. (At -j1 the build runs in one process, so
    its CPU time is all of it; the -j2 run's workers are not all counted, so only its wall time is used.)"""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run([PY, str(REPO / "build.py"), *map(str, args)], cwd=project, env=ENV, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, args))}\n{done.stderr}")
    return seconds, _cpu() - cpu


def shard(project: Path, work: Path, name: str, share: str, *extra) -> tuple[float, float]:
    return run(project, "build", "--shard", share, "--out", work / name, "--cache-dir", work / f"cache-{name}",
               "--force", *extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--briefs", type=int, default=500)
    # 4,000: the made-up translations of every fact 500 briefs show stay under the 2 MB limit of a translation file
    parser.add_argument("--facts", type=int, default=4000)
    parser.add_argument("--languages", default="en,fr,zh-Hans")
    parser.add_argument("--runners", default="1,8,32")
    parser.add_argument("--sample", type=int, default=30, help="editions in the shard that measures an edition's cost")
    parser.add_argument("--j2-speedup", type=float, default=1.67,
                        help="how much faster -j2 lays out than -j1 on a 2-core runner (make bench's cold -j2 row)")
    args = parser.parse_args()
    languages = tuple(args.languages.split(","))
    runners = [int(n) for n in args.runners.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bw-shard-plan-"))
    started = time.perf_counter()
    project = generate(work / "project", args.facts, args.briefs, languages=languages)
    editions = [(f"b{b}", lang) for b in range(args.briefs) for lang in languages]
    total = len(editions)
    print(f"project: {args.facts} facts, {args.briefs} briefs x {len(languages)} languages = {total} editions "
          f"(generated in {time.perf_counter() - started:.0f} s)", flush=True)

    count = 4 * total  # so that some shard holds nothing: its time is what every shard pays before any edition
    held = Counter(shard_of(b, lang, count) for b, lang in editions)
    empty = next(k for k in range(1, count + 1) if k not in held)
    fixed_wall, fixed = min(shard(project, work, f"fixed{i}", f"{empty}/{count}", "-j1") for i in range(2))
    print(f"fixed cost of a shard (shard {empty}/{count}, no edition; fastest of 2): {fixed:.2f} s CPU "
          f"({fixed_wall:.2f} s wall)", flush=True)

    count = max(2, total // args.sample)
    mine = [(b, lang) for b, lang in editions if shard_of(b, lang, count) == 1]
    one_wall, one = shard(project, work, "sample", f"1/{count}", "-j1")
    two_wall, _ = shard(project, work, "sample2", f"1/{count}", "-j2")
    per_edition = (one - fixed) / len(mine)
    speedup = args.j2_speedup
    manifest = json.loads((work / "sample" / MANIFEST).read_text())
    by_language = Counter(lang for _, lang in mine)
    pages = sum(e["outputs"]["pages"] or 0 for e in manifest["editions"].values())
    size = sum(f["bytes"] for f in manifest["files"].values())
    print(f"sample shard 1/{count}: {len(mine)} editions ({', '.join(f'{n} {lang}' for lang, n in sorted(by_language.items()))};"
          f" {pages} pages, {size / 1e6:.1f} MB): -j1 {one:.2f} s CPU ({one_wall:.2f} s wall), -j2 {two_wall:.2f} s wall"
          f" ({(one_wall - fixed_wall) / (two_wall - fixed_wall):.2f}x faster beyond the fixed cost, on this shared "
          "machine)", flush=True)
    print(f"  an edition (HTML, chart, PDF, Word) beyond the fixed cost: {per_edition:.2f} s CPU; the 2-core column "
          f"takes -j2 as {speedup:.2f}x faster (--j2-speedup)", flush=True)

    halves = [shard(project, work, f"html{k}", f"{k}/2", "-j1", "--formats", "html")[1] for k in (1, 2)]
    merge_wall, merge_html = run(project, "merge", work / "html1", work / "html2", "--out", work / "site",
                                 "--cache-dir", work / "cache-merge")
    print(f"HTML-only shards 1/2 and 2/2 of everything: {halves[0]:.1f} s and {halves[1]:.1f} s CPU; their merge "
          f"{merge_html:.2f} s CPU ({merge_wall:.2f} s wall)", flush=True)

    def copy_cost(folder: Path) -> float:
        target = Path(tempfile.mkdtemp(prefix="bw-copy-", dir=work))
        source = read_shard(folder)
        start = time.process_time()
        Merge([]).copy_files(source, target)
        seconds = time.process_time() - start
        shutil.rmtree(target)
        return seconds / max(1, len(source.manifest["editions"]))
    extra_copy = copy_cost(work / "sample") - copy_cost(work / "html1")
    merge = merge_html + total * extra_copy
    print(f"merge with every format: {merge:.2f} s CPU (the HTML-only merge, plus {extra_copy * 1000:.1f} ms per edition "
          f"to copy and check its PDF and Word files)", flush=True)
    site_bytes = size / len(mine) * total
    print(f"what the shards upload and the merge downloads: about {site_bytes / 1e9:.2f} GB "
          f"({size / len(mine) / 1e6:.2f} MB per edition)", flush=True)

    print("\nCPU seconds as measured, one core per runner (-j1) and two (-j2); without CI's own costs")
    print("\n| runners (N) | editions per shard, mean / largest | slowest shard -j1 | then merge | total -j1 "
          "| total on 2-core runners (-j2) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in runners:
        if n == 1:
            # One build: what a merge does (parse, check, resolve everything, write every file, site pages) and every
            # edition, with no shard's fixed cost on top.
            one_j1 = merge + total * per_edition
            one_j2 = merge + total * per_edition / speedup
            print(f"| 1 (one build, no shards) | {total} / {total} | | | {_time(one_j1)} | {_time(one_j2)} |")
            continue
        loads = Counter(shard_of(b, lang, n) for b, lang in editions)
        largest = max(loads.values())
        slow_j1 = fixed + largest * per_edition
        slow_j2 = fixed + largest * per_edition / speedup
        print(f"| {n} | {total / n:.0f} / {largest} | {_time(slow_j1)} | {_time(merge)} | {_time(slow_j1 + merge)} "
              f"| {_time(slow_j2 + merge)} |")
    print(f"\nmeasured in {time.perf_counter() - started:.0f} s; work folder {work} removed")
    shutil.rmtree(work, ignore_errors=True)


def _time(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.0f} s"


if __name__ == "__main__":
    main()
