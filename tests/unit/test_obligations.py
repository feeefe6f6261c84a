"""The obligations calendar (R18–R23): derived from facts and today, boundaries on legal dates."""

from __future__ import annotations

from datetime import date

from domain.obligations import (
    AcceptanceFailure,
    NoticeKind,
    ObligationState,
    ProjectFacts,
    Rectification,
    next_obligation,
    notices_due,
    obligations,
)

UNIT = 7


def _facts(**values: object) -> ProjectFacts:
    return ProjectFacts(project_id=1, organization_id=UNIT, **values)  # type: ignore[arg-type]


def _one(facts: ProjectFacts, today: date, rule: str):  # type: ignore[no-untyped-def]
    (found,) = [o for o in obligations(facts, today) if o.rule == rule]
    return found


def test_R22_self_evaluation_is_upcoming_the_day_before_open_on_the_day_overdue_the_day_after_due() -> None:
    # given operation began on 2026-03-15: the window is 2027-03-15 … 2028-03-15
    facts = _facts(
        approval_date=date(2025, 1, 10), filed_on=date(2026, 3, 10), operation_started_on=date(2026, 3, 15)
    )
    # when / then
    assert _one(facts, date(2027, 3, 14), "R22").state is ObligationState.UPCOMING
    assert _one(facts, date(2027, 3, 15), "R22").state is ObligationState.OPEN
    assert _one(facts, date(2028, 3, 15), "R22").state is ObligationState.OPEN
    assert _one(facts, date(2028, 3, 16), "R22").state is ObligationState.OVERDUE


def test_R22_a_delivered_self_evaluation_is_done() -> None:
    facts = _facts(operation_started_on=date(2026, 3, 15), self_evaluated=True)
    assert _one(facts, date(2030, 1, 1), "R22").state is ObligationState.DONE


def test_R18_quarters_follow_the_progress_module_and_each_missed_one_is_overdue() -> None:
    # given approval on 28 Feb 2026 (reports due 28 May, 28 Aug … — Civil Code Art. 202), the first sent
    facts = _facts(approval_date=date(2026, 2, 28), progress_reports=frozenset({1}))
    # when
    found = [o for o in obligations(facts, date(2026, 9, 1)) if o.rule == "R18"]
    # then
    assert [(o.due_on, o.state) for o in found] == [
        (date(2026, 5, 28), ObligationState.DONE),
        (date(2026, 8, 28), ObligationState.OVERDUE),
        (date(2026, 11, 28), ObligationState.OPEN),
        (date(2027, 2, 28), ObligationState.UPCOMING),
    ]
    assert found[1].opens_on == date(2026, 5, 29)


def test_the_next_obligation_is_the_earliest_not_yet_met() -> None:
    # given approval on 28 Feb 2026 and the first report (due 28 May) sent
    facts = _facts(approval_date=date(2026, 2, 28), progress_reports=frozenset({1}))
    # when / then: the met first period is skipped; the overdue second comes before the open third
    found = next_obligation(facts, date(2026, 9, 1))
    assert found is not None and (found.rule, found.due_on, found.state) == (
        "R18",
        date(2026, 8, 28),
        ObligationState.OVERDUE,
    )
    assert next_obligation(_facts(), date(2026, 9, 1)) is None  # not approved: owes nothing yet


def test_R18_reports_stop_at_the_acceptance_filing() -> None:
    facts = _facts(approval_date=date(2026, 2, 28), filed_on=date(2026, 9, 15))
    found = [o for o in obligations(facts, date(2027, 6, 1)) if o.rule == "R18"]
    assert [o.due_on for o in found] == [date(2026, 5, 28), date(2026, 8, 28)]


def test_R19_window_opens_three_months_after_initial_acceptance_and_an_extension_moves_the_close() -> None:
    facts = _facts(
        initial_acceptance_passed_on=date(2026, 1, 31), acceptance_extended_until=date(2026, 9, 30)
    )
    found = _one(facts, date(2026, 4, 29), "R19.1")
    assert (found.opens_on, found.due_on, found.state) == (
        date(2026, 4, 30),
        date(2026, 9, 30),
        ObligationState.UPCOMING,
    )


def test_R20_a_failed_acceptance_is_owed_until_resubmitted() -> None:
    failure = AcceptanceFailure(failed_on=date(2026, 5, 1), deadline=date(2026, 8, 1), resubmitted=False)
    assert (
        _one(_facts(acceptance_failures=(failure,)), date(2026, 8, 2), "R20").state is ObligationState.OVERDUE
    )


def test_R23_rectification_is_due_on_the_agency_deadline() -> None:
    facts = _facts(
        rectifications=(
            Rectification(
                inspection_id=5, ordered_on=date(2026, 3, 2), deadline=date(2026, 4, 30), done=False
            ),
        )
    )
    assert _one(facts, date(2026, 4, 30), "R23.1").state is ObligationState.OPEN
    assert _one(facts, date(2026, 5, 1), "R23.1").state is ObligationState.OVERDUE
    assert _one(facts, date(2026, 5, 1), "R23.1").key == "1:R23.1:inspection-5"


def test_a_terminated_project_owes_nothing() -> None:
    assert obligations(_facts(terminated=True, approval_date=date(2026, 1, 1)), date(2027, 1, 1)) == []


def test_notices_are_earned_on_opening_30_and_7_days_before_and_when_overdue_never_late() -> None:
    facts = _facts(
        rectifications=(
            Rectification(
                inspection_id=5, ordered_on=date(2026, 3, 2), deadline=date(2026, 6, 30), done=False
            ),
        )
    )
    assert notices_due(_one(facts, date(2026, 3, 2), "R23.1"), date(2026, 3, 2)) == [NoticeKind.OPENED]
    assert notices_due(_one(facts, date(2026, 5, 31), "R23.1"), date(2026, 5, 31)) == [
        NoticeKind.OPENED,
        NoticeKind.DUE_IN_30_DAYS,
    ]
    assert (
        notices_due(_one(facts, date(2026, 6, 23), "R23.1"), date(2026, 6, 23))[-1]
        is NoticeKind.DUE_IN_7_DAYS
    )
    assert notices_due(_one(facts, date(2026, 7, 1), "R23.1"), date(2026, 7, 1)) == [NoticeKind.OVERDUE]


def test_R20_an_extension_after_a_failed_acceptance_moves_the_rectification_obligation() -> None:
    # given a window extension, a failed result on 1 July (rectify by 1 October) and bdb's extension to 31 October
    from datetime import datetime

    from domain.acceptance import Acceptance, AcceptanceEvent
    from domain.acceptance import AcceptanceEventKind as K

    def event(
        kind: K, day: date, deadline: date | None = None, passed: bool | None = None
    ) -> AcceptanceEvent:
        at = datetime(day.year, day.month, day.day)
        return AcceptanceEvent(1, kind, day, at, passed=passed, deadline=deadline)

    acceptance = Acceptance(
        1,
        [
            event(K.INITIAL, date(2026, 1, 31), passed=True),
            event(K.EXTENSION, date(2026, 6, 1), deadline=date(2026, 8, 31)),
            event(K.APPLICATION, date(2026, 6, 2)),
            event(K.RESULT, date(2026, 7, 1), deadline=date(2026, 10, 1), passed=False),
            event(K.EXTENSION, date(2026, 9, 30), deadline=date(2026, 10, 31)),
        ],
    )
    # when / then: the window keeps its own extension and the R20 obligation is due on the extended day
    assert acceptance.extended_until == date(2026, 8, 31)
    assert [(f.failed_on, f.deadline) for f in acceptance.failures] == [
        (date(2026, 7, 1), date(2026, 10, 31))
    ]
    assert acceptance.rectification_deadline == date(2026, 10, 31)
