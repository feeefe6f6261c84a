"""Drafting a project and submitting it to the reserve library (Art. 2, 6, 7, 8, 25)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import preconditions as pre
from domain.clock import legal_date
from domain.errors import DomainError, Forbidden, Violation, version_conflict
from domain.ports import Gate, UnitOfWork
from domain.preconditions import NO_FACTS, ActionFacts, Precondition, require
from domain.projects import (
    CatalogueItem,
    Participant,
    Project,
    check_draft,
    check_participant_organizations,
    ensure_submittable,
    project_code,
)
from domain.projects import submit_to_reserve as submit_rule
from domain.reserve import CheckResult, ReserveReview, record_reserve_review
from domain.supervision import ensure_not_suspended


@dataclass(frozen=True)
class ProjectChanges:
    """The fields an edit sets; None means "leave as it is"."""

    values: dict[str, Any]
    participants: list[Participant] | None = None
    catalogue: list[CatalogueItem] | None = None


def precondition(
    check: Precondition, project: Project, uow: UnitOfWork, facts: ActionFacts = NO_FACTS
) -> None:
    """A use case's first rule: refuse unless the operation may start on this project now
    (domain/preconditions.py — the same answer `availableActions` gives)."""
    require(check(project, facts, legal_date(uow.now())))


def _check_version(project: Project, expected: int | None) -> None:
    ensure_not_suspended(project)  # R23.2: every use case that changes a project passes here
    if expected is not None and expected != project.version:
        raise version_conflict(expected, project.version)


async def _draft_problems(uow: UnitOfWork, project: Project) -> list[Violation]:
    types = await uow.projects.organization_types([p.organization_id for p in project.participants])
    return check_draft(project) + check_participant_organizations(project, types)


async def create_project(*, uow: UnitOfWork, gate: Gate, project: Project) -> Project:
    """A unit starts a draft it leads."""
    async with uow:
        project.lead_organization_id = uow.actor.organization_id
        gate.check(project)
        problems = await _draft_problems(uow, project)
        if problems:
            raise DomainError(problems)
        project.created_at = project.updated_at = uow.now()
        uow.projects.add(project)
        await uow.flush()
        uow.record(gate.operation, "Project", project.id, None, project.snapshot())
        await uow.commit()
    return project


async def update_project(
    *, uow: UnitOfWork, gate: Gate, project_id: int, changes: ProjectChanges, expected_version: int | None
) -> Project:
    """The lead unit edits its draft."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        precondition(pre.project_update, project, uow)
        _check_version(project, expected_version)
        before = project.snapshot()
        for name, value in changes.values.items():
            setattr(project, name, value)
        if changes.participants is not None:
            _merge_participants(project, changes.participants)
        if changes.catalogue is not None:
            _merge_catalogue(project, changes.catalogue)
        problems = await _draft_problems(uow, project)
        if problems:
            raise DomainError(problems)
        project.touch(uow.now())
        await uow.flush()
        uow.record(gate.operation, "Project", project.id, before, project.snapshot())
        await uow.commit()
    return project


def _merge_participants(project: Project, wanted: list[Participant]) -> None:
    """Keep what each remaining participant already wrote about its own part unless the lead overrides it."""
    current = {p.organization_id: p for p in project.participants}
    merged = []
    for new in wanted:
        old = current.get(new.organization_id)
        if old is None:
            merged.append(new)
            continue
        old.business_flow = new.business_flow or old.business_flow
        old.data_flow = new.data_flow or old.data_flow
        old.interfaces = new.interfaces or old.interfaces
        merged.append(old)
    project.participants = merged


def _merge_catalogue(project: Project, wanted: list[CatalogueItem]) -> None:
    """Update items in place by code, so a re-sent item is the same row rather than a delete and insert."""
    current = {item.code: item for item in project.catalogue}
    merged = []
    for new in wanted:
        old = current.pop(new.code, None)
        if old is None:
            merged.append(new)
        else:
            old.name, old.new_construction = new.name, new.new_construction
            merged.append(old)
    project.catalogue = merged


async def update_participation(
    *,
    uow: UnitOfWork,
    gate: Gate,
    project_id: int,
    business_flow: str,
    data_flow: str,
    interfaces: str,
    expected_version: int | None,
) -> Project:
    """R8: a participating unit maintains its own part of a joint project while it is a draft."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        precondition(pre.project_participation_update, project, uow)
        _check_version(project, expected_version)
        part = project.participant(uow.actor.organization_id)
        if part is None:  # the gate lets only participants through; stay correct without it
            raise Forbidden(gate.operation)
        before = project.snapshot()
        part.business_flow, part.data_flow, part.interfaces = business_flow, data_flow, interfaces
        project.touch(uow.now())
        await uow.flush()
        uow.record(gate.operation, "Project", project.id, before, project.snapshot())
        await uow.commit()
    return project


async def submit_to_reserve(
    *, uow: UnitOfWork, gate: Gate, project_id: int, expected_version: int | None
) -> Project:
    """The lead unit submits a complete draft; the first submission gives it its YK-year-sequence code."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        precondition(pre.project_submit_to_reserve, project, uow)
        _check_version(project, expected_version)
        before = project.snapshot()
        instant = uow.now()
        year = legal_date(instant).year
        claimed = await uow.projects.catalogue_claimed_elsewhere(project)
        # Refusals first: a refused submission takes no code number (not even one it would give back).
        ensure_submittable(project, catalogue_claimed_elsewhere=claimed)
        code = None
        if project.code is None:
            assert project.id is not None
            code = project_code(year, await uow.projects.take_code_number(year, project.id))
        submit_rule(project, code=code, year=year, now=instant, catalogue_claimed_elsewhere=claimed)
        project.touch(instant)
        await uow.flush()
        uow.record(gate.operation, "Project", project.id, before, project.snapshot())
        await uow.commit()
    return project


async def review_for_reserve(
    *,
    uow: UnitOfWork,
    gate: Gate,
    project_id: int,
    results: list[CheckResult],
    comment: str,
    expected_version: int | None,
) -> tuple[Project, ReserveReview]:
    """R7: bdb records the five checks; the project enters the reserve or returns to its unit."""
    async with uow:
        project = await uow.projects.get(project_id, for_update=True)
        gate.check(project)
        precondition(pre.reserve_review_record, project, uow)
        _check_version(project, expected_version)
        before = project.snapshot()
        assert uow.actor.user_id is not None
        review = record_reserve_review(
            project, reviewer_user_id=uow.actor.user_id, results=results, comment=comment, now=uow.now()
        )
        project.touch(review.reviewed_at)
        uow.projects.add_review(review)
        await uow.flush()
        after = project.snapshot() | {
            "reserveReview": {
                "outcome": str(review.outcome),
                "checks": [
                    {"check": str(r.check), "passed": r.passed, "note": r.note} for r in review.results
                ],
                "comment": review.comment,
            }
        }
        uow.record(gate.operation, "Project", project.id, before, after)
        await uow.commit()
    return project, review
