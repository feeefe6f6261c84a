"""In-app notices from the obligations calendar: each sent once, whatever number of workers run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from api.workers import notifications as notifications_worker
from store.engine import make_engine, make_session_factory
from store.supervision_tables import notifications
from tests.api.supervision_helpers import order_rectification, reserve_project
from tests.utils import make_agencies

NOTICES = """query { notifications(first: 20) { totalCount edges { node { id kind rule dueOn readAt } } } }"""


async def _count(factory) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        return int((await session.execute(select(func.count()).select_from(notifications))).scalar_one())


async def test_a_notice_is_sent_once_even_with_two_workers_running(api, session_factory, database_url, clock):
    # given a rectification due on 31 March, ordered on 2 March; a second API process on the same database
    a = await make_agencies(api, session_factory, "unit", "bdb", "cac")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await order_rectification(api, a.token["cac"], project["id"], "NETWORK_SECURITY", "2026-03-31")
    other_engine = make_engine(database_url, pool_size=2)
    other = make_session_factory(other_engine)
    try:
        # when both workers run their rounds at the same moment, twice (one waits for the other's lock)
        first = await asyncio.gather(
            notifications_worker.run_once(session_factory, clock, wait_for_lock=True),
            notifications_worker.run_once(other, clock, wait_for_lock=True),
        )
        second = await asyncio.gather(
            notifications_worker.run_once(session_factory, clock), notifications_worker.run_once(other, clock)
        )
        # then: opened + due within 30 days, once each
        assert sorted(first) == [0, 2] and second == [0, 0]
        assert await _count(session_factory) == 2
        # when the due date passes, the overdue notice follows, once
        clock.now = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 1 April in Yingkou
        later = await asyncio.gather(
            notifications_worker.run_once(session_factory, clock, wait_for_lock=True),
            notifications_worker.run_once(other, clock, wait_for_lock=True),
        )
        assert sorted(later) == [
            0,
            1,
        ]  # overdue; the 7-day reminder's moment passed unseen, so it is not sent late
    finally:
        await other_engine.dispose()


async def test_the_viewer_reads_its_organizations_notices_and_marks_them_read(api, session_factory, clock):
    # given notices for the unit's rectification
    a = await make_agencies(api, session_factory, "unit", "unit2", "bdb", "cac")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await order_rectification(api, a.token["cac"], project["id"], "NETWORK_SECURITY", "2026-03-31")
    await notifications_worker.run_once(session_factory, clock)
    # when
    mine = (await api.data(NOTICES, token=a.token["unit"]))["notifications"]
    others = (await api.data(NOTICES, token=a.token["unit2"]))["notifications"]
    marked = await api.data(
        "mutation { markNotificationsRead(input: {}) { count userErrors { code } } }", token=a.token["unit"]
    )
    unread = await api.data(
        "query { notifications(first: 5, unreadOnly: true) { totalCount } }", token=a.token["unit"]
    )
    # then
    assert sorted(e["node"]["kind"] for e in mine["edges"]) == ["DUE_IN_30_DAYS", "OPENED"]
    assert {e["node"]["rule"] for e in mine["edges"]} == {"R23.1"}
    assert others["totalCount"] == 0
    assert marked["markNotificationsRead"] == {"count": 2, "userErrors": []}
    assert unread["notifications"]["totalCount"] == 0
