"""Use cases of Art. 19–22: initial and completion acceptance, rectification, filing, funds and
data-centre resources (R21), self-evaluation and post-evaluation (R22)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain import acceptance as acc
from domain import acceptance_files as files
from domain import chronology, funds
from domain import evaluation as ev
from domain import preconditions as pre
from domain.clock import legal_date
from domain.errors import DomainError, Violation
from domain.funds import Disbursement, ResourceAllocation
from domain.lifecycle import Status, transition
from domain.ports import Gate, UnitOfWork
from domain.preconditions import ActionFacts
from domain.projects import Project
from domain.services.construction import finish, jsonable, load, store
from domain.services.projects import precondition

K = acc.AcceptanceEventKind


async def _event(
    uow: UnitOfWork,
    gate: Gate,
    project: Project,
    acceptance: acc.Acceptance,
    values: dict[str, Any],
    project_before: dict[str, Any] | None,
    audit_extra: dict[str, Any] | None = None,
) -> int:
    """Record the next event of the project's acceptance history, with its audit record."""
    assert project.id is not None
    row = {"project_id": project.id, "recorded_at": uow.now(), **values}
    pk = await store(uow, acceptance.record(acc.AcceptanceEvent(**row)))
    audit = jsonable({**row, **(audit_extra or {})})
    await finish(uow, gate, project, "AcceptanceEvent", pk, None, audit, project_before)
    return pk


async def record_initial(
    *,
    uow: UnitOfWork,
    gate: Gate,
    project_id: int,
    on: date,
    passed: bool,
    note: str,
    classified: bool | None,
    late_entry_reason: str | None = None,
) -> Project:
    """R19.1: the unit's initial acceptance; a passed one starts the trial operation the window counts from.
    R19.3: its date is checked against today, the start of construction and any earlier initial acceptance."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.acceptance_initial_record)
        implementation = await uow.construction.implementation(project_id)
        acceptance = await uow.construction.acceptance(project_id)
        chronology.check(
            chronology.initial_acceptance_violations(
                on,
                today=legal_date(uow.now()),
                construction_started_on=implementation.construction_started_on,
                previous_initial_on=acceptance.last_initial_on,
                late_reason=late_entry_reason,
            )
            + files.initial_acceptance_violations(passed, await uow.acceptance_files.reports(project_id))
        )
        before = project.snapshot()
        if classified is not None:
            project.classified = classified
        if passed:
            project.status = transition(project.status, Status.TRIAL_OPERATION, rule="R19.1")
        await _event(
            uow,
            gate,
            project,
            acceptance,
            {"kind": K.INITIAL, "event_date": on, "passed": passed, "note": note},
            before,
            audit_extra=chronology.late_entry_audit(late_entry_reason),
        )
    return project


async def record_extension(
    *, uow: UnitOfWork, gate: Gate, project_id: int, until: date, reason: str
) -> Project:
    """R19.1 [interp]: bdb extends the completion-acceptance window to a later closing date; R20 [interp]:
    while the project rectifies, the same step extends the rectification deadline."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.acceptance_extend)
        acceptance = await uow.construction.acceptance(project_id)
        if project.status is Status.RECTIFYING:
            closes = acceptance.rectification_deadline
            assert closes is not None  # RECTIFYING is reached only by a failed result
        else:
            closes = acceptance.window_closes_on
            assert closes is not None  # TRIAL_OPERATION is reached only by a passed initial acceptance
        problems = chronology.extension_violations(until, today=legal_date(uow.now()), closes=closes)
        if not reason.strip():
            problems.append(
                Violation(
                    "REASON_REQUIRED",
                    "须说明延期理由。",
                    "A reason is required.",
                    rule="R19.1",
                    field=("input", "reason"),
                )
            )
        if problems:
            raise DomainError(problems)
        await _event(
            uow,
            gate,
            project,
            acceptance,
            {"kind": K.EXTENSION, "event_date": legal_date(uow.now()), "deadline": until, "note": reason},
            None,
        )
    return project


async def apply_for_acceptance(*, uow: UnitOfWork, gate: Gate, project_id: int, note: str) -> Project:
    """R19: the completion-acceptance application within the window, with the five reports uploaded as
    files (R19.2); R20: after rectification the same application is the resubmission bdb re-examines."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.acceptance_apply)
        today = legal_date(uow.now())
        acceptance = await uow.construction.acceptance(project_id)
        stored = await uow.acceptance_files.reports(project_id)
        uploaded = files.latest(stored)
        reports = set(uploaded)  # an altered file is named as altered (below), not as missing
        resubmission = project.status is Status.RECTIFYING
        problems: list[Violation] = []
        try:
            if resubmission:
                acc.check_resubmission(
                    project.classified, reports, today=today, deadline=acceptance.rectification_deadline
                )
            else:
                acc.check_application(
                    initial_passed_on=acceptance.initial_passed_on,
                    today=today,
                    classified=project.classified,
                    attached=reports,
                    extended_until=acceptance.extended_until,
                )
        except DomainError as refused:
            problems.extend(refused.violations)
        chronology.check(problems + files.altered_required(project.classified, stored))
        before = project.snapshot()
        project.status = transition(
            project.status, Status.ACCEPTANCE_REVIEW, rule="R20" if resubmission else "R19.1"
        )
        await _event(
            uow,
            gate,
            project,
            acceptance,
            {
                "kind": K.RESUBMISSION if resubmission else K.APPLICATION,
                "event_date": today,
                "reports": sorted(str(r) for r in acc.required_reports(project.classified)),
                "note": note,
            },
            before,
            audit_extra={
                "report_files": [uploaded[r].attachment_id for r in acc.required_reports(project.classified)]
            },
        )
    return project


async def decide_acceptance(
    *, uow: UnitOfWork, gate: Gate, project_id: int, passed: bool, opinion: str
) -> Project:
    """R20: bdb's result; a failure sets the 3-month rectification deadline."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.acceptance_decide)
        if not opinion.strip():
            raise DomainError(
                [
                    Violation(
                        "OPINION_REQUIRED",
                        "须填写验收意见。",
                        "An opinion is required.",
                        rule="R20",
                        field=("input", "opinion"),
                    )
                ]
            )
        today = legal_date(uow.now())
        acceptance = await uow.construction.acceptance(project_id)
        before = project.snapshot()
        project.status = transition(
            project.status, Status.ACCEPTED if passed else Status.RECTIFYING, rule="R20"
        )
        await _event(
            uow,
            gate,
            project,
            acceptance,
            {
                "kind": K.RESULT,
                "event_date": today,
                "passed": passed,
                "note": opinion,
                "deadline": None if passed else acc.rectification_deadline(today),
            },
            before,
        )
    return project


async def file_acceptance_report(*, uow: UnitOfWork, gate: Gate, project_id: int, note: str) -> Project:
    """R21: after acceptance the unit files its acceptance report with bdb."""
    async with uow:
        project = await load(uow, gate, project_id)
        acceptance = await uow.construction.acceptance(project_id)
        facts = ActionFacts(filing_pending=acceptance.filing_pending)
        precondition(pre.acceptance_report_file, project, uow, facts)
        chronology.check(files.filing_violations(await uow.acceptance_files.reports(project_id)))
        event = {"kind": K.FILING, "event_date": legal_date(uow.now()), "note": note}
        await _event(uow, gate, project, acceptance, event, None)
    return project


async def acknowledge_filing(*, uow: UnitOfWork, gate: Gate, project_id: int, note: str) -> Project:
    """R21: bdb acknowledges the filing; the project is FILED and in operation from today (R22 counts)."""
    async with uow:
        project = await load(uow, gate, project_id)
        acceptance = await uow.construction.acceptance(project_id)
        facts = ActionFacts(filing_pending=acceptance.filing_pending)
        precondition(pre.acceptance_filing_acknowledge, project, uow, facts)
        today = legal_date(uow.now())
        before = project.snapshot()
        project.status = transition(project.status, Status.FILED, rule="R21")
        project.operation_started_on = today
        event = {"kind": K.FILING_ACKNOWLEDGED, "event_date": today, "note": note}
        await _event(uow, gate, project, acceptance, event, before)
    return project


# R21 funds and resources ---------------------------------------------------------------------------


async def record_disbursement(
    *,
    uow: UnitOfWork,
    gate: Gate,
    project_id: int,
    kind: funds.DisbursementKind,
    amount: Decimal,
    paid_on: date,
    note: str,
    late_entry_reason: str | None = None,
) -> tuple[Project, int]:
    """Finance records a disbursement: never above the approved investment; the remaining funds after filing.
    R21.1: the payment date is checked against today, the approval date and (remaining funds) the filing."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.disbursement_record)
        problems = chronology.payment_date_violations(
            paid_on,
            today=legal_date(uow.now()),
            approval_date=project.approval_date,
            filed_on=project.operation_started_on,
            final=kind is funds.DisbursementKind.FINAL,
            late_reason=late_entry_reason,
        )
        try:
            funds.check_disbursement(
                kind=kind,
                amount=amount,
                already_disbursed=await uow.construction.disbursed(project_id),
                approved_investment=project.approved_investment,
                filed=project.status is Status.FILED,
            )
        except DomainError as error:
            problems = [*error.violations, *problems]
        chronology.check(problems)
        row: dict[str, Any] = {
            "project_id": project_id,
            "kind": kind,
            "amount": amount,
            "paid_on": paid_on,
            "note": note,
            "recorded_at": uow.now(),
        }
        pk = await store(uow, Disbursement(**row))
        audit = jsonable({**row, **chronology.late_entry_audit(late_entry_reason)})
        await finish(uow, gate, project, "Disbursement", pk, None, audit)
    return project, pk


async def allocate_resources(
    *, uow: UnitOfWork, gate: Gate, project_id: int, resources: str
) -> tuple[Project, int]:
    """bdb allocates data-centre resources — only to a filed project (R21)."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.resource_allocate)
        if not resources.strip():
            raise DomainError(
                [
                    Violation(
                        "RESOURCES_REQUIRED",
                        "须说明分配的资源。",
                        "Say which resources.",
                        rule="R21",
                        field=("input", "resources"),
                    )
                ]
            )
        row: dict[str, Any] = {"project_id": project_id, "resources": resources, "recorded_at": uow.now()}
        pk = await store(uow, ResourceAllocation(**row))
        await finish(uow, gate, project, "ResourceAllocation", pk, None, jsonable(row))
    return project, pk


# R22 -----------------------------------------------------------------------------------------------

SELF_EVALUATION_RECIPIENTS = ("bdb", "finance")


async def submit_self_evaluation(
    *, uow: UnitOfWork, gate: Gate, project_id: int, summary: str
) -> tuple[Project, int]:
    """R22: the unit's self-evaluation, 12–24 months into operation, delivered to bdb and finance."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.self_evaluation_submit)
        today = legal_date(uow.now())
        if not summary.strip():
            raise DomainError(
                [
                    Violation(
                        "SUMMARY_REQUIRED",
                        "须填写自评价内容。",
                        "The self-evaluation is empty.",
                        rule="R22",
                        field=("input", "summary"),
                    )
                ]
            )
        row: dict[str, Any] = {
            "project_id": project_id,
            "summary": summary,
            "delivered_to": list(SELF_EVALUATION_RECIPIENTS),
            "submitted_on": today,
            "recorded_at": uow.now(),
        }
        pk = await store(uow, ev.SelfEvaluation(**row))
        await finish(uow, gate, project, "SelfEvaluation", pk, None, jsonable(row))
    return project, pk


async def commission_post_evaluation(
    *, uow: UnitOfWork, gate: Gate, project_id: int, evaluator_organization_id: int
) -> int:
    """R22: bdb commissions a third-party post-evaluation of a project in operation."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.post_evaluation_commission)
        problems = []
        types = await uow.projects.organization_types([evaluator_organization_id])
        if types.get(evaluator_organization_id) != "evaluator":
            problems.append(
                Violation(
                    "NOT_AN_EVALUATOR",
                    "受托单位须为第三方评估机构。",
                    "The commissioned organization must be a third-party evaluator.",
                    rule="R22",
                    field=("input", "evaluatorOrganizationId"),
                )
            )
        if problems:
            raise DomainError(problems)
        row: dict[str, Any] = {
            "project_id": project_id,
            "unit_organization_id": project.lead_organization_id,
            "evaluator_organization_id": evaluator_organization_id,
        }
        pk = await store(uow, ev.PostEvaluation(**row))
        await finish(uow, gate, project, "PostEvaluation", pk, None, jsonable(row))
    return pk


async def file_post_evaluation(
    *, uow: UnitOfWork, gate: Gate, post_evaluation_id: int, score: Decimal, grade: ev.Grade, findings: str
) -> int:
    """R22: the commissioned evaluator files the result; it joins the unit's history shown at new applications."""
    async with uow:
        evaluation = await uow.construction.post_evaluation(post_evaluation_id, for_update=True)
        project = await uow.projects.get(evaluation.project_id, for_update=True)
        gate.check(project, document=evaluation)
        if evaluation.completed:
            raise DomainError(
                [
                    Violation(
                        "POST_EVALUATION_COMPLETED",
                        "该后评价已提交结果。",
                        "This post-evaluation already has its result.",
                        rule="R22",
                    )
                ]
            )
        ev.check_post_evaluation(score)
        if not findings.strip():
            raise DomainError(
                [
                    Violation(
                        "FINDINGS_REQUIRED",
                        "须填写主要结论。",
                        "Findings are required.",
                        rule="R22",
                        field=("input", "findings"),
                    )
                ]
            )
        before = jsonable(_columns(evaluation))
        evaluation.complete(score=score, grade=grade, findings=findings, now=uow.now())
        after = jsonable(_columns(evaluation))
        await finish(uow, gate, project, "PostEvaluation", post_evaluation_id, before, after)
    return post_evaluation_id


_POST_EVALUATION_COLUMNS = (
    "id",
    "project_id",
    "unit_organization_id",
    "evaluator_organization_id",
    "score",
    "grade",
    "findings",
    "completed_at",
)


def _columns(evaluation: ev.PostEvaluation) -> dict[str, Any]:
    """The stored columns, as the audit records have always shown them."""
    return {name: getattr(evaluation, name) for name in _POST_EVALUATION_COLUMNS}
