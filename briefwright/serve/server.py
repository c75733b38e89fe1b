"""`briefwright serve`: build, serve the site on localhost, rebuild when a project file changes,
and tell open pages at once. One warm process: the engine stays imported between builds.

A change is built in two steps. First the pages alone (`formats=['html']`, swapped in atomically), so
the edit is on screen without waiting for layout; those pages carry no PDF or Word links, so no link
ever points to a missing or stale file. Then every format, swapped in again, and the pages reload with
their links back. Content errors go to the terminal and, as the same located lines, to an overlay in
the page; the next good build reloads the page, which clears it.

The reload script is served from /__briefwright/ and added to pages as they are served, never
written to site/. Pages learn of builds by server-sent events on /__briefwright/events.

Only this machine's own pages are answered (docs/security.md). Binding 127.0.0.1 is not enough: a page the
analyst opens elsewhere can point a name it controls at 127.0.0.1 (DNS rebinding) and read the preview as its
own origin, so a request whose Host is not this machine's address and port is refused, whatever its path. The
/__briefwright/ endpoints also refuse a request that says it comes from another origin or site. No CORS
header is ever sent, so no other origin's script may read a response."""
from __future__ import annotations

import errno
import functools
import gzip
import http.server
import json
import queue
import re
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefwright.builder.pipeline import BuildOptions, Checked, FileFault, UsageError, build, check, collect_idle, parse_cache
from briefwright.builder.workers import WarmPool, WorkerLost, can_run
from briefwright.core.diagnostics import ContentError
from briefwright.formats import FORMATS
from briefwright.render.page import template_dirs
from briefwright.source.parse_cache import ParseCache

if TYPE_CHECKING:
    from watchfiles import Change

# Served from the site's own origin as a file, so the pages' content security policy (script-src 'self',
# connect-src 'self') allows it. The page's own build number comes in the script's URL (no inline script).
# Messages are shown with text nodes only: they quote content, which is never markup here.
RELOAD_JS = b"""(function () {
  "use strict";
  var me = document.currentScript;
  var seen = Number(new URL(me.src).searchParams.get("v"));
  var box = null, chip = null;
  function style(el, props) { for (var k in props) { el.style.setProperty(k, props[k]); } }
  function clear(el) { if (el && el.parentNode) { el.parentNode.removeChild(el); } return null; }
  function overlay(errors) {
    box = clear(box);
    box = document.createElement("div");
    box.id = "briefwright-errors";
    box.setAttribute("role", "alert");
    style(box, {"position": "fixed", "inset": "0", "z-index": "2147483647", "overflow": "auto",
      "background": "rgba(20,20,20,0.94)", "color": "#fff", "padding": "2rem",
      "font": "15px/1.5 ui-monospace, Menlo, Consolas, monospace"});
    var title = document.createElement("h2");
    title.appendChild(document.createTextNode("The build failed: this page is the previous build"));
    style(title, {"color": "#ff8a80", "font-size": "1.2rem", "margin": "0 0 1rem"});
    box.appendChild(title);
    var list = document.createElement("pre");
    style(list, {"white-space": "pre-wrap", "margin": "0"});
    list.appendChild(document.createTextNode(errors.join("\\n")));
    box.appendChild(list);
    document.body.appendChild(box);
  }
  function pending(on) {
    chip = clear(chip);
    if (!on) { return; }
    chip = document.createElement("div");
    chip.id = "briefwright-pending";
    chip.setAttribute("role", "status");
    chip.appendChild(document.createTextNode("PDF and Word: laying out\\u2026"));
    style(chip, {"position": "fixed", "right": "1rem", "bottom": "1rem", "z-index": "2147483646",
      "background": "#333", "color": "#fff", "padding": "0.3rem 0.7rem", "border-radius": "4px",
      "font": "13px/1.4 system-ui, sans-serif"});
    document.body.appendChild(chip);
  }
  var events = new EventSource("/__briefwright/events");
  events.onmessage = function (e) {
    var s = JSON.parse(e.data);
    if (s.version !== seen && s.errors.length === 0) { events.close(); location.reload(); return; }
    if (s.errors.length) { overlay(s.errors); } else { box = clear(box); }
    pending(s.pending && s.errors.length === 0);
  };
})();
"""
WATCHED = ("project.yaml", "content", "briefs", "templates", "editions", "translations")
PRIVATE_WATCHED = ("content", "briefs")  # what a private folder holds (load reads only these)
EVENTS = "/__briefwright/events"
HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(?P<port>[0-9]{1,5}))?")
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")  # with serve's port: the Host of a page on this machine
SAME_ORIGIN = ("same-origin", "none")  # Sec-Fetch-Site of the preview's own requests and of an address typed in
REFUSED_HOST = b"Forbidden: this preview answers only requests for this machine's own address.\n"
REFUSED_ORIGIN = b"Forbidden: the preview's own endpoints answer only its own pages.\n"
REPEAT_QUIET = 5.0  # seconds: the same refusal is logged once in this time, so a page polling cannot flood the terminal
# Text the preview sends gzip-compressed to a browser that accepts it, as GitHub Pages and most static hosts do;
# Pagefind's index and WebAssembly are compressed files already and go as they are.
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt"}
GZIP_FROM = 1024  # bytes: smaller bodies gain less than the header costs
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, so proxies and browsers keep it open


class State:
    """What the pages are told: the build they should show, the errors of the last attempt, and whether
    the PDF and Word files are still being made. Every change wakes the event streams."""

    def __init__(self) -> None:
        self.version = 0
        self.errors: list[str] = []
        self.pending = False
        self.changed = threading.Condition()
        self.closing = False

    def snapshot(self) -> dict:
        return {"version": self.version, "errors": list(self.errors), "pending": self.pending}

    def update(self, **values: object) -> None:
        with self.changed:
            for name, value in values.items():
                setattr(self, name, value)
            self.changed.notify_all()

    def wait(self, after: dict, timeout: float) -> dict:
        with self.changed:
            self.changed.wait_for(lambda: self.closing or self.snapshot() != after, timeout)
            return self.snapshot()


def accepts_gzip(values: list[str]) -> bool:
    """Whether Accept-Encoding header values allow gzip: named, or covered by `*`, and not refused with q=0 (a
    named gzip's own weight decides over `*`'s)."""
    allowed: dict[str, bool] = {}
    for value in values:
        for part in value.split(","):
            name, _, params = part.strip().partition(";")
            name = name.strip().lower()
            if name in ("gzip", "*"):
                allowed[name] = re.fullmatch(r"q=0(\.0{0,3})?", params.replace(" ", "").lower()) is None
    return allowed.get("gzip", allowed.get("*", False))


def split_host(host: str) -> tuple[str, str | None] | None:
    """A Host header's name and port, lower-cased ('[::1]:8000' -> ('[::1]', '8000')); None if it is not one."""
    found = HOST.fullmatch(host.strip().lower())
    return (found["name"], found["port"]) if found else None


class _Refusals:
    """One log line per refusal, naming the host; the same reason again within REPEAT_QUIET seconds is not logged."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def log(self, reason: str, line: str) -> None:
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(reason, -REPEAT_QUIET) < REPEAT_QUIET:
                return
            if len(self.last) > 1000:  # many different hosts: forget them rather than grow
                self.last.clear()
            self.last[reason] = now
        print(line, file=sys.stderr, flush=True)


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: State
    workers: WarmPool | None = None
    port = 0  # the port serve listens on, set once it is bound
    allowed_hosts: tuple[str, ...] = ()  # --allow-host names, answered on any port
    refusals: _Refusals

    def log_message(self, *args):
        pass

    def parse_request(self) -> bool:
        """Every request, whatever its method or path, passes the Host check (and on /__briefwright/ the origin
        check) before anything is read for it."""
        if not super().parse_request():
            return False
        refusal = self._refusal()
        if refusal is None:
            return True
        body, reason = refusal
        self.refusals.log(reason, f"serve: refused {self.command} {ascii(self.path[:200])}: {reason}")
        self.send_response(403)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True
        return False

    def _refusal(self) -> tuple[bytes, str] | None:
        """Why this request is refused (the body to send and the log's reason), or None to answer it."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            return REFUSED_HOST, f"{len(hosts)} Host headers, not one"
        host = hosts[0].strip().lower()
        parts = split_host(host)
        local = f"127.0.0.1:{self.port}, localhost:{self.port} or [::1]:{self.port}"
        if parts is None or not (
                (parts[0] in LOCAL_NAMES and (parts[1] == str(self.port) or (parts[1] is None and self.port == 80)))
                or parts[0] in self.allowed_hosts):
            return REFUSED_HOST, (f"Host {ascii(host[:200])} is not this machine ({local}), so a page elsewhere may be "
                                  "reading the preview (DNS rebinding); a tunnel's name needs --allow-host")
        if not self.path.startswith("/"):  # an absolute URL names its own host, which is not the one checked
            return REFUSED_HOST, "the request names an absolute URL, not a path"
        if self.path.startswith("/__briefwright/"):  # every endpoint's route starts so (do_GET compares the raw path)
            origins = self.headers.get_all("Origin") or []
            if len(origins) > 1 or (origins and origins[0].strip().lower() not in (f"http://{host}", f"https://{host}")):
                return REFUSED_ORIGIN, f"Origin {ascii(', '.join(origins)[:200])} is not this preview (Host {ascii(host[:200])})"
            fetch_site = (self.headers.get("Sec-Fetch-Site") or "none").strip().lower()
            if fetch_site not in SAME_ORIGIN:
                return REFUSED_ORIGIN, f"Sec-Fetch-Site {ascii(fetch_site[:40])}: asked for by a page of another origin"
        return None

    def do_GET(self):
        route = self.path.split("?")[0]
        if route == "/__briefwright/reload.js":
            return self._send(RELOAD_JS, "text/javascript; charset=utf-8")
        if route == "/__briefwright/version":
            return self._send(json.dumps(self.state.snapshot()).encode(), "application/json")
        if route == EVENTS:
            return self._events()
        if route == "/__briefwright/workers":  # the layout workers, for a test or a curious user
            pool = self.workers
            workers = {"alive": pool.pids(), "made": {str(k): v for k, v in sorted(pool.made.items())},
                       "replaced": pool.replaced} if pool else {"alive": [], "made": {}, "replaced": 0}
            return self._send(json.dumps(workers).encode(), "application/json")
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            body = target.read_bytes()
            tag = f'<script src="/__briefwright/reload.js?v={self.state.version}"></script>\n'.encode()
            body = body.replace(b"</body>", tag + b"</body>", 1) if b"</body>" in body else body + tag
            return self._send(body, "text/html; charset=utf-8", compress=True)
        if target.suffix in COMPRESSIBLE and target.is_file() and not self.path.endswith("/"):
            try:
                body = target.read_bytes()
            except OSError:  # gone between the test and the read (a rebuild swapped the site): as a missing file
                return super().do_GET()
            kind = self.guess_type(str(target))
            return self._send(body, f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("json", "javascript"))
                              else kind, compress=True)
        return super().do_GET()

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # files too: a PDF reloaded is the one just built
        super().end_headers()

    def _send(self, body: bytes, kind: str, compress: bool = False) -> None:
        """A whole response; text gzip-compressed when the browser accepts it, as a static host sends it."""
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if compress:
            self.send_header("Vary", "Accept-Encoding")
            if len(body) >= GZIP_FROM and accepts_gzip(self.headers.get_all("Accept-Encoding") or []):
                body = gzip.compress(body, 6, mtime=0)
                self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        sent: dict = {}
        try:
            while not self.state.closing:
                now = self.state.wait(sent, KEEPALIVE)
                if now != sent:
                    self.wfile.write(b"data: " + json.dumps(now).encode() + b"\n\n")
                    sent = now
                else:
                    self.wfile.write(b": keepalive\n\n")
                self.wfile.flush()
        except OSError:  # the page went away
            pass
        self.close_connection = True


class Superseded(Exception):
    """An edit arrived while the PDF and Word files of the one before were being made."""


def _unless_superseded(opts: BuildOptions, changes: queue.Queue) -> BuildOptions:
    """`opts` for a build of the PDF and Word files that gives up, at the next job to finish, once a newer edit is
    waiting: its pages come first, and layout of content already edited again would only delay them."""
    before = opts.progress

    def progress(stage: str, done: int, total: int) -> None:
        if not changes.empty():
            raise Superseded
        if before is not None:
            before(stage, done, total)
    return replace(opts, progress=progress)


def _located(exc: Exception) -> list[str]:
    if isinstance(exc, ContentError):
        return [str(d) for d in exc.diagnostics if d.severity == "error"] or [str(d) for d in exc.diagnostics]
    return [f"error: {exc}"]


def _attempt(opts: BuildOptions, state: State, what: str, checked: Checked | None = None,
             cache: ParseCache | None = None) -> Checked | None:
    """One build; on failure the messages go to the terminal and the pages, and the site is left as it was.
    Returns the checked project it built from, for the next step to build the same content. `cache` keeps
    each unchanged file's records in memory between builds."""
    started = time.perf_counter()
    try:
        checked = checked or check(opts.root, opts.strict, opts.private, cache)
        report = build(opts, checked)
    except Superseded:  # the site is as it was; the newer edit's pages are next, then its files
        print(f"{what}: left off after {time.perf_counter() - started:.2f} s for a newer edit", file=sys.stderr,
              flush=True)
        return None
    except (ContentError, UsageError, FileFault, WorkerLost) as exc:
        errors = _located(exc)
        for line in errors:
            print(line, file=sys.stderr)
        print(f"{what} failed; still serving the previous site", file=sys.stderr, flush=True)
        state.update(errors=errors, pending=False)
        return None
    # What this step made anew: the pages step renders pages (its formats are html alone), the next makes files.
    made = list(dict.fromkeys(report.built + report.rendered)) + (["the site pages"] if report.site_pages else [])
    print(f"{what}: built {', '.join(made) or 'nothing new'} in {time.perf_counter() - started:.2f} s",
          file=sys.stderr, flush=True)
    return checked


class _Filter:
    """The project's own files (the folders serve watches) and the content of the private folders it reads,
    not the site, the cache or an editor's swap files."""

    def __init__(self, root: Path, private: list[Path]):
        from watchfiles import DefaultFilter
        self.roots = [(root.resolve(), WATCHED)] + [(p.resolve(), PRIVATE_WATCHED) for p in private]
        self.default = DefaultFilter()

    def __call__(self, change: Change, path: str) -> bool:
        resolved = Path(path).resolve()
        for root, watched in self.roots:
            try:
                first = resolved.relative_to(root).parts[0]
            except (ValueError, IndexError):
                continue
            if first in watched:
                return self.default(change, path)
        return False


def _private_folders(opts: BuildOptions) -> list[Path]:
    """The private folders project.yaml names that exist (read again after every build: project.yaml may
    name another); none with --no-private."""
    if not opts.private:
        return []
    from briefwright.core.diagnostics import Collector
    from briefwright.source.load import load_settings
    root = opts.root.resolve()
    settings = load_settings(root, Collector())
    if settings is None:
        return []
    found = []
    for name in settings.private_content:
        folder = (root / name).resolve()
        if folder.is_dir() and not (folder == root or folder.is_relative_to(root) or root.is_relative_to(folder)):
            found.append(folder)
    return found


def _snapshot(root: Path, private: list[Path]) -> dict:
    state = {}
    for base, names in [(root, WATCHED)] + [(p, PRIVATE_WATCHED) for p in private]:
        for name in names:
            path = base / name
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
            for f in files:
                try:
                    st = f.stat()
                except OSError:
                    continue
                state[str(f)] = (st.st_mtime_ns, st.st_size)
    return state


def _watch(root: Path, private: list[Path], changes: queue.Queue, stop: threading.Event) -> None:
    from watchfiles import watch
    for batch in watch(root, *private, watch_filter=_Filter(root, private), debounce=1600, step=50, stop_event=stop,
                       raise_interrupt=False, rust_timeout=1000, yield_on_timeout=False):
        changes.put(batch)


class _Watcher:
    """The watch thread, started again when the set of private folders changes (project.yaml names another,
    or a named one appears)."""

    def __init__(self, root: Path, changes: queue.Queue):
        self.root, self.changes = root, changes
        self.private: list[Path] | None = None
        self.stop = threading.Event()

    def follow(self, private: list[Path]) -> None:
        if private == self.private:
            return
        self.stop.set()
        self.stop = threading.Event()
        if self.private is not None:
            self.changes.put(set())  # a folder now read may have changed while it was not watched
        self.private = private
        threading.Thread(target=_watch, args=(self.root, private, self.changes, self.stop), daemon=True).start()


def _drain(changes: queue.Queue, block: bool) -> bool:
    got = False
    try:
        changes.get(block=block)
        got = True
        while True:
            changes.get_nowait()
    except queue.Empty:
        return got


def serve(opts: BuildOptions, port: int, allowed_hosts: tuple[str, ...] = ()) -> int:
    """`allowed_hosts` are names answered besides this machine's own (a tunnel's); the command line refuses them
    with a channel above CLEAR unless the user says they understand."""
    if port < 0 or port > 65535:
        raise UsageError("--port must be between 0 and 65535")
    state = State()
    try:  # before the first build: a port in use is the user's to change, and said at once
        server = preview_server(opts.out.resolve(), port, state, allowed_hosts)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is in use; try --port 0 (any free port) or another number") from None
        raise
    handler: type[_Handler] = server.RequestHandlerClass.func  # type: ignore[attr-defined]  # the partial's class
    # Warm layout workers for every build serve runs (-j1 lays out inline), started before any thread of serve's.
    pool = WarmPool(opts.jobs, [d / "static" for d in template_dirs(opts.root.resolve()) if (d / "static").is_dir()]) \
        if opts.jobs > 1 and can_run(list(FORMATS.values())) else None
    handler.workers = pool
    opts = replace(opts, workers=pool)
    # SIGTERM and SIGHUP end serve as Ctrl-C does, so the workers are closed rather than left behind.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        return _serve(opts, server, state, _audience(opts, handler.allowed_hosts))
    finally:
        if pool is not None:
            pool.close()


def preview_server(folder: Path, port: int, state: State, allowed_hosts: tuple[str, ...] = ()) -> http.server.ThreadingHTTPServer:
    """The preview's HTTP server on 127.0.0.1 (`port` 0: any free one), answering from `folder`, not yet serving."""
    handler: type[_Handler] = type("Handler", (_Handler,), {"state": state, "refusals": _Refusals(),
                                                            "allowed_hosts": tuple(h.lower() for h in allowed_hosts)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(folder)))
    handler.port = server.server_address[1]
    return server


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _audience(opts: BuildOptions, allowed: tuple[str, ...]) -> str:
    """Who the preview is for, as the terminal line says it."""
    who = f"for this machine and for requests to {', '.join(allowed)}" if allowed else "for this machine only"
    what = "public channel (TLP:CLEAR)" if opts.max_marking.public else f"{opts.max_marking.label} preview: do not share it"
    return f"{who}, {what}"


def _serve(opts: BuildOptions, server: http.server.ThreadingHTTPServer, state: State, audience: str) -> int:
    pages = replace(opts, formats=["html"])
    cache = parse_cache(opts, memory=True)
    changes: queue.Queue = queue.Queue()
    watcher = _Watcher(opts.root, changes)
    watcher.follow(_private_folders(opts))
    # The watcher starts as the first build does; an edit made before it watches is caught by comparing
    # the files before the first build and after it.
    seen = _snapshot(opts.root, watcher.private or [])
    checked = _attempt(pages, state, "pages", cache=cache)
    if not opts.out.exists():
        server.server_close()
        watcher.stop.set()
        raise UsageError("the first build failed, so there is nothing to serve yet; fix the errors above")
    state.update(version=1, errors=state.errors if checked is None else [], pending=checked is not None)
    print(f"serving http://127.0.0.1:{server.server_address[1]}/ {audience} (Ctrl-C to stop)", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if _snapshot(opts.root, watcher.private or []) != seen:
        changes.put(set())
    try:
        while True:
            # The pages are current: now the PDF and Word files of the same content, unless it moved on meanwhile.
            moved = _drain(changes, block=False)
            if checked is not None and not moved:
                if _attempt(_unless_superseded(opts, changes), state, "PDF and Word", checked):
                    state.update(version=state.version + 1, errors=[], pending=False)
            watcher.follow(_private_folders(opts))
            if not moved and changes.empty():
                collect_idle()  # while nobody waits: what the last check froze, handed back to the collector
            if not moved:
                _drain(changes, block=True)
            checked = _attempt(pages, state, "pages", cache=cache)
            if checked is not None:
                state.update(version=state.version + 1, errors=[], pending=True)
    except KeyboardInterrupt:
        watcher.stop.set()
        state.update(closing=True)
        server.shutdown()
        return 0
