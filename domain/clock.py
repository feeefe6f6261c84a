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
    """A deadline date ends at 23:59:59 that day, local time (RULES.md counting conventions)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA)
