"""The content model, as one name to import from: its vocabulary (ids and closed word lists), its values (partial
dates, forecast windows) and its records (the typed classes an analyst writes). Parsing records from YAML is the
source layer's (source/parser.py)."""
from briefwright.core.records import *  # noqa: F403
from briefwright.core.values import *  # noqa: F403
from briefwright.core.vocabulary import *  # noqa: F403
