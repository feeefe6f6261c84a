"""Repository of Art. 14–22: the `Implementation` and `Acceptance` aggregates and the records of funds and
evaluation, as mapped domain objects (store/mapping.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acceptance import Acceptance, AcceptanceEvent
from domain.actors import Actor
from domain.changes import ChangeRequest, FigureVersion
from domain.errors import NotFound
from domain.evaluation import PostEvaluation
from domain.implementation import Contract, Implementation
from domain.ports import ConstructionRecord
from domain.progress import ProgressReport
from store import approval_tables
from store import construction_tables as t

T = TypeVar("T")

# Who recorded a new record, when it does not say: the actor of the unit of work.
_RECORDED_BY = ("recorded_by_user_id", "submitted_by_user_id")


class SqlConstructionRepository:
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        self._session = session
        self._actor = actor

    def add(self, record: ConstructionRecord) -> None:
        for name in _RECORDED_BY:
            if hasattr(record, name) and getattr(record, name) is None:
                setattr(record, name, self._actor.user_id)
        self._session.add(record)

    async def _all(
        self, cls: type[T], project_column: ColumnElement[Any], project_id: int, *order: Any
    ) -> list[T]:
        stmt = select(cls).where(project_column == project_id).order_by(*order)
        return list((await self._session.execute(stmt)).scalars())

    async def _one(self, cls: type[T], column: ColumnElement[Any], pk: int, for_update: bool = False) -> T:
        stmt = select(cls).where(column == pk).execution_options(populate_existing=True)
        found = (
            await self._session.execute(stmt.with_for_update() if for_update else stmt)
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(cls.__name__, pk)
        return found

    async def implementation(self, project_id: int) -> Implementation:
        c, ch, v, p = t.contracts, t.change_requests, t.approved_figure_versions, t.progress_reports
        return Implementation(
            project_id=project_id,
            contracts=await self._all(Contract, c.c.project_id, project_id, c.c.id),
            changes=await self._all(ChangeRequest, ch.c.project_id, project_id, ch.c.id),
            figure_versions=await self._all(FigureVersion, v.c.project_id, project_id, v.c.version),
            progress=await self._all(ProgressReport, p.c.project_id, project_id, p.c.period_number),
        )

    async def reported_periods(self, project_id: int) -> set[int]:
        """One query, where the whole `Implementation` takes four (issue 17)."""
        p = t.progress_reports
        stmt = select(p.c.period_number).where(p.c.project_id == project_id)
        return set((await self._session.execute(stmt)).scalars())

    async def acceptance(self, project_id: int) -> Acceptance:
        return await load_acceptance(self._session, project_id)

    async def contract(self, pk: int) -> Contract:
        return await self._one(Contract, t.contracts.c.id, pk)

    async def change(self, pk: int, *, for_update: bool = False) -> ChangeRequest:
        return await self._one(ChangeRequest, t.change_requests.c.id, pk, for_update)

    async def disbursed(self, project_id: int) -> Decimal:
        d = t.disbursements
        stmt = select(func.coalesce(func.sum(d.c.amount), 0)).where(d.c.project_id == project_id)
        return Decimal((await self._session.execute(stmt)).scalar_one())

    async def post_evaluation(self, pk: int, *, for_update: bool = False) -> PostEvaluation:
        return await self._one(PostEvaluation, approval_tables.post_evaluations.c.id, pk, for_update)


async def load_acceptance(session: AsyncSession, project_id: int) -> Acceptance:
    """The project's acceptance history, oldest event first (also for the read side)."""
    e = t.acceptance_events
    stmt = select(AcceptanceEvent).where(e.c.project_id == project_id).order_by(e.c.id)
    return Acceptance(project_id, list((await session.execute(stmt)).scalars()))
