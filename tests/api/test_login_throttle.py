"""Throttled sign-in (issue 13.2): a growing delay per username and per address, a temporary lockout,
counters in PostgreSQL, and every failure a security event."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from api.app import create_app
from domain.actors import OrgType
from store.session_tables import security_events
from tests.utils import PASSWORD, make_org, make_user

LOGIN = (
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) "
    "{ token userErrors { code field message } } }"
)


async def _attempt(api, username: str, password: str, **kwargs) -> list[str]:
    body = (await api.data(LOGIN, {"u": username, "p": password}, **kwargs))["login"]
    assert (body["token"] is None) == bool(body["userErrors"])
    return [e["code"] for e in body["userErrors"]]


async def _events(session_factory) -> dict[str, int]:
    e = security_events
    async with session_factory() as session:
        rows = (await session.execute(select(e.c.kind, func.count()).group_by(e.c.kind))).all()
    return {kind: count for kind, count in rows}


async def test_25_wrong_passwords_lock_the_username_even_against_the_right_one(api, session_factory, clock):
    # given a user
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "edu.chen")
    # when 25 wrong passwords are tried, each after any delay has passed
    answers = []
    for _ in range(25):
        answers.append(await _attempt(api, "edu.chen", "wrong password"))
        clock.advance(seconds=31)
    # then the first 5 were checked and the rest refused unchecked; the right password is refused too
    assert answers[:5] == [["INVALID_CREDENTIALS"]] * 5
    assert answers[5:] == [["LOGIN_THROTTLED"]] * 20
    assert await _attempt(api, "edu.chen", PASSWORD) == ["LOGIN_THROTTLED"]
    # and every failure left its trace: 5 failures, one lockout, 21 throttled attempts
    events = await _events(session_factory)
    assert (events["LOGIN_FAILED"], events["LOGIN_LOCKED"], events["LOGIN_THROTTLED"]) == (5, 1, 21)
    # when the 15-minute lockout (counted from the 5th failure) is over, the right password signs in
    clock.advance(minutes=15)
    assert await _attempt(api, "edu.chen", PASSWORD) == []


async def test_an_attempt_within_the_delay_is_refused_unchecked_and_says_when_to_retry(
    api, session_factory, clock
):
    # given a user who just typed a wrong password twice (1 s apart)
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "edu.chen")
    await _attempt(api, "edu.chen", "wrong password")
    clock.advance(seconds=1)
    await _attempt(api, "edu.chen", "wrong password")
    # when the right password comes 1.5 s later (the delay after two failures is 2 s)
    clock.advance(seconds=1.5)
    early = (await api.data(LOGIN, {"u": "edu.chen", "p": PASSWORD}, lang="en"))["login"]
    clock.advance(seconds=0.5)
    on_time = await _attempt(api, "edu.chen", PASSWORD)
    # then the early one is refused with the wait, the one on time signs in
    assert early["userErrors"][0]["code"] == "LOGIN_THROTTLED"
    assert early["userErrors"][0]["message"] == "Too many failed sign-ins; try again in 1 s."
    assert on_time == []


async def test_parallel_guesses_are_counted_one_after_the_other(api, session_factory):
    # given a user
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "edu.chen")
    # when ten wrong passwords arrive at once
    answers = await asyncio.gather(*(_attempt(api, "edu.chen", f"guess number {i}") for i in range(10)))
    # then only one was checked; the others came within its delay and were refused unchecked
    assert sorted(a[0] for a in answers) == ["INVALID_CREDENTIALS"] + ["LOGIN_THROTTLED"] * 9
    assert (await _events(session_factory))["LOGIN_FAILED"] == 1


async def test_an_address_spraying_usernames_is_locked_but_others_are_not(
    settings, engine, session_factory, clock
):
    # given a real user, and an address that tries 20 made-up usernames
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "edu.chen")
    app = create_app(settings, engine=engine, clock=clock, policy_from_database=False)
    spray = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("10.0.0.9", 1)), base_url="http://t"
    )
    office = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("10.0.0.10", 1)), base_url="http://t"
    )

    async def login(http: httpx.AsyncClient, username: str, password: str) -> list[str]:
        body = (
            await http.post("/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}})
        ).json()
        return [e["code"] for e in body["data"]["login"]["userErrors"]]

    async with spray, office:
        sprayed = []
        for i in range(20):
            sprayed.append(await login(spray, f"nobody.{i}", "Spring2026!!"))
            clock.advance(seconds=31)
        # when the real user's right password comes from that address, and from another one
        from_spray = await login(spray, "edu.chen", PASSWORD)
        from_office = await login(office, "edu.chen", PASSWORD)
    # then the spraying address is locked after its 20th failure; the user signs in from elsewhere
    assert sprayed == [["INVALID_CREDENTIALS"]] * 20
    assert from_spray == ["LOGIN_THROTTLED"] and from_office == []
