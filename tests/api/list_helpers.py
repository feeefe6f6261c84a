"""Projects inserted straight into the database, for list, sync and export tests that need many rows fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store import tables
from store.sort_keys import name_sort_key

T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def project_row(org_id: int, n: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "code": f"YK-2026-{n:04d}",
        "year": 2026,
        "name": f"营口市测试项目{n}",
        "description": "测试",
        "kind": "BUILD",
        "category": "BUSINESS_SYSTEM",
        "funding_source": "FISCAL",
        "total_investment": Decimal("1000000.00") + n,
        "lead_organization_id": org_id,
        "deploys_on_government_cloud": True,
        "connects_resource_platform": True,
        "status": "RESERVE_REVIEW",
        "created_at": T0 + timedelta(hours=n),
        "updated_at": T0 + timedelta(hours=n),
        "version": 1,
    } | overrides
    # what the app writes beside the name (store/mapping.py), so orderBy: NAME sees these rows as it would
    return row | {"name_sort_key": name_sort_key(str(row["name"]))}


async def insert_projects(factory: async_sessionmaker[AsyncSession], rows: list[dict[str, Any]]) -> list[int]:
    async with factory() as session, session.begin():
        result = await session.execute(insert(tables.projects).returning(tables.projects.c.id), rows)
        return [int(pk) for pk in result.scalars()]


async def bulk_projects(
    factory: async_sessionmaker[AsyncSession], org_id: int, count: int, start: int = 1
) -> None:
    """Many projects in one statement (generate_series), numbered from `start`, for exports and benchmarks."""
    async with factory() as session, session.begin():
        await session.execute(text(BULK_SQL), {"org": org_id, "start": start, "end": start + count - 1})


BULK_SQL = """
INSERT INTO projects (code, year, name, description, kind, category, funding_source, total_investment,
                      lead_organization_id, deploys_on_government_cloud, connects_resource_platform,
                      status, created_at, updated_at, version)
SELECT 'YK-2025-' || lpad(g::text, 6, '0'), 2025, '营口市批量项目' || g, '批量生成的测试项目，用于导出。',
       'BUILD', 'BUSINESS_SYSTEM', CASE WHEN g % 10 = 0 THEN 'PPP' ELSE 'FISCAL' END, 100000 + g,
       :org, true, true, 'IN_RESERVE', now(), now(), 1
FROM generate_series(CAST(:start AS integer), CAST(:end AS integer)) AS g
"""
