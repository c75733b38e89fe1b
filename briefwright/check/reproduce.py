"""Earlier editions rebuilt from git, for audits only: an edition's published files are kept as bytes beside its
record; the record also names the commit whose tree held its sources, and `editions audit` rebuilds from that
tree, with that tree's own engine when the repository carries one, to show what this machine would make of it
now (`editions restore` keeps a rebuilt file only when its sha256 equals the recorded one).

Content is untrusted, but the tree rebuilt is this repository's own history: it is read with `git archive`
(no checkout, no hooks) into a temporary folder and built there, never over the project.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# Set for a build that rebuilds an earlier edition: its own earlier editions are not reproduced in turn.
REPRODUCING = "BRIEFWRIGHT_REPRODUCING_EDITION"


class NotReproducible(Exception):
    """Why an edition's files could not be rebuilt here; the message says what to do."""


def git(root: Path, *args: str, data: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=not data, timeout=120)


SOURCES = ("project.yaml", "content", "briefs", "templates", "translations")


def source_commit(root: Path) -> str | None:
    """The commit whose tree holds the project's sources as they are now (HEAD), None when the project is not
    in a git repository; NotReproducible when a source differs from HEAD (a release must be rebuildable)."""
    try:
        if git(root, "rev-parse", "--show-toplevel").returncode != 0:
            return None
        paths = [name for name in SOURCES if (root / name).exists()]
        status = git(root, "status", "--porcelain", "--untracked-files=all", "--", *paths)
        head = git(root, "rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return None
    if status.returncode == 0 and head.returncode != 0:
        raise NotReproducible("the repository has no commit yet; make a first commit (git add -A && git commit -m "
                              "'First commit'), then release: an edition records the commit that held its sources")
    if status.returncode != 0 or head.returncode != 0:
        raise NotReproducible("git could not say whether the sources are committed")
    if status.stdout.strip():
        changed = ", ".join(line[3:] for line in status.stdout.splitlines()[:5])
        raise NotReproducible(f"commit the sources first ({changed} differ from HEAD): an edition is rebuilt from the "
                              "commit its record names")
    return head.stdout.strip()


def rebuild(root: Path, commit: str, brief_id: str, formats: list[str]) -> dict[str, bytes]:
    """The brief's files (by format) as the tree of `commit` builds them."""
    try:
        top = git(root, "rev-parse", "--show-toplevel")
        if top.returncode != 0:
            raise NotReproducible("the project is not in a git repository")
        toplevel = Path(top.stdout.strip())
        if git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
            raise NotReproducible(f"commit {commit[:12]} is not in this repository (a shallow clone? fetch the full "
                                  "history, e.g. actions/checkout with fetch-depth: 0)")
        relative = Path(os.path.relpath(root.resolve(), toplevel.resolve()))
        with tempfile.TemporaryDirectory(prefix="briefwright-edition-") as tmp:
            tree, archive = Path(tmp) / "tree", Path(tmp) / "tree.tar"
            result = git(root, "archive", "--format=tar", "-o", str(archive), commit, data=True)
            if result.returncode != 0:
                raise NotReproducible(f"git archive {commit[:12]} failed: {result.stderr.decode(errors='replace')}")
            with tarfile.open(archive) as tar:
                tar.extractall(tree, filter="data")
            project = tree / relative
            engine = tree if (tree / "briefwright" / "cli.py").is_file() else None  # that commit's own engine
            command = [sys.executable, "-c", "import sys; from briefwright.cli import main; sys.exit(main(sys.argv[1:]))",
                       "build", "--project", str(project), "--only", brief_id, "--formats", ",".join(["html", *formats]),
                       "--out", str(Path(tmp) / "site"), "--cache-dir", str(Path(tmp) / "cache"), "-j1",
                       "--no-private", "--include-restricted"]
            env = {**os.environ, REPRODUCING: "1"}
            if engine is not None:
                env["PYTHONPATH"] = str(engine)
            done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["no message"])[-1]
                raise NotReproducible(f"the build of commit {commit[:12]} failed: {last}")
            folder = Path(tmp) / "site" / "briefs" / brief_id
            return {fmt: path.read_bytes() for fmt in formats
                    for path in [folder / f"{brief_id}.{fmt}"] if path.is_file()}
    except (OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
        raise NotReproducible(f"could not rebuild from commit {commit[:12]}: {exc}") from None
