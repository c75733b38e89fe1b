"""requirements.lock pins, with hashes, exactly what pyproject.toml asks for: every runtime and test
dependency is pinned to a version its range admits, and nothing is installed without a hash."""
from __future__ import annotations

import re
import tomllib

from helpers import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def _lock() -> dict[str, tuple[str, int]]:
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    pins = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if m:
            pins[canonicalize_name(m.group(1))] = (m.group(2), len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block)))
        else:
            assert all(line.startswith("#") or not line.strip() for line in block.splitlines()), block
    return pins


def test_every_dependency_is_pinned_within_its_range_with_hashes():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    pins = _lock()
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in requirements.lock (run make lock)"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), \
            f"requirements.lock pins {name}=={version}, outside pyproject.toml's {requirement.specifier} (run make lock)"
    assert all(hashes >= 1 for _, hashes in pins.values()), "a pin without a hash"


def test_make_installs_from_the_lock_with_hashes_required():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert "$(VENV)/.installed: pyproject.toml requirements.lock" in makefile
