"""What the link commands keep between runs, in the project's cache folder (.briefwright-cache/links/):
the results of `links check` and the jobs `links archive` has asked for. Each is one JSON file, written whole
through a temporary file; a file that cannot be read is dropped with a warning, never fatal."""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from briefwright.links.check import UNREACHABLE, Result

VERSION = 1


def _read(path: Path, warnings: list[str]) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        warnings.append(f"warning: {path} could not be read ({exc}); starting without it")
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION:
        warnings.append(f"warning: {path} was written by another version; starting without it")
        return {}
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"version": VERSION, **data}, out, indent=1, sort_keys=True, ensure_ascii=False)
            out.write("\n")
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


class Results:
    """Every address's last result. A result is trusted for `hours`, except unreachable ones: the next online
    run asks again (the machine may have been offline), while --offline still reports them."""

    def __init__(self, folder: Path, warnings: list[str]):
        self.path = folder / "results.json"
        self.results = {url: Result.from_json(r) for url, r in _read(self.path, warnings).get("results", {}).items()}

    def get(self, url: str) -> Result | None:
        return self.results.get(url)

    def fresh(self, url: str, now: dt.datetime, hours: int) -> Result | None:
        found = self.results.get(url)
        if found is None or found.status == UNREACHABLE or not found.checked:
            return None
        try:
            checked = dt.datetime.fromisoformat(found.checked)
        except ValueError:
            return None
        return found if now - checked < dt.timedelta(hours=hours) else None

    def put(self, result: Result) -> None:
        self.results[result.url] = result

    def save(self) -> None:
        _write(self.path, {"results": {url: r.to_json() for url, r in sorted(self.results.items())}})


class ArchiveJobs:
    """Captures asked for and not yet finished, by address: a run that was stopped polls these again instead
    of asking for a second capture."""

    def __init__(self, folder: Path, warnings: list[str]):
        self.path = folder / "archive-jobs.json"
        self.jobs: dict[str, dict] = dict(_read(self.path, warnings).get("jobs", {}))

    def save(self) -> None:
        if self.jobs:
            _write(self.path, {"jobs": self.jobs})
        else:
            self.path.unlink(missing_ok=True)
