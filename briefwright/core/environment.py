"""What to say when Briefwright runs in a Python without its packages (say, outside the project's .venv).
Imports nothing beyond the standard library, so build.py (the repository's command) can use it when nothing else loads."""
from __future__ import annotations

import sys


def missing_package(exc: ModuleNotFoundError) -> str:
    return (f"briefwright: this Python ({sys.executable}) does not have the package '{exc.name}' that Briefwright "
            "needs.\nInstall Briefwright again into this Python with pip, so its packages come with it; in the "
            "Briefwright repository, run `make site` once (it sets up .venv with everything), then run "
            "`.venv/bin/briefwright`, or activate it first: `. .venv/bin/activate`.")
