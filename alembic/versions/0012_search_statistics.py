"""Finer statistics on projects.name and projects.code, so the text search keeps its trigram plan (issue 17).

The planner estimates `name ILIKE '%项目777%'` from the column's histogram: the share of its ~100 entries
that match. A rare word matches none (the estimate is the 0.01 % floor: trigram bitmap, then a sort — ~1 ms
at 100,000 projects) or, when ANALYZE's random sample happened to put a matching name into the histogram, one
(1 %, a hundred times the truth). Then walking the primary key backwards and filtering looks cheaper: it
expected 21 matches within ~2,100 rows and filtered 22,201 (measured 230–290 ms, and in 4 of 40 ANALYZE runs
of a 100,000-project database). With 1,000 entries (ANALYZE then samples 300,000 rows) the estimate for that
word was 110 for 111 true matches and the trigram plan held in 40 of 40 runs, while a common word still walks
the key and stops after 21 rows. Cost: planning a search compares the word with 1,000 entries per column
(~1 ms more on the loaded benchmark machine).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TARGET = 1000


def upgrade() -> None:
    op.execute(
        f"ALTER TABLE projects ALTER COLUMN name SET STATISTICS {TARGET}, "
        f"ALTER COLUMN code SET STATISTICS {TARGET}"
    )
    # The new target counts from the next ANALYZE; take it now rather than waiting for autovacuum.
    op.execute("ANALYZE projects")


def downgrade() -> None:
    op.execute(
        "ALTER TABLE projects ALTER COLUMN name SET STATISTICS -1, ALTER COLUMN code SET STATISTICS -1"
    )
