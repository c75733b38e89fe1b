"""The guides speak the installed tool: `briefwright docs` finds them (from a checkout here; from the wheel in
test_install.py), `--open` hands a browser their pages, and a desk made by `init` is told commands that work
in it. The repository's own command, `python build.py`, is named in one sentence only."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from helpers import REPO, run_cli, run_cli_subprocess

from briefwright.authoring import manual


def test_python_build_py_is_named_once_in_the_guides_and_never_in_the_engine():
    found = [(path.relative_to(REPO).as_posix(), n) for root in ("docs", "briefwright")
             for path in sorted((REPO / root).rglob("*")) if path.suffix in (".md", ".py", ".po", ".txt")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "python build.py" in line]
    assert [p for p, _ in found] == ["docs/authoring.md"], found
    line = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8").splitlines()[found[0][1] - 1]
    assert "`python build.py` is the same command" in line


def test_docs_lists_every_guide_with_its_title(tmp_path):
    r = run_cli("docs", cwd=tmp_path)  # no project needed
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"Briefwright's guides are in {manual.DOCS}:"
    names = [line.split()[0] for line in lines[1:-1]]
    assert names[:3] == ["authoring.md", "theming.md", "architecture.md"]
    assert sorted(names) == sorted(p.name for p in (REPO / "docs").glob("*.md"))
    assert "Authoring guide" in lines[1]


def test_docs_open_hands_the_browser_the_guides_as_pages(tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f"#!{sys.executable}\nimport sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n", encoding="utf-8")
    browser.chmod(0o755)
    r = run_cli_subprocess("docs", "--open", cwd=tmp_path, env={"BROWSER": str(browser)})
    assert r.code == 0, r.stderr
    url = opened.read_text(encoding="utf-8")
    assert url.startswith("file://") and url.endswith("/index.html") and f"opened {url.removeprefix('file://')}" in r.stderr
    folder = Path(url.removeprefix("file://")).parent
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert '<a href="authoring.html">Authoring guide</a>' in index
    authoring = (folder / "authoring.html").read_text(encoding="utf-8")
    assert '<a href="theming.html">theming.md</a>' in authoring and "<table>" in authoring
    assert '<h2 id="add-a-source">Add a source</h2>' in authoring
    shutil.rmtree(folder)


def test_a_desk_made_by_init_is_told_commands_that_work_in_it(tmp_path):
    r = run_cli("init", "desk", cwd=tmp_path)
    assert r.code == 0 and f"the guides: {manual.DOCS / 'authoring.md'}" in r.stderr
    desk = tmp_path / "desk"
    readme = (desk / "README.md").read_text(encoding="utf-8")
    assert "briefwright docs" in readme and "authoring.md" in readme
    for path in [*desk.rglob("*.yaml"), desk / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert "python build.py" not in text and "docs/authoring.md" not in text, path
    # Every command the starter's comments and `new` name is run as printed, in the desk.
    starter_commands = re.findall(r"`(briefwright [^`]*)`", (desk / "briefs" / "first-brief.yaml").read_text(encoding="utf-8"))
    assert starter_commands == ["briefwright new brief ID --audience ..."]
    r = run_cli("new", "brief", "second-brief", "--audience", "public", cwd=desk)
    assert r.code == 0, r.stderr
    said = re.fullmatch(r"wrote .*; edit it, then run `briefwright (check)`\n", r.stderr)
    assert said, r.stderr
    assert "the authoring guide (`briefwright docs`)" in (desk / "briefs" / "second-brief.yaml").read_text(encoding="utf-8")
    r = run_cli(said.group(1), cwd=desk)
    assert r.code == 0 and r.stderr.endswith("ok: 2 briefs, 3 facts, 4 sources checked\n"), r.stderr
    r = run_cli("schema", cwd=desk)  # refreshes the desk's schemas; the guide stays with the tool
    assert r.code == 0 and not (desk / "docs").exists()
