"""The tests call the command line in this process (helpers.run_cli): it must behave as `python build.py` does
and leave nothing behind between calls."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from helpers import REPO, run_cli, run_cli_subprocess, subprocess_env

import briefwright.cli

TYPO = ("confidence: moderate", "confidence: sure")
MESSAGE = ("content/facts.yaml:14:17: error: fact field 'confidence': 'sure' is not allowed; "
           "use one of: high, moderate, low")


def break_a_fact(project):
    facts = project / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(*TYPO), encoding="utf-8")


@pytest.mark.parametrize("args", [("check",), ("check", "--diagnostics", "json"), ("build", "-j", "0"), ("explain", "widget-sped"),
                                  ("nonsense-command",)], ids=lambda a: " ".join(a))
def test_same_result_as_a_separate_process(minimal, args):
    if args[0] == "check":
        break_a_fact(minimal)
    here, there = run_cli(*args, cwd=minimal), run_cli_subprocess(*args, cwd=minimal)
    assert here == there
    assert here.code in (1, 2) and (here.stderr or here.stdout)


def test_environment_and_folder_are_set_for_the_call_and_restored(minimal, monkeypatch):
    break_a_fact(minimal)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    before = os.getcwd()
    r = run_cli("check", cwd=minimal)  # neither variable reaches the command
    assert r.stderr.splitlines() == [MESSAGE, "Aborted with 1 error."]
    assert os.getcwd() == before and os.environ["GITHUB_ACTIONS"] == "true" and os.environ["SOURCE_DATE_EPOCH"] == "0"
    r = run_cli("check", cwd=minimal, env={"GITHUB_ACTIONS": "true"})
    assert any(line.startswith("::error file=content/facts.yaml,line=14,col=17::") for line in r.stderr.splitlines())
    monkeypatch.delenv("GITHUB_ACTIONS")
    run_cli("check", cwd=minimal, env={"GITHUB_ACTIONS": "true"})
    assert "GITHUB_ACTIONS" not in os.environ


def test_output_format_of_one_call_does_not_reach_the_next(minimal):
    break_a_fact(minimal)
    assert run_cli("check", "--diagnostics", "pretty", cwd=minimal).stderr.splitlines()[1].startswith(" 14 |")
    assert run_cli("check", cwd=minimal).stderr.splitlines() == [MESSAGE, "Aborted with 1 error."]
    r = run_cli("check", "--diagnostics", "json", cwd=minimal)
    assert r.stdout.startswith("[") and r.stderr == ""
    assert run_cli("check", cwd=minimal).stdout == ""


def test_restored_even_when_the_command_raises(minimal, monkeypatch):
    def boom(args):
        raise RuntimeError("boom")
    monkeypatch.setattr(briefwright.cli, "_run", boom)
    before, env = os.getcwd(), dict(os.environ)
    r = run_cli("check", cwd=minimal)
    assert r.code == 3 and "internal error: RuntimeError: boom" in r.stderr
    with pytest.raises(RuntimeError, match="boom"):  # --debug lets the traceback through
        run_cli("--debug", "check", cwd=minimal, env={"BRIEFWRIGHT_PROBE": "1"})
    assert os.getcwd() == before and dict(os.environ) == env


def test_outside_the_venv_build_py_says_how_to_set_it_up(minimal):
    """`python build.py` with a Python that lacks the packages (-S: no site-packages) gets advice, not a traceback."""
    proc = subprocess.run([sys.executable, "-S", str(REPO / "build.py"), "check"], cwd=minimal, env=subprocess_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    missing = re.match(r"briefwright: this Python \(.*?\) does not have the package '(\w+)'", proc.stderr)
    assert missing and missing.group(1) in ("yaml", "markdown", "jinja2", "nh3")  # whichever the engine imports first
    assert proc.stderr == (
        f"briefwright: this Python ({sys.executable}) does not have the package '{missing.group(1)}' that Briefwright needs.\n"
        "Install Briefwright again into this Python with pip, so its packages come with it; in the Briefwright "
        "repository, run `make site` once (it sets up .venv with everything), then run `.venv/bin/briefwright`, or "
        "activate it first: `. .venv/bin/activate`.\n")


def test_a_package_missing_when_first_needed_gets_the_same_advice(minimal, monkeypatch):
    def missing(args):
        raise ModuleNotFoundError("No module named 'weasyprint'", name="weasyprint")
    monkeypatch.setattr(briefwright.cli, "_run", missing)
    r = run_cli("build", cwd=minimal)
    assert r.code == 2
    assert r.stderr.startswith(f"briefwright: this Python ({sys.executable}) does not have the package 'weasyprint'")
