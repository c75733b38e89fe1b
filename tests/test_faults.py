"""Faults are reported as faults: a full disk, a read-only folder or a refused rename gives one line
naming the operation and the path, exit 4, and the previous site unchanged; SIGTERM and SIGHUP stop a
build like Ctrl-C, with the workers gone at once and no temporary folder left behind."""
from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import REPO, cli_command, descendants, run_cli, running, snapshot, subprocess_env


def _fail(monkeypatch, method: str, code: int, when) -> None:
    """Make one pathlib operation fail as the operating system would, for the paths `when` picks."""
    real = getattr(Path, method)

    def failing(self, *args, **kwargs):
        if when(self, *args):
            raise OSError(code, os.strerror(code), str(self))
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Path, method, failing)


@pytest.fixture
def built(minimal, tmp_path):
    """A previous site for a faulty build to leave unchanged: its pages (the faulty builds make every format)."""
    site = tmp_path / "site"
    result = run_cli("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j1", "--formats", "html", cwd=minimal)
    assert result.code == 0, result.stderr
    return minimal, site, snapshot(site)


def _no_leftovers(site: Path) -> None:
    assert [p.name for p in site.parent.iterdir() if p.name.startswith(f".{site.name}.")] == []


@pytest.mark.slow
def test_a_full_disk_is_a_fault_not_a_bug(built, tmp_path, monkeypatch):
    project, site, before = built
    _fail(monkeypatch, "write_bytes", errno.ENOSPC, lambda path, *a: ".site.tmp-" in str(path) and path.suffix == ".pdf")
    result = run_cli("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j1", "--force", cwd=project)
    assert result.code == 4
    assert re.fullmatch(r"briefwright: could not write the new site at \S+/\.site\.tmp-\d+/briefs/[a-z]+/[a-z]+\.pdf: "
                        r"No space left on device; the previous site is unchanged\n", result.stderr), result.stderr
    assert "bug" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(site) == before
    _no_leftovers(site)


def test_a_read_only_output_folder_is_a_fault(built, tmp_path, monkeypatch):
    project, site, before = built
    _fail(monkeypatch, "mkdir", errno.EROFS, lambda path, *a: ".site.tmp-" in str(path))
    result = run_cli("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j1", cwd=project)
    assert result.code == 4
    assert re.fullmatch(r"briefwright: could not write the new site at \S+/\.site\.tmp-\d+/assets: "
                        r"Read-only file system; the previous site is unchanged\n", result.stderr), result.stderr
    assert snapshot(site) == before


def _refuse_exchange(first, second):
    raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(first))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["exchange refused", "no exchange, rename refused"])
def test_a_refused_swap_puts_the_previous_site_back(how, built, tmp_path, monkeypatch):
    project, site, before = built
    if how == "exchange refused":
        monkeypatch.setattr("briefwright.builder.pipeline.exchange", _refuse_exchange)
    else:  # a system without renameat2: the two renames, the second refused
        monkeypatch.setattr("briefwright.builder.pipeline.exchange", lambda first, second: False)
        _fail(monkeypatch, "rename", errno.EACCES, lambda path, *a: ".site.tmp-" in str(path))
    result = run_cli("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j1", "--force", cwd=project)
    assert result.code == 4
    assert re.fullmatch(r"briefwright: could not replace the previous site with the new one at \S+/\.site\.tmp-\d+: "
                        r"Permission denied; the previous site is unchanged\n", result.stderr), result.stderr
    assert snapshot(site) == before
    _no_leftovers(site)


def test_a_refused_write_outside_a_build_names_the_path(minimal, monkeypatch):
    _fail(monkeypatch, "mkdir", errno.EACCES, lambda path, *a: path.name == "schemas")
    result = run_cli("schema", cwd=minimal)
    assert result.code == 4
    assert result.stderr == "briefwright: could not write schemas: Permission denied\n", result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_the_workers_at_once(signum, tmp_path):
    site = tmp_path / "site"
    proc = subprocess.Popen(cli_command("build", "--out", site, "--cache-dir", tmp_path / "cache", "-j2", "--force",
                                        "--no-private"), cwd=REPO, env=subprocess_env(), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 3 and time.monotonic() < deadline and proc.poll() is None:
        workers = descendants(proc.pid)  # the fork server and the pool's workers under it
        time.sleep(0.02)
    while not list(tmp_path.glob(".site.tmp-*/briefs/*/index.html")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)  # the pages are written just before layout starts
    workers = descendants(proc.pid)
    assert len(workers) >= 3, "the build finished before its workers could be seen"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    stopped = time.monotonic()
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == "briefwright: interrupted; the previous site is unchanged"
    while any(map(running, workers)) and time.monotonic() - stopped < 1:
        time.sleep(0.02)
    assert not [w for w in workers if running(w)], "a worker outlived the build by a second"
    assert not site.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []
