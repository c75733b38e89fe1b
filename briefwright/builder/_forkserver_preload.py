"""Imported once by the layout workers' fork server (workers.WarmPool), so every worker forked from it starts
with the engine and each format's layout libraries already imported. Never imported by the build itself."""
from briefwright.builder import pipeline, workers  # noqa: F401  the functions the workers are handed, by module
from briefwright.formats import FORMATS

for _fmt in FORMATS.values():
    _fmt.preload()
