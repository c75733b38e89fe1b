"""The output-format registry: the formats entry points declare (`briefwright.formats`), the built-ins among them.

The brief's web page (`html`) is always made first: it is checked for required caveats, labels and unknowns, and
the other formats are made from it or beside it. Every other format is a download the page and the site index
offer, made in the worker pool if `parallel` is set and every process finds it by its entry point.
"""
from __future__ import annotations

from briefwright.core.registry import Registry
from briefwright.formats.base import Job, Output, OutputError, OutputFormat

__all__ = ["FORMATS", "Job", "Output", "OutputError", "OutputFormat", "default_formats", "register_format", "run_job"]

FORMATS: Registry[OutputFormat] = Registry("briefwright.formats", "output format", OutputFormat, lambda f: f.name)


def register_format(fmt: OutputFormat) -> OutputFormat:
    """Register a format in this process only (made when named with --formats, never in worker processes); a
    package registers its formats for every process with an entry point in `briefwright.formats`."""
    return FORMATS.add(fmt)


def default_formats() -> list[str]:
    """What a build makes when --formats is not given: every format an entry point declares that is `default`, in
    the order a brief's page offers them."""
    declared = [FORMATS[name] for name in FORMATS.declared()]
    return [f.name for f in sorted(declared, key=lambda f: (f.position, f.name)) if f.default]


def cache_identity(name: str) -> list[str]:
    """What identifies a format's code in its cache keys: the package that declares it, with its version, and
    the format's own version."""
    return [str(FORMATS.origin(name)), FORMATS[name].version]


def run_job(task: tuple[str, Job]) -> Output | str:
    """Make one file in a worker; a problem the author can fix comes back as a message."""
    name, job = task
    try:
        return FORMATS[name].render(job)
    except OutputError as exc:
        return str(exc)
