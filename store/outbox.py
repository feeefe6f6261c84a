"""The webhook outbox: events written in the changing transaction, so an event exists iff its change does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, String, cast, exists, func, insert, or_, select

from store.sync_tables import webhook_events, webhook_subscriptions
from store.tables import audit_log

WILDCARD = "*"


def audit_with_outbox(records: Sequence[dict[str, Any]]) -> Insert:
    """One statement, one round trip: the audit records, and one outbox row for each record that some active
    subscription wants. Fan-out to subscribers and redaction happen in the worker (api/webhooks_worker.py),
    which may consult the policy."""
    cols = audit_log.c
    audit = (
        insert(audit_log).values(list(records))
        .returning(cols.id, cols.operation, cols.target_type, cols.target_id, cols.occurred_at, cols.after)
        .cte("audit")
    )
    subscription = webhook_subscriptions.c
    wanted = exists().where(subscription.active, or_(subscription.event_types.has_key(audit.c.operation),
                                                      subscription.event_types.has_key(WILDCARD)))
    return insert(webhook_events).from_select(
        ["event_id", "event_type", "target_type", "target_id", "occurred_at", "data"],
        select(cast(func.gen_random_uuid(), String), audit.c.operation, audit.c.target_type, audit.c.target_id,
               audit.c.occurred_at, audit.c.after).where(wanted).order_by(audit.c.id),
    )
