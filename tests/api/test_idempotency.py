"""Idempotency-Key: a retried mutation gets the first answer and never writes twice; a reused key is refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from api.idempotency import KEY_TTL
from store import tables
from tests.api.projects_helpers import CREATE, draft_input
from tests.utils import make_agencies


async def _create(client: Any, token: str, key: str | None, **overrides: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    body = {"query": CREATE, "variables": {"input": draft_input(**overrides)}}
    return await client.post("/graphql", json=body, headers=headers)


async def _projects(session_factory: Any) -> int:
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(tables.projects))).scalar_one())


async def test_the_same_key_twice_gives_the_first_answer_and_writes_once(api, client, session_factory):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when it sends the same creation twice with one key
    first = await _create(client, a.token["unit"], "k-1")
    again = await _create(client, a.token["unit"], "k-1")
    # then the retry gets the first answer, marked as replayed, and one project exists
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["idempotency-replayed"] == "true"
    assert first.json()["data"]["projectCreate"]["project"]["id"]
    assert await _projects(session_factory) == 1


async def test_the_same_key_for_a_different_request_is_refused_and_changes_nothing(
    api, client, session_factory
):
    # given a project created with a key
    a = await make_agencies(api, session_factory, "unit")
    await _create(client, a.token["unit"], "k-2")
    # when the key comes again with another request
    other = await _create(client, a.token["unit"], "k-2", name="另一个项目")
    # then 422 BAD_USER_INPUT naming the reason, and still one project
    assert other.status_code == 422
    assert other.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "idempotency-key-reused",
    }
    assert await _projects(session_factory) == 1


async def test_a_key_is_its_credentials_own_and_expires_after_its_time(api, client, session_factory, clock):
    # given one key used by one unit
    a = await make_agencies(api, session_factory, "unit", "unit2")
    await _create(client, a.token["unit"], "k-3")
    # when another unit uses the same key, and the first unit uses it again after KEY_TTL
    second_unit = await _create(client, a.token["unit2"], "k-3")
    clock.advance(seconds=KEY_TTL.total_seconds() + 1)
    token = await api.login("user.unit")  # the session expired meanwhile
    later = await _create(client, token, "k-3")
    # then both ran: three projects
    assert "idempotency-replayed" not in second_unit.headers and "idempotency-replayed" not in later.headers
    assert await _projects(session_factory) == 3


async def test_without_a_key_or_for_a_query_nothing_is_replayed(api, client, session_factory):
    # given a unit
    a = await make_agencies(api, session_factory, "unit")
    headers = {"Authorization": f"Bearer {a.token['unit']}", "Idempotency-Key": "k-4"}
    # when it creates twice without a key, and asks a query twice with one
    await _create(client, a.token["unit"], None)
    await _create(client, a.token["unit"], None)
    queries = [
        await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=headers) for _ in "ab"
    ]
    # then both creations ran, and the queries were answered normally
    assert await _projects(session_factory) == 2
    assert all(
        "idempotency-replayed" not in q.headers and q.json()["data"]["viewer"]["role"] == "unit"
        for q in queries
    )
