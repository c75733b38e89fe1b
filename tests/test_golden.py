"""Every output byte of both real topics matches the recorded golden hashes (tests/golden.py)."""
from __future__ import annotations

import json

import pytest
from golden import GOLDEN, TOPICS, build_topic, manifest


@pytest.mark.parametrize("name", sorted(TOPICS))
def test_outputs_are_byte_identical_to_the_recorded_build(name, tmp_path):
    build_topic(TOPICS[name], tmp_path / "site", tmp_path / "cache")
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    actual = manifest(tmp_path / "site")
    assert sorted(actual) == sorted(expected), "the set of output files changed"
    changed = [path for path in expected if actual[path] != expected[path]]
    assert not changed, f"outputs differ from the recorded build: {changed}"
