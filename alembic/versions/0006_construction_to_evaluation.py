"""Procurement, change control, progress, acceptance, filing, funds, evaluation (issue 4).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True)


def _project(table: str) -> sa.Column:
    return sa.Column(
        "project_id",
        sa.BigInteger,
        sa.ForeignKey("projects.id", name=f"fk_{table}_project_id_projects"),
        nullable=False,
    )


def _user(table: str, name: str = "recorded_by_user_id") -> sa.Column:
    return sa.Column(
        name, sa.BigInteger, sa.ForeignKey("users.id", name=f"fk_{table}_{name}_users"), nullable=True
    )


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str) -> None:
    op.create_index(f"ix_{table}_project_id", table, ["project_id"])


def upgrade() -> None:
    op.add_column(
        "projects", sa.Column("classified", sa.Boolean, nullable=False, server_default=sa.text("false"))
    )
    op.add_column("projects", sa.Column("operation_started_on", sa.Date, nullable=True))
    op.create_table(
        "contracts",
        _id(),
        _project("contracts"),
        sa.Column("legal_person", sa.String(200), nullable=False),
        sa.Column("regime", sa.String(30), nullable=False),
        sa.Column("method", sa.String(30), nullable=False),
        sa.Column("procurement_reference", sa.String(100), nullable=False),
        sa.Column("winning_bidder", sa.String(200), nullable=False),
        sa.Column("supervision_firm", sa.String(200), nullable=False),
        sa.Column("contract_number", sa.String(100), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("operation_maintenance", sa.Boolean, nullable=False),
        _ts("recorded_at"),
        _user("contracts"),
        sa.CheckConstraint("amount > 0", name="ck_contracts_positive_amount"),
    )
    _index("contracts")
    op.create_table(
        "change_requests",
        _id(),
        _project("change_requests"),
        sa.Column("aspects", postgresql.ARRAY(sa.String(20)), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("reason_detail", sa.Text, nullable=False, server_default=""),
        sa.Column("same_objectives", sa.Boolean, nullable=False),
        sa.Column("previous_total_investment", sa.Numeric(14, 2), nullable=False),
        sa.Column("new_total_investment", sa.Numeric(14, 2), nullable=False),
        sa.Column("adjusted_funds", sa.Numeric(14, 2), nullable=False),
        sa.Column("route", sa.String(10), nullable=False),
        sa.Column("rule", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        _ts("submitted_at"),
        _user("change_requests", "submitted_by_user_id"),
        _ts("decided_at", True),
        sa.Column("decision_opinion", sa.Text, nullable=True),
    )
    _index("change_requests")
    op.create_table(
        "approved_figure_versions",
        _id(),
        _project("approved_figure_versions"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("approved_investment", sa.Numeric(14, 2), nullable=False),
        sa.Column(
            "change_request_id",
            sa.BigInteger,
            sa.ForeignKey(
                "change_requests.id", name="fk_approved_figure_versions_change_request_id_change_requests"
            ),
            nullable=True,
        ),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        _ts("recorded_at"),
        sa.UniqueConstraint("project_id", "version", name="uq_approved_figure_versions_project_version"),
    )
    _index("approved_figure_versions")
    op.create_table(
        "progress_reports",
        _id(),
        _project("progress_reports"),
        sa.Column("period_number", sa.Integer, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("physical_progress", sa.Numeric(5, 2), nullable=False),
        sa.Column("funds_spent", sa.Numeric(14, 2), nullable=False),
        sa.Column("milestones", sa.Text, nullable=False, server_default=""),
        sa.Column("problems", sa.Text, nullable=False, server_default=""),
        _ts("submitted_at"),
        _user("progress_reports", "submitted_by_user_id"),
        sa.UniqueConstraint("project_id", "period_number", name="uq_progress_reports_project_period"),
    )
    _index("progress_reports")
    op.create_table(
        "acceptance_events",
        _id(),
        _project("acceptance_events"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.Column("reports", postgresql.ARRAY(sa.String(40)), nullable=False, server_default="{}"),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        _ts("recorded_at"),
        _user("acceptance_events"),
    )
    _index("acceptance_events")
    op.create_table(
        "disbursements",
        _id(),
        _project("disbursements"),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        _ts("recorded_at"),
        _user("disbursements"),
        sa.CheckConstraint("amount > 0", name="ck_disbursements_positive_amount"),
    )
    _index("disbursements")
    op.create_table(
        "resource_allocations",
        _id(),
        _project("resource_allocations"),
        sa.Column("resources", sa.Text, nullable=False),
        _ts("recorded_at"),
        _user("resource_allocations"),
    )
    _index("resource_allocations")
    op.create_table(
        "self_evaluations",
        _id(),
        _project("self_evaluations"),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("delivered_to", postgresql.ARRAY(sa.String(20)), nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        _ts("recorded_at"),
        _user("self_evaluations"),
    )
    _index("self_evaluations")


def downgrade() -> None:
    for table in (
        "self_evaluations",
        "resource_allocations",
        "disbursements",
        "acceptance_events",
        "progress_reports",
        "approved_figure_versions",
        "change_requests",
        "contracts",
    ):
        op.drop_table(table)
    op.drop_column("projects", "operation_started_on")
    op.drop_column("projects", "classified")
