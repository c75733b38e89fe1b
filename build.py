#!/usr/bin/env python3
"""The one command: `python build.py` builds every brief; `python build.py --help` lists the rest."""
import sys

from briefwright.cli import main

if __name__ == "__main__":
    sys.exit(main())
