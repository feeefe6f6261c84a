"""A flush of a loaded project's column changes alone (issue 17: store/project_writes.py) sends the one UPDATE
the ORM's flush sends and leaves the project as the flush leaves it; anything else stays the ORM's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from domain.actors import Actor, OrgType
from domain.projects import FundingSource, Participant, Project, ProjectCategory, ProjectKind
from store import tables
from store.obligation_dates import touched_projects
from store.uow import SqlUnitOfWork
from tests.utils import make_org

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def _uow(factory, lead: int) -> SqlUnitOfWork:
    return SqlUnitOfWork(
        factory, actor=Actor(None, lead, "unit", "tester"), clock=lambda: NOW, request_id=None
    )


async def _draft(factory, lead: int, name: str = "营口市数据平台") -> int:
    async with _uow(factory, lead) as uow:
        project = Project(
            name=name,
            kind=ProjectKind.BUILD,
            category=ProjectCategory.BUSINESS_SYSTEM,
            funding_source=FundingSource.FISCAL,
            total_investment=Decimal("1500000.00"),
            lead_organization_id=lead,
            created_at=NOW,
            updated_at=NOW,
        )
        uow.projects.add(project)
        await uow.commit()
    assert project.id is not None
    return project.id


class Statements:
    def __init__(self, engine) -> None:
        self.engine, self.seen, self.parameters = engine.sync_engine, [], []

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, *args) -> None:
        self.seen.append(" ".join(statement.split()))
        self.parameters.append(parameters)


async def _row(factory, pk: int) -> dict:
    async with factory() as session:
        return (
            (await session.execute(select(tables.projects).where(tables.projects.c.id == pk))).one()._asdict()
        )


async def test_a_projects_changed_columns_are_one_update_and_the_project_is_clean_after_it(
    session_factory, engine
):
    # given a draft, loaded for a change of two columns and a rename
    lead = await make_org(session_factory, OrgType.UNIT)
    pk = await _draft(session_factory, lead)
    async with _uow(session_factory, lead) as uow:
        project = await uow.projects.get(pk, for_update=True)
        project.name, project.description = "重庆银行", "改名"
        project.contact_name = ""  # set to the value it has: not a change, not sent (as the ORM's flush)
        project.touch(LATER)
        # when the unit of work flushes
        with Statements(engine) as seen:
            await uow.flush()
            flushed = list(seen)
            await uow.flush()  # a second flush: nothing left to write
        # then one UPDATE of exactly the changed columns, the pinyin key with them, and nothing pending after it
        assert flushed == [
            "UPDATE projects SET name=$1::VARCHAR, description=$2::VARCHAR, updated_at=$3::TIMESTAMP WITH TIME "
            'ZONE, version=$4::INTEGER, name_sort_key=$5::VARCHAR COLLATE "C" WHERE projects.id = $6::BIGINT'
        ]
        assert seen == flushed
        assert not uow.session.sync_session.dirty
        assert not inspect(project).committed_state
        await uow.commit()
    row = await _row(session_factory, pk)
    assert (row["name"], row["description"], row["version"]) == ("重庆银行", "改名", 2)
    assert row["name_sort_key"] == "chong qing yin hang\t重庆银行"


async def test_several_projects_are_updated_in_primary_key_order_as_by_the_orms_flush(
    session_factory, engine
):
    # given three drafts, loaded in reverse order and each changed
    lead = await make_org(session_factory, OrgType.UNIT)
    pks = [await _draft(session_factory, lead, name=f"项目{n}") for n in range(3)]
    async with _uow(session_factory, lead) as uow:
        for pk in reversed(pks):
            (await uow.projects.get(pk, for_update=True)).touch(LATER)
        # when the unit of work flushes
        statements = Statements(engine)
        with statements as seen:
            await uow.flush()
        await uow.commit()
    # then one UPDATE each, in primary key order (rows locked in one order: no deadlock between two writers)
    assert [s.split()[:2] for s in seen] == [["UPDATE", "projects"]] * 3
    assert [parameters[-1] for parameters in statements.parameters] == pks
    for pk in pks:
        assert (await _row(session_factory, pk))["version"] == 2


async def test_an_approval_date_marks_the_project_for_the_obligation_refresh(session_factory):
    # given a draft
    lead = await make_org(session_factory, OrgType.UNIT)
    pk = await _draft(session_factory, lead)
    async with _uow(session_factory, lead) as uow:
        project = await uow.projects.get(pk, for_update=True)
        # when its approval date is set and flushed (a calendar fact of the project's own)
        project.approval_date = date(2026, 3, 1)
        await uow.flush()
        # then the commit will refresh its obligation date, as after the ORM's flush
        assert touched_projects(uow.session.sync_session) == {pk}


async def test_a_changed_collection_is_left_to_the_orms_flush(session_factory):
    # given a draft and a second unit
    lead = await make_org(session_factory, OrgType.UNIT)
    other = await make_org(session_factory, OrgType.UNIT)
    pk = await _draft(session_factory, lead)
    async with _uow(session_factory, lead) as uow:
        project = await uow.projects.get(pk, for_update=True)
        # when a participant joins along with a column change
        project.participants = [Participant(organization_id=other, business_flow="审批")]
        project.touch(NOW)
        await uow.commit()
    # then both are written: the participant's row by the ORM's cascade, the version with it
    async with session_factory() as session:
        p = tables.project_participants
        rows = (
            (await session.execute(select(p.c.organization_id).where(p.c.project_id == pk))).scalars().all()
        )
    assert rows == [other]
    assert (await _row(session_factory, pk))["version"] == 2


async def test_a_rollback_after_the_update_expires_the_project_as_after_the_orms_flush(session_factory):
    # given a draft whose change was flushed
    lead = await make_org(session_factory, OrgType.UNIT)
    pk = await _draft(session_factory, lead)
    uow = _uow(session_factory, lead)
    async with uow:
        project = await uow.projects.get(pk, for_update=True)
        project.touch(NOW)
        await uow.flush()
        # when the transaction rolls back
        await uow.session.rollback()
        # then the project's loaded values are expired (the next access would reload them), nothing was kept
        assert "version" in inspect(project).expired_attributes
    assert (await _row(session_factory, pk))["version"] == 1


def test_the_writes_outside_the_flush_mirror_every_listener_the_flush_fires():
    # given the listeners the ORM's flush fires for a project (its mapper's) and for every session
    mapper, session = inspect(Project), Session()
    # when they are listed
    per_project = {
        name: len(getattr(mapper.dispatch, name))
        for name in ("before_insert", "after_insert", "before_update", "after_update")
    }
    per_flush = {
        name: [f"{fn.__module__}.{fn.__qualname__}" for fn in getattr(session.dispatch, name)]
        for name in ("before_flush", "after_flush", "after_flush_postexec")
    }
    # then they are the ones `insert_new` and `write_column_changes` mirror (the pinyin key on insert and update,
    # the obligation mark): a new listener must be mirrored there too before it is listed here
    assert per_project == {"before_insert": 1, "after_insert": 0, "before_update": 1, "after_update": 0}
    assert per_flush == {
        "before_flush": [],
        "after_flush": ["store.obligation_dates._after_flush"],
        "after_flush_postexec": [],
    }
