"""Calendar-month arithmetic — the one place the platform adds calendar months to a date.

PRC Civil Code Art. 202: "按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的
最后一日". A period of N months from an anchor date ends on the anchor's day in the N-th month after it,
or on that month's last day when the month is too short. Every schedule (R18 reports, R19 window, R20
rectification, R21 filing reminder, R22 self-evaluation) computes each due date from its anchor with
add_months(anchor, N·k) — never from the previous due date — so a clamped 28 February does not pin the
later dates to month ends.
"""

from __future__ import annotations

import calendar
from datetime import date


def last_day_of_month(year: int, month: int) -> int:
    """The number of the last day of the month: 28/29 for February, 30 or 31 otherwise."""
    return calendar.monthrange(year, month)[1]


def add_months(d: date, months: int) -> date:
    """d moved by whole calendar months (negative allowed): the corresponding day, or the month's end.

    31 Jan + 1 month = 28 Feb (29 in a leap year); 30 Nov + 3 months = 28/29 Feb; 15 Mar + 3 = 15 Jun;
    28 Feb + 3 months = 28 May (28 May has a corresponding day, so it is not moved to 31 May).
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(d.day, last_day_of_month(year, month)))
