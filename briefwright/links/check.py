"""What an address answers: live, redirected (with where to), dead (404, 410, a name no DNS server knows, a
soft 404) or unreachable (a timeout, a server error or a refusal that outlasted the retries).

Requests are made with httpx, per host one or two at a time with a delay between them. A 429 or 503 is asked
again after the wait its Retry-After gives; a 5xx or a timeout after the host's delay. That is the whole retry
policy, fixed rather than backing off: a server that says when to come back is believed, and one that does not
gets the same polite pace as every other request to it, so no retry library is needed.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import httpx

from briefwright.links import USER_AGENT, Clock

LIVE, REDIRECTED, DEAD, UNREACHABLE = "live", "redirected", "dead", "unreachable"
STATUSES = (LIVE, REDIRECTED, DEAD, UNREACHABLE)

# A page title that says the page is not there, in the languages this desk's sources are written in.
_NOT_FOUND_TITLE = re.compile(
    r"\b(?:404|not found|page not found|no longer available|does not exist|doesn.t exist|can(?:no|')t be found|"
    r"page unavailable|page isn.t available)\b|introuvable|nicht gefunden|no encontrad[ao]|non trovat[ao]|"
    r"找不到|不存在|未找到|页面丢失", re.I)
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/home/", "/en", "/en/"}
_ERROR_PATH = re.compile(r"(?:^|/)(?:404|not-?found|error)(?:[./_-]|$)", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
NO_SUCH_HOST = "no such host"
TITLE_BYTES = 256 * 1024  # a title is near the top; the rest of a page is not read


@dataclass
class Result:
    url: str
    status: str  # one of STATUSES
    detail: str = ""  # in a reader's words: 'HTTP 404', 'soft 404: the page's title is "Not found"'
    code: int | None = None  # the last HTTP status, when there was one
    target: str | None = None  # where redirects ended
    checked: str = ""  # when, as an ISO time in UTC

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Result:
        return cls(str(data["url"]), str(data["status"]), str(data.get("detail") or ""), data.get("code"),
                   data.get("target"), str(data.get("checked") or ""))


@dataclass(frozen=True)
class Politeness:
    per_host: int = 1
    delay: float = 1.0  # seconds between two requests to one host
    timeout: float = 20.0
    tries: int = 3  # for a 429, a 503, another 5xx or a timeout
    max_redirects: int = 10
    longest_wait: float = 300.0  # a Retry-After longer than this is not waited for: the result is unreachable


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _site(host: str) -> str:
    return host.removeprefix("www.")


def soft_404(url: str, final: str, title: str | None) -> str | None:
    """Why a page that answered 200 is not there after all, or None: its title says so, or the address was
    sent to a site's home page or an error page."""
    if title and _NOT_FOUND_TITLE.search(title):
        return f'soft 404: the page\'s title is "{title}"'
    if final != url:
        asked, landed = urlsplit(url), urlsplit(final)
        if landed.path in _HOME_PATHS and not landed.query and asked.path not in _HOME_PATHS:
            where = "its own" if _site(asked.hostname or "") == _site(landed.hostname or "") else "another site's"
            return f"soft 404: redirected to {where} home page, {final}"
        if _ERROR_PATH.search(landed.path) and not _ERROR_PATH.search(asked.path):
            return f"soft 404: redirected to an error page, {final}"
    return None


def _title(body: bytes) -> str | None:
    match = _TITLE.search(body)
    if match is None:
        return None
    text = html.unescape(match.group(1).decode("utf-8", "replace"))
    return " ".join(text.split())[:200] or None


def _no_such_host(exc: BaseException) -> bool | None:
    """True when DNS says the name does not exist, False when the lookup itself failed (no network: that is not
    the site's fault), None when the failure was not a lookup."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return seen.errno in {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
        seen = seen.__cause__ or seen.__context__
    return None


def retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds a Retry-After header asks for: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


class _Again(Exception):
    """Ask again after `wait` seconds (None: the host's delay)."""

    def __init__(self, result: Result, wait: float | None = None):
        self.result, self.wait = result, wait


class Checker:
    """Checks addresses with one httpx client, per host `per_host` at a time, `delay` seconds apart."""

    def __init__(self, politeness: Politeness, clock: Clock, transport: httpx.BaseTransport | None = None):
        self.politeness, self.clock = politeness, clock
        self.client = httpx.Client(follow_redirects=True, max_redirects=politeness.max_redirects,
                                   timeout=politeness.timeout, headers={"User-Agent": USER_AGENT},
                                   transport=transport)
        self._lock = threading.Condition()
        self._queues: dict[str, deque[str]] = {}
        self._busy: dict[str, int] = {}
        self._next: dict[str, float] = {}
        self.stopped = False
        self.reached = False  # some host answered: a name DNS does not know is then the name's fault, not ours

    def close(self) -> None:
        self.client.close()

    def check_all(self, urls: list[str], done: Callable[[Result], None], workers: int = 8) -> None:
        """Check every address, calling `done` with each result as it comes (from worker threads, one at a time)."""
        for url in dict.fromkeys(urls):
            self._queues.setdefault(host_of(url), deque()).append(url)
        report = threading.Lock()
        unknown_names: list[Result] = []  # held until some host has answered

        def work() -> None:
            while (taken := self._take()) is not None:
                host, url, wait = taken
                try:
                    self.clock.sleep(wait)
                    result = self.check(url, host) if not self.stopped else None
                finally:
                    self._release(host)
                if result is not None:
                    with report:
                        if result.detail.startswith(NO_SUCH_HOST) and not self.reached:
                            unknown_names.append(result)
                        else:
                            done(result)

        count = max(1, min(workers, len(self._queues) * self.politeness.per_host))
        threads = [threading.Thread(target=work, daemon=True, name=f"links-{i}") for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)  # in short waits, so Ctrl-C reaches the main thread at once
        for result in unknown_names:
            if not self.reached:  # no host answered at all: the machine may be offline, and a domain is not dead
                result.status = UNREACHABLE
                result.detail += ", and no other host answered either: is this machine offline?"
            done(result)

    def _take(self) -> tuple[str, str, float] | None:
        """The next address whose host has a free slot, and how long to wait before asking it."""
        with self._lock:
            while True:
                if self.stopped or not any(self._queues.values()):
                    return None
                ready = [h for h, q in self._queues.items() if q and self._busy.get(h, 0) < self.politeness.per_host]
                if not ready:
                    self._lock.wait(0.5)
                    continue
                host = min(ready, key=lambda h: self._next.get(h, float("-inf")))
                now = self.clock.monotonic()
                start = max(now, self._next.get(host, now))
                self._next[host] = start + self.politeness.delay
                self._busy[host] = self._busy.get(host, 0) + 1
                return host, self._queues[host].popleft(), start - now

    def _release(self, host: str) -> None:
        with self._lock:
            self._busy[host] -= 1
            self._lock.notify_all()

    def _pace(self, host: str, wait: float) -> None:
        """Wait before asking `host` again, and keep its other requests at least that far behind."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), self.clock.monotonic() + wait) + self.politeness.delay
        self.clock.sleep(wait)

    def check(self, url: str, host: str | None = None) -> Result:
        host = host or host_of(url)
        tries = max(1, self.politeness.tries)
        for attempt in range(1, tries + 1):
            try:
                result = self._once(url)
            except _Again as again:
                result = again.result
                if again.wait is not None and again.wait > self.politeness.longest_wait:
                    result.detail += f"; it asks to wait {again.wait:.0f} s, longer than the checker waits"
                elif attempt < tries and not self.stopped:
                    self._pace(host, self.politeness.delay if again.wait is None else max(again.wait, self.politeness.delay))
                    continue
                if attempt > 1:
                    result.detail += f" ({attempt} tries)"
            result.checked = self.clock.now().isoformat(timespec="seconds")
            return result
        raise AssertionError("unreachable: the loop returns")  # pragma: no cover

    def _once(self, url: str) -> Result:
        try:
            with self.client.stream("GET", url) as response:
                self.reached = True
                body = b""
                if response.status_code < 300 and "html" in response.headers.get("content-type", "html"):
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) >= TITLE_BYTES or b"</title" in body.lower():
                            break
                return self._classify(url, response, body)
        except httpx.TooManyRedirects:
            return Result(url, UNREACHABLE, f"more than {self.politeness.max_redirects} redirects")
        except httpx.TimeoutException:
            raise _Again(Result(url, UNREACHABLE, f"no answer within {self.politeness.timeout:g} s")) from None
        except httpx.ConnectError as exc:
            missing = _no_such_host(exc)
            if missing:
                return Result(url, DEAD, f"{NO_SUCH_HOST}: DNS does not know {host_of(url)}")
            if missing is False:
                return Result(url, UNREACHABLE, f"could not look up {host_of(url)} (is this machine offline?)")
            raise _Again(Result(url, UNREACHABLE, f"could not connect: {exc}")) from None
        except httpx.HTTPError as exc:
            raise _Again(Result(url, UNREACHABLE, f"{type(exc).__name__}: {exc}")) from None

    def _classify(self, url: str, response: httpx.Response, body: bytes) -> Result:
        code, final = response.status_code, str(response.url)
        moved = final if response.history and final != url else None
        via = f"redirects to {final}, which " if moved else ""
        if code in (404, 410):
            return Result(url, DEAD, f"{via}answers HTTP {code}", code, moved)
        if code in (429, 503):
            wait = retry_after(response.headers.get("retry-after"), self.clock.now())
            raise _Again(Result(url, UNREACHABLE, f"HTTP {code} (busy)", code, moved), wait)
        if code >= 500:
            raise _Again(Result(url, UNREACHABLE, f"HTTP {code} (server error)", code, moved))
        if code >= 400:
            return Result(url, UNREACHABLE, f"HTTP {code}: the site refused the checker (a reader's browser may still "
                          "get the page)", code, moved)
        if code >= 300:
            return Result(url, UNREACHABLE, f"HTTP {code} without a usable Location", code, moved)
        why = soft_404(url, final, _title(body))
        if why:
            return Result(url, DEAD, why, code, moved)
        if moved:
            return Result(url, REDIRECTED, f"redirects to {final}", code, moved)
        return Result(url, LIVE, f"HTTP {code}", code)
