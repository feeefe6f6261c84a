"""A flush whose only changes are column values of loaded projects, written by one Core UPDATE per project.

Issue 17: almost every lifecycle mutation loads one project, sets a few of its columns (status, version,
updated_at, a date …) and flushes. The ORM's unit of work spends ~1 ms of CPU on that flush — the action graph
with the project's three cascaded collections, their dependency processors, the per-mapper save and delete
actions — against ~0.4 ms for the UPDATE itself. `write_column_changes` sends the UPDATE the flush would send
(the same changed columns, by primary key, at most one statement per project) and leaves each project as the
flush leaves it: its history committed, no longer dirty, registered with the transaction (so a rollback
expires it as it would after the ORM's flush), its pinyin key and obligation mark as the flush's listeners give
them (store/mapping.py `_write_sort_key`, store/obligation_dates.py).

Anything else pending — a new or deleted object, a changed collection, another dirty object (a participant, a
document …), a SQL expression as a value — leaves the whole flush to the ORM, untouched.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Update, bindparam, inspect, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstanceState
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ClauseElement

from domain.projects import Project
from store import tables
from store.mapping import keep_sort_key
from store.obligation_dates import MARKED_BY_CALLER, note_written


async def write_column_changes(session: AsyncSession) -> None:
    """Write the changed columns of every dirty project when nothing else is pending (else do nothing)."""
    sync = session.sync_session
    if sync.new or sync.deleted:
        return
    dirty = sync.dirty
    if not dirty:
        return
    loaded: list[tuple[Project, InstanceState[Project]]] = []
    for obj in dirty:
        if type(obj) is not Project:
            return
        state: InstanceState[Project] = inspect(obj)
        if not state.committed_state.keys() <= _column_keys() or state.key is None:
            return  # a collection changed: the ORM's flush cascades it
        loaded.append((obj, state))
    loaded.sort(key=lambda pair: pair[0].id or 0)  # the ORM's flush updates rows in primary key order too
    changes = []
    for project, state in loaded:
        keep_sort_key(project)  # as the ORM's before_update listener
        values = {
            key: state.dict[key]
            for key, committed in state.committed_state.items()
            if state.manager[key].impl.is_equal(state.dict[key], committed) is not True
        }
        if any(isinstance(v, ClauseElement) or hasattr(v, "__clause_element__") for v in values.values()):
            return  # a SQL expression as a value: the ORM's flush renders it
        changes.append((project, state, values))
    for project, _, values in changes:
        note_written(sync, project, new=False)  # before the history is committed: it reads it
        if values:
            result = await session.execute(
                _update_statement(), values | {_PK: project.id}, execution_options=MARKED_BY_CALLER
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult, for an UPDATE
                matched = result.rowcount  # type: ignore[attr-defined]
                raise StaleDataError(
                    f"UPDATE statement on table 'projects' expected to update 1 row(s); {matched} were matched."
                )
    # What the ORM's flush does for the objects it wrote (Session._register_persistent): history committed,
    # out of the identity map's modified set, and recorded in the transaction, which expires them on rollback.
    for _, state, _ in changes:
        state._commit_all(state.dict, sync.identity_map)
    sync._register_altered([state for _, state, _ in changes])


_PK = "project_pk"  # the WHERE's parameter; every other key of the parameters is a SET column


@cache
def _column_keys() -> frozenset[str]:
    return frozenset(attr.key for attr in inspect(Project).column_attrs if attr.key != "id")


@cache
def _update_statement() -> Update:
    """`UPDATE projects SET <the parameters' columns> WHERE id = :project_pk` (compiled once per column set)."""
    return update(tables.projects).where(tables.projects.c.id == bindparam(_PK))
