"""Supervision, sanctions, obligations calendar, notifications (issue 5).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column(
        "projects", sa.Column("plan_deferred", sa.Boolean, nullable=False, server_default=sa.text("false"))
    )
    op.add_column("projects", sa.Column("suspended_from", sa.String(30), nullable=True))
    op.create_table(
        "inspections",
        _id(),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("agency_organization_id", sa.BigInteger, sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("agency_role", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("findings", sa.Text, nullable=True),
        sa.Column("rectification_deadline", sa.Date, nullable=True),
        _ts("opened_at"),
        sa.Column("opened_by_user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=True),
        _ts("concluded_at", True),
    )
    op.create_index("ix_inspections_project_id", "inspections", ["project_id"])
    op.create_table(
        "rectification_reports",
        _id(),
        sa.Column("inspection_id", sa.BigInteger, sa.ForeignKey("inspections.id"), nullable=False),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _ts("submitted_at"),
        sa.Column("submitted_by_user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("review_reasons", sa.Text, nullable=True),
        _ts("reviewed_at", True),
    )
    op.create_index("ix_rectification_reports_inspection_id", "rectification_reports", ["inspection_id"])
    op.create_index("ix_rectification_reports_project_id", "rectification_reports", ["project_id"])
    op.create_table(
        "info_requests",
        _id(),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column(
            "requester_organization_id", sa.BigInteger, sa.ForeignKey("organizations.id"), nullable=False
        ),
        sa.Column("requester_role", sa.String(20), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        _ts("asked_at"),
        sa.Column("answer", sa.Text, nullable=True),
        _ts("answered_at", True),
    )
    op.create_index("ix_info_requests_project_id", "info_requests", ["project_id"])
    op.create_table(
        "notifications",
        _id(),
        sa.Column("organization_id", sa.BigInteger, sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("obligation_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("rule", sa.String(10), nullable=False),
        sa.Column("opens_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        _ts("read_at", True),
        sa.UniqueConstraint("organization_id", "obligation_key", "kind", name="uq_notifications_once"),
    )
    op.create_index("ix_notifications_organization_id_id", "notifications", ["organization_id", "id"])


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("info_requests")
    op.drop_table("rectification_reports")
    op.drop_table("inspections")
    op.drop_column("projects", "suspended_from")
    op.drop_column("projects", "plan_deferred")
