"""What resolve costs a build of the real project: every brief resolved in its source language, then its
translated editions, as `_Build.choose_briefs` does (the project checked once, untimed). Prints the median and
the fastest of `--rounds` rounds after one warm-up round.

    .venv/bin/python bench/resolve_bench.py [--project .] [--rounds 9] [--engine PATH]

`--engine` times another checkout's engine on the same project: the code before the frozen resolved brief, say,
exported with `git archive 040c09f briefwright | tar -x -C /tmp/old` and timed with `--engine /tmp/old`.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def resolve_all(checked: Any, channel: Any) -> int:
    """The build's resolve step; returns how many editions it made."""
    from briefwright.core.diagnostics import Collector
    from briefwright.resolve.resolver import resolve
    from briefwright.resolve.translations import resolve_translations
    out = Collector()
    if importlib.util.find_spec("briefwright.check.channel") is not None:  # the frozen resolved brief
        from briefwright.check.channel import ChannelView
        view = ChannelView(checked.project, channel)
        english = resolve(view, None, checked.previous, {}, None, checked.recorded)
        translated = resolve_translations(view, english, checked.translations, lambda b, lang: [], None, out,
                                          checked.previous, checked.recorded)
    else:  # the engine before it: one dict per brief, then patched
        english = resolve(checked.project, None, checked.previous, {}, None, checked.recorded)
        english = [b for b in english if channel.rank >= _rank(b["marking"]["value"])]
        translated = resolve_translations(checked.project, english, checked.translations, lambda b, lang: [], None,
                                          out, checked.previous, checked.recorded)
    return len(english) + len(translated.editions)


def _rank(value: str) -> int:
    from briefwright.core.model import Marking
    return Marking(value).rank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=REPO)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--engine", type=Path, default=REPO, help="the folder holding the briefwright package to time")
    parser.add_argument("--max-marking", default="RED")
    args = parser.parse_args()
    sys.path.insert(0, str(args.engine.resolve()))
    import briefwright
    from briefwright.builder import pipeline
    from briefwright.core.model import Marking
    checked = pipeline.check(args.project.resolve(), private=False)
    channel = Marking(args.max_marking)
    editions = resolve_all(checked, channel)  # warm: imports, catalogues, derived markings
    times = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        resolve_all(checked, channel)
        times.append(time.perf_counter() - started)
    print(f"engine {Path(briefwright.__file__).parent}: {editions} editions of {args.project.resolve().name}, "
          f"channel {channel.value}: resolve median {statistics.median(times) * 1000:.1f} ms, "
          f"fastest {min(times) * 1000:.1f} ms ({args.rounds} rounds)")


if __name__ == "__main__":
    main()
