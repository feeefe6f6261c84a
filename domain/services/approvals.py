"""Use cases of Art. 11–13: approval facts, documents, evaluator, evaluation, crypto review, approval."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from domain import approval_documents as docs
from domain import preconditions as pre
from domain.approval_documents import ApprovalDocument, DocumentStatus, EvaluationConclusion, SelectionMethod
from domain.approval_path import DocumentType, ensure_step_allowed, path_facts
from domain.chronology import late_entry_audit
from domain.clock import legal_date
from domain.errors import DomainError, Violation
from domain.lifecycle import Status, transition
from domain.ports import Gate, UnitOfWork, Upload
from domain.preconditions import may_start_construction as may_start_construction  # re-exported
from domain.projects import Project
from domain.services.projects import _check_version, precondition

EDITABLE_FACTS = pre.APPROVAL_OPEN


def document_snapshot(document: ApprovalDocument) -> dict[str, Any]:
    return {
        "type": str(document.type),
        "version": document.version,
        "status": str(document.status),
        "requestedInvestment": str(document.requested_investment),
        "pathRule": document.path_rule,
        "evaluatorOrganizationId": document.evaluator_organization_id,
        "selectionMethod": str(document.evaluator_selection_method)
        if document.evaluator_selection_method
        else None,
        "evaluationConclusion": str(document.evaluation_conclusion)
        if document.evaluation_conclusion
        else None,
        "recommendedInvestment": str(document.evaluation_recommended_investment)
        if document.evaluation_recommended_investment is not None
        else None,
        "cryptoReviewPassed": document.crypto_review_passed,
        "approvalNumber": document.approval_number,
        "approvalDate": document.approval_date.isoformat() if document.approval_date else None,
        "approvedInvestment": str(document.approved_investment)
        if document.approved_investment is not None
        else None,
        "returnReason": document.return_reason,
    }


async def update_approval_facts(
    *, uow: UnitOfWork, gate: Gate, project_id: int, values: dict[str, Any], expected_version: int | None
) -> Project:
    """R11.1–R11.3: the unit records the facts that open a shorter path (plan listing, urgency, simplicity)."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        precondition(pre.approval_facts_update, project, uow)
        _check_version(project, expected_version)
        before = project.snapshot()
        for name, value in values.items():
            setattr(project, name, value.strip() or None if isinstance(value, str) else value)
        project.touch(uow.now())
        await uow.flush()
        uow.record(gate.operation, "Project", project.id, before, project.snapshot())
        await uow.commit()
    return project


async def submit_document(
    *,
    uow: UnitOfWork,
    gate: Gate,
    project_id: int,
    document_type: DocumentType,
    content: dict[str, Any],
    requested_investment: Decimal,
    attachments: Sequence[Upload],
    expected_version: int | None,
) -> tuple[Project, ApprovalDocument]:
    """R11–R12: the unit submits the next document its path allows, complete with the R12 parts."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        precondition(pre.approval_document_submit, project, uow)
        _check_version(project, expected_version)
        step = ensure_step_allowed(path_facts(project), document_type)
        now = uow.now()
        version = 1 + max((d.version for d in project.documents if d.type is document_type), default=0)
        assert uow.actor.user_id is not None
        document = ApprovalDocument(
            project_id=project_id,
            type=document_type,
            version=version,
            requested_investment=requested_investment,
            path_rule=step.rule,
            submitted_at=now,
            submitted_by_user_id=uow.actor.user_id,
            **content,
        )
        problems = docs.missing_parts(document)
        if requested_investment <= 0:
            problems.append(
                Violation(
                    "INVALID_AMOUNT",
                    "申报投资须大于0元。",
                    "The requested investment must be > 0.",
                    rule="R11.0",
                    field=("input", "requestedInvestment"),
                )
            )
        if problems:
            raise DomainError(problems)
        project.documents.append(document)
        project.touch(now)
        await uow.flush()
        await uow.documents.attach(document, attachments)
        uow.record(gate.operation, "ApprovalDocument", document.id, None, document_snapshot(document))
        await uow.commit()
    return project, document


async def _document_step(
    uow: UnitOfWork, gate: Gate, document_id: int
) -> tuple[Project, ApprovalDocument, dict[str, Any]]:
    document = await uow.documents.get(document_id)
    project = await uow.projects.get(document.project_id, for_update=True)
    document = next(d for d in project.documents if d.id == document_id)
    gate.check(project, document=document)
    return project, document, document_snapshot(document)


async def _finish(
    uow: UnitOfWork,
    gate: Gate,
    project: Project,
    document: ApprovalDocument,
    before: dict[str, Any],
    attachments: Sequence[Upload] | None = None,
    project_before: dict[str, Any] | None = None,
    audit_extra: dict[str, Any] | None = None,
) -> None:
    project.touch(uow.now())
    await uow.flush()
    if attachments:
        await uow.documents.attach(document, attachments)
    after = {**document_snapshot(document), **(audit_extra or {})}
    uow.record(gate.operation, "ApprovalDocument", document.id, before, after)
    if project_before is not None:
        uow.record(gate.operation, "Project", project.id, project_before, project.snapshot())
    await uow.commit()


async def assign_evaluator(
    *,
    uow: UnitOfWork,
    gate: Gate,
    document_id: int,
    evaluator_organization_id: int,
    method: SelectionMethod,
    reference: str,
) -> ApprovalDocument:
    async with uow:
        project, document, before = await _document_step(uow, gate, document_id)
        types = await uow.projects.organization_types([evaluator_organization_id])
        docs.assign_evaluator(
            document,
            evaluator_organization_id=evaluator_organization_id,
            evaluator_is_evaluator=types.get(evaluator_organization_id) == "evaluator",
            method=method,
            reference=reference,
            now=uow.now(),
        )
        await _finish(uow, gate, project, document, before)
    return document


async def file_evaluation(
    *,
    uow: UnitOfWork,
    gate: Gate,
    document_id: int,
    conclusion: EvaluationConclusion,
    opinion: str,
    recommended_investment: Decimal,
    attachments: Sequence[Upload],
) -> ApprovalDocument:
    async with uow:
        project, document, before = await _document_step(uow, gate, document_id)
        docs.file_evaluation(
            document,
            conclusion=conclusion,
            opinion=opinion,
            recommended_investment=recommended_investment,
            now=uow.now(),
        )
        await _finish(uow, gate, project, document, before, attachments)
    return document


async def record_crypto_review(
    *, uow: UnitOfWork, gate: Gate, document_id: int, passed: bool, opinion: str
) -> ApprovalDocument:
    async with uow:
        project, document, before = await _document_step(uow, gate, document_id)
        docs.record_crypto_review(document, passed=passed, opinion=opinion, now=uow.now())
        await _finish(uow, gate, project, document, before)
    return document


async def approve_document(
    *,
    uow: UnitOfWork,
    gate: Gate,
    document_id: int,
    number: str,
    approval_date: date,
    approved_investment: Decimal,
    over_request_reason: str | None,
    attachments: Sequence[Upload],
    late_entry_reason: str | None = None,
) -> tuple[Project, ApprovalDocument]:
    """R13: approval; the preliminary design's approval makes the project APPROVED on its approval date."""
    async with uow:
        project, document, before = await _document_step(uow, gate, document_id)
        project_before = project.snapshot()
        now = uow.now()
        docs.approve(
            document,
            number=number,
            approval_date=approval_date,
            approved_investment=approved_investment,
            over_request_reason=over_request_reason,
            today=legal_date(now),
            now=now,
            earlier_approvals=[
                d.approval_date
                for d in project.documents
                if d is not document and d.status is DocumentStatus.APPROVED and d.approval_date
            ],
            late_entry_reason=late_entry_reason,
        )
        final = document.type is DocumentType.PRELIMINARY_DESIGN
        if final:
            project.status = transition(project.status, Status.APPROVED, rule="R13.1")
            project.approval_date, project.approved_investment = approval_date, approved_investment
        await _finish(
            uow,
            gate,
            project,
            document,
            before,
            attachments,
            project_before=project_before if final else None,
            audit_extra=late_entry_audit(late_entry_reason),
        )
    return project, document


async def return_document(*, uow: UnitOfWork, gate: Gate, document_id: int, reason: str) -> ApprovalDocument:
    async with uow:
        project, document, before = await _document_step(uow, gate, document_id)
        docs.return_for_revision(document, reason=reason, now=uow.now())
        await _finish(uow, gate, project, document, before)
    return document
