"""`projects.obligations_due_on` follows exactly the writes of calendar facts (issue 17): a use case that writes
one moves the column in its own transaction, one that writes none (a draft's create, its submission) runs no
refresh at all, and the flush's watch covers every table the calendar reads."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, date, datetime

from sqlalchemy import event, insert, select

from api.graphql.common import from_global_id
from domain.actors import Actor
from domain.clock import system_clock
from domain.obligations import ProjectFacts
from domain.progress import quarter_due_date
from store import construction_tables as c
from store import tables
from store.obligation_dates import FACT_TABLES, refresh_obligation_dates, text_writes_facts
from store.uow import SqlUnitOfWork
from tests.api.lifecycle_helpers import LIFECYCLE_AGENCIES, PROGRESS, mutate, ok, under_construction
from tests.api.projects_helpers import CREATE, SUBMIT, draft_input
from tests.api.supervision_helpers import order_rectification, reserve_project, sanction
from tests.utils import make_agencies

APPROVED_ON = date(2026, 3, 2)  # lifecycle_helpers.approved_project's approval date


class Statements:
    """The SQL the engine sends while the block runs."""

    def __init__(self, engine) -> None:
        self.engine, self.seen = engine.sync_engine, []

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


async def _stored_due(session_factory, project_id: int) -> date | None:
    async with session_factory() as session:
        p = tables.projects
        return (
            await session.execute(select(p.c.obligations_due_on).where(p.c.id == project_id))
        ).scalar_one()


def _pk(global_id: str) -> int:
    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


async def test_a_drafts_create_and_submission_write_no_calendar_fact_and_refresh_nothing(
    api, session_factory, engine
):
    # given a unit
    a = await make_agencies(api, session_factory, "unit")
    with Statements(engine) as seen:
        # when it creates a draft and submits it to the reserve
        created = (await api.data(CREATE, {"input": draft_input()}, token=a.token["unit"]))["projectCreate"]
        submitted = (
            await api.data(SUBMIT, {"input": {"projectId": created["project"]["id"]}}, token=a.token["unit"])
        )["projectSubmitToReserve"]
    # then both succeed and neither reads the calendar's facts nor locks the project for its date
    assert submitted["userErrors"] == [] and submitted["project"]["status"] == "RESERVE_REVIEW"
    refresh = re.compile(
        r"projects\.obligations_due_on\s+FROM|SET obligations_due_on|FROM (" + "|".join(FACT_TABLES) + ")"
    )
    assert not [sql for sql in seen if refresh.search(sql)], seen
    assert await _stored_due(session_factory, _pk(created["project"]["id"])) is None


async def test_R18_a_quarterly_report_moves_the_due_date_in_its_own_transaction(api, session_factory):
    # given a project under construction approved on 2 March: its first report is due on 2 June
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    pk = _pk(project["id"])
    assert await _stored_due(session_factory, pk) == quarter_due_date(APPROVED_ON, 1)
    # when the unit sends the first report
    report = {
        "projectId": project["id"],
        "periodNumber": 1,
        "physicalProgress": "35.00",
        "fundsSpent": "0.00",
    }
    ok(await mutate(api, a, PROGRESS, "unit", report))
    # then the earliest unmet obligation is the second report, as soon as the mutation has answered
    assert await _stored_due(session_factory, pk) == quarter_due_date(APPROVED_ON, 2)


async def test_R23_an_ordered_rectification_sets_the_date_a_suspension_keeps_it_termination_clears_it(
    api, session_factory, clock
):
    # given a project in the reserve (never approved: it owes nothing yet)
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    pk = _pk(project["id"])
    assert await _stored_due(session_factory, pk) is None
    # when bdb orders a rectification by 31 March (an inspection row: a calendar fact)
    await order_rectification(api, a.token["bdb"], project["id"], "DATA_SHARING", "2026-03-31")
    # then the project owes it by then
    assert await _stored_due(session_factory, pk) == date(2026, 3, 31)
    # when the deadline has passed and bdb suspends the project (a status that changes no obligation)
    clock.now = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
    bdb = await api.login("user.bdb")
    suspended = (await sanction(api, bdb, "projectSuspend", project["id"]))["data"]["projectSuspend"]
    # then the date stays
    assert suspended["project"]["status"] == "SUSPENDED"
    assert await _stored_due(session_factory, pk) == date(2026, 3, 31)
    # when bdb terminates it
    terminated = (await sanction(api, bdb, "projectTerminate", project["id"]))["data"]["projectTerminate"]
    # then a terminated project owes nothing, in the same transaction as its termination
    assert terminated["project"]["status"] == "TERMINATED"
    assert await _stored_due(session_factory, pk) is None


async def test_a_fact_written_by_sql_outside_the_flush_still_moves_the_due_date(api, session_factory):
    # given a project under construction, its first report due
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    pk = _pk(project["id"])
    actor = Actor(user_id=None, organization_id=a.org["unit"], role="unit", username="user.unit")
    # when a unit of work loads the project and inserts its first report with a Core statement (no ORM object)
    uow = SqlUnitOfWork(session_factory, actor=actor, clock=system_clock, request_id=None)
    async with uow:
        project = await uow.projects.get(pk, for_update=True)  # held, as a use case holds it
        await uow.session.execute(
            insert(c.progress_reports).values(
                project_id=pk,
                period_number=1,
                period_start=APPROVED_ON,
                period_end=quarter_due_date(APPROVED_ON, 1),
                physical_progress=10,
                funds_spent=0,
                submitted_at=datetime(2026, 4, 1, tzinfo=UTC),
            )
        )
        await uow.commit()
        assert project.id == pk
    # then the commit refreshed the projects it held, as if the flush had written the report
    assert await _stored_due(session_factory, pk) == quarter_due_date(APPROVED_ON, 2)


async def test_the_flush_watches_every_table_the_calendar_reads(api, session_factory, engine):
    # given an approved project, so the calendar reads each of its tables
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    await under_construction(api, a)
    # when every project's date is recomputed
    async with session_factory() as session, session.begin():
        with Statements(engine) as seen:
            await refresh_obligation_dates(session)
    # then the tables read are the projects and exactly the fact tables the flush watches
    names = set(tables.metadata.tables)
    read = {name for sql in seen for name in names if re.search(rf"\b(FROM|JOIN)\s+{name}\b", sql)}
    assert read == FACT_TABLES | {"projects"}, read
    # and each fact table names its project, which is what the flush marks
    assert all("project_id" in tables.metadata.tables[name].c for name in FACT_TABLES)


def test_a_text_statement_writing_a_fact_table_is_recognised():
    # given text SQL a repository might run outside the flush
    # then writes of fact tables (or of the projects' own columns) are recognised; other writes and reads not
    assert text_writes_facts("INSERT INTO progress_reports (project_id) VALUES (1)")
    assert text_writes_facts("update  acceptance_events SET kind = 'X'")
    assert text_writes_facts("DELETE FROM inspections WHERE id = 1")
    assert text_writes_facts("UPDATE projects SET approval_date = now()")
    assert not text_writes_facts("UPDATE project_code_numbers SET project_id = 1")
    assert not text_writes_facts("SELECT * FROM progress_reports")


def test_the_calendar_reads_only_facts_the_flush_watches():
    # given what the calendar knows of a project (domain/obligations.py)
    known = {f.name for f in fields(ProjectFacts)}
    # then it is these: the project's own approval date and status (watched on the project), its lead unit
    # (dates nothing) and rows of the fact tables. A new fact: make store/obligation_dates.py watch where
    # it is read from (a column of projects: _project_facts_changed; a table: FACT_TABLES), then list it.
    assert known == {
        "project_id",
        "organization_id",
        "terminated",
        "approval_date",
        "progress_reports",
        "initial_acceptance_passed_on",
        "acceptance_extended_until",
        "completion_applied",
        "acceptance_failures",
        "accepted_on",
        "filed_on",
        "operation_started_on",
        "self_evaluated",
        "rectifications",
    }
