"""Repositories: how use cases load and add domain objects."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Insert, Select, bindparam, exists, func, insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from domain.errors import NotFound
from domain.lifecycle import Status
from domain.projects import Project
from domain.reserve import ReserveReview
from store import tables
from store.mapping import keep_sort_key
from store.obligation_dates import MARKED_BY_CALLER, note_written


class SqlProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._new: list[Project] = []

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
        """A new project, inserted at the unit of work's next `flush()` or `commit()` (not by a bare
        `session.flush()`). One with no participants, catalogue items or documents (a draft as most units start
        it) is kept for `insert_new`; one with members goes to the ORM's flush, which inserts them after it."""
        if project.participants or project.catalogue or project.documents:
            self._session.add(project)
        else:
            self._new.append(project)

    async def insert_new(self) -> None:
        """Insert the projects `add` kept: each one INSERT … RETURNING id, the statement the ORM's flush would
        send, without its per-flush work (issue 17: a new project's flush cost ~2.6 ms of CPU against ~1 ms for
        the statement). The object then joins the session as a loaded one — persistent, in the identity map,
        nothing pending — which is how the flush leaves it; its pinyin key and obligation mark as the flush's
        listeners give them (store/mapping.py `_write_sort_key`, store/obligation_dates.py)."""
        while self._new:
            project = self._new.pop(0)
            keep_sort_key(project)
            project.obligations_due_on = None  # type: ignore[attr-defined]  # nothing owed yet: see note_written
            values = {key: getattr(project, key) for key in _insert_columns()}
            found = await self._session.execute(_INSERT_PROJECT, values, execution_options=MARKED_BY_CALLER)
            project.id = found.scalar_one()
            make_transient_to_detached(project)
            self._session.add(project)
            note_written(self._session.sync_session, project, new=True)

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


@cache
def _insert_columns() -> tuple[str, ...]:
    """Every mapped column of a project but its generated id: the INSERT sends each, NULLs too, as the ORM's."""
    return tuple(attr.key for attr in inspect(Project).column_attrs if attr.key != "id")


_INSERT_PROJECT: Insert = insert(tables.projects).returning(tables.projects.c.id)

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
