"""Seal the unit of work's audit records at COMMIT, not at their insert (issue 17, lifecycle throughput).

The chain's seal (0005 `audit_log_seal`) takes the chain's advisory lock and holds it to the end of the
transaction. Inserted by the API as the last statement of a unit of work, a record held the lock across
the API's round trip to COMMIT — measured 71 % of the lock's time `idle in transaction`, waiting for a busy
API process. Now the unit of work stages its records in `audit_pending`, and a deferred constraint trigger
moves each one into `audit_log` inside COMMIT (deferred triggers run before the commit record is written,
in the order their rows were inserted): the seal still runs in the record's own transaction, ids are still
drawn under the lock (id order = chain order = the changes feed's order), nothing unsealed is ever visible,
and the lock is held only while PostgreSQL commits. The webhook outbox row (issue 7) is written there too,
when an active subscription wants the operation or every one ('*'): the one definition of that rule.

The staging table is UNLOGGED (no WAL; a crash empties it, and only uncommitted rows are ever in it: the
trigger deletes each row in its own transaction). Other writers of `audit_log` (tests, bench/scale.py) may
still insert directly: the seal trigger stays on `audit_log`.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

COLUMNS = (
    "occurred_at, request_id, actor_user_id, actor_username, actor_organization_id, actor_role, operation, "
    "target_type, target_id, before, after"
)
NEW_COLUMNS = ", ".join("NEW." + c.strip() for c in COLUMNS.split(","))


def upgrade() -> None:
    op.create_table(
        "audit_pending",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_username", sa.String(length=100), nullable=False),
        sa.Column("actor_organization_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("operation", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_pending")),
        prefixes=["UNLOGGED"],
    )
    # enable_seqscan = off, as in audit_log_seal: plpgsql caches the delete's plan per connection, and a
    # sequential scan planned while the table was empty would read every dead row a long transaction (a
    # backup) keeps from vacuum, once per record. The subscriptions' look-up reads a handful of rows either way.
    op.execute(f"""
        CREATE FUNCTION audit_pending_seal() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
        BEGIN
            INSERT INTO audit_log ({COLUMNS}) VALUES ({NEW_COLUMNS});
            IF EXISTS (
                SELECT FROM webhook_subscriptions s
                WHERE s.active AND (s.event_types ? NEW.operation OR s.event_types ? '*')
            ) THEN
                INSERT INTO webhook_events (event_id, event_type, target_type, target_id, occurred_at, data)
                VALUES (gen_random_uuid()::text, NEW.operation, NEW.target_type, NEW.target_id,
                        NEW.occurred_at, NEW.after);
            END IF;
            DELETE FROM audit_pending WHERE id = NEW.id;
            RETURN NULL;
        END $$;
    """)  # noqa: S608 — constants of this module, not input
    op.execute("""
        CREATE CONSTRAINT TRIGGER audit_pending_seal_at_commit AFTER INSERT ON audit_pending
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_pending_seal();
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_pending_seal_at_commit ON audit_pending")
    op.execute("DROP FUNCTION IF EXISTS audit_pending_seal()")
    op.drop_table("audit_pending")
