"""Migration 0018 (R3.1): a stored policy loses the admin lines no administrator may hold any more."""

from __future__ import annotations

import os

from store import migrate
from tests.conftest import _admin_connection, _server_url, _with_database
from tests.utils import connect_database

LINES = [
    ("p", "admin", "project:read", "any", "第三条"),
    ("p", "admin", "user:create", "any", "第三条"),
    ("g", "admin", "bdb", "", ""),
    ("p", "unit", "project:create", "lead", "第七条"),
]


async def test_R3_1_upgrading_removes_stored_admin_lifecycle_lines_and_moves_the_version() -> None:
    # given a database at 0017 whose stored policy gives admin project:read and the bdb group
    server = _server_url()
    name = f"yk_test_mig18_{os.getpid()}"
    admin = await _admin_connection(server)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(server, name)
    try:
        migrate.upgrade(url, "0017")
        connection = await connect_database(url)
        try:
            await connection.executemany(
                "INSERT INTO policy_rules (ptype, v0, v1, v2, v3) VALUES ($1, $2, $3, $4, $5)", LINES
            )
            await connection.execute("UPDATE policy_state SET version = 7")
            # when upgrading to 0018
            migrate.upgrade(url, "0018")
            # then only the administration line and other roles' lines remain, and processes will reload
            rows = await connection.fetch("SELECT ptype, v0, v1 FROM policy_rules ORDER BY id")
            version = await connection.fetchval("SELECT version FROM policy_state")
        finally:
            await connection.close()
        assert [tuple(r) for r in rows] == [("p", "admin", "user:create"), ("p", "unit", "project:create")]
        assert version == 8
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
