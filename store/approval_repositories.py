"""Repositories for plans, mid-year requests and approval documents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actors import Actor
from domain.approval_documents import ApprovalDocument
from domain.errors import NotFound
from domain.mid_year import MidYearRequest, MidYearStatus
from domain.plans import AnnualPlan, PlanCall, PlanEntry, PlanStatus
from domain.ports import Upload
from domain.projects import Project
from store import approval_tables as t
from store import tables
from store.files import FileStore, PostgresFileStore

T = TypeVar("T")


class SqlPlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, cls: type[T], table_id: ColumnElement[Any], pk: int, for_update: bool) -> T:
        stmt = select(cls).where(table_id == pk).execution_options(populate_existing=True)
        if for_update:
            stmt = stmt.with_for_update()
        found = (await self._session.execute(stmt)).scalar_one_or_none()
        if found is None:
            raise NotFound(cls.__name__, pk)
        return found

    async def call(self, pk: int, *, for_update: bool = False) -> PlanCall:
        return await self._one(PlanCall, t.plan_calls.c.id, pk, for_update)

    async def call_for_year(self, year: int) -> PlanCall | None:
        return (
            await self._session.execute(select(PlanCall).where(t.plan_calls.c.year == year))
        ).scalar_one_or_none()

    async def entry(self, pk: int, *, for_update: bool = False) -> PlanEntry:
        return await self._one(PlanEntry, t.plan_entries.c.id, pk, for_update)

    async def entries(self, ids: list[int]) -> dict[int, PlanEntry]:
        rows = (await self._session.execute(select(PlanEntry).where(t.plan_entries.c.id.in_(ids)))).scalars()
        return {e.id: e for e in rows if e.id is not None}

    async def find_entry(self, call_id: int, project_id: int, kind: object) -> PlanEntry | None:
        e = t.plan_entries
        stmt = select(PlanEntry).where(e.c.call_id == call_id, e.c.project_id == project_id, e.c.kind == kind)
        return (await self._session.execute(stmt.with_for_update())).scalar_one_or_none()

    async def plan(self, pk: int, *, for_update: bool = False) -> AnnualPlan:
        return await self._one(AnnualPlan, t.annual_plans.c.id, pk, for_update)

    async def plans_of_year(self, year: int, *, for_update: bool = False) -> list[AnnualPlan]:
        stmt = select(AnnualPlan).where(t.annual_plans.c.year == year).order_by(t.annual_plans.c.revision)
        if for_update:
            stmt = stmt.with_for_update()
        return list((await self._session.execute(stmt.execution_options(populate_existing=True))).scalars())

    async def lock_year(self, year: int) -> None:
        """Plans of one year change one at a time (compile, approve, mid-year additions)."""
        await self._session.execute(select(func.pg_advisory_xact_lock(7_000_000 + year)))

    async def entry_in_plan(self, entry_id: int) -> bool:
        """Whether the entry is listed in a revision sent to, or approved by, the government."""
        plans, items = t.annual_plans, t.annual_plan_items
        stmt = (
            select(items.c.id)
            .join(plans, plans.c.id == items.c.plan_id)
            .where(
                items.c.entry_id == entry_id, plans.c.status.in_([PlanStatus.SUBMITTED, PlanStatus.APPROVED])
            )
        )
        return (await self._session.execute(stmt.limit(1))).first() is not None

    async def mid_year(self, pk: int, *, for_update: bool = False) -> MidYearRequest:
        return await self._one(MidYearRequest, t.mid_year_requests.c.id, pk, for_update)

    async def mid_year_pending(self, project_id: int) -> bool:
        m = t.mid_year_requests
        stmt = select(m.c.id).where(
            m.c.project_id == project_id, m.c.status.not_in([MidYearStatus.APPROVED, MidYearStatus.REJECTED])
        )
        return (await self._session.execute(stmt.limit(1))).first() is not None

    async def projects(self, ids: set[int]) -> dict[int, Project]:
        """Lock the projects a plan change touches, in id order (no deadlocks between two plan changes)."""
        stmt = (
            select(Project)
            .where(tables.projects.c.id.in_(sorted(ids)))
            .order_by(tables.projects.c.id)
            .with_for_update(of=tables.projects)
            .execution_options(populate_existing=True)
        )
        return {p.id: p for p in (await self._session.execute(stmt)).scalars() if p.id is not None}

    def add(self, obj: object) -> None:
        self._session.add(obj)


class SqlDocumentRepository:
    def __init__(self, session: AsyncSession, actor: Actor, files: FileStore | None = None) -> None:
        self._session = session
        self._actor = actor
        self._files = files or PostgresFileStore()

    async def get(self, pk: int) -> ApprovalDocument:
        found = (
            await self._session.execute(select(ApprovalDocument).where(t.approval_documents.c.id == pk))
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("ApprovalDocument", pk)
        return found

    async def attach(self, document: ApprovalDocument, uploads: Sequence[Upload]) -> None:
        for upload in uploads:
            storage, blob_id, key = await self._files.put(self._session, upload)
            await self._session.execute(
                insert(t.attachments).values(
                    owner_type="ApprovalDocument",
                    owner_id=document.id,
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
