"""Tamper-evident audit chain; shared rate-limit counters (issue 8).

Every audit record carries `hash` = SHA-256(previous record's hash ‖ canonical content) and `prev_hash`.
The chain is sealed by a BEFORE INSERT trigger, so no writer (use cases, logins, the CLI, future code)
can append an unsealed record. The trigger takes a transaction-scoped advisory lock: chained inserts are
serialized only from the audit insert (the last statement of a unit of work) to COMMIT, and ids are
re-drawn under that lock when needed, so id order is chain order.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AUDIT_CHAIN_LOCK = 7_2026_0008  # pg_advisory_xact_lock key of the audit chain


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("hash", sa.LargeBinary(), nullable=True))
    op.add_column("audit_log", sa.Column("prev_hash", sa.LargeBinary(), nullable=True))
    # Canonical content: a JSON array of the record's fields in a fixed order; the instant in UTC so the
    # text does not depend on the session's TimeZone. jsonb's text form is deterministic.
    op.execute("""
        CREATE FUNCTION audit_log_content(r audit_log) RETURNS text LANGUAGE sql STABLE AS $$
            SELECT jsonb_build_array(
                r.id, to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                r.request_id, r.actor_user_id, r.actor_username, r.actor_organization_id, r.actor_role,
                r.operation, r.target_type, r.target_id, r.before, r.after)::text
        $$;
    """)
    op.execute("""
        CREATE FUNCTION audit_log_digest(prev bytea, r audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$
            SELECT sha256(coalesce(prev, ''::bytea) || convert_to(audit_log_content(r), 'UTF8'))
        $$;
    """)
    # enable_seqscan = off: plpgsql caches the head look-up's plan per connection; planned while the table
    # was small it would be a sequential scan, reused forever — one full scan per audit record.
    op.execute(f"""
        CREATE FUNCTION audit_log_seal() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
        DECLARE
            last_id bigint;
            prev bytea;
        BEGIN
            PERFORM pg_advisory_xact_lock({AUDIT_CHAIN_LOCK});
            SELECT id, hash INTO last_id, prev FROM audit_log ORDER BY id DESC LIMIT 1;
            IF last_id IS NOT NULL AND NEW.id <= last_id THEN
                NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
            END IF;
            NEW.prev_hash := prev;
            NEW.hash := audit_log_digest(prev, NEW);
            RETURN NEW;
        END $$;
    """)  # noqa: S608 — a constant of this module, not input
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
    op.execute("""
        DO $$
        DECLARE
            r audit_log;
            prev bytea;
        BEGIN
            FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
                UPDATE audit_log SET prev_hash = prev, hash = audit_log_digest(prev, r)
                WHERE id = r.id RETURNING hash INTO prev;
            END LOOP;
        END $$;
    """)
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")
    op.alter_column("audit_log", "hash", nullable=False)
    op.execute("""
        CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_seal();
    """)

    # Rate-limit counters: shared by every API process; losing them in a crash only resets the windows.
    op.create_table(
        "rate_limit_windows",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_limit_windows")),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_rate_limit_windows_window_start", "rate_limit_windows", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_windows_window_start", table_name="rate_limit_windows")
    op.drop_table("rate_limit_windows")
    op.execute("DROP TRIGGER IF EXISTS audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_seal()")
    op.execute("DROP FUNCTION IF EXISTS audit_log_digest(bytea, audit_log)")
    op.execute("DROP FUNCTION IF EXISTS audit_log_content(audit_log)")
    op.drop_column("audit_log", "prev_hash")
    op.drop_column("audit_log", "hash")
