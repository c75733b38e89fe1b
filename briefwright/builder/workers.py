"""Layout workers: one mechanism, `WarmPool` (a ProcessPoolExecutor), started two ways.

`serve` makes a WarmPool once and every build it runs uses it; its workers are started once, warmed by laying out
a small document through the theme's own stylesheets, and kept. A cold `build -j2` may start one early
(`pipeline.early_pool`) so its workers import the layout libraries while the parent loads and checks. Otherwise a
build's jobs run in `BuildWorkers`' own WarmPool, forked from the build's process when it first has work and
closed with the build, so a format registered in that process only (a library caller's) is known to its workers.

Start method for the kept pools: forkserver. `serve` runs an HTTP thread and a watch thread, and a worker that dies
has to be replaced while they run; fork() from a process with threads can copy a lock another thread holds, and the
child then waits on it forever. The fork server is a fresh, single-threaded Python started before any worker
(fork and exec at once, safe from any thread); it imports the engine and the layout libraries once
(`_forkserver_preload`), and every worker, the first ones and their replacements, is forked from it. A build's own
pool forks from the thread that asks for it, at its first job.

concurrent.futures rather than multiprocessing.Pool: when a worker dies, Pool replaces it but the task it held
is never answered, and a worker killed while waiting for work can hold the queue's lock, so the next build
would hang. ProcessPoolExecutor marks itself broken instead; `map` then replaces the whole pool and runs the
build's jobs once more.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from briefwright.formats import FORMATS

PRELOAD = ["briefwright.builder._forkserver_preload"]
# Text for the warm-up: serif and sans, bold and italic, a CJK run, a table and a footnote-sized note.
WARM_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{links}</head>
<body><main class="brief"><p class="org">Warm</p><h1>Warm-up</h1><p class="meta"><span>one</span><span>two</span></p>
<section><h2>Section</h2><p>Layout of <strong>bold</strong>, <em>italic</em> and <code>code</code> text, hyphen&shy;ated,
with <span lang="zh-Hans">中文排版</span> and <span lang="ja">日本語</span>.</p>
<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>
<ul class="facts"><li class="fact"><p>A fact.<span class="cite">1</span></p></li></ul></section></main></body></html>
"""


def can_run(formats: list[Any]) -> bool:
    """Whether this pool's workers know every format that would be sent to them: they are forked from the fork
    server, which finds formats by their entry points. A format registered in-process only (a desk's script, a
    test) is laid out by a pool forked from the process that registered it."""
    return all(FORMATS.found_by_entry_point(f.name) for f in formats if f.parallel)


class WorkerLost(Exception):
    """A layout worker stopped while making this build's files, twice in a row (the pool was replaced once)."""


def worker_signals() -> None:
    """Workers leave interruption to the parent: Ctrl-C is the parent's to handle, and SIGTERM or SIGHUP
    (sent by the parent's pool.terminate(), or to the whole group) simply ends them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def _end_with(owner: int) -> None:
    """End this worker when the process that owns the pool ends, even when it had no chance to close it (killed).
    The fork server cannot do it: every worker holds the pipe by which the fork server learns that its owner has
    gone, so neither would ever see the other end. A thread waits on the owner's pidfd (Linux), or polls."""
    def watch() -> None:
        try:
            fd = os.pidfd_open(owner)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            select.select([fd], [], [])  # readable once the owner has ended
        else:
            while pid_alive(owner):
                time.sleep(1)
        os._exit(1)
    if not pid_alive(owner):
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="briefwright-owner-watch").start()


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def warm_up(static_dirs: list[str]) -> None:
    """Lay out a small document through the theme's stylesheets (the project's first, as the site copies them),
    so fontconfig, Pango and WeasyPrint's own caches are filled before the first real brief. Best effort: a theme
    this cannot read only means a colder first layout."""
    with contextlib.suppress(Exception):
        from briefwright.formats.pdf import render_pdf
        chosen: dict[str, Path] = {}
        for folder in map(Path, static_dirs):
            for name in ("tokens.css", "print.css"):
                if name not in chosen and (folder / name).is_file():
                    chosen[name] = folder / name
        links = "".join(f'<link rel="stylesheet" href="{path.as_uri()}">' for path in chosen.values())
        with tempfile.TemporaryDirectory(prefix="briefwright-warm-") as tmp:
            render_pdf(WARM_HTML.format(links=links), Path(tmp), [Path(d) for d in static_dirs] + [Path(tmp)])


def _start_fork_server() -> None:
    """Start the fork server (once per process) on this process's engine. It runs `python -c`, so its first import
    path would be the working directory, and Python 3.11 ignores the import path multiprocessing hands it: a
    `briefwright` folder where serve was started, or the installed copy instead of the one this process imported,
    would be what the workers run. For the moment of its start (before serve starts any thread), the environment
    leaves out the working directory (PYTHONSAFEPATH) and puts this engine's folder first."""
    from multiprocessing import forkserver
    engine_root = str(Path(__file__).resolve().parents[2])
    saved = {name: os.environ.get(name) for name in ("PYTHONSAFEPATH", "PYTHONPATH")}
    os.environ["PYTHONSAFEPATH"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (engine_root, saved["PYTHONPATH"]) if p)
    try:
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _start_worker(owner: int, static_dirs: list[str] | None) -> None:
    worker_signals()
    _end_with(owner)
    if static_dirs is not None:
        warm_up(static_dirs)


def _pid(_: object = None) -> int:
    return os.getpid()


def _timed(task: tuple[Callable[[Any], Any], Any]) -> tuple[int, float, Any]:
    fn, item = task
    started = time.process_time()  # CPU time: what the job costs, whatever else the machine is running
    result = fn(item)
    return os.getpid(), time.process_time() - started, result


class WarmPool:
    """`jobs` worker processes, kept between builds until `close`. Not for -j1 (serve lays out inline). Each worker
    is warmed through the theme in `static_dirs`; with None it is not: a pool for one build (`early_pool`) would
    pay for the warm-up about what it saves."""

    def __init__(self, jobs: int, static_dirs: list[Path] | None, start_method: str = "forkserver",
                 preload: list[Any] | None = None):
        self.jobs = jobs
        self.static_dirs = None if static_dirs is None else [str(d) for d in static_dirs]
        self.forkserver = start_method == "forkserver"
        self.context = multiprocessing.get_context(start_method)
        self.preload = preload or []  # fork: formats whose libraries are imported here once, before forking
        if self.forkserver:
            self.context.set_forkserver_preload(PRELOAD)
            _start_fork_server()
        self.executor: ProcessPoolExecutor | None = None
        self.made: dict[int, int] = {}  # by worker process id: how many results it has returned
        self.replaced = 0  # how many times the pool was replaced (a worker died, a build was interrupted)
        self.seconds: dict[Any, float] = {}  # each job's last CPU time in a worker, by the key `map` was given
        self._lock = threading.Lock()
        self._closed = False
        # The first start waits for the fork server to import the engine (about a second): in a thread, so the
        # caller carries on meanwhile (serve's first build is pages only; a build loads and renders). `map` waits.
        # Forked workers are started at the first map instead, from the thread that asks (a fork from a second thread
        # could copy a lock the first holds).
        self._starting: threading.Thread | None = None
        if self.forkserver:
            self._starting = threading.Thread(target=self._start, daemon=True)
            self._starting.start()

    def _ready(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self.executor is None and not self._closed:
            if self.forkserver:
                _start_fork_server()
            self._start()  # not started yet (fork), or stopped by an interrupted map: started for this one

    def _start(self) -> None:
        for fmt in self.preload:
            fmt.preload()  # imported once before forking, shared by every worker
        executor = ProcessPoolExecutor(self.jobs, mp_context=self.context, initializer=_start_worker,
                                       initargs=(os.getpid(), self.static_dirs))
        # Start (and so warm) every worker now, while the parent does other work: the executor starts one per
        # task submitted while none is idle, and each is busy warming up when the next is submitted.
        for _ in range(self.jobs):
            executor.submit(_pid)
        with self._lock:
            if not self._closed:
                self.executor = executor
                return
        _shut(executor)  # closed while starting

    def pids(self) -> list[int]:
        """The worker processes alive now."""
        self._ready()
        processes = getattr(self.executor, "_processes", None) or {}
        return sorted(pid for pid, p in list(processes.items()) if p.is_alive())

    def map(self, fn: Callable[[Any], Any], items: list, stage: str, progress: Callable[[str, int, int], None],
            cost: Callable[[Any], int] | None = None, key: Callable[[Any], Any] | None = None) -> list:
        """`fn` over `items` in the workers, results in the items' order. Longest first: by the time each took
        last time when every item's `key` has one (serve rebuilds the same briefs edit after edit), else by `cost`.
        A pool whose worker died is replaced and the items run again, once; an interrupted or failed map replaces
        it too, so no job of this build is left running into the next."""
        keys = [key(item) for item in items] if key else None
        if keys and all(k in self.seconds for k in keys):
            order = sorted(range(len(items)), key=lambda i: -self.seconds[keys[i]])
        else:
            order = sorted(range(len(items)), key=lambda i: -(cost(items[i]) if cost else 0))
        try:
            return self._map(fn, items, order, keys, stage, progress)
        except BrokenProcessPool:
            self.replace()
        try:
            return self._map(fn, items, order, keys, stage, progress)
        except BrokenProcessPool:
            self.replace()
            raise WorkerLost("a layout worker stopped while making this build's files, twice; "
                             "build with -j1 to see why") from None

    def _map(self, fn: Callable[[Any], Any], items: list, order: list[int], keys: list | None, stage: str,
             progress: Callable[[str, int, int], None]) -> list:
        self._ready()
        assert self.executor is not None
        progress(stage, 0, len(items))
        futures: dict[Future, int] = {}
        results: list = [None] * len(items)
        finished = False
        try:
            for i in order:  # submitted longest first; the workers take them in that order
                futures[self.executor.submit(_timed, (fn, items[i]))] = i
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = futures[future]
                    pid, seconds, results[index] = future.result()
                    self.made[pid] = self.made.get(pid, 0) + 1
                    if keys:
                        self.seconds[keys[index]] = seconds
                progress(stage, len(items) - len(pending), len(items))
            finished = True
        finally:
            if not finished:
                for future in futures:
                    future.cancel()
                if any(f.running() for f in futures):  # a job of this build still runs: stop it rather than make
                    self._stop()  # the next build wait for it; the next map starts fresh workers
                    self.replaced += 1
        return results

    def replace(self) -> None:
        """Stop every worker now and start fresh ones (warming up while the caller carries on)."""
        self._stop()
        self.replaced += 1
        if self.forkserver:
            _start_fork_server()  # again, should it have ended
            self._start()  # forked workers start at the next map

    def _stop(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        with self._lock:
            executor, self.executor = self.executor, None
        if executor is not None:
            _shut(executor)

    def close(self) -> None:
        """End the workers at once, not after their current layout. A pool still starting is not waited for: it
        stops what it started when it is done, and its workers end with this process in any case."""
        with self._lock:
            self._closed = True
            executor, self.executor = self.executor, None
        if executor is not None:
            _shut(executor)

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _shut(executor: ProcessPoolExecutor) -> None:
    """Stop an executor's workers now (SIGTERM, then SIGKILL for one that does not end)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for p in processes:
        with contextlib.suppress(Exception):
            p.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(timeout=5)
        if p.is_alive():
            p.kill()
            p.join(timeout=5)


class BuildWorkers:
    """Where one build's jobs run: inline for -j1 or a single job; in the caller's warm pool when it gives one
    (serve's, or a cold build's early pool); else in a pool of this build's own, forked from this process at its
    first job (so a format or chart kind registered in this process only is known to its workers, as a library
    caller expects) and ended with the build. Every pool is a `WarmPool`: one mechanism, two start methods."""

    def __init__(self, jobs: int, formats: list[Any], warm: WarmPool | None = None):
        self.jobs, self.formats, self.warm = jobs, formats, warm
        self.own: WarmPool | None = None

    def __enter__(self) -> BuildWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.own is not None:
            self.own.close()

    def map(self, fn: Callable[[Any], Any], items: list, stage: str, progress: Callable[[str, int, int], None],
            cost: Callable[[Any], int] | None = None, key: Callable[[Any], Any] | None = None) -> list:
        """`fn` over `items`, results in their order, longest first by `cost` (or, in a warm pool, by each
        job's time at its last build when it has one for every item's `key`)."""
        if self.warm is not None and items:  # warm workers: even one job is faster there than in a cold parent
            return self.warm.map(fn, items, stage, progress, cost, key)
        if self.jobs == 1 or len(items) < 2:
            progress(stage, 0, len(items))
            results = []
            for i, item in enumerate(items):
                results.append(fn(item))
                progress(stage, i + 1, len(items))
            return results
        if self.own is None:
            self.own = WarmPool(self.jobs, None, "fork", [f for f in self.formats if f.parallel])
        return self.own.map(fn, items, stage, progress, cost, key)
