"""Sources that survive (issue 27): `links check` and `links archive` against a web played on 127.0.0.1 (live
pages, redirects, 404, 410, soft 404s, 429 with Retry-After, a page too slow to answer, a server error, a name
DNS does not know, and a Save Page Now 2 archive), with a fake clock so no test sleeps out a delay; the
archived copy written into the YAML with only its lines added; Robust Links in the HTML and the archived copy
in PDF and Word notes; `check` and `release` on unarchived sources; zero connections from build, check and
links check --offline. Nothing here reaches the internet."""
from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from helpers import FIXTURES, REPO, copy_project, line_of, run_cli, run_cli_subprocess
from test_citations import pdf_text, squeeze, visible, word_notes

from briefwright.core.model import Source
from briefwright.links import command
from briefwright.links.archive import Archiver
from briefwright.links.check import Checker, Politeness, retry_after, soft_404
from briefwright.links.writeback import Addition, WriteError, add_fields
from briefwright.resolve import citations


class FakeClock:
    """Time that moves only when something waits: every wait is recorded, none is slept."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self.lock:
                self.sleeps.append(round(seconds, 3))
                self.t += seconds

    def now(self) -> dt.datetime:
        return dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC) + dt.timedelta(seconds=self.t - 1000)


PAGE = "<html><head><title>{title}</title></head><body><p>{title}</p></body></html>"


class Web(BaseHTTPRequestHandler):
    """The sites a desk cites, and an archive that speaks the Save Page Now 2 API."""

    def log_message(self, *args) -> None:
        pass

    def _send(self, code: int, body: str = "", headers: dict | None = None, kind: str = "text/html") -> None:
        data = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        web = self.server.web  # type: ignore[attr-defined]
        path = self.path
        with web["lock"]:
            web["requests"].append(("GET", path, dict(self.headers), time.monotonic()))
            web["hits"][path] = web["hits"].get(path, 0) + 1
            hits = web["hits"][path]
        if path in ("/", "/live", "/rule", "/new-home-of-rule") or path.startswith("/web/"):
            self._send(200, PAGE.format(title="Widget export rule" if path != "/" else "Example Ministry"))
        elif path == "/gone":
            self._send(404, PAGE.format(title="Not Found"))
        elif path == "/removed":
            self._send(410, PAGE.format(title="Gone"))
        elif path == "/moved":
            self._send(301, headers={"Location": "/moved-again"})
        elif path == "/moved-again":
            self._send(302, headers={"Location": "/new-home-of-rule"})
        elif path == "/retired-page":
            self._send(301, headers={"Location": "/"})
        elif path == "/soft":
            self._send(200, PAGE.format(title="Page not found | Example Ministry"))
        elif path == "/busy":
            if hits == 1:
                self._send(429, "slow down", {"Retry-After": "7"}, "text/plain")
            else:
                self._send(200, PAGE.format(title="Busy but there"))
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, PAGE.format(title="Too late"))
        elif path == "/broken":
            self._send(500, "oops", kind="text/plain")
        elif path.startswith("/save/status/"):
            job = path.rsplit("/", 1)[1]
            with web["lock"]:
                web["polls"][job] = web["polls"].get(job, 0) + 1
                polls = web["polls"][job]
                url = web["jobs"][job]
            if polls <= 2:
                self._send(200, json.dumps({"status": "pending", "job_id": job}), kind="application/json")
            else:
                self._send(200, json.dumps({"status": "success", "job_id": job, "timestamp": "20261201093000",
                                            "original_url": url}), kind="application/json")
        else:
            self._send(404, PAGE.format(title="Not Found"))

    def do_POST(self) -> None:
        web = self.server.web  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        url = parse_qs(body)["url"][0]
        with web["lock"]:
            web["requests"].append(("POST", self.path, dict(self.headers), time.monotonic()))
            job = f"spn2-{len(web['jobs']) + 1}"
            web["jobs"][job] = url
        self._send(200, json.dumps({"url": url, "job_id": job}), kind="application/json")


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # the checker hangs up on the slow page once it has waited long enough


@pytest.fixture
def web():
    server = QuietServer(("127.0.0.1", 0), Web)
    server.daemon_threads = True
    server.web = {"lock": threading.Lock(), "requests": [], "hits": {}, "jobs": {}, "polls": {}}  # type: ignore[attr-defined]
    # polled every 0.05 s rather than every 0.5 s: shutdown() waits for the next poll, after every test
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base, server.web  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_such_name(monkeypatch):
    """gone.invalid is a name DNS does not know, without asking any DNS server."""
    real = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        if host == "gone.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", lookup)


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(command, "clock_factory", lambda: fake)
    return fake


CASES = {  # source id -> (path on the test web, status links check records, words its line or report must hold)
    "rule-live": ("/live", "live", "HTTP 200"),
    "rule-moved": ("/moved", "redirected", "/new-home-of-rule"),
    "rule-gone": ("/gone", "dead", "HTTP 404"),
    "rule-removed": ("/removed", "dead", "HTTP 410"),
    "rule-soft": ("/soft", "dead", 'soft 404: the page\'s title is "Page not found | Example Ministry"'),
    "rule-retired": ("/retired-page", "dead", "soft 404: redirected to its own home page"),
    "rule-busy": ("/busy", "live", "HTTP 200"),
    "rule-slow": ("/slow", "unreachable", "no answer within 0.3 s (3 tries)"),
    "rule-broken": ("/broken", "unreachable", "HTTP 500 (server error) (3 tries)"),
    "rule-lost-domain": (None, "dead", "no such host: DNS does not know gone.invalid"),
}

HEADER = """# Sources the link tests read: comments, quotes and blank lines must survive every write.
sources:
"""


def source_yaml(sid: str, url: str, extra: str = "") -> str:
    return (f"  - id: {sid}   # {sid.replace('-', ' ')}\n    title: \"Widget rule ({sid})\"\n    publisher: 'Example Ministry'\n"
            f"    url: {url}\n    published: 2026-01-05\n    retrieved: 2026-02-01\n    kind: primary\n{extra}\n")


def links_project(tmp_path: Path, base: str, settings: str = "", cases: dict | None = None) -> Path:
    """The small sample project with one source per case, all cited by one fact the plain brief shows."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    cases = CASES if cases is None else cases
    records = "".join(source_yaml(sid, (base + path) if path else "http://gone.invalid/rule")
                      for sid, (path, _, _) in cases.items())
    (project / "content" / "links.yaml").write_text(
        HEADER + records + "facts:\n  - id: rule-cases\n    statement: The rule was published.\n"
        f"    sources: [{', '.join(cases)}]\n    status: confirmed\n    confidence: high\n    as_of: 2026-02-01\n",
        encoding="utf-8")
    brief = project / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("facts: [widget-launch]", "facts: [widget-launch, rule-cases]"),
                     encoding="utf-8")
    settings_file = project / "project.yaml"
    settings_file.write_text(settings_file.read_text(encoding="utf-8")
                             + "links:\n  delay_seconds: 0.5\n  timeout_seconds: 0.3\n" + settings, encoding="utf-8")
    return project


def test_links_check_classifies_every_case_and_locates_each_problem(web, tmp_path, clock, no_such_name):
    base, seen = web
    project = links_project(tmp_path, base)
    report = tmp_path / "report.json"
    result = run_cli("links", "check", "--json", report, "--diagnostics", "text", *CASES, cwd=project)
    assert result.code == 0, result.stderr
    rows = {row["source"]: row for row in json.loads(report.read_text(encoding="utf-8"))["results"]}
    for sid, (_, status, words) in CASES.items():
        assert rows[sid]["status"] == status, (sid, rows[sid])
        assert words in rows[sid]["detail"] + (rows[sid]["target"] or ""), (sid, rows[sid])
    assert rows["rule-moved"]["target"] == base + "/new-home-of-rule"
    links_file = project / "content" / "links.yaml"
    for sid in ("rule-gone", "rule-lost-domain", "rule-slow"):  # each problem at its source's url line
        line = line_of(links_file, f"id: {sid} ") + 3
        assert any(ln.startswith(f"content/links.yaml:{line}:10: warning: source '{sid}'") for ln in result.stderr.splitlines()), \
            (sid, result.stderr)
    assert f"content/links.yaml:{line_of(links_file, 'id: rule-moved ') + 3}:10: note: source 'rule-moved'" in result.stderr
    assert "links check: 10 addresses of 10 sources: 2 live, 1 redirected, 5 dead, 2 unreachable" in result.stderr
    # Retry-After was honoured on the fake clock (7 s asked, none slept), and one host's requests kept 0.5 s apart.
    assert 7.0 in clock.sleeps and all(s in (0.5, 7.0) or s <= 0.5 for s in clock.sleeps), clock.sleeps
    assert seen["hits"]["/busy"] == 2 and seen["hits"]["/broken"] == 3
    assert all(req[2].get("User-Agent", "").startswith("Briefwright link checker") for req in seen["requests"])
    strict = run_cli("links", "check", "--strict", *CASES, cwd=project)  # from the cache: dead with no copy fails
    assert strict.code == 1 and "error: source 'rule-gone'" in strict.stderr, strict.stderr
    assert "Traceback" not in result.stderr + strict.stderr
    before = links_file.read_text(encoding="utf-8")
    marked = run_cli("links", "check", "--offline", "--mark-dead", "rule-gone", "rule-live", cwd=project)
    assert marked.code == 0 and "marked source 'rule-gone' url_status: dead" in marked.stderr, marked.stderr
    assert only_added(before, links_file.read_text(encoding="utf-8")) == ["    url_status: dead"]
    warned = run_cli("check", cwd=project)
    assert "warning: source 'rule-gone' is marked dead and has no archived copy" in warned.stderr, warned.stderr


def test_a_lost_domain_is_not_taken_for_dead_when_no_host_answers(tmp_path, clock, no_such_name):
    project = links_project(tmp_path, "http://unused", cases={"rule-lost-domain": (None, "", "")})
    result = run_cli("links", "check", "rule-lost-domain", cwd=project)
    assert result.code == 0 and "1 unreachable" in result.stderr and "is this machine offline?" in result.stderr


def test_one_host_is_asked_one_request_at_a_time_with_the_delay_between(web):
    base, seen = web
    clock = FakeClock()
    checker = Checker(Politeness(per_host=1, delay=5.0, timeout=2.0), clock)
    results = []
    try:
        checker.check_all([f"{base}/live", f"{base}/rule", f"{base}/gone"], results.append)
    finally:
        checker.close()
    assert sorted(r.status for r in results) == ["dead", "live", "live"]
    assert clock.sleeps == [5.0, 5.0], "the second and third requests to the host each waited the delay"
    starts = [t for method, _, _, t in seen["requests"]]
    assert starts == sorted(starts) and len(starts) == 3


def test_retry_after_reads_seconds_and_dates():
    now = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    assert retry_after("120", now) == 120.0
    assert retry_after("Tue, 01 Dec 2026 09:31:30 GMT", now) == 90.0
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def test_soft_404_by_title_and_by_a_redirect_home():
    assert soft_404("https://a.example/x", "https://a.example/x", "Seite nicht gefunden")
    assert soft_404("https://a.example/page", "https://www.a.example/", "Welcome")
    assert soft_404("https://a.example/page", "https://b.example/", "B")  # a domain now pointing at another site
    assert soft_404("https://a.example/", "https://a.example/en/", "Welcome") is None  # a home page stays home
    assert soft_404("https://a.example/page", "https://a.example/page/", "The page") is None


def test_offline_reports_the_cache_and_opens_no_connection(web, tmp_path, clock, monkeypatch):
    base, _ = web
    cases = {sid: CASES[sid] for sid in ("rule-live", "rule-gone", "rule-moved")}
    project = links_project(tmp_path, base, cases=cases)
    first = run_cli("links", "check", *cases, cwd=project)
    assert first.code == 0, first.stderr
    opened = []

    def refuse(self, address):
        opened.append(address)
        raise OSError("no network in this test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    offline = run_cli("links", "check", "--offline", *cases, cwd=project)
    assert offline.code == 0 and opened == [], (offline.stderr, opened)
    assert "3 addresses of 3 sources: 1 live, 1 redirected, 1 dead; from the cache alone (--offline)" in offline.stderr
    empty = run_cli("links", "check", "--offline", "--cache-dir", tmp_path / "empty", cwd=project)
    assert empty.code == 0 and "unchecked" in empty.stderr and opened == []
    again = run_cli("links", "check", *cases, cwd=project)  # within cache_hours: nothing is asked again
    assert again.code == 0 and opened == [] and "asking" not in again.stderr, again.stderr


GUARD = '''import os, socket
_log = os.environ["BRIEFWRIGHT_TEST_NET_LOG"]
def _refuse(what):
    with open(_log, "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()} {what}\\n")
    raise OSError("network use refused by the test guard")
_connect = socket.socket.connect
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse(f"connect {address}")
    return _connect(self, address)
_connect_ex = socket.socket.connect_ex
def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse(f"connect_ex {address}")
    return _connect_ex(self, address)
def getaddrinfo(host, *args, **kwargs):
    _refuse(f"getaddrinfo {host}")
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
'''


@pytest.mark.slow
def test_build_check_and_offline_links_make_zero_network_connections(tmp_path):
    """Each command in its own process (and its layout workers) with a guard that logs and refuses any internet
    socket or name lookup; the guard is shown to work by an online links check, which it stops."""
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "net.log"
    project = links_project(tmp_path, "http://127.0.0.1:9", cases={"rule-live": ("/live", "", "")})
    env = {"PYTHONPATH": f"{guard}:{REPO}", "BRIEFWRIGHT_TEST_NET_LOG": str(log)}
    for args in (("check",), ("build", "--out", tmp_path / "site", "-j", "2"), ("links", "check", "--offline")):
        result = run_cli_subprocess(*args, cwd=project, env=env)
        assert result.code == 0, (args, result.stderr)
        assert not log.exists(), (args, log.read_text(encoding="utf-8"))
    assert (tmp_path / "site" / "briefs" / "plain" / "plain.pdf").is_file()
    online = run_cli_subprocess("links", "check", cwd=project, env=env)
    assert online.code == 0 and "getaddrinfo 127.0.0.1" in log.read_text(encoding="utf-8"), online.stderr


# -- links archive ------------------------------------------------------------------------------------------

def only_added(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if it changes or removes any."""
    old, new = before.splitlines(), after.splitlines()
    added = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        assert op in ("equal", "insert"), (op, old[i1:i2], new[j1:j2])
        added += new[j1:j2] if op == "insert" else []
    return added


def test_archive_fills_archived_url_through_the_save_page_now_api_adding_only_those_lines(web, tmp_path, clock, monkeypatch):
    base, seen = web
    cases = {sid: CASES[sid] for sid in ("rule-live", "rule-moved", "rule-busy")}
    project = links_project(tmp_path, base, cases=cases)
    links_file = project / "content" / "links.yaml"
    before = links_file.read_text(encoding="utf-8")
    monkeypatch.setenv("BRIEFWRIGHT_ARCHIVE_KEY", "access:secret")
    noted = run_cli("check", cwd=project)
    assert noted.code == 0 and "note: source 'rule-live' is cited by plain and has no archived copy" in noted.stderr
    result = run_cli("links", "archive", "--endpoint", base, *cases, cwd=project)
    assert result.code == 0, result.stderr
    assert "3 cited addresses without an archived copy; at 12 a minute that takes about 1 min" in result.stderr
    assert "links archive: 3 archived copies written into the sources" in result.stderr
    added = only_added(before, links_file.read_text(encoding="utf-8"))
    assert added == [line for sid, (path, _, _) in cases.items()
                     for line in (f"    archived_url: {base}/web/20261201093000/{base}{path}", "    archived: 2026-12-01")]
    saves = [r for r in seen["requests"] if r[0] == "POST"]
    assert len(saves) == 3 and all(r[1] == "/save" and r[2]["Authorization"] == "LOW access:secret" for r in saves)
    assert seen["polls"] == {"spn2-1": 3, "spn2-2": 3, "spn2-3": 3}, "pending twice, then success"
    assert [s for s in clock.sleeps if s == 5.0], "captures are asked for 60/12 s apart"
    assert "secret" not in result.stderr
    checked = run_cli("check", cwd=project)
    assert checked.code == 0 and "rule-live' is cited" not in checked.stderr, checked.stderr
    again = run_cli("links", "archive", "--endpoint", base, *cases, cwd=project)
    assert again.code == 0 and "every cited address has an archived copy" in again.stderr


def test_archive_rate_without_a_key_is_four_a_minute_on_the_fake_clock(web):
    base, seen = web
    clock = FakeClock()
    archiver = Archiver(base, None, 4, clock, poll_seconds=1.0)
    done = []
    try:
        left = archiver.run({}, [f"{base}/live", f"{base}/rule", f"{base}/gone"], done.append,
                            lambda url, why: pytest.fail(why), lambda: None)
    finally:
        archiver.close()
    assert left == [] and len(done) == 3 and done[0].day == dt.date(2026, 12, 1)
    asked = [t for method, _, headers, t in seen["requests"] if method == "POST"]
    assert len(asked) == 3 and all("Authorization" not in h for m, _, h, _ in seen["requests"] if m == "POST")
    assert clock.t - 1000.0 >= 30.0, "three captures at 4 a minute span at least 30 s of the fake clock"


class StopAfter(FakeClock):
    """A fake clock whose n-th wait is a Ctrl-C."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def sleep(self, seconds: float) -> None:
        if seconds > 0 and len(self.sleeps) + 1 == self.n:
            raise KeyboardInterrupt
        super().sleep(seconds)


def test_archive_stopped_by_ctrl_c_resumes_without_asking_twice(web, tmp_path, monkeypatch):
    base, seen = web
    cases = {sid: CASES[sid] for sid in ("rule-live", "rule-moved")}
    project = links_project(tmp_path, base, cases=cases)
    monkeypatch.setattr(command, "clock_factory", lambda: StopAfter(2))
    stopped = run_cli("links", "archive", "--endpoint", base, *cases, cwd=project)
    assert stopped.code == 130, stopped.stderr
    assert "links archive: interrupted after 0 of 2; 1 capture in progress kept in" in stopped.stderr
    assert "Run `briefwright links archive` again to go on: 2 left" in stopped.stderr
    assert "previous site" not in stopped.stderr
    jobs = json.loads((project / ".briefwright-cache" / "links" / "archive-jobs.json").read_text(encoding="utf-8"))
    assert list(jobs["jobs"]) == [base + "/live"]
    monkeypatch.setattr(command, "clock_factory", FakeClock)
    resumed = run_cli("links", "archive", "--endpoint", base, *cases, cwd=project)
    assert resumed.code == 0, resumed.stderr
    assert "(1 asked for before, polled first)" in resumed.stderr
    assert [r[1] for r in seen["requests"] if r[0] == "POST"] == ["/save", "/save"], "one capture per address"
    assert not (project / ".briefwright-cache" / "links" / "archive-jobs.json").exists()


def test_archive_bad_settings_are_one_line_usage_errors(tmp_path, monkeypatch):
    project = links_project(tmp_path, "http://127.0.0.1:9", cases={"rule-live": ("/live", "", "")})
    bad = run_cli("links", "archive", "--endpoint", "ftp://archive.example", cwd=project)
    assert bad.code == 2 and bad.stderr.startswith("briefwright: error: the archive endpoint must start with https://")
    monkeypatch.setenv("BRIEFWRIGHT_ARCHIVE_KEY", "access:secret")
    plain = run_cli("links", "archive", "--endpoint", "http://archive.example", cwd=project)
    assert plain.code == 2 and "is sent only over https" in plain.stderr and "secret" not in plain.stderr
    unknown = run_cli("links", "check", "no-such-source", cwd=project)
    assert unknown.code == 2 and "no source 'no-such-source'" in unknown.stderr
    settings = project / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "  per_host: 3\n", encoding="utf-8")
    located = run_cli("links", "check", cwd=project)
    assert located.code == 1 and "project.yaml:8:13: error: links per_host: 3 requests at a time" in located.stderr, \
        located.stderr
    for r in (bad, plain, unknown, located):
        assert "Traceback" not in r.stderr


def test_restricted_sources_are_not_sent_to_a_public_archive(web, tmp_path, clock):
    base, seen = web
    project = links_project(tmp_path, base, cases={"rule-live": ("/live", "", "")})
    links_file = project / "content" / "links.yaml"
    links_file.write_text(links_file.read_text(encoding="utf-8").replace("    kind: primary\n", "    kind: primary\n"
                                                                          "    marking: AMBER\n"), encoding="utf-8")
    brief = project / "briefs" / "plain.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("marking: CLEAR", "marking: AMBER"), encoding="utf-8")
    result = run_cli("links", "archive", "--endpoint", base, "rule-live", cwd=project)
    assert result.code == 0 and "left out 1 source above TLP:CLEAR (rule-live)" in result.stderr, result.stderr
    assert not [r for r in seen["requests"] if r[0] == "POST"]


# -- the YAML written back --------------------------------------------------------------------------------

CONTENT_FILES = sorted(path for path in {*REPO.glob("content/*.yaml"), *REPO.glob("topics/*/content/*.yaml"),
                                          *FIXTURES.glob("*/content/*.yaml")}
                       if re.search(r"^sources:", path.read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_write_back_into_every_real_content_file_adds_only_its_lines(path, tmp_path):
    from ruamel.yaml import YAML
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    tree = YAML().load(path.read_text(encoding="utf-8")) or {}
    with_url = [s["id"] for s in tree.get("sources") or [] if s.get("url")]
    assert with_url
    add_fields(copy, [Addition(sid, (("archived_url", f"https://web.archive.org/web/20261201093000/https://e.example/{sid}"),
                                     ("archived", dt.date(2026, 12, 1)))) for sid in with_url])
    added = only_added(path.read_text(encoding="utf-8"), copy.read_text(encoding="utf-8"))
    assert len(added) == 2 * len(with_url)
    assert all(re.fullmatch(r" +(archived_url: https://web\.archive\.org/\S+|archived: 2026-12-01)", line) for line in added)
    assert path.read_text(encoding="utf-8") != copy.read_text(encoding="utf-8"), "the real file is untouched"


def test_write_back_keeps_flow_style_and_conflicts_out(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("sources:\n  - {id: a, title: A, url: 'https://e.example/a'}\n  - id: b\n    url: https://e.example/b\n"
                    "    archived_url: https://copy.example/b\n", encoding="utf-8")
    with pytest.raises(WriteError, match=r"s\.yaml:2: error: source 'a' is written on one line"):
        add_fields(path, [Addition("a", (("archived_url", "https://copy.example/a"),))])
    with pytest.raises(WriteError, match=r"s\.yaml:5: error: source 'b' already has archived_url"):
        add_fields(path, [Addition("b", (("archived_url", "https://other.example/b"),))])
    assert add_fields(path, [Addition("b", (("archived_url", "https://copy.example/b"),))]) == []


# -- what readers get -------------------------------------------------------------------------------------

def _source(**fields) -> Source:
    base = {"id": "rule", "title": "Widget rule", "published": "2026-01-05", "kind": "primary", "publisher": "Ministry",
            "url": "https://e.example/rule", "retrieved": dt.date(2026, 2, 1)}
    from briefwright.core.model import PartialDate, SourceKind, UrlStatus
    merged = {**base, **fields}
    merged["published"] = PartialDate.parse(merged["published"])
    merged["kind"] = SourceKind(merged["kind"])
    if "url_status" in merged:
        merged["url_status"] = UrlStatus(merged["url_status"])
    return Source(**merged)


def test_a_link_carries_its_archived_copy_and_a_dead_one_never_reads_as_live():
    copy = "https://web.archive.org/web/20261201093000/https://e.example/rule"
    live = citations.html(citations.full(_source(archived_url=copy)))
    assert (f'<a class="url" href="https://e.example/rule" data-versionurl="{copy}" data-versiondate="2026-12-01">'
            in live)
    assert visible(live).endswith("https://e.example/rule (retrieved 1 February 2026). Archived 1 December 2026: " + copy + ".")
    dead = citations.html(citations.full(_source(archived_url=copy, url_status="dead")))
    assert visible(dead).endswith(f"Archived 1 December 2026: {copy}. Original address, no longer available: "
                                  "https://e.example/rule (retrieved 1 February 2026).")
    assert f'href="{copy}" data-originalurl="https://e.example/rule" data-versiondate="2026-12-01"' in dead
    assert '<a class="url dead" href="https://e.example/rule"' in dead
    lost = citations.text(citations.short(_source(url_status="dead")))
    assert lost.endswith("https://e.example/rule. No longer available.")
    plain = citations.text(citations.short(_source()))
    for other in (live, dead):
        assert visible(other) != plain
    dated = _source(archived_url="https://copy.example/rule", archived=dt.date(2026, 11, 30))
    assert citations.text(citations.short(dated)).endswith("https://e.example/rule (archived 30 November 2026).")
    assert citations.text(citations.full(dated)).endswith("Archived 30 November 2026: https://copy.example/rule.")


DEAD_WITH_COPY = """
    url_status: dead
    archived_url: https://web.archive.org/web/20261201093000/https://e.example/gone
    archived: 2026-12-01"""


@pytest.mark.slow
def test_a_dead_source_prints_its_archived_copy_in_html_pdf_and_word(tmp_path):
    project = links_project(tmp_path, "https://e.example", cases={"rule-gone": ("/gone", "", "")})
    links_file = project / "content" / "links.yaml"
    links_file.write_text(links_file.read_text(encoding="utf-8").replace("    kind: primary\n", "    kind: primary" + DEAD_WITH_COPY
                                                                          + "\n"), encoding="utf-8")
    brief = project / "briefs" / "sample.yaml"  # a footnotes brief; plain has endnotes
    brief.write_text(brief.read_text(encoding="utf-8").replace("facts: [widget-launch", "facts: [rule-cases, widget-launch"),
                     encoding="utf-8")
    result = run_cli("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1", cwd=project)
    assert result.code == 0, result.stderr
    copy = "https://web.archive.org/web/20261201093000/https://e.example/gone"
    said = f"Archived 1 December 2026: {copy}. Original address, no longer available: https://e.example/gone"
    for name, kind in (("plain", "endnote"), ("sample", "footnote")):
        folder = tmp_path / "site" / "briefs" / name
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert 'data-originalurl="https://e.example/gone" data-versiondate="2026-12-01"' in page
        assert said in visible(page)
        assert squeeze(said) in squeeze(pdf_text(folder / f"{name}.pdf")), name
        assert any(said in note for note in word_notes(folder / f"{name}.docx", kind)), name


def test_require_archive_makes_check_warn_and_release_refuse(minimal):
    settings = minimal / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "links:\n  require_archive: true\n", encoding="utf-8")
    checked = run_cli("check", cwd=minimal)
    assert checked.code == 0
    assert ("content/sources.yaml:5:10: warning: source 'maker-blog' is cited by plain and sample and has no archived "
            "copy; links require_archive is set, so release refuses these briefs") in checked.stderr.splitlines()
    assert run_cli("check", "--strict", cwd=minimal).code == 1
    refused = run_cli("release", "sample", cwd=minimal)
    assert refused.code == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.splitlines() == [
        "content/sources.yaml:5:10: error: brief 'sample' cites source 'maker-blog', which has no archived copy, and "
        "project.yaml sets links require_archive; run `briefwright links archive`, commit, then release",
        "content/sources.yaml:13:10: error: brief 'sample' cites source 'trade-paper', which has no archived copy, and "
        "project.yaml sets links require_archive; run `briefwright links archive`, commit, then release",
        "Aborted with 2 errors."]
    sources = minimal / "content" / "sources.yaml"
    add_fields(sources, [Addition(sid, (("archived_url", f"https://web.archive.org/web/20261201093000/{url}"),
                                        ("archived", dt.date(2026, 12, 1))))
                         for sid, url in (("maker-blog", "https://example.org/widget"),
                                          ("trade-paper", "https://example.org/review"))])
    archived = run_cli("check", "--strict", cwd=minimal)
    assert archived.code == 0 and "archived copy" not in archived.stderr, archived.stderr
    assert "archived copy" not in run_cli("release", "sample", cwd=minimal).stderr
