"""The built site in a real browser (Playwright driving Debian's Chromium), served on localhost."""
from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from helpers import FIXTURES, copy_project, run_cli

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _need_browser():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed"
    else:
        missing = None if CHROMIUM.exists() else f"{CHROMIUM} is missing (apt-get install chromium)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(real_site):
    site, _ = real_site
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", site
    httpd.shutdown()




def _watch(page):
    """Record console errors, page errors and any request that leaves localhost."""
    log = {"console": [], "outside": [], "dialogs": []}
    page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: log["console"].append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))

    def outside(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme not in ("file", "data", "about", "blob") and parts.hostname not in ("127.0.0.1", "localhost")

    page.on("request", lambda request: log["outside"].append(request.url) if outside(request.url) else None)
    page.route("**/*", lambda route: route.abort() if outside(route.request.url) else route.continue_())
    return log


def test_crawl_every_page_no_broken_links_no_errors_no_outside_requests(server, browser):
    base, site = server
    page = browser.new_page()
    log = _watch(page)
    seen, queue, pdfs, anchors = set(), deque([base + "index.html"]), set(), []
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response and response.status == 200, f"{url}: {response and response.status}"
        policy = page.eval_on_selector_all('meta[http-equiv="Content-Security-Policy"]', "els => els.map(e => e.content)")
        # The search page alone may compile WebAssembly (Pagefind's); no page may evaluate or inline a script.
        scripts = "script-src 'self' 'wasm-unsafe-eval';" if url.endswith("/search.html") else "script-src 'self';"
        assert len(policy) == 1 and scripts in policy[0] and "unsafe-inline" not in policy[0], url
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            target = urljoin(url, href)
            if not target.startswith(base):
                continue
            clean, fragment = urldefrag(target)
            if fragment:
                anchors.append((url, clean, fragment))
            if clean.endswith(".pdf"):
                pdfs.add(clean)
            elif clean.endswith(".html") or clean.endswith("/"):
                queue.append(clean)
    assert len(seen) >= 10
    for source_page, target, fragment in anchors:
        if page.url != target:
            page.goto(target)
        assert page.locator(f"[id='{fragment}']").count() == 1, f"{source_page} links to missing #{fragment} on {target}"
    assert pdfs, "no PDF linked"
    for pdf in sorted(pdfs):
        body = page.request.get(pdf).body()
        assert body.startswith(b"%PDF"), pdf
    assert log["console"] == [], log["console"]
    assert log["outside"] == [], log["outside"]


def test_search_finds_and_follows_a_result(server, browser):
    base, _ = server
    page = browser.new_page()
    log = _watch(page)
    page.goto(base + "search.html")
    page.fill("#q", "entity list")
    page.wait_for_selector("#results li a")
    assert page.locator("#results li").count() == 10  # ten at a time, each result's text fetched as it is shown
    page.click(".more-results")
    page.wait_for_function("() => document.querySelectorAll('#results li').length > 10")
    first = page.locator("#results li a").first
    href = first.get_attribute("href")
    first.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith(href.split("#")[0])
    assert log["console"] == [] and log["outside"] == []


def test_facts_filter_by_status(server, browser):
    base, _ = server
    page = browser.new_page()
    page.goto(base + "facts.html")
    total = page.locator(".fact-card").count()
    page.select_option("#filter-status", "claimed")
    visible = page.locator(".fact-card:visible").count()
    assert 0 < visible < total
    assert page.locator(".fact-card:visible[data-status='claimed']").count() == visible


def _site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


RECORD_FOLDERS = ("facts/", "sources/", "judgments/", "unknowns/")


def test_axe_wcag21_aa_on_every_page(server, browser):
    """Every page but the records' own: of those (hundreds, from four templates) the first three of each kind."""
    from axe_playwright_python.sync_playwright import Axe
    base, site = server
    axe = Axe()
    page = browser.new_page()
    failures = {}
    pages = [p for p in _site_pages(site) if not p.startswith(RECORD_FOLDERS)]
    pages += [p for folder in RECORD_FOLDERS for p in [q for q in _site_pages(site) if q.startswith(folder)][:3]]
    for rel in pages:
        page.goto(base + rel)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        if results.violations_count:
            failures[rel] = [(v["id"], len(v["nodes"]), v["nodes"][0]["target"]) for v in results.response["violations"]]
    assert failures == {}


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_and_no_horizontal_scroll(server, browser, width, tmp_path_factory):
    base, site = server
    shots = Path(os.environ.get("BRIEFWRIGHT_SHOTS", str(tmp_path_factory.mktemp("shots"))))
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    for rel in ["index.html", "facts.html"] + [p for p in _site_pages(site) if p.startswith("briefs/")]:
        page.goto(base + rel)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{rel} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(shots / f"{rel.replace('/', '_')}-{width}.png"), full_page=False)
    assert any(shots.iterdir())


def test_injection_attempts_do_not_run(browser, tmp_path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    payload = "<script>console.log('PWNED')</script><img src=x onerror=\"alert('PWNED')\">"
    sources = project / "content" / "sources.yaml"
    sources.write_text(sources.read_text().replace("title: Widget launch", f"title: {json.dumps(payload)}"))
    brief = project / "briefs" / "sample.yaml"
    brief.write_text(brief.read_text().replace("short_title: Widget brief", "short_title: " + json.dumps("</style>" + payload))
                     .replace("title: The widget, briefly", "title: " + json.dumps('"><svg onload=alert(1)>' + payload)))
    other = project / "content" / "other.yaml"
    other.write_text(other.read_text().replace("title: Widget launched", f"title: {json.dumps(payload)}")
                     .replace("question: What does the widget cost?", f"question: {json.dumps(payload)}"))
    out = tmp_path / "site"
    result = run_cli("build", "--out", out, "--cache-dir", tmp_path / "cache", "-j1", cwd=project)
    assert result.code == 0, result.stderr
    page = browser.new_page()
    log = _watch(page)
    for rel in ("briefs/sample/index.html", "index.html", "sources.html", "timeline.html", "unknowns.html", "search.html"):
        page.goto((out / rel).as_uri())
        if rel == "search.html":
            page.fill("#q", "PWNED")
            page.wait_for_selector("#results li")
    assert log["dialogs"] == []
    assert not [m for m in log["console"] if "PWNED" in m]
    assert "PWNED" in page.content()  # the text is shown, escaped, not executed


def test_content_security_policy_blocks_a_planted_inline_script(server, browser, tmp_path):
    """The second line of defence: if sanitising ever let a script into a page, the policy stops it."""
    import shutil
    _, site = server
    copy = shutil.copytree(site, tmp_path / "site")
    index = copy / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "</main>", '<script>document.title = "planted";</script><img src="x" onerror="document.title = \'attr\'"></main>'),
        encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(copy))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        log = _watch(page)
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
        page.wait_for_timeout(300)
        assert page.title() not in ("planted", "attr")
        refused = [m for m in log["console"] if "violates the following Content Security Policy directive" in m]
        assert any("inline script" in m for m in refused), log["console"]
        assert any("inline event handler" in m for m in refused), log["console"]
    finally:
        httpd.shutdown()


def test_pages_work_from_file_urls_under_the_policy(server, browser):
    _, site = server
    page = browser.new_page()
    log = _watch(page)
    page.goto((site / "search.html").as_uri() + "?q=Ascend")
    page.wait_for_selector("#results li")
    assert page.locator("#results li").count() > 0
    page.goto((site / "facts.html").as_uri())
    page.select_option("#filter-status", "claimed")
    assert page.locator(".fact-card:visible").count() > 0
    assert log["console"] == [], log["console"]


def test_serve_pushes_edits_and_errors_to_the_page_under_the_policy(browser, tmp_path):
    """An edit shows without a manual reload; a broken edit shows the terminal's located message in an
    overlay; fixing it clears the overlay. All under the pages' content security policy."""
    import subprocess

    from helpers import cli_command, subprocess_env
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    proc = subprocess.Popen(cli_command("serve", "--port", "0", "-j1"), cwd=project, env=subprocess_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().split()[1]
        page = browser.new_page()
        log = _watch(page)
        with page.expect_request("**/__briefwright/events", timeout=10_000):  # the reload script runs and listens
            page.goto(base + "briefs/sample/index.html")
        page.wait_for_selector('a[href="sample.pdf"]', timeout=60_000)  # the first build's PDF is in
        facts = project / "content" / "facts.yaml"
        text = facts.read_text(encoding="utf-8")
        facts.write_text(text.replace("launched in", "went on sale in"), encoding="utf-8")
        page.get_by_text("went on sale in", exact=False).first.wait_for(timeout=60_000)  # no manual reload
        page.wait_for_selector('a[href="sample.pdf"]', timeout=60_000)  # and again once the PDF is made
        # Markup in the content stays text in the overlay, which shows what `check` prints in the terminal.
        broken = text.replace("sources: [maker-blog]", 'sources: ["<b>x</b>"]').replace(
            "sources: [trade-paper]", "sources: [no-such-source]", 1)
        facts.write_text(broken, encoding="utf-8")
        terminal = [line for line in run_cli("check", cwd=project).stderr.splitlines() if ": error: " in line]
        assert len(terminal) == 2 and "'<b>x</b>' is not a valid id" in terminal[0], terminal
        overlay = page.wait_for_selector("#briefwright-errors", timeout=60_000)
        assert overlay.query_selector("pre").text_content() == "\n".join(terminal)
        assert overlay.query_selector("b") is None and overlay.get_attribute("role") == "alert"
        facts.write_text(text.replace("launched in", "shipped in"), encoding="utf-8")
        page.get_by_text("shipped in", exact=False).first.wait_for(timeout=60_000)
        assert page.query_selector("#briefwright-errors") is None  # cleared by the reload
        assert log["console"] == [], log["console"]
        assert log["outside"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_rebound_name_and_another_site_cannot_read_the_restricted_preview(browser, tmp_path):
    """DNS rebinding as Chromium does it: a name a page controls resolves to 127.0.0.1 (here by the browser's resolver
    rules; nothing is looked up), so its pages ask serve with their own Host; a page of another site asks the event
    stream outright. serve refuses both, and no canary of the TLP:AMBER brief reaches either page. The analyst's own
    tab, on localhost, shows the channel's banner and still reloads on an edit."""
    import subprocess

    from helpers import cli_command, subprocess_env
    from test_markings import RESTRICTED, RESTRICTED_BRIEF
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (project / "content" / "restricted.yaml").write_text(RESTRICTED, encoding="utf-8")
    brief = project / "briefs" / "canary-brief.yaml"
    brief.write_text(RESTRICTED_BRIEF, encoding="utf-8")
    log = tmp_path / "serve.log"
    rules = "MAP rebind.test 127.0.0.1, MAP attacker.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE localhost"
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(cli_command("serve", "--port", "0", "-j1", "--max-marking", "AMBER"), cwd=project,
                                env=subprocess_env(), stdout=subprocess.PIPE, stderr=err, text=True)
        # A browser of its own, from the module's Playwright: only it resolves the two names.
        browser = browser.browser_type.launch(executable_path=str(CHROMIUM), args=[*ARGS, f"--host-resolver-rules={rules}"])
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "index.html").write_text("<!doctype html><title>Another site</title>", encoding="utf-8")
        elsewhere = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                    functools.partial(_Quiet, directory=str(tmp_path / "elsewhere")))
        threading.Thread(target=elsewhere.serve_forever, daemon=True).start()
        try:
            line = proc.stdout.readline()
            assert "for this machine only, TLP:AMBER preview" in line, line
            port = int(line.split()[1].rsplit(":", 1)[1].strip("/"))
            own = browser.new_page()
            watched = _watch(own)
            with own.expect_request("**/__briefwright/events", timeout=10_000):
                own.goto(f"http://localhost:{port}/briefs/canary-brief/index.html")
            banner = own.locator(".channel-banner")
            assert banner.is_visible() and banner.inner_text().startswith("TLP:AMBER Restricted site")
            assert "Canarybriefbottomline" in own.content()  # there to be read by this machine's own tab

            rebound = browser.new_page()
            answer = rebound.goto(f"http://rebind.test:{port}/briefs/canary-brief/index.html")
            assert answer.status == 403 and "canary" not in rebound.content().lower()
            # Same-origin for the rebound page, so it could read anything that answered: nothing does.
            statuses = rebound.evaluate("""async () => Promise.all(["/", "/index.html", "/briefs/canary-brief/canary-brief.pdf",
                "/__briefwright/version", "/__briefwright/events"].map(async (path) => {
                  const r = await fetch(path); const text = await r.text();
                  return [r.status, text.toLowerCase().includes("canary")]; }))""")
            assert statuses == [[403, False]] * 5, statuses

            other = browser.new_page()
            other.goto(f"http://attacker.test:{elsewhere.server_address[1]}/index.html")  # a page of another site
            tried = other.evaluate(f"""async () => {{
                const opened = await new Promise((done) => {{
                  const events = new EventSource("http://localhost:{port}/__briefwright/events");
                  events.onopen = () => {{ events.close(); done("open"); }};
                  events.onerror = () => {{ events.close(); done("error"); }}; }});
                let read = "refused";
                try {{ read = await (await fetch("http://localhost:{port}/__briefwright/version")).text(); }} catch (e) {{}}
                await fetch("http://localhost:{port}/__briefwright/version", {{mode: "no-cors"}});
                return [opened, read]; }}""")
            assert tried == ["error", "refused"], tried
            said = log.read_text(encoding="utf-8")
            assert f"Host 'rebind.test:{port}' is not this machine" in said, said
            assert f"Origin 'http://attacker.test:{elsewhere.server_address[1]}' is not this preview" in said, said
            assert "Sec-Fetch-Site 'cross-site'" in said, said  # the no-cors request carries no Origin

            brief.write_text(RESTRICTED_BRIEF.replace("differ from the maker's", "now match the maker's"), encoding="utf-8")
            own.get_by_text("now match the maker", exact=False).first.wait_for(timeout=60_000)  # live reload, no click
            assert own.locator(".channel-banner").is_visible()
            assert watched["console"] == [] and watched["outside"] == [], watched
            # Stopped once the edit's PDF is made: a layout under way at -j1 ends serve only when it returns to Python.
            own.wait_for_selector('a[href="canary-brief.pdf"]', timeout=60_000)
        finally:
            browser.close()
            elsewhere.shutdown()
            proc.terminate()
            proc.wait(timeout=30)
