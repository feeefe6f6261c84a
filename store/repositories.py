"""Repositories: how use cases load and add domain objects."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, exists, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from domain.errors import NotFound
from domain.lifecycle import Status
from domain.projects import Project
from domain.reserve import ReserveReview
from store import tables


class SqlProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, project_id: int, *, for_update: bool = False) -> Project:
        """The whole aggregate. Every use case starts here, so its statements are built once
        (`_get_statements`): the selectin loaders would build their SELECT again on every load (~1 ms of CPU
        per collection)."""
        project_stmt, children = _get_statements(for_update)
        found = (await self._session.execute(project_stmt, {"project_id": project_id})).one_or_none()
        if found is None:
            raise NotFound("Project", project_id)
        project: Project
        project, *present = found
        # The project's row says which collections have members: a draft's empty ones cost no round trip.
        for (name, stmt), has_members in zip(children, present, strict=True):
            rows = []
            if has_members:
                rows = list((await self._session.execute(stmt, {"project_id": project_id})).scalars().all())
            set_committed_value(project, name, rows)
        return project

    def add(self, project: Project) -> None:
        self._session.add(project)

    def add_review(self, review: ReserveReview) -> None:
        self._session.add(review)

    async def take_code_number(self, year: int, project_id: int) -> int:
        for _ in range(_TAKE_ATTEMPTS):
            values = {"year": year, "project_id": project_id}
            taken = (await self._session.execute(_TAKE_CODE_NUMBER, values)).scalar_one_or_none()
            if taken is not None:
                return int(taken)
            # Every number is taken or held: add the next block. Someone adding the same block at the same
            # moment makes this wait for their commit and then add nothing — their numbers are free by then.
            await self._session.execute(_ADD_CODE_NUMBERS, {"year": year, "block": CODE_NUMBER_BLOCK})
        raise RuntimeError(f"no free project code number for {year} after {_TAKE_ATTEMPTS} attempts")

    async def organization_types(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        orgs = tables.organizations
        rows = await self._session.execute(select(orgs.c.id, orgs.c.type).where(orgs.c.id.in_(ids)))
        return {pk: kind for pk, kind in rows.all()}

    async def catalogue_claimed_elsewhere(self, project: Project) -> dict[str, str]:
        """R8 [interp]: catalogue codes that another live, submitted project already claims as new construction."""
        codes = [item.code for item in project.catalogue if item.new_construction]
        if not codes:
            return {}
        items, projects = tables.catalogue_items, tables.projects
        stmt = (
            select(items.c.code, func.min(projects.c.code))
            .join(projects, projects.c.id == items.c.project_id)
            .where(
                items.c.code.in_(codes),
                items.c.new_construction.is_(True),
                projects.c.id != project.id,
                projects.c.code.is_not(None),
                projects.c.status != Status.TERMINATED,
            )
            .group_by(items.c.code)
        )
        return {code: other for code, other in (await self._session.execute(stmt)).all()}


_AnySelect = Select[*tuple[Any, ...]]  # a statement of any columns (Select is variadic in SQLAlchemy 2.1)


@cache
def _get_statements(for_update: bool) -> tuple[_AnySelect, list[tuple[str, _AnySelect]]]:
    """The project's own row (locked for a use case that changes it: the row lock serialises concurrent use
    cases on one project, the second sees the first's result) with one "has members" flag per collection, and
    one SELECT per collection."""
    pid: BindParameter[int] = bindparam("project_id")
    relationships = inspect(Project).relationships
    children, present = [], []
    for name in _COLLECTIONS:
        rel = relationships[name]
        (fk,) = rel.remote_side
        children.append(
            (
                name,
                select(rel.mapper.class_)
                .where(fk == pid)
                .order_by(*rel.order_by)
                .execution_options(populate_existing=True),
            )
        )
        present.append(exists().where(fk == tables.projects.c.id).label(f"has_{name}"))
    project = (
        select(Project, *present)
        .where(tables.projects.c.id == pid)
        .options(*(lazyload(getattr(Project, name)) for name in _COLLECTIONS))
        .execution_options(populate_existing=True)
    )
    if for_update:
        project = project.with_for_update(of=tables.projects)
    return project, children


# The lowest free number of the year that no open transaction holds (SKIP LOCKED: no waiting for a commit).
_TAKE_CODE_NUMBER = text("""
    UPDATE project_code_numbers SET project_id = :project_id
    WHERE (year, sequence) = (SELECT year, sequence FROM project_code_numbers
                              WHERE year = :year AND project_id IS NULL
                              ORDER BY sequence LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING sequence""")
_ADD_CODE_NUMBERS = text("""
    INSERT INTO project_code_numbers (year, sequence)
    SELECT :year, n
    FROM (SELECT coalesce(max(sequence), 0) AS top FROM project_code_numbers WHERE year = :year) AS numbered,
         generate_series(numbered.top + 1, numbered.top + :block) AS n
    ON CONFLICT DO NOTHING""")
CODE_NUMBER_BLOCK = 100
_TAKE_ATTEMPTS = 10

_COLLECTIONS = ("participants", "catalogue", "documents")
