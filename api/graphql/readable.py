"""A project the actor may read, for every feature: core, so no feature imports another to find one."""

from __future__ import annotations

from sqlalchemy import select

from api.context import Context
from api.errors import not_found
from domain.projects import Project as DomainProject
from store import tables


async def load_readable_project(
    ctx: Context, pk: int | None = None, code: str | None = None
) -> DomainProject:
    """A project the actor may read; anything else is NOT_FOUND, so existence does not leak."""
    actor = ctx.require_actor()
    stmt = select(DomainProject).where(
        tables.projects.c.id == pk if pk is not None else tables.projects.c.code == code
    )
    async with ctx.read_session_factory() as session:
        project = (await session.execute(stmt)).scalar_one_or_none()
    if project is None or not ctx.authorizer.can_read(actor, project):
        raise not_found(ctx.lang)
    return project
