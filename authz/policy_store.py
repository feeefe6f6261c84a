"""The policy in the database: copy policy.csv in once per line, read it, change it, bump its version.

Every change runs inside the caller's transaction (the unit of work), bumps `policy_state.version` and
sends `NOTIFY yk_policy, '<version>'`, which PostgreSQL delivers only at commit — so other processes
never reload a change that was rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from authz.policy_lines import PERMISSION, PolicyLine
from store import tables

CHANNEL = "yk_policy"
r = tables.policy_rules


@dataclass(frozen=True, slots=True)
class StoredRule:
    """A policy line with its database id (what an administrator removes)."""

    id: int
    line: PolicyLine


def _values(line: PolicyLine) -> dict[str, str]:
    padded = (*line.values, "", "", "", "")[:4]
    return {"ptype": line.ptype, "v0": padded[0], "v1": padded[1], "v2": padded[2], "v3": padded[3]}


class _PolicyRow(Protocol):
    """A `policy_rules` row as read (SQLAlchemy's `Row` has the columns as attributes)."""

    ptype: str
    v0: str
    v1: str
    v2: str
    v3: str


def _line(row: _PolicyRow) -> PolicyLine:
    ptype = row.ptype
    values = (row.v0, row.v1, row.v2, row.v3)
    return PolicyLine(ptype=ptype, values=values if ptype == PERMISSION else values[:2])


async def seed_from_file(session: AsyncSession, lines: Sequence[PolicyLine]) -> int:
    """Copy in the file's lines never copied before; returns how many. Bumps the version if any."""
    seeded = set((await session.execute(select(tables.policy_seeded_lines.c.line))).scalars())
    fresh = list({line.text: line for line in lines if line.text not in seeded}.values())
    if not fresh:
        return 0
    await session.execute(
        pg_insert(tables.policy_seeded_lines).on_conflict_do_nothing(),
        [{"line": line.text} for line in fresh],
    )
    await session.execute(
        pg_insert(r).on_conflict_do_nothing(constraint="uq_policy_rules_line"),
        [_values(line) for line in fresh],
    )
    await bump_version(session)
    return len(fresh)


async def load(session: AsyncSession) -> tuple[list[StoredRule], int]:
    """Every stored rule (file order first, then additions) and the version they make up."""
    version = (await session.execute(select(tables.policy_state.c.version))).scalar_one()
    rows = (await session.execute(select(r).order_by(r.c.id))).all()
    return [StoredRule(id=row.id, line=_line(row)) for row in rows], int(version)


async def find(session: AsyncSession, line: PolicyLine) -> int | None:
    """The id of an equal rule (same role, operation and scope), if there is one."""
    v = _values(line)
    return (
        await session.execute(
            select(r.c.id).where(
                r.c.ptype == v["ptype"], r.c.v0 == v["v0"], r.c.v1 == v["v1"], r.c.v2 == v["v2"]
            )
        )
    ).scalar()


async def get(session: AsyncSession, rule_id: int) -> StoredRule | None:
    row = (await session.execute(select(r).where(r.c.id == rule_id).with_for_update())).first()
    return StoredRule(id=row.id, line=_line(row)) if row is not None else None


async def add(session: AsyncSession, line: PolicyLine) -> int:
    rule_id = (await session.execute(insert(r).values(**_values(line)).returning(r.c.id))).scalar_one()
    return int(rule_id)


async def remove(session: AsyncSession, rule_id: int) -> None:
    await session.execute(delete(r).where(r.c.id == rule_id))


async def count_permission(session: AsyncSession, role: str, operation: str) -> int:
    """How many lines give this role (by name, not through groups) this operation."""
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(r)
                .where(r.c.ptype == PERMISSION, r.c.v0 == role, r.c.v1 == operation)
            )
        ).scalar_one()
    )


async def bump_version(session: AsyncSession) -> int:
    """The next version, announced to every listening process when the transaction commits."""
    s = tables.policy_state
    version = int(
        (
            await session.execute(
                update(s).where(s.c.id == 1).values(version=s.c.version + 1).returning(s.c.version)
            )
        ).scalar_one()
    )
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": str(version)}
    )
    return version


# Proposed changes (R3.2): stored lines that are not in force until a second administrator approves them.
c = tables.policy_changes
PROPOSED, APPROVED, REJECTED = "PROPOSED", "APPROVED", "REJECTED"


@dataclass(frozen=True, slots=True)
class StoredChange:
    """A proposed line with who proposed it and, once decided, who decided and how."""

    id: int
    line: PolicyLine
    status: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    comment: str
    rule_id: int | None


def change_from_row(row: Any) -> StoredChange:
    """A `policy_changes` row → StoredChange (also for rows a list query read)."""
    return StoredChange(
        id=row.id,
        line=_line(row),
        status=row.status,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        comment=row.comment,
        rule_id=row.rule_id,
    )


async def propose(
    session: AsyncSession, line: PolicyLine, *, user_id: int | None, username: str, at: datetime
) -> int | None:
    """The new proposal's id; None when the same line is pending already (two proposals raced)."""
    values = {
        **_values(line),
        "status": PROPOSED,
        "proposed_by_user_id": user_id,
        "proposed_by": username,
        "proposed_at": at,
    }
    stmt = (
        pg_insert(c)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[c.c.ptype, c.c.v0, c.c.v1, c.c.v2], index_where=c.c.status == PROPOSED
        )
        .returning(c.c.id)
    )
    change_id = (await session.execute(stmt)).scalar()
    return None if change_id is None else int(change_id)


async def get_change(session: AsyncSession, change_id: int) -> StoredChange | None:
    """The change, locked until the transaction ends (two approvals of one proposal queue, then one fails)."""
    row = (await session.execute(select(c).where(c.c.id == change_id).with_for_update())).first()
    return change_from_row(row) if row is not None else None


async def decide(
    session: AsyncSession,
    change_id: int,
    *,
    status: str,
    user_id: int | None,
    username: str,
    at: datetime,
    comment: str,
    rule_id: int | None,
) -> None:
    await session.execute(
        update(c)
        .where(c.c.id == change_id)
        .values(
            status=status,
            decided_by_user_id=user_id,
            decided_by=username,
            decided_at=at,
            comment=comment,
            rule_id=rule_id,
        )
    )
