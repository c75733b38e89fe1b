"""`briefwright doctor`: can this machine build this project, and what is missing, with the command that installs it.

Checks the system libraries WeasyPrint needs, the theme's own fonts, a font for every script the project's text
uses beyond them, the consumers the test suite and `editions audit` use (Chromium, LibreOffice, poppler, qpdf,
Node), the build cache, and the git state editions need. Exit 0 when the project can be built here, 2 when it
cannot; `make site` runs it first, so its lines are what a newcomer sees when something is missing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from briefwright.core import machine

OK, NOTE, WARN, FAIL = "ok", "note", "warn", "FAIL"


@dataclass
class Finding:
    level: str
    what: str
    fix: str = ""  # install commands, one per platform

    def lines(self) -> list[str]:
        head = f"{self.level:<4} {self.what}"
        return [head] + ([f"     {line}" for line in self.fix.splitlines()] if self.fix else [])


def _install(debian: str, mac: str) -> str:
    return f"Debian/Ubuntu: sudo apt-get install {debian}\nmacOS:         {mac}"


# The programs the suite and the audit read outputs back with; none is needed to build.
CONSUMERS = [
    ("Chromium (browser tests)", ("chromium", "chromium-browser", "google-chrome"), "chromium",
     "brew install --cask chromium"),
    ("LibreOffice Writer and Impress (Word files and slides read back)", ("soffice", "libreoffice"),
     "libreoffice-writer-nogui libreoffice-impress-nogui",
     "brew install --cask libreoffice"),
    ("poppler (pdftotext, pdftoppm: PDF text and page images; editions audit)", ("pdftoppm",), "poppler-utils",
     "brew install poppler"),
    ("qpdf (PDF structure checks)", ("qpdf",), "qpdf", "brew install qpdf"),
    ("Node.js and npm (workflow lint test)", ("npm",), "nodejs npm", "brew install node"),
]


def check_python() -> list[Finding]:
    return [Finding(OK, f"Python {sys.version.split()[0]}")]


def check_layout_libraries() -> list[Finding]:
    try:
        import weasyprint  # noqa: F401  (loads Pango, HarfBuzz and fontconfig)
    except ModuleNotFoundError as exc:
        return [Finding(FAIL, f"the Python package '{exc.name}' is missing from {sys.executable}",
                        "run `make site` in the repository (it sets up .venv), or `pip install briefwright`")]
    except OSError as exc:
        return [Finding(FAIL, f"WeasyPrint cannot load Pango: {str(exc).splitlines()[0]}",
                        _install("libpango-1.0-0 libpangoft2-1.0-0", "brew install pango"))]
    libs = machine.system_libraries()
    return [Finding(OK, "Pango {pango}, HarfBuzz {harfbuzz}, fontconfig {fontconfig}".format(**libs))]


def check_theme_fonts(theme_dirs: list[Path]) -> list[Finding]:
    faces = [p for d in dict.fromkeys(d.resolve() for d in theme_dirs) for p in sorted((d / "static" / "fonts").glob("*.ttf"))]
    if not faces:
        return [Finding(WARN, "the theme carries no fonts (static/fonts/): its PDFs' Latin text depends on this "
                              "machine's fonts")]
    return [Finding(OK, f"the theme's own fonts: {len(faces)} files in {faces[0].parent}")]


def project_text(root: Path) -> dict[Path, str]:
    """The project's YAML text by file: what its briefs can print."""
    found = {}
    for folder in ("content", "briefs", "translations"):
        for path in sorted((root / folder).rglob("*.y*ml")) if (root / folder).is_dir() else []:
            try:
                found[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    project_yaml = root / "project.yaml"
    if project_yaml.is_file():
        found[project_yaml] = project_yaml.read_text(encoding="utf-8", errors="replace")
    return found


def check_script_fonts(root: Path) -> list[Finding]:
    texts = project_text(root)
    findings = []
    for script in machine.SCRIPTS.values():
        users = [p for p, text in texts.items() if script.chars.search(text)]
        if not users:
            continue
        named = ", ".join(str(p.relative_to(root)) for p in users[:3]) + (f" and {len(users) - 3} more"
                                                                          if len(users) > 3 else "")
        if machine.has_font_for(script):
            found = machine.resolve_font(f"serif:lang={script.fc_lang}", script.sample)
            where = f" ({Path(found.file).name})" if found else ""
            findings.append(Finding(OK, f"a font for {script.name} text{where}, which {named} use"))
        else:
            findings.append(Finding(FAIL, f"{named} hold {script.name} text and this machine has no font for it: "
                                          "their briefs cannot be printed",
                                    _install(script.debian, f"brew install --cask {script.cask}")))
    return findings


def check_consumers() -> list[Finding]:
    findings = []
    for label, programs, debian, mac in CONSUMERS:
        found = next((shutil.which(p) for p in programs if shutil.which(p)), None)
        if found:
            findings.append(Finding(OK, f"{label}: {found}"))
        else:
            findings.append(Finding(NOTE, f"{label}: not found (not needed to build; the tests that use it are "
                                          "skipped, except under CI=true)", _install(debian, mac)))
    return findings


def check_cache(root: Path) -> list[Finding]:
    cache = root / ".briefwright-cache"
    if not cache.exists():
        return [Finding(OK, "no build cache yet (the first build makes it)")]
    probe = cache / f".doctor-{os.getpid()}"
    try:
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        return [Finding(FAIL, f"the build cache {cache} cannot be written: {exc.strerror}",
                        f"fix its permissions, or delete it: rm -rf {cache}")]
    size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    return [Finding(OK, f"build cache {cache}: {size / 1e6:.1f} MB, keyed on this machine's fingerprint "
                        f"{machine.fingerprint_digest(machine.fingerprint(cache / 'fonts.json'))[:16]} (a changed font "
                        "or library remakes what it affects)")]


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)


def check_git(root: Path) -> list[Finding]:
    editions = sorted(p for p in root.glob("editions/*/*") if p.suffix != ".json" and not p.name.endswith(".tmp"))
    if shutil.which("git") is None:
        return [Finding(WARN, "git not found: `release` records the commit of an edition's sources",
                        _install("git", "xcode-select --install"))]
    if _git(root, "rev-parse", "--show-toplevel").returncode != 0:
        return [Finding(WARN, "the project is not in a git repository: `release` needs one to record an edition",
                        f"git -C {root} init && git -C {root} add -A && git -C {root} commit -m 'First commit'")]
    if _git(root, "rev-parse", "HEAD").returncode != 0:
        return [Finding(WARN, "the repository has no commit yet: make a first commit before `release`")]
    findings = [Finding(OK, "git repository with commits")]
    if editions:
        tracked = set(_git(root, "ls-files", "--", "editions").stdout.splitlines())
        untracked = [p for p in editions if str(p.relative_to(root)) not in tracked]
        if untracked:
            ignored = _git(root, "check-ignore", *[str(p) for p in untracked]).stdout.split()
            findings.append(Finding(WARN, f"{len(untracked)} published edition files are not in git "
                                          f"({', '.join(str(p.relative_to(root)) for p in untracked[:3])}): they are the "
                                          "record of what readers got",
                                    ("remove the editions line from .gitignore, then " if ignored else "")
                                    + "git add editions && git commit -m 'Published editions'"))
        else:
            findings.append(Finding(OK, f"{len(editions)} published edition files tracked in git"))
    if _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        findings.append(Finding(NOTE, "a shallow clone: `editions audit` needs the commits editions were released "
                                      "from", "git fetch --unshallow"))
    return findings


def run(root: Path, theme_dirs: list[Path], quiet: bool = False) -> tuple[int, str]:
    """(exit code, report): 0 when the project can be built here, 2 when it cannot."""
    findings = [*check_python(), *check_layout_libraries(), *check_theme_fonts(theme_dirs),
                *check_script_fonts(root), *check_consumers(), *check_cache(root), *check_git(root)]
    failed = [f for f in findings if f.level == FAIL]
    shown = [f for f in findings if f.level in (FAIL, WARN)] if quiet else findings
    lines = [line for f in shown for line in f.lines()]
    if failed:
        lines.append(f"doctor: this project cannot be built here until the {len(failed)} FAIL line"
                     f"{'s' if len(failed) > 1 else ''} above {'are' if len(failed) > 1 else 'is'} fixed")
    elif not quiet:
        lines.append("doctor: this project can be built here")
    return (2 if failed else 0), "\n".join(lines)
