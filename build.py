#!/usr/bin/env python3
"""The one command: `python build.py` builds every brief; `python build.py --help` lists the rest."""
import sys

try:
    from briefwright.cli import main
except ModuleNotFoundError as exc:  # a Python without Briefwright's packages: say how to get them, not a traceback
    from briefwright.core.environment import missing_package
    print(missing_package(exc), file=sys.stderr)
    sys.exit(2)

if __name__ == "__main__":
    sys.exit(main())
