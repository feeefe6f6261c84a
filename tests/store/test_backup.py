"""backup / restore: a round trip brings back every row, and the audit chain still verifies."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings
from store import audit_chain, roles, tables
from store.engine import make_engine, make_session_factory
from tests.conftest import _admin_connection, _with_database


@pytest.fixture
def cli_env(database_url, owner_database_url, monkeypatch):
    """The API's URL (runtime role) and the owner's: backup and restore must use the owner's."""

    def point_at(url: str) -> None:
        database = str(make_url(url).database)
        monkeypatch.setenv("DATABASE_URL", _with_database(database_url, database))
        monkeypatch.setenv("MIGRATION_DATABASE_URL", _with_database(owner_database_url, database))
        get_settings.cache_clear()

    point_at(database_url)
    yield point_at
    get_settings.cache_clear()


async def _snapshot(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            orgs = (
                await connection.execute(text("SELECT id, name, type FROM organizations ORDER BY id"))
            ).all()
            audit = (
                await connection.execute(text("SELECT id, operation, hash FROM audit_log ORDER BY id"))
            ).all()
        verdict = await audit_chain.verify(make_session_factory(engine))
    finally:
        await engine.dispose()
    assert verdict.intact
    return [tuple(r) for r in orgs], [tuple(r) for r in audit]


async def test_backup_then_restore_into_an_empty_database_brings_everything_back(
    cli_env, database_url, session_factory, tmp_path
):
    # given some organizations and audit records, and an empty database beside it
    async with session_factory() as session, session.begin():
        await session.execute(
            insert(tables.organizations), [{"name": f"单位{i}", "type": "unit"} for i in range(3)]
        )
        await session.execute(
            insert(tables.audit_log),
            [
                {
                    "actor_username": "u",
                    "actor_role": "unit",
                    "operation": f"op:{i}",
                    "target_type": "Project",
                }
                for i in range(5)
            ],
        )
    empty = make_url(database_url).database + "_restored"
    admin = await _admin_connection(database_url)
    await admin.execute(f'CREATE DATABASE "{empty}" OWNER {roles.OWNER}')
    restored_url = _with_database(database_url, empty)
    dump = tmp_path / "yingkou.dump"
    runner = CliRunner()
    try:
        # when backed up from one and restored into the other with the CLI
        backed = await asyncio.to_thread(runner.invoke, app, ["backup", "--output", str(dump)])
        cli_env(restored_url)
        refused = await asyncio.to_thread(runner.invoke, app, ["restore", "--input", str(dump)])
        restored = await asyncio.to_thread(runner.invoke, app, ["restore", "--input", str(dump), "--yes"])
        # then
        assert backed.exit_code == 0, backed.output
        assert refused.exit_code == 2  # without --yes nothing is replaced
        assert restored.exit_code == 0, restored.output
        assert await _snapshot(restored_url) == await _snapshot(database_url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        await admin.close()
