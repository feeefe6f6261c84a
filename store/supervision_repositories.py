"""Repository of Art. 23–24: inspections, rectification reports (with files) and information requests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, exists, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acceptance import Acceptance, AcceptanceEvent
from domain.actors import Actor
from domain.clock import legal_date
from domain.errors import NotFound
from domain.lifecycle import Status
from domain.obligations import ProjectFacts, Rectification
from domain.ports import Upload
from domain.supervision import InfoRequest, Inspection, RectificationReport, ReportStatus
from store import approval_tables, tables
from store import construction_tables as c
from store import supervision_tables as s
from store.files import FileStore, PostgresFileStore

CHINA_TZ = "Asia/Shanghai"
T = TypeVar("T")


class SqlSupervisionRepository:
    def __init__(self, session: AsyncSession, actor: Actor, files: FileStore | None = None) -> None:
        self._session = session
        self._actor = actor
        self._files = files or PostgresFileStore()

    async def _one(self, cls: type[T], column: ColumnElement[Any], pk: int, for_update: bool) -> T:
        stmt = select(cls).where(column == pk).execution_options(populate_existing=True)
        if for_update:
            stmt = stmt.with_for_update()
        found = (await self._session.execute(stmt)).scalar_one_or_none()
        if found is None:
            raise NotFound(cls.__name__, pk)
        return found

    async def inspection(self, pk: int, *, for_update: bool = False) -> Inspection:
        return await self._one(Inspection, s.inspections.c.id, pk, for_update)

    async def report(self, pk: int, *, for_update: bool = False) -> RectificationReport:
        return await self._one(RectificationReport, s.rectification_reports.c.id, pk, for_update)

    async def info_request(self, pk: int, *, for_update: bool = False) -> InfoRequest:
        return await self._one(InfoRequest, s.info_requests.c.id, pk, for_update)

    async def inspections_of(self, project_id: int) -> list[Inspection]:
        stmt = select(Inspection).where(s.inspections.c.project_id == project_id).order_by(s.inspections.c.id)
        return list((await self._session.execute(stmt)).scalars())

    async def reports_of(
        self, *, inspection_id: int | None = None, project_id: int | None = None
    ) -> list[RectificationReport]:
        r = s.rectification_reports
        stmt = select(RectificationReport).order_by(r.c.id)
        stmt = (
            stmt.where(r.c.inspection_id == inspection_id)
            if inspection_id
            else stmt.where(r.c.project_id == project_id)
        )
        return list((await self._session.execute(stmt)).scalars())

    def add(self, obj: object) -> None:
        self._session.add(obj)

    async def attach(self, report: RectificationReport, uploads: Sequence[Upload]) -> None:
        for upload in uploads:
            storage, blob_id, key = await self._files.put(self._session, upload)
            await self._session.execute(
                insert(approval_tables.attachments).values(
                    owner_type="RectificationReport",
                    owner_id=report.id,
                    label=upload.label,
                    filename=upload.filename,
                    content_type=upload.content_type,
                    size=upload.size,
                    sha256=upload.sha256,
                    storage=storage,
                    blob_id=blob_id,
                    storage_key=key,
                    uploaded_by_user_id=self._actor.user_id,
                )
            )


async def obligation_facts(session: AsyncSession, where: ColumnElement[bool]) -> list[ProjectFacts]:
    """The calendar's facts of every project matching `where` (a projects-table predicate), in five queries.

    Only projects that can owe something are read: approved ones, and those with an ordered rectification.
    """
    p, i = tables.projects, s.inspections
    ordered = exists(select(i.c.id).where(i.c.project_id == p.c.id, i.c.rectification_deadline.is_not(None)))
    rows = (
        await session.execute(
            select(p.c.id, p.c.lead_organization_id, p.c.status, p.c.approval_date)
            .where(where, or_(p.c.approval_date.is_not(None), ordered))
            .order_by(p.c.id)
        )
    ).all()
    ids = [row.id for row in rows]
    rectifications = await _rectifications(session, ids)
    progress = await _progress(session, ids)
    acceptances = await _acceptances(session, ids)
    evaluated = (
        set(
            (
                await session.execute(
                    select(c.self_evaluations.c.project_id).where(c.self_evaluations.c.project_id.in_(ids))
                )
            ).scalars()
        )
        if ids
        else set()
    )
    return [
        ProjectFacts(
            project_id=row.id,
            organization_id=row.lead_organization_id,
            terminated=row.status == Status.TERMINATED,
            approval_date=row.approval_date,
            progress_reports=frozenset(progress.get(row.id, ())),
            self_evaluated=row.id in evaluated,
            rectifications=tuple(rectifications.get(row.id, ())),
            **_acceptance_facts(acceptances.get(row.id) or Acceptance(row.id)),
        )
        for row in rows
    ]


async def _rectifications(session: AsyncSession, ids: list[int]) -> dict[int, list[Rectification]]:
    """R23.1 orders; done when a report was accepted, or one waits for review, sent by the deadline."""
    if not ids:
        return {}
    i, r = s.inspections, s.rectification_reports
    answered = exists(
        select(r.c.id).where(
            r.c.inspection_id == i.c.id,
            or_(
                r.c.status == ReportStatus.ACCEPTED,
                (r.c.status == ReportStatus.PENDING)
                & (
                    func.timezone(CHINA_TZ, r.c.submitted_at)
                    < i.c.rectification_deadline + text("interval '1 day'")
                ),
            ),
        )
    )
    found: dict[int, list[Rectification]] = {}
    for row in await session.execute(
        select(i.c.id, i.c.project_id, i.c.concluded_at, i.c.rectification_deadline, answered.label("done"))
        .where(i.c.project_id.in_(ids), i.c.rectification_deadline.is_not(None))
        .order_by(i.c.id)
    ):
        found.setdefault(row.project_id, []).append(
            Rectification(
                inspection_id=row.id,
                ordered_on=legal_date(row.concluded_at),
                deadline=row.rectification_deadline,
                done=bool(row.done),
            )
        )
    return found


async def _progress(session: AsyncSession, ids: list[int]) -> dict[int, set[int]]:
    if not ids:
        return {}
    pr = c.progress_reports
    found: dict[int, set[int]] = {}
    for pid, number in await session.execute(
        select(pr.c.project_id, pr.c.period_number).where(pr.c.project_id.in_(ids))
    ):
        found.setdefault(pid, set()).add(number)
    return found


async def _acceptances(session: AsyncSession, ids: list[int]) -> dict[int, Acceptance]:
    """Each project's acceptance history, in one query."""
    if not ids:
        return {}
    e = c.acceptance_events
    found: dict[int, Acceptance] = {}
    stmt = select(AcceptanceEvent).where(e.c.project_id.in_(ids)).order_by(e.c.id)
    for event in (await session.execute(stmt)).scalars():
        found.setdefault(event.project_id, Acceptance(event.project_id)).events.append(event)
    return found


def _acceptance_facts(acceptance: Acceptance) -> dict[str, Any]:
    """The calendar's R19–R22 facts: the acceptance aggregate's, under ProjectFacts' names."""
    return {
        "initial_acceptance_passed_on": acceptance.initial_passed_on,
        "acceptance_extended_until": acceptance.extended_until,
        "completion_applied": acceptance.completion_applied,
        "acceptance_failures": acceptance.failures,
        "accepted_on": acceptance.accepted_on,
        "filed_on": acceptance.filed_on,
        "operation_started_on": acceptance.operation_started_on,
    }
