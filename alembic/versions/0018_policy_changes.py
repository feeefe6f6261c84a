"""Proposed policy changes (issue 13.4b, R3.2): a widening waits here for a second administrator.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ptype", sa.String(length=2), nullable=False),
        sa.Column("v0", sa.String(length=60), nullable=False),
        sa.Column("v1", sa.String(length=80), nullable=False),
        sa.Column("v2", sa.String(length=40), server_default="", nullable=False),
        sa.Column("v3", sa.String(length=40), server_default="", nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("proposed_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("rule_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('PROPOSED','APPROVED','REJECTED')", name=op.f("ck_policy_changes_status")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"], ["users.id"], name=op.f("fk_policy_changes_proposed_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_policy_changes_decided_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_changes")),
    )
    # One pending proposal per line: a second identical proposal is refused, not queued.
    op.create_index(
        "uq_policy_changes_pending_line",
        "policy_changes",
        ["ptype", "v0", "v1", "v2"],
        unique=True,
        postgresql_where=sa.text("status = 'PROPOSED'"),
    )


def downgrade() -> None:
    op.drop_index("uq_policy_changes_pending_line", table_name="policy_changes")
    op.drop_table("policy_changes")
