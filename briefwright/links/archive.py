"""Archived copies asked of a Save Page Now 2 service (the Wayback Machine's, or one that speaks its API).

POST {endpoint}/save with the address starts a capture and answers a job id; GET
{endpoint}/save/status/{job_id} answers pending until the capture is made, then success and its timestamp;
the copy is then {endpoint}/web/{timestamp}/{address}. Captures are asked for no faster than `per_minute`
(the service allows about 12 a minute with a key, 4 without), and up to CONCURRENT are made at once while
the earlier ones are polled. The key comes from the environment only, and goes only over https (or to this
machine).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from briefwright.links import USER_AGENT, Clock
from briefwright.links.check import retry_after

DEFAULT_ENDPOINT = "https://web.archive.org"
KEY_VARIABLE = "BRIEFWRIGHT_ARCHIVE_KEY"
ENDPOINT_VARIABLE = "BRIEFWRIGHT_ARCHIVE_ENDPOINT"
CONCURRENT = 4  # captures in progress at once: the service refuses more from one user
POLL_SECONDS = 6.0
PATIENCE_SECONDS = 600.0  # a capture pending longer is left for the next run, which polls it again


class ArchiveRefused(Exception):
    """The archive would not capture this address (its message says why); nothing to write."""


@dataclass(frozen=True)
class Capture:
    url: str
    archived_url: str
    day: dt.date


def endpoint_of(given: str | None, configured: str | None) -> str:
    """--endpoint, else BRIEFWRIGHT_ARCHIVE_ENDPOINT, else project.yaml's links archive_endpoint, else the
    Wayback Machine."""
    return (given or os.environ.get(ENDPOINT_VARIABLE) or configured or DEFAULT_ENDPOINT).rstrip("/")


def key_allowed(endpoint: str) -> bool:
    """The key is sent only where nobody on the way can read it: https, or an address on this machine."""
    parts = urlsplit(endpoint)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def copy_address(endpoint: str, timestamp: str, url: str) -> str:
    return f"{endpoint}/web/{timestamp}/{url}"


def _day(timestamp: str) -> dt.date:
    return dt.date(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8]))


class Archiver:
    """Asks for captures and polls them, on one thread, against `clock`."""

    def __init__(self, endpoint: str, key: str | None, per_minute: int, clock: Clock,
                 transport: httpx.BaseTransport | None = None, poll_seconds: float = POLL_SECONDS,
                 patience: float = PATIENCE_SECONDS):
        self.endpoint, self.clock = endpoint, clock
        self.interval = 60.0 / per_minute
        self.poll_seconds, self.patience = poll_seconds, patience
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if key:
            headers["Authorization"] = f"LOW {key}"
        self.client = httpx.Client(headers=headers, timeout=60.0, transport=transport)
        self.next_save = float("-inf")

    def close(self) -> None:
        self.client.close()

    def _json(self, response: httpx.Response) -> dict:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ArchiveRefused(f"the archive answered HTTP {response.status_code} without JSON")
        return data

    def ask(self, url: str) -> str:
        """Start a capture no sooner than the rate allows; its job id. A 429 pushes every later request back by
        the wait its Retry-After asks for."""
        while True:
            self.clock.sleep(self.next_save - self.clock.monotonic())
            self.next_save = self.clock.monotonic() + self.interval
            response = self.client.post(f"{self.endpoint}/save", data={"url": url})
            if response.status_code == 429:
                wait = retry_after(response.headers.get("retry-after"), self.clock.now())
                self.next_save = self.clock.monotonic() + max(wait or 60.0, self.interval)
                continue
            data = self._json(response)
            if response.status_code >= 400 or data.get("status") == "error" or not data.get("job_id"):
                raise ArchiveRefused(str(data.get("message") or data.get("status_ext") or f"HTTP {response.status_code}"))
            return str(data["job_id"])

    def status(self, job_id: str, url: str) -> Capture | None:
        """The capture once made, None while it is pending (or the archive is too busy to say); ArchiveRefused
        when it failed."""
        response = self.client.get(f"{self.endpoint}/save/status/{job_id}")
        if response.status_code == 429 or response.status_code >= 500:
            return None
        data = self._json(response)
        state = data.get("status")
        if state == "success" and data.get("timestamp"):
            timestamp = str(data["timestamp"])
            original = str(data.get("original_url") or url)
            try:
                day = _day(timestamp)
            except ValueError:
                raise ArchiveRefused(f"the archive's timestamp {timestamp!r} is not a date") from None
            return Capture(url, copy_address(self.endpoint, timestamp, original), day)
        if state == "pending":
            return None
        raise ArchiveRefused(str(data.get("message") or data.get("status_ext") or f"status {state!r}"))

    def run(self, jobs: dict[str, dict], wanted: list[str], captured: Callable[[Capture], None],
            refused: Callable[[str, str], None], changed: Callable[[], None]) -> list[str]:
        """Poll the jobs already asked for (`jobs`: address -> {job_id, asked}), ask for each wanted address, and
        call `captured` or `refused` for each as it ends; `changed` after `jobs` changes, so it can be kept.
        Returns the addresses still pending after PATIENCE_SECONDS (left in `jobs` for the next run)."""
        queue = [url for url in wanted if url not in jobs]
        polls = {url: self.clock.monotonic() for url in jobs}  # url -> when to poll next
        started = {url: self.clock.monotonic() for url in jobs}
        given_up: list[str] = []
        while queue or polls:
            now = self.clock.monotonic()
            if queue and len(polls) < CONCURRENT and now >= self.next_save:
                url = queue.pop(0)
                try:
                    job_id = self.ask(url)
                except ArchiveRefused as exc:
                    refused(url, str(exc))
                    continue
                jobs[url] = {"job_id": job_id, "asked": self.clock.now().isoformat(timespec="seconds")}
                changed()
                polls[url] = started[url] = self.clock.monotonic() + self.poll_seconds
                continue
            due = [url for url, at in polls.items() if at <= now]
            for url in due:
                try:
                    capture = self.status(jobs[url]["job_id"], url)
                except ArchiveRefused as exc:
                    del polls[url], jobs[url]
                    changed()
                    refused(url, str(exc))
                    continue
                if capture is not None:
                    del polls[url], jobs[url]
                    changed()
                    captured(capture)
                elif self.clock.monotonic() - started[url] > self.patience:
                    del polls[url]
                    given_up.append(url)
                else:
                    polls[url] = self.clock.monotonic() + self.poll_seconds
            if due:
                continue
            wake = [at for at in polls.values()]
            if queue and len(polls) < CONCURRENT:
                wake.append(self.next_save)
            if wake:
                self.clock.sleep(min(wake) - self.clock.monotonic())
        return given_up
