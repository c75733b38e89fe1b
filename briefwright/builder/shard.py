"""A build spread over several machines: `build --shard K/N` makes a share of the editions (briefs x languages)
and a manifest of what it made; `merge` checks the shards belong together, puts their brief folders side by side
and writes the pages that span briefs, so the merged site is the same bytes as one machine's build.

Which shard makes an edition is a pure function of the brief's id, the edition's language and N (a sha256, not
Python's salted hash()), so every shard and the merge agree on the shares without talking to each other. Both run
through the ordinary build (pipeline.BuildPart): a shard is a build that stops before the site pages, a merge one
that takes its editions from the shards instead of laying them out.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefwright.builder.pipeline import BuildOptions, BuildReport, UsageError, build
from briefwright.core.cache import digest
from briefwright.core.machine import fingerprint_digest
from briefwright.core.model import Marking
from briefwright.resolve.languages import edition_key, languages_of
from briefwright.resolve.resolved import ResolvedBrief

MANIFEST = "briefwright-shard.json"  # not a dot-file: artifact uploads leave hidden files out by default
MANIFEST_VERSION = 1
USAGE = "--shard takes K/N, this machine's share K of N shards (1 <= K <= N), e.g. --shard 2/8"
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """'2/8' -> (2, 8); anything else is a usage error naming the form."""
    match = _SHARD.match(text)
    if match is None:
        raise UsageError(f"{USAGE}; got {text!r}")
    index, count = int(match[1]), int(match[2])
    if not 1 <= index <= count:
        raise UsageError(f"{USAGE}; got {text!r}")
    return index, count


def shard_of(brief_id: str, language: str, count: int) -> int:
    """The shard (1..count) that makes a brief's edition in `language`: stable across machines and Python runs."""
    key = hashlib.sha256(f"{brief_id}\n{language}".encode()).digest()
    return int.from_bytes(key[:8], "big") % count + 1


def edition_shard(edition: ResolvedBrief, count: int) -> int:
    return shard_of(edition["id"], edition["language"], count)


def project_commit(root: Path) -> str | None:
    """The commit the project is checked out at (HEAD), or None outside git; shards built from different commits
    are refused even when their content matches, since that says the pipeline is mixing runs."""
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _content_digest(build: Any, sources: str) -> str:
    """What the editions are made from, as this machine resolves it: the source-language briefs (`sources`: their
    digest, taken when they were chosen; every shard resolves them all), the templates and the stylesheets, the
    channel, formats and address. Equal on every shard and on the merge when they built the same content for the
    same site; each translated edition is compared on its own (`edition_digest`)."""
    return digest("shard-content", sources, build.html_key, build.static_key, build.opts.max_marking.value,
                  [f.name for f in build.formats], build.opts.base_url)


def edition_digest(edition: ResolvedBrief) -> str:
    """An edition as resolved, before anything is rendered from it: the merge compares it with its own."""
    return digest("edition", edition)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Shard:
    """pipeline.BuildPart for `build --shard K/N`: the editions whose hash falls to K, and a manifest."""

    index: int
    count: int
    lays_out: bool = True
    writes_site: bool = False
    editions: dict[str, str] = field(default_factory=dict)  # this shard's editions: key -> edition_digest
    everything: int = 0  # editions in the whole build
    sources: str = ""  # the digest of every source-language brief as resolved

    def mine(self, brief_id: str, language: str) -> bool:
        return shard_of(brief_id, language, self.count) == self.index

    def translating(self, build: Any) -> list[ResolvedBrief]:
        return [b for b in build.published
                if any(self.mine(b["id"], lang) for lang in languages_of(build.project.briefs[b["id"]], build.project)[1:])]

    def choose(self, build: Any) -> None:
        self.everything = sum(len(languages_of(build.project.briefs[b["id"]], build.project)) for b in build.published)
        self.sources = digest(build.published)
        self.editions = {edition_key(e): edition_digest(e) for e in build.editions if self.mine(e["id"], e["language"])}
        build.editions = [e for e in build.editions if edition_key(e) in self.editions]
        # A brief's earlier editions (briefs/<id>/editions/) go with its source-language edition.
        build.published = [b for b in build.published if b["id"] in self.editions]

    def assemble(self, build: Any) -> None:
        raise AssertionError("a shard lays its editions out itself")

    def finish(self, build: Any) -> None:
        """The manifest beside the brief folders. The assets are left out: the merge writes its own, and its
        content digest (which holds the stylesheets' digest) shows they are the same."""
        shutil.rmtree(build.tmp / "assets")
        files = {}
        briefs = build.tmp / "briefs"
        for path in sorted(p for p in briefs.rglob("*") if p.is_file()) if briefs.is_dir() else []:
            files[path.relative_to(build.tmp).as_posix()] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
        fp = build.fingerprint
        manifest = {
            "manifest": MANIFEST_VERSION,
            "shard": {"index": self.index, "count": self.count},
            "channel": build.opts.max_marking.value,
            "formats": [f.name for f in build.formats],
            "base_url": build.opts.base_url,
            "private": build.opts.private,
            "commit": project_commit(build.project.root),
            "content": _content_digest(build, self.sources),
            "fingerprint": fingerprint_digest(fp),
            "engine": {"version": fp["engine"], "files": fp["engine_files"], "packages": fp["packages"]},
            "editions": {key: {"outputs": build.outputs[key], "digest": self.editions[key]} for key in self.editions},
            "files": files,
        }
        (build.tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def build_shard(opts: BuildOptions, index: int, count: int) -> tuple[BuildReport, Shard]:
    """Build share `index` of `count` into opts.out (its brief folders and the manifest, no site pages)."""
    if opts.only:
        raise UsageError("--shard builds a share of every brief; it cannot be combined with --only")
    part = Shard(index, count)
    return build(replace(opts, part=part)), part


@dataclass
class ShardFolder:
    path: Path
    manifest: dict

    @property
    def name(self) -> str:
        s = self.manifest["shard"]
        return f"shard {s['index']}/{s['count']} ({self.path})"


def read_shard(path: Path) -> ShardFolder:
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder; give the folders `build --shard K/N` wrote")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        shard = manifest["shard"]
        int(shard["index"]), int(shard["count"])
        if manifest["manifest"] != MANIFEST_VERSION:
            raise UsageError(f"{path / MANIFEST} is manifest version {manifest['manifest']}; this Briefwright reads "
                             f"version {MANIFEST_VERSION}: build the shards and merge with the same version")
        for name in ("channel", "formats", "content", "fingerprint", "engine", "editions", "files"):
            manifest[name]
    except FileNotFoundError:
        raise UsageError(f"{path} is not a shard: it has no {MANIFEST} (build it with `briefwright build --shard "
                         "K/N --out FOLDER`)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path / MANIFEST} cannot be read as a shard manifest ({type(exc).__name__}: {exc})") from None
    return ShardFolder(path, manifest)


def check_shards(shards: list[ShardFolder]) -> None:
    """The shards belong to one build: one N and each K once, one channel, formats, address, machine fingerprint,
    commit and content. Raises UsageError at the first disagreement, in one line naming both sides."""
    first = shards[0]
    count = first.manifest["shard"]["count"]
    seen: dict[int, ShardFolder] = {}
    for shard in shards:
        s = shard.manifest["shard"]
        if s["count"] != count:
            raise UsageError(f"{shard.name} is one of {s['count']} shards but {first.name} is one of {count}; "
                             "merge the shards of one build")
        if s["index"] in seen:
            raise UsageError(f"shard {s['index']}/{count} is given twice: {seen[s['index']].path} and {shard.path}")
        seen[s["index"]] = shard
    missing = [str(k) for k in range(1, count + 1) if k not in seen]
    if missing:
        raise UsageError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {count} "
                         f"{'are' if len(missing) > 1 else 'is'} missing; merge every shard of the build")
    agree = [("channel", "channel"), ("formats", "output formats"), ("base_url", "--base-url"),
             ("private", "private folders (--no-private)"), ("fingerprint", "machine fingerprint"),
             ("commit", "project commit"), ("content", "content digest")]
    for shard in shards[1:]:
        for key, what in agree:
            a, b = first.manifest.get(key), shard.manifest.get(key)
            if a != b:
                raise UsageError(f"{shard.name} and {first.name} differ in {what}: {_short(b)} against {_short(a)}; "
                                 "build every shard from the same commit on the same runner image")


def _short(value: Any) -> str:
    text = ",".join(value) if isinstance(value, list) else str(value)
    return text[:12] if re.fullmatch(r"[0-9a-f]{40,64}", text) else text


@dataclass
class Merge:
    """pipeline.BuildPart for `merge`: every edition from the shards' folders, then the site pages as one build."""

    shards: list[ShardFolder]
    lays_out: bool = False
    writes_site: bool = True
    copied: int = 0
    sources: str = ""
    made: dict[str, str] = field(default_factory=dict)  # every edition: key -> edition_digest, as resolved here

    def translating(self, build: Any) -> list[ResolvedBrief]:
        return build.published

    def choose(self, build: Any) -> None:
        """Every edition the project has on this channel is in exactly the shard its hash names, made from what
        this project resolves it to."""
        self.sources = digest(build.published)
        manifest = self.shards[0].manifest
        engine = manifest["engine"]
        here = build.fingerprint
        if (engine["version"], engine["files"]) != (here["engine"], here["engine_files"]):
            raise UsageError(f"the shards were built by briefwright {engine['version']} (engine files "
                             f"{engine['files'][:12]}), this merge runs {here['engine']} ({here['engine_files'][:12]}); "
                             "merge with the engine that built them")
        if engine["packages"] != here["packages"]:
            changed = sorted(k for k in {**engine["packages"], **here["packages"]}
                             if engine["packages"].get(k) != here["packages"].get(k))
            name = changed[0]
            raise UsageError(f"the shards were built with {name} {engine['packages'].get(name)}, this merge has "
                             f"{here['packages'].get(name)}; install the same packages as the shards")
        count = manifest["shard"]["count"]
        wanted = {edition_key(e): edition_shard(e, count) for e in build.editions}
        self.made = {edition_key(e): edition_digest(e) for e in build.editions}
        held: dict[str, ShardFolder] = {}
        for shard in self.shards:
            for key in shard.manifest["editions"]:
                if key not in wanted:
                    raise UsageError(f"{shard.name} holds edition '{key}', which this project does not make for "
                                     f"{build.opts.max_marking.label}; merge with the project the shards were built from")
                if wanted[key] != shard.manifest["shard"]["index"]:
                    raise UsageError(f"{shard.name} holds edition '{key}', which falls to shard {wanted[key]}/{count}; "
                                     "the shards were not built by this engine's shares")
                held[key] = shard
        for key, index in wanted.items():
            if key not in held:
                shard = next(s for s in self.shards if s.manifest["shard"]["index"] == index)
                raise UsageError(f"edition '{key}' is in no shard: it falls to {shard.name}, whose manifest does not "
                                 "list it; build that shard again")

    def assemble(self, build: Any) -> None:
        """Each shard's files copied in, each checked against its manifest's sha256 as it is read."""
        content = _content_digest(build, self.sources)
        if content != self.shards[0].manifest["content"]:
            raise UsageError(f"the project here (content digest {content[:12]}) is not what the shards were built "
                             f"from ({self.shards[0].manifest['content'][:12]}); merge from the same commit, with the "
                             "same --no-private choice")
        for shard in self.shards:
            for key, entry in shard.manifest["editions"].items():
                if entry.get("digest") != self.made[key]:
                    raise UsageError(f"{shard.name} made edition '{key}' from other content than this project's "
                                     "(its translation or the records it shows differ); merge from the commit the "
                                     "shards were built from")
        for shard in self.shards:
            self.copy_files(shard, build.tmp)
            for key, entry in shard.manifest["editions"].items():
                build.outputs[key] = entry["outputs"]

    def copy_files(self, shard: ShardFolder, site: Path) -> None:
        listed = shard.manifest["files"]
        briefs = shard.path / "briefs"
        present = {p.relative_to(shard.path).as_posix() for p in briefs.rglob("*")
                   if p.is_file() or p.is_symlink()} if briefs.is_dir() else set()
        extra = sorted(present - set(listed))
        if extra:
            raise UsageError(f"{shard.name} holds {extra[0]}, which its manifest does not list; build that shard again")
        for name, entry in sorted(listed.items()):
            parts = Path(name).parts
            if Path(name).is_absolute() or not parts or parts[0] != "briefs" or ".." in parts or "\\" in name:
                raise UsageError(f"{shard.name} lists {name!r}, outside briefs/; build that shard again")
            source = shard.path / name
            linked = source.is_symlink() or not source.resolve().is_relative_to(shard.path.resolve())
            if linked or not source.is_file():
                raise UsageError(f"{shard.name} lists {name}, which is {'a link' if linked else 'missing'}; "
                                 "build that shard again, or download its artifact again")
            target = site / name
            if target.exists():
                raise UsageError(f"{name} is in two shards (one of them {shard.name})")
            data = source.read_bytes()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise UsageError(f"{shard.name}: {name} does not match its manifest's sha256 (damaged or altered in "
                                 "transit); build that shard again, or download its artifact again")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            self.copied += 1

    def finish(self, build: Any) -> None:
        raise AssertionError("a merge writes the site pages")


@dataclass
class MergeReport:
    shards: int
    editions: int
    files: int
    channel: Marking
    build: BuildReport
    seconds: float


def merge(folders: list[Path], root: Path, out: Path, cache_dir: Path | None = None) -> MergeReport:
    """The shards in `folders` as one site in `out`, or a UsageError (the previous `out` untouched). The channel,
    formats, address and private folders are the shards' own, so the merge cannot be asked for another site."""
    started = time.perf_counter()
    if not folders:
        raise UsageError("merge needs the shard folders, e.g. briefwright merge shards/* --out site")
    shards = [read_shard(folder) for folder in folders]
    check_shards(shards)
    manifest = shards[0].manifest
    try:
        channel = Marking(manifest["channel"])
    except ValueError:
        raise UsageError(f"{shards[0].name}: unknown channel {manifest['channel']!r}") from None
    part = Merge(sorted(shards, key=lambda s: s.manifest["shard"]["index"]))
    report = build(BuildOptions(root=root, out=out, jobs=1, max_marking=channel, formats=list(manifest["formats"]),
                                private=bool(manifest.get("private", True)), cache_dir=cache_dir,
                                base_url=manifest.get("base_url"), part=part))
    editions = sum(len(s.manifest["editions"]) for s in shards)
    return MergeReport(len(shards), editions, part.copied, channel, report, time.perf_counter() - started)
