"""A new draft's own INSERT (issue 17: store/repositories.py `insert_new`) writes the row the ORM's flush writes
for the same project, and leaves the object as the flush leaves it: persistent, in the identity map, clean."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import object_session

from domain.actors import Actor, OrgType
from domain.lifecycle import Status
from domain.projects import FundingSource, Participant, Project, ProjectCategory, ProjectKind
from store import tables
from store.uow import SqlUnitOfWork
from tests.utils import make_org

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _draft(name: str, lead: int) -> Project:
    return Project(
        name=name,
        kind=ProjectKind.BUILD,
        category=ProjectCategory.BUSINESS_SYSTEM,
        funding_source=FundingSource.FISCAL,
        total_investment=Decimal("1500000.00"),
        lead_organization_id=lead,
        description="压测",
        platform_exemption_reason="已有机房",
        contact_name="王工",
        created_at=NOW,
        updated_at=NOW,
    )


async def _add(factory, lead: int, project: Project) -> Project:
    uow = SqlUnitOfWork(
        factory, actor=Actor(None, lead, "unit", "tester"), clock=lambda: NOW, request_id=None
    )
    async with uow:
        uow.projects.add(project)
        await uow.flush()
        # then, inside the unit of work, the project is a loaded object of the session: nothing pending
        session = uow.session.sync_session
        assert object_session(project) is session
        assert project in session.identity_map.values()
        assert not session.new and not session.dirty
        # and a load in the same unit of work returns that very object
        assert await uow.projects.get(project.id) is project
        await uow.commit()
    return project


async def test_a_draft_without_members_gets_the_row_the_orms_flush_writes(session_factory):
    # given two identical drafts but for the name: one with a participant (so the ORM's flush inserts it,
    # with its member) and one without (its own INSERT)
    lead = await make_org(session_factory, OrgType.UNIT)
    other = await make_org(session_factory, OrgType.UNIT)
    by_flush = _draft("重庆银行数据平台", lead)
    by_flush.participants = [Participant(organization_id=other)]
    by_statement = _draft("重庆银行数据平台", lead)
    # when both are added and committed
    await _add(session_factory, lead, by_flush)
    await _add(session_factory, lead, by_statement)
    # then both rows hold the same values in every column but the id, the pinyin key included
    t = tables.projects
    async with session_factory() as session:
        rows = {
            row.id: row._asdict()
            for row in await session.execute(select(t).where(t.c.id.in_([by_flush.id, by_statement.id])))
        }
    flushed, inserted = rows[by_flush.id], rows[by_statement.id]
    assert flushed.pop("id") != inserted.pop("id")
    assert inserted == flushed
    assert inserted["name_sort_key"] == "chong qing yin hang shu ju ping tai\t重庆银行数据平台"
    assert inserted["status"] == Status.DRAFT and inserted["obligations_due_on"] is None
