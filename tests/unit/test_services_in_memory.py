"""Use cases of domain/services/ on the in-memory unit of work (tests/fakes.py): no database, the real casbin
policy as the gate. What they prove beyond the rules' own tests: the use case loads, checks, applies,
records and commits through the ports — and a refusal commits nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.actors import Actor, OrgType
from domain.approval_documents import ApprovalDocument, DocumentStatus, SelectionMethod
from domain.approval_path import DocumentType
from domain.changes import ChangeAspect, ChangeDeclaration, ChangeReason, ChangeRoute, FigureVersion
from domain.errors import DomainError, Forbidden, NotFound
from domain.implementation import Contract, ProcurementMethod, ProcurementRegime
from domain.lifecycle import Status
from domain.plans import EntryKind, PlanEntry
from domain.projects import CatalogueItem, FundingSource, Participant, Project, ProjectCategory, ProjectKind
from domain.reserve import CheckResult, ReserveCheck
from domain.services import approvals, construction, plans, projects, supervision
from domain.supervision import Subject
from store.files import check_upload
from tests.fakes import FakeUnitOfWork, Store

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 2026-03-02 09:30 in Yingkou
LEAD, PARTNER, OTHER_UNIT, BDB, EVALUATOR = 11, 12, 13, 1, 21
AUTHORIZER = Authorizer()  # the policy of authz/policy.csv, as the API enforces it

UNIT = Actor(user_id=101, organization_id=LEAD, role=OrgType.UNIT, username="edu.chen")
STRANGER = Actor(user_id=102, organization_id=OTHER_UNIT, role=OrgType.UNIT, username="health.liu")
REVIEWER = Actor(user_id=201, organization_id=BDB, role=OrgType.BDB, username="bdb.zhang")


def _store() -> Store:
    return Store(
        organizations={
            LEAD: OrgType.UNIT,
            PARTNER: OrgType.UNIT,
            OTHER_UNIT: OrgType.UNIT,
            BDB: OrgType.BDB,
            EVALUATOR: OrgType.EVALUATOR,
        }
    )


def _uow(store: Store, actor: Actor = UNIT, now: datetime = NOW) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, actor=actor, now=now)


def _draft(**values: object) -> Project:
    project = Project(
        name="营口市智慧教育云平台",
        kind=ProjectKind.BUILD,
        category=ProjectCategory.BUSINESS_SYSTEM,
        funding_source=FundingSource.FISCAL,
        total_investment=Decimal("1980000.00"),
        lead_organization_id=0,  # create_project sets the creator's unit
        description="建设全市统一的智慧教育云平台",
    )
    return replace(project, **values)


async def _created(store: Store, **values: object) -> Project:
    return await projects.create_project(
        uow=_uow(store), gate=AUTHORIZER.gate(UNIT, Operation.PROJECT_CREATE), project=_draft(**values)
    )


async def _submitted(store: Store, **values: object) -> Project:
    project = await _created(store, **values)
    assert project.id is not None
    gate = AUTHORIZER.gate(UNIT, Operation.PROJECT_SUBMIT_TO_RESERVE)
    return await projects.submit_to_reserve(
        uow=_uow(store), gate=gate, project_id=project.id, expected_version=None
    )


def _checks(failed: frozenset[ReserveCheck] = frozenset()) -> list[CheckResult]:
    return [CheckResult(check=c, passed=c not in failed, note="意见") for c in ReserveCheck]


# Project: create, update, submit (Art. 2, 6, 7, 8) ------------------------------------------------------


async def test_R2_a_unit_creates_a_draft_it_leads_with_its_audit_record() -> None:
    # given
    store = _store()
    # when
    project = await _created(store)
    # then
    assert project.id is not None and store.projects[project.id] is project
    assert project.status is Status.DRAFT and project.lead_organization_id == LEAD
    assert [(a.operation, a.target_type, a.target_id, a.before) for a in store.audit] == [
        ("project:create", "Project", project.id, None)
    ]


async def test_R6_a_draft_off_the_government_cloud_without_a_reason_is_refused_and_nothing_is_stored() -> (
    None
):
    # given
    store = _store()
    # when
    with pytest.raises(DomainError) as refused:
        await _created(store, deploys_on_government_cloud=False)
    # then
    assert [(v.code, v.rule) for v in refused.value.violations] == [
        ("PLATFORM_EXEMPTION_REASON_REQUIRED", "R6")
    ]
    assert store.projects == {} and store.audit == []


async def test_R8_an_update_naming_a_non_unit_participant_is_refused_and_the_draft_stays_as_it_was() -> None:
    # given
    store = _store()
    project = await _created(store)
    assert project.id is not None
    changes = projects.ProjectChanges(
        values={"name": "改名"}, participants=[Participant(organization_id=BDB)]
    )
    # when
    with pytest.raises(DomainError) as refused:
        await projects.update_project(
            uow=_uow(store),
            gate=AUTHORIZER.gate(UNIT, Operation.PROJECT_UPDATE),
            project_id=project.id,
            changes=changes,
            expected_version=project.version,
        )
    # then
    assert [(v.code, v.rule) for v in refused.value.violations] == [("INVALID_PARTICIPANT", "R8")]
    stored = store.projects[project.id]
    assert (stored.name, stored.participants, stored.version) == ("营口市智慧教育云平台", [], 1)
    assert len(store.audit) == 1


async def test_R8_the_lead_adds_a_participant_unit_and_the_version_moves() -> None:
    # given
    store = _store()
    project = await _created(store)
    assert project.id is not None
    changes = projects.ProjectChanges(
        values={"name": "营口市智慧教育云平台（二期）"},
        participants=[
            Participant(organization_id=PARTNER, business_flow="招生", data_flow="学籍", interfaces="API")
        ],
        catalogue=[CatalogueItem(code="EDU-001", name="学籍库")],
    )
    # when
    updated = await projects.update_project(
        uow=_uow(store),
        gate=AUTHORIZER.gate(UNIT, Operation.PROJECT_UPDATE),
        project_id=project.id,
        changes=changes,
        expected_version=1,
    )
    # then
    assert updated.version == 2 and updated.name.endswith("（二期）")
    assert [p.organization_id for p in updated.participants] == [PARTNER]
    assert store.audit[-1].before is not None and store.audit[-1].before["participants"] == []


async def test_R8_another_unit_cannot_even_see_a_draft_it_does_not_lead() -> None:
    # given
    store = _store()
    project = await _created(store)
    assert project.id is not None
    # when
    with pytest.raises(NotFound):
        await projects.update_project(
            uow=_uow(store, STRANGER),
            gate=AUTHORIZER.gate(STRANGER, Operation.PROJECT_UPDATE),
            project_id=project.id,
            changes=projects.ProjectChanges(values={"name": "不是我的"}),
            expected_version=None,
        )
    # then
    assert store.projects[project.id].name == "营口市智慧教育云平台" and len(store.audit) == 1


async def test_R7_submission_gives_the_years_codes_in_order_without_gaps_after_a_refusal() -> None:
    # given
    store = _store()
    first = await _submitted(store)
    incomplete = await _created(store, description=" ")
    assert incomplete.id is not None
    # when
    with pytest.raises(DomainError) as refused:
        await projects.submit_to_reserve(
            uow=_uow(store),
            gate=AUTHORIZER.gate(UNIT, Operation.PROJECT_SUBMIT_TO_RESERVE),
            project_id=incomplete.id,
            expected_version=None,
        )
    second = await _submitted(store)
    # then
    assert [v.code for v in refused.value.violations] == ["DESCRIPTION_REQUIRED"]
    assert (first.code, second.code) == ("YK-2026-0001", "YK-2026-0002")
    assert first.status is Status.RESERVE_REVIEW and store.projects[incomplete.id].status is Status.DRAFT


async def test_R8_a_catalogue_item_claimed_by_another_submitted_project_blocks_the_submission() -> None:
    # given
    store = _store()
    item = CatalogueItem(code="EDU-001", name="学籍库")
    claimant = await _submitted(store, catalogue=[item])
    late = await _created(store, catalogue=[replace(item)])
    assert late.id is not None
    # when
    with pytest.raises(DomainError) as refused:
        await projects.submit_to_reserve(
            uow=_uow(store),
            gate=AUTHORIZER.gate(UNIT, Operation.PROJECT_SUBMIT_TO_RESERVE),
            project_id=late.id,
            expected_version=None,
        )
    # then
    (violation,) = refused.value.violations
    assert (violation.code, violation.rule) == ("CATALOGUE_ITEM_ALREADY_CLAIMED", "R8")
    assert claimant.code is not None and claimant.code in violation.en


# Reserve review (Art. 7) ------------------------------------------------------------------------------


async def test_R7_all_five_checks_passed_put_the_project_in_the_reserve() -> None:
    # given
    store = _store()
    project = await _submitted(store)
    assert project.id is not None
    # when
    reviewed, review = await projects.review_for_reserve(
        uow=_uow(store, REVIEWER),
        gate=AUTHORIZER.gate(REVIEWER, Operation.RESERVE_REVIEW_RECORD),
        project_id=project.id,
        results=_checks(),
        comment="同意入库",
        expected_version=project.version,
    )
    # then
    assert reviewed.status is Status.IN_RESERVE and store.reviews == [review]
    assert review.id is not None and review.reviewer_user_id == REVIEWER.user_id
    assert (
        store.audit[-1].after is not None and store.audit[-1].after["reserveReview"]["outcome"] == "ACCEPTED"
    )


async def test_R7_a_failed_check_returns_the_project_to_its_unit_with_the_reason() -> None:
    # given
    store = _store()
    project = await _submitted(store)
    assert project.id is not None
    # when
    reviewed, review = await projects.review_for_reserve(
        uow=_uow(store, REVIEWER),
        gate=AUTHORIZER.gate(REVIEWER, Operation.RESERVE_REVIEW_RECORD),
        project_id=project.id,
        results=_checks(frozenset({ReserveCheck.DATA_SHARING})),
        comment="数据共享不足",
        expected_version=None,
    )
    # then
    assert reviewed.status is Status.DRAFT and review.return_reasons
    assert store.projects[project.id].code == project.code  # the code is kept for the resubmission


async def test_R7_the_unit_may_not_review_its_own_project_and_nothing_is_recorded() -> None:
    # given
    store = _store()
    project = await _submitted(store)
    assert project.id is not None
    audited = len(store.audit)
    # when
    with pytest.raises(Forbidden):
        await projects.review_for_reserve(
            uow=_uow(store),
            gate=AUTHORIZER.gate(UNIT, Operation.RESERVE_REVIEW_RECORD),
            project_id=project.id,
            results=_checks(),
            comment="",
            expected_version=None,
        )
    # then
    assert store.projects[project.id].status is Status.RESERVE_REVIEW
    assert store.reviews == [] and len(store.audit) == audited


# Annual plan (Art. 9) --------------------------------------------------------------------------------


async def test_R9_entries_are_taken_until_the_deadlines_last_second_china_time_then_refused() -> None:
    # given bdb's 2027 call closing on 2026-09-30, and a project in the reserve
    store = _store()
    call = await plans.open_call(
        uow=_uow(store, REVIEWER),
        operation=Operation.PLAN_CALL_OPEN.value,
        year=2027,
        deadline=date(2026, 9, 30),
        budget_compilation_date=date(2026, 10, 15),
        requirements="报送2027年度建设和运维计划",
    )
    project = _in_reserve(store)
    assert call.id is not None and project.id is not None
    last_second = datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Yingkou

    async def submit(at: datetime, amount: str) -> PlanEntry:
        assert call.id is not None and project.id is not None
        return await plans.submit_entry(
            uow=_uow(store, now=at),
            gate=AUTHORIZER.gate(UNIT, Operation.PLAN_ENTRY_SUBMIT),
            call_id=call.id,
            project_id=project.id,
            kind=EntryKind.BUILD,
            amount=Decimal(amount),
            description="建设计划",
        )

    # when
    first = await submit(NOW, "1500000.00")
    resubmitted = await submit(last_second, "1800000.00")
    with pytest.raises(DomainError) as refused:
        await submit(last_second + timedelta(seconds=1), "1900000.00")
    # then: the resubmission replaced the entry, the late one changed nothing
    assert resubmitted.id == first.id and list(store.entries) == [first.id]
    assert store.entries[first.id or 0].requested_amount == Decimal("1800000.00")
    assert [(v.code, v.rule) for v in refused.value.violations] == [("PLAN_CALL_CLOSED", "R9")]


# Approval documents (Art. 11–13) ----------------------------------------------------------------------


def _in_reserve(store: Store, **values: object) -> Project:
    """A project already in the reserve, as the earlier use cases leave it."""
    project = _draft(
        lead_organization_id=LEAD, status=Status.IN_RESERVE, code="YK-2026-0001", year=2026, **values
    )
    project.id = store.new_id()
    store.projects[project.id] = project
    return project


R12_CONTENT = {
    "data_catalogue": "目录",
    "sharing_list": "清单",
    "sharing_process": "流程",
    "sharing_interfaces": "接口",
    "sharing_frequency": "每日",
    "product_security_statement": "安全可靠",
    "security_plan": "等保三级",
    "crypto_application_plan": "国密",
}


async def _submit(
    store: Store, project: Project, kind: DocumentType, content: dict[str, str]
) -> ApprovalDocument:
    assert project.id is not None
    _, document = await approvals.submit_document(
        uow=_uow(store),
        gate=AUTHORIZER.gate(UNIT, Operation.APPROVAL_DOCUMENT_SUBMIT),
        project_id=project.id,
        document_type=kind,
        content=content,
        requested_investment=Decimal("1980000.00"),
        attachments=[],
        expected_version=None,
    )
    return document


async def test_R12_a_feasibility_study_lacking_its_parts_is_refused_naming_each_and_nothing_is_stored() -> (
    None
):
    # given: listed in a plan, so R11.1 lets it start at the feasibility study
    store = _store()
    project = _in_reserve(store, listed_plan_reference="营口市数字政府建设规划（2024—2026年）")
    # when
    with pytest.raises(DomainError) as refused:
        await _submit(store, project, DocumentType.FEASIBILITY_STUDY, {"data_catalogue": "目录"})
    # then
    assert {v.rule for v in refused.value.violations} == {"R12"}
    assert len(refused.value.violations) == len(R12_CONTENT) - 1
    assert store.projects[project.id or 0].documents == [] and store.audit == []


async def test_R11_1_a_listed_project_submits_its_feasibility_study_first() -> None:
    # given
    store = _store()
    project = _in_reserve(store, listed_plan_reference="营口市数字政府建设规划（2024—2026年）")
    # when
    document = await _submit(store, project, DocumentType.FEASIBILITY_STUDY, R12_CONTENT)
    # then
    assert document.id is not None and document.path_rule == "R11.1"
    assert document.status is DocumentStatus.SUBMITTED and document.project_id == project.id
    assert store.audit[-1].target_type == "ApprovalDocument" and store.audit[-1].target_id == document.id


async def test_R13_1_bdb_entrusts_a_registered_evaluator_but_not_another_organization() -> None:
    # given
    store = _store()
    project = _in_reserve(store, listed_plan_reference="营口市数字政府建设规划（2024—2026年）")
    document = await _submit(store, project, DocumentType.FEASIBILITY_STUDY, R12_CONTENT)
    assert document.id is not None
    gate = AUTHORIZER.gate(REVIEWER, Operation.APPROVAL_DOCUMENT_ASSIGN_EVALUATOR)

    async def assign(organization_id: int) -> ApprovalDocument:
        assert document.id is not None
        return await approvals.assign_evaluator(
            uow=_uow(store, REVIEWER),
            gate=gate,
            document_id=document.id,
            evaluator_organization_id=organization_id,
            method=SelectionMethod.COMPETITIVE_CONSULTATION,
            reference="YKCG-2026-031",
        )

    # when
    with pytest.raises(DomainError) as refused:
        await assign(OTHER_UNIT)
    assigned = await assign(EVALUATOR)
    # then
    assert [(v.code, v.rule) for v in refused.value.violations] == [("NOT_AN_EVALUATOR", "R13.1")]
    assert assigned.status is DocumentStatus.UNDER_EVALUATION
    assert assigned.evaluator_organization_id == EVALUATOR
    assert [a.operation for a in store.audit][-1] == "approval-document:assign-evaluator"


# Construction (Art. 14–17) ----------------------------------------------------------------------------


def _approved(store: Store, *, plan_year: int | None = 2026) -> Project:
    """A project whose preliminary design is approved (R13) and which is in an approved plan (R10)."""
    project = _in_reserve(store)
    design = ApprovalDocument(
        project_id=project.id or 0,
        type=DocumentType.PRELIMINARY_DESIGN,
        version=1,
        requested_investment=Decimal("1980000.00"),
        path_rule="R11.0",
        submitted_at=NOW,
        submitted_by_user_id=101,
        status=DocumentStatus.APPROVED,
        id=store.new_id(),
    )
    project.documents = [design]
    project.status, project.plan_year = Status.APPROVED, plan_year
    project.approval_date, project.approved_investment = date(2026, 2, 16), Decimal("1980000.00")
    return project


CONTRACT = {
    "legal_person": "营口市教育局",
    "regime": ProcurementRegime.GOVERNMENT_PROCUREMENT,
    "method": ProcurementMethod.PUBLIC_TENDER,
    "procurement_reference": "YKCG-2026-045",
    "winning_bidder": "辽宁某信息技术有限公司",
    "supervision_firm": "营口某监理有限公司",
    "contract_number": "HT-2026-0102",
    "amount": Decimal("1900000.00"),
    "signed_on": date(2026, 2, 28),
}


async def test_R14_the_first_contract_of_an_approved_project_starts_construction() -> None:
    # given
    store = _store()
    project = _approved(store)
    assert project.id is not None
    # when
    started, contract_id = await construction.record_contract(
        uow=_uow(store),
        gate=AUTHORIZER.gate(UNIT, Operation.CONTRACT_RECORD),
        project_id=project.id,
        values=CONTRACT,
        om_by_bdb=False,
    )
    # then
    assert started.status is Status.UNDER_CONSTRUCTION
    assert [r.id for r in store.records if isinstance(r, Contract)] == [contract_id]
    assert [(a.target_type, a.after and a.after.get("status")) for a in store.audit] == [
        ("Contract", None),
        ("Project", "UNDER_CONSTRUCTION"),
    ]


async def test_R10_1_no_construction_outside_an_approved_plan_and_no_contract_is_kept() -> None:
    # given
    store = _store()
    project = _approved(store, plan_year=None)
    assert project.id is not None
    # when
    with pytest.raises(DomainError) as refused:
        await construction.record_contract(
            uow=_uow(store),
            gate=AUTHORIZER.gate(UNIT, Operation.CONTRACT_RECORD),
            project_id=project.id,
            values=CONTRACT,
            om_by_bdb=False,
        )
    # then
    assert ("NOT_IN_APPROVED_PLAN", "R10.1") in [(v.code, v.rule) for v in refused.value.violations]
    assert store.projects[project.id].status is Status.APPROVED and store.records == []


def _change(adjusted: str) -> ChangeDeclaration:
    return ChangeDeclaration(
        aspects=[ChangeAspect.CONTENT],
        new_total_investment=Decimal("1000000.00"),
        adjusted_funds=Decimal(adjusted),
        same_objectives=True,
        reason=ChangeReason.TECHNICAL_OPTIMISATION,
        description="调整建设内容",
    )


async def test_R17_filed_adjustments_count_cumulatively_up_to_fifteen_percent_inclusive() -> None:
    # given: an approved total of 1,000,000.00, so 150,000.00 may be filed in all
    store = _store()
    project = _approved(store)
    assert project.id is not None
    gate = AUTHORIZER.gate(UNIT, Operation.CHANGE_REQUEST_FILE)

    async def file(adjusted: str) -> ChangeRoute:
        assert project.id is not None
        _, _, preview = await construction.file_change(
            uow=_uow(store), gate=gate, project_id=project.id, values=_change(adjusted)
        )
        return preview.classification.route

    # when
    routes = [await file("100000.00"), await file("50000.00"), await file("0.01")]
    # then
    assert routes == [ChangeRoute.FILING, ChangeRoute.FILING, ChangeRoute.APPROVAL]
    versions = [r.version for r in store.records if isinstance(r, FigureVersion)]
    assert versions == [1, 2, 3]  # the approval, then one version per filed change


# Supervision (Art. 23) --------------------------------------------------------------------------------


async def test_R23_2_bdb_suspends_only_after_the_rectification_deadline_and_the_unit_still_reports() -> None:
    # given bdb's data-sharing inspection of an approved project, rectification ordered by 2026-03-31
    store = _store()
    project = _approved(store)
    assert project.id is not None
    inspection = await supervision.open_inspection(
        uow=_uow(store, REVIEWER),
        gate=AUTHORIZER.gate(REVIEWER, Operation.INSPECTION_OPEN),
        project_id=project.id,
        subject=Subject.DATA_SHARING,
        note="数据共享专项检查",
    )
    assert inspection.id is not None
    await supervision.conclude_inspection(
        uow=_uow(store, REVIEWER),
        gate=AUTHORIZER.gate(REVIEWER, Operation.INSPECTION_CONCLUDE),
        inspection_id=inspection.id,
        findings="共享接口未开放",
        deadline=date(2026, 3, 31),
    )

    async def suspend(on: datetime) -> Project:
        assert project.id is not None
        return await supervision.suspend(
            uow=_uow(store, REVIEWER, now=on),
            gate=AUTHORIZER.gate(REVIEWER, Operation.PROJECT_SUSPEND),
            project_id=project.id,
            expected_version=None,
        )

    # when: on the deadline day (23:59 in Yingkou), then the day after
    with pytest.raises(DomainError) as early:
        await suspend(datetime(2026, 3, 31, 15, 59, tzinfo=UTC))
    suspended = await suspend(datetime(2026, 3, 31, 16, 0, tzinfo=UTC))
    report = await supervision.submit_rectification(
        uow=_uow(store, now=datetime(2026, 4, 2, 2, 0, tzinfo=UTC)),
        gate=AUTHORIZER.gate(UNIT, Operation.RECTIFICATION_REPORT_SUBMIT),
        inspection_id=inspection.id,
        content="已开放共享接口",
        attachments=[check_upload("整改报告.pdf", b"%PDF-1.7", max_bytes=1024, index=0)],  # type: ignore[list-item]
    )
    # then
    assert [(v.code, v.rule) for v in early.value.violations] == [("NO_FAILED_RECTIFICATION", "R23.2")]
    assert suspended.status is Status.SUSPENDED and suspended.suspended_from is Status.APPROVED
    assert report.id in store.reports and store.attachments == [
        ("RectificationReport", report.id, "整改报告.pdf", b"%PDF-1.7")
    ]
