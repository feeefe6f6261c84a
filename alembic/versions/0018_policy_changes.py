"""Proposed policy changes (issue 13.4b, R3.2): a widening waits here for a second administrator.

A stored policy may hold lines an administrator added before R3.1 (admin reading every project, admin in a
group): they are removed, as authz.enforcer ignores them anyway, so `policyRules` shows what is in force.
The set is the one authz/admin_powers.py names today, spelled out because a migration must not change
with the code.

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

ADMIN_OPERATIONS = (
    "organization:read",
    "organization:create",
    "user:create",
    "api-token:create",
    "api-token:read",
    "api-token:revoke",
    "webhook-subscription:read",
    "policy:read",
    "policy:write",
    "policy-change:read",
    "policy-change:decide",
)


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
    # Processes reload when the version moves, so it moves only if a line went (as in 0011).
    stale = sa.text(
        "WITH gone AS (DELETE FROM policy_rules WHERE v0 = 'admin' "
        "AND (ptype = 'g' OR (ptype = 'p' AND v1 NOT IN :allowed)) RETURNING id) "
        "UPDATE policy_state SET version = version + 1 WHERE EXISTS (SELECT 1 FROM gone)"
    ).bindparams(sa.bindparam("allowed", expanding=True))
    op.get_bind().execute(stale, {"allowed": list(ADMIN_OPERATIONS)})


def downgrade() -> None:
    op.drop_index("uq_policy_changes_pending_line", table_name="policy_changes")
    op.drop_table("policy_changes")
