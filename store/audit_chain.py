"""Verifying the tamper-evident audit chain (sealed by the trigger of migration 0005).

Each record's `hash` is SHA-256(previous record's hash ‖ canonical content); the verifier walks the log in
id order, recomputes each digest in the database (`audit_log_digest`, the very function that sealed it)
and checks each link, in batches so a progress bar can follow a log of millions of records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

BATCH = 10_000

_PAGE = text("""
    SELECT id, hash, prev_hash, audit_log_digest(prev_hash, a) AS expected
    FROM audit_log a WHERE id > :after ORDER BY id LIMIT :limit
""")


@dataclass(frozen=True)
class Break:
    """The first record where the chain does not hold, and why."""

    record_id: int
    # "content": the record differs from what was sealed; "link": a record before it changed or vanished
    reason: str

    def describe(self) -> str:
        if self.reason == "content":
            return f"audit record {self.record_id} was altered after it was written (its hash does not match)"
        return (
            f"audit record {self.record_id} does not follow the record before it "
            "(a previous record was altered, removed or inserted)"
        )


@dataclass(frozen=True)
class Verdict:
    checked: int
    head: bytes | None  # the last hash: keep it elsewhere to anchor the chain
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


async def count_records(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return int((await session.execute(text("SELECT count(*) FROM audit_log"))).scalar_one())


async def verify(
    factory: async_sessionmaker[AsyncSession],
    *,
    progress: Callable[[int], None] = lambda n: None,
    batch: int = BATCH,
) -> Verdict:
    """Walk the whole chain; stop at the first broken record."""
    after, previous, checked = 0, None, 0
    async with factory() as session:
        while True:
            rows = (await session.execute(_PAGE, {"after": after, "limit": batch})).all()
            if not rows:
                return Verdict(checked, previous, None)
            for row in rows:
                if row.expected != row.hash:
                    return Verdict(checked, previous, Break(row.id, "content"))
                if row.prev_hash != previous:
                    return Verdict(checked, previous, Break(row.id, "link"))
                previous, checked = row.hash, checked + 1
            after = rows[-1].id
            progress(len(rows))
