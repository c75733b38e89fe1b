"""Broken and hostile content: each case under tests/broken/<case>/ overlays files on the sample
project and lists, in `expect`, the command to run and the exact diagnostic lines it must print.

`expect` format: first line `check` or `build` (optionally followed by extra arguments),
second line the exit code, then one expected stderr line per line.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, copy_project, run_cli, snapshot

BROKEN = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "expect").exists())


def test_corpus_is_large_enough():
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_broken_case(case, tmp_path):
    case_dir = BROKEN / case
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    overlay = case_dir / "files"
    if overlay.is_dir():
        shutil.copytree(overlay, project, dirs_exist_ok=True)
    for gone in (case_dir / "delete").read_text().split() if (case_dir / "delete").exists() else []:
        (project / gone).unlink()
    command, code, *expected = (case_dir / "expect").read_text(encoding="utf-8").splitlines()
    before = snapshot(project)
    outside_before = snapshot(tmp_path)

    args = command.split()
    if args[0] == "build":
        args += ["--out", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache"), "-j1"]
    result = run_cli(*args, cwd=project)

    assert result.code == int(code), result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.splitlines()
    for line in expected:
        assert line in lines, f"expected line not printed:\n{line}\n--- got:\n{result.stderr}"
    assert snapshot(project) == before, "the build changed the project's own files"
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
