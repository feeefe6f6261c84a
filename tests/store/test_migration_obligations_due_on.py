"""Migration 0021 and store.migrate (issue 15.4): after migrating to head every existing project has its
earliest unmet obligation due date, computed by the domain's calendar."""

from __future__ import annotations

import os
from datetime import date

from domain.progress import quarter_due_date
from store import migrate
from tests.conftest import _admin_connection, _server_url, _with_database
from tests.utils import connect_database

APPROVED_ON = date(2025, 11, 30)


async def test_upgrading_to_head_fills_the_earliest_unmet_due_date_of_every_existing_project() -> None:
    # given a database at 0020 with an approved project (no report sent) and a draft
    server = _server_url()
    name = f"yk_test_mig21_{os.getpid()}"
    admin = await _admin_connection(server)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(server, name)
    try:
        migrate.upgrade(url, "0020")
        connection = await connect_database(url)
        try:
            org = await connection.fetchval(
                "INSERT INTO organizations (name, type) VALUES ('营口市住建局', 'unit') RETURNING id"
            )
            await connection.executemany(
                "INSERT INTO projects (name, kind, category, funding_source, total_investment, "
                "lead_organization_id, deploys_on_government_cloud, connects_resource_platform, status, "
                "approval_date, created_at, updated_at, version) VALUES ($1, 'BUILD', 'BUSINESS_SYSTEM', "
                "'FISCAL', 100, $2, true, true, $3, $4, now(), now(), 1)",
                [("已批复项目", org, "UNDER_CONSTRUCTION", APPROVED_ON), ("草稿项目", org, "DRAFT", None)],
            )
            # when upgrading to head
            migrate.upgrade(url)
            # then the approved project owes its first quarterly report, the draft owes nothing
            rows = await connection.fetch("SELECT name, obligations_due_on FROM projects ORDER BY id")
        finally:
            await connection.close()
        assert [(r["name"], r["obligations_due_on"]) for r in rows] == [
            ("已批复项目", quarter_due_date(APPROVED_ON, 1)),
            ("草稿项目", None),
        ]
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
