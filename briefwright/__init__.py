"""Briefwright: analysts' YAML facts to audience briefs in HTML and PDF."""

__version__ = "0.2.0"
