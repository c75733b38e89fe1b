"""`python build.py serve`: build, serve the site on localhost, rebuild when a project file changes,
and reload open pages. The reload script is added to pages as they are served, never written to site/."""
from __future__ import annotations

import errno
import functools
import http.server
import json
import sys
import threading
import time
from pathlib import Path

from .diagnostics import ContentError
from .pipeline import BuildOptions, UsageError, build

# Served from the site's own origin as a file, so the pages' content security policy (script-src 'self') allows it.
RELOAD_JS = b"""(function () {
  var seen = null;
  setInterval(function () {
    fetch("/__briefwright/version").then(function (r) { return r.json(); }).then(function (v) {
      if (seen !== null && v.version !== seen) { location.reload(); }
      seen = v.version;
    }).catch(function () {});
  }, 700);
})();
"""
RELOAD = b'<script src="/__briefwright/reload.js"></script>\n'
WATCHED = ("project.yaml", "content", "briefs", "templates", "editions")


def _snapshot(root: Path) -> dict:
    state = {}
    for name in WATCHED:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            state[str(f)] = (st.st_mtime_ns, st.st_size)
    return state


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.split("?")[0] == "/__briefwright/reload.js":
            return self._send(RELOAD_JS, "text/javascript; charset=utf-8")
        if self.path.split("?")[0] == "/__briefwright/version":
            body = json.dumps({"version": self.state["version"]}).encode()
            return self._send(body, "application/json")
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            body = target.read_bytes()
            body = body.replace(b"</body>", RELOAD + b"</body>", 1) if b"</body>" in body else body + RELOAD
            return self._send(body, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def _rebuild(opts: BuildOptions, state: dict) -> None:
    started = time.perf_counter()
    try:
        report = build(opts)
    except ContentError as exc:
        for d in exc.diagnostics:
            print(str(d), file=sys.stderr)
        print("build failed; still serving the previous site", file=sys.stderr, flush=True)
        return
    state["version"] += 1
    print(f"rebuilt {', '.join(report.built) or 'nothing'} in {time.perf_counter() - started:.1f} s "
          f"(reused {len(report.reused)})", file=sys.stderr, flush=True)


def serve(opts: BuildOptions, port: int, interval: float = 0.3) -> int:
    if port < 0 or port > 65535:
        raise UsageError("--port must be between 0 and 65535")
    state = {"version": 0}
    handler = type("Handler", (_Handler,), {"state": state})
    try:  # before the first build: a port in use is the user's to change, and said at once
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                 functools.partial(handler, directory=str(opts.out.resolve())))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is in use; try --port 0 (any free port) or another number") from None
        raise
    seen = _snapshot(opts.root)  # before the first build: an edit made while it runs, or just after, is not missed
    _rebuild(opts, state)
    if not opts.out.exists():
        server.server_close()
        raise UsageError("the first build failed, so there is nothing to serve yet; fix the errors above")
    print(f"serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(interval)
            now = _snapshot(opts.root)
            if now != seen:
                seen = now
                _rebuild(opts, state)
    except KeyboardInterrupt:
        server.shutdown()
        return 0
