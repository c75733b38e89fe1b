"""A content-addressed store for rendered outputs (Pelican-style: key by what went in)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any


def digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, ensure_ascii=False).encode("utf-8")
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


class Cache:
    """One folder per key holding the files made for it and a manifest; unreadable entries are dropped."""

    def __init__(self, root: Path | None, read: bool = True):
        self.root = root
        self.read = read
        self.warnings: list[str] = []

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


class ParseCache:
    """What reading each content file gave, keyed by the file's bytes and the parser, so an unchanged file is
    not parsed again. On disk: each file's located YAML value as plain JSON (never pickle: an entry is data,
    and reading one runs no code), rebuilt and validated again on every run. In memory (one warm process, as
    `serve` keeps): the file's records and diagnostics themselves, for as long as a load still uses them.

    Only what parsed cleanly is stored on disk. Each entry is signed with a key kept outside the project
    (in the user's cache folder), so an entry planted in the project's cache folder, by a commit or a
    restored CI cache, is never read as the parse of a file: one signed with another key is passed over
    silently (it is another machine's), and a damaged or mismatched one is dropped with a warning. Without
    a key (no writable home) the disk cache is off and every run parses every file."""

    MAX_ENTRY_BYTES = 64 * 1024 * 1024
    MAGIC = b"briefwright-parse 1"
    # An entry no run has read for this long is removed (one per version of every file ever read would pile up);
    # a fortnight keeps the entries of a branch an analyst switches back to. Swept at most once a day.
    KEEP_UNREAD_DAYS = 14
    SWEEP_EVERY_HOURS = 24
    SWEPT = ".swept"  # its modification time says when the folder was last swept

    def __init__(self, folder: Path | None, memory: bool = False, read: bool = True):
        self.hits = self.parsed = self.recalled = 0  # files read back from disk, parsed, and recalled from memory
        self.memory: dict[tuple[Path, str], Any] | None = {} if memory else None
        self.read = read
        self.used: set[tuple[Path, str]] = set()
        self.warnings: list[str] = []
        self._unwritable = False
        self.secret = signing_key() if folder is not None else None
        self.folder = folder if self.secret is not None else None
        self.key_id = hashlib.sha256(b"key id" + self.secret).hexdigest()[:16].encode() if self.secret else b""

    def key(self, data: bytes, *context: str) -> str:
        """The key of a file's bytes, read as `context` says (content or a brief, and a brief's file name)."""
        return digest("parse", parser_version(), *context, data)

    def recall(self, path: Path, key: str) -> Any:
        if self.memory is None:
            return None
        self.used.add((path, key))
        kept = self.memory.get((path, key))
        self.recalled += kept is not None
        return kept

    def remember(self, path: Path, key: str, result: Any) -> None:
        if self.memory is not None:
            self.memory[(path, key)] = result

    def finish(self) -> None:
        """After a load: forget what it did not use (a file edited since, or gone), and sweep the folder."""
        if self.memory is not None:
            for stale in set(self.memory) - self.used:
                del self.memory[stale]
        self.used = set()
        self.sweep()

    def sweep(self, now: float | None = None) -> int:
        """Remove the entries no run has read for KEEP_UNREAD_DAYS (a read marks an entry, see `stored`), and
        temporary files a stopped run left; at most once every SWEEP_EVERY_HOURS. Returns how many went."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        now = time.time() if now is None else now
        marker = self.folder / self.SWEPT
        try:
            if now - marker.stat().st_mtime < self.SWEEP_EVERY_HOURS * 3600:
                return 0
        except OSError:
            pass  # never swept
        removed = 0
        cutoff, tmp_cutoff = now - self.KEEP_UNREAD_DAYS * 86400, now - 3600
        try:
            for entry in self.folder.glob("??/*"):
                st = entry.lstat()
                old = st.st_mtime < (tmp_cutoff if entry.name.endswith(".tmp") else cutoff)
                if old and (entry.name.endswith((".json", ".tmp"))) and entry.is_file():
                    entry.unlink(missing_ok=True)
                    removed += 1
            marker.touch()
            os.utime(marker, (now, now))
        except OSError:
            pass  # a cache that cannot be swept only costs disk space
        return removed

    def _entry(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def _sign(self, body: bytes) -> bytes:
        assert self.secret is not None
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest().encode()

    def stored(self, path: Path, key: str) -> dict | None:
        """What was stored for `key` (checked: signed with this user's key, for this key and parser), or None."""
        if self.folder is None or not self.read:
            return None
        entry = self._entry(key)
        try:
            raw = entry.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.drop(path, key, exc.strerror or str(exc))
            return None
        header, _, body = raw.partition(b"\n")
        parts = header.split(b" ")
        if len(parts) == 4 and b" ".join(parts[:2]) == self.MAGIC and parts[2] != self.key_id:
            return None  # signed elsewhere (another user or machine): not ours to read, nor a fault; replaced
        try:
            if len(raw) > self.MAX_ENTRY_BYTES:
                raise ValueError("larger than any entry the cache writes")
            if len(parts) != 4 or b" ".join(parts[:2]) != self.MAGIC:
                raise ValueError("not a parse cache entry")
            if not hmac.compare_digest(parts[3], self._sign(body)):
                raise ValueError("its signature does not match its contents")
            stored = json.loads(body)
            if type(stored) is not dict or stored.get("key") != key or stored.get("parser") != parser_version():
                raise ValueError("stored for other bytes or another parser")
        except (ValueError, RecursionError, UnicodeDecodeError) as exc:
            self.drop(path, key, str(exc) or type(exc).__name__)
            return None
        try:
            os.utime(entry)  # read now: kept by the sweep for another KEEP_UNREAD_DAYS
        except OSError:
            pass
        return stored

    def result(self, path: Path, what: str, data: bytes, compute: Callable[[], Any]) -> Any:
        """What `compute()` found for a file's bytes (plain JSON data), kept and signed like a parse; `what` names
        the check and the version of what it relies on. The engine's own code is in every key (parser_version)."""
        key = digest("result", parser_version(), what, data)
        stored = self.stored(path, key)
        if stored is not None and "result" in stored:
            return stored["result"]
        found = compute()
        self.store(key, {"result": found})
        return found

    def drop(self, path: Path, key: str, why: str) -> None:
        """Say that the entry for `path` could not be used, and remove it (the file is read instead)."""
        self.warnings.append(f"warning: the parse cache entry for {_shown(path)} was unreadable ({why}); "
                             "dropped it and read the file")
        if self.folder is not None:
            try:
                self._entry(key).unlink(missing_ok=True)
            except OSError:
                pass

    def store(self, key: str, payload: dict) -> None:
        """Keep `payload` (plain JSON data) for `key`, signed."""
        if self.folder is None or self._unwritable:
            return
        entry = self._entry(key)
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        try:
            body = json.dumps({"key": key, "parser": parser_version(), **payload},
                              ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if len(body) > self.MAX_ENTRY_BYTES // 2:
                return
            entry.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(b" ".join([self.MAGIC, self.key_id, self._sign(body)]) + b"\n" + body)
            os.replace(tmp, entry)
        except OSError as exc:  # a cache that cannot be written only costs speed: said once
            self._unwritable = True
            self.warnings.append(f"warning: could not write the parse cache ({exc.strerror or exc}); "
                                 "the next run parses every file again")
            tmp.unlink(missing_ok=True)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


_SIGNING_KEY: list[bytes | None] = []


def signing_key() -> bytes | None:
    """This user's key for signing parse cache entries: 32 random bytes in $XDG_CACHE_HOME/briefwright (or
    ~/.cache/briefwright), made on first use; None when there is no such folder to keep it in."""
    if not _SIGNING_KEY:
        _SIGNING_KEY.append(_read_or_make_key())
    return _SIGNING_KEY[0]


def _read_or_make_key() -> bytes | None:
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "briefwright"
        path = base / "parse-cache.key"
        for _ in range(2):
            try:
                data = path.read_bytes()
                return data if len(data) == 32 else None
            except FileNotFoundError:
                pass
            base.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process made it first: read theirs
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
    except (OSError, RuntimeError):  # no home folder, or none writable
        return None
    return None


_PARSER_VERSION: list[str] = []


def parser_version() -> str:
    """What a cached parse depends on besides the file: the engine's version, PyYAML's, and the code that reads
    YAML and makes records (so a change to either never meets what the old code stored)."""
    if not _PARSER_VERSION:
        import yaml

        from . import __version__, load, model, yamlfile
        sources = [Path(m.__file__).read_bytes() for m in (yamlfile, model, load) if m.__file__]
        _PARSER_VERSION.append(digest(__version__, yaml.__version__, yamlfile._Loader.__name__, *sources)[:32])
    return _PARSER_VERSION[0]
