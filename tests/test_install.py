"""As a new desk would: build the wheel, install it into a fresh virtualenv outside the repository,
`briefwright init`, build, read the PDFs back, override one block and one colour, build again, and
open every page in Chromium with no console error (no icon 404)."""
from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import REPO
from pypdf import PdfReader

pytestmark = pytest.mark.slow


def _run(*cmd, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "GITHUB_ACTIONS")}
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env={**clean, **(env or {})}, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel installed in a new virtualenv; returns its bin folder. Dependencies at the locked versions."""
    root = tmp_path_factory.mktemp("install")
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", REPO, "-w", root / "dist", cwd=root)
    wheel = next((root / "dist").glob("briefwright-*.whl"))
    pins = [line.split(" ")[0] for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
            if re.match(r"[A-Za-z0-9_.-]+==", line)]
    (root / "constraints.txt").write_text("\n".join(pins) + "\n", encoding="utf-8")
    _run(sys.executable, "-m", "venv", root / "venv", cwd=root)
    _run(root / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", "-c", root / "constraints.txt", wheel, cwd=root)
    return root / "venv" / "bin"


def _pdf_checks(pdf: Path) -> str:
    reader = PdfReader(pdf)
    assert "/StructTreeRoot" in reader.trailer["/Root"], f"{pdf.name} is not tagged"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), f"{pdf.name}: a font is not embedded"
    for number, page in enumerate(reader.pages, 1):
        assert page.extract_text().count("TLP:CLEAR") >= 2, f"{pdf.name} page {number}: marking not in header and footer"
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _console_errors(site: Path) -> list[str]:
    from test_browser import ARGS, CHROMIUM, _need_browser, _Quiet, _watch
    _need_browser()
    from playwright.sync_api import sync_playwright
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    errors = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            log = _watch(page)
            for html in sorted(site.rglob("*.html")):
                page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{html.relative_to(site).as_posix()}")
                page.wait_for_load_state("networkidle")
            errors = log["console"] + log["outside"]
            browser.close()
    finally:
        httpd.shutdown()
    return errors


def test_a_new_desk_installs_inits_builds_and_restyles(installed, tmp_path):
    assert not str(installed).startswith(str(REPO))
    version = _run(installed / "briefwright", "--version", cwd=tmp_path).stdout.strip()
    from briefwright import __version__
    assert version == f"briefwright {__version__}"
    _run(installed / "briefwright", "init", "my-desk", cwd=tmp_path)
    desk = tmp_path / "my-desk"
    build = _run(installed / "briefwright", "build", cwd=desk)
    assert "built 1 (first-brief)" in build.stderr
    text = _pdf_checks(desk / "site" / "briefs" / "first-brief" / "first-brief.pdf")
    assert "The Example Widget's speed is only claimed" in text
    assert _console_errors(desk / "site") == []

    (desk / "templates").mkdir()
    (desk / "templates" / "base.html").write_text(
        '{% extends "default:base.html" %}\n{% block colophon %}<footer class="colophon"><p>Published by the '
        'example desk under its own colophon.</p></footer>{% endblock %}\n', encoding="utf-8")
    settings = desk / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + 'colours:\n  accent: "#8a1538"\n', encoding="utf-8")
    _run(installed / "briefwright", "build", cwd=desk)
    text = _pdf_checks(desk / "site" / "briefs" / "first-brief" / "first-brief.pdf")
    assert "Published by the example desk under its own colophon." in text and "Every fact names its sources" not in text
    assert "  --accent: #8a1538;\n" in (desk / "site" / "assets" / "tokens.css").read_text(encoding="utf-8")
    assert _console_errors(desk / "site") == []


def test_the_installed_theme_is_the_repository_theme(installed):
    site_packages = next((installed.parent / "lib").glob("python3.*/site-packages"))
    packaged = site_packages / "briefwright" / "default_theme"
    files = sorted(p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(packaged).as_posix() for p in packaged.rglob("*") if p.is_file())
    for name in files:
        assert (packaged / name).read_bytes() == (REPO / "templates" / name).read_bytes(), name


def test_the_wheel_carries_the_guides_and_docs_finds_them(installed, tmp_path):
    listed = _run(installed / "briefwright", "docs", cwd=tmp_path).stdout
    site_packages = next((installed.parent / "lib").glob("python3.*/site-packages"))
    packaged = site_packages / "briefwright" / "docs"
    assert listed.splitlines()[0] == f"Briefwright's guides are in {packaged}:"
    files = sorted(p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(packaged).as_posix() for p in packaged.rglob("*") if p.is_file())
    for name in files:
        assert (packaged / name).read_bytes() == (REPO / "docs" / name).read_bytes(), name
    made = _run(installed / "briefwright", "init", "desk", cwd=tmp_path).stderr
    assert f"the guides: {packaged / 'authoring.md'}" in made
