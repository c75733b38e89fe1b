"""Builds that survive a change of machine: the cache knows the machine (fonts, libraries, engine files), the theme's
fonts travel with it, a script without a font stops the build at once with the package to install, `doctor`
says what is missing, and a fresh clone builds as the README promises."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, REPO, copy_project, run_cli_subprocess

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def font_config(tmp_path: Path, name: str, *dirs: Path) -> Path:
    """A fontconfig file that sees only these folders (as a fresh machine with only them would)."""
    path = tmp_path / f"{name}.conf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
                    + f"  <cachedir>{tmp_path / ('fc-cache-' + name)}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    return path


def cjk_fonts() -> Path | None:
    found = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True).stdout.split(":")[0]
    return Path(found.strip()).parent if found.strip() else None


def require_cjk() -> Path:
    folder = cjk_fonts() if shutil.which("fc-list") else None
    if folder is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no CJK font: CI installs fonts-noto-cjk")
        pytest.skip("no CJK font here (sudo apt-get install fonts-noto-cjk)")
    return folder


def build(project: Path, out: Path, *extra, env=None):
    return run_cli_subprocess("build", "--out", out, "--cache-dir", out.parent / "cache", "-j1", "--formats",
                              "html,pdf", *extra, cwd=project, env=env)


@pytest.mark.slow
def test_a_font_that_arrives_remakes_the_cached_pdfs(minimal, tmp_path):
    """Built while the machine lacks a font, then after it is installed: the fingerprint in the cache key changes,
    so nothing laid out before is reused (the old key held only the engine's version string)."""
    cjk = require_cjk()
    hidden = {"FONTCONFIG_FILE": str(font_config(tmp_path, "hidden", DEJAVU))}
    visible = {"FONTCONFIG_FILE": str(font_config(tmp_path, "visible", DEJAVU, cjk))}
    out = tmp_path / "site"
    first = build(minimal, out, env=hidden)
    assert first.code == 0 and "built 2" in first.stderr, first.stderr
    again = build(minimal, out, env=hidden)
    assert "built 0" in again.stderr and "reused 2" in again.stderr, again.stderr
    arrived = build(minimal, out, env=visible)
    assert arrived.code == 0 and "built 2" in arrived.stderr, arrived.stderr


@pytest.mark.slow
def test_a_changed_engine_file_remakes_what_it_renders(minimal, tmp_path):
    engine = tmp_path / "engine"
    shutil.copytree(REPO / "briefwright", engine / "briefwright", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", engine / "briefwright" / "default_theme")  # as the wheel carries it
    env = {"PYTHONPATH": str(engine)}
    out = tmp_path / "site"
    command = [sys.executable, "-c", "import sys; from briefwright.cli import main; sys.exit(main(sys.argv[1:]))",
               "build", "--out", str(out), "--cache-dir", str(tmp_path / "cache"), "-j1", "--formats", "html,pdf"]

    def run():
        done = subprocess.run(command, cwd=minimal, env={**os.environ, **env}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stderr
    assert "built 2" in run()
    assert "reused 2" in run()
    module = engine / "briefwright" / "formats" / "pdf" / "layout.py"  # same version string, different code
    module.write_text(module.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    assert "built 2" in run()


def decoy_font(source: Path, family: str, target: Path) -> None:
    """A font whose name tables claim `family` but whose glyphs are another face's."""
    from fontTools.ttLib import TTFont
    font = TTFont(source)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID in (4, 6):
            record.string = family if record.nameID == 4 else family.replace(" ", "")
    font.save(target)


@pytest.mark.slow
def test_a_decoy_font_of_the_same_family_changes_no_byte_of_an_english_pdf(minimal, tmp_path):
    home = tmp_path / "home"
    user_fonts = home / ".local" / "share" / "fonts"
    user_fonts.mkdir(parents=True)
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"), "XDG_CACHE_HOME": str(home / ".cache")}
    clean = build(minimal, tmp_path / "clean" / "site", env=env)
    assert clean.code == 0, clean.stderr
    for family, face in (("DejaVu Serif", "DejaVuSansMono.ttf"), ("DejaVu Sans", "DejaVuSerif.ttf"),
                         ("Briefwright Serif", "DejaVuSansMono.ttf"), ("Briefwright Sans", "DejaVuSansMono-Bold.ttf")):
        decoy_font(REPO / "templates" / "static" / "fonts" / "DejaVuSans.ttf"
                   if not (DEJAVU / face).exists() else DEJAVU / face, family, user_fonts / f"decoy-{family}.ttf")
    probe = subprocess.run([sys.executable, "-c", "from briefwright.core.machine import resolve_font as r; "
                            "print(r('DejaVu Serif').file)"], env={**os.environ, **env, "PYTHONPATH": str(REPO)},
                           capture_output=True, text=True)
    assert "decoy-" in probe.stdout, f"the decoy is not what fontconfig resolves 'DejaVu Serif' to: {probe.stdout}"
    decoyed = build(minimal, tmp_path / "decoyed" / "site", env=env)
    assert decoyed.code == 0, decoyed.stderr
    for brief in ("sample", "plain"):
        before = (tmp_path / "clean" / "site" / "briefs" / brief / f"{brief}.pdf").read_bytes()
        after = (tmp_path / "decoyed" / "site" / "briefs" / brief / f"{brief}.pdf").read_bytes()
        assert before == after, f"{brief}.pdf changed with a decoy font installed"


@pytest.mark.slow
def test_a_script_without_a_font_stops_the_build_at_once_naming_the_package(tmp_path):
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's tools are missing")
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    env = {"FONTCONFIG_FILE": str(font_config(tmp_path, "hidden", DEJAVU))}
    out = tmp_path / "site"
    assert build(project, out, env=env).code == 0, "Latin text needs only the theme's fonts"
    previous = (out / "briefs" / "sample" / "sample.pdf").read_bytes()
    facts = project / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("The widget launched in January 2026.",
                                                               "The widget (小部件) launched in January 2026."),
                     encoding="utf-8")
    r = build(project, out, env=env)
    assert r.code == 2, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("briefwright: error:")]
    assert lines == [
        "briefwright: error: cannot print plain, sample here: this machine has no font for Chinese (Han) text; install one: "
        "`sudo apt-get install fonts-noto-cjk` on Debian/Ubuntu, `brew install --cask font-noto-serif-cjk-sc` on "
        "macOS (`briefwright doctor` checks the machine)"], r.stderr
    assert "sha256" not in r.stderr and "Traceback" not in r.stderr
    assert (out / "briefs" / "sample" / "sample.pdf").read_bytes() == previous, "the previous site is untouched"
    doctor = run_cli_subprocess("doctor", "--quiet", cwd=project, env=env)
    assert doctor.code == 2, doctor.stdout
    assert doctor.stdout.splitlines()[:2] == [
        "FAIL content/facts.yaml hold Chinese (Han) text and this machine has no font for it: their briefs cannot be "
        "printed", "     Debian/Ubuntu: sudo apt-get install fonts-noto-cjk"], doctor.stdout


@pytest.mark.slow
def test_doctor_passes_where_the_project_can_build_and_names_what_the_tests_use():
    require_cjk()
    r = run_cli_subprocess("doctor", cwd=REPO)
    assert r.code == 0, r.stdout
    assert "doctor: this project can be built here" in r.stdout
    for what in ("Pango", "the theme's own fonts", "a font for Chinese (Han) text", "Chromium", "LibreOffice",
                 "poppler", "qpdf", "Node.js", "build cache", "published edition files tracked in git"):
        assert what in r.stdout, what


def test_version_verbose_shows_the_fingerprint(tmp_path):
    r = run_cli_subprocess("--version", "--verbose", cwd=tmp_path)
    assert r.code == 0
    assert "engine files" in r.stdout and "weasyprint" in r.stdout and "pango" in r.stdout
    assert "serif:" in r.stdout and "sha256" in r.stdout and r.stdout.rstrip().splitlines()[-1].startswith("fingerprint ")


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_a_desk_from_init_releases_two_editions_and_its_fresh_clone_builds(tmp_path):
    desk = tmp_path / "desk"
    r = run_cli_subprocess("init", desk, cwd=tmp_path)
    assert r.code == 0 and "made it a git repository with a first commit" in r.stderr, r.stderr
    assert git(desk, "log", "--format=%s").strip() == "Start the project with briefwright init"
    assert run_cli_subprocess("release", "first-brief", cwd=desk).code == 0
    git(desk, "add", "-A")
    assert "editions/first-brief/1.pdf" in git(desk, "status", "--porcelain"), ".gitignore keeps editions tracked"
    git(desk, "commit", "-qm", "edition 1")
    facts = desk / "content" / "example.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("**120 parts**", "**125 parts**"), encoding="utf-8")
    brief = desk / "briefs" / "first-brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "edition: 1", "edition: 2\nchanges_note: The maker now claims 125 parts an hour."), encoding="utf-8")
    git(desk, "commit", "-qam", "edition 2 sources")
    r = run_cli_subprocess("release", "first-brief", cwd=desk)
    assert r.code == 0, r.stderr
    git(desk, "add", "-A")
    git(desk, "commit", "-qm", "edition 2")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{desk}", str(clone)], check=True)
    assert run_cli_subprocess("check", "--strict", cwd=clone).code == 0
    for attempt in ("cold", "with its cache"):
        r = run_cli_subprocess("build", cwd=clone)
        assert r.code == 0, (attempt, r.stderr)
    served = clone / "site" / "briefs" / "first-brief" / "editions" / "1.pdf"
    assert served.read_bytes() == (desk / "editions" / "first-brief" / "1.pdf").read_bytes(), "the stored bytes"


@pytest.mark.slow
def test_the_readme_first_command_in_a_fresh_clone(tmp_path):
    """README's `make site` in a fresh clone: with the CJK fonts hidden it stops at doctor's line (exit 2, no checksum
    error); with them visible the next `make site` builds the site, no cache deleted in between."""
    if shutil.which("make") is None or not DEJAVU.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("make or the DejaVu fonts are missing: .ci/run installs them")
        pytest.skip("make or the DejaVu fonts (fonts-dejavu-core) are missing")
    without_cjk = font_config(tmp_path, "without-cjk", DEJAVU)  # a machine with only the DejaVu fonts
    clone = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "CI")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    hidden = subprocess.run(["make", "site"], cwd=clone, env={**env, "FONTCONFIG_FILE": str(without_cjk)},
                            capture_output=True, text=True, timeout=1800)
    output = hidden.stdout + hidden.stderr
    assert hidden.returncode == 2 or "Error 2" in output, output[-3000:]
    assert "sudo apt-get install fonts-noto-cjk" in output and "sha256" not in output, output[-3000:]
    require_cjk()
    visible = subprocess.run(["make", "site"], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
    assert visible.returncode == 0, (visible.stdout + visible.stderr)[-3000:]
    site = clone / "site"
    for brief in ("executive-brief", "compliance-note", "market-note", "press-explainer", "technical-annex"):
        assert (site / "briefs" / brief / f"{brief}.pdf").is_file(), brief
    assert (site / "briefs" / "executive-brief" / "editions" / "1.pdf").read_bytes() == \
        (REPO / "editions" / "executive-brief" / "1.pdf").read_bytes()
