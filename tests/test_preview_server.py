"""The preview's HTTP server in this process, over a folder standing for a built site (no build, so these stay in
the fast loop; tests/test_serve.py drives the whole `serve` command): text goes gzip-compressed to a browser that
accepts it, as a static host sends it, and as is otherwise; Pagefind's compressed files go as they are; the Host
check refuses a name that is not this machine, and the origin check a page of another site."""
from __future__ import annotations

import gzip
import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefwright.serve.server import State, accepts_gzip, preview_server

SCRIPT = b"/* search */\n" + b"function find(q) { return q; }\n" * 400


@pytest.fixture
def preview(tmp_path) -> Iterator[tuple[int, Path]]:
    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "index.html").write_text("<html><body>" + "<p>A brief.</p>" * 200 + "</body></html>", encoding="utf-8")
    (site / "pagefind" / "pagefind.js").write_bytes(SCRIPT)
    (site / "pagefind" / "wasm.en.pagefind").write_bytes(gzip.compress(b"\0asm" * 2000, mtime=0))
    (site / "small.css").write_text("p{}", encoding="utf-8")
    server = preview_server(site, 0, State())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], site
    finally:
        server.shutdown()
        server.server_close()


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **headers})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_text_goes_compressed_to_a_browser_that_accepts_gzip(preview):
    port, site = preview
    script = get(port, "/pagefind/pagefind.js", **{"Accept-Encoding": "gzip, deflate, br"})
    assert script.status == 200 and script.getheader("Content-Encoding") == "gzip"
    assert script.getheader("Content-Type") == "text/javascript; charset=utf-8"
    assert script.getheader("Vary") == "Accept-Encoding"
    assert int(script.getheader("Content-Length")) == len(script.body) < len(SCRIPT) / 4
    assert gzip.decompress(script.body) == SCRIPT
    page = get(port, "/", **{"Accept-Encoding": "gzip"})
    html = gzip.decompress(page.body)
    assert page.getheader("Content-Encoding") == "gzip" and html.startswith(b"<html><body><p>A brief.</p>")
    assert b'<script src="/__briefwright/reload.js?v=0"></script>\n</body>' in html  # the reload tag, then compressed


def test_text_goes_as_it_is_without_gzip_and_compressed_files_always_do(preview):
    port, site = preview
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0, *"}):
        script = get(port, "/pagefind/pagefind.js", **headers)
        assert script.getheader("Content-Encoding") is None and script.body == SCRIPT, headers
    wasm = get(port, "/pagefind/wasm.en.pagefind", **{"Accept-Encoding": "gzip"})
    assert wasm.getheader("Content-Encoding") is None
    assert wasm.body == (site / "pagefind" / "wasm.en.pagefind").read_bytes()  # Pagefind inflates it itself
    small = get(port, "/small.css", **{"Accept-Encoding": "gzip"})
    assert small.getheader("Content-Encoding") is None and small.body == b"p{}"  # too small to gain
    assert get(port, "/missing.js", **{"Accept-Encoding": "gzip"}).status == 404


@pytest.mark.parametrize(("values", "wanted"), [
    (["gzip"], True), (["deflate, gzip;q=0.5"], True), (["GZIP ; q=1"], True), (["*"], True),
    ([], False), (["br"], False), (["gzip;q=0"], False), (["gzip; q=0.000"], False), (["*, gzip;q=0"], False),
    (["br", "gzip"], True), (["*;q=0"], False),
])
def test_accept_encoding_is_read_as_http_says(values, wanted):
    assert accepts_gzip(values) is wanted


def test_a_host_that_is_not_this_machine_is_refused_before_anything_is_read(preview):
    port, _site = preview
    refused = get(port, "/index.html", Host=f"attacker.example:{port}")
    assert refused.status == 403 and b"A brief" not in refused.body
    assert get(port, "/index.html", Host=f"localhost:{port}").status == 200


def test_a_page_of_another_site_cannot_read_the_previews_own_endpoints(preview):
    port, _site = preview
    refused = get(port, "/__briefwright/version", Origin="https://attacker.example")
    assert refused.status == 403 and b"version" not in refused.body
    assert get(port, "/__briefwright/version", **{"Sec-Fetch-Site": "cross-site"}).status == 403
    assert get(port, "/__briefwright/version").body == b'{"version": 0, "errors": [], "pending": false}'
