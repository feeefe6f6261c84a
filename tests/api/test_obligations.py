"""The obligations calendar over HTTP: legal-date boundaries, and who sees which obligations."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert

from api.graphql.common import from_global_id
from store import construction_tables as c
from tests.api.supervision_helpers import order_rectification, reserve_project, under_construction
from tests.utils import make_agencies

CALENDAR = """query($f: ObligationFilter) { obligations(first: 100, filter: $f) { totalCount
  edges { node { key rule article opensOn dueOn state organization { name } project { id } } } } }"""


def _nodes(data: dict) -> list[dict]:
    return [e["node"] for e in data["obligations"]["edges"]]


async def test_R18_a_quarter_is_upcoming_the_day_before_it_opens_open_on_the_day_and_overdue_the_day_after(
    api, session_factory, clock
):
    # given approval on 2 March 2026: the 2nd report opens 3 June and is due 2 September (China time)
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await under_construction(session_factory, project["id"], date(2026, 3, 2))
    second = {"rule": "R18", "dueBefore": "2026-09-02"}

    async def state_at(instant: datetime) -> str:
        clock.now = instant
        token = await api.login("user.unit")
        found = [
            o
            for o in _nodes(await api.data(CALENDAR, {"f": second}, token=token))
            if o["dueOn"] == "2026-09-02"
        ]
        return found[0]["state"] if found else "ABSENT"

    # when / then: 3 June begins at 2 June 16:00 UTC
    assert await state_at(datetime(2026, 6, 2, 15, 59, 59, tzinfo=UTC)) == "UPCOMING"
    assert await state_at(datetime(2026, 6, 2, 16, 0, 0, tzinfo=UTC)) == "OPEN"
    assert await state_at(datetime(2026, 9, 2, 15, 59, 59, tzinfo=UTC)) == "OPEN"
    assert await state_at(datetime(2026, 9, 2, 16, 0, 0, tzinfo=UTC)) == "OVERDUE"


async def test_a_unit_sees_only_its_own_obligations_and_supervisors_see_all(api, session_factory):
    # given two units, each with a rectification ordered on its project
    a = await make_agencies(api, session_factory, "unit", "unit2", "bdb", "cac")
    mine = await reserve_project(api, a.token["unit"], a.token["bdb"])
    theirs = await reserve_project(api, a.token["unit2"], a.token["bdb"], name="营口市交通运行监测平台")
    for project in (mine, theirs):
        await order_rectification(api, a.token["cac"], project["id"], "NETWORK_SECURITY", "2026-04-30")
    # when
    as_unit = _nodes(await api.data(CALENDAR, token=a.token["unit"]))
    as_bdb = _nodes(await api.data(CALENDAR, token=a.token["bdb"]))
    filtered = _nodes(
        await api.data(
            CALENDAR,
            {"f": {"organizationId": a.gid("unit2"), "state": "OPEN", "rule": "R23"}},
            token=a.token["bdb"],
        )
    )
    # then
    assert [(o["project"]["id"], o["rule"], o["article"], o["state"]) for o in as_unit] == [
        (mine["id"], "R23.1", "第二十三条", "OPEN")
    ]
    assert {o["project"]["id"] for o in as_bdb} == {mine["id"], theirs["id"]}
    assert [o["project"]["id"] for o in filtered] == [theirs["id"]]
    assert as_unit[0]["dueOn"] == "2026-04-30" and as_unit[0]["organization"]["name"] == "测试-unit"


async def test_R18_R19_R22_facts_recorded_in_construction_records_drive_the_calendar(api, session_factory):
    # given a project approved on 2 Dec 2025 with its first quarterly report sent, initial acceptance
    # passed on 31 Jan 2026, and (to reach R22) operation begun on 1 Feb 2026
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await under_construction(session_factory, project["id"], date(2025, 12, 2))
    pk = from_global_id(project["id"])[1]
    now = datetime(2026, 3, 1, tzinfo=UTC)
    async with session_factory() as session, session.begin():
        await session.execute(
            insert(c.progress_reports).values(
                project_id=pk,
                period_number=1,
                period_start=date(2025, 12, 2),
                period_end=date(2026, 3, 2),
                physical_progress=30,
                funds_spent=100,
                submitted_at=now,
            )
        )
        await session.execute(
            insert(c.acceptance_events),
            [
                {
                    "project_id": pk,
                    "kind": "INITIAL",
                    "event_date": date(2026, 1, 31),
                    "passed": True,
                    "recorded_at": now,
                },
                {
                    "project_id": pk,
                    "kind": "FILING_ACKNOWLEDGED",
                    "event_date": date(2026, 2, 1),
                    "passed": None,
                    "recorded_at": now,
                },
            ],
        )
    # when
    found = {
        (o["rule"], o["dueOn"]): (o["opensOn"], o["state"])
        for o in _nodes(await api.data(CALENDAR, token=a.token["unit"]))
    }
    # then
    assert found[("R18", "2026-03-02")] == ("2025-12-02", "DONE")
    assert found[("R19.1", "2026-07-31")] == ("2026-04-30", "UPCOMING")
    assert found[("R22", "2028-02-01")] == ("2027-02-01", "UPCOMING")
