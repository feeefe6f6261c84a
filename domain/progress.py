"""R18 (Art. 18): quarterly progress reports from the approval date until the acceptance filing.

[interp] "每3个月报送一次" — a report falls due every 3 calendar months counted from the approval date
(the preliminary-design approval, R13). Months follow PRC Civil Code Art. 202: the n-th due date is the
day of month 3·n after the approval date that corresponds to the approval's day, or that month's last day
when it has no such day (approval 30 Nov → 28/29 Feb, 30 May, 30 Aug, 30 Nov …; approval 28 Feb → 28 May,
28 Aug, 28 Nov, 28 Feb). Each due date is computed from the approval date itself (domain.calendar_math
.add_months), never from the previous due date, so a clamped February never drags later dates with it.
A due date falls on the legal day itself and ends with that China-time day (domain.chronology.in_time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.calendar_math import add_months
from domain.errors import DomainError, Violation

REPORT_INTERVAL_MONTHS = 3


def quarter_due_date(approval_date: date, n: int) -> date:
    """The due date of the n-th report (n ≥ 1) counted from the approval date, see the module [interp]."""
    if n < 1:
        raise ValueError("reports are numbered from 1")
    return add_months(approval_date, REPORT_INTERVAL_MONTHS * n)


def quarter_due_dates(approval_date: date, until: date) -> list[date]:
    """Every report due date after approval_date up to and including `until` (R18).

    `until` is today for an open obligation, or the acceptance filing date once filed (reports end there).
    """
    dues: list[date] = []
    n = 1
    while (due := quarter_due_date(approval_date, n)) <= until:
        dues.append(due)
        n += 1
    return dues


def period_of(approval_date: date, n: int) -> tuple[date, date]:
    """The n-th reporting period: from the previous due date (or the approval date) to the n-th due date."""
    start = approval_date if n == 1 else quarter_due_date(approval_date, n - 1)
    return start, quarter_due_date(approval_date, n)


@dataclass(frozen=True, slots=True)
class QuarterStatus:
    """One R18 report slot: its number, due date, and whether a report was received by then."""

    number: int
    due_on: date
    submitted: bool
    overdue: bool


def quarter_statuses(approval_date: date, today: date, submitted_numbers: set[int]) -> list[QuarterStatus]:
    """Every quarter due up to today, each marked submitted or overdue (a due date is overdue the day after)."""
    return [
        QuarterStatus(
            number=n,
            due_on=due,
            submitted=n in submitted_numbers,
            overdue=n not in submitted_numbers and due < today,
        )
        for n, due in enumerate(quarter_due_dates(approval_date, today), start=1)
    ]


def reporting_quarters(
    approval_date: date, today: date, submitted_numbers: set[int], reporting_ends_on: date | None
) -> list[QuarterStatus]:
    """R18: the quarters due so far — up to today, or up to the acceptance filing once there is one
    (reporting stops at the filing)."""
    until = today if reporting_ends_on is None else min(today, reporting_ends_on)
    return quarter_statuses(approval_date, until, submitted_numbers)


@dataclass(frozen=True, slots=True)
class ProgressFigures:
    """What the unit reports for one period (R18)."""

    period_number: int
    physical_progress: Decimal
    funds_spent: Decimal
    milestones: str = ""
    problems: str = ""


@dataclass
class ProgressReport:
    """One quarterly progress report (R18)."""

    project_id: int
    period_number: int
    period_start: date
    period_end: date
    physical_progress: Decimal
    funds_spent: Decimal
    submitted_at: datetime
    milestones: str = ""
    problems: str = ""
    submitted_by_user_id: int | None = None
    id: int | None = None


def check_report(*, physical_progress: Decimal, funds_spent: Decimal, period_number: int) -> None:
    """A report's figures: progress is a percentage 0–100, funds are not negative, periods count from 1."""
    problems: list[Violation] = []
    if not Decimal(0) <= physical_progress <= Decimal(100):
        problems.append(
            Violation(
                "PROGRESS_OUT_OF_RANGE",
                "形象进度须在 0 至 100 之间。",
                "Physical progress must be between 0 and 100 per cent.",
                rule="R18",
                field=("input", "physicalProgress"),
            )
        )
    if funds_spent < 0:
        problems.append(
            Violation(
                "NEGATIVE_AMOUNT",
                "资金支出不能为负数。",
                "Funds spent cannot be negative.",
                rule="R18",
                field=("input", "fundsSpent"),
            )
        )
    if period_number < 1:
        problems.append(
            Violation(
                "INVALID_PERIOD",
                "报告期次从 1 开始。",
                "Report periods are numbered from 1.",
                rule="R18",
                field=("input", "periodNumber"),
            )
        )
    if problems:
        raise DomainError(problems)
