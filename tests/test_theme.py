"""Themes that layer (briefwright/check/theme.py): a project's templates/ in front of the engine's, built on copies
of the small sample project and read back from the HTML, the chart SVG, assets/tokens.css and the PDF."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import REPO, run_cli
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from briefwright.check.theme import Token, merge_tokens
from briefwright.core.diagnostics import Loc

ENGINE_TOKENS = (REPO / "templates" / "static" / "tokens.css").read_text(encoding="utf-8")
SELF_EXTENDS = ("templates/base.html:1:12: error: template 'base.html' extends itself; "
                "use {% extends \"default:base.html\" %} to extend the engine's template")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build(project: Path, out: Path):
    return run_cli("build", "--out", out, "--cache-dir", project.parent / "cache", "-j1", cwd=project)


def pdf_colours(pdf: Path) -> set[tuple[float, float, float]]:
    """Every RGB fill and stroke colour set in the PDF's drawing: page content and the forms it draws
    (charts are SVG, drawn as form XObjects)."""
    found, seen = set(), set()

    def walk(stream, resources) -> None:
        data = stream.get_data().decode("latin-1")
        for r, g, b in re.findall(r"(?<![\d.])([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)\b", data):
            found.add((float(r), float(g), float(b)))
        for ref in (resources or {}).get("/XObject", {}).values():
            key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(ref)
            form = ref.get_object()
            if key in seen or form.get("/Subtype") != "/Form":
                continue
            seen.add(key)
            walk(form, form.get("/Resources") or resources)

    for page in PdfReader(pdf).pages:
        walk(page.get_contents(), page["/Resources"])
    return found


def has_colour(colours, hex_colour: str) -> bool:
    want = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return any(all(abs(a - b) < 0.002 for a, b in zip(c, want, strict=True)) for c in colours)


def pdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


# --- tokens --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_project_token_overrides_one_colour_everywhere(minimal, tmp_path):
    write(minimal / "templates" / "static" / "tokens.css", "/* Our accent. */\n:root {\n  --accent: #aa3300;\n}\n")
    result = build(minimal, tmp_path / "site")
    assert result.code == 0, result.stderr

    site = tmp_path / "site"
    # The engine's file with one value replaced: every other token kept, in the engine's order.
    assert (site / "assets" / "tokens.css").read_text(encoding="utf-8") == \
        ENGINE_TOKENS.replace("--accent: #1f4e79;", "--accent: #aa3300;")
    svg = (site / "briefs" / "sample" / "speed.svg").read_text(encoding="utf-8")
    assert "#aa3300" in svg and "#1f4e79" not in svg
    colours = pdf_colours(site / "briefs" / "sample" / "sample.pdf")
    assert has_colour(colours, "#aa3300") and not has_colour(colours, "#1f4e79")


@pytest.mark.slow
def test_margin_boxes_follow_the_tokens(minimal, tmp_path):
    """WeasyPrint resolves var() in @page margin boxes: the running head and the TLP label recolour."""
    pdf = tmp_path / "site" / "briefs" / "sample" / "sample.pdf"
    assert build(minimal, tmp_path / "site").code == 0
    before = pdf_colours(pdf)
    assert has_colour(before, "#5a6272") and has_colour(before, "#000000")

    write(minimal / "templates" / "static" / "tokens.css",
          ":root {\n  --ink-soft: #c00000;\n  --tlp-ground: #0000ff;\n}\n")
    result = build(minimal, tmp_path / "site")
    assert result.code == 0, result.stderr
    second_page = pdf_colours_of_page(pdf, 1)  # the first page carries no running head
    assert has_colour(second_page, "#c00000"), "running head and page number not in --ink-soft"
    assert has_colour(second_page, "#0000ff"), "TLP label ground not in --tlp-ground"
    assert not has_colour(pdf_colours(pdf), "#5a6272")


def pdf_colours_of_page(pdf: Path, index: int) -> set:
    data = PdfReader(pdf).pages[index].get_contents().get_data().decode("latin-1")
    return {tuple(map(float, m)) for m in re.findall(r"(?<![\d.])([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)\b", data)}


def test_merge_keeps_engine_order_and_appends_new_tokens_in_project_order():
    base = ":root {\n  --ink: #111;\n  --accent: #222;\n  --rule: #333;\n}\n"
    at = Loc(Path("tokens.css"), 1, 1)
    merged = merge_tokens(base, [Token("--zeta", "#999", at), Token("--rule", "#444", at),
                                 Token("--alpha", "var(--zeta)", at), Token("--rule", "#555", at)])
    assert merged == (":root {\n  --ink: #111;\n  --accent: #222;\n  --rule: #555;\n"
                      "  --zeta: #999;\n  --alpha: var(--zeta);\n}\n")
    assert merge_tokens(base, []) == base


def test_tokens_file_problems_are_located(minimal):
    write(minimal / "templates" / "static" / "tokens.css",
          ":root {\n"
          "  --ink: #102030\n"          # 2: no ';' so the next line would become part of the value
          "  --rule: #c0c0c0;\n"
          "  color: #000;\n"            # 4: a property, not a token
          "  --accent: rgb(1, 2, 3);\n"  # 5: the charts cannot read it
          "  --acent: #123456;\n"       # 6: a typo: warned, not an error
          "}\n"
          ".x { --wash: #fff; }\n")     # 8: a rule that is not :root
    result = run_cli("check", cwd=minimal)
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    prefix = "templates/static/tokens.css"
    assert (f"{prefix}:3:3: error: missing ';' before '--rule' (the value of '--ink' runs on into the next token)"
            in lines)
    assert (f"{prefix}:4:3: error: 'color' is a property, not a token; tokens.css sets only custom properties such "
            "as '--accent'; put properties in screen.css or print.css") in lines
    assert (f"{prefix}:5:3: error: token '--accent' colours the charts too, which read it as '#rrggbb' or a CSS "
            "colour name; 'rgb(1, 2, 3)' is neither") in lines
    assert any(ln.startswith(f"{prefix}:6:3: warning: unknown token '--acent'") and "did you mean '--accent'" in ln
               for ln in lines), result.stderr
    assert any(ln.startswith(f"{prefix}:8:1: error: rule '.x' does not belong in tokens.css") for ln in lines)
    assert "internal error" not in result.stderr


def test_a_new_token_used_by_another_is_not_warned_about(minimal):
    write(minimal / "templates" / "static" / "tokens.css", ":root {\n  --wash: var(--brand-wash);\n"
          "  --brand-wash: #eef2ff;\n}\n")
    result = run_cli("check", cwd=minimal)
    assert result.code == 0, result.stderr
    assert "warning" not in result.stderr


def test_engine_stylesheets_take_every_colour_from_tokens():
    static = REPO / "templates" / "static"
    defined = set(re.findall(r"(--[a-z0-9-]+)\s*:", ENGINE_TOKENS))
    for name in ("print.css", "screen.css"):
        css = (static / name).read_text(encoding="utf-8")
        assert re.findall(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(", css) == [], name
        assert set(re.findall(r"var\((--[a-z0-9-]+)\)", css)) <= defined, name


# --- templates -----------------------------------------------------------------------------------

COLOPHON = ('{% extends "default:base.html" %}\n'
            "{% block colophon %}\n"
            '<footer class="colophon"><p>Prepared by the widget desk for {{ brief.organisation }}</p></footer>\n'
            "{% endblock %}\n")
ENGINE_FOOTER = re.compile(r'<footer class="colophon">.*?</footer>', re.S)


@pytest.mark.slow
def test_project_base_extends_the_engines_and_overrides_only_the_colophon(minimal, tmp_path):
    assert build(minimal, tmp_path / "plain-site").code == 0
    write(minimal / "templates" / "base.html", COLOPHON)
    result = build(minimal, tmp_path / "site")
    assert result.code == 0, result.stderr

    ours = '<footer class="colophon"><p>Prepared by the widget desk for Sample Desk</p></footer>'
    for brief in ("sample", "plain"):
        engine_html = (tmp_path / "plain-site" / "briefs" / brief / "index.html").read_text(encoding="utf-8")
        html = (tmp_path / "site" / "briefs" / brief / "index.html").read_text(encoding="utf-8")
        assert len(ENGINE_FOOTER.findall(engine_html)) == 1
        assert html == ENGINE_FOOTER.sub(ours, engine_html)  # the rest of the page is the engine's, byte for byte
        text = pdf_text(tmp_path / "site" / "briefs" / brief / f"{brief}.pdf")
        assert "Prepared by the widget desk for Sample Desk" in text
        assert "Every fact names its sources" not in text
    sample = pdf_text(tmp_path / "site" / "briefs" / "sample" / "sample.pdf")
    assert "The widget, briefly" in sample and "Speed not tested independently" in sample


def test_self_extending_base_is_a_located_error(minimal, tmp_path):
    write(minimal / "templates" / "base.html", '{% extends "base.html" %}\n{% block colophon %}x{% endblock %}\n')
    result = build(minimal, tmp_path / "site")
    assert result.code == 1, result.stderr
    assert SELF_EXTENDS in result.stderr.splitlines()
    assert "RecursionError" not in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_extending_in_a_loop_through_an_engine_template_is_located(minimal):
    write(minimal / "templates" / "base.html", "{# our page #}\n{%- extends 'policymaker.html' %}\n")
    result = run_cli("check", cwd=minimal)
    assert result.code == 1
    assert ("templates/base.html:2:13: error: template 'base.html' extends 'policymaker.html', which leads back to it "
            "(base.html -> policymaker.html -> base.html); a template cannot extend itself, directly or through "
            "others") in result.stderr.splitlines()


@pytest.mark.slow
def test_a_brief_may_name_an_engine_template_the_project_hides(minimal, tmp_path):
    write(minimal / "templates" / "policymaker.html",
          '{% extends "default:policymaker.html" %}\n{% block masthead %}<h1>{{ brief.title }}</h1>\n{% endblock %}\n')
    sample = minimal / "briefs" / "sample.yaml"
    text = sample.read_text(encoding="utf-8")
    sample.write_text(text.replace("audience: policymaker\n", "audience: policymaker\ntemplate: default:nope.html\n"),
                      encoding="utf-8")
    result = run_cli("check", cwd=minimal)
    assert result.code == 1
    assert "template 'default:nope.html' not found in templates/" in result.stderr

    sample.write_text(text.replace("audience: policymaker\n", "audience: policymaker\ntemplate: default:policymaker.html\n"),
                      encoding="utf-8")
    assert build(minimal, tmp_path / "site").code == 0
    html = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert '<header class="masthead">' in html  # the engine's page, not the project's override


def test_project_override_of_a_block_is_used_by_default(minimal, tmp_path):
    write(minimal / "templates" / "policymaker.html",
          '{% extends "default:policymaker.html" %}\n{% block masthead %}<h1>{{ brief.title }}</h1>\n{% endblock %}\n')
    assert build(minimal, tmp_path / "site").code == 0
    html = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert '<header class="masthead">' not in html and "<h1>The widget, briefly</h1>" in html
    assert 'data-caveat="speed-untested"' in html  # the engine's body block still renders



def test_the_default_theme_copied_into_a_project_passes_check(minimal):
    """A desk starts a theme by copying the default one: every file of it must pass the rules a project's
    own theme is held to (tokens.css holds tokens only; the CJK and glossary rules live in screen/print)."""
    import shutil
    shutil.copytree(REPO / "templates", minimal / "templates")
    result = run_cli("check", "--strict", cwd=minimal)
    assert result.code == 0, result.stderr
