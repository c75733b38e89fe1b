"""A content-addressed store for rendered outputs (Pelican-style: key by what went in)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def plain_json(value: Any) -> Any:
    """`default` for json.dumps: a read-only mapping (a frozen resolved brief's parts) is written as a dict, so a
    frozen brief and the plain dict it was made from give the same JSON, and the same keys."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, ensure_ascii=False,
                                                               default=plain_json).encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def pack(files: dict[str, bytes]) -> bytes:
    """Many files as one, compressed (each name and length before its bytes): a site's record pages and search index
    are 25,000 files at 10,000 facts, and one cache file writes and reads back in a fraction of their time."""
    out = bytearray()
    for name, data in files.items():
        encoded = name.encode("utf-8")
        out += len(encoded).to_bytes(4, "big") + encoded + len(data).to_bytes(8, "big") + data
    return zlib.compress(bytes(out), 1)


def unpack(packed: bytes) -> dict[str, bytes]:
    data = zlib.decompress(packed)
    files, at = {}, 0
    while at < len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        name = data[at + 4:at + 4 + size].decode("utf-8")
        at += 4 + size
        length = int.from_bytes(data[at:at + 8], "big")
        files[name] = data[at + 8:at + 8 + length]
        at += 8 + length
    return files


def tree_digest(folders: list[Path]) -> str:
    """Hash of every file's path and bytes under the folders (templates, styles)."""
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


# The most a build cache folder keeps, by default: after a build, the entries used longest ago go first. Every
# content change adds new entries (a site's record pages and search index are one packed entry of some megabytes
# at 10,000 facts), so without a bound the folder only grows. BRIEFWRIGHT_CACHE_MAX_MB sets another bound.
DEFAULT_MAX_BYTES = 2 * 1024 ** 3
_ENTRY_SHARD = re.compile(r"^[0-9a-f]{2}$")


def max_bytes() -> int:
    """The bound, from BRIEFWRIGHT_CACHE_MAX_MB when it holds a whole number of megabytes, else the default."""
    value = os.environ.get("BRIEFWRIGHT_CACHE_MAX_MB", "").strip()
    return int(value) * 1024 ** 2 if value.isdigit() else DEFAULT_MAX_BYTES


class Cache:
    """One folder per key holding the files made for it and a manifest; unreadable entries are dropped. An entry
    read or written is marked as used (its manifest's time), so `sweep` keeps what builds still use."""

    def __init__(self, root: Path | None, read: bool = True):
        self.root = root
        self.read = read
        self.warnings: list[str] = []
        self.started = time.time()

    def get(self, key: str) -> dict[str, bytes] | None:
        if self.root is None or not self.read:
            return None
        folder = self.root / key[:2] / key
        manifest = folder / "manifest.json"
        if not manifest.exists():
            return None
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
            files = {}
            for name, sha in meta["files"].items():
                data = (folder / "files" / name).read_bytes()
                if hashlib.sha256(data).hexdigest() != sha:
                    raise ValueError(f"{name} does not match its checksum")
                files[name] = data
            try:
                os.utime(manifest)  # used now: the last entries a sweep would remove
            except OSError:
                pass  # a read-only cache still serves
            return files
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self.warnings.append(f"cache entry {key[:12]} is unreadable ({exc}); rebuilding it")
            shutil.rmtree(folder, ignore_errors=True)
            return None

    def put(self, key: str, files: dict[str, bytes]) -> None:
        if self.root is None:
            return
        folder = self.root / key[:2] / key
        tmp = folder.with_name(key + ".tmp")
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            (tmp / "files").mkdir(parents=True)
            for name, data in files.items():
                (tmp / "files" / name).write_bytes(data)
            (tmp / "manifest.json").write_text(json.dumps(
                {"files": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}}), encoding="utf-8")
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
        except OSError as exc:  # a cache that cannot be written only costs speed
            if not any(w.startswith("could not write") for w in self.warnings):  # once per build, not per entry
                self.warnings.append(f"could not write the build cache: {exc}")
            shutil.rmtree(tmp, ignore_errors=True)

    def sweep(self, limit: int | None = None) -> tuple[int, int]:
        """Remove the entries used longest ago until the entries hold at most `limit` bytes (max_bytes()), never one
        this build used; returns (entries removed, bytes freed). Other folders in the root (parse, jinja) are not
        entries and are left alone."""
        if self.root is None or not self.root.is_dir():
            return 0, 0
        limit = max_bytes() if limit is None else limit
        entries, total = [], 0
        for shard in self.root.iterdir():
            if not _ENTRY_SHARD.match(shard.name) or not shard.is_dir():
                continue
            for folder in shard.iterdir():
                try:
                    used = (folder / "manifest.json").stat().st_mtime
                    size = sum(f.stat().st_size for f in (folder / "files").iterdir())
                except OSError:
                    continue  # being written, or half removed: not this sweep's to judge
                entries.append((used, folder.name, folder, size))
                total += size
        removed = freed = 0
        for used, _name, folder, size in sorted(entries):
            if total <= limit or used >= self.started:
                break
            shutil.rmtree(folder, ignore_errors=True)
            total, removed, freed = total - size, removed + 1, freed + size
        return removed, freed
