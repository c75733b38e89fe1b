"""House style from project.yaml (logo, colours, fonts) reaches HTML, PDF and charts without a
template edit; colours are checked for WCAG AA contrast; every page has an icon; `init` starts a
project that builds at once and never overwrites a file."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from helpers import FIXTURES, REPO, copy_project, run_cli
from pypdf import PdfReader

from briefwright.core.resources import DOCS

LOGO = (REPO / "templates" / "static" / "favicon.svg").read_text(encoding="utf-8").replace("#1f4e79", "#8a1538")


def _style(project: Path, text: str) -> None:
    settings = project / "project.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def desk(tmp_path) -> Path:
    return copy_project(FIXTURES / "minimal", tmp_path / "project")


def test_logo_colours_and_fonts_reach_html_pdf_and_charts(desk, tmp_path):
    (desk / "house-logo.svg").write_text(LOGO, encoding="utf-8")
    _style(desk, 'logo: house-logo.svg\ncolours:\n  accent: "#8a1538"\nfonts:\n  serif: "\'DejaVu Sans\', sans-serif"\n')
    site = tmp_path / "site"
    result = run_cli("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html,pdf", cwd=desk)
    assert result.code == 0, result.stderr
    tokens = (site / "assets" / "tokens.css").read_text(encoding="utf-8")
    assert "  --accent: #8a1538;\n" in tokens and "  --font-serif: 'DejaVu Sans', sans-serif;\n" in tokens
    assert (site / "assets" / "logo.svg").read_text(encoding="utf-8") == LOGO
    page = (site / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="../../assets/logo.svg">' in page
    assert '<p class="org"><img class="logo" src="../../assets/logo.svg" alt="Sample Desk logo"><span class="org-name">' in page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="assets/logo.svg">' in index and 'src="assets/logo.svg"' in index
    assert "fill:#8a1538" in (site / "briefs" / "sample" / "speed.svg").read_text(encoding="utf-8").replace(" ", "")
    pdf = site / "briefs" / "sample" / "sample.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Serif" not in fonts and "DejaVu-Sans" in fonts  # the serif was replaced everywhere
    assert "Sample Desk logo" in _figure_alts(PdfReader(pdf))  # the logo is drawn, tagged as a figure with its alt


def _figure_alts(reader: PdfReader) -> list[str]:
    """Alt texts in the PDF's structure tree, in document order."""
    found: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if not hasattr(node, "keys"):
            return
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)
    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.mark.slow
def test_changing_a_colour_rebuilds_the_pdf(desk, tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    assert run_cli("build", "--out", site, "--cache-dir", cache, "-j1", cwd=desk).code == 0
    before = (site / "briefs" / "sample" / "sample.pdf").read_bytes()
    _style(desk, 'colours:\n  accent: "#8a1538"\n')
    result = run_cli("build", "--out", site, "--cache-dir", cache, "-j1", cwd=desk)
    assert result.code == 0 and re.search(r"built 2\b", result.stderr), result.stderr
    assert (site / "briefs" / "sample" / "sample.pdf").read_bytes() != before


def test_low_contrast_colours_are_located_errors(desk):
    _style(desk, 'colours:\n  accent: "#d9a0b0"\n')
    line = (desk / "project.yaml").read_text(encoding="utf-8").count("\n") - 1 + 1
    result = run_cli("check", cwd=desk)
    assert result.code == 1
    assert (f"project.yaml:{line}:11: error: colour 'accent' #d9a0b0 on 'paper' #ffffff has a contrast of 2.19:1; "
            "WCAG AA needs 4.5:1 for text") in result.stderr


@pytest.mark.parametrize("setting, message", [
    ("logo: ../outside.svg", "logo '../outside.svg' is outside the project folder; put the file in it"),
    ("logo: missing.svg", "logo 'missing.svg' not found in the project folder"),
    ("logo: project.yaml", "logo 'project.yaml' must be an SVG or PNG file"),
    ('colours:\n  ink: "not-a-colour"', "colour 'not-a-colour' is not '#rrggbb' or a CSS colour name"),
    # Forms matplotlib reads but CSS does not: the pages would get no colour at all.
    ('colours:\n  ink: "tab:blue"', "colour 'tab:blue' is not '#rrggbb' or a CSS colour name"),
    ('colours:\n  ink: "0.5"', "colour '0.5' is not '#rrggbb' or a CSS colour name"),
])
def test_house_style_mistakes_are_located(desk, setting, message):
    _style(desk, setting + "\n")
    result = run_cli("check", cwd=desk)
    assert result.code == 1
    assert re.search(r"project\.yaml:\d+:\d+: error: " + re.escape(message), result.stderr), result.stderr


def test_every_page_has_an_icon_that_exists(desk, tmp_path):
    site = tmp_path / "site"
    assert run_cli("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html",
                   cwd=desk).code == 0  # the pages are what is read
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        icons = re.findall(r'<link rel="icon" href="([^"]+)">', page.read_text(encoding="utf-8"))
        assert len(icons) == 1, page
        if page.name != "404.html":  # 404 pages link from the site root
            assert (page.parent / icons[0]).resolve().is_file(), f"{page}: {icons[0]}"


def test_init_writes_a_starter_that_builds_and_never_overwrites(tmp_path):
    folder = tmp_path / "my-desk"
    result = run_cli("init", folder, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stderr == (f"wrote 11 files into {folder}; made it a git repository with a first commit; next: cd "
                             f"{folder} && briefwright build (then open site/index.html)\n"
                             f"the guides: {DOCS / 'authoring.md'} (`briefwright docs` lists them all)\n")
    for name in ("project.yaml", "content/example.yaml", "briefs/first-brief.yaml", ".gitignore", "README.md",
                 ".github/workflows/site.yml", ".github/site-sharded.yml", ".vscode/settings.json",
                 "schemas/content.schema.json"):
        assert (folder / name).is_file(), name
    workflow = (folder / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8")
    assert "briefwright check --strict" in workflow and "briefwright verify site --max-marking CLEAR" in workflow
    result = run_cli("build", "--out", folder / "site", "-j1", cwd=folder)
    assert result.code == 0 and "warning" not in result.stderr, result.stderr
    assert (folder / "site" / "briefs" / "first-brief" / "first-brief.pdf").is_file()

    result = run_cli("init", folder, cwd=tmp_path)
    assert result.code == 2 and "is not empty; pass --force" in result.stderr
    (folder / "README.md").write_text("our own\n", encoding="utf-8")
    (folder / ".gitignore").unlink()
    result = run_cli("init", folder, "--force", cwd=tmp_path)
    assert result.code == 0 and result.stderr.startswith(f"wrote 1 files into {folder}")
    assert (folder / "README.md").read_text(encoding="utf-8") == "our own\n" and (folder / ".gitignore").is_file()


def test_init_from_the_example_topic(tmp_path):
    folder = tmp_path / "glm"
    assert run_cli("init", folder, "--example", "glm-image", cwd=tmp_path).code == 0
    assert sorted(p.name for p in (folder / "briefs").iterdir()) == sorted(p.name for p in (REPO / "briefs").iterdir())
    result = run_cli("check", "--no-private", cwd=folder)
    assert result.code == 0 and "ok: 5 briefs" in result.stderr, result.stderr


def test_version():
    result = run_cli("--version", cwd=REPO)
    from briefwright import __version__
    assert result.code == 0 and result.stdout == f"briefwright {__version__}\n"
