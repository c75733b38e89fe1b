"""Shared helpers: run the real command line in a subprocess, on copies of sample projects."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_cli(*args, cwd: Path, env: dict | None = None, timeout: int = 600) -> Result:
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    full_env = {**base, "PYTHONPATH": str(REPO), **(env or {})}
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".briefwright-cache", "site"))
    return dest


@pytest.fixture
def minimal(tmp_path) -> Path:
    """A writable copy of the small sample project."""
    return copy_project(FIXTURES / "minimal", tmp_path / "project")


@pytest.fixture
def cli():
    return run_cli


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """The real content built once per test session (restricted briefs included), for reading back."""
    out = tmp_path_factory.mktemp("real") / "site"
    project = Path(os.environ.get("BRIEFWRIGHT_REAL_PROJECT", REPO))  # another project, for trying the suite on it
    result = run_cli("build", "--project", project, "--out", out, "--cache-dir", out.parent / "cache", "-j", "2",
                     "--include-restricted", cwd=REPO)
    assert result.code == 0, result.stderr
    return out, result
