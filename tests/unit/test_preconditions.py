"""domain/preconditions.py at its boundaries: whether an operation may start on a project in its state."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from domain import preconditions as pre
from domain.approval_documents import ApprovalDocument, DocumentStatus
from domain.approval_path import DocumentType
from domain.lifecycle import Status
from domain.preconditions import NO_FACTS, ActionFacts
from domain.projects import FundingSource, Project, ProjectCategory, ProjectKind

TODAY = date(2026, 6, 1)


def _project(status: Status = Status.DRAFT, **values: object) -> Project:
    project = Project(
        name="营口市智慧教育云平台",
        kind=ProjectKind.BUILD,
        category=ProjectCategory.BUSINESS_SYSTEM,
        funding_source=FundingSource.FISCAL,
        total_investment=Decimal("3000000.00"),
        lead_organization_id=1,
        status=status,
        id=7,
    )
    for name, value in values.items():
        setattr(project, name, value)
    return project


def _codes(found: list) -> list[str]:
    return [v.code for v in found]


def _document(kind: DocumentType, status: DocumentStatus) -> ApprovalDocument:
    return ApprovalDocument(
        project_id=7,
        type=kind,
        version=1,
        requested_investment=Decimal("3000000.00"),
        path_rule="R11.0",
        submitted_at=datetime(2026, 3, 1, 2, 0),
        submitted_by_user_id=1,
        status=status,
    )


def test_R16_only_a_draft_is_edited_directly() -> None:
    # given a draft and the same project in reserve review
    # when / then the draft may be edited, the submitted one not
    assert pre.project_update(_project(Status.DRAFT), NO_FACTS, TODAY) == []
    found = pre.project_update(_project(Status.RESERVE_REVIEW), NO_FACTS, TODAY)
    assert [(v.code, v.rule) for v in found] == [("PROJECT_NOT_EDITABLE", "R16")]


def test_R23_2_a_suspended_project_refuses_every_change_and_may_resume() -> None:
    # given a project suspended while under construction
    project = _project(Status.SUSPENDED, suspended_from=Status.UNDER_CONSTRUCTION)
    # when its changes and its resumption are asked about
    # then every change says PROJECT_SUSPENDED first; resuming is open
    for check in (pre.project_update, pre.contract_record, pre.progress_report_submit, pre.acceptance_apply):
        assert _codes(check(project, NO_FACTS, TODAY)) == ["PROJECT_SUSPENDED"]
    assert pre.project_resume(project, NO_FACTS, TODAY) == []
    assert _codes(pre.project_resume(_project(Status.UNDER_CONSTRUCTION), NO_FACTS, TODAY)) == [
        "NOT_SUSPENDED"
    ]


def test_R23_2_sanctions_need_a_failed_rectification() -> None:
    # given a project under construction, without and with a failed rectification
    project = _project(Status.UNDER_CONSTRUCTION)
    failed = ActionFacts(rectification_failed=True)
    # when / then suspension and termination need grounds; the termination of a filed project never opens
    assert _codes(pre.project_suspend(project, NO_FACTS, TODAY)) == ["NO_FAILED_RECTIFICATION"]
    assert pre.project_suspend(project, failed, TODAY) == []
    assert pre.project_terminate(project, failed, TODAY) == []
    assert _codes(pre.project_terminate(_project(Status.FILED), failed, TODAY)) == ["INVALID_TRANSITION"]
    # and a deferral in force may be lifted without grounds
    assert pre.project_plan_defer(_project(plan_deferred=True), NO_FACTS, TODAY) == []


def test_R16_a_pending_change_closes_the_next_one() -> None:
    # given an approved project under construction
    project = _project(Status.UNDER_CONSTRUCTION, approved_investment=Decimal("3000000.00"))
    # when / then a change may be filed unless one waits for bdb; never once acceptance was applied for
    assert pre.change_request_file(project, NO_FACTS, TODAY) == []
    pending = ActionFacts(change_pending=True)
    assert _codes(pre.change_request_file(project, pending, TODAY)) == ["CHANGE_PENDING"]
    review = _project(Status.ACCEPTANCE_REVIEW, approved_investment=Decimal("3000000.00"))
    assert _codes(pre.change_request_file(review, NO_FACTS, TODAY)) == ["CHANGE_NOT_OPEN"]


def test_R22_the_self_evaluation_opens_at_12_months_and_closes_after_24() -> None:
    # given a project in operation since 2026-01-15
    project = _project(Status.FILED, operation_started_on=date(2026, 1, 15))
    # when / then the day before 12 months is refused, 12 and 24 months are open, the day after 24 refused
    for day, codes in (
        (date(2027, 1, 14), ["OUTSIDE_SELF_EVALUATION_WINDOW"]),
        (date(2027, 1, 15), []),
        (date(2028, 1, 15), []),
        (date(2028, 1, 16), ["OUTSIDE_SELF_EVALUATION_WINDOW"]),
    ):
        assert _codes(pre.self_evaluation_submit(project, NO_FACTS, day)) == codes, day


def test_R21_the_filing_is_filed_once_and_acknowledged_once_filed() -> None:
    # given an accepted project, before and after its unit filed the report
    project = _project(Status.ACCEPTED)
    filed = ActionFacts(filing_pending=True)
    # when / then
    assert pre.acceptance_report_file(project, NO_FACTS, TODAY) == []
    assert _codes(pre.acceptance_report_file(project, filed, TODAY)) == ["FILING_PENDING"]
    assert _codes(pre.acceptance_filing_acknowledge(project, NO_FACTS, TODAY)) == ["NO_FILING"]
    assert pre.acceptance_filing_acknowledge(project, filed, TODAY) == []


def test_R11_0_no_next_approval_step_says_why() -> None:
    # given a draft, a reserve project with a document under review, a free one, and an approved one
    under_review = _project(Status.IN_RESERVE)
    under_review.documents = [_document(DocumentType.PROPOSAL, DocumentStatus.SUBMITTED)]
    approved = _project(Status.APPROVED)
    approved.documents = [_document(DocumentType.PRELIMINARY_DESIGN, DocumentStatus.APPROVED)]
    # when / then
    assert _codes(pre.no_next_approval_step(_project(Status.DRAFT))) == ["PROJECT_NOT_IN_APPROVAL"]
    assert _codes(pre.no_next_approval_step(under_review)) == ["DOCUMENT_UNDER_REVIEW"]
    assert pre.no_next_approval_step(_project(Status.IN_RESERVE)) == []
    assert _codes(pre.no_next_approval_step(approved)) == ["APPROVAL_PATH_COMPLETE"]


def test_R14_the_first_contract_needs_the_preliminary_design_and_the_plan() -> None:
    # given an approved project not in a plan, without its preliminary design recorded
    project = _project(Status.APPROVED)
    # when / then both gaps are named; an O&M project is bdb's to record
    assert _codes(pre.contract_record(project, NO_FACTS, TODAY)) == [
        "PRELIMINARY_DESIGN_NOT_APPROVED",
        "NOT_IN_APPROVED_PLAN",
    ]
    om = _project(Status.UNDER_CONSTRUCTION, kind=ProjectKind.OPERATION_MAINTENANCE)
    assert _codes(pre.contract_record(om, NO_FACTS, TODAY)) == ["OM_PROCUREMENT_BY_BDB"]
    assert pre.om_procurement_record(om, NO_FACTS, TODAY) == []
