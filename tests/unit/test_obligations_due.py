"""earliest_unmet_due (issue 15.4): what the list filter stores equals the derived calendar on every day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.obligations import (
    AcceptanceFailure,
    ObligationState,
    ProjectFacts,
    Rectification,
    earliest_unmet_due,
    obligations,
)

START, DAYS = date(2025, 12, 1), 1200  # every day from before the approvals to years after them

SCENARIOS = {
    "not approved": ProjectFacts(project_id=1, organization_id=7),
    "approved, nothing reported": ProjectFacts(1, 7, approval_date=date(2026, 1, 31)),
    "quarters 1, 2 and 4 reported (3 missing)": ProjectFacts(
        1, 7, approval_date=date(2026, 1, 31), progress_reports=frozenset({1, 2, 4})
    ),
    "trial operation, window open": ProjectFacts(
        1,
        7,
        approval_date=date(2026, 1, 31),
        progress_reports=frozenset(range(1, 40)),
        initial_acceptance_passed_on=date(2026, 8, 31),
    ),
    "failed acceptance, not resubmitted": ProjectFacts(
        1,
        7,
        approval_date=date(2026, 1, 31),
        progress_reports=frozenset(range(1, 40)),
        initial_acceptance_passed_on=date(2026, 3, 1),
        completion_applied=True,
        acceptance_failures=(AcceptanceFailure(date(2026, 6, 30), date(2026, 9, 30), False),),
    ),
    "filed and in operation, self-evaluation owed": ProjectFacts(
        1,
        7,
        approval_date=date(2026, 1, 31),
        progress_reports=frozenset({1, 2}),
        initial_acceptance_passed_on=date(2026, 3, 1),
        completion_applied=True,
        accepted_on=date(2026, 6, 30),
        filed_on=date(2026, 7, 10),
        operation_started_on=date(2026, 7, 15),
    ),
    "ordered rectification only": ProjectFacts(
        1, 7, rectifications=(Rectification(3, date(2026, 2, 1), date(2026, 2, 28), False),)
    ),
    "terminated": ProjectFacts(1, 7, terminated=True, approval_date=date(2026, 1, 31)),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_project_is_overdue_exactly_on_the_days_after_its_earliest_unmet_due_date(name: str) -> None:
    # given a project's facts and the one date the list stores for them
    facts = SCENARIOS[name]
    due = earliest_unmet_due(facts)
    for offset in range(DAYS):
        today = START + timedelta(days=offset)
        # when the calendar is derived on that day
        derived = any(o.state is ObligationState.OVERDUE for o in obligations(facts, today))
        # then it has an overdue obligation exactly when the stored date is before today
        assert derived == (due is not None and due < today), (name, today, due)


def test_the_due_date_itself_is_in_time_and_the_next_day_is_overdue() -> None:
    # given a rectification due on 28 February 2026
    facts = SCENARIOS["ordered rectification only"]
    # when / then: stored 2026-02-28, overdue from 1 March
    assert earliest_unmet_due(facts) == date(2026, 2, 28)
    assert not any(o.state is ObligationState.OVERDUE for o in obligations(facts, date(2026, 2, 28)))
    assert any(o.state is ObligationState.OVERDUE for o in obligations(facts, date(2026, 3, 1)))
