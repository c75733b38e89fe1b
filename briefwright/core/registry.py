"""One registry, found by name: output formats, chart kinds and audiences are Python entry points.

A desk's package adds one with one line in its own pyproject.toml,

    [project.entry-points."briefwright.formats"]
    plain = "desk_formats.plain:FORMAT"

and the engine's built-ins are declared the same way in the engine's pyproject.toml. Every process that asks for an
entry by name finds it the same way (the build, its fork-server workers, an edition audit's rebuild), because what is
registered lives in the installed packages' metadata, not in a dict some import happened to fill.

Run from a source checkout, the built-ins are read from the checkout's own pyproject.toml (the installed metadata of
an editable install is only as new as its last `pip install`); other packages' entries always come from their
metadata. `Registry.add` registers an object in this process only (library callers and tests): such an entry is not
seen by worker processes, so the build never sends it to one.
"""
from __future__ import annotations

import importlib.metadata
import tomllib
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

ENGINE = "briefwright"
_CHECKOUT_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

T = TypeVar("T")


class RegistryError(Exception):
    """An entry point that cannot be loaded, is not what its group holds, or has a name another package took."""


@dataclass(frozen=True)
class Origin:
    """Where an entry came from: the distribution that declared it, and its version ('' when added in-process)."""

    package: str
    version: str
    entry_point: bool  # found through an entry point, so every process finds it too

    def __str__(self) -> str:
        return f"{self.package} {self.version}".strip()


def _engine_version() -> str:
    from briefwright import __version__
    return __version__


def _checkout_entry_points(group: str) -> list[importlib.metadata.EntryPoint] | None:
    """The engine's own entries as its checkout's pyproject.toml declares them, or None outside a checkout."""
    try:
        data = tomllib.loads(_CHECKOUT_PYPROJECT.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if data.get("project", {}).get("name") != ENGINE:
        return None
    declared = data["project"].get("entry-points", {}).get(group, {})
    return [importlib.metadata.EntryPoint(name, value, group) for name, value in declared.items()]


def _declared(group: str) -> list[tuple[importlib.metadata.EntryPoint, Origin]]:
    found: list[tuple[importlib.metadata.EntryPoint, Origin]] = []
    checkout = _checkout_entry_points(group)
    if checkout is not None:
        found += [(ep, Origin(ENGINE, _engine_version(), True)) for ep in checkout]
    for ep in importlib.metadata.entry_points(group=group):
        dist = ep.dist
        package = dist.metadata["Name"] if dist is not None else "?"
        if checkout is not None and package == ENGINE:
            continue  # the checkout's own declaration stands for the engine
        found.append((ep, Origin(package, dist.version if dist is not None else "", True)))
    return found


class Registry(Mapping[str, T], Generic[T]):
    """The entries of one entry-point group, by name, loaded on first use in each process."""

    def __init__(self, group: str, what: str, kind: type, name_of: Callable[[Any], str],
                 problem: Callable[[Any], str | None] | None = None):
        self.group, self.what, self.kind, self.name_of = group, what, kind, name_of
        self.problem = problem  # what is wrong with an entry, or None
        self._entries: dict[str, T] | None = None
        self._origins: dict[str, Origin] = {}
        self._added: dict[str, T] = {}

    def _load(self) -> dict[str, T]:
        if self._entries is None:
            entries: dict[str, T] = {}
            for ep, origin in _declared(self.group):
                try:
                    value = ep.load()
                except Exception as exc:
                    raise RegistryError(f"{self.what} '{ep.name}' from {origin} ({ep.value}) could not be loaded: "
                                        f"{type(exc).__name__}: {exc}") from exc
                if not isinstance(value, self.kind):
                    raise RegistryError(f"{self.what} '{ep.name}' from {origin} ({ep.value}) is a "
                                        f"{type(value).__name__}, not a {self.kind.__name__}")
                if self.name_of(value) != ep.name:
                    raise RegistryError(f"{self.what} '{ep.name}' from {origin} ({ep.value}) calls itself "
                                        f"'{self.name_of(value)}'; the entry point's name and the object's must agree")
                why = self.problem(value) if self.problem else None
                if why:
                    raise RegistryError(f"{self.what} '{ep.name}' from {origin} ({ep.value}): {why}")
                if ep.name in entries:
                    raise RegistryError(f"{self.what} '{ep.name}' is declared by both {self._origins[ep.name]} and "
                                        f"{origin}; uninstall one, or rename it")
                entries[ep.name] = typing.cast(T, value)
                self._origins[ep.name] = origin
            self._entries = entries
        return self._entries

    def add(self, value: T) -> T:
        """Register in this process only (a library caller's or a test's own entry); it replaces one of that name."""
        self._added[self.name_of(value)] = value
        return value

    def origin(self, name: str) -> Origin:
        if name in self._added:
            return Origin("", "", False)
        self._load()
        return self._origins[name]

    def found_by_entry_point(self, name: str) -> bool:
        """Whether a fresh process (a worker, an audit's rebuild) finds this entry by its name."""
        return self.origin(name).entry_point

    def declared(self) -> list[str]:
        """The names every process finds (entry points), in the order they were declared."""
        return list(self._load())

    def __getitem__(self, name: str) -> T:
        if name in self._added:
            return self._added[name]
        return self._load()[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._load()
        yield from (name for name in self._added if name not in self._load())

    def __len__(self) -> int:
        return len(set(self._load()) | set(self._added))

    def forget(self, name: str) -> None:
        """Remove an in-process entry (tests that add one undo it)."""
        self._added.pop(name, None)
