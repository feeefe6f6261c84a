"""Use cases of Art. 16–22 on the in-memory unit of work: the Implementation and Acceptance aggregates as the
use cases load, change and store them through the ports (tests/fakes.py), the real policy as the gate."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from authz.operations import Operation
from domain import acceptance as acc
from domain.actors import Actor, OrgType
from domain.changes import ChangeRequest, ChangeStatus, FigureVersion
from domain.errors import DomainError, NotFound
from domain.evaluation import Grade, PostEvaluation
from domain.lifecycle import Status
from domain.progress import ProgressFigures, ProgressReport
from domain.projects import Project
from domain.services import completion, construction
from tests.fakes import FakeUnitOfWork, Store
from tests.unit.test_services_in_memory import (
    AUTHORIZER,
    CONTRACT,
    EVALUATOR,
    REVIEWER,
    UNIT,
    _approved,
    _change,
    _store,
)

K = acc.AcceptanceEventKind
REPORTS = set(acc.required_reports(classified=False))
THE_EVALUATOR = Actor(user_id=301, organization_id=EVALUATOR, role=OrgType.EVALUATOR, username="eval.wang")
ANOTHER_EVALUATOR = Actor(user_id=302, organization_id=22, role=OrgType.EVALUATOR, username="eval.li")


def at(day: date) -> datetime:
    """10:00 in Yingkou on that legal day."""
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def _with_every_report(store: Store, project_id: int) -> None:
    """Every acceptance report uploaded (R19.2, R19.4, R21.2): what these tests take as given."""
    for kind in acc.AcceptanceReport:
        data = f"{kind} of project {project_id}".encode()
        store.acceptance_reports.append(
            (store.new_id(), project_id, kind, hashlib.sha256(data).hexdigest(), data)
        )


def _uow(store: Store, actor: Actor, day: date) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, actor=actor, now=at(day))


async def _acceptance(store: Store, project: Project) -> acc.Acceptance:
    assert project.id is not None
    async with _uow(store, UNIT, date(2026, 3, 2)) as uow:
        return await uow.construction.acceptance(project.id)


async def _in_trial_operation(store: Store) -> Project:
    """Contract signed, initial acceptance passed on 2 March 2026: the window is 2 June – 2 September."""
    project = _approved(store)
    assert project.id is not None
    _with_every_report(store, project.id)
    await construction.record_contract(
        uow=_uow(store, UNIT, date(2026, 3, 2)),
        gate=AUTHORIZER.gate(UNIT, Operation.CONTRACT_RECORD),
        project_id=project.id,
        values=CONTRACT,
        om_by_bdb=False,
    )
    return await completion.record_initial(
        uow=_uow(store, UNIT, date(2026, 3, 2)),
        gate=AUTHORIZER.gate(UNIT, Operation.ACCEPTANCE_INITIAL_RECORD),
        project_id=project.id,
        on=date(2026, 3, 2),
        passed=True,
        note="初验通过",
        classified=None,
    )


async def _apply(store: Store, project_id: int, day: date) -> Project:
    return await completion.apply_for_acceptance(
        uow=_uow(store, UNIT, day),
        gate=AUTHORIZER.gate(UNIT, Operation.ACCEPTANCE_APPLY),
        project_id=project_id,
        note="申请竣工验收",
    )


async def _extend(store: Store, project_id: int, day: date, until: date) -> Project:
    return await completion.record_extension(
        uow=_uow(store, REVIEWER, day),
        gate=AUTHORIZER.gate(REVIEWER, Operation.ACCEPTANCE_EXTEND),
        project_id=project_id,
        until=until,
        reason="系统迁移",
    )


async def _decide(store: Store, project_id: int, day: date, *, passed: bool) -> Project:
    return await completion.decide_acceptance(
        uow=_uow(store, REVIEWER, day),
        gate=AUTHORIZER.gate(REVIEWER, Operation.ACCEPTANCE_DECIDE),
        project_id=project_id,
        passed=passed,
        opinion="验收意见",
    )


async def _file(store: Store, project_id: int, day: date) -> Project:
    return await completion.file_acceptance_report(
        uow=_uow(store, UNIT, day),
        gate=AUTHORIZER.gate(UNIT, Operation.ACCEPTANCE_REPORT_FILE),
        project_id=project_id,
        note="报备验收报告",
    )


async def _acknowledge(store: Store, project_id: int, day: date) -> Project:
    return await completion.acknowledge_filing(
        uow=_uow(store, REVIEWER, day),
        gate=AUTHORIZER.gate(REVIEWER, Operation.ACCEPTANCE_FILING_ACKNOWLEDGE),
        project_id=project_id,
        note="备案确认",
    )


# R16 ----------------------------------------------------------------------------------------------------


async def test_R16_an_approved_change_moves_the_approved_figures_and_a_decided_one_cannot_be_decided_again() -> (
    None
):
    # given a change above the 15 % of the approved 1,980,000.00, waiting for bdb
    store = _store()
    project = _approved(store)
    assert project.id is not None
    _, change_id, preview = await construction.file_change(
        uow=_uow(store, UNIT, date(2026, 3, 2)),
        gate=AUTHORIZER.gate(UNIT, Operation.CHANGE_REQUEST_FILE),
        project_id=project.id,
        values=_change("500000.00"),
    )
    assert preview.classification.rule == "R17"

    async def decide() -> Project:
        return await construction.decide_change(
            uow=_uow(store, REVIEWER, date(2026, 3, 3)),
            gate=AUTHORIZER.gate(REVIEWER, Operation.CHANGE_REQUEST_DECIDE),
            change_id=change_id,
            approve=True,
            opinion="同意变更",
        )

    # when bdb approves it, then tries again
    decided = await decide()
    with pytest.raises(DomainError) as again:
        await decide()
    # then the change is approved once, the figures moved to its total, and the audit shows the decision
    change = next(r for r in store.records if isinstance(r, ChangeRequest))
    assert change.status is ChangeStatus.APPROVED and change.decision_opinion == "同意变更"
    assert decided.approved_investment == Decimal("1000000.00")
    versions = [(v.version, v.approved_investment) for v in store.records if isinstance(v, FigureVersion)]
    assert versions == [(1, Decimal("1980000.00")), (2, Decimal("1000000.00"))]
    assert [(v.code, v.rule) for v in again.value.violations] == [("CHANGE_NOT_PENDING", "R16")]
    decision = [a for a in store.audit if a.target_type == "ChangeRequest"][-1]
    assert decision.before and decision.after
    assert (decision.before["status"], decision.after["status"]) == ("PENDING", "APPROVED")


# R18 ----------------------------------------------------------------------------------------------------


async def test_R18_a_period_is_reported_once_and_the_second_report_stores_nothing() -> None:
    # given an approved project (approval 16 February 2026: period 1 is under way)
    store = _store()
    project = _approved(store)
    assert project.id is not None
    values = ProgressFigures(
        period_number=1,
        physical_progress=Decimal("12.50"),
        funds_spent=Decimal("300000.00"),
        milestones="完成需求调研",
    )

    async def report() -> tuple[Project, int]:
        assert project.id is not None
        return await construction.submit_progress(
            uow=_uow(store, UNIT, date(2026, 3, 2)),
            gate=AUTHORIZER.gate(UNIT, Operation.PROGRESS_REPORT_SUBMIT),
            project_id=project.id,
            values=values,
        )

    # when the unit reports period 1 twice
    _, pk = await report()
    with pytest.raises(DomainError) as twice:
        await report()
    # then one report is kept, for the period of 16 February – 16 May
    reports = [r for r in store.records if isinstance(r, ProgressReport)]
    assert [(r.id, r.period_start, r.period_end) for r in reports] == [
        (pk, date(2026, 2, 16), date(2026, 5, 16))
    ]
    assert reports[0].submitted_by_user_id == UNIT.user_id
    assert [(v.code, v.rule) for v in twice.value.violations] == [("PERIOD_ALREADY_REPORTED", "R18")]


# R19–R21 ------------------------------------------------------------------------------------------------


async def test_R19_1_the_window_closes_on_bdbs_extension_inclusive_and_refuses_the_day_after() -> None:
    # given a passed initial acceptance on 2 March (window closes 2 September) extended by bdb to 30 September
    store = _store()
    project = await _in_trial_operation(store)
    assert project.id is not None
    before = await _acceptance(store, project)
    await _extend(store, project.id, date(2026, 8, 1), until=date(2026, 9, 30))
    # when the unit applies on 1 October, then on 30 September
    with pytest.raises(DomainError) as late:
        await _apply(store, project.id, date(2026, 10, 1))
    applied = await _apply(store, project.id, date(2026, 9, 30))
    # then the closing date is the extension, the later application is the one kept
    history = await _acceptance(store, project)
    assert (before.window_opens_on, before.window_closes_on) == (date(2026, 6, 2), date(2026, 9, 2))
    assert (history.window_closes_on, history.extended_until) == (date(2026, 9, 30), date(2026, 9, 30))
    assert [(v.code, v.rule) for v in late.value.violations] == [("ACCEPTANCE_WINDOW_CLOSED", "R19.1")]
    assert applied.status is Status.ACCEPTANCE_REVIEW
    assert [e.kind for e in history.events] == [K.INITIAL, K.EXTENSION, K.APPLICATION]
    assert history.completion_applied


async def test_R20_an_extension_while_rectifying_moves_the_rectification_deadline_not_the_window() -> None:
    # given an application in time and a failed result on 10 June (rectify by 10 September)
    store = _store()
    project = await _in_trial_operation(store)
    assert project.id is not None
    await _apply(store, project.id, date(2026, 6, 2))
    await _decide(store, project.id, date(2026, 6, 10), passed=False)
    failed = await _acceptance(store, project)
    # when bdb extends the rectification to 10 October and the unit resubmits on that day
    await _extend(store, project.id, date(2026, 9, 1), until=date(2026, 10, 10))
    extended = await _acceptance(store, project)
    resubmitted = await _apply(store, project.id, date(2026, 10, 10))
    # then the deadline moved, the window did not, and the failure counts as resubmitted
    assert failed.rectification_deadline == date(2026, 9, 10)
    assert extended.rectification_deadline == date(2026, 10, 10)
    assert (extended.extended_until, extended.window_closes_on) == (None, date(2026, 9, 2))
    assert resubmitted.status is Status.ACCEPTANCE_REVIEW
    history = await _acceptance(store, project)
    assert [(f.failed_on, f.deadline, f.resubmitted) for f in history.failures] == [
        (date(2026, 6, 10), date(2026, 10, 10), True)
    ]


async def test_R21_the_filing_waits_for_bdb_once_and_reporting_ends_on_its_acknowledgement() -> None:
    # given an accepted project
    store = _store()
    project = await _in_trial_operation(store)
    assert project.id is not None
    await _apply(store, project.id, date(2026, 6, 2))
    await _decide(store, project.id, date(2026, 6, 10), passed=True)
    # when the unit files, files again, and bdb acknowledges
    await _file(store, project.id, date(2026, 6, 12))
    pending = await _acceptance(store, project)
    with pytest.raises(DomainError) as twice:
        await _file(store, project.id, date(2026, 6, 13))
    filed = await _acknowledge(store, project.id, date(2026, 6, 15))
    # then
    history = await _acceptance(store, project)
    assert (pending.filing_pending, pending.reporting_ends_on) == (True, None)
    assert [(v.code, v.rule) for v in twice.value.violations] == [("FILING_PENDING", "R21")]
    assert filed.status is Status.FILED and filed.operation_started_on == date(2026, 6, 15)
    assert (history.filing_pending, history.filed_on, history.accepted_on) == (
        False,
        date(2026, 6, 12),
        date(2026, 6, 10),
    )
    assert history.reporting_ends_on == history.operation_started_on == date(2026, 6, 15)
    assert [a.target_type for a in store.audit][-2:] == ["AcceptanceEvent", "Project"]


# R22 ----------------------------------------------------------------------------------------------------


async def test_R22_only_the_commissioned_evaluator_files_the_post_evaluation_and_only_once() -> None:
    # given a filed project whose post-evaluation bdb entrusted to EVALUATOR
    store = _store()
    project = await _in_trial_operation(store)
    assert project.id is not None
    await _apply(store, project.id, date(2026, 6, 2))
    await _decide(store, project.id, date(2026, 6, 10), passed=True)
    await _file(store, project.id, date(2026, 6, 12))
    await _acknowledge(store, project.id, date(2026, 6, 15))
    pk = await completion.commission_post_evaluation(
        uow=_uow(store, REVIEWER, date(2027, 7, 1)),
        gate=AUTHORIZER.gate(REVIEWER, Operation.POST_EVALUATION_COMMISSION),
        project_id=project.id,
        evaluator_organization_id=EVALUATOR,
    )

    async def file(actor: Actor) -> int:
        return await completion.file_post_evaluation(
            uow=_uow(store, actor, date(2027, 9, 1)),
            gate=AUTHORIZER.gate(actor, Operation.POST_EVALUATION_FILE),
            post_evaluation_id=pk,
            score=Decimal("88.50"),
            grade=Grade.GOOD,
            findings="达到预期目标",
        )

    # when another evaluator tries, the commissioned one files, then files again
    with pytest.raises(NotFound):
        await file(ANOTHER_EVALUATOR)
    await file(THE_EVALUATOR)
    with pytest.raises(DomainError) as twice:
        await file(THE_EVALUATOR)
    # then the result is the commissioned evaluator's, recorded once
    evaluation = next(r for r in store.records if isinstance(r, PostEvaluation))
    assert (evaluation.score, evaluation.grade, evaluation.completed) == (Decimal("88.50"), "GOOD", True)
    assert evaluation.unit_organization_id == project.lead_organization_id
    assert [(v.code, v.rule) for v in twice.value.violations] == [("POST_EVALUATION_COMPLETED", "R22")]
    assert [a.after and a.after.get("grade") for a in store.audit if a.target_type == "PostEvaluation"] == [
        None,
        "GOOD",
    ]
