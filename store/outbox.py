"""The webhook outbox: events written in the changing transaction, so an event exists iff its change does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.sync_tables import webhook_events, webhook_subscriptions

WILDCARD = "*"


async def write_outbox(session: AsyncSession, records: Sequence[dict[str, Any]]) -> None:
    """One outbox row per audit record that some active subscription wants; fan-out to subscribers and
    redaction happen in the worker (api/webhooks_worker.py), which may consult the policy."""
    wanted: set[str] = set()
    for (types,) in (await session.execute(
            select(webhook_subscriptions.c.event_types).where(webhook_subscriptions.c.active))).all():
        wanted.update(types)
    rows = [
        {"event_id": str(uuid.uuid4()), "event_type": r["operation"], "target_type": r["target_type"],
         "target_id": r["target_id"], "occurred_at": r["occurred_at"], "data": r.get("after")}
        for r in records if WILDCARD in wanted or r["operation"] in wanted
    ]
    if rows:
        await session.execute(insert(webhook_events), rows)
