"""Use cases of Art. 14–18: the contract (R14–R15), change control (R16–R17), progress reports (R18)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain import changes as ch
from domain import chronology
from domain import implementation as impl
from domain import preconditions as pre
from domain.clock import legal_date
from domain.errors import DomainError, Violation
from domain.lifecycle import Status, transition
from domain.money import format_cny
from domain.ports import ConstructionRecord, Gate, UnitOfWork
from domain.preconditions import ActionFacts, Precondition, may_start_construction
from domain.progress import ProgressFigures, ProgressReport, check_report, period_of
from domain.projects import Project
from domain.services.projects import _check_version, precondition

# Kept for the callers that spell them here: the preconditions own them now.
CHANGE_OPEN = pre.CHANGE_OPEN
REPORTING = pre.REPORTING


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Audit snapshots: money and dates as strings, enums as their values."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Decimal):
            out[key] = format_cny(value) if value == value.quantize(Decimal("0.01")) else str(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, list | tuple):
            out[key] = [str(v) for v in value]
        elif value is None or isinstance(value, bool | int):
            out[key] = value
        else:
            out[key] = str(value)
    return out


async def load(
    uow: UnitOfWork,
    gate: Gate,
    project_id: int,
    expected_version: int | None = None,
    check: Precondition | None = None,
    facts: ActionFacts | None = None,
) -> Project:
    """The project, locked, checked against the gate and the operation's precondition, not suspended, at
    the version the client saw."""
    project = await uow.projects.get(project_id, for_update=True)
    gate.check(project)
    if check is not None:
        precondition(check, project, uow, facts or pre.NO_FACTS)
    _check_version(project, expected_version)
    return project


async def store(uow: UnitOfWork, record: ConstructionRecord) -> int:
    """Add a new Art. 14–22 record and flush it for its id."""
    uow.construction.add(record)
    await uow.flush()
    assert record.id is not None
    return record.id


async def finish(
    uow: UnitOfWork,
    gate: Gate,
    project: Project,
    target_type: str,
    target_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    project_before: dict[str, Any] | None = None,
) -> None:
    project.touch(uow.now())
    await uow.flush()
    uow.record(gate.operation, target_type, target_id, before, after)
    if project_before is not None:
        uow.record(gate.operation, "Project", project.id, project_before, project.snapshot())
    await uow.commit()


# R14–R15 -------------------------------------------------------------------------------------------


async def record_contract(
    *,
    uow: UnitOfWork,
    gate: Gate,
    project_id: int,
    values: dict[str, Any],
    om_by_bdb: bool,
    expected_version: int | None = None,
    late_entry_reason: str | None = None,
) -> tuple[Project, int]:
    """R14–R15: record the implementation; the first contract of an approved project starts construction
    — only when construction may start (preliminary design approved, project in an approved plan).
    R14.1: the signing date is checked against today and the approval date."""
    async with uow:
        check = pre.om_procurement_record if om_by_bdb else pre.contract_record
        project = await load(uow, gate, project_id, expected_version, check)
        now = uow.now()
        contract = impl.Contract(
            project_id=project_id, recorded_at=now, operation_maintenance=om_by_bdb, **values
        )
        problems = chronology.contract_date_violations(
            contract.signed_on,
            today=legal_date(now),
            approval_date=project.approval_date,
            late_reason=late_entry_reason,
        )
        implementation = await uow.construction.implementation(project_id)
        try:
            impl.check_contract(
                contract,
                project,
                start_problems=may_start_construction(project),
                om_by_bdb=om_by_bdb,
                already_contracted=implementation.contracted,
            )
        except DomainError as error:
            problems = [*error.violations, *problems]
        chronology.check(problems)
        project_before = None
        if project.status is Status.APPROVED:
            project_before = project.snapshot()
            project.status = transition(project.status, Status.UNDER_CONSTRUCTION, rule="R14")
        row = {**values, "project_id": project_id, "recorded_at": now, "operation_maintenance": om_by_bdb}
        pk = await store(uow, contract)
        audit = jsonable({**row, **chronology.late_entry_audit(late_entry_reason)})
        await finish(uow, gate, project, "Contract", pk, None, audit, project_before)
    return project, pk


async def refuse_contract_assignment(
    *, uow: UnitOfWork, gate: Gate, contract_id: int, kind: impl.ContractAssignmentKind
) -> None:
    """Art. 15: a transfer or split of the contract is always refused — after the usual authorization."""
    async with uow:
        contract = await uow.construction.contract(contract_id)
        project = await uow.projects.get(contract.project_id)
        gate.check(project)
        raise impl.refuse_assignment(kind)


# R16–R17 -------------------------------------------------------------------------------------------

# The columns of a stored change request, as the audit records have always shown them.
_CHANGE_COLUMNS = (
    "id",
    "project_id",
    "aspects",
    "description",
    "reason",
    "reason_detail",
    "same_objectives",
    "previous_total_investment",
    "new_total_investment",
    "adjusted_funds",
    "route",
    "rule",
    "status",
    "submitted_at",
    "submitted_by_user_id",
    "decided_at",
    "decision_opinion",
)


def _columns(change: ch.ChangeRequest) -> dict[str, Any]:
    return {name: getattr(change, name) for name in _CHANGE_COLUMNS}


@dataclass(frozen=True, slots=True)
class ChangePreview:
    classification: ch.Classification
    approved_total: Decimal
    filed_adjustments: Decimal


async def _classify(
    uow: UnitOfWork,
    project: Project,
    facts: ch.ChangeFacts,
    implementation: impl.Implementation | None = None,
) -> ChangePreview:
    problems: list[Violation] = pre.change_not_open(project)
    try:
        ch.check_facts(facts)
    except DomainError as error:
        problems.extend(error.violations)
    if problems:
        raise DomainError(problems)
    assert project.id is not None and project.approved_investment is not None
    implementation = implementation or await uow.construction.implementation(project.id)
    filed = implementation.filed_adjustments
    return ChangePreview(
        ch.classify(facts, approved_total=project.approved_investment, filed_adjustments=filed),
        project.approved_investment,
        filed,
    )


async def preview_change(
    *, uow: UnitOfWork, gate: Gate, project_id: int, values: ch.ChangeDeclaration
) -> ChangePreview:
    """The dry run: the route and the rule that decides it, nothing written."""
    async with uow:
        project = await uow.projects.get(project_id)
        gate.check(project)
        return await _classify(uow, project, values.facts)


async def _apply_change(uow: UnitOfWork, project: Project, change: ch.ChangeRequest) -> None:
    """An effective change becomes the next version of the approved figures; version 1 is the approval."""
    assert project.id is not None and project.approved_investment is not None
    implementation = await uow.construction.implementation(project.id)
    now = uow.now()
    if not implementation.figure_versions:
        uow.construction.add(
            ch.FigureVersion(
                project_id=project.id,
                version=1,
                approved_investment=project.approved_investment,
                change_request_id=None,
                effective_on=project.approval_date or legal_date(now),
                note="初步设计批复 — preliminary-design approval",
                recorded_at=now,
            )
        )
    uow.construction.add(
        ch.FigureVersion(
            project_id=project.id,
            version=implementation.next_figure_version,
            approved_investment=change.new_total_investment,
            change_request_id=change.id,
            effective_on=legal_date(now),
            note=change.description,
            recorded_at=now,
        )
    )
    project.approved_investment = change.new_total_investment


async def file_change(
    *,
    uow: UnitOfWork,
    gate: Gate,
    project_id: int,
    values: ch.ChangeDeclaration,
    expected_version: int | None = None,
) -> tuple[Project, int, ChangePreview]:
    """R16–R17: the unit submits a change; a small filed change is effective at once, the rest waits."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        implementation = await uow.construction.implementation(project_id)
        facts = ActionFacts(change_pending=implementation.change_pending)
        precondition(pre.change_request_file, project, uow, facts)
        _check_version(project, expected_version)
        preview = await _classify(uow, project, values.facts, implementation)
        if not values.description.strip():
            raise DomainError(
                [
                    Violation(
                        "CHANGE_DESCRIPTION_REQUIRED",
                        "须说明变更内容。",
                        "Describe the change.",
                        rule="R16",
                        field=("input", "description"),
                    )
                ]
            )
        c = preview.classification
        filing = c.route is ch.ChangeRoute.FILING
        row: dict[str, Any] = {
            **asdict(values),
            "aspects": sorted(str(a) for a in values.aspects),
            "project_id": project_id,
            "previous_total_investment": project.approved_investment,
            "route": c.route,
            "rule": c.rule,
            "status": ch.ChangeStatus.FILED if filing else ch.ChangeStatus.PENDING,
            "submitted_at": uow.now(),
        }
        change = ch.ChangeRequest(**row)
        pk = await store(uow, change)
        project_before = None
        if filing:
            project_before = project.snapshot()
            await _apply_change(uow, project, change)
        await finish(uow, gate, project, "ChangeRequest", pk, None, jsonable(row), project_before)
    return project, pk, preview


async def decide_change(
    *, uow: UnitOfWork, gate: Gate, change_id: int, approve: bool, opinion: str
) -> Project:
    """R16: bdb approves (the approved figures move to the change) or rejects a pending change."""
    async with uow:
        change = await uow.construction.change(change_id, for_update=True)
        project = await load(uow, gate, change.project_id)
        if not change.pending:
            raise DomainError(
                [
                    Violation(
                        "CHANGE_NOT_PENDING",
                        "该变更不在待审批状态。",
                        "This change request is not waiting for approval.",
                        rule="R16",
                    )
                ]
            )
        if not opinion.strip():
            raise DomainError(
                [
                    Violation(
                        "OPINION_REQUIRED",
                        "须填写审批意见。",
                        "An opinion is required.",
                        rule="R16",
                        field=("input", "opinion"),
                    )
                ]
            )
        before = jsonable(_columns(change))
        change.decide(approve=approve, opinion=opinion, now=uow.now())
        project_before = None
        if approve:
            project_before = project.snapshot()
            await _apply_change(uow, project, change)
        await finish(
            uow, gate, project, "ChangeRequest", change_id, before, jsonable(_columns(change)), project_before
        )
    return project


# R18 -----------------------------------------------------------------------------------------------


async def submit_progress(
    *, uow: UnitOfWork, gate: Gate, project_id: int, values: ProgressFigures
) -> tuple[Project, int]:
    """R18: one report per 3-month period, from the approval date until the acceptance filing."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.progress_report_submit)
        number = values.period_number
        check_report(
            physical_progress=values.physical_progress,
            funds_spent=values.funds_spent,
            period_number=number,
        )
        assert project.approval_date is not None  # the precondition holds it
        start, end = period_of(project.approval_date, number)
        today = legal_date(uow.now())
        if start > today:
            raise DomainError(
                [
                    Violation(
                        "PERIOD_NOT_STARTED",
                        f"第{number}期报告期自 {start.isoformat()} 开始。",
                        f"Period {number} starts on {start.isoformat()}.",
                        rule="R18",
                        field=("input", "periodNumber"),
                    )
                ]
            )
        if number in await uow.construction.reported_periods(project_id):
            raise DomainError(
                [
                    Violation(
                        "PERIOD_ALREADY_REPORTED",
                        f"第{number}期进度已报送。",
                        f"Period {number} is already reported.",
                        rule="R18",
                        field=("input", "periodNumber"),
                    )
                ]
            )
        row: dict[str, Any] = {
            **asdict(values),
            "project_id": project_id,
            "period_start": start,
            "period_end": end,
            "submitted_at": uow.now(),
        }
        pk = await store(uow, ProgressReport(**row))
        await finish(uow, gate, project, "ProgressReport", pk, None, jsonable(row))
    return project, pk
