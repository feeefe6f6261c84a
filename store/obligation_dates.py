"""`projects.obligations_due_on` (issue 15.4): the earliest due date of an obligation the project has not
met, so `projects(filter: {hasOverdueObligations: true})` is one SQL condition (`< today`) that paginates.

The calendar stays derived (domain/obligations.py); this column is the one fact of it the list needs. The
unit of work refreshes it, in the use case's transaction and after locking the project rows (so two
transactions on one project cannot store a stale date), for every project whose calendar facts the
transaction wrote; `store.migrate.upgrade` refreshes every project after migrating.

Which projects' facts a transaction wrote is not left to each use case to say (issue 17: refreshing every
loaded project cost ~3 ms a mutation, and a list a use case must remember is one it can forget). The
session's own flush tells: `after_flush` sees every object the flush inserts, updates or deletes, so a row
of a table `obligation_facts` reads (`FACT_TABLES`), or a project whose approval date or termination
changed, marks its project. A DML statement on a fact table outside the ORM's flush (Core `insert`/`update`
/`delete`, or text SQL) names no object, so it marks every project the session holds, as before. Writes on
the raw driver (store/driver.py) bypass the session and are not seen: keep calendar facts out of them (today
they are the credential check, rate counts, idempotency keys and security events).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import ClauseElement, TextClause, bindparam, event, inspect, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from domain.lifecycle import Status
from domain.obligations import earliest_unmet_due
from domain.projects import Project
from store import construction_tables as c
from store import supervision_tables as s
from store import tables
from store.supervision_repositories import obligation_facts

# Every table `obligation_facts` reads besides `projects`, each row naming its project (`project_id`);
# tests/api/test_obligation_dates.py fails when `obligation_facts` reads a table this does not list.
FACT_TABLES: Final = frozenset(
    t.name
    for t in (
        c.progress_reports,
        c.acceptance_events,
        c.self_evaluations,
        s.inspections,
        s.rectification_reports,
    )
)
TOUCHED: Final = "obligation_facts_touched"  # session.info key: the projects to refresh at commit
EVERY_LOADED: Final = -1  # in that set: a fact was written outside the ORM, refresh every project loaded
_SKIP: Final = "obligation_dates_refresh"  # execution option of the refresh's own UPDATE
# Execution options of a statement whose projects the caller marks itself (`note_written`)
MARKED_BY_CALLER: Final = {_SKIP: True}


async def refresh_obligation_dates(session: AsyncSession, ids: Collection[int] | None = None) -> int:
    """Recompute the column for these projects (None: all of them); how many rows changed."""
    if ids is not None and not ids:
        return 0  # before building any statement: most use cases write no calendar fact
    p = tables.projects
    scope = p.c.id.in_(sorted(ids)) if ids is not None else true()
    current = {
        row.id: row.obligations_due_on
        for row in await session.execute(
            select(p.c.id, p.c.obligations_due_on).where(scope).order_by(p.c.id).with_for_update()
        )
    }
    due = {facts.project_id: earliest_unmet_due(facts) for facts in await obligation_facts(session, scope)}
    changed = [{"pk": pk, "due": due.get(pk)} for pk, stored in current.items() if due.get(pk) != stored]
    if changed:
        await session.execute(
            update(p)
            .where(p.c.id == bindparam("pk"))
            .values(obligations_due_on=bindparam("due"))
            .execution_options(**{_SKIP: True}),
            changed,
        )
    return len(changed)


def touched_projects(session: Session) -> set[int]:
    """The projects whose calendar facts this session wrote since the last call (which clears them)."""
    marked: set[int] = session.info.pop(TOUCHED, set())
    if EVERY_LOADED in marked:
        marked.discard(EVERY_LOADED)
        marked |= {o.id for o in session.identity_map.values() if isinstance(o, Project) and o.id is not None}
    return marked


def note_written(session: Session, project: Project, *, new: bool) -> None:
    """A project written by a statement of its own (store/repositories.py `insert_new`, store/project_writes.py),
    not by the flush: marked as `_after_flush` would have marked it. Call before its history is committed."""
    if _project_facts_changed(project, new):
        _mark(session, project.id)


def _mark(session: Session, project_id: int | None) -> None:
    if project_id is not None:
        session.info.setdefault(TOUCHED, set()).add(project_id)


def _project_facts_changed(project: Project, new: bool) -> bool:
    """Whether the project's own calendar facts moved: the approval date, or whether it is terminated (the
    status matters only so: a terminated project owes nothing; the lead unit, also read, dates nothing)."""
    if new:  # a new project has no other facts: it owes something only once approved
        return project.approval_date is not None or project.status == Status.TERMINATED
    if get_history(project, "approval_date").has_changes():
        return True
    status = get_history(project, "status")
    return status.has_changes() and Status.TERMINATED in (*status.added, *status.deleted)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    """Mark the projects whose facts this flush wrote (new, dirty and deleted still list the flush's objects)."""
    for objects, new in ((session.new, True), (session.dirty, False), (session.deleted, False)):
        for obj in objects:
            if isinstance(obj, Project):
                if _project_facts_changed(obj, new):
                    _mark(session, obj.id)
            elif inspect(obj).mapper.local_table.name in FACT_TABLES:
                _mark(session, obj.project_id)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    """A fact table written by a statement rather than by the flush: which project is not known."""
    if _writes_facts(state.statement) and not state.execution_options.get(_SKIP):
        state.session.info.setdefault(TOUCHED, set()).add(EVERY_LOADED)


def _writes_facts(statement: Any) -> bool:
    if isinstance(statement, TextClause):
        return text_writes_facts(statement.text)
    if not isinstance(statement, ClauseElement) or not getattr(statement, "is_dml", False):
        return False
    name = getattr(getattr(statement, "table", None), "name", None)
    return name in FACT_TABLES or (name == tables.projects.name)


@lru_cache(maxsize=512)  # bounded: text SQL built with values in it would otherwise grow it for good
def text_writes_facts(sql: str) -> bool:
    """Whether text SQL inserts, updates or deletes rows of a fact table or of the projects."""
    names = "|".join(sorted(FACT_TABLES | {tables.projects.name}))
    return re.search(rf"\b(insert\s+into|update|delete\s+from)\s+({names})\b", sql, re.IGNORECASE) is not None
