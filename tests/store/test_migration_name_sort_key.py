"""Migration 0020 (issue 15.4): the projects that exist get the pinyin sort key the app writes."""

from __future__ import annotations

import os

from store import migrate
from store.sort_keys import name_sort_key
from tests.conftest import _admin_connection, _server_url, _with_database
from tests.utils import connect_database

NAMES = ["营口市智慧城市", "上海路改造", "北京路", "重庆路数据平台"]


async def test_upgrading_backfills_the_pinyin_sort_key_of_every_existing_project() -> None:
    # given a database at 0018 holding four projects
    server = _server_url()
    name = f"yk_test_mig20_{os.getpid()}"
    admin = await _admin_connection(server)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(server, name)
    try:
        migrate.upgrade(url, "0018")
        connection = await connect_database(url)
        try:
            org = await connection.fetchval(
                "INSERT INTO organizations (name, type) VALUES ('营口市住建局', 'unit') RETURNING id"
            )
            await connection.executemany(
                "INSERT INTO projects (name, kind, category, funding_source, total_investment, "
                "lead_organization_id, deploys_on_government_cloud, connects_resource_platform, status, "
                "created_at, updated_at, version) VALUES ($1, 'BUILD', 'BUSINESS_SYSTEM', 'FISCAL', 100, "
                "$2, true, true, 'DRAFT', now(), now(), 1)",
                [(n, org) for n in NAMES],
            )
            # when upgrading to 0020
            migrate.upgrade(url, "0020")
            # then every project has the key the app computes, and the index orders them in pinyin
            rows = await connection.fetch(
                "SELECT name, name_sort_key FROM projects ORDER BY name_sort_key, id"
            )
        finally:
            await connection.close()
        assert [(r["name"], r["name_sort_key"]) for r in rows] == [
            (n, name_sort_key(n)) for n in ["北京路", "重庆路数据平台", "上海路改造", "营口市智慧城市"]
        ]
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
