"""`serve` rebuilds on a content change and tells open pages to reload."""
from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request

from helpers import cli_command, run_cli, subprocess_env


def _version(base: str) -> int:
    return json.loads(urllib.request.urlopen(base + "__briefwright/version").read())["version"]


def test_serve_rebuilds_on_change_and_reloads(minimal):
    # A separate process: serve runs until it is stopped, and watches files from its own loop.
    proc = subprocess.Popen(cli_command("serve", "--port", "0", "-j1"), cwd=minimal, env=subprocess_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line + proc.stderr.read() if not line else line
        base = line.split()[1]
        page = urllib.request.urlopen(base + "briefs/sample/index.html").read().decode()
        assert '<script src="/__briefwright/reload.js"></script>' in page and "launched in January 2026" in page
        script = urllib.request.urlopen(base + "__briefwright/reload.js")
        assert script.headers["Content-Type"].startswith("text/javascript")
        assert "/__briefwright/version" in script.read().decode()
        version = _version(base)
        facts = minimal / "content" / "facts.yaml"
        facts.write_text(facts.read_text(encoding="utf-8").replace("launched in", "went on sale in"), encoding="utf-8")
        deadline = time.time() + 60
        while time.time() < deadline and _version(base) <= version:
            time.sleep(0.2)
        if _version(base) <= version:
            proc.terminate()
            raise AssertionError("no rebuild within 60 s; serve printed:\n" + proc.communicate(timeout=10)[1])
        page = urllib.request.urlopen(base + "briefs/sample/index.html").read().decode()
        assert "went on sale in" in page
        assert "/__briefwright/" not in (minimal / "site" / "briefs" / "sample" / "index.html").read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_port_in_use_is_a_usage_error(minimal):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run_cli("serve", "--port", port, "-j1", cwd=minimal)
    assert r.code == 2
    assert r.stderr == f"briefwright: error: port {port} is in use; try --port 0 (any free port) or another number\n"
    assert not (minimal / "site").exists()  # said before any build
