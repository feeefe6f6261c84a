"""Issue-7 tables on the shared metadata: the change-feed column, search indexes, webhooks and their outbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from store.tables import NOW, audit_log, metadata, projects

# The writing transaction's id (pg_current_xact_id as bigint), filled by the column default inside that
# transaction: `changes` hands out only rows of transactions older than every running one, so a cursor
# never skips a row whose transaction commits late (store/changes.py).
CURRENT_XACT_ID = text("(pg_current_xact_id()::text)::bigint")
audit_log.append_column(Column("xact_id", BigInteger, nullable=False, server_default=CURRENT_XACT_ID))
Index("ix_audit_log_xact_id_id", audit_log.c.xact_id, audit_log.c.id)

# Trigram indexes (pg_trgm) so `search` matches any substring of code or name, 2-character Chinese
# words included (a 2-character pattern has no full trigram: PostgreSQL then scans the index, still right).
Index(
    "ix_projects_name_trgm", projects.c.name, postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
)
Index(
    "ix_projects_code_trgm", projects.c.code, postgresql_using="gin", postgresql_ops={"code": "gin_trgm_ops"}
)
# Keyset orderings of the project list: (sort key, id).
Index("ix_projects_updated_at_id", projects.c.updated_at, projects.c.id)
Index("ix_projects_total_investment_id", projects.c.total_investment, projects.c.id)
Index("ix_projects_created_at_id", projects.c.created_at, projects.c.id)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    # Deliveries are redacted to what this organization may read.
    Column("organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("url", String(500), nullable=False),
    Column("secret", String(200), nullable=False),  # HMAC key: must be readable to sign, so not hashed
    Column("event_types", JSONB, nullable=False),  # list of operations, e.g. ["project:submit-to-reserve"]
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_by", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# The outbox: one row per change, written by SqlUnitOfWork.commit() in the changing transaction.
webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(60), nullable=False),
    Column("target_type", String(40), nullable=False),
    Column("target_id", BigInteger, nullable=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", JSONB, nullable=True),
    Column("dispatched_at", DateTime(timezone=True), nullable=True),
    Index("ix_webhook_events_undispatched", "id", postgresql_where=text("dispatched_at IS NULL")),
)

# One row per (event, subscription): the delivery's state; retried with exponential backoff.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", BigInteger, ForeignKey("webhook_events.id"), nullable=False),
    Column("subscription_id", BigInteger, ForeignKey("webhook_subscriptions.id"), nullable=False, index=True),
    Column("payload", JSONB, nullable=False),  # already redacted for the subscriber
    Column("status", String(12), nullable=False, server_default="pending"),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("event_id", "subscription_id", name="uq_webhook_deliveries_event_subscription"),
    Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
)

# The delivery log: every attempt, its HTTP status or error, and how long it took.
webhook_delivery_attempts = Table(
    "webhook_delivery_attempts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("delivery_id", BigInteger, ForeignKey("webhook_deliveries.id"), nullable=False, index=True),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("duration_ms", Integer, nullable=False),
)
