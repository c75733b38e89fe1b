"""Broken and hostile content: each case under tests/broken/<case>/ overlays files on the sample
project and lists, in `expect`, the command to run and every located diagnostic line it must print.

`expect` format: first line `check` or `build` (optionally followed by extra arguments),
second line the exit code, then one expected stderr line per line: `path:line:col: severity: message`.
The lines printed must be exactly these (in any order), followed by the count of errors: by default
`Aborted with N errors.`; a last line starting `Aborted` gives the summary line exactly instead (as when
a file that could not be read stopped the checking of references into it).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, copy_project, run_cli, snapshot

BROKEN = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())  # every folder is a case: none is skipped silently
LOCATED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): \S")


def read_expect(case: str) -> tuple[list[str], int, list[str], str | None]:
    command, code, *expected = (BROKEN / case / "expect").read_text(encoding="utf-8").splitlines()
    summary = expected.pop() if expected and expected[-1].startswith("Aborted") else None
    return command.split(), int(code), expected, summary


@pytest.mark.parametrize("case", CASES)
def test_case_is_well_formed(case):
    """A case states a command, a failing exit code and at least one message located in a file of its project."""
    case_dir = BROKEN / case
    assert {p.name for p in case_dir.iterdir()} <= {"expect", "files", "delete"}, f"{case}: unexpected files"
    args, code, expected, _ = read_expect(case)
    assert args[0] in ("check", "build") and code in (1, 2), f"{case}: bad header {args} {code}"
    assert expected, f"{case}: no expected message"
    deleted = (case_dir / "delete").read_text().split() if (case_dir / "delete").exists() else []
    for line in expected:
        m = LOCATED.match(line)
        assert m, f"{case}: not a located message: {line}"
        path = m["path"]
        assert ((case_dir / "files" / path).is_file() or (FIXTURES / "minimal" / path).is_file()) and path not in deleted, \
            f"{case}: {path} is not a file of the case's project"
        assert int(m["line"]) >= 1 and int(m["col"]) >= 1, f"{case}: {line} has no line and column"


@pytest.mark.parametrize("case", CASES)
def test_broken_case(case, tmp_path):
    case_dir = BROKEN / case
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    overlay = case_dir / "files"
    if overlay.is_dir():
        shutil.copytree(overlay, project, dirs_exist_ok=True)
    for gone in (case_dir / "delete").read_text().split() if (case_dir / "delete").exists() else []:
        (project / gone).unlink()
    args, code, expected, summary = read_expect(case)
    before = snapshot(project)
    outside_before = snapshot(tmp_path)

    if args[0] == "build":
        args += ["--out", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache"), "-j1"]
    result = run_cli(*args, cwd=project)

    assert result.code == code, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.splitlines()
    located = [line for line in lines if LOCATED.match(line)]
    assert sorted(located) == sorted(expected), f"--- expected:\n{chr(10).join(expected)}\n--- got:\n{result.stderr}"
    errors = sum(": error: " in line for line in located)
    assert lines[len(located):] == [summary or f"Aborted with {errors} error{'s' if errors != 1 else ''}."], result.stderr
    # check keeps its parse cache in the project's cache folder (as a build without --cache-dir does): not the project's own files
    own = {k: v for k, v in snapshot(project).items() if not k.startswith(".briefwright-cache/")}
    assert own == before, "the build changed the project's own files"
    after = snapshot(tmp_path)
    changed = {k for k in outside_before.keys() | after.keys() if outside_before.get(k) != after.get(k)}
    assert all(k.startswith(("cache/", "project/")) for k in changed), f"files changed outside the output: {changed}"
    assert not (tmp_path / "site").exists(), "a failed build must not publish a site"


def test_file_over_the_size_limit(tmp_path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (project / "content" / "extra.yaml").write_text("facts:\n# " + "x" * 2_200_000 + "\n", encoding="utf-8")
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert "content/extra.yaml:1:1: error: file is 2,200,010 bytes; the limit is 2,097,152" in result.stderr.splitlines()
