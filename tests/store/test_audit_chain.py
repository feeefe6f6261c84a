"""The audit log is tamper-evident: one SHA-256 chain, sealed by the database, checked by verify-audit."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from sqlalchemy import insert, text
from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings
from store import audit_chain, tables

BULK = text("""
    INSERT INTO audit_log (actor_username, actor_role, operation, target_type, target_id, after)
    SELECT 'bulk.user', 'unit', 'project:update', 'Project', g, jsonb_build_object('name', '项目' || g)
    FROM generate_series(1, :n) AS g
""")


def _record(i: int) -> dict[str, object]:
    return {
        "actor_username": f"user{i}",
        "actor_role": "unit",
        "operation": "project:update",
        "target_type": "Project",
        "target_id": i,
        "after": {"n": i},
    }


async def _tamper(superuser_session_factory, statement: str) -> None:
    """What an intruder with superuser rights could do: switch the append-only triggers off and write (the
    API's runtime role cannot: tests/store/test_runtime_role.py)."""
    async with superuser_session_factory() as session, session.begin():
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text(statement))


async def test_each_record_carries_the_hash_of_its_content_and_of_the_previous_record(session_factory):
    # given three records written by the application
    async with session_factory() as session, session.begin():
        await session.execute(insert(tables.audit_log), [_record(i) for i in range(3)])
    # when
    async with session_factory() as session:
        rows = (
            await session.execute(
                text("SELECT hash, prev_hash, audit_log_content(a) AS content FROM audit_log a ORDER BY id")
            )
        ).all()
    # then each hash is SHA-256(previous hash ‖ canonical content), recomputed here independently
    previous = b""
    for row in rows:
        assert row.hash == hashlib.sha256(previous + row.content.encode()).digest()
        assert (row.prev_hash or b"") == previous
        previous = row.hash
    assert rows[0].prev_hash is None and len(rows) == 3


async def test_concurrent_writers_keep_one_chain_in_id_order(session_factory):
    # given 20 transactions appending at the same moment
    async def append(i: int) -> None:
        async with session_factory() as session, session.begin():
            await session.execute(insert(tables.audit_log), [_record(i), _record(i + 100)])

    # when
    await asyncio.gather(*(append(i) for i in range(20)))
    # then
    verdict = await audit_chain.verify(session_factory)
    assert verdict.intact and verdict.checked == 40


async def test_verifier_names_the_one_altered_record_among_100000(session_factory, superuser_session_factory):
    # given 100,000 sealed records
    async with session_factory() as session, session.begin():
        await session.execute(BULK, {"n": 100_000})
    async with session_factory() as session:
        target = (
            await session.execute(text("SELECT id FROM audit_log ORDER BY id OFFSET 73456 LIMIT 1"))
        ).scalar_one()
    assert (await audit_chain.verify(session_factory)).intact
    # when one record's content is changed directly in SQL
    forged = f"""UPDATE audit_log SET after = '{{"name": "伪造"}}' WHERE id = {target}"""  # noqa: S608
    await _tamper(superuser_session_factory, forged)
    # then
    verdict = await audit_chain.verify(session_factory)
    assert verdict.broken == audit_chain.Break(target, "content")
    assert verdict.checked == 73456


async def test_a_removed_record_breaks_the_link_of_the_next(session_factory, superuser_session_factory):
    # given
    async with session_factory() as session, session.begin():
        await session.execute(insert(tables.audit_log), [_record(i) for i in range(5)])
    async with session_factory() as session:
        ids = (await session.execute(text("SELECT id FROM audit_log ORDER BY id"))).scalars().all()
    # when
    await _tamper(superuser_session_factory, f"DELETE FROM audit_log WHERE id = {ids[2]}")  # noqa: S608
    # then
    assert (await audit_chain.verify(session_factory)).broken == audit_chain.Break(ids[3], "link")


@pytest.fixture
def cli_env(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


async def test_verify_audit_command_reports_the_broken_record(
    cli_env, session_factory, superuser_session_factory
):
    # given
    async with session_factory() as session, session.begin():
        await session.execute(insert(tables.audit_log), [_record(i) for i in range(4)])
    async with session_factory() as session:
        ids = (await session.execute(text("SELECT id FROM audit_log ORDER BY id"))).scalars().all()
    runner = CliRunner()
    intact = await asyncio.to_thread(runner.invoke, app, ["verify-audit"])
    await _tamper(
        superuser_session_factory,
        f"UPDATE audit_log SET actor_username = 'someone.else' WHERE id = {ids[1]}",  # noqa: S608
    )
    # when
    broken = await asyncio.to_thread(runner.invoke, app, ["verify-audit"])
    # then
    assert intact.exit_code == 0 and "intact: 4 records" in intact.output
    assert broken.exit_code == 1 and f"record {ids[1]}" in broken.output
