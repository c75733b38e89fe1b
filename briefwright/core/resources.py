"""Where the engine's own files are: inside the installed package (a wheel carries them as package
data, see setup.py), or, when run from a checkout, at the repository's top level where they are kept."""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # briefwright/, above core/
CHECKOUT = PACKAGE.parent


def _first(*candidates: Path) -> Path:
    return next((c for c in candidates if c.is_dir()), candidates[-1])


DEFAULT_THEME = _first(PACKAGE / "default_theme", CHECKOUT / "templates")
DOCS = _first(PACKAGE / "docs", CHECKOUT / "docs")  # the guides `briefwright docs` shows
EXAMPLES = {"glm-image": _first(PACKAGE / "examples" / "glm-image", CHECKOUT)}
