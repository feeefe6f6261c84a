"""The webhook outbox: events written in the changing transaction, so an event exists iff its change does."""

from __future__ import annotations

from sqlalchemy import Insert, String, bindparam, cast, exists, func, insert, or_, select

from store.sync_tables import webhook_events, webhook_subscriptions
from store.tables import audit_log

WILDCARD = "*"


def _audit_with_outbox() -> Insert:
    """One statement, one round trip, built once (so SQLAlchemy compiles it once): an audit record, and an
    outbox row when some active subscription wants its operation. Fan-out to subscribers and redaction happen
    in the worker (api/workers/webhooks.py), which may consult the policy. Parameters: the audit columns."""
    cols = audit_log.c
    record = {name: bindparam(name, type_=cols[name].type) for name in AUDIT_COLUMNS}
    audit = (
        insert(audit_log)
        .values(record)
        .returning(cols.id, cols.operation, cols.target_type, cols.target_id, cols.occurred_at, cols.after)
        .cte("audit")
    )
    subscription = webhook_subscriptions.c
    wanted = exists().where(
        subscription.active,
        or_(subscription.event_types.has_key(audit.c.operation), subscription.event_types.has_key(WILDCARD)),
    )
    return insert(webhook_events).from_select(
        ["event_id", "event_type", "target_type", "target_id", "occurred_at", "data"],
        select(
            cast(func.gen_random_uuid(), String),
            audit.c.operation,
            audit.c.target_type,
            audit.c.target_id,
            audit.c.occurred_at,
            audit.c.after,
        ).where(wanted),
    )


AUDIT_COLUMNS = (
    "occurred_at",
    "request_id",
    "actor_user_id",
    "actor_username",
    "actor_organization_id",
    "actor_role",
    "operation",
    "target_type",
    "target_id",
    "before",
    "after",
)
AUDIT_WITH_OUTBOX = _audit_with_outbox()
