"""Sharded builds: `build --shard K/N` on several machines and `merge` give the same bytes as one build, and a
merge of shards that do not belong together is refused in one line, leaving the previous site as it was."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, REPO, copy_project, run_cli, snapshot

from briefwright.builder.shard import MANIFEST, shard_of
from briefwright.core.machine import fingerprint, fingerprint_digest

BASE = "https://example.org/briefs/"
# Word as well as the page: the merge must carry every file of a brief's folder, not only its HTML.
FORMATS = ("--formats", "html,docx", "--base-url", BASE, "-j", "1")


def test_the_share_is_a_stable_hash_of_brief_and_language_not_pythons_hash():
    assert [shard_of("sample", lang, 4) for lang in ("en", "fr", "zh-Hans")] == [2, 4, 3]
    assert [shard_of(f"b{i}", "en", 8) for i in range(8)] == [8, 5, 4, 1, 8, 2, 1, 6]
    # The same in a process with another string hash seed.
    code = "from briefwright.builder.shard import shard_of; print(shard_of('sample', 'fr', 4), shard_of('b3', 'en', 8))"
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                              env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
        assert done.stdout.split() == ["4", "1"], done.stderr


def test_shares_are_even_enough_for_many_editions():
    counts = [0] * 8
    for i in range(4000):
        counts[shard_of(f"brief-{i}", ("en", "fr", "zh-Hans")[i % 3], 8) - 1] += 1
    assert min(counts) > 430 and max(counts) < 570, counts


@pytest.mark.parametrize("value", ["0/4", "5/4", "2/0", "x", "2", "1/4/2", "-1/4", ""])
def test_a_bad_shard_is_a_one_line_usage_error(minimal, value):
    result = run_cli("build", "--shard", value, "--out", minimal.parent / "s", cwd=minimal)
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "--shard takes K/N" in result.stderr
    assert not (minimal.parent / "s").exists()


def test_shard_and_only_cannot_be_combined(minimal):
    result = run_cli("build", "--shard", "1/2", "--only", "sample", "--out", minimal.parent / "s", cwd=minimal)
    assert result.code == 2 and "--only" in result.stderr


def test_version_fingerprint_prints_the_digest_alone(tmp_path):
    result = run_cli("--version", "--fingerprint", cwd=tmp_path)
    assert result.code == 0
    assert re.fullmatch(r"[0-9a-f]{64}\n", result.stdout)
    assert result.stdout.strip() == fingerprint_digest(fingerprint())


def _build_shards(project: Path, work: Path, count: int, *extra) -> list[Path]:
    folders = []
    for k in range(1, count + 1):
        out = work / "shards" / f"{k}-of-{count}"
        result = run_cli("build", "--shard", f"{k}/{count}", "--out", out, "--cache-dir", work / f"cache-{k}",
                         *FORMATS, *extra, cwd=project)
        assert result.code == 0, result.stderr
        assert f"shard {k}/{count}:" in result.stderr
        folders.append(out)
    return folders


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """The translated sample (two briefs, one in three languages) built once whole and once as 3 shards, each with
    a cache of its own as on separate runners; one of the shards has no edition at all."""
    work = tmp_path_factory.mktemp("sharded")
    project = copy_project(FIXTURES / "translated", work / "project")
    single = run_cli("build", "--out", work / "single", "--cache-dir", work / "cache-single", *FORMATS, cwd=project)
    assert single.code == 0, single.stderr
    shards = _build_shards(project, work, 3)
    return project, work, shards


def _merge(project: Path, shards: list[Path], out: Path, *extra):
    return run_cli("merge", *shards, "--out", out, "--cache-dir", out.parent / "cache-merge", *extra, cwd=project)


def test_three_shards_merged_are_the_single_build_byte_for_byte(sharded):
    project, work, shards = sharded
    editions = {"plain": "en", "sample": "en", "sample/fr": "fr", "sample/zh-Hans": "zh-Hans"}
    shares = {key: shard_of(key.split("/")[0], lang, 3) for key, lang in editions.items()}
    assert set(shares.values()) != {1, 2, 3}, "the sample should leave one shard empty"
    assert len({shares["sample"], shares["sample/fr"], shares["sample/zh-Hans"]}) > 1, \
        "the sample should split one brief's editions over shards"
    for k, folder in enumerate(shards, start=1):
        manifest = json.loads((folder / MANIFEST).read_text())
        assert sorted(manifest["editions"]) == sorted(key for key, s in shares.items() if s == k)
        assert manifest["shard"] == {"index": k, "count": 3} and manifest["channel"] == "CLEAR"
        assert manifest["fingerprint"] == fingerprint_digest(fingerprint())
        for name, entry in manifest["files"].items():
            assert name.startswith("briefs/")
            assert entry["bytes"] == (folder / name).stat().st_size
        assert not (folder / "assets").exists() and not (folder / "index.html").exists()
    result = _merge(project, shards, work / "merged")
    assert result.code == 0, result.stderr
    assert re.search(r"merged 3 shards \(4 editions, \d+ files\) into .* for TLP:CLEAR", result.stderr)
    single, merged = snapshot(work / "single"), snapshot(work / "merged")
    assert sorted(single) == sorted(merged)
    assert "sitemap.xml" in merged and "briefs/sample/zh-Hans/sample.zh-Hans.docx" in merged
    different = [name for name in single if single[name] != merged[name]]
    assert not different


def test_a_shard_is_rebuilt_in_place_and_reuses_its_cache(sharded):
    project, work, shards = sharded
    again = run_cli("build", "--shard", "3/3", "--out", shards[2], "--cache-dir", work / "cache-3", *FORMATS,
                    cwd=project)
    assert again.code == 0 and "built 0," in again.stderr, again.stderr


def test_the_default_folders(sharded, tmp_path):
    project, _, _ = sharded
    copy = copy_project(project, tmp_path / "p")
    result = run_cli("build", "--shard", "2/3", *FORMATS, cwd=copy)
    assert result.code == 0, result.stderr
    assert (copy / "shards" / "2-of-3" / MANIFEST).is_file()


@pytest.fixture(scope="module")
def merged(sharded):
    """The shards merged once, into a site each test below gets a copy of."""
    project, work, shards = sharded
    site = work / "merged-once"
    assert _merge(project, shards, site).code == 0
    return site


@pytest.fixture
def fresh(sharded, merged, tmp_path):
    """Copies of the shards to spoil, and a site already in place (a copy of the merged one) that a refused merge
    must leave as it was."""
    project, work, shards = sharded
    copies = [Path(shutil.copytree(folder, tmp_path / folder.name)) for folder in shards]
    site = Path(shutil.copytree(merged, tmp_path / "site", symlinks=True))
    return project, copies, site, snapshot(site)


def _edit(folder: Path, change) -> None:
    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest))


def _refused(project: Path, shards: list[Path], site: Path, before: dict, *words: str) -> str:
    result = _merge(project, shards, site)
    assert result.code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefwright: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert snapshot(site) == before
    assert not list(site.parent.glob(".site.tmp-*"))
    return lines[0]


def test_a_missing_shard(fresh):
    project, shards, site, before = fresh
    _refused(project, shards[:2], site, before, "shard 3 of 3 is missing")


def test_a_shard_given_twice(fresh):
    project, shards, site, before = fresh
    _refused(project, [shards[0], shards[1], shards[1]], site, before, "shard 2/3 is given twice")


def test_shards_of_different_counts(fresh):
    project, shards, site, before = fresh
    _edit(shards[2], lambda m: m["shard"].update(count=4))
    _refused(project, shards, site, before, "one of 4 shards", "one of 3")


def test_a_folder_that_is_not_a_shard(fresh, tmp_path):
    project, shards, site, before = fresh
    (tmp_path / "empty").mkdir()
    _refused(project, [*shards, tmp_path / "empty"], site, before, "is not a shard", MANIFEST)
    (shards[0] / MANIFEST).write_text("{not json")
    _refused(project, shards, site, before, "cannot be read as a shard manifest")


def test_shards_for_different_channels(fresh, tmp_path):
    project, shards, site, before = fresh
    red = tmp_path / "red"
    result = run_cli("build", "--shard", "2/3", "--out", red, "--cache-dir", tmp_path / "c", "--max-marking", "RED",
                     *FORMATS, cwd=project)
    assert result.code == 0, result.stderr
    _refused(project, [shards[0], red, shards[2]], site, before, "differ in channel", "RED", "CLEAR")


@pytest.mark.parametrize("key,what", [("fingerprint", "machine fingerprint"), ("commit", "project commit"),
                                      ("content", "content digest"), ("base_url", "--base-url"),
                                      ("formats", "output formats")])
def test_shards_that_disagree(fresh, key, what):
    project, shards, site, before = fresh
    value = ["html"] if key == "formats" else "0123456789abcdef" * 4
    _edit(shards[1], lambda m: m.__setitem__(key, value))
    _refused(project, shards, site, before, f"differ in {what}")


def test_shards_built_by_another_engine_or_packages(fresh):
    project, shards, site, before = fresh
    for folder in shards:
        _edit(folder, lambda m: m["engine"].update(files="f" * 64))
    _refused(project, shards, site, before, "engine files ffffffffffff", "merge with the engine that built them")
    for folder in shards:
        _edit(folder, lambda m: m["engine"].update(files=fingerprint()["engine_files"]))
        _edit(folder, lambda m: m["engine"]["packages"].update(jinja2="0.1"))
    _refused(project, shards, site, before, "built with jinja2 0.1")


def test_a_project_changed_since_the_shards_were_built(fresh):
    project, shards, site, before = fresh
    settings = project / "project.yaml"
    text = settings.read_text()
    try:
        settings.write_text(text.replace("organisation: Sample Desk", "organisation: Another Desk"))
        _refused(project, shards, site, before, "is not what the shards were built from")
    finally:
        settings.write_text(text)


def test_a_translation_changed_since_the_shards_were_built(fresh):
    """The English is the same, so the shards' content digests agree; the French edition is compared on its own."""
    project, shards, site, before = fresh
    french = project / "translations" / "fr.yaml"
    text = french.read_text()
    try:
        french.write_text(text.replace("text: ", "text: Maintenant ", 1))
        _refused(project, shards, site, before, "made edition 'sample/fr' from other content than this project's")
    finally:
        french.write_text(text)


def test_shards_built_from_different_content(fresh, tmp_path):
    project, shards, site, before = fresh
    other = copy_project(project, tmp_path / "other")
    settings = other / "project.yaml"
    settings.write_text(settings.read_text().replace("organisation: Sample Desk", "organisation: Another Desk"))
    result = run_cli("build", "--shard", "1/3", "--out", tmp_path / "one", "--cache-dir", tmp_path / "c", *FORMATS,
                     cwd=other)
    assert result.code == 0, result.stderr
    _refused(project, [tmp_path / "one", shards[1], shards[2]], site, before, "differ in content digest")


def test_an_edition_in_no_shard(fresh):
    project, shards, site, before = fresh
    holder = next(s for s in shards if json.loads((s / MANIFEST).read_text())["editions"])
    name = sorted(json.loads((holder / MANIFEST).read_text())["editions"])[0]
    _edit(holder, lambda m: m["editions"].pop(name))
    _refused(project, shards, site, before, f"edition '{name}' is in no shard")


def test_an_edition_in_the_wrong_shard(fresh):
    project, shards, site, before = fresh
    holder = next(s for s in shards if json.loads((s / MANIFEST).read_text())["editions"])
    other = next(s for s in shards if s != holder)
    moved = json.loads((holder / MANIFEST).read_text())["editions"]
    _edit(other, lambda m: m["editions"].update(moved))
    _refused(project, shards, site, before, "which falls to shard")


def test_a_file_altered_in_transit(fresh):
    project, shards, site, before = fresh
    holder = next(s for s in shards if (s / "briefs").is_dir())
    page = sorted((holder / "briefs").rglob("index.html"))[0]
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<script>alert(1)</script></body>"))
    _refused(project, shards, site, before, "does not match its manifest's sha256")


def test_a_file_the_manifest_does_not_list(fresh):
    project, shards, site, before = fresh
    holder = next(s for s in shards if (s / "briefs").is_dir())
    (holder / "briefs" / "extra.html").write_text("<p>planted</p>")
    _refused(project, shards, site, before, "briefs/extra.html, which its manifest does not list")


def test_a_listed_file_outside_the_brief_folders(fresh):
    project, shards, site, before = fresh
    holder = next(s for s in shards if (s / "briefs").is_dir())
    _edit(holder, lambda m: m["files"].update({"../outside.html": {"sha256": "0" * 64, "bytes": 1}}))
    _refused(project, shards, site, before, "outside briefs/")


def test_a_listed_file_that_is_missing(fresh):
    project, shards, site, before = fresh
    holder = next(s for s in shards if (s / "briefs").is_dir())
    page = sorted((holder / "briefs").rglob("*.docx"))[0]
    page.unlink()
    _refused(project, shards, site, before, "which is missing")


@pytest.mark.slow
def test_four_shards_of_the_real_content_merge_into_the_single_build_byte_for_byte(real_site, tmp_path):
    """The real topic as conftest's real_site builds it (restricted briefs, no private folders, -j2), against 4 shards
    each built cold with a cache of its own, as separate runners would, then merged."""
    single, _ = real_site
    shards = []
    for k in range(1, 5):
        out = tmp_path / f"shard-{k}"
        result = run_cli("build", "--project", REPO, "--shard", f"{k}/4", "--out", out, "--cache-dir",
                         tmp_path / f"cache-{k}", "-j", "2", "--include-restricted", "--no-private", cwd=REPO)
        assert result.code == 0, result.stderr
        shards.append(out)
    held = [len(json.loads((s / MANIFEST).read_text())["editions"]) for s in shards]
    assert sum(held) >= 8 and sum(1 for n in held if n) >= 3, held  # the work really is spread
    merged = tmp_path / "merged"
    result = run_cli("merge", *shards, "--project", REPO, "--out", merged, "--cache-dir", tmp_path / "cache-merge",
                     cwd=REPO)
    assert result.code == 0, result.stderr
    want, got = snapshot(single), snapshot(merged)
    assert sorted(want) == sorted(got)
    assert any(name.endswith(".pdf") and "/editions/" in name for name in got)  # archived earlier editions too
    different = [name for name in want if want[name] != got[name]]
    assert not different, different


@pytest.mark.slow
def test_the_sharded_workflow_steps_run_in_a_desk_from_init_give_the_single_workflows_site(tmp_path):
    """The shell steps of init's two workflows, run as CI runs them (with `briefwright` on PATH, this engine): the
    shards' folders pass through an artifact upload that leaves hidden files out, and the merged site, after the
    leak check, is the single workflow's site byte for byte."""
    import os

    import yaml
    assert run_cli("init", tmp_path / "desk", cwd=tmp_path).code == 0
    desk = tmp_path / "desk"
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "briefwright").write_text(f"#!/bin/sh\nexec {sys.executable} {REPO / 'build.py'} \"$@\"\n")
    (bindir / "briefwright").chmod(0o755)
    env = {**{k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")},
           "PATH": f"{bindir}:{os.environ['PATH']}", "PYTHONPATH": str(REPO), "CI": "true", "BASE_URL": BASE.rstrip("/")}

    def step(job: dict, words: str, **extra) -> None:
        script = next(s["run"] for s in job["steps"] if words in str(s.get("run", "")))
        done = subprocess.run(["bash", "-e", "-c", script], cwd=desk, env={**env, **extra}, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr

    epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=desk, capture_output=True, text=True).stdout.strip()
    single = yaml.safe_load((desk / ".github" / "workflows" / "site.yml").read_text())["jobs"]["build"]
    step(single, "briefwright build --force", SOURCE_DATE_EPOCH=epoch)  # one date for both, even at midnight
    (desk / "site").rename(tmp_path / "single")
    sharded = yaml.safe_load((desk / ".github" / "site-sharded.yml").read_text())["jobs"]
    for k in (1, 2, 3):
        step(sharded["shard"], "briefwright build", SHARD=f"{k}/3", SOURCE_DATE_EPOCH=epoch)
        shutil.copytree(desk / "shard", desk / "shards" / f"shard-{k}", ignore=shutil.ignore_patterns(".*"))
        shutil.rmtree(desk / "shard")
    step(sharded["merge"], "briefwright merge", SOURCE_DATE_EPOCH=epoch)
    step(sharded["merge"], "briefwright verify", SOURCE_DATE_EPOCH=epoch)
    assert snapshot(desk / "site") == snapshot(tmp_path / "single")


def test_a_listed_file_reached_through_a_link(fresh, tmp_path):
    project, shards, site, before = fresh
    holder = next(s for s in shards if (s / "briefs").is_dir())
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_text("<p>not the shard's</p>")
    (holder / "briefs" / "linked").symlink_to(outside, target_is_directory=True)
    digest = hashlib.sha256((outside / "secret.html").read_bytes()).hexdigest()
    _edit(holder, lambda m: m["files"].update({"briefs/linked/secret.html": {"sha256": digest, "bytes": 22}}))
    _refused(project, shards, site, before, "briefs/linked")  # a link is never a file a shard made
