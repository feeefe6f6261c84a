"""Use cases of Art. 9–10: the yearly call, entries and their joint review, compiling, approving, mid-year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain import mid_year as mid
from domain import plans as rules
from domain import preconditions as pre
from domain.clock import legal_date
from domain.errors import DomainError, Violation
from domain.mid_year import MidYearRequest
from domain.plans import AnnualPlan, EntryKind, PlanCall, PlanEntry, PlanStatus
from domain.ports import Gate, UnitOfWork
from domain.preconditions import ActionFacts
from domain.projects import Project
from domain.services.projects import precondition
from domain.supervision import ensure_plan_not_deferred


def plan_snapshot(plan: AnnualPlan) -> dict[str, Any]:
    return {
        "year": plan.year,
        "revision": plan.revision,
        "status": str(plan.status),
        "totalInvestment": str(plan.total_investment),
        "decisionComment": plan.decision_comment,
        "items": [
            {"projectId": i.project_id, "amount": str(i.amount), "source": str(i.source)} for i in plan.items
        ],
    }


def _entry_snapshot(entry: PlanEntry) -> dict[str, Any]:
    return {
        "projectId": entry.project_id,
        "kind": str(entry.kind),
        "requestedAmount": str(entry.requested_amount),
        "description": entry.description,
        "reviews": [
            {"role": r.reviewer_role, "opinion": r.opinion, "recommendedAmount": str(r.recommended_amount)}
            for r in entry.reviews
        ],
    }


def _mid_year_snapshot(request: MidYearRequest) -> dict[str, Any]:
    return {
        "projectId": request.project_id,
        "year": request.year,
        "amount": str(request.amount),
        "status": str(request.status),
        "bdbOpinion": request.bdb_opinion,
        "financeOpinion": request.finance_opinion,
        "governmentComment": request.government_comment,
    }


async def open_call(
    *,
    uow: UnitOfWork,
    operation: str,
    year: int,
    deadline: date,
    budget_compilation_date: date,
    requirements: str,
) -> PlanCall:
    """R9: bdb opens next year's call before budget compilation."""
    async with uow:
        now = uow.now()
        call = rules.open_call(
            year=year,
            deadline=deadline,
            budget_compilation_date=budget_compilation_date,
            requirements=requirements,
            today=legal_date(now),
            now=now,
        )
        if await uow.plans.call_for_year(year) is not None:
            raise DomainError(
                [
                    Violation(
                        "PLAN_CALL_EXISTS",
                        f"{year}年度计划征集已经发布。",
                        f"The {year} call is already open.",
                        rule="R9",
                        field=("input", "year"),
                    )
                ]
            )
        uow.plans.add(call)
        await uow.flush()
        uow.record(
            operation,
            "PlanCall",
            call.id,
            None,
            {
                "year": year,
                "deadline": deadline.isoformat(),
                "budgetCompilationDate": budget_compilation_date.isoformat(),
            },
        )
        await uow.commit()
    return call


async def submit_entry(
    *,
    uow: UnitOfWork,
    gate: Gate,
    call_id: int,
    project_id: int,
    kind: EntryKind,
    amount: Decimal,
    description: str,
) -> PlanEntry:
    """R9: a unit submits (or, before the deadline, resubmits) a build or O&M plan entry for a reserve project."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        precondition(pre.plan_entry_submit, project, uow)
        call = await uow.plans.call(call_id)
        now = uow.now()
        rules.check_entry(call, project_status=project.status, amount=amount, now=now)
        entry = await uow.plans.find_entry(call_id, project_id, kind)
        before = _entry_snapshot(entry) if entry else None
        if entry is None:
            entry = PlanEntry(
                call_id=call_id,
                project_id=project_id,
                kind=kind,
                requested_amount=amount,
                description=description.strip(),
                submitted_at=now,
            )
            uow.plans.add(entry)
        else:  # a resubmission changes what was reviewed: the reviews start again
            entry.requested_amount, entry.description, entry.submitted_at = amount, description.strip(), now
            entry.reviews.clear()
        await uow.flush()
        uow.record(gate.operation, "PlanEntry", entry.id, before, _entry_snapshot(entry))
        await uow.commit()
    return entry


async def review_entry(
    *, uow: UnitOfWork, gate: Gate, entry_id: int, opinion: str, recommended_amount: Decimal
) -> PlanEntry:
    """R10.1: bdb and finance each record their review of an entry (opinion, recommended amount)."""
    async with uow:
        entry = await uow.plans.entry(entry_id, for_update=True)
        project = await uow.projects.get(entry.project_id)
        gate.check(project)
        before = _entry_snapshot(entry)
        assert uow.actor.user_id is not None
        rules.record_entry_review(
            entry,
            role=uow.actor.role,
            user_id=uow.actor.user_id,
            opinion=opinion,
            recommended=recommended_amount,
            now=uow.now(),
            plan_compiled=await uow.plans.entry_in_plan(entry_id),
        )
        await uow.flush()
        uow.record(gate.operation, "PlanEntry", entry.id, before, _entry_snapshot(entry))
        await uow.commit()
    return entry


async def compile_plan(
    *, uow: UnitOfWork, operation: str, call_id: int, items: list[tuple[int, Decimal]], note: str
) -> AnnualPlan:
    """R10.1: bdb compiles a revision of the year's plan (project list and total investment scale)."""
    async with uow:
        call = await uow.plans.call(call_id)
        await uow.plans.lock_year(call.year)
        revisions = await uow.plans.plans_of_year(call.year, for_update=True)
        if any(p.status is PlanStatus.SUBMITTED for p in revisions):
            raise DomainError(
                [
                    Violation(
                        "PLAN_AWAITING_GOVERNMENT",
                        "已有报市政府待批的年度计划。",
                        "A plan revision is awaiting the government's decision.",
                        rule="R10.1",
                    )
                ]
            )
        entries = await uow.plans.entries([entry_id for entry_id, _ in items])
        missing = [i for i, (entry_id, _) in enumerate(items) if entry_id not in entries]
        if missing:
            raise DomainError(
                [
                    Violation(
                        "UNKNOWN_ENTRY",
                        "计划条目不存在。",
                        "No such plan entry.",
                        rule="R10.1",
                        field=("input", "items", str(i), "entryId"),
                    )
                    for i in missing
                ]
            )
        previous = next((p for p in revisions if p.status is PlanStatus.APPROVED), None)
        touched = {e.project_id for e in entries.values()} | (previous.project_ids() if previous else set())
        projects = await uow.plans.projects(touched)
        plan = rules.compile_plan(
            year=call.year,
            call_id=call_id,
            revision=1 + max((p.revision for p in revisions), default=0),
            selections=[(entries[entry_id], amount) for entry_id, amount in items],
            statuses={pid: p.status for pid, p in projects.items()},
            previous=previous,
            note=note.strip(),
            now=uow.now(),
            deferred=frozenset(pid for pid, p in projects.items() if p.plan_deferred),
        )
        for stale in revisions:
            if stale.status is PlanStatus.COMPILED:  # an unsent compilation is replaced by the new one
                stale.status = PlanStatus.SUPERSEDED
        uow.plans.add(plan)
        await uow.flush()
        uow.record(operation, "AnnualPlan", plan.id, None, plan_snapshot(plan))
        await uow.commit()
    return plan


async def send_plan(*, uow: UnitOfWork, operation: str, plan_id: int) -> AnnualPlan:
    """R10.1: bdb sends the compiled plan to the City Government."""
    async with uow:
        plan = await uow.plans.plan(plan_id, for_update=True)
        before = plan_snapshot(plan)
        rules.send_to_government(plan, now=uow.now())
        await uow.flush()
        uow.record(operation, "AnnualPlan", plan.id, before, plan_snapshot(plan))
        await uow.commit()
    return plan


async def _make_current(
    uow: UnitOfWork, operation: str, plan: AnnualPlan, previous: AnnualPlan | None
) -> None:
    """The revision in force changes: its projects become PLANNED, dropped ones return to the reserve."""
    if previous is not None:
        previous.status = PlanStatus.SUPERSEDED
        await uow.flush()  # one approved revision per year: retire the old one before the new one counts
    plan.status = PlanStatus.APPROVED
    dropped = (previous.project_ids() if previous else set()) - plan.project_ids()
    projects = await uow.plans.projects(plan.project_ids() | dropped)
    now = uow.now()
    for pid, project in projects.items():
        before = project.snapshot()
        if pid in dropped:
            project.status, project.plan_year = rules.unplanned_status(project.status), None
        else:
            project.status, project.plan_year = rules.planned_status(project.status), plan.year
        if project.snapshot() != before:
            project.touch(now)
            uow.record(operation, "Project", pid, before, project.snapshot())


async def decide_plan(
    *, uow: UnitOfWork, operation: str, plan_id: int, approve: bool, comment: str
) -> AnnualPlan:
    """R10.1: the City Government approves (its projects become PLANNED) or returns the plan."""
    async with uow:
        plan = await uow.plans.plan(plan_id)
        await uow.plans.lock_year(plan.year)
        revisions = await uow.plans.plans_of_year(plan.year, for_update=True)
        plan = next(p for p in revisions if p.id == plan_id)
        before = plan_snapshot(plan)
        rules.decide(plan, approve=approve, comment=comment, now=uow.now())
        if approve:
            previous = next(
                (p for p in revisions if p.status is PlanStatus.APPROVED and p.id != plan_id), None
            )
            await _make_current(uow, operation, plan, previous)
        await uow.flush()
        uow.record(operation, "AnnualPlan", plan.id, before, plan_snapshot(plan))
        await uow.commit()
    return plan


async def submit_mid_year(
    *, uow: UnitOfWork, gate: Gate, project_id: int, amount: Decimal, reason: str
) -> MidYearRequest:
    """R10.2: a unit asks to add a reserve project to this year's plan."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        pending = await uow.plans.mid_year_pending(project_id)
        precondition(pre.mid_year_submit, project, uow, ActionFacts(mid_year_pending=pending))
        now = uow.now()
        request = mid.submit(
            project_id=project_id,
            project_status=project.status,
            year=legal_date(now).year,
            amount=amount,
            reason=reason,
            pending=pending,
            now=now,
        )
        uow.plans.add(request)
        await uow.flush()
        uow.record(gate.operation, "MidYearRequest", request.id, None, _mid_year_snapshot(request))
        await uow.commit()
    return request


async def _mid_year_step(uow: UnitOfWork, gate: Gate, request_id: int) -> tuple[MidYearRequest, Project]:
    request = await uow.plans.mid_year(request_id, for_update=True)
    project = await uow.projects.get(request.project_id, for_update=True)
    gate.check(project)
    return request, project


async def _advance_mid_year(
    uow: UnitOfWork, gate: Gate, request_id: int, step: Callable[[MidYearRequest, datetime], None]
) -> MidYearRequest:
    async with uow:
        request, _ = await _mid_year_step(uow, gate, request_id)
        before = _mid_year_snapshot(request)
        step(request, uow.now())
        await uow.flush()
        uow.record(gate.operation, "MidYearRequest", request.id, before, _mid_year_snapshot(request))
        await uow.commit()
    return request


async def review_mid_year(
    *, uow: UnitOfWork, gate: Gate, request_id: int, approve: bool, opinion: str
) -> MidYearRequest:
    """R10.2 step 2: bdb reviews."""
    return await _advance_mid_year(
        uow, gate, request_id, lambda r, now: mid.bdb_review(r, approve=approve, opinion=opinion, now=now)
    )


async def opine_mid_year(
    *, uow: UnitOfWork, gate: Gate, request_id: int, opinion: str, recommended_amount: Decimal
) -> MidYearRequest:
    """R10.2 step 3: finance gives its opinion."""
    return await _advance_mid_year(
        uow,
        gate,
        request_id,
        lambda r, now: mid.finance_opinion(
            r, opinion=opinion, recommended_amount=recommended_amount, now=now
        ),
    )


async def decide_mid_year(
    *, uow: UnitOfWork, gate: Gate, request_id: int, approve: bool, comment: str
) -> tuple[MidYearRequest, AnnualPlan | None]:
    """R10.2: government approval adds the project to the year's approved plan as a new revision."""
    async with uow:
        request, project = await _mid_year_step(uow, gate, request_id)
        if approve:
            ensure_plan_not_deferred(project)  # R23.2: deferred after the request was made
        await uow.plans.lock_year(request.year)
        revisions = await uow.plans.plans_of_year(request.year, for_update=True)
        current = next((p for p in revisions if p.status is PlanStatus.APPROVED), None)
        before = _mid_year_snapshot(request)
        revision = mid.government_decision(
            request, approve=approve, comment=comment, current_plan=current, now=uow.now()
        )
        if revision is not None:
            revision.revision = 1 + max(p.revision for p in revisions)
            revision.status = (
                PlanStatus.COMPILED
            )  # becomes APPROVED in _make_current, after the old one retires
            uow.plans.add(revision)
            await uow.flush()
            await _make_current(uow, gate.operation, revision, current)
            await uow.flush()
            uow.record(gate.operation, "AnnualPlan", revision.id, None, plan_snapshot(revision))
        uow.record(gate.operation, "MidYearRequest", request.id, before, _mid_year_snapshot(request))
        await uow.commit()
    return request, revision
