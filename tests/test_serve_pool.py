"""`serve -j2` keeps one pool of warm layout workers for every build: the same processes across builds, a dead
worker replaced without hanging the next build, none left behind when serve stops, and the same bytes as -j1."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import REPO, cli_command, descendants, running, subprocess_env
from test_serve import _edit, _pdf_text, _serving

from briefwright.builder.pipeline import BuildOptions, build
from briefwright.builder.workers import WarmPool, WorkerLost, can_run
from briefwright.formats import FORMATS, Job, Output, OutputFormat, register_format
from briefwright.render.page import template_dirs

pytestmark = pytest.mark.slow


def _get(url: str) -> bytes:
    return urllib.request.urlopen(url, timeout=10).read()


def _json(base: str, route: str) -> dict:
    return json.loads(_get(base + "__briefwright/" + route))


def _settled(base: str, after: int, timeout: float = 120) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = _json(base, "version")
        assert not state["errors"], state["errors"]
        if state["version"] > after and not state["pending"]:
            return state
        time.sleep(0.05)
    raise AssertionError(f"no settled build after version {after} within {timeout} s")


def _gone(pids: set[int], timeout: float = 15) -> set[int]:
    deadline = time.time() + timeout
    while time.time() < deadline and any(map(running, pids)):
        time.sleep(0.1)
    return {p for p in pids if running(p)}


def test_serve_keeps_its_workers_replaces_a_dead_one_and_leaves_none(minimal):
    facts = minimal / "content" / "facts.yaml"
    with _serving(minimal, "-j2") as (base, proc):
        version = _settled(base, 0)["version"]
        first = _json(base, "workers")
        assert len(first["alive"]) == 2 and first["replaced"] == 0
        assert set(map(int, first["made"])) <= set(first["alive"]) and first["made"], first  # the files were made there

        _edit(facts, "launched in", "went on sale in")
        version = _settled(base, version)["version"]
        second = _json(base, "workers")
        assert second["alive"] == first["alive"] and second["replaced"] == 0  # the same processes, still alive
        assert set(map(int, second["made"])) == set(map(int, first["made"]))
        assert sum(second["made"].values()) > sum(first["made"].values())  # and they made this build's files
        assert "went on sale in" in _pdf_text(_get(base + "briefs/sample/sample.pdf"))

        killed = first["alive"][0]
        os.kill(killed, signal.SIGKILL)  # between builds: the next build must not wait for it
        assert _gone({killed}) == set()
        _edit(facts, "went on sale in", "shipped in")
        started = time.time()
        version = _settled(base, version, timeout=60)["version"]
        assert time.time() - started < 60
        third = _json(base, "workers")
        assert third["replaced"] >= 1 and killed not in third["alive"] and len(third["alive"]) == 2
        assert "shipped in" in _pdf_text(_get(base + "briefs/sample/sample.pdf"))
        assert "shipped in" in _pdf_text((minimal / "site/briefs/sample/sample.pdf").read_bytes())

        below = descendants(proc.pid)
        assert set(third["alive"]) <= below  # the workers (under the fork server) are serve's
        proc.terminate()  # SIGTERM: serve closes its pool as on Ctrl-C
        assert proc.wait(timeout=20) == 0
    assert _gone(below) == set(), "serve left processes behind"


def test_ctrl_c_closes_the_pool(minimal):
    with _serving(minimal, "-j2") as (base, proc):
        _settled(base, 0)
        below = descendants(proc.pid)
        assert set(_json(base, "workers")["alive"]) <= below and below
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    assert _gone(below) == set(), "serve left processes behind"


def test_a_killed_serve_leaves_no_worker(minimal):
    """Killed without a chance to close its pool (SIGKILL), serve still leaves no worker running: the fork server
    ends when serve does, and each worker ends with it."""
    with _serving(minimal, "-j2") as (base, proc):
        _settled(base, 0)
        below = descendants(proc.pid)
        assert set(_json(base, "workers")["alive"]) <= below
        proc.kill()
        proc.wait(timeout=10)
    assert _gone(below) == set(), "a worker outlived a killed serve"


def _hashes(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file() and p.suffix in (".pdf", ".docx")}


def test_a_warm_worker_makes_the_same_bytes_as_a_cold_build(minimal, tmp_path):
    """The same briefs built twice in one warm pool (the second time by workers that have laid out before) and once
    at -j1 in this process: every PDF and Word file has the same sha256."""
    static = [d / "static" for d in template_dirs(minimal) if (d / "static").is_dir()]
    opts = BuildOptions(root=minimal, out=tmp_path / "unused", jobs=2, force=True, private=False)
    with WarmPool(2, static) as pool:
        sites = []
        for run in ("warm-1", "warm-2"):
            site = tmp_path / run
            build(replace(opts, out=site, cache_dir=tmp_path / f"cache-{run}", workers=pool))
            sites.append(_hashes(site))
        assert sum(pool.made.values()) >= 2 * len(sites[0])  # both builds' files were made in the pool
        assert pool.replaced == 0
    build(replace(opts, out=tmp_path / "j1", cache_dir=tmp_path / "cache-j1", jobs=1))
    cold = _hashes(tmp_path / "j1")
    assert len(cold) >= 2 and any(name.endswith(".pdf") for name in cold)
    assert sites[0] == cold and sites[1] == cold


def test_the_workers_run_this_engine_whatever_the_working_directory_holds(minimal, tmp_path):
    """The fork server is a `python -c`: without care it would import a `briefwright` folder in the directory the
    command runs in (or the installed copy) rather than the engine that started it."""
    decoy = minimal / "briefwright"
    decoy.mkdir()
    (decoy / "__init__.py").write_text('"""Another package of the same name: imports, but is not the engine."""\n',
                                       encoding="utf-8")
    proc = subprocess.run(cli_command("build", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j2",
                                      "--force", "--no-private"), cwd=minimal, env=subprocess_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert _pdf_text((tmp_path / "site/briefs/sample/sample.pdf").read_bytes())


def _exit_once(marker: str) -> int:
    """Ends its worker the first time (no answer, as a crash or the OOM killer would), answers the second."""
    if not os.path.exists(marker):
        Path(marker).write_text("died once", encoding="utf-8")
        os._exit(9)
    return os.getpid()


def _exit_always(_: object) -> int:
    os._exit(9)


def test_a_worker_dying_during_a_build_is_replaced_and_never_hangs(tmp_path):
    with WarmPool(2, None) as pool:
        before = set(pool.pids())
        pids = pool.map(_exit_once, [str(tmp_path / "marker")], "layout", lambda *a: None)
        assert pool.replaced == 1 and pids[0] not in before  # made by a fresh worker, once the pool was replaced
        assert set(pool.pids()).isdisjoint(before)
        started = time.time()
        with pytest.raises(WorkerLost):  # dies every time: an error after one retry, never a hang
            pool.map(_exit_always, [1, 2], "layout", lambda *a: None)
        assert time.time() - started < 60
        assert pool.map(_exit_once, [str(tmp_path / "marker")], "layout", lambda *a: None)  # usable again


class _ShoutFormat(OutputFormat):
    """A parallel format registered by this module, which the fork server never imports."""

    name, label, suffix = "shout", "Shouted text", ".shout"
    parallel = True

    def render(self, job: Job) -> Output:
        return Output(f"{os.getpid()} {job.brief['id'].upper()}".encode())


def test_a_format_registered_outside_the_engine_is_laid_out_by_a_forked_pool(minimal, tmp_path):
    """The fork server knows the engine's formats only; with another parallel format a cold -j2 build forks its
    pool from this process, as before, and the format's files are made in those workers."""
    assert can_run(list(FORMATS.values()))
    register_format(_ShoutFormat())
    try:
        assert not can_run(list(FORMATS.values()))
        build(BuildOptions(root=minimal, out=tmp_path / "site", jobs=2, force=True, private=False,
                           cache_dir=tmp_path / "cache", formats=["html", "shout"], early_workers=True))
    finally:
        FORMATS.forget("shout")
    made = {p.name: p.read_text(encoding="utf-8").split() for p in (tmp_path / "site").rglob("*.shout")}
    assert {name: words[1] for name, words in made.items()} == {"plain.shout": "PLAIN", "sample.shout": "SAMPLE"}
    assert all(int(words[0]) != os.getpid() for words in made.values())  # in workers, not inline


def test_a_script_without_a_main_guard_can_build_on_two_workers(minimal, tmp_path):
    """The command line starts a cold build's workers from the fork server, whose workers run the caller's main
    module again; a script that calls build() directly, with no `if __name__ == "__main__":`, gets a pool forked
    from itself instead, so it neither starts over in each worker nor fails."""
    script = tmp_path / "make_site.py"
    script.write_text(
        "from pathlib import Path\n"
        "from briefwright.builder.pipeline import BuildOptions, build\n"
        f"report = build(BuildOptions(root=Path({str(minimal)!r}), out=Path({str(tmp_path / 'site')!r}), jobs=2,\n"
        f"                            force=True, private=False, cache_dir=Path({str(tmp_path / 'cache')!r})))\n"
        "print('built', len(report.built))\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("built") == 1, result.stdout  # the script ran once, not again in a worker
    assert "bootstrapping phase" not in result.stderr
    assert len(list((tmp_path / "site").rglob("*.pdf"))) >= 2
