"""One seeded database per test module for the compiled-list tests: a user of every role of the policy and
projects whose values reach the corners of the JSON (nulls, quotes, control characters, microseconds, ties)."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.graphql.pagination import _to_json, encode_cursor
from api.settings import Settings
from store import approval_tables, roles, tables
from store.engine import make_engine, make_session_factory
from tests.api.list_helpers import project_row
from tests.conftest import FakeClock, _admin_connection, _with_database
from tests.utils import Api, make_org, make_user

# Every role the policy names (authz/policy.csv) and a second unit (participant scope); None: no credential.
ROLES = (
    "admin",
    "bdb",
    "finance",
    "cac",
    "psb",
    "crypto",
    "audit",
    "government",
    "unit",
    "unit2",
    "evaluator",
    "integrator",
)
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
_databases = itertools.count()


@dataclass
class Seeded:
    on: Api  # the API with the compiled list (the default)
    off: Api  # the same database, YK_COMPILED_LIST=0: the generic path only
    token: dict[str, str]
    org: dict[str, int]
    engine: AsyncEngine
    # One valid cursor per (ordering, row): [key] without orderBy, [sort value, key] with it.
    cursors: dict[str | None, list[str]] = field(default_factory=dict)
    authorizers: list[Any] = field(default_factory=list)  # each API's policy in force (on, off)


def _rows(org: dict[str, int]) -> list[dict[str, Any]]:
    odd = [
        '引号"与\\反斜杠',
        "制表\t换行\n回车\r",
        "emoji 😀 与 \u2028",
        "<b>&amp;</b> '单引号'",
        "\x01控制\x1f",
    ]
    rows = []
    statuses = [
        "DRAFT",
        "RESERVE_REVIEW",
        "IN_RESERVE",
        "PLANNED",
        "APPROVED",
        "UNDER_CONSTRUCTION",
        "SUSPENDED",
    ]
    for n in range(1, 37):
        status = statuses[n % len(statuses)]
        lead = org["unit"] if n % 3 else org["unit2"]
        moment = T0 + timedelta(hours=n // 2, microseconds=(n * 137) % 3 * 250_000)  # ties and microseconds
        overrides: dict[str, Any] = {
            "name": odd[n % len(odd)] + str(n % 7) if n % 4 == 0 else f"营口市测试项目{n % 9}",
            "description": odd[(n + 1) % len(odd)],
            "status": status,
            "total_investment": Decimal("1000000.00") + (n % 5) * Decimal("0.01") + n // 6,
            "lead_organization_id": lead,
            "created_at": moment,
            "updated_at": moment + timedelta(days=n % 4),
            "kind": "BUILD" if n % 2 else "OPERATION_MAINTENANCE",
            "funding_source": "FISCAL" if n % 5 else "PPP",
            "platform_exemption_reason": None if n % 3 else "已有专网",
            "submitted_at": None if status == "DRAFT" else moment + timedelta(minutes=5),
            "plan_year": 2026 if n % 4 == 1 else None,
            "approval_date": date(2026, 2, n % 28 + 1) if n % 6 == 5 else None,
            "approved_investment": Decimal("900000.50") if n % 6 == 5 else None,
            "classified": n % 7 == 0,
            "plan_deferred": n % 8 == 0,
        }
        if status == "DRAFT":
            overrides |= {"code": None, "year": None}
        rows.append(project_row(lead, n, **overrides))
    return rows


async def seed(template_database: str, name: str) -> AsyncIterator[Seeded]:
    """A database of this module (created from the migrated template), seeded, with both APIs on it."""
    template = make_url(template_database).database
    database = f"yk_test_{os.getpid()}_{name}_{next(_databases)}"
    admin = await _admin_connection(template_database)
    await admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}" OWNER {roles.OWNER}')
    owner_url = _with_database(template_database, database)
    owner = make_engine(owner_url, pool_size=1)
    engine = make_engine(_with_database(owner_url, database, roles.RUNTIME), pool_size=5)
    clock = FakeClock(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    base = {"token_secret": "test-secret-" + "x" * 40, "token_ttl_minutes": 60, "environment": "development"}
    on_app = create_app(Settings(**base), engine=engine, clock=clock)
    off_app = create_app(Settings(**base, compiled_list=False), engine=engine, clock=clock)
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=on_app), base_url="http://testserver") as on,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=off_app), base_url="http://testserver"
            ) as off,
        ):
            seeded = Seeded(on=Api(on), off=Api(off), token={}, org={}, engine=engine)
            seeded.authorizers = [on_app.state.authorizer, off_app.state.authorizer]
            factory = make_session_factory(owner)
            for role in ROLES:
                base_role = role.rstrip("0123456789")
                kind = "bdb" if base_role == "admin" else base_role
                from domain.actors import OrgType

                seeded.org[role] = await make_org(factory, OrgType(kind), name=f"测试-{role}")
                username = await make_user(
                    factory, seeded.org[role], f"user.{role}", is_admin=role == "admin"
                )
                seeded.token[role] = await seeded.on.login(username)
            async with factory() as session, session.begin():
                org = seeded.org
                await session.execute(
                    tables.organizations.update()
                    .where(tables.organizations.c.id == org["unit2"])
                    .values(district="鲅鱼圈区")
                )
                ids = [
                    int(pk)
                    for pk in (
                        await session.execute(
                            insert(tables.projects).returning(tables.projects.c.id), _rows(org)
                        )
                    ).scalars()
                ]
                # unit2 takes part in a few of unit's projects; the evaluator is assigned one document.
                await session.execute(
                    insert(tables.project_participants),
                    [{"project_id": pk, "organization_id": org["unit2"]} for pk in ids[1:12:4]],
                )
                submitter = (
                    await session.execute(
                        select(tables.users.c.id).where(tables.users.c.username == "user.unit")
                    )
                ).scalar_one()
                await session.execute(
                    insert(approval_tables.approval_documents).values(
                        project_id=ids[4],
                        type="FEASIBILITY_STUDY",
                        version=1,
                        status="UNDER_EVALUATION",
                        path_rule="R11.3",
                        requested_investment=Decimal("1000000.00"),
                        submitted_at=T0,
                        submitted_by_user_id=submitter,
                        evaluator_organization_id=org["evaluator"],
                    )
                )
                seeded.cursors = await _cursors(session)
            yield seeded
    finally:
        await engine.dispose()
        await owner.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


async def _cursors(session: Any) -> dict[str | None, list[str]]:
    """Cursors as the generic path writes them, for every row and ordering."""
    from sqlalchemy import func

    p = tables.projects
    rows = (
        await session.execute(
            select(
                p.c.id,
                func.coalesce(p.c.code, ""),
                p.c.name,
                p.c.updated_at,
                p.c.total_investment,
                p.c.created_at,
            )
        )
    ).all()
    cursors: dict[str | None, list[str]] = {None: [encode_cursor([r[0]]) for r in rows]}
    for i, ordering in enumerate(("CODE", "NAME", "UPDATED_AT", "TOTAL_INVESTMENT", "CREATED_AT"), start=1):
        cursors[ordering] = [encode_cursor([_to_json(r[i]), r[0]]) for r in rows]
    return cursors
