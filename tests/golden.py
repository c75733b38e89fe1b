"""Golden outputs: the sha256 of every file a build of each real topic writes, so a restructuring
step can prove that it changed no output byte. `python tests/golden.py --write` records them again
after a change of output that was meant (say which in the commit message)."""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
TOPICS = {"glm-image": REPO, "eu-ai-act": REPO / "topics" / "eu-ai-act"}


def manifest(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def build_topic(project: Path, out: Path, cache: Path) -> None:
    sys.path.insert(0, str(REPO))
    from briefwright.cli import main
    code = main(["build", "--project", str(project), "--out", str(out), "--cache-dir", str(cache), "--no-private",
                 "--max-marking", "RED", "-j", "2"])
    if code != 0:
        raise SystemExit(f"build of {project} failed with exit {code}")


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print("usage: python tests/golden.py --write", file=sys.stderr)
        return 2
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, project in TOPICS.items():
            out = Path(tmp) / name
            build_topic(project, out, Path(tmp) / "cache")
            (GOLDEN / f"{name}.json").write_text(json.dumps(manifest(out), indent=1) + "\n", encoding="utf-8")
            print(f"wrote {GOLDEN / (name + '.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
