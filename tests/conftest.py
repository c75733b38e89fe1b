"""Fixtures shared by the tests; the helpers they use live in helpers.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import FIXTURES, REPO, copy_project, run_cli


@pytest.fixture(scope="session", autouse=True)
def released_editions():
    """The real project passes check before any test copies or builds it (its published editions are stored beside
    their records, so this runs no build)."""
    result = run_cli("check", "--no-private", cwd=REPO)
    assert result.code == 0, result.stderr


@pytest.fixture
def minimal(tmp_path) -> Path:
    """A writable copy of the small sample project."""
    return copy_project(FIXTURES / "minimal", tmp_path / "project")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """The real content built once per test session (restricted briefs included), for reading back.
    Built in this process with two forked layout workers, as `make site` would."""
    out = tmp_path_factory.mktemp("real") / "site"
    project = Path(os.environ.get("BRIEFWRIGHT_REAL_PROJECT", REPO))  # another project, for trying the suite on it
    result = run_cli("build", "--project", project, "--out", out, "--cache-dir", out.parent / "cache", "-j", "2",
                     "--include-restricted", "--no-private", cwd=REPO)
    assert result.code == 0, result.stderr
    return out, result


def pytest_collection_modifyitems(items):
    """Every test that needs a build of the real content is slow, wherever it is (test_golden.py too)."""
    for item in items:
        if item.path.name == "test_golden.py" or "real_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (test_browser's and test_search's pages)."""
    from test_browser import ARGS, CHROMIUM, _need_browser
    _need_browser()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()
