"""Authorization policies in the database (issue 6).

The tables start empty: the API copies the lines of authz/policy.csv in at start-up, each line once, so
lines that later issues add to the file reach existing databases and a line an administrator removed
stays removed — and this migration does not depend on a file that keeps changing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_rules",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ptype", sa.String(length=2), nullable=False),
        sa.Column("v0", sa.String(length=60), nullable=False),
        sa.Column("v1", sa.String(length=80), nullable=False),
        sa.Column("v2", sa.String(length=40), server_default="", nullable=False),
        sa.Column("v3", sa.String(length=40), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_rules")),
        sa.UniqueConstraint("ptype", "v0", "v1", "v2", name="uq_policy_rules_line"),
    )
    op.create_table(
        "policy_seeded_lines",
        sa.Column("line", sa.String(length=300), nullable=False),
        sa.Column("seeded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("line", name=op.f("pk_policy_seeded_lines")),
    )
    op.create_table(
        "policy_state",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_policy_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_state")),
    )
    op.execute("INSERT INTO policy_state (id, version) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("policy_state")
    op.drop_table("policy_seeded_lines")
    op.drop_table("policy_rules")
