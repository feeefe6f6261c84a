"""Pinyin sort key of project names (issue 15.4): `orderBy: NAME` in the order Chinese users expect.

The app writes the key on create and rename (store/sort_keys.py); this migration backfills the projects
that exist, with the key formula spelled out here because a migration must not change with the code.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from pypinyin import lazy_pinyin

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

BATCH = 1000


def _key(name: str) -> str:
    reading = " ".join(part.strip() for part in lazy_pinyin(name) if part.strip()).lower()
    return f"{reading}\t{name}"


def upgrade() -> None:
    op.add_column(
        "projects",
        sa.Column("name_sort_key", sa.Text(collation="C"), nullable=False, server_default=""),
    )
    bind = op.get_bind()
    projects = sa.table("projects", sa.column("id", sa.BigInteger), sa.column("name", sa.String))
    keyed = sa.table("projects", sa.column("id", sa.BigInteger), sa.column("name_sort_key", sa.Text))
    rows = bind.execute(sa.select(projects.c.id, projects.c.name)).all()
    update = (
        sa.update(keyed).where(keyed.c.id == sa.bindparam("pk")).values(name_sort_key=sa.bindparam("key"))
    )
    for start in range(0, len(rows), BATCH):
        bind.execute(update, [{"pk": r.id, "key": _key(r.name)} for r in rows[start : start + BATCH]])
    op.create_index("ix_projects_name_sort_key_id", "projects", ["name_sort_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_projects_name_sort_key_id", table_name="projects")
    op.drop_column("projects", "name_sort_key")
