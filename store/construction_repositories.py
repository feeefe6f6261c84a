"""Repository of Art. 14–22 records: plain Core statements, rows handed back as mappings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actors import Actor
from domain.changes import ChangeRoute, ChangeStatus
from domain.errors import NotFound
from store import approval_tables
from store import construction_tables as t


class SqlConstructionRepository:
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        self._session = session
        self._actor = actor

    async def _insert(self, table: Table, values: dict[str, Any], by: str = "recorded_by_user_id") -> int:
        values = {by: self._actor.user_id, **values} if by in table.c else values
        return int(
            (await self._session.execute(insert(table).values(**values).returning(table.c.id))).scalar_one()
        )

    async def _rows(
        self, table: Table, project_id: int, order: ColumnElement[Any] | None = None
    ) -> list[RowMapping]:
        stmt = (
            select(table)
            .where(table.c.project_id == project_id)
            .order_by(order if order is not None else table.c.id)
        )
        return list((await self._session.execute(stmt)).mappings())

    # R14–R15
    async def add_contract(self, values: dict[str, Any]) -> int:
        return await self._insert(t.contracts, values)

    async def contracts(self, project_id: int) -> list[RowMapping]:
        return await self._rows(t.contracts, project_id)

    async def contract(self, pk: int) -> RowMapping:
        row = (
            (await self._session.execute(select(t.contracts).where(t.contracts.c.id == pk)))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound("Contract", pk)
        return row

    # R16–R17
    async def add_change(self, values: dict[str, Any]) -> int:
        return await self._insert(t.change_requests, values, by="submitted_by_user_id")

    async def change(self, pk: int, *, for_update: bool = False) -> RowMapping:
        stmt = select(t.change_requests).where(t.change_requests.c.id == pk)
        row = (await self._session.execute(stmt.with_for_update() if for_update else stmt)).mappings().first()
        if row is None:
            raise NotFound("ChangeRequest", pk)
        return row

    async def decide_change(self, pk: int, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(t.change_requests).where(t.change_requests.c.id == pk).values(**values)
        )

    async def changes(self, project_id: int) -> list[RowMapping]:
        return await self._rows(t.change_requests, project_id)

    async def filed_adjustments(self, project_id: int) -> Decimal:
        c = t.change_requests
        stmt = select(func.coalesce(func.sum(c.c.adjusted_funds), 0)).where(
            c.c.project_id == project_id, c.c.route == ChangeRoute.FILING, c.c.status == ChangeStatus.FILED
        )
        return Decimal((await self._session.execute(stmt)).scalar_one())

    async def pending_change(self, project_id: int) -> bool:
        c = t.change_requests
        stmt = select(c.c.id).where(c.c.project_id == project_id, c.c.status == ChangeStatus.PENDING).limit(1)
        return (await self._session.execute(stmt)).first() is not None

    async def figure_versions(self, project_id: int) -> list[RowMapping]:
        return await self._rows(t.approved_figure_versions, project_id, t.approved_figure_versions.c.version)

    async def add_figure_version(self, values: dict[str, Any]) -> int:
        return await self._insert(t.approved_figure_versions, values)

    # R18
    async def add_progress(self, values: dict[str, Any]) -> int:
        return await self._insert(t.progress_reports, values, by="submitted_by_user_id")

    async def progress(self, project_id: int) -> list[RowMapping]:
        return await self._rows(t.progress_reports, project_id, t.progress_reports.c.period_number)

    # R19–R21
    async def add_event(self, values: dict[str, Any]) -> int:
        return await self._insert(t.acceptance_events, values)

    async def events(self, project_id: int) -> list[RowMapping]:
        return await self._rows(t.acceptance_events, project_id)

    async def add_disbursement(self, values: dict[str, Any]) -> int:
        return await self._insert(t.disbursements, values)

    async def disbursed(self, project_id: int) -> Decimal:
        d = t.disbursements
        stmt = select(func.coalesce(func.sum(d.c.amount), 0)).where(d.c.project_id == project_id)
        return Decimal((await self._session.execute(stmt)).scalar_one())

    async def disbursements(self, project_id: int) -> list[RowMapping]:
        return await self._rows(t.disbursements, project_id)

    async def add_allocation(self, values: dict[str, Any]) -> int:
        return await self._insert(t.resource_allocations, values)

    async def allocations(self, project_id: int) -> list[RowMapping]:
        return await self._rows(t.resource_allocations, project_id)

    # R22
    async def add_self_evaluation(self, values: dict[str, Any]) -> int:
        return await self._insert(t.self_evaluations, values)

    async def self_evaluations(self, project_id: int) -> list[RowMapping]:
        return await self._rows(t.self_evaluations, project_id)

    async def add_post_evaluation(self, values: dict[str, Any]) -> int:
        return await self._insert(approval_tables.post_evaluations, values)

    async def post_evaluation(self, pk: int, *, for_update: bool = False) -> RowMapping:
        pe = approval_tables.post_evaluations
        stmt = select(pe).where(pe.c.id == pk)
        row = (await self._session.execute(stmt.with_for_update() if for_update else stmt)).mappings().first()
        if row is None:
            raise NotFound("PostEvaluation", pk)
        return row

    async def complete_post_evaluation(self, pk: int, values: dict[str, Any]) -> None:
        pe = approval_tables.post_evaluations
        await self._session.execute(update(pe).where(pe.c.id == pk).values(**values))

    async def post_evaluations(self, project_id: int) -> list[RowMapping]:
        return await self._rows(approval_tables.post_evaluations, project_id)
