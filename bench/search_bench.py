"""The site of a desk's whole archive: page sizes, a page per record, and what search costs over HTTP (issue 30).

Builds a synthetic project (bench/synth.py: 10,000 facts, 200 briefs with two key judgments each, the first 10 briefs
also in French and Chinese) with `build --formats html --force -j1` in a fresh process, then prints:

- the largest HTML page of the site and of each listing (target: none over 300 KB), and whether every fact, source,
  key judgment and open question has its own page;
- the search, served from 127.0.0.1 by `serve`'s own server (text gzip-compressed, Cache-Control: no-store), driven in
  Chromium (Playwright, /usr/bin/chromium), every response counted: what the home page and the search page load
  before any keystroke, the first keystroke on a fresh page (Pagefind's script, WebAssembly and table of pages, the
  index chunks and the results' fragments), each query typed whole on a fresh page (cold), and each further query on
  that page (the chunks and fragments it adds). Beside each, what a host that compresses text (GitHub Pages) sends:
  gzip of the HTML, CSS and JavaScript; Pagefind's index and WebAssembly are compressed files already. Targets: the
  first keystroke <= 100 KB, each cold query <= 150 KB;
- that a Chinese query finds a Chinese page;
- that the search bundle is the same bytes when the site is built again from a fresh cache.

    python bench/search_bench.py [--facts 10000] [--briefs 200] [--keep DIR]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from shard_plan import ENV, PY  # noqa: E402
from synth import generate  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LIMIT_PAGE = 300 * 1024
FIRST_KEYSTROKE, COLD_QUERY = 100 * 1024, 150 * 1024
QUERIES = ["percent period", "fact 4321", "source number 512", "synthetic brief 42", "region rising", "caveat"]
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml")


def build(project: Path, out: Path, cache: Path) -> tuple[float, float]:
    start = time.perf_counter()
    done = subprocess.run([PY, str(REPO / "build.py"), "build", "--project", str(project), "--out", str(out),
                           "--cache-dir", str(cache), "--formats", "html", "--force", "-j1"],
                          env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    wall = time.perf_counter() - start
    match = re.search(r"in ([\d.]+) s", done.stderr)
    return wall, float(match.group(1)) if match else wall


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def sizes(site: Path) -> None:
    pages = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    name, largest = max(pages.items(), key=lambda item: item[1])
    print(f"HTML pages: {len(pages)}, {kb(sum(pages.values()))} in all; largest: {name}, {kb(largest)} "
          f"({'within' if largest <= LIMIT_PAGE else 'OVER'} the 300 KB target)")
    for stem in ("index", "facts", "sources", "unknowns", "timeline", "terms", "search"):
        listing = {n: s for n, s in pages.items() if re.fullmatch(rf"{stem}(-\d+)?\.html", n)}
        if listing:
            biggest = max(listing.items(), key=lambda item: item[1])
            print(f"  {stem}: {len(listing)} page{'s' if len(listing) > 1 else ''}, largest {biggest[0]} {kb(biggest[1])}")
    for folder in ("facts", "sources", "judgments", "unknowns"):
        records = [n for n in pages if re.fullmatch(rf"{folder}/[^/]+/index\.html", n)]
        biggest = max((pages[n] for n in records), default=0)
        print(f"  {folder}/<id>/: {len(records)} pages, largest {kb(biggest)}")
    bundle = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    print(f"search bundle (pagefind/): {len(bundle)} files, {kb(sum(p.stat().st_size for p in bundle))}")


def on_wire(url: str, body: bytes, sent: int) -> tuple[int, int]:
    """Bytes `serve` sent (its body as encoded on the wire), and what a host that compresses text sends (gzip of the
    decoded body, as GitHub Pages does)."""
    path = url.split("?")[0]
    return sent, (len(gzip.compress(body, 6)) if path.endswith(COMPRESSIBLE) else len(body))


class Meter:
    def __init__(self, page):
        self.seen: list[tuple[str, int, int]] = []
        self.last: list[tuple[str, int, int]] = []
        page.on("response", self._count)

    def _count(self, response):
        try:
            body = response.body()
        except Exception:  # noqa: BLE001  a redirect or an aborted response has no body
            return
        sent = response.request.sizes()["responseBodySize"]  # as encoded on the wire
        self.seen.append((response.url, *on_wire(response.url, body, sent)))

    def take(self) -> tuple[int, int, list[str]]:
        taken, self.last, self.seen = self.seen, self.seen, []
        return sum(t[1] for t in taken), sum(t[2] for t in taken), [t[0].rsplit("/", 2)[-2:] for t in taken]

    def parts(self) -> str:
        """What the last responses taken were, by part: Pagefind's script, its WebAssembly, its table of pages..."""
        def part(url: str) -> str:
            path = url.split("?")[0]
            for test, name in ((lambda p: p.endswith("/pagefind.js"), "script"),
                               (lambda p: "/wasm." in p, "WebAssembly"), (lambda p: p.endswith(".pf_meta"), "table of pages"),
                               (lambda p: p.endswith("pagefind-entry.json"), "entry"), (lambda p: "/index/" in p, "index chunks"),
                               (lambda p: "/fragment/" in p, "results' fragments")):
                if test(path):
                    return name
            return "page"
        sums: dict[str, list[int]] = {}
        for url, raw, _ in self.last:
            entry = sums.setdefault(part(url), [0, 0])
            entry[0] += 1
            entry[1] += raw
        return ", ".join(f"{name} {kb(size)}" + (f" ({n} files)" if n > 1 else "") for name, (n, size) in sums.items())


def settle(page, meter: Meter, query: str) -> None:
    page.wait_for_function("q => document.getElementById('search-status').textContent.includes(q)", arg=query,
                           timeout=30000)
    count = -1
    while count != len(meter.seen):  # until no response arrived for half a second
        count = len(meter.seen)
        page.wait_for_timeout(500)


def searches(site: Path, chinese: str | None) -> dict:
    from playwright.sync_api import sync_playwright

    from briefwright.serve.server import State, preview_server
    httpd = preview_server(site, 0, State())  # serve's own server: text gzip-compressed, never cached
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    found: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])

        def fresh():
            context = browser.new_context()
            page = context.new_page()
            return context, page, Meter(page)
        context, page, meter = fresh()
        page.goto(base + "index.html")
        page.wait_for_load_state("networkidle")
        raw, gz, _ = meter.take()
        print(f"home page, loaded: {kb(raw)} ({kb(gz)} compressed), of which search code and index: 0 KB "
              "(its search box opens the search page)")
        page.goto(base + "search.html")
        page.wait_for_load_state("networkidle")
        raw, gz, files = meter.take()
        print(f"search page, loaded, before any keystroke: {kb(raw)} ({kb(gz)} compressed): "
              + ", ".join("/".join(f) for f in files))
        page.type("#q", "m")
        settle(page, meter, "m")
        raw, gz, files = meter.take()
        found["first"] = (raw, gz)
        print(f"first keystroke ('m'), fresh page: {kb(raw)} ({kb(gz)} compressed); target <= 100 KB: "
              f"{'met' if raw <= FIRST_KEYSTROKE else 'missed'} as served, "
              f"{'met' if gz <= FIRST_KEYSTROKE else 'missed'} compressed")
        print("  of which: " + meter.parts())
        context.close()
        cold, warm = [], []
        for query in QUERIES:
            context, page, meter = fresh()
            page.goto(base + "search.html")
            page.wait_for_load_state("networkidle")
            meter.take()
            page.fill("#q", query)
            settle(page, meter, query)
            raw, gz, _ = meter.take()
            results = page.locator("#results li").count()
            cold.append((query, raw, gz, results, meter.parts()))
            later = QUERIES[(QUERIES.index(query) + 1) % len(QUERIES)]
            page.fill("#q", later)
            settle(page, meter, later)
            raw2, gz2, _ = meter.take()
            warm.append((later, raw2, gz2))
            context.close()
        print("| query | results | cold, fresh page | compressed | then the next query on that page | compressed |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for (query, raw, gz, results, _), (later, raw2, gz2) in zip(cold, warm, strict=True):
            print(f"| {query} | {results} | {kb(raw)} | {kb(gz)} | {later}: {kb(raw2)} | {kb(gz2)} |")
        worst_query = max(cold, key=lambda c: c[1])
        print(f"  the largest cold query ({worst_query[0]!r}): {worst_query[4]}")
        worst = max(c[1] for c in cold)
        print(f"largest cold query: {kb(worst)} as served, {kb(max(c[2] for c in cold))} compressed; target <= 150 KB: "
              f"{'met' if worst <= COLD_QUERY else 'missed'} as served")
        found["cold"], found["warm"] = cold, warm
        if chinese:
            context, page, meter = fresh()
            page.goto(base + "search.html")
            page.wait_for_load_state("networkidle")
            meter.take()
            page.fill("#q", chinese)
            settle(page, meter, chinese)
            hrefs = page.eval_on_selector_all("#results li a", "els => els.map(e => e.getAttribute('href'))")
            raw, gz, _ = meter.take()
            hit = any("/zh-Hans/" in h for h in hrefs)
            print(f"Chinese query {chinese!r}, typed on a fresh search page: {len(hrefs)} results, a Chinese page among "
                  f"them: {hit} ({kb(raw)} fetched: {meter.parts()})")
            found["chinese"] = hit
            context.close()
        browser.close()
    httpd.shutdown()
    return found


def bundle_digest(site: Path) -> str:
    h = hashlib.sha256()
    for path in sorted((site / "pagefind").rglob("*")):
        if path.is_file():
            h.update(path.relative_to(site).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def chinese_query(project: Path) -> str | None:
    """The first words of a Chinese edition's title, as a reader would type them."""
    path = project / "translations" / "zh-Hans.yaml"
    if not path.exists():
        return None
    import yaml
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]
    title = next(e["text"] for key, e in entries.items() if key.endswith("/title") and key.startswith("brief/"))
    return title[:4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facts", type=int, default=10000)
    parser.add_argument("--briefs", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bw-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "project"
    if not project.exists():
        generate(project, args.facts, args.briefs, judgments=2, languages=("en", "fr", "zh-Hans"), translated=10)
    site = work / "site"
    wall, said = build(project, site, work / "cache")
    print(f"{args.facts} facts, {args.briefs} briefs: cold HTML build {wall:.1f} s wall (the build says {said:.1f} s)")
    sizes(site)
    found = searches(site, chinese_query(project))
    again = work / "site-again"
    build(project, again, work / "cache-again")
    same = bundle_digest(site) == bundle_digest(again)
    print(f"search bundle built twice, fresh caches: {'the same bytes' if same else 'DIFFERENT'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if not same or not found.get("chinese", True):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
