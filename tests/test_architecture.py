"""The engine's shape, checked: layers that point one way (import-linter's contract, and a planted upward import
that breaks it), no import cycles (imports inside functions count), no function over 60 lines, and a registry
found by name (a format a package declares with one entry point is built, cached, leak-checked and listed, with no
engine file changed)."""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest
from helpers import FIXTURES, REPO, cli_command, copy_project, subprocess_env

ENGINE = REPO / "briefwright"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
MAX_FUNCTION_LINES = 60


def _lint_imports(config: Path, package_root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package_root)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(config), "--no-cache"], cwd=config.parent, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_layers_contract_holds_and_an_upward_import_breaks_it(tmp_path):
    kept = _lint_imports(REPO / "pyproject.toml", REPO)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "Engine layers point one way KEPT" in kept.stdout

    # A copy of the engine in which the core layer reaches up to the builder, inside a function (deferred imports
    # count as much as those at the top of a file).
    copy = tmp_path / "engine"
    shutil.copytree(ENGINE, copy / "briefwright", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    markup = copy / "briefwright" / "core" / "markup.py"
    markup.write_text(markup.read_text(encoding="utf-8") + textwrap.dedent('''

        def _planted():
            from briefwright.builder import pipeline
            return pipeline
        '''), encoding="utf-8")
    broken = _lint_imports(copy / "pyproject.toml", copy)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Engine layers point one way BROKEN" in broken.stdout
    assert re.search(r"briefwright\.core\.markup -> briefwright\.builder\.pipeline \(l\.\d+\)", broken.stdout), broken.stdout


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Every cycle found by a depth-first walk of the direct imports between the engine's modules."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module) & modules):
            if state.get(imported) == 1:
                found.append(path[path.index(imported):] + [imported])
            elif imported not in state:
                walk(imported)
        path.pop()
        state[module] = 2

    for module in sorted(modules):
        if module not in state:
            walk(module)
    return found


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph("briefwright", include_external_packages=False, cache_dir=None)
    modules = {m for m in graph.modules if m.startswith("briefwright")}
    assert len(modules) > 60
    assert _cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_planted_cycle(tmp_path):
    copy = tmp_path / "engine"
    shutil.copytree(ENGINE, copy / "briefwright", ignore=shutil.ignore_patterns("__pycache__"))
    project = copy / "briefwright" / "source" / "project.py"
    project.write_text(project.read_text(encoding="utf-8") + "\n\ndef _planted():\n"
                       "    from briefwright.check.markings import Markings\n    return Markings\n", encoding="utf-8")
    code = ("import grimp, json, sys; g = grimp.build_graph('briefwright', include_external_packages=False, cache_dir=None);"
            "print(json.dumps(sorted(g.find_modules_directly_imported_by('briefwright.source.project'))))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(copy)}, cwd=copy,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    assert "briefwright.check.markings" in out  # grimp sees an import inside a function


def _long_functions() -> list[str]:
    long = []
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({lines} lines)")
    return long


def test_no_function_is_over_sixty_lines():
    assert _long_functions() == []


# ---- a format from a package: one module and one entry-point line, no engine file touched -----------------------

PLUGIN = '''
"""A desk's own format: the brief's text, stored rot13-encoded so that only its own reader can read it back."""
import codecs
import os
import re

from briefwright.formats.base import Job, Output, OutputFormat


class NoteFormat(OutputFormat):
    name, label, suffix = "note", "Reading note", ".note"
    version = "1.4"

    def render(self, job: Job) -> Output:
        text = re.sub(r"<[^>]+>", " ", job.html)
        text = " ".join(text.split()) + " " + os.environ.get("DESK_NOTE_EXTRA", "")
        return Output(codecs.encode(text, "rot13").encode("utf-8"))

    def text_of(self, data: bytes) -> str:
        return codecs.decode(data.decode("utf-8"), "rot13")


class SealedFormat(OutputFormat):
    """Says nothing about how its text is read: verify must refuse its files."""
    name, label, suffix = "sealed", "Sealed", ".sealed"
    default = False

    def render(self, job: Job) -> Output:
        return Output(b"\\x00" + job.html.encode("utf-8")[::-1])


NOTE = NoteFormat()
SEALED = SealedFormat()
'''

RESTRICTED = '''facts:
  - id: amber-canary-fact
    statement: A restricted figure that only the amber channel may carry.
    sources: [trade-paper]
    status: reported
    confidence: moderate
    as_of: 2026-02-01
    marking: TLP:AMBER
'''


@pytest.fixture
def desk_package(tmp_path) -> Path:
    """An installed package as Python sees one: its module, and its .dist-info with one entry point per format."""
    site = tmp_path / "site-packages"
    (site / "desk_formats").mkdir(parents=True)
    (site / "desk_formats" / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    info = site / "desk_formats-1.4.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: desk-formats\nVersion: 1.4\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[briefwright.formats]\nnote = desk_formats:NOTE\nsealed = desk_formats:SEALED\n", encoding="utf-8")
    return site


def _run(*args, cwd: Path, site: Path, extra: str = "") -> subprocess.CompletedProcess:
    env = subprocess_env({"PYTHONPATH": os.pathsep.join([str(REPO), str(site)]), "DESK_NOTE_EXTRA": extra})
    return subprocess.run(cli_command(*args), cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_a_format_declared_by_an_entry_point_is_built_cached_verified_and_listed(desk_package, tmp_path):
    engine_before = {p: p.read_bytes() for p in ENGINE.rglob("*.py")}
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (project / "content" / "restricted.yaml").write_text(RESTRICTED, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    # Made by default (an entry point's format is installed on purpose), in two worker processes.
    first = _run("build", "--out", out, "--cache-dir", cache, "-j", "2", cwd=project, site=desk_package)
    assert first.returncode == 0, first.stderr
    note = out / "briefs" / "sample" / "sample.note"
    assert "Bottom line" not in note.read_text(encoding="utf-8")  # stored encoded ...
    assert "Bottom line" in __import__("codecs").decode(note.read_text(encoding="utf-8"), "rot13")  # ... readable by it
    page = (out / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    assert '<a class="note-link" href="sample.note">Download Reading note</a>' in page
    assert "briefs/sample/sample.note" in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / "briefs" / "sample" / "sample.sealed").exists()  # default = False: made only when named

    again = _run("build", "--out", out, "--cache-dir", cache, "-j", "2", cwd=project, site=desk_package)
    assert again.returncode == 0 and re.search(r"built 0, reused 2 briefs", again.stderr), again.stderr

    clean = _run("verify", out, cwd=project, site=desk_package)
    assert clean.returncode == 0, clean.stderr

    # The restricted fact's id, written into the note (encoded): found through the format's own reader.
    leaky_out = tmp_path / "leaky"
    leaky = _run("build", "--out", leaky_out, "--cache-dir", tmp_path / "cache-leaky", "-j", "1", cwd=project,
                 site=desk_package, extra="amber-canary-fact")
    assert leaky.returncode == 0, leaky.stderr
    caught = _run("verify", leaky_out, cwd=project, site=desk_package)
    assert caught.returncode == 1
    assert re.search(r"briefs/sample/sample\.note: error: fact 'amber-canary-fact' \(TLP:AMBER\) is above this "
                     r"channel: its id appears", caught.stderr), caught.stderr

    # A format that does not say how its text is read: its files fail verify, they are not skipped.
    sealed_out = tmp_path / "sealed"
    built = _run("build", "--out", sealed_out, "--cache-dir", cache, "-j", "1", "--formats", "html,sealed",
                 cwd=project, site=desk_package)
    assert built.returncode == 0, built.stderr
    refused = _run("verify", sealed_out, cwd=project, site=desk_package)
    assert refused.returncode == 1
    assert re.search(r"briefs/sample/sample\.sealed: error: cannot be read for the leak check \(the sealed format "
                     r"does not say how its text is read", refused.stderr), refused.stderr

    assert {p: p.read_bytes() for p in ENGINE.rglob("*.py")} == engine_before


@pytest.mark.slow
def test_the_package_and_version_of_a_format_are_in_its_cache_key(desk_package, tmp_path):
    """A new version of a desk's format is never served what the old one made."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert _run("build", "--out", out, "--cache-dir", cache, "-j", "1", cwd=project, site=desk_package).returncode == 0
    info = desk_package / "desk_formats-1.4.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: desk-formats\nVersion: 1.5\n", encoding="utf-8")
    again = _run("build", "--out", out, "--cache-dir", cache, "-j", "1", cwd=project, site=desk_package)
    assert again.returncode == 0, again.stderr
    assert re.search(r"built 2 \(plain, sample\), reused 0 briefs", again.stderr), again.stderr


@pytest.mark.slow
def test_an_entry_point_that_names_a_missing_object_is_a_clear_error(desk_package, tmp_path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    points = desk_package / "desk_formats-1.4.dist-info" / "entry_points.txt"
    points.write_text("[briefwright.formats]\nnote = desk_formats:NOPE\n", encoding="utf-8")
    result = _run("build", "--out", tmp_path / "out", cwd=project, site=desk_package)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert ("output format 'note' from desk-formats 1.4 (desk_formats:NOPE) could not be loaded: AttributeError"
            in result.stderr), result.stderr


def test_every_built_in_is_an_entry_point_and_found_as_one():
    from briefwright.core.audiences import AUDIENCES
    from briefwright.core.chart_kinds import CHART_KINDS
    from briefwright.formats import FORMATS, default_formats
    assert default_formats() == ["html", "pdf", "docx", "pptx"]
    assert all(FORMATS.found_by_entry_point(n) for n in ("html", "pdf", "docx", "pptx"))
    assert sorted(CHART_KINDS.declared()) == ["bar", "split", "timeline"]
    assert sorted(AUDIENCES.declared()) == ["compliance", "market", "policymaker", "public", "technical"]
    assert str(FORMATS.origin("pdf")).startswith("briefwright ")


def test_a_fresh_process_finds_formats_by_name():
    """What a fork-server worker or an edition audit does: import nothing but the registry, ask by name."""
    code = "from briefwright.formats import FORMATS; print(type(FORMATS['docx']).__module__)"
    out = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.strip() == "briefwright.formats.docx"


def test_verify_reads_each_built_in_format_through_the_format():
    from briefwright.formats import FORMATS
    from briefwright.site import search
    from briefwright.site.verify import NO_TEXT_SUFFIXES, readers
    read = readers()
    for name in ("pdf", "docx", "pptx"):
        assert read[FORMATS[name].suffix] == FORMATS[name].text_of
    assert read[".html"](b"caf\xc3\xa9") == "caf\u00e9"
    assert read[".pf_fragment"] is search.decoded  # the search index, through its own decoder
    assert ".woff2" in NO_TEXT_SUFFIXES and ".epub" not in read  # an unknown kind is refused, not skipped


def test_the_wheel_lists_every_engine_package():
    """pyproject.toml names the packages (two of them are data folders mapped in): a new engine package that is not
    listed would be missing from the wheel."""
    import tomllib
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    folders = sorted(".".join(p.parent.relative_to(REPO).parts) for p in ENGINE.rglob("__init__.py"))
    assert sorted(declared) == sorted([*folders, "briefwright.default_theme", "briefwright.docs"])


def test_the_architecture_guide_draws_the_layers_the_contract_enforces():
    import tomllib
    contract = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"][0]
    guide = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = guide.split("<!-- layers: checked against pyproject.toml's import-linter contract", 1)[1]
    block = block.split("```\n", 1)[1].split("```", 1)[0]
    drawn = [re.split(r"\s{2,}", line.strip())[0] for line in block.splitlines() if line.strip()]
    assert drawn == contract["layers"]
    assert contract["containers"] == ["briefwright"] and contract["exhaustive"] is True
