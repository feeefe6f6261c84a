"""Art. 23–24 rules: fields of inspection, rectification, sanctions, the suspension guard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain import supervision as sv
from domain.errors import DomainError
from domain.lifecycle import Status
from domain.projects import FundingSource, Project, ProjectCategory, ProjectKind

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def _project(status: Status = Status.UNDER_CONSTRUCTION) -> Project:
    return Project(
        name="智慧教育云",
        kind=ProjectKind.BUILD,
        category=ProjectCategory.BUSINESS_SYSTEM,
        funding_source=FundingSource.FISCAL,
        total_investment=Decimal("1000000.00"),
        lead_organization_id=1,
        status=status,
        id=9,
    )


def _codes(error: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [v.code for v in error.value.violations]


def _ordered(deadline: date = date(2026, 3, 31)) -> sv.Inspection:
    inspection = sv.open_inspection(
        project=_project(),
        role="bdb",
        organization_id=2,
        user_id=3,
        subject=sv.Subject.DATA_SHARING,
        note="",
        now=NOW,
    )
    inspection.id = 4
    sv.conclude(inspection, organization_id=2, findings="数据未共享", deadline=deadline, now=NOW)
    return inspection


@pytest.mark.parametrize(
    ("role", "subject"),
    [
        ("cac", sv.Subject.FUND_USE),
        ("crypto", sv.Subject.MLPS),
        ("psb", sv.Subject.CRYPTOGRAPHY),
        ("audit", sv.Subject.FUND_USE),
    ],
)
def test_R23_1_an_agency_inspects_only_within_its_field(role: str, subject: sv.Subject) -> None:
    with pytest.raises(DomainError) as refused:
        sv.open_inspection(
            project=_project(), role=role, organization_id=2, user_id=3, subject=subject, note="", now=NOW
        )
    assert _codes(refused) == ["SUBJECT_OUTSIDE_FIELD"]
    assert refused.value.violations[0].rule == "R23.1"


def test_R23_1_a_deadline_orders_rectification_and_must_be_after_today() -> None:
    inspection = sv.open_inspection(
        project=_project(),
        role="finance",
        organization_id=2,
        user_id=3,
        subject=sv.Subject.FUND_USE,
        note="",
        now=NOW,
    )
    with pytest.raises(DomainError) as refused:
        sv.conclude(inspection, organization_id=2, findings="超范围支出", deadline=date(2026, 3, 2), now=NOW)
    assert _codes(refused) == ["DEADLINE_NOT_IN_FUTURE"]
    sv.conclude(inspection, organization_id=2, findings="超范围支出", deadline=date(2026, 3, 3), now=NOW)
    assert inspection.status is sv.InspectionStatus.RECTIFICATION_ORDERED


def test_R23_1_only_the_ordering_agency_reviews_the_report() -> None:
    inspection = _ordered()
    report = sv.submit_report(inspection, [], content="已整改", user_id=5, now=NOW)
    with pytest.raises(DomainError) as refused:
        sv.review_report(inspection, report, organization_id=99, accept=True, reasons="", now=NOW)
    assert _codes(refused) == ["NOT_THE_INSPECTING_AGENCY"]


def test_R23_2_rectification_fails_when_overdue_or_rejected_not_while_a_timely_report_waits() -> None:
    inspection = _ordered(date(2026, 3, 31))
    assert not sv.rectification_failed(inspection, [], date(2026, 3, 31))
    assert sv.rectification_failed(inspection, [], date(2026, 4, 1))
    report = sv.submit_report(inspection, [], content="已整改", user_id=5, now=NOW)
    assert not sv.rectification_failed(inspection, [report], date(2026, 4, 1))
    sv.review_report(inspection, report, organization_id=2, accept=False, reasons="仍未接入共享平台", now=NOW)
    assert sv.rectification_failed(inspection, [report], date(2026, 3, 5))


def test_R23_2_sanctions_need_a_failed_rectification() -> None:
    project = _project()
    with pytest.raises(DomainError) as refused:
        sv.suspend(project, grounds=False)
    assert _codes(refused) == ["NO_FAILED_RECTIFICATION"]
    assert project.status is Status.UNDER_CONSTRUCTION


def test_R23_2_suspension_remembers_the_state_and_resume_returns_to_it() -> None:
    project = _project(Status.TRIAL_OPERATION)
    sv.suspend(project, grounds=True)
    assert (project.status, project.suspended_from) == (Status.SUSPENDED, Status.TRIAL_OPERATION)
    with pytest.raises(DomainError) as refused:
        sv.ensure_not_suspended(project)
    assert _codes(refused) == ["PROJECT_SUSPENDED"]
    sv.resume(project)
    assert (project.status, project.suspended_from) == (Status.TRIAL_OPERATION, None)


def test_R23_2_termination_is_final() -> None:
    project = _project()
    sv.terminate(project, grounds=True)
    with pytest.raises(DomainError):
        sv.suspend(project, grounds=True)
    assert project.status is Status.TERMINATED


def test_R23_2_a_deferred_plan_is_deferred_once_and_lifted_once() -> None:
    project = _project(Status.IN_RESERVE)
    sv.defer_plan(project, grounds=True)
    with pytest.raises(DomainError):
        sv.defer_plan(project, grounds=True)
    sv.lift_deferral(project)
    assert project.plan_deferred is False


def test_R23_2_a_deferred_project_cannot_enter_an_annual_plan() -> None:
    # given an entry reviewed by bdb and finance, of a project whose plan arrangement bdb deferred
    from domain import plans
    from domain.plans import EntryKind, PlanEntry

    entry = PlanEntry(
        call_id=1,
        project_id=7,
        kind=EntryKind.BUILD,
        requested_amount=Decimal("100.00"),
        description="",
        submitted_at=NOW,
        id=3,
    )
    for role in ("bdb", "finance"):
        plans.record_entry_review(
            entry,
            role=role,
            user_id=1,
            opinion="同意",
            recommended=Decimal("90.00"),
            now=NOW,
            plan_compiled=False,
        )
    # when
    with pytest.raises(DomainError) as refused:
        plans.compile_plan(
            year=2027,
            call_id=1,
            revision=1,
            selections=[(entry, Decimal("90.00"))],
            statuses={7: Status.IN_RESERVE},
            previous=None,
            note="",
            now=NOW,
            deferred=frozenset({7}),
        )
    # then
    assert [(v.code, v.rule) for v in refused.value.violations] == [("PROJECT_PLAN_DEFERRED", "R23.2")]
