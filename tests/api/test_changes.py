"""Incremental sync: `changes` returns every change the viewer may read, and its cursor never skips one whose
transaction commits late."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from tests.api.list_helpers import insert_projects, project_row
from tests.api.projects_helpers import create
from tests.utils import error_codes, make_agencies

CHANGES = """query($first: Int!, $after: String) { changes(first: $first, after: $after) {
  cursor hasMore changes { cursor operation targetType targetId node { id ... on Project { name } } } } }"""
AUDIT = text(
    "INSERT INTO audit_log (actor_username, actor_role, operation, target_type, target_id) "
    "VALUES ('test', 'unit', :operation, 'Project', :target)"
)


async def _read(api, token, after):
    return (await api.data(CHANGES, {"first": 100, "after": after}, token=token))["changes"]


def _ops(batch):
    return [c["operation"] for c in batch["changes"] if c["operation"].startswith("test:")]


async def _read_until(api, token, after, expected: int):
    """The feed waits for every older transaction in the cluster to settle — other databases on a shared
    test server included — so poll (briefly) until the expected number of test changes has arrived."""
    deadline = time.monotonic() + 15
    while True:
        batch = await _read(api, token, after)
        if len(_ops(batch)) >= expected or time.monotonic() > deadline:
            return batch
        await asyncio.sleep(0.1)


async def test_two_interleaved_transactions_committing_out_of_order_are_both_returned_and_never_skipped(
    api, session_factory, engine
):
    # given a project the unit leads, and a reader at the head of the feed
    a = await make_agencies(api, session_factory, "unit")
    (pk,) = await insert_projects(session_factory, [project_row(a.org["unit"], 1)])
    token = a.token["unit"]
    cursor = (await _read(api, token, None))["cursor"]
    seen: list[str] = []
    async with engine.connect() as first, engine.connect() as second:
        # when the first transaction starts writing, the second writes and commits before it
        await first.execute(
            text("SELECT pg_current_xact_id()")
        )  # the first now holds the older transaction id
        await second.execute(AUDIT, {"operation": "test:second", "target": pk})
        await second.commit()
        batch = await _read(api, token, cursor)
        seen += _ops(batch)
        cursor = batch["cursor"]
        await first.execute(AUDIT, {"operation": "test:first", "target": pk})
        await first.commit()
    batch = await _read_until(api, token, cursor, expected=2 - len(seen))
    seen += _ops(batch)
    # then the second is held back while the first is open, and the reader gets both, each once
    assert seen == ["test:first", "test:second"]


async def test_changes_list_only_what_the_viewer_may_read_with_the_current_object(api, session_factory):
    # given a draft created by one unit
    a = await make_agencies(api, session_factory, "unit", "unit2")
    project = await create(api, a.token["unit"])
    # when both units read the feed from the beginning (once the creation has settled cluster-wide)
    deadline = time.monotonic() + 15
    own = await _read(api, a.token["unit"], None)
    while not any(c["targetId"] == project["id"] for c in own["changes"]) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        own = await _read(api, a.token["unit"], None)
    other = await _read(api, a.token["unit2"], None)
    # then the lead unit sees the creation with the project as it is now; the other unit sees nothing of it
    created = [c for c in own["changes"] if c["targetId"] == project["id"]]
    assert [c["node"]["name"] for c in created] == [project["name"]]
    assert all(c["targetId"] != project["id"] for c in other["changes"])


async def test_a_reader_pages_through_the_feed_without_repeats(api, session_factory, engine):
    # given five changes to a readable project
    a = await make_agencies(api, session_factory, "unit")
    (pk,) = await insert_projects(session_factory, [project_row(a.org["unit"], 1)])
    async with engine.begin() as connection:
        for n in range(5):
            await connection.execute(AUDIT, {"operation": f"test:{n}", "target": pk})
    await _read_until(api, a.token["unit"], None, expected=5)
    # when reading two at a time
    seen, cursor, more = [], None, True
    while more:
        batch = (await api.data(CHANGES, {"first": 2, "after": cursor}, token=a.token["unit"]))["changes"]
        seen += _ops(batch)
        cursor, more = batch["cursor"], batch["hasMore"]
    # then every change arrives once, in order
    assert seen == [f"test:{n}" for n in range(5)]


async def test_a_cursor_that_is_not_a_changes_cursor_is_bad_input(api, session_factory):
    # given a garbled cursor
    a = await make_agencies(api, session_factory, "unit")
    # when used
    body = await api.gql(CHANGES, {"first": 10, "after": "bm90LWEtY3Vyc29y"}, token=a.token["unit"])
    # then it is refused
    assert error_codes(body) == ["BAD_USER_INPUT"]
