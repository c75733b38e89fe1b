"""`briefwright links`: the only part of Briefwright that uses the network.

- `check` asks every source's address (and archived copy) whether it still answers, politely (one or two
  requests at a time per host, a delay between them, Retry-After honoured), and keeps each result for a day;
- `archive` asks a Save Page Now 2 service for a copy of every cited address without one, and writes the copy
  and its day into the source's own YAML (`writeback`, every other byte of the file kept).

Nothing else imports this package: `build`, `check` and `serve` never open a connection.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Protocol

USER_AGENT = "Briefwright link checker (briefwright links; checks the sources a brief cites)"


class Clock(Protocol):
    """Time as the link commands see it: the tests give a fake one, so rate limits are tested without sleeping."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def now(self) -> dt.datetime: ...


class SystemClock:
    def __init__(self) -> None:
        self.stop = threading.Event()  # set on Ctrl-C: a worker waiting out a delay gives up at once

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.stop.wait(seconds)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)
