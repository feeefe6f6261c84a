"""`projects.obligations_due_on` (issue 15.4): the earliest due date of an obligation the project has not
met, so `projects(filter: {hasOverdueObligations: true})` is one SQL condition (`< today`) that paginates.

The calendar stays derived (domain/obligations.py); this column is the one fact of it the list needs. The
unit of work refreshes it for every project a use case loaded, in the use case's transaction, after
locking the project rows (so two transactions on one project cannot store a stale date), and
`store.migrate.upgrade` refreshes every project after migrating.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import bindparam, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.obligations import earliest_unmet_due
from store import tables
from store.supervision_repositories import obligation_facts


async def refresh_obligation_dates(session: AsyncSession, ids: Collection[int] | None = None) -> int:
    """Recompute the column for these projects (None: all of them); how many rows changed."""
    p = tables.projects
    scope = p.c.id.in_(sorted(ids)) if ids is not None else true()
    if ids is not None and not ids:
        return 0
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
            update(p).where(p.c.id == bindparam("pk")).values(obligations_due_on=bindparam("due")),
            changed,
        )
    return len(changed)
