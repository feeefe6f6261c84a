"""Legal time: instants in UTC, legal dates in China Standard Time. Rules receive time, never read it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, as an aware UTC instant."""
    return datetime.now(UTC)


def legal_date(instant: datetime) -> date:
    """The calendar day in Asia/Shanghai on which an instant falls."""
    return instant.astimezone(CHINA).date()


def end_of_legal_day(day: date) -> datetime:
    """The last representable instant of a legal day, local time (23:59:59.999999) — for display only.

    Rules never compare an instant with it: "by that day" compares legal dates (domain.chronology.in_time),
    so 23:59:59.4 is in time and only 00:00:00 of the next day is late.
    """
    return datetime.combine(day, time.max, tzinfo=CHINA)
