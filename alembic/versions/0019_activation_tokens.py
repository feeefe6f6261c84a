"""One-time activation tokens (issue 13.4a): the administrator no longer sets anyone's password.

A user created over the API, or whose password an administrator reset, has no password (NULL) until the
person sets one with the token they were handed; only the token's SHA-256 is stored.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("users", "password_hash", existing_type=sa.String(length=200), nullable=True)
    op.create_table(
        "activation_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=160), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_activation_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_activation_tokens_token_hash")),
    )
    op.create_index(op.f("ix_activation_tokens_user_id"), "activation_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_activation_tokens_user_id"), table_name="activation_tokens")
    op.drop_table("activation_tokens")
    # A user still waiting for activation cannot sign in either way: give them an unusable hash.
    op.execute("UPDATE users SET password_hash = '!' WHERE password_hash IS NULL")
    op.alter_column("users", "password_hash", existing_type=sa.String(length=200), nullable=False)
