"""Each project's earliest unmet obligation due date (issue 15.4): `hasOverdueObligations` as SQL.

The column is filled by the app: the unit of work refreshes it in every use case's transaction, and
`store.migrate.upgrade` recomputes it for every project after migrating to head (the obligations calendar is
domain code, which a migration must not copy).

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("obligations_due_on", sa.Date(), nullable=True))
    op.create_index("ix_projects_obligations_due_on", "projects", ["obligations_due_on"])


def downgrade() -> None:
    op.drop_index("ix_projects_obligations_due_on", table_name="projects")
    op.drop_column("projects", "obligations_due_on")
