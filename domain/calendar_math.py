"""Calendar-month arithmetic — the one place the platform adds calendar months to a date."""

from __future__ import annotations

import calendar
from datetime import date


def last_day_of_month(year: int, month: int) -> int:
    """The number of the last day of the month: 28/29 for February, 30 or 31 otherwise."""
    return calendar.monthrange(year, month)[1]


def is_month_end(d: date) -> bool:
    """True when d is the last day of its month (28 Feb 2026, 30 Apr, 31 May …)."""
    return d.day == last_day_of_month(d.year, d.month)


def add_months(d: date, months: int) -> date:
    """d moved by whole calendar months (negative allowed), clamped to the target month's end.

    31 Jan + 1 month = 28 Feb (29 in a leap year); 30 Nov + 3 months = 28/29 Feb; 15 Mar + 3 = 15 Jun.
    The day is kept when it exists in the target month; otherwise the last day of that month is used.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(d.day, last_day_of_month(year, month)))


def add_months_end_anchored(d: date, months: int) -> date:
    """Like add_months, but a month-end date stays on month ends: 28 Feb + 3 months = 31 May.

    Used where a period is "every N months from d" and d is itself the end of its month: a month-end
    anchor means "at the end of each N-th month", so 30 Apr → 31 Jul, 28 Feb → 31 May.
    """
    moved = add_months(d, months)
    if is_month_end(d):
        return date(moved.year, moved.month, last_day_of_month(moved.year, moved.month))
    return moved
