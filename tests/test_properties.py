"""Property test: whatever bytes or structures arrive, loading and validating never raises;
the result is always either a model or located errors."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefwright.check.validate import validate
from briefwright.core.diagnostics import Collector
from briefwright.source.load import load_project

pytestmark = pytest.mark.slow

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
                    st.dates().map(str), st.sampled_from(["widget-speed", "trade-paper", "claimed", "high", "bar"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=5)),
                      max_leaves=20)
field_names = st.sampled_from(["id", "statement", "sources", "status", "confidence", "as_of", "quantity", "sides",
                               "title", "kind", "facts", "events", "applies_to", "severity", "body", "x"])
records = st.dictionaries(field_names, values, max_size=8)
documents = st.one_of(
    st.dictionaries(st.sampled_from(["facts", "sources", "caveats", "charts", "events", "judgments", "unknowns", "junk"]),
                    st.lists(records, max_size=3), max_size=3).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.text(max_size=200),
)
BASE = {p.relative_to(FIXTURES / "minimal"): p.read_bytes() for p in (FIXTURES / "minimal").rglob("*.yaml")}


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_load_and_validate_never_raise(document):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in BASE.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        (root / "content" / "fuzz.yaml").write_text(document, encoding="utf-8", errors="surrogateescape")
        out = Collector()
        project = load_project(root, out)
        if project is not None:  # as `check` does: validation runs even after load errors
            validate(project, out)
        for d in out.diagnostics:
            assert d.loc.path.is_relative_to(root) and d.loc.line >= 0 and d.message
        assert project is not None or out.errors
