"""Project code numbers from a list of numbers, taken with SKIP LOCKED (issue 8).

The per-year counter row was locked by each submission until it committed, so concurrent submissions
queued on it (measured: three in four busy backends under the lifecycle benchmark). Now each year has rows
of numbers; a submission takes the lowest one no other open transaction holds. A number stays taken when its
submission commits and is free again when it rolls back, so codes have no gaps and no submission waits for
another's commit. Rows of taken numbers keep the project that took them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_code_numbers",
        sa.Column("year", sa.SmallInteger, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column(
            "project_id",
            sa.BigInteger,
            sa.ForeignKey("projects.id", name="fk_project_code_numbers_project_id"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("year", "sequence", name="pk_project_code_numbers"),
    )
    op.create_index(
        "ix_project_code_numbers_free",
        "project_code_numbers",
        ["year", "sequence"],
        postgresql_where=sa.text("project_id IS NULL"),
    )
    # Numbers already given: the codes on the projects (YK-<year>-<sequence>).
    op.execute("""
        INSERT INTO project_code_numbers (year, sequence, project_id)
        SELECT year, split_part(code, '-', 3)::int, id FROM projects WHERE code IS NOT NULL
    """)
    op.drop_table("project_code_counters")


def downgrade() -> None:
    op.create_table(
        "project_code_counters",
        sa.Column("year", sa.SmallInteger, nullable=False),
        sa.Column("last_sequence", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_project_code_counters"),
    )
    op.execute("""
        INSERT INTO project_code_counters (year, last_sequence)
        SELECT year, max(sequence) FROM project_code_numbers WHERE project_id IS NOT NULL GROUP BY year
    """)
    op.drop_index("ix_project_code_numbers_free", table_name="project_code_numbers")
    op.drop_table("project_code_numbers")
