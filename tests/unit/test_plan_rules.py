"""R9–R10 in the domain: the call's deadline, the joint review, compiling, mid-year order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain import mid_year as mid
from domain import plans
from domain.errors import DomainError
from domain.lifecycle import Status
from domain.plans import AnnualPlan, EntryKind, PlanEntry, PlanStatus

NOW = datetime(2026, 9, 1, tzinfo=UTC)
CALL = plans.PlanCall(
    year=2027,
    deadline=date(2026, 9, 30),
    budget_compilation_date=date(2026, 10, 15),
    requirements="按要求报送",
    opened_at=NOW,
    id=1,
)
# 2026-09-30 23:59:59 in Yingkou is 15:59:59 UTC.
LAST_SECOND = datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC)


def test_R9_a_submission_at_the_deadlines_last_second_is_accepted() -> None:
    plans.check_entry(CALL, project_status=Status.IN_RESERVE, amount=Decimal("1.00"), now=LAST_SECOND)


def test_R9_a_submission_one_second_later_is_refused_citing_article_9() -> None:
    with pytest.raises(DomainError) as refused:
        plans.check_entry(
            CALL,
            project_status=Status.IN_RESERVE,
            amount=Decimal("1.00"),
            now=LAST_SECOND + timedelta(seconds=1),
        )
    assert [(v.code, v.rule) for v in refused.value.violations] == [("PLAN_CALL_CLOSED", "R9")]


def test_R9_only_reserve_projects_enter_the_plan() -> None:
    with pytest.raises(DomainError) as refused:
        plans.check_entry(CALL, project_status=Status.RESERVE_REVIEW, amount=Decimal("1.00"), now=NOW)
    assert refused.value.violations[0].code == "PROJECT_NOT_IN_RESERVE"


@pytest.mark.parametrize(("deadline", "ok"), [(date(2026, 10, 14), True), (date(2026, 10, 15), False)])
def test_R9_the_deadline_falls_before_budget_compilation(deadline: date, ok: bool) -> None:
    def call() -> plans.PlanCall:
        return plans.open_call(
            year=2027,
            deadline=deadline,
            budget_compilation_date=date(2026, 10, 15),
            requirements="要求",
            today=date(2026, 9, 1),
            now=NOW,
        )

    if ok:
        assert call().deadline == deadline
    else:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.violations[0].code == "DEADLINE_NOT_BEFORE_BUDGET"


def _entry(reviewers: tuple[str, ...]) -> PlanEntry:
    entry = PlanEntry(
        call_id=1,
        project_id=7,
        kind=EntryKind.BUILD,
        requested_amount=Decimal("100.00"),
        description="",
        submitted_at=NOW,
        id=3,
    )
    for role in reviewers:
        plans.record_entry_review(
            entry,
            role=role,
            user_id=1,
            opinion="同意",
            recommended=Decimal("90.00"),
            now=NOW,
            plan_compiled=False,
        )
    return entry


@pytest.mark.parametrize(
    ("reviewers", "missing"), [((), 2), (("bdb",), 1), (("finance",), 1), (("bdb", "finance"), 0)]
)
def test_R10_1_only_entries_reviewed_by_bdb_and_finance_are_compiled(
    reviewers: tuple[str, ...], missing: int
) -> None:
    def compile_() -> AnnualPlan:
        return plans.compile_plan(
            year=2027,
            call_id=1,
            revision=1,
            selections=[(_entry(reviewers), Decimal("90.00"))],
            statuses={7: Status.IN_RESERVE},
            previous=None,
            note="",
            now=NOW,
        )

    if missing:
        with pytest.raises(DomainError) as refused:
            compile_()
        assert [v.code for v in refused.value.violations] == ["ENTRY_NOT_REVIEWED"] * missing
    else:
        plan = compile_()
        assert plan.total_investment == Decimal("90.00") and plan.status is PlanStatus.COMPILED


def test_R10_1_a_review_is_revised_not_duplicated_and_closes_with_the_plan() -> None:
    entry = _entry(("bdb", "bdb"))
    assert len(entry.reviews) == 1
    with pytest.raises(DomainError):
        plans.record_entry_review(
            entry,
            role="finance",
            user_id=1,
            opinion="同意",
            recommended=Decimal("1.00"),
            now=NOW,
            plan_compiled=True,
        )


def test_R10_2_the_steps_go_in_order() -> None:
    request = mid.submit(
        project_id=7,
        project_status=Status.IN_RESERVE,
        year=2026,
        amount=Decimal("500000.00"),
        reason="应急",
        pending=False,
        now=NOW,
    )
    with pytest.raises(DomainError) as early:
        mid.finance_opinion(request, opinion="同意", recommended_amount=Decimal("1.00"), now=NOW)
    assert early.value.violations[0].rule == "R10.2"
    mid.bdb_review(request, approve=True, opinion="同意", now=NOW)
    with pytest.raises(DomainError):
        mid.government_decision(request, approve=True, comment="", current_plan=None, now=NOW)
    mid.finance_opinion(request, opinion="同意", recommended_amount=Decimal("450000.00"), now=NOW)
    current = AnnualPlan(year=2026, revision=2, status=PlanStatus.APPROVED, compiled_at=NOW, id=4)
    revision = mid.government_decision(request, approve=True, comment="同意", current_plan=current, now=NOW)
    assert revision is not None and revision.revision == 3
    assert [(i.project_id, i.amount) for i in revision.items] == [(7, Decimal("450000.00"))]


def test_R10_2_without_an_approved_plan_the_government_cannot_add_the_project() -> None:
    request = mid.submit(
        project_id=7,
        project_status=Status.IN_RESERVE,
        year=2026,
        amount=Decimal("1.00"),
        reason="应急",
        pending=False,
        now=NOW,
    )
    mid.bdb_review(request, approve=True, opinion="同意", now=NOW)
    mid.finance_opinion(request, opinion="同意", recommended_amount=Decimal("1.00"), now=NOW)
    with pytest.raises(DomainError) as refused:
        mid.government_decision(request, approve=True, comment="", current_plan=None, now=NOW)
    assert refused.value.violations[0].code == "NO_APPROVED_PLAN"
