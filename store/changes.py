"""The change feed over the audit log, ordered by (writing transaction, id), never skipping a late commit.

A serial id is handed out at insert time but becomes visible at commit: a reader that saw id 11 may
later see id 10 appear, and a cursor on id would skip it. Each audit row records its transaction
(`xact_id`, a column default evaluated by the writer); the feed hands out only rows whose transaction is
older than every transaction still running (`pg_snapshot_xmin`), so everything that sorts before the
cursor has already committed — or rolled back — when the cursor moves past it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, text, tuple_

from store import tables

a = tables.audit_log
SNAPSHOT_XMIN = text("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")


def change_feed(readable: ColumnElement[bool], after: tuple[int, int] | None, limit: int) -> Select[Any]:
    """Audit rows the reader may see, after the (xact_id, id) position, settled transactions only."""
    stmt = select(a).where(readable, a.c.xact_id < SNAPSHOT_XMIN)
    if after is not None:
        stmt = stmt.where(tuple_(a.c.xact_id, a.c.id) > tuple_(literal(after[0]), literal(after[1])))
    return stmt.order_by(a.c.xact_id, a.c.id).limit(limit)
