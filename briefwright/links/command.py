"""`briefwright links check` and `briefwright links archive`: which addresses, what is printed, what is kept.

Problems are printed as the rest of Briefwright prints them (path:line:col at the source's `url` or
`archived_url`), so editors and CI annotations find them; a JSON report holds every result.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from briefwright.check.channel import ChannelView
from briefwright.check.validate import unarchived
from briefwright.core.diagnostics import Collector, Diagnostic, Loc
from briefwright.core.model import Links, Marking, Source, UrlStatus
from briefwright.links import Clock, SystemClock
from briefwright.links.archive import KEY_VARIABLE, Archiver, Capture, endpoint_of, key_allowed
from briefwright.links.check import DEAD, LIVE, REDIRECTED, STATUSES, UNREACHABLE, Checker, Politeness, Result, host_of
from briefwright.links.store import ArchiveJobs, Results
from briefwright.links.writeback import Addition, WriteError, add_fields
from briefwright.source.project import Project

UNCHECKED = "unchecked"  # --offline, and never checked


class LinkUsageError(Exception):
    """A wrong option or setting: printed as a usage error (exit 2)."""


def clock_factory() -> Clock:
    return SystemClock()


@dataclass
class Target:
    source: Source
    field: str  # "url" or "archived_url"
    url: str

    @property
    def loc(self) -> Loc:
        return self.source.at(self.field)


class Progress:
    """On a terminal, one line rewritten with counts and the time left; elsewhere (CI, a pipe) a line at each
    tenth. The build's progress line is drawn the same way, without a library for it."""

    def __init__(self, stage: str, total: int, clock: Clock, stream: Any = None):
        self.stage, self.total, self.clock = stage, total, clock
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty() and os.environ.get("CI") != "true"
        self.done = 0
        self.start = clock.monotonic()
        self.tenths = 0

    def left(self) -> str:
        if not self.done or self.done >= self.total:
            return ""
        seconds = (self.clock.monotonic() - self.start) / self.done * (self.total - self.done)
        return f", about {seconds / 60:.0f} min left" if seconds >= 90 else f", about {seconds:.0f} s left"

    def step(self, what: str = "") -> None:
        self.done += 1
        if self.terminal:
            print(f"\r\033[K{self.stage}: {self.done}/{self.total}{self.left()} {what}"[:200], end="",
                  file=self.stream, flush=True)
        elif self.total and self.done * 10 // self.total > self.tenths:
            self.tenths = self.done * 10 // self.total
            print(f"{self.stage}: {self.done}/{self.total} ({self.tenths * 10}%){self.left()}", file=self.stream,
                  flush=True)

    def close(self) -> None:
        if self.terminal:
            print("\r\033[K", end="", file=self.stream, flush=True)


def _settings(project: Project) -> Links:
    # Record declares `id` for type checking only; a settings record has none.
    return project.settings.links or Links()  # type: ignore[call-arg]


def cache_folder(project: Project, given: Path | None) -> Path:
    from briefwright.builder.pipeline import CACHE_FOLDER
    return (given or project.root / CACHE_FOLDER) / "links"


def targets(project: Project, ids: list[str]) -> list[Target]:
    unknown = [i for i in ids if i not in project.sources]
    if unknown:
        raise LinkUsageError(f"no source '{unknown[0]}'")
    chosen = [project.sources[i] for i in ids] if ids else list(project.sources.values())
    found = []
    for source in chosen:
        for name in ("url", "archived_url"):
            url = getattr(source, name)
            if url:
                found.append(Target(source, name, url))
    return found


# -- links check --------------------------------------------------------------------------------------------

@dataclass
class CheckRun:
    results: dict[str, Result] = field(default_factory=dict)
    from_cache: set[str] = field(default_factory=set)


def _problem(target: Target, result: Result, out: Collector, strict: bool) -> bool:
    """One located line for what needs the analyst; True when it fails --strict (a dead address with no copy)."""
    source, where = target.source, target.loc
    said = f"source '{source.id}': {target.url}"
    if target.field == "archived_url":
        if result.status == DEAD:
            out.warning(where, f"source '{source.id}': its archived copy {target.url} is gone ({result.detail}); "
                        "find another copy and replace archived_url")
        elif result.status == UNREACHABLE:
            out.note(where, f"source '{source.id}': its archived copy {target.url} could not be checked ({result.detail})")
        elif result.status == REDIRECTED and host_of(result.target or "") != host_of(target.url):
            out.note(where, f"source '{source.id}': its archived copy redirects to another site, {result.target}")
        return False
    marked = source.url_status is UrlStatus.DEAD
    if result.status == DEAD:
        if marked:
            return False  # known: its notes already lead with the archived copy
        if source.archived_url:
            out.warning(where, f"{said} is dead ({result.detail}); mark it with url_status: dead (`briefwright links "
                        "check --mark-dead` does) so its notes lead with the archived copy")
            return False
        (out.error if strict else out.warning)(
            where, f"{said} is dead ({result.detail}) and has no archived copy; look for one in an archive's listing "
            "of this address and add it as archived_url, or cite another source")
        return True
    if marked and result.status in (LIVE, REDIRECTED):
        out.note(where, f"{said} is marked dead but answers again ({result.detail}); remove url_status: dead if "
                 "it is the page that was cited")
    elif result.status == UNREACHABLE:
        out.warning(where, f"{said} could not be checked ({result.detail}); that is not taken for dead, which only "
                    "a 404, a 410, a soft 404 or a name DNS does not know is")
    elif result.status == REDIRECTED:
        out.note(where, f"{said} redirects to {result.target}; if that is the same page, cite it as url")
    return False


def run_check(project: Project, ids: list[str], offline: bool, strict: bool, report: Path | None, mark_dead: bool,
              cache_dir: Path | None, show: Callable[[list[Diagnostic]], None],
              transport: httpx.BaseTransport | None = None) -> int:
    """Check the addresses (or report the cache's results, offline); `show` prints the located problems before
    the summary line. Exit 1 only with `strict` and a dead address without an archived copy."""
    out = Collector()
    settings = _settings(project)
    clock = clock_factory()
    warnings: list[str] = []
    folder = cache_folder(project, cache_dir)
    store = Results(folder, warnings)
    for line in warnings:
        print(line, file=sys.stderr)
    chosen = targets(project, ids)
    now = clock.now()
    run, ask = _from_cache(chosen, store, offline, now, settings)
    if ask:
        _ask(ask, run, store, settings, clock, transport)
    failing = False
    rows = []
    counts = dict.fromkeys((*STATUSES, UNCHECKED), 0)
    dead_sources: list[Source] = []
    for target in chosen:
        result = run.results.get(target.url)
        status = result.status if result else UNCHECKED
        counts[status] += 1
        if result is not None:
            failing |= _problem(target, result, out, strict)
            if target.field == "url" and status == DEAD and target.source.url_status is None:
                dead_sources.append(target.source)
        rows.append(_row(target, status, result, run))
    show(sorted(out.diagnostics, key=lambda d: (str(d.loc.path), d.loc.line, d.loc.col)))
    if mark_dead and dead_sources:
        _write_marks(dead_sources)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps({"made": now.isoformat(timespec="seconds"), "offline": offline,
                                      "counts": counts, "results": rows}, indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    _print_summary(chosen, run, counts, offline, report)
    return 1 if strict and failing else 0


def _from_cache(chosen: list[Target], store: Results, offline: bool, now: Any, settings: Links) -> tuple[CheckRun, list[str]]:
    """The results the cache holds (any age offline, else fresh ones), and the addresses still to ask, each once."""
    run = CheckRun()
    ask: list[str] = []
    for target in chosen:
        if target.url in run.results or target.url in ask:
            continue
        cached = store.get(target.url) if offline else store.fresh(target.url, now, settings.cache_hours)
        if cached is not None:
            run.results[target.url] = cached
            run.from_cache.add(target.url)
        elif not offline:
            ask.append(target.url)
    return run, ask


def _ask(ask: list[str], run: CheckRun, store: Results, settings: Links, clock: Clock,
         transport: httpx.BaseTransport | None) -> None:
    """Ask every address, politely per host; each result is kept as it comes, so an interrupted run goes on later."""
    politeness = Politeness(per_host=settings.per_host, delay=settings.delay_seconds, timeout=settings.timeout_seconds)
    checker = Checker(politeness, clock, transport)
    progress = Progress("links check", len(ask), clock)
    hosts = len({host_of(u) for u in ask})
    print(f"links check: asking {len(ask)} address{'es' if len(ask) != 1 else ''} on {hosts} host"
          f"{'s' if hosts != 1 else ''}, {politeness.per_host} at a time per host, {politeness.delay:g} s apart"
          + (f" ({len(run.from_cache)} more from the last {settings.cache_hours} h)" if run.from_cache else ""),
          file=sys.stderr)

    def done(result: Result) -> None:
        run.results[result.url] = result
        store.put(result)
        progress.step(result.url)
    try:
        checker.check_all(ask, done)
    except KeyboardInterrupt:
        checker.stopped = True
        if isinstance(clock, SystemClock):
            clock.stop.set()
        progress.close()
        store.save()
        print(f"links check: interrupted after {progress.done} of {len(ask)}; those results are kept for "
              f"{settings.cache_hours} h, so the next `briefwright links check` goes on from there", file=sys.stderr)
        raise
    finally:
        checker.close()
    progress.close()
    store.save()


def _row(target: Target, status: str, result: Result | None, run: CheckRun) -> dict:
    """One address's line of the JSON report."""
    return {"source": target.source.id, "field": target.field, "url": target.url, "status": status,
            **({k: v for k, v in result.to_json().items() if k != "url"} if result else {}),
            "from_cache": target.url in run.from_cache, "file": target.loc.display_path(),
            "line": target.loc.line, "url_status": target.source.url_status.value
            if target.source.url_status else None, "archived_url": target.source.archived_url}


def _print_summary(chosen: list[Target], run: CheckRun, counts: dict[str, int], offline: bool, report: Path | None) -> None:
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    sources = len({t.source.id for t in chosen})
    asked = len(chosen) - sum(1 for t in chosen if t.url in run.from_cache)
    print(f"links check: {len(chosen)} address{'es' if len(chosen) != 1 else ''} of {sources} source"
          f"{'s' if sources != 1 else ''}: {summary or 'none'}"
          + ("; from the cache alone (--offline)" if offline else f" ({len(run.from_cache)} from the cache)"
             if run.from_cache and asked else "")
          + (f"; report in {report}" if report else "")
          + ("; run `briefwright links check` where the network allows to check the unchecked ones"
             if counts[UNCHECKED] else ""), file=sys.stderr)


def _write_marks(sources: list[Source]) -> None:
    for path, group in _by_file(sources).items():
        try:
            add_fields(path, [Addition(s.id, (("url_status", UrlStatus.DEAD.value),), ("archived", "archived_url", "url"))
                              for s in group])
        except WriteError as exc:
            print(exc, file=sys.stderr)
            continue
        for source in group:
            print(f"{source.at('url')}: marked source '{source.id}' url_status: dead", file=sys.stderr)


# -- links archive ------------------------------------------------------------------------------------------

def run_archive(project: Project, ids: list[str], endpoint: str | None, per_minute: int | None, channel: Marking,
                cache_dir: Path | None, transport: httpx.BaseTransport | None = None) -> int:
    settings = _settings(project)
    endpoint, key, rate = _archive_options(endpoint, per_minute, settings)
    by_url, left_out = _to_archive(project, ids, channel)
    clock = clock_factory()
    warnings: list[str] = []
    folder = cache_folder(project, cache_dir)
    jobs = ArchiveJobs(folder, warnings)
    for line in warnings:
        print(line, file=sys.stderr)
    jobs.jobs = {url: job for url, job in jobs.jobs.items() if url in by_url}  # asked for and still wanted
    if not by_url:
        print("links archive: every cited address has an archived copy" if not left_out else
              "links archive: nothing to ask for", file=sys.stderr)
        return 0
    minutes = len(by_url) / rate
    print(f"links archive: {len(by_url)} cited address{'es' if len(by_url) != 1 else ''} without an archived copy"
          + (f" ({len(jobs.jobs)} asked for before, polled first)" if jobs.jobs else "")
          + f"; at {rate} a minute that takes about {max(1, round(minutes))} min, from {endpoint}"
          + ("" if key else f" (set {KEY_VARIABLE} for 12 a minute)"), file=sys.stderr)
    archiver = Archiver(endpoint, key, rate, clock, transport)
    return _capture(archiver, by_url, jobs, Progress("links archive", len(by_url), clock), endpoint, rate)


def _archive_options(endpoint: str | None, per_minute: int | None, settings: Links) -> tuple[str, str | None, int]:
    """The archive's address, the key (sent only where it is safe) and captures asked for a minute, or LinkUsageError."""
    endpoint = endpoint_of(endpoint, settings.archive_endpoint)
    if not endpoint.startswith(("https://", "http://")):
        raise LinkUsageError(f"the archive endpoint must start with https:// or http://, not {endpoint!r}")
    key = os.environ.get(KEY_VARIABLE) or None
    if key and not key_allowed(endpoint):
        raise LinkUsageError(f"{KEY_VARIABLE} is sent only over https (or to this machine); {endpoint} is neither")
    rate = per_minute or settings.archive_per_minute or (12 if key else 4)
    if rate < 1:
        raise LinkUsageError("--per-minute must be at least 1")
    return endpoint, key, rate


def _to_archive(project: Project, ids: list[str], channel: Marking) -> tuple[dict[str, list[Source]], bool]:
    """The cited sources without an archived copy, by address, and whether any were left out: those above the
    channel (a capture makes an address public) and those marked dead (a capture now would keep the error page)."""
    missing = unarchived(project)
    if ids:
        unknown = [i for i in ids if i not in project.sources]
        if unknown:
            raise LinkUsageError(f"no source '{unknown[0]}'")
        missing = {sid: b for sid, b in missing.items() if sid in ids}
    view = ChannelView(project, channel)
    restricted = [sid for sid in missing if view.hides("source", sid)]
    dead = [sid for sid in missing if project.sources[sid].url_status is UrlStatus.DEAD]
    chosen = [project.sources[sid] for sid in missing if sid not in restricted and sid not in dead]
    if restricted:
        print(f"links archive: left out {len(restricted)} source{'s' if len(restricted) != 1 else ''} above "
              f"{channel.label} ({', '.join(restricted[:5])}{', ...' if len(restricted) > 5 else ''}): a capture makes "
              "its address public; pass --max-marking to include them", file=sys.stderr)
    for sid in dead:
        print(f"{project.sources[sid].at('url')}: source '{sid}' is marked dead: a capture now would keep the error "
              "page; find an earlier copy in an archive's listing of it", file=sys.stderr)
    by_url: dict[str, list[Source]] = {}
    for source in chosen:
        by_url.setdefault(str(source.url), []).append(source)
    return by_url, bool(restricted or dead)


def _capture(archiver: Archiver, by_url: dict[str, list[Source]], jobs: ArchiveJobs, progress: Progress, endpoint: str,
             rate: int) -> int:
    """Ask the archive for each address and write each copy it makes into the sources' YAML as it comes; the jobs
    in progress are kept, so a stopped run goes on where it stopped."""
    failed: list[str] = []

    def captured(capture: Capture) -> None:
        progress.step(capture.url)
        for path, group in _by_file(by_url[capture.url]).items():
            try:
                add_fields(path, [Addition(s.id, (("archived_url", capture.archived_url), ("archived", capture.day)))
                                  for s in group])
            except WriteError as exc:
                failed.append(capture.url)
                print(f"\n{exc}; add it by hand: archived_url: {capture.archived_url}, archived: {capture.day}",
                      file=sys.stderr)

    def refused(url: str, why: str) -> None:
        progress.step(url)
        failed.append(url)
        for source in by_url[url]:
            print(f"\n{source.at('url')}: source '{source.id}': the archive did not capture {url}: {why}", file=sys.stderr)

    try:
        pending = archiver.run(jobs.jobs, list(by_url), captured, refused, jobs.save)
    except KeyboardInterrupt:
        progress.close()
        jobs.save()
        left = len(by_url) - progress.done
        print(f"links archive: interrupted after {progress.done} of {len(by_url)}; {len(jobs.jobs)} capture"
              f"{'s' if len(jobs.jobs) != 1 else ''} in progress kept in {jobs.path}. Run `briefwright links "
              f"archive` again to go on: {left} left, about {max(1, round(left / rate))} min", file=sys.stderr)
        raise
    except httpx.HTTPError as exc:
        progress.close()
        jobs.save()
        print(f"links archive: could not reach the archive at {endpoint} ({type(exc).__name__}: {exc}); "
              f"{progress.done} of {len(by_url)} done, the rest is kept for the next run", file=sys.stderr)
        return 1
    finally:
        archiver.close()
    progress.close()
    jobs.save()
    written = progress.done - len(failed)
    print(f"links archive: {written} archived {'copy' if written == 1 else 'copies'} written into the sources"
          + (f"; {len(failed)} not" if failed else "")
          + (f"; {len(pending)} still being made, polled again by the next run" if pending else ""), file=sys.stderr)
    return 1 if failed else 0


def _by_file(sources: list[Source]) -> dict[Path, list[Source]]:
    found: dict[Path, list[Source]] = {}
    for source in sources:
        found.setdefault(source.loc.path, []).append(source)
    return found

