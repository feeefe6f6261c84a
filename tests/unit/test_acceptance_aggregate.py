"""The Acceptance aggregate (domain/acceptance.py): the facts the acceptance history gives, at their bounds."""

from __future__ import annotations

from datetime import date, datetime

from domain.acceptance import Acceptance, AcceptanceEvent, r19_1_closing_date
from domain.acceptance import AcceptanceEventKind as K
from domain.progress import reporting_quarters


def _event(
    kind: K, day: date, *, passed: bool | None = None, deadline: date | None = None
) -> AcceptanceEvent:
    return AcceptanceEvent(
        7, kind, day, datetime(day.year, day.month, day.day), passed=passed, deadline=deadline
    )


def test_R19_1_the_window_closes_on_the_later_of_six_months_and_bdbs_extension() -> None:
    # given an initial acceptance passed on 31 August 2026: six months end on 28 February 2027 (clamped)
    passed_on = date(2026, 8, 31)
    # when / then: no extension, an earlier one, one on the day, one a day later
    assert r19_1_closing_date(passed_on, None) == date(2027, 2, 28)
    assert r19_1_closing_date(passed_on, date(2027, 2, 27)) == date(2027, 2, 28)
    assert r19_1_closing_date(passed_on, date(2027, 2, 28)) == date(2027, 2, 28)
    assert r19_1_closing_date(passed_on, date(2027, 3, 1)) == date(2027, 3, 1)


def test_R19_1_the_window_counts_from_the_last_passed_initial_acceptance_only() -> None:
    # given a failed initial acceptance, then a passed one
    acceptance = Acceptance(7, [_event(K.INITIAL, date(2026, 3, 1), passed=False)])
    assert (acceptance.initial_passed_on, acceptance.window_closes_on) == (None, None)
    # when the second one passes
    acceptance.record(_event(K.INITIAL, date(2026, 4, 1), passed=True))
    # then the window is counted from it, and the last initial acceptance is the later one
    assert (acceptance.window_opens_on, acceptance.window_closes_on) == (date(2026, 7, 1), date(2026, 10, 1))
    assert acceptance.last_initial_on == date(2026, 4, 1)


def test_R21_the_filing_is_pending_from_the_units_filing_until_bdbs_acknowledgement() -> None:
    # given an accepted project
    acceptance = Acceptance(7, [_event(K.RESULT, date(2026, 6, 10), passed=True)])
    states = [(acceptance.filing_pending, acceptance.reporting_ends_on)]
    # when the unit files, and bdb acknowledges
    acceptance.record(_event(K.FILING, date(2026, 6, 12)))
    states.append((acceptance.filing_pending, acceptance.reporting_ends_on))
    acceptance.record(_event(K.FILING_ACKNOWLEDGED, date(2026, 6, 15)))
    states.append((acceptance.filing_pending, acceptance.reporting_ends_on))
    # then
    assert states == [(False, None), (True, None), (False, date(2026, 6, 15))]
    assert (acceptance.accepted_on, acceptance.filed_on) == (date(2026, 6, 10), date(2026, 6, 12))


def test_R18_reporting_stops_at_the_filing_a_quarter_due_after_it_is_not_owed() -> None:
    # given an approval on 16 February 2026 (quarters due 16 May, 16 August, 16 November) and today 1 December
    approval, today = date(2026, 2, 16), date(2026, 12, 1)
    # when the filing was acknowledged on 16 August (the due day), or on 15 August, or not at all
    on_due_day = reporting_quarters(approval, today, {1}, date(2026, 8, 16))
    day_before = reporting_quarters(approval, today, {1}, date(2026, 8, 15))
    not_filed = reporting_quarters(approval, today, {1}, None)
    # then the quarter due on the filing day is still owed, none after it
    assert [q.number for q in on_due_day] == [1, 2]
    assert [q.number for q in day_before] == [1]
    assert [(q.number, q.overdue) for q in not_filed] == [(1, False), (2, True), (3, True)]
