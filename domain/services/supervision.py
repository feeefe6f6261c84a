"""Use cases of Art. 23–24: inspections, rectification, bdb's sanctions, requests for information."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from domain import preconditions as pre
from domain import supervision as rules
from domain.clock import legal_date
from domain.errors import version_conflict
from domain.ports import Gate, UnitOfWork, Upload
from domain.preconditions import ActionFacts, Precondition
from domain.projects import Project
from domain.services.projects import precondition
from domain.supervision import InfoRequest, Inspection, RectificationReport, Subject

# Kept for the callers that spell it: the UnitOfWork protocol declares `supervision` itself now.
SupervisionUnitOfWork = UnitOfWork


async def open_inspection(
    *, uow: SupervisionUnitOfWork, gate: Gate, project_id: int, subject: Subject, note: str
) -> Inspection:
    """R23.1: an agency opens an inspection of a project within its field."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        precondition(pre.inspection_open, project, uow)
        actor = uow.actor
        inspection = rules.open_inspection(
            project=project,
            role=actor.role,
            organization_id=actor.organization_id,
            user_id=actor.user_id,
            subject=subject,
            note=note,
            now=uow.now(),
        )
        uow.supervision.add(inspection)
        await uow.flush()
        uow.record(gate.operation, "Inspection", inspection.id, None, inspection.snapshot())
        await uow.commit()
    return inspection


async def conclude_inspection(
    *, uow: SupervisionUnitOfWork, gate: Gate, inspection_id: int, findings: str, deadline: date | None
) -> Inspection:
    """R23.1: findings recorded; rectification ordered by a deadline when there is one."""
    async with uow:
        inspection = await uow.supervision.inspection(inspection_id, for_update=True)
        gate.check(await uow.projects.get(inspection.project_id))
        before = inspection.snapshot()
        rules.conclude(
            inspection,
            organization_id=uow.actor.organization_id,
            findings=findings,
            deadline=deadline,
            now=uow.now(),
        )
        await uow.flush()
        uow.record(gate.operation, "Inspection", inspection.id, before, inspection.snapshot())
        await uow.commit()
    return inspection


async def submit_rectification(
    *, uow: SupervisionUnitOfWork, gate: Gate, inspection_id: int, content: str, attachments: Sequence[Upload]
) -> RectificationReport:
    """R23.1: the unit reports its rectification — allowed even while the project is suspended (R23.2)."""
    async with uow:
        inspection = await uow.supervision.inspection(inspection_id, for_update=True)
        gate.check(await uow.projects.get(inspection.project_id, for_update=True))
        reports = await uow.supervision.reports_of(inspection_id=inspection_id)
        report = rules.submit_report(
            inspection, reports, content=content, user_id=uow.actor.user_id, now=uow.now()
        )
        uow.supervision.add(report)
        await uow.flush()
        await uow.supervision.attach(report, attachments)
        uow.record(
            gate.operation,
            "RectificationReport",
            report.id,
            None,
            report.snapshot() | {"attachments": [u.filename for u in attachments]},
        )
        await uow.commit()
    return report


async def review_rectification(
    *, uow: SupervisionUnitOfWork, gate: Gate, report_id: int, accept: bool, reasons: str
) -> RectificationReport:
    """R23.1: the ordering agency accepts the rectification or rejects it with reasons."""
    async with uow:
        report = await uow.supervision.report(report_id, for_update=True)
        inspection = await uow.supervision.inspection(report.inspection_id, for_update=True)
        gate.check(await uow.projects.get(report.project_id))
        before = report.snapshot()
        rules.review_report(
            inspection,
            report,
            organization_id=uow.actor.organization_id,
            accept=accept,
            reasons=reasons,
            now=uow.now(),
        )
        await uow.flush()
        uow.record(gate.operation, "RectificationReport", report.id, before, report.snapshot())
        await uow.commit()
    return report


async def _grounds(uow: SupervisionUnitOfWork, project: Project) -> bool:
    """R23.2: some rectification of the project is overdue or was rejected."""
    assert project.id is not None
    reports = await uow.supervision.reports_of(project_id=project.id)
    today = legal_date(uow.now())
    return any(
        rules.rectification_failed(i, [r for r in reports if r.inspection_id == i.id], today)
        for i in await uow.supervision.inspections_of(project.id)
    )


async def _sanction(
    uow: SupervisionUnitOfWork,
    gate: Gate,
    project_id: int,
    expected_version: int | None,
    check: Precondition,
    apply: Callable[[Project, bool], None],
) -> Project:
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        grounds = await _grounds(uow, project)
        precondition(check, project, uow, ActionFacts(rectification_failed=grounds))
        if expected_version is not None and expected_version != project.version:
            raise version_conflict(
                expected_version, project.version
            )  # not _check_version: it refuses SUSPENDED
        before = project.snapshot() | {"planDeferred": project.plan_deferred}
        apply(project, grounds)
        project.touch(uow.now())
        await uow.flush()
        uow.record(
            gate.operation,
            "Project",
            project.id,
            before,
            project.snapshot() | {"planDeferred": project.plan_deferred},
        )
        await uow.commit()
    return project


async def defer_plan(
    *, uow: SupervisionUnitOfWork, gate: Gate, project_id: int, defer: bool, expected_version: int | None
) -> Project:
    """R23.2: bdb defers the plan arrangement (on grounds) or lifts the deferral."""
    return await _sanction(
        uow,
        gate,
        project_id,
        expected_version,
        pre.project_plan_defer,
        lambda p, g: rules.defer_plan(p, grounds=g) if defer else rules.lift_deferral(p),
    )


async def suspend(
    *, uow: SupervisionUnitOfWork, gate: Gate, project_id: int, expected_version: int | None
) -> Project:
    return await _sanction(
        uow, gate, project_id, expected_version, pre.project_suspend, lambda p, g: rules.suspend(p, grounds=g)
    )


async def resume(
    *, uow: SupervisionUnitOfWork, gate: Gate, project_id: int, expected_version: int | None
) -> Project:
    return await _sanction(
        uow, gate, project_id, expected_version, pre.project_resume, lambda p, g: rules.resume(p)
    )


async def terminate(
    *, uow: SupervisionUnitOfWork, gate: Gate, project_id: int, expected_version: int | None
) -> Project:
    return await _sanction(
        uow,
        gate,
        project_id,
        expected_version,
        pre.project_terminate,
        lambda p, g: rules.terminate(p, grounds=g),
    )


async def ask(*, uow: SupervisionUnitOfWork, gate: Gate, project_id: int, question: str) -> InfoRequest:
    """R24: bdb, finance or audit ask the unit for information."""
    async with uow:
        project = await uow.projects.get(project_id)
        gate.check(project)
        precondition(pre.info_request_send, project, uow)
        rules.check_question(question)
        request = InfoRequest(
            project_id=project_id,
            requester_organization_id=uow.actor.organization_id,
            requester_role=uow.actor.role,
            question=question.strip(),
            asked_at=uow.now(),
        )
        uow.supervision.add(request)
        await uow.flush()
        uow.record(gate.operation, "InfoRequest", request.id, None, request.snapshot())
        await uow.commit()
    return request


async def answer(*, uow: SupervisionUnitOfWork, gate: Gate, request_id: int, text: str) -> InfoRequest:
    """R24: the unit answers (not refused while suspended: answering supervisors is part of rectifying)."""
    async with uow:
        request = await uow.supervision.info_request(request_id, for_update=True)
        gate.check(await uow.projects.get(request.project_id))
        before = request.snapshot()
        rules.answer_request(request, answer=text, now=uow.now())
        await uow.flush()
        uow.record(gate.operation, "InfoRequest", request.id, before, request.snapshot())
        await uow.commit()
    return request
