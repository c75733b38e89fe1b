"""Values a record holds that are more than text: partial dates and forecast windows, each parsed and printed
in the language of the edition being made."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from briefwright.core.i18n import format_partial


class PartialDate(str):
    """A date known to the year, month or day: '2025', '2025-08' or '2025-08-14'."""

    _pattern = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

    @classmethod
    def parse(cls, value: Any) -> PartialDate | None:
        if isinstance(value, dt.datetime):
            return None
        if isinstance(value, dt.date):
            return cls(value.isoformat())
        if isinstance(value, int) and 1000 <= value <= 9999:
            return cls(str(value))
        if not isinstance(value, str) or not (m := cls._pattern.match(value)):
            return None
        year, month, day = (int(g) if g else None for g in m.groups())
        try:
            dt.date(year or 1, month or 1, day or 1)  # the pattern always captures a year
        except ValueError:
            return None
        return cls(value)

    @property
    def sort_key(self) -> str:
        return self

    def as_date(self) -> dt.date:
        parts = [int(p) for p in self.split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])

    def latest_day(self) -> dt.date:
        """The last day it may stand for: '2026-01' may be any day of January, so up to the 31st."""
        first = self.as_date()
        if self.count("-") == 2:
            return first
        if self.count("-") == 1:
            following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(first.year, 12, 31)

    def reach(self) -> tuple[dt.date, int]:
        """How far it reaches, to compare dates: of a month and a day within it, the month (it may run past the day)."""
        return self.latest_day(), -self.count("-")

    @classmethod
    def newest(cls, dates: Iterable[PartialDate]) -> PartialDate | None:
        """The one reaching furthest."""
        return max(dates, key=PartialDate.reach, default=None)

    def display(self) -> str:
        return format_partial(self)


def date_display(day: dt.date) -> str:
    """A full date as briefs print it: 14 January 2026."""
    return f"{day.day} {day:%B %Y}"


class ForecastWindow(str):
    """The period a forecast covers, as an ISO 8601 interval of two full dates: '2026-01-14/2027-01-14'."""

    _pattern = re.compile(r"^\s*(\S+?)\s*/\s*(\S+?)\s*$")
    _day = re.compile(r"^\d{4}-\d{2}-\d{2}$")

    @classmethod
    def parse(cls, value: Any) -> tuple[ForecastWindow | None, str]:
        """The window written, or None and why it is refused (a phrase following the value)."""
        example = "write it as start/end, two full dates, e.g. 2026-01-14/2027-01-14"
        if isinstance(value, dt.date):
            return None, f"is one date, not a window; {example}"
        if not isinstance(value, str) or not (m := cls._pattern.match(value)):
            return None, f"is not a forecast window; {example}"
        ends = []
        for name, part in zip(("start", "end"), m.groups(), strict=True):
            if not cls._day.match(part):
                partial = PartialDate.parse(part) is not None
                why = "is not a full date" if partial else "is not a date"
                return None, f"has {name} '{part}', which {why} (YYYY-MM-DD); {example}"
            try:
                ends.append(dt.date.fromisoformat(part))
            except ValueError:
                return None, f"has {name} '{part}', which is not a date in the calendar; {example}"
        start, end = ends
        if start > end:
            return None, f"starts ({start}) after it ends ({end}); put the earlier date first"
        return cls(f"{start.isoformat()}/{end.isoformat()}"), ""

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.partition("/")[0])

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.partition("/")[2])

    def display(self) -> str:
        return f"{date_display(self.start)} \u2013 {date_display(self.end)}"


