"""`serve` rebuilds on a content change, pages first, and tells open pages by server-sent events; content
errors reach the page as the terminal's located lines."""
from __future__ import annotations

import contextlib
import io
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import FIXTURES, cli_command, copy_project, run_cli, subprocess_env

BROKEN = "content/facts.yaml:4:15: error: unknown source 'no-such-source'"


def _get(url: str) -> bytes:
    return urllib.request.urlopen(url, timeout=10).read()


def _state(base: str) -> dict:
    return json.loads(_get(base + "__briefwright/version"))


@contextlib.contextmanager
def _serving(project: Path, jobs: str = "-j1", *options: str, stderr=subprocess.PIPE):
    # A separate process: serve runs until it is stopped, and watches files from its own threads.
    proc = subprocess.Popen(cli_command("serve", "--port", "0", jobs, *options), cwd=project, env=subprocess_env(),
                            stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line or (proc.stderr.read() if proc.stderr else "")
        proc.line = line  # type: ignore[attr-defined]  # what the terminal was told
        yield line.split()[1], proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait(base: str, proc, until, what: str, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = _state(base)
        if until(state):
            return state
        time.sleep(0.05)
    proc.terminate()
    raise AssertionError(f"{what}: not within {timeout} s; serve printed:\n" + proc.communicate(timeout=10)[1])


def _settled(base: str, proc, after: int) -> dict:
    """The state once a build newer than `after` has its PDF and Word files (or has failed)."""
    return _wait(base, proc, lambda s: s["errors"] or (s["version"] > after and not s["pending"]), "a settled build")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    return " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.slow
def test_serve_rebuilds_on_change_and_pushes_the_reload(minimal):
    with _serving(minimal) as (base, proc):
        page = _get(base + "briefs/sample/index.html").decode()
        assert '<script src="/__briefwright/reload.js?v=' in page and "launched in January 2026" in page
        script = urllib.request.urlopen(base + "__briefwright/reload.js")
        assert script.headers["Content-Type"].startswith("text/javascript")
        code = script.read().decode()
        assert 'new EventSource("/__briefwright/events")' in code and "innerHTML" not in code
        _settled(base, proc, 0)
        events = urllib.request.urlopen(base + "__briefwright/events", timeout=60)
        assert events.headers["Content-Type"] == "text/event-stream"
        first = json.loads(events.readline().decode().removeprefix("data: "))
        assert events.readline() == b"\n"
        facts = minimal / "content" / "facts.yaml"
        _edit(facts, "launched in", "went on sale in")
        pushed = json.loads(events.readline().decode().removeprefix("data: "))  # told, without asking
        assert pushed["version"] > first["version"] and pushed["errors"] == []
        events.close()
        _wait(base, proc, lambda s: s["version"] > first["version"], "a rebuild")
        assert "went on sale in" in _get(base + "briefs/sample/index.html").decode()
        for name in ("briefs/sample/index.html", "index.html"):
            assert "/__briefwright/" not in (minimal / "site" / name).read_text(encoding="utf-8")
        assert not list((minimal / "site").rglob("reload.js"))


@pytest.mark.slow
def test_serve_pages_first_and_never_a_link_to_a_missing_or_stale_file(minimal):
    with _serving(minimal) as (base, proc):
        start = _settled(base, proc, 0)
        assert 'href="sample.pdf"' in _get(base + "briefs/sample/index.html").decode()
        _edit(minimal / "content" / "facts.yaml", "launched in", "went on sale in")
        seen_pending, deadline = False, time.time() + 60
        while time.time() < deadline:
            state = _state(base)
            page = _get(base + "briefs/sample/index.html").decode()
            if state["version"] <= start["version"]:
                time.sleep(0.02)
                continue
            assert "went on sale in" in page  # every build after the edit shows it
            seen_pending |= 'href="sample.pdf"' not in page
            if 'href="sample.pdf"' in page:  # a link only to the file made from this content
                assert "went on sale in" in _pdf_text(_get(base + "briefs/sample/sample.pdf"))
                assert "went on sale in" in _pdf_text((minimal / "site/briefs/sample/sample.pdf").read_bytes())
                if not state["pending"]:
                    break
            time.sleep(0.02)
        assert not _state(base)["pending"] and 'href="sample.docx"' in page
        assert seen_pending, "the pages were never served ahead of the PDF"


@pytest.mark.slow
def test_serve_shows_a_broken_edit_as_the_terminal_does_and_clears_it(minimal):
    with _serving(minimal) as (base, proc):
        start = _settled(base, proc, 0)
        facts = minimal / "content" / "facts.yaml"
        _edit(facts, "sources: [maker-blog]", "sources: [no-such-source]")
        broken = _wait(base, proc, lambda s: s["errors"], "the error")
        assert broken["errors"] == [BROKEN] and broken["version"] == start["version"]
        events = urllib.request.urlopen(base + "__briefwright/events", timeout=60)
        assert json.loads(events.readline().decode().removeprefix("data: "))["errors"] == [BROKEN]
        events.close()
        assert "launched in" in _get(base + "briefs/sample/index.html").decode()  # the previous site, still served
        _edit(facts, "sources: [no-such-source]", "sources: [maker-blog]")
        fixed = _wait(base, proc, lambda s: not s["errors"], "the fix")
        assert fixed["version"] > start["version"]  # a new build: the page reloads, and the overlay goes
    assert BROKEN + "\npages failed; still serving the previous site\n" in proc.stderr.read()


@pytest.mark.slow
def test_serve_never_shows_a_stale_record(minimal):
    """Edit, revert, edit again: each build, page and PDF, is what the file says then."""
    facts = minimal / "content" / "facts.yaml"
    original = facts.read_text(encoding="utf-8")
    states = [("went on sale in", original.replace("launched in", "went on sale in")),
              ("launched in", original),
              ("shipped in", original.replace("launched in", "shipped in"))]
    with _serving(minimal) as (base, proc):
        version = _settled(base, proc, 0)["version"]
        for words, text in states:
            facts.write_text(text, encoding="utf-8")
            version = _settled(base, proc, version)["version"]
            page = _get(base + "briefs/sample/index.html").decode()
            pdf = _pdf_text(_get(base + "briefs/sample/sample.pdf"))
            for other, _ in states:
                assert (other in page) == (other == words), (words, other)
                assert (other in pdf) == (other == words), (words, other)


def test_the_cache_never_serves_a_stale_record_in_process(minimal, tmp_path):
    from briefwright.builder.pipeline import BuildOptions, build
    facts = minimal / "content" / "facts.yaml"
    original = facts.read_text(encoding="utf-8")
    opts = BuildOptions(root=minimal, out=tmp_path / "site", formats=["html"], cache_dir=tmp_path / "cache")
    for words in ("went on sale in", "launched in", "shipped in", "launched in"):
        facts.write_text(original.replace("launched in", words), encoding="utf-8")
        build(opts)
        page = (tmp_path / "site/briefs/sample/index.html").read_text(encoding="utf-8")
        assert words in page and all(w not in page for w in {"went on sale in", "launched in", "shipped in"} - {words})


@pytest.mark.slow
def test_a_missing_page_is_still_a_404(minimal):
    with _serving(minimal) as (base, _):
        try:
            _get(base + "briefs/nothing-here/index.html")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
        else:
            raise AssertionError("served a page that does not exist")


def test_a_port_in_use_is_a_usage_error(minimal):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run_cli("serve", "--port", port, "-j1", cwd=minimal)
    assert r.code == 2
    assert r.stderr == f"briefwright: error: port {port} is in use; try --port 0 (any free port) or another number\n"
    assert not (minimal / "site").exists()  # said before any build


@pytest.mark.slow
def test_serve_watches_the_private_folders_project_yaml_names(minimal):
    """A private folder beside the project is read by every build; an edit there shows in the page too."""
    private = minimal.parent / "desk-private"
    (private / "content").mkdir(parents=True)
    (private / "briefs").mkdir()
    (private / "content" / "desk.yaml").write_text(
        "facts:\n  - id: desk-note\n    statement: The desk counted 12 widgets.\n    sources: [maker-blog]\n"
        "    status: reported\n    confidence: moderate\n    as_of: 2026-02-01\n", encoding="utf-8")
    plain = (minimal / "briefs" / "plain.yaml").read_text(encoding="utf-8")
    (private / "briefs" / "desk.yaml").write_text(
        plain.replace("id: plain", "id: desk").replace("facts: [widget-launch]", "facts: [widget-launch, desk-note]"),
        encoding="utf-8")
    settings = minimal / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "private_content: [../desk-private]\n", encoding="utf-8")
    with _serving(minimal) as (base, proc):
        start = _settled(base, proc, 0)
        assert "The desk counted 12 widgets." in _get(base + "briefs/desk/index.html").decode()
        _edit(private / "content" / "desk.yaml", "12 widgets", "14 widgets")
        _wait(base, proc, lambda s: s["version"] > start["version"], "a rebuild after the private edit")
        assert "The desk counted 14 widgets." in _get(base + "briefs/desk/index.html").decode()
        _edit(private / "content" / "desk.yaml", "sources: [maker-blog]", "sources: [no-such-source]")
        broken = _wait(base, proc, lambda s: s["errors"], "the error in the private folder")
        assert any("desk.yaml:4:15: error: unknown source 'no-such-source'" in e for e in broken["errors"]), broken


def test_a_newer_edit_makes_serve_leave_off_the_pdf_and_word_files(minimal, tmp_path, capsys):
    """While the PDF and Word files of one edit are made, a newer edit arrives: that build stops at the next job
    and leaves the site as it was, so the newer edit's pages come next rather than after every layout."""
    import queue

    from briefwright.builder.pipeline import BuildOptions, build
    from briefwright.serve.server import State, _attempt, _unless_superseded
    site = tmp_path / "site"
    opts = BuildOptions(root=minimal, out=site, cache_dir=tmp_path / "cache")
    build(replace(opts, formats=["html"]))  # the pages of the first edit, as serve shows them first
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    changes: queue.Queue = queue.Queue()
    changes.put({("modified", str(minimal / "content" / "facts.yaml"))})
    state = State()
    assert _attempt(_unless_superseded(opts, changes), state, "PDF and Word") is None
    assert "PDF and Word: left off after" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before, "the site is as it was"
    assert not list(site.rglob("*.pdf")) and state.errors == [], "no file was made and nothing is reported wrong"
    changes.get()  # nothing newer waiting: the same build makes the files
    assert _attempt(_unless_superseded(opts, changes), state, "PDF and Word") is not None
    assert list(site.rglob("*.pdf"))


def test_the_pages_step_says_what_an_edit_rebuilt(minimal, tmp_path, capsys):
    """The terminal line of serve's first step names the pages an edit changed (it said 'nothing new' for them,
    since that step makes no PDF or Word file), and says nothing new only when nothing was."""
    from briefwright.builder.pipeline import BuildOptions
    from briefwright.serve.server import State, _attempt
    pages = BuildOptions(root=minimal, out=tmp_path / "site", cache_dir=tmp_path / "cache", formats=["html"])
    state = State()
    assert _attempt(pages, state, "pages") is not None
    assert "pages: built plain, sample, the site pages in " in capsys.readouterr().err
    assert _attempt(pages, state, "pages") is not None
    assert "pages: built nothing new in " in capsys.readouterr().err
    _edit(minimal / "briefs" / "sample.yaml", "The widget is new", "The widget is newer")
    assert _attempt(pages, state, "pages") is not None
    assert "pages: built sample, the site pages in " in capsys.readouterr().err
    assert "The widget is newer" in (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")


# -- only this machine's pages (issue 32: DNS rebinding) -----------------------------------------------------------

CANARY = "canary"  # every restricted record and brief of test_markings' desk carries a word starting so
SITE_PATHS = ["/", "/index.html", "/briefs/canary-brief/index.html", "/briefs/canary-brief/canary-brief.pdf",
              "/briefs/canary-brief/canary-brief.docx", "/facts.html", "/search.html", "/assets/search-index.js",
              "/feed.xml", "/no-such-page.html", "/../../etc/passwd"]
ENDPOINTS = ["/__briefwright/events", "/__briefwright/version", "/__briefwright/workers", "/__briefwright/reload.js"]


def _request(port: int, path: str, headers: dict[str, str], method: str = "GET") -> tuple[int, dict, bytes]:
    """One request as a browser would send it, with exactly these headers (Host included); the event stream's
    first message is all that is read of it."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        if response.getheader("Content-Type") == "text/event-stream":
            body = response.fp.readline() + response.fp.readline()
        else:
            body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture(scope="module")
def restricted_serve(tmp_path_factory):
    """serve --max-marking AMBER on the desk of test_markings (a restricted brief whose every field carries a
    canary), its PDF and Word files made; its terminal output in a file, read while it runs."""
    from test_markings import RESTRICTED, RESTRICTED_BRIEF
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("restricted") / "project")
    (project / "content" / "restricted.yaml").write_text(RESTRICTED, encoding="utf-8")
    (project / "briefs" / "canary-brief.yaml").write_text(RESTRICTED_BRIEF, encoding="utf-8")
    log = project.parent / "serve.log"
    with log.open("w", encoding="utf-8") as err, _serving(project, "-j1", "--max-marking", "AMBER", stderr=err) as (base, proc):
        _settled(base, proc, 0)
        yield base, int(base.rsplit(":", 1)[1].strip("/")), proc, log


def _refused(status: int, headers: dict, body: bytes, method: str = "GET") -> None:
    assert status == 403, (status, body[:200])
    if method == "HEAD":
        assert body == b""
    else:  # one line, the same whatever was asked: nothing of the request or the site in it
        assert body in (b"Forbidden: this preview answers only requests for this machine's own address.\n",
                        b"Forbidden: the preview's own endpoints answer only its own pages.\n"), body[:200]
    assert CANARY not in " ".join(headers.values()).lower()
    assert not [h for h in headers if h.startswith("access-control-")]


@pytest.mark.slow
def test_the_restricted_preview_is_answered_for_this_machine_and_says_what_it_is(restricted_serve):
    base, port, proc, _ = restricted_serve
    assert "for this machine only, TLP:AMBER preview: do not share it" in proc.line
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LocalHost:{port}"):
        status, headers, body = _request(port, "/briefs/canary-brief/index.html", {"Host": host})
        assert status == 200, (host, status)
        page = body.decode()
        assert "Canarybriefbottomline" in page  # the canary is there to leak: the refusals below prove something
        assert '<span class="tlp tlp-amber">TLP:AMBER</span> Restricted site' in page
        assert not [h for h in headers if h.startswith("access-control-")]
    for path in SITE_PATHS[:-2] + ENDPOINTS:
        status, headers, _ = _request(port, path, {"Host": f"localhost:{port}"})
        assert status == 200 and not [h for h in headers if h.startswith("access-control-")], (path, status)
    assert "canarybriefbottomline" in _pdf_text(_request(port, "/briefs/canary-brief/canary-brief.pdf",
                                                         {"Host": f"127.0.0.1:{port}"})[2]).lower()


@pytest.mark.slow
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:{other}", "localhost.:{port}",
                                  "127.0.0.1.nip.io:{port}", "localhost:{port}@evil.example", "", "localhost"])
def test_a_forged_host_is_refused_on_every_path_and_the_canary_never_leaves(restricted_serve, host):
    base, port, proc, log = restricted_serve
    forged = host.format(port=port, other=port + 1)
    for method in ("GET", "HEAD", "POST"):
        for path in SITE_PATHS + ENDPOINTS:
            status, headers, body = _request(port, path, {"Host": forged}, method)
            _refused(status, headers, body, method)
    said = f"Host {forged!r} is not this machine (127.0.0.1:{port}, localhost:{port} or [::1]:{port})"
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if said in line]
    assert lines and lines[0].startswith("serve: refused GET '/"), lines  # one line, naming the host


@pytest.mark.slow
def test_a_request_without_one_host_is_refused(restricted_serve):
    _, port, _, log = restricted_serve
    for head in (b"GET /briefs/canary-brief/index.html HTTP/1.0\r\n\r\n",
                 b"GET /briefs/canary-brief/index.html HTTP/1.1\r\nHost: localhost:%d\r\nHost: evil.example\r\n\r\n" % port,
                 b"GET http://evil.example/briefs/canary-brief/index.html HTTP/1.1\r\nHost: localhost:%d\r\n\r\n" % port):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(head)
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.0 403 ") and CANARY.encode() not in answer.lower(), answer[:300]
    text = log.read_text(encoding="utf-8")
    assert "0 Host headers, not one" in text and "2 Host headers, not one" in text and "an absolute URL" in text


@pytest.mark.slow
@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Origin": "null"},
                                     {"Origin": "http://localhost:{other}"}, {"Origin": "http://127.0.0.1:{port}.evil"},
                                     {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "http://localhost:{port}", "Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "http://127.0.0.1:{port}"}])  # the Host is localhost: another origin
def test_a_cross_site_origin_is_refused_on_the_event_stream_and_every_endpoint(restricted_serve, headers):
    _, port, _, log = restricted_serve
    sent = {"Host": f"localhost:{port}", **{k: v.format(port=port, other=port + 1) for k, v in headers.items()}}
    for path in ENDPOINTS + ["/__briefwright/events?v=1"]:
        status, answered, body = _request(port, path, sent)
        _refused(status, answered, body)
        assert body == b"Forbidden: the preview's own endpoints answer only its own pages.\n"
    assert "is not this preview" in log.read_text(encoding="utf-8") or "Sec-Fetch-Site" in log.read_text(encoding="utf-8")
    # A page is another matter: a link from anywhere may open it (the browser keeps its content from the linking page).
    assert _request(port, "/index.html", sent)[0] == 200


@pytest.mark.slow
def test_the_preview_s_own_pages_reach_the_event_stream(restricted_serve):
    _, port, _, _ = restricted_serve
    for host, extra in ((f"localhost:{port}", {}),
                        (f"localhost:{port}", {"Origin": f"http://localhost:{port}", "Sec-Fetch-Site": "same-origin"}),
                        (f"127.0.0.1:{port}", {"Origin": f"http://127.0.0.1:{port}"}),
                        (f"[::1]:{port}", {"Origin": f"http://[::1]:{port}"}), (f"localhost:{port}", {"Sec-Fetch-Site": "none"})):
        status, headers, body = _request(port, "/__briefwright/events", {"Host": host, **extra})
        assert status == 200 and headers["content-type"] == "text/event-stream", (extra, status)
        assert json.loads(body.decode().removeprefix("data: "))["errors"] == []
        assert not [h for h in headers if h.startswith("access-control-")]


@pytest.mark.slow
def test_allow_host_answers_a_tunnel_s_name_and_needs_i_understand_above_clear(minimal, tmp_path):
    r = run_cli("serve", "--port", "0", "-j1", "--allow-host", "preview.example.org", "--max-marking", "AMBER",
                cwd=minimal)
    assert r.code == 2 and r.stderr == (
        "briefwright: error: --allow-host preview.example.org would let whoever reaches that name read this TLP:AMBER "
        "preview, off this machine; serve --max-marking CLEAR through a tunnel, or add --i-understand if TLP:AMBER may "
        "go there\n")
    assert not (minimal / "site").exists()  # said before any build
    for bad in ("https://preview.example.org", "preview.example.org:443", "*.example.org", "a/b", ""):
        r = run_cli("serve", "--port", "0", "-j1", "--allow-host", bad, cwd=minimal)
        assert r.code == 2 and r.stderr.startswith("briefwright: error: --allow-host takes a host name"), r.stderr
        assert "Traceback" not in r.stderr
    with _serving(minimal, "-j1", "--allow-host", "Preview.Example.org", "--max-marking", "GREEN", "--i-understand") \
            as (base, proc):
        assert "for this machine and for requests to preview.example.org, TLP:GREEN preview" in proc.line
        port = int(base.rsplit(":", 1)[1].strip("/"))
        for host in ("preview.example.org", "preview.example.org:443", f"localhost:{port}"):
            assert _request(port, "/index.html", {"Host": host})[0] == 200, host
        assert _request(port, "/__briefwright/events", {"Host": "preview.example.org",
                                                        "Origin": "https://preview.example.org"})[0] == 200
        _refused(*_request(port, "/index.html", {"Host": "other.example.org"}))
        _refused(*_request(port, "/__briefwright/version", {"Host": "preview.example.org",
                                                             "Origin": "https://other.example.org"}))


@pytest.mark.slow
def test_a_path_outside_the_site_is_a_404(restricted_serve):
    _, port, _, _ = restricted_serve
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/briefs/../../project.yaml"):
        status, _, body = _request(port, path, {"Host": f"127.0.0.1:{port}"})
        assert status == 404 and b"root:" not in body and b"site_title" not in body, (path, status)
