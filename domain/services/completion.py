"""Use cases of Art. 19–22: initial and completion acceptance, rectification, filing, funds and
data-centre resources (R21), self-evaluation and post-evaluation (R22)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from domain.lifecycle import Status, transition
from domain.ports import Gate, Row, UnitOfWork
from domain.preconditions import ActionFacts
from domain.projects import Project
from domain.services.construction import finish, jsonable, load
from domain.services.projects import precondition

INITIAL = "INITIAL"
EXTENSION = "EXTENSION"
APPLICATION = "APPLICATION"
RESUBMISSION = "RESUBMISSION"
RESULT = "RESULT"
FILING = "FILING"
FILING_ACKNOWLEDGED = "FILING_ACKNOWLEDGED"


@dataclass(frozen=True, slots=True)
class AcceptanceFacts:
    """What the acceptance events say so far."""

    initial_passed_on: date | None
    extended_until: date | None
    rectification_deadline: date | None
    filed_pending: bool


def acceptance_facts(events: Sequence[Row]) -> AcceptanceFacts:
    """The facts, in event order: an extension before any result extends the R19.1 window; one after a
    failed result extends that result's R20 rectification deadline."""
    initial: date | None = None
    window_until: date | None = None
    rectification: date | None = None
    for e in events:
        if e["kind"] == INITIAL and e["passed"]:
            initial = e["event_date"]
        elif e["kind"] == RESULT:
            rectification = None if e["passed"] else e["deadline"]
        elif e["kind"] == EXTENSION and rectification is not None:
            rectification = max(rectification, e["deadline"])
        elif e["kind"] == EXTENSION:
            window_until = e["deadline"]
    filings = [e for e in events if e["kind"] in (FILING, FILING_ACKNOWLEDGED)]
    return AcceptanceFacts(
        initial_passed_on=initial,
        extended_until=window_until,
        rectification_deadline=rectification,
        filed_pending=bool(filings) and filings[-1]["kind"] == FILING,
    )


async def _event(
    uow: UnitOfWork,
    gate: Gate,
    project: Project,
    values: dict[str, Any],
    project_before: dict[str, Any] | None,
    audit_extra: dict[str, Any] | None = None,
) -> int:
    assert project.id is not None
    row = {"project_id": project.id, "recorded_at": uow.now(), **values}
    pk = await uow.construction.add_event(row)
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
        contracts = await uow.construction.contracts(project_id)
        initials = [e for e in await uow.construction.events(project_id) if e["kind"] == INITIAL]
        chronology.check(
            chronology.initial_acceptance_violations(
                on,
                today=legal_date(uow.now()),
                construction_started_on=min((c["signed_on"] for c in contracts), default=None),
                previous_initial_on=max((e["event_date"] for e in initials), default=None),
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
            {"kind": INITIAL, "event_date": on, "passed": passed, "note": note},
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
        facts = acceptance_facts(await uow.construction.events(project_id))
        if project.status is Status.RECTIFYING:
            assert facts.rectification_deadline is not None  # RECTIFYING is reached only by a failed result
            closes = facts.rectification_deadline
        else:
            assert facts.initial_passed_on is not None  # TRIAL_OPERATION is reached only by a passed initial
            closes = max(acc.window(facts.initial_passed_on)[1], facts.extended_until or date.min)
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
            {"kind": EXTENSION, "event_date": legal_date(uow.now()), "deadline": until, "note": reason},
            None,
        )
    return project


async def apply_for_acceptance(*, uow: UnitOfWork, gate: Gate, project_id: int, note: str) -> Project:
    """R19: the completion-acceptance application within the window, with the five reports uploaded as
    files (R19.2); R20: after rectification the same application is the resubmission bdb re-examines."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.acceptance_apply)
        today = legal_date(uow.now())
        facts = acceptance_facts(await uow.construction.events(project_id))
        stored = await uow.acceptance_files.reports(project_id)
        uploaded = files.latest(stored)
        reports = set(uploaded)  # an altered file is named as altered (below), not as missing
        resubmission = project.status is Status.RECTIFYING
        problems: list[Violation] = []
        try:
            if resubmission:
                acc.check_resubmission(
                    project.classified, reports, today=today, deadline=facts.rectification_deadline
                )
            else:
                acc.check_application(
                    initial_passed_on=facts.initial_passed_on,
                    today=today,
                    classified=project.classified,
                    attached=reports,
                    extended_until=facts.extended_until,
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
            {
                "kind": RESUBMISSION if resubmission else APPLICATION,
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
        before = project.snapshot()
        project.status = transition(
            project.status, Status.ACCEPTED if passed else Status.RECTIFYING, rule="R20"
        )
        await _event(
            uow,
            gate,
            project,
            {
                "kind": RESULT,
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
        pending = acceptance_facts(await uow.construction.events(project_id)).filed_pending
        precondition(pre.acceptance_report_file, project, uow, ActionFacts(filing_pending=pending))
        chronology.check(files.filing_violations(await uow.acceptance_files.reports(project_id)))
        await _event(
            uow, gate, project, {"kind": FILING, "event_date": legal_date(uow.now()), "note": note}, None
        )
    return project


async def acknowledge_filing(*, uow: UnitOfWork, gate: Gate, project_id: int, note: str) -> Project:
    """R21: bdb acknowledges the filing; the project is FILED and in operation from today (R22 counts)."""
    async with uow:
        project = await load(uow, gate, project_id)
        pending = acceptance_facts(await uow.construction.events(project_id)).filed_pending
        precondition(pre.acceptance_filing_acknowledge, project, uow, ActionFacts(filing_pending=pending))
        today = legal_date(uow.now())
        before = project.snapshot()
        project.status = transition(project.status, Status.FILED, rule="R21")
        project.operation_started_on = today
        await _event(
            uow, gate, project, {"kind": FILING_ACKNOWLEDGED, "event_date": today, "note": note}, before
        )
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
        row = {
            "project_id": project_id,
            "kind": kind,
            "amount": amount,
            "paid_on": paid_on,
            "note": note,
            "recorded_at": uow.now(),
        }
        pk = await uow.construction.add_disbursement(row)
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
        row = {"project_id": project_id, "resources": resources, "recorded_at": uow.now()}
        pk = await uow.construction.add_allocation(row)
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
        row = {
            "project_id": project_id,
            "summary": summary,
            "delivered_to": list(SELF_EVALUATION_RECIPIENTS),
            "submitted_on": today,
            "recorded_at": uow.now(),
        }
        pk = await uow.construction.add_self_evaluation(row)
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
        row = {
            "project_id": project_id,
            "unit_organization_id": project.lead_organization_id,
            "evaluator_organization_id": evaluator_organization_id,
        }
        pk = await uow.construction.add_post_evaluation(row)
        await finish(uow, gate, project, "PostEvaluation", pk, None, jsonable(row))
    return pk


@dataclass(frozen=True, slots=True)
class _Assignment:
    """What the `assigned` scope looks at: the organization entrusted with this post-evaluation."""

    evaluator_organization_id: int | None


async def file_post_evaluation(
    *, uow: UnitOfWork, gate: Gate, post_evaluation_id: int, score: Decimal, grade: ev.Grade, findings: str
) -> int:
    """R22: the commissioned evaluator files the result; it joins the unit's history shown at new applications."""
    async with uow:
        row = await uow.construction.post_evaluation(post_evaluation_id, for_update=True)
        project = await uow.projects.get(row["project_id"], for_update=True)
        gate.check(project, document=_Assignment(row["evaluator_organization_id"]))
        if row["completed_at"] is not None:
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
        done = {"score": score, "grade": str(grade), "findings": findings, "completed_at": uow.now()}
        await uow.construction.complete_post_evaluation(post_evaluation_id, done)
        await finish(
            uow,
            gate,
            project,
            "PostEvaluation",
            post_evaluation_id,
            jsonable(dict(row)),
            jsonable({**dict(row), **done}),
        )
    return post_evaluation_id
