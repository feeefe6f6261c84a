"""The runtime role gets only what the code does on each table (issue 13.12).

Until now it held SELECT, INSERT, UPDATE and DELETE on every table but the audit log. Here every role other
than a table's owner loses DELETE where nothing deletes and UPDATE where rows are only appended. The sets are
spelled out (a migration must not change with the code); store/roles.py TABLE_GRANTS says the same, and
alembic/env.py re-grants from it after every upgrade, so both agree on a database with a runtime role.
Tables a migration adds later get SELECT, INSERT, UPDATE by default (no DELETE) until listed.

Revision ID: 0025
Revises: 0021
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0025"
down_revision = "0021"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "security_events",
    "file_blobs",
    "attachments",
    "contracts",
    "approved_figure_versions",
    "progress_reports",
    "acceptance_events",
    "disbursements",
    "resource_allocations",
    "self_evaluations",
    "webhook_delivery_attempts",
    "policy_seeded_lines",
    "seed_marks",
    "organizations",
)
NEVER_DELETED = (
    "users",
    "api_tokens",
    "activation_tokens",
    "projects",
    "project_code_numbers",
    "reserve_reviews",
    "approval_documents",
    "plan_calls",
    "plan_entries",
    "annual_plans",
    "mid_year_requests",
    "change_requests",
    "post_evaluations",
    "inspections",
    "rectification_reports",
    "info_requests",
    "notifications",
    "webhook_subscriptions",
    "webhook_events",
    "webhook_deliveries",
    "policy_state",
    "policy_changes",
)
# Who holds a privilege on a public table besides its owner (the runtime role; PUBLIC never does here).
_GRANTEES = sa.text(
    """SELECT DISTINCT c.relname AS table_name, a.grantee::regrole::text AS grantee
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
            aclexplode(c.relacl) a
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.grantee <> c.relowner
         AND a.grantee <> 0 AND c.relname = ANY(:tables)"""
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _revoke(privileges: str, tables: tuple[str, ...]) -> None:
    bind = op.get_bind()
    for row in bind.execute(_GRANTEES, {"tables": list(tables)}):
        # regrole::text quotes a name that needs it already
        bind.exec_driver_sql(f"REVOKE {privileges} ON TABLE {_quoted(row.table_name)} FROM {row.grantee}")


def upgrade() -> None:
    _revoke("UPDATE, DELETE", APPEND_ONLY)
    _revoke("DELETE", NEVER_DELETED)


def downgrade() -> None:
    bind = op.get_bind()
    for row in bind.execute(_GRANTEES, {"tables": [*APPEND_ONLY, *NEVER_DELETED]}):
        bind.exec_driver_sql(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {_quoted(row.table_name)} TO {row.grantee}"
        )
