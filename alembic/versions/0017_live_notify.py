"""Wake live subscriptions: NOTIFY yk_changes when a transaction adds audit records or notices (issue 14).

One notice per writing statement, carrying nothing (PostgreSQL folds equal notices of one transaction into
one and delivers it at commit, never for a rollback): subscribers read what they may see through the same
scoped queries as `changes` and `notifications` (api/graphql/live/subscriptions.py).

Revision ID: 0017
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("audit_log", "notifications")


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION yk_notify_live() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('yk_changes', '');
            RETURN NULL;
        END $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify_live AFTER INSERT ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION yk_notify_live()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_notify_live ON {table}")
    op.execute("DROP FUNCTION yk_notify_live()")
