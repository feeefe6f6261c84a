"""The facts the preconditions read beside the project aggregate (domain/preconditions.py), for a page of
projects at once: one statement for the flags, one or two for the rectifications (`availableActions`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acceptance import FILING_KINDS, AcceptanceEventKind
from domain.changes import ChangeStatus
from domain.mid_year import MidYearStatus
from domain.preconditions import ActionFacts
from domain.supervision import Inspection, InspectionStatus, RectificationReport, rectification_failed
from store import approval_tables, tables
from store import construction_tables as c
from store import supervision_tables as s


async def action_facts(session: AsyncSession, ids: Sequence[int], today: date) -> dict[int, ActionFacts]:
    """Each project's ActionFacts, computed as the use cases compute them one project at a time."""
    if not ids:
        return {}
    p, ch, m, e = tables.projects, c.change_requests, approval_tables.mid_year_requests, c.acceptance_events
    change_pending = exists(
        select(ch.c.id).where(ch.c.project_id == p.c.id, ch.c.status == ChangeStatus.PENDING)
    )
    mid_year_pending = exists(
        select(m.c.id).where(
            m.c.project_id == p.c.id, m.c.status.not_in([MidYearStatus.APPROVED, MidYearStatus.REJECTED])
        )
    )
    # Acceptance.filing_pending, for a page at once: the last filing event is the unit's FILING
    last_filing = (
        select(e.c.kind)
        .where(e.c.project_id == p.c.id, e.c.kind.in_(FILING_KINDS))
        .order_by(e.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = (
        await session.execute(
            select(
                p.c.id,
                change_pending.label("change_pending"),
                mid_year_pending.label("mid_year_pending"),
                (last_filing == AcceptanceEventKind.FILING).label("filing_pending"),
            ).where(p.c.id.in_(ids))
        )
    ).all()
    failed = await _failed_rectifications(session, ids, today)
    return {
        row.id: ActionFacts(
            change_pending=bool(row.change_pending),
            mid_year_pending=bool(row.mid_year_pending),
            filing_pending=bool(row.filing_pending),
            rectification_failed=row.id in failed,
        )
        for row in rows
    }


async def _failed_rectifications(session: AsyncSession, ids: Sequence[int], today: date) -> set[int]:
    """Projects with an overdue or rejected rectification (R23.2), by the rule the sanctions apply."""
    i, r = s.inspections, s.rectification_reports
    ordered = list(
        (
            await session.execute(
                select(Inspection)
                .where(i.c.project_id.in_(ids), i.c.status == InspectionStatus.RECTIFICATION_ORDERED)
                .order_by(i.c.id)
            )
        ).scalars()
    )
    if not ordered:
        return set()
    reports = list(
        (
            await session.execute(
                select(RectificationReport)
                .where(r.c.inspection_id.in_([x.id for x in ordered]))
                .order_by(r.c.id)
            )
        ).scalars()
    )
    return {
        x.project_id
        for x in ordered
        if rectification_failed(x, [rep for rep in reports if rep.inspection_id == x.id], today)
    }
