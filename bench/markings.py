"""What marking derivation costs `check`: the synthetic project checked with and without the derived
marking check, alternating in one process so machine noise hits both alike. Prints medians and the ratio.

    .venv/bin/python bench/markings.py [--facts 10000] [--briefs 200] [--rounds 7]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synth import generate  # noqa: E402

from briefwright.builder import pipeline  # noqa: E402
from briefwright.check import markings, validate  # noqa: E402


def timed_check(root: Path) -> float:
    started = time.perf_counter()
    pipeline.check(root)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--facts", type=int, default=10_000)
    parser.add_argument("--briefs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "project", args.facts, args.briefs)
        real = markings.check_briefs
        timed_check(root)  # warm: imports, parse plans
        with_derivation, without = [], []
        for _ in range(args.rounds):
            validate.check_briefs = real
            with_derivation.append(timed_check(root))
            validate.check_briefs = lambda project, out: None
            without.append(timed_check(root))
        validate.check_briefs = real
        project = pipeline.check(root).project
        started = time.perf_counter()
        markings.check_briefs(project, pipeline.Collector())
        alone = time.perf_counter() - started
    a, b = statistics.median(with_derivation), statistics.median(without)
    print(f"check, {args.facts} facts, {args.briefs} briefs, median of {args.rounds}:")
    print(f"  without marking derivation  {b:7.3f} s")
    print(f"  with marking derivation     {a:7.3f} s   ratio {a / b:.3f} ({(a / b - 1) * 100:+.1f}%)")
    print(f"  derivation alone            {alone:7.3f} s   ({alone / b * 100:.1f}% of check)")


if __name__ == "__main__":
    main()
