"""Issue 17: a unit of work's audit records are sealed inside its COMMIT (migration 0026), so the audit chain's
lock is never held while the API process is between its last statement and COMMIT — and the chain still
guarantees what it did: sealed in the record's own transaction, id order = chain order, nothing unsealed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from domain.actors import Actor, OrgType
from store import audit_chain
from store.sync_tables import webhook_subscriptions
from store.uow import SqlUnitOfWork
from tests.api.projects_helpers import CREATE, draft_input
from tests.utils import connect_database, make_agencies, make_org

AUDIT_CHAIN_LOCK = 7_2026_0008  # the key audit_log_seal() takes (alembic/versions/0005_audit_chain.py)
ACTOR = Actor(user_id=None, organization_id=0, role="unit", username="edu.chen")
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)

COUNTS = text(
    "SELECT (SELECT count(*) FROM audit_log) AS sealed, (SELECT count(*) FROM audit_pending) AS pending, "
    "(SELECT count(*) FROM webhook_events) AS events"
)

# What the session's own transaction has written: audit records staged, and records already in the log.
WRITTEN_HERE = text(
    "SELECT (SELECT count(*) FROM audit_pending), (SELECT count(*) FROM audit_log "
    "WHERE xact_id = (pg_current_xact_id_if_assigned()::text)::bigint)"
)


class BeforeCommit:
    """Runs `observe(session)` in every session's commit, just before COMMIT is sent: after the unit of work's
    last statement (its audit records staged), while its transaction is still open."""

    def __init__(self, observe: Callable[[Session], None]) -> None:
        self.observe = observe

    def __enter__(self) -> BeforeCommit:
        event.listen(Session, "before_commit", self.observe)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(Session, "before_commit", self.observe)


def _uow(session_factory) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory, actor=ACTOR, clock=lambda: NOW, request_id="seal-test")


async def _counts(session_factory) -> tuple[int, int, int]:
    async with session_factory() as session:
        row = (await session.execute(COUNTS)).one()
    return row.sealed, row.pending, row.events


async def test_the_chains_lock_is_free_until_commit_and_the_record_is_sealed_at_commit(
    api, session_factory, database_url
):
    # given a unit, and another connection that tries the chain's lock whenever a commit has audit records staged
    a = await make_agencies(api, session_factory, "unit")
    observer = await connect_database(database_url)
    seen: list[tuple[int, int, bool]] = []

    def observe(session: Session) -> None:
        staged, sealed = session.execute(WRITTEN_HERE).one()
        if staged or sealed:
            free = await_only(observer.fetchval("SELECT pg_try_advisory_xact_lock($1)", AUDIT_CHAIN_LOCK))
            seen.append((staged, sealed, free))

    try:
        before = await _counts(session_factory)
        # when it creates a draft
        with BeforeCommit(observe):
            body = await api.data(CREATE, {"input": draft_input()}, token=a.token["unit"])
    finally:
        await observer.close()
    # then before COMMIT the record was staged, not yet in the log, and the chain's lock was free to take
    # (before issue 17 it was (0, 1, False): sealed by the last statement, the lock held until COMMIT)
    assert body["projectCreate"]["userErrors"] == []
    assert seen == [(1, 0, True)]
    # and after COMMIT it is in the log, sealed onto the chain, and nothing stays staged
    async with session_factory() as session:
        last = (
            await session.execute(text("SELECT operation, hash FROM audit_log ORDER BY id DESC LIMIT 1"))
        ).one()
    assert last.operation == "project:create" and last.hash is not None
    assert await _counts(session_factory) == (before[0] + 1, 0, 0)
    verdict = await audit_chain.verify(session_factory)
    assert verdict.intact and verdict.head == last.hash


async def test_a_unit_of_work_that_fails_after_staging_leaves_no_record_no_staged_row_and_no_event(
    session_factory,
):
    # given a subscription to every operation, and a commit that fails once the records are staged
    org = await make_org(session_factory, OrgType.AUDIT)
    async with session_factory() as session, session.begin():
        await session.execute(
            insert(webhook_subscriptions).values(
                organization_id=org,
                name="全部",
                url="https://receiver.test/hook",
                secret="s",
                event_types=["*"],
            )
        )
    staged: list[int] = []

    def fail(session: Session) -> None:
        staged.append(session.execute(text("SELECT count(*) FROM audit_pending")).scalar_one())
        raise RuntimeError("the connection dropped before COMMIT")

    # when
    with BeforeCommit(fail), pytest.raises(RuntimeError):
        async with _uow(session_factory) as uow:
            uow.record("project:update", "Project", 1, {"name": "旧"}, {"name": "新"})
            await uow.commit()
    # then it had been staged, and the rollback left nothing anywhere
    assert staged == [1]
    assert await _counts(session_factory) == (0, 0, 0)


async def test_the_records_of_one_transaction_keep_their_order_in_ids_and_chain(session_factory):
    # given
    operations = ["project:create", "project:update", "project:submit-to-reserve"]
    # when one unit of work records three operations
    async with _uow(session_factory) as uow:
        for n, operation in enumerate(operations):
            uow.record(operation, "Project", 7, None, {"n": n})
        await uow.commit()
    # then they are sealed in the order recorded, each linked to the one before
    async with session_factory() as session:
        rows = (
            await session.execute(text("SELECT operation, hash, prev_hash FROM audit_log ORDER BY id"))
        ).all()
    assert [r.operation for r in rows] == operations
    assert rows[0].prev_hash is None
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]


async def test_concurrent_units_of_work_keep_one_chain_with_each_transactions_records_adjacent(
    session_factory,
):
    # given 16 units of work of two records each, committing at the same moment
    async def work(i: int) -> None:
        async with _uow(session_factory) as uow:
            uow.record("project:update", "Project", i, None, {"step": 1})
            uow.record("project:update", "Project", i, None, {"step": 2})
            await uow.commit()

    # when
    await asyncio.gather(*(work(i) for i in range(16)))
    # then the chain holds in id order, and each transaction's records follow one another in order
    verdict = await audit_chain.verify(session_factory)
    assert verdict.intact and verdict.checked == 32
    async with session_factory() as session:
        rows = (
            await session.execute(text("SELECT target_id, after->>'step' AS step FROM audit_log ORDER BY id"))
        ).all()
    pairs = [rows[i : i + 2] for i in range(0, 32, 2)]
    assert all(p[0].target_id == p[1].target_id and (p[0].step, p[1].step) == ("1", "2") for p in pairs)
    assert sorted(p[0].target_id for p in pairs) == list(range(16))
    assert await _counts(session_factory) == (32, 0, 0)


@pytest.mark.parametrize(
    ("event_types", "active", "expected"),
    [
        (["project:create"], True, 1),
        (["*"], True, 1),
        (["project:submit-to-reserve", "project:create"], True, 1),
        (["project:submit-to-reserve"], True, 0),
        (["project:create"], False, 0),
        (None, None, 0),
    ],
    ids=["wants it", "wants every operation", "wants it among others", "wants another", "inactive", "none"],
)
async def test_an_outbox_event_is_written_iff_an_active_subscription_wants_the_operation(
    session_factory, event_types, active, expected
):
    # given two subscriptions alike (an event is one row, however many subscribers want it), or none
    if event_types is not None:
        org = await make_org(session_factory, OrgType.AUDIT)
        async with session_factory() as session, session.begin():
            for name in ("一", "二"):
                await session.execute(
                    insert(webhook_subscriptions).values(
                        organization_id=org,
                        name=name,
                        url="https://receiver.test/hook",
                        secret="s",
                        event_types=event_types,
                        active=active,
                    )
                )
    # when a unit of work records a project's creation
    async with _uow(session_factory) as uow:
        uow.record("project:create", "Project", 42, None, {"name": "营口市智慧教育平台"})
        await uow.commit()
    # then
    async with session_factory() as session:
        events = (
            await session.execute(
                text(
                    "SELECT event_id, event_type, target_type, target_id, occurred_at, data FROM webhook_events"
                )
            )
        ).all()
    assert len(events) == expected
    for e in events:
        assert (e.event_type, e.target_type, e.target_id, e.occurred_at, e.data) == (
            "project:create",
            "Project",
            42,
            NOW,
            {"name": "营口市智慧教育平台"},
        )
        assert len(e.event_id) == 36  # a UUID
    assert (await _counts(session_factory))[:2] == (1, 0)
