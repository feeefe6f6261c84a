"""PRC Civil Code Art. 202 for every schedule that adds months: the corresponding day, or the month's end,
each due date counted from its anchor (28/29 February, 30/31 month ends, a leap year)."""

from __future__ import annotations

from datetime import date

import pytest

from domain import acceptance as acc
from domain.calendar_math import add_months
from domain.evaluation import self_evaluation_window
from domain.obligations import ProjectFacts, obligations
from domain.progress import quarter_due_date, quarter_due_dates


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the month's end
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 2, 28), 3, date(2026, 5, 28)),  # 28 May exists: not moved to 31 May
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # 29 Feb of a leap year, a year later
        (date(2028, 2, 29), 48, date(2032, 2, 29)),  # … and four years later, leap again
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 4, 30), 1, date(2026, 5, 30)),  # 30 April → 30 May, not 31 May
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_civil_code_202_a_month_ends_on_the_corresponding_day_or_the_months_end(
    anchor: date, months: int, expected: date
) -> None:
    # given an anchor date / when calendar months are added / then the corresponding day, else the month's end
    assert add_months(anchor, months) == expected


def test_R18_a_clamped_february_due_date_does_not_pin_later_ones_to_month_ends() -> None:
    # given an approval on 30 November (the 1st report falls on 28 February, there is no 30 February)
    approval = date(2026, 11, 30)
    # when the due dates of five quarters are listed
    dues = quarter_due_dates(approval, date(2028, 2, 29))
    # then each is the 30th again once the month has one, and the leap February ends on the 29th
    assert dues == [
        date(2027, 2, 28),
        date(2027, 5, 30),
        date(2027, 8, 30),
        date(2027, 11, 30),
        date(2028, 2, 29),
    ]


@pytest.mark.parametrize(
    ("approval", "n", "due"),
    [
        (date(2026, 2, 28), 1, date(2026, 5, 28)),
        (date(2028, 2, 29), 4, date(2029, 2, 28)),
        (date(2026, 8, 31), 2, date(2027, 2, 28)),
        (date(2026, 8, 31), 3, date(2027, 5, 31)),
        (date(2026, 5, 31), 1, date(2026, 8, 31)),
        (date(2026, 5, 31), 2, date(2026, 11, 30)),
        (date(2026, 5, 31), 3, date(2027, 2, 28)),
        (date(2026, 5, 31), 4, date(2027, 5, 31)),
    ],
)
def test_R18_the_nth_report_is_due_3n_months_after_the_approval(approval: date, n: int, due: date) -> None:
    # given an approval date / when the n-th due date is computed / then it is counted from the approval
    assert quarter_due_date(approval, n) == due


@pytest.mark.parametrize(
    ("initial", "opens", "closes"),
    [
        (date(2026, 8, 31), date(2026, 11, 30), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2027, 11, 30), date(2028, 2, 29)),
        (date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 30)),
        (date(2026, 2, 28), date(2026, 5, 28), date(2026, 8, 28)),
    ],
)
def test_R19_1_the_window_opens_3_and_closes_6_months_after_the_initial_acceptance(
    initial: date, opens: date, closes: date
) -> None:
    # given a passed initial acceptance / when the window is computed / then both ends are corresponding days
    assert acc.window(initial) == (opens, closes)


@pytest.mark.parametrize(
    ("failed_on", "deadline"),
    [
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2027, 11, 30), date(2028, 2, 29)),
        (date(2026, 2, 28), date(2026, 5, 28)),
        (date(2026, 3, 31), date(2026, 6, 30)),
    ],
)
def test_R20_rectification_ends_3_months_after_the_failed_acceptance(failed_on: date, deadline: date) -> None:
    # given a failed completion acceptance / when its deadline is computed / then 3 months by Art. 202
    assert acc.rectification_deadline(failed_on) == deadline


@pytest.mark.parametrize(
    ("accepted_on", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 2, 28), date(2026, 3, 28)),
        (date(2026, 3, 31), date(2026, 4, 30)),
    ],
)
def test_R21_the_filing_reminder_falls_one_month_after_acceptance(accepted_on: date, due: date) -> None:
    # given an accepted project / when the calendar is built / then its R21 entry is due a month later
    found = obligations(ProjectFacts(project_id=1, organization_id=1, accepted_on=accepted_on), accepted_on)
    assert [(o.rule, o.due_on) for o in found] == [("R21", due)]


@pytest.mark.parametrize(
    ("started", "opens", "closes"),
    [
        (date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28)),
        (date(2027, 2, 28), date(2028, 2, 28), date(2029, 2, 28)),  # not moved to 29 Feb in the leap year
        (date(2026, 8, 31), date(2027, 8, 31), date(2028, 8, 31)),
        (date(2026, 4, 30), date(2027, 4, 30), date(2028, 4, 30)),
    ],
)
def test_R22_the_self_evaluation_window_is_12_to_24_months_into_operation(
    started: date, opens: date, closes: date
) -> None:
    # given the start of operation / when the window is computed / then 12 and 24 months by Art. 202
    assert self_evaluation_window(started) == (opens, closes)


def test_R18_obligations_use_the_same_due_dates_as_the_progress_module() -> None:
    # given an approval on 31 May / when the calendar is read a year later
    approval = date(2026, 5, 31)
    found = obligations(
        ProjectFacts(project_id=1, organization_id=1, approval_date=approval), date(2027, 6, 1)
    )
    # then the R18 due dates are the Art. 202 ones, each opening the day after the previous due date
    r18 = [(o.opens_on, o.due_on) for o in found if o.rule == "R18"]
    assert r18[:4] == [
        (date(2026, 5, 31), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 5, 31)),
    ]
