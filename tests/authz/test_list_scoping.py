"""Lists are filtered in SQL from the policy; the SQL result equals asking the policy about every row."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import insert, select

from authz.enforcer import Authorizer
from authz.operations import Operation
from authz.sql import project_filter
from domain.actors import ADMIN_ROLE, Actor, OrgType
from domain.lifecycle import Status
from domain.projects import Project
from store import tables
from tests.utils import make_org


async def test_sql_list_filter_equals_per_row_policy_for_every_role(session_factory, clock):
    # given organizations of every type and 120 projects in random states, led and joined at random
    rng = random.Random(20261125)
    orgs = {
        kind: [await make_org(session_factory, kind, f"{kind.value}-{i}") for i in range(3)]
        for kind in OrgType
    }
    units = orgs[OrgType.UNIT]
    async with session_factory() as session, session.begin():
        for n in range(120):
            status = rng.choice(list(Status))
            code = None if status is Status.DRAFT and rng.random() < 0.7 else f"YK-2026-{n:04d}"
            pk = (
                await session.execute(
                    insert(tables.projects)
                    .values(
                        code=code,
                        name=f"p{n}",
                        kind="BUILD",
                        category="BUSINESS_SYSTEM",
                        funding_source="FISCAL",
                        total_investment=Decimal("1.00"),
                        lead_organization_id=rng.choice(units),
                        deploys_on_government_cloud=True,
                        connects_resource_platform=True,
                        status=status.value,
                        created_at=clock(),
                        updated_at=clock(),
                        version=1,
                    )
                    .returning(tables.projects.c.id)
                )
            ).scalar_one()
            for org in rng.sample(units, rng.randint(0, 2)):
                await session.execute(
                    insert(tables.project_participants).values(project_id=pk, organization_id=org)
                )
    authorizer = Authorizer()
    async with session_factory() as session:
        projects = (await session.execute(select(Project))).scalars().all()
        for kind, org_ids in orgs.items():
            for role in {kind.value, ADMIN_ROLE} if kind is OrgType.BDB else {kind.value}:
                for org in org_ids:
                    actor = Actor(user_id=1, organization_id=org, role=role, username="u")
                    # when the list is filtered in SQL
                    in_sql = set(
                        (
                            await session.execute(
                                select(tables.projects.c.id).where(
                                    project_filter(authorizer, actor, Operation.PROJECT_READ)
                                )
                            )
                        ).scalars()
                    )
                    # then it equals the policy asked row by row
                    per_row = {p.id for p in projects if authorizer.can_read(actor, p)}
                    assert in_sql == per_row, (role, org)
