"""Shared helpers for the tests: run the command line (in this process, or in a separate one when a test
needs a real process), copy sample projects, snapshot folders. Fixtures live in conftest.py."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Set by CI or a developer's shell; each would change what the command line prints or the date it builds for.
CLEARED_ENV = ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_cli(*args, cwd: Path, env: dict | None = None) -> Result:
    """`python build.py ARGS` run as `briefwright.cli.main(ARGS)` in this process, from `cwd`.

    For the call only: the working folder is `cwd`, CLEARED_ENV is removed from os.environ and `env` applied;
    stdout and stderr are captured (not a terminal, as with a pipe). Everything is restored afterwards."""
    from briefwright.cli import main

    overrides = {name: None for name in CLEARED_ENV} | dict(env or {})
    saved_env = {name: os.environ.get(name) for name in overrides}
    saved_cwd = os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        _apply_env(overrides)
        os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # what the process would have exited with
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(saved_cwd)
        _apply_env(saved_env)
    return Result(code, out.getvalue(), err.getvalue())


def _apply_env(values: dict) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = str(value)


def subprocess_env(env: dict | None = None) -> dict:
    """The environment for `python build.py` in a child process: this worktree's engine, CLEARED_ENV removed."""
    base = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    return {**base, "PYTHONPATH": str(REPO), **(env or {})}


def cli_command(*args) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), *map(str, args)]


def run_cli_subprocess(*args, cwd: Path, env: dict | None = None, timeout: int = 600) -> Result:
    """`python build.py ARGS` in a separate process: for what only a real process shows."""
    proc = subprocess.run(cli_command(*args), cwd=cwd, env=subprocess_env(env), capture_output=True, text=True,
                          timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".briefwright-cache", "site"))
    return dest


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def search_records(site: Path) -> list[dict]:
    """Every record of a built site's search index (Pagefind's fragments, read back): url, content, meta."""
    from briefwright.site.search import records_of
    folder = site / "pagefind"
    return records_of({p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.pf_fragment")})


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc (a build's fork server, and the workers under it)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie: a process that has ended but whose parent has not read its status (the fork server
    and its workers, when they outlive the build, are left to init to reap) has ended all the same."""
    try:
        state = (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() or ["Z"])[0]
    except OSError:
        return False
    return state != "Z"


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is not installed; .ci/run installs libreoffice-writer-nogui")
        pytest.skip("LibreOffice is not installed (apt-get install --no-install-recommends libreoffice-writer-nogui)")
    return path


def convert_with_libreoffice(files: list[Path], out: Path) -> dict[Path, Path]:
    """Each .docx opened and saved as PDF by LibreOffice, in a profile of its own (others may run it too)."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "profile"
    proc = subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report
    assert not re.search(r"error|repair|corrupt|could not be loaded", proc.stderr, re.I), report
    converted = {f: out / f.with_suffix(".pdf").name for f in files}
    for source, pdf in converted.items():
        assert f"convert {source} -> {pdf}" in proc.stdout, report
        assert pdf.is_file() and len(PdfReader(pdf).pages) >= 1
    return converted


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of `path` holding `needle`."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)
