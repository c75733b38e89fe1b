"""What an output format is: the class a format subclasses, the job it is handed and the output it gives back."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar


class OutputError(Exception):
    """A format could not be made from this brief for a reason the author can act on (a refused file, say)."""


@dataclass(frozen=True)
class Job:
    """What a format needs to make one brief's file: plain data, so it can go to a worker process."""

    brief: dict
    html: str  # the checked brief page
    folder: str  # the brief's folder in the site being built, holding the page and its charts
    site: str  # the site being built: the only folder layout may read from


@dataclass(frozen=True)
class Output:
    data: bytes
    pages: int | None = None  # for paged formats: the page count a brief's page_limit applies to
    room: dict | None = None  # what layout measured of the parts the engine adds (pdf.layout.room), by name


def package_digest(package: Path) -> str:
    """The sha256 of every module of a format's package (its folder), in name order: a cache key part for what its
    own code decides, which a change to any of its files changes."""
    digest = hashlib.sha256()
    for module in sorted(package.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


class OutputFormat:
    name: ClassVar[str]  # as given to --formats
    label: ClassVar[str]  # as a reader sees it in a download link
    suffix: ClassVar[str]
    download: ClassVar[bool] = True  # offered beside the brief's page; False only for the page itself
    parallel: ClassVar[bool] = False  # made in the worker pool (slow layouts)
    paged: ClassVar[bool] = False  # the brief's page_limit applies to its page count
    # Theme files it reads that are not for publishing (a reference document): removed from the built site.
    inputs: ClassVar[tuple[str, ...]] = ()
    version: ClassVar[str] = ""  # the format's own version (a desk's package's), in every cache key of its files
    position: ClassVar[int] = 100  # where a brief's page offers it among the formats (smaller first)
    default: ClassVar[bool] = True  # made when --formats is not given (if found by entry point)

    def file_name(self, brief_id: str) -> str:
        return brief_id + self.suffix

    def wanted(self, brief: Any, project: Any) -> bool:
        """Whether a brief (its record, in its project) is published in this format; every brief by default."""
        return True

    def cache_parts(self) -> list[str]:
        """Versions of whatever else decides the output's bytes (a layout engine), for the cache key."""
        return []

    def render(self, job: Job) -> Output:
        raise NotImplementedError

    def read_input(self, job: Job, name: str, what: str) -> bytes:
        """One of its `inputs` as the build copied it into the site's assets; a missing one is an OutputError that
        says `what` it is ('the slide template', say)."""
        try:
            return (Path(job.site) / "assets" / name).read_bytes()
        except OSError:
            raise OutputError(f"{what} {name} is missing from the theme") from None

    def text_of(self, data: bytes) -> str:
        """Every word a reader of this file could find in it (body, notes, properties, link targets): what `verify`
        searches for material above the channel. A format that does not say is refused by `verify`, not skipped."""
        raise NotImplementedError(f"the {self.name} format does not say how its text is read (OutputFormat.text_of)")

    def preload(self) -> None:
        """Import what `render` needs (a layout engine), once in the parent before the worker pool forks."""

    def check_project(self, project: Any, out: Any, cache: Any = None) -> None:
        """Report, at their lines, problems with what the project gives this format (a template file, say);
        `check` calls it for every registered format, so a broken setting fails before any layout. `cache` (a
        ParseCache, or None) keeps what a costly check found for a file's bytes."""
