"""Live updates over WebSocket (graphql-transport-ws): the changes feed and the viewer's notices.

Each subscription reads through the same scoped statements as the `changes` and `notifications` queries,
woken by `api.live.ChangeSignal` (PostgreSQL NOTIFY, so a change written by any API process arrives) and
looking again every `YK_LIVE_POLL_SECONDS` in case a notice was lost. The credential is checked again at
every wake-up: a session ended or a user disabled ends the subscription with UNAUTHENTICATED.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, func, select
from strawberry.types import Info

from api.context import Context
from api.graphql.common import pk_of, to_global_id
from api.graphql.obligations.resolvers import Notification
from api.graphql.pagination import encode_cursor
from api.graphql.readable import load_readable_project
from api.graphql.sync.feed import Change, _position, readable_changes
from api.live import ChangeSignal
from authz.operations import Operation
from store import tables
from store.changes import SNAPSHOT_XMIN, change_feed
from store.supervision_tables import notifications

Ctx = Info[Context, None]
a = tables.audit_log
BATCH = 100
# A notice row's created_at is its transaction's start; one committing later than this after it started
# would be missed. Requests are cut at 30 s and statements at 15 s, so a minute is a safe margin.
LATE_COMMIT_MARGIN = timedelta(seconds=60)


def _signal(ctx: Context) -> ChangeSignal:
    assert ctx.live is not None, "create_app gives every context the process's ChangeSignal"
    return ctx.live


async def _next_wake(ctx: Context, event: asyncio.Event) -> None:
    """Until the next committed change anywhere, or the poll interval; then the credential must still hold."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=ctx.settings.live_poll_seconds)
    await ctx.reauthenticate()
    ctx.renew_loaders()  # a long-lived subscription must not serve objects cached at an earlier change


async def _head(ctx: Context) -> tuple[int, int] | None:
    """The position of the newest settled change: a subscription without `after` starts from now."""
    stmt = (
        select(a.c.xact_id, a.c.id)
        .where(a.c.xact_id < SNAPSHOT_XMIN)
        .order_by(a.c.xact_id.desc(), a.c.id.desc())
        .limit(1)
    )
    async with ctx.read_session_factory() as session:
        row = (await session.execute(stmt)).first()
    return (int(row.xact_id), int(row.id)) if row is not None else None


def _change(row: Any) -> Change:
    return Change(
        cursor=encode_cursor([row.xact_id, row.id]),
        occurred_at=row.occurred_at,
        operation=row.operation,
        target_type=row.target_type,
        target_id=to_global_id(row.target_type, row.target_id) if row.target_id is not None else None,
        target=(row.target_type, row.target_id),
    )


@strawberry.type(description="订阅 — live updates over WebSocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description="实时变更：与 `changes` 查询相同的可见范围和游标，连接后推送此后提交的每一项变更 — "
        "every change the viewer may read as it commits, with the same scope and cursors as the `changes` "
        "query; resumes after `after` when given, otherwise starts now."
    )
    async def changes(
        self,
        info: Ctx,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="从此游标之后继续（`changes` 或本订阅给出的 cursor）；不填从现在开始 — resume "
                "after this cursor (from `changes` or this subscription); omit to start now."
            ),
        ] = None,
        project_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="只看一个项目的变更；须有权查看该项目 — only this project's changes; the "
                "viewer must be able to read it."
            ),
        ] = None,
    ) -> AsyncGenerator[Change, None]:
        ctx = info.context
        actor = ctx.require_actor()
        where = readable_changes(ctx.authorizer, actor)
        if project_id is not None:
            project = await load_readable_project(ctx, pk=pk_of(project_id, "Project", ctx.lang))
            where = and_(where, a.c.target_type == "Project", a.c.target_id == project.id)
        position = _position(after, ctx.lang) if after is not None else await _head(ctx)
        while True:
            woken = _signal(ctx).current()
            async with ctx.read_session_factory() as session:
                rows = (await session.execute(change_feed(where, position, BATCH))).all()
            for row in rows:
                position = (int(row.xact_id), int(row.id))
                yield _change(row)
            if len(rows) < BATCH:
                await _next_wake(ctx, woken)

    @strawberry.subscription(
        description="本单位的新通知，送达即推送 — each new notice to the viewer's organization as it is sent."
    )
    async def notification_received(self, info: Ctx) -> AsyncGenerator[Notification, None]:
        ctx = info.context
        actor = ctx.require(Operation.NOTIFICATION_READ)
        n = notifications
        mine = n.c.organization_id == actor.organization_id
        async with ctx.read_session_factory() as session:
            since: datetime = (await session.execute(select(func.now()))).scalar_one() - LATE_COMMIT_MARGIN
            already = (
                await session.execute(select(n.c.id, n.c.created_at).where(mine, n.c.created_at >= since))
            ).all()
        delivered: dict[int, datetime] = {row.id: row.created_at for row in already}  # sent before we came
        while True:
            woken = _signal(ctx).current()
            stmt = select(n).where(mine, n.c.created_at >= since).order_by(n.c.id)
            async with ctx.read_session_factory() as session:
                rows = [r for r in (await session.execute(stmt)).all() if r.id not in delivered]
            for row in rows:
                delivered[row.id] = row.created_at
                yield Notification.from_row(row, ctx.lang)
            if delivered:
                since = max(since, max(delivered.values()) - LATE_COMMIT_MARGIN)
                delivered = {i: at for i, at in delivered.items() if at >= since}
            await _next_wake(ctx, woken)
