"""Helpers for tests over HTTP: a GraphQL client, organizations and users made directly in the database."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

import asyncpg
import httpx
from argon2 import PasswordHasher
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.graphql.common import to_global_id
from authz.listener import asyncpg_connector
from domain.actors import OrgType
from store import tables

PASSWORD = "correct horse battery"


@cache
def _password_hash() -> str:
    """A real argon2id hash of PASSWORD at the cheapest parameters: the API verifies it like any other (the
    parameters travel in the hash), but a login costs ~1 ms instead of ~60 ms and 64 MiB — thousands of test
    logins were a third of the suite's time. The production parameters are tested in tests/unit/test_auth_hash.py.
    """
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


class Api:
    """GraphQL over real HTTP (httpx against the ASGI app)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        lang: str | None = None,
    ) -> httpx.Response:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if lang:
            headers["Accept-Language"] = lang
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def gql(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        response = await self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The data of a response that must have no top-level errors."""
        body = await self.gql(query, variables, **kwargs)
        assert "errors" not in body, body
        return body["data"]

    async def login(self, username: str, password: str = PASSWORD) -> str:
        body = await self.data(
            "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) "
            "{ token userErrors { code } } }",
            {"u": username, "p": password},
        )
        assert body["login"]["userErrors"] == [], body
        return body["login"]["token"]


async def session_token(api: Api, actor: Any, *, secret: str, now: Any, minutes: int = 60) -> str:
    """A fresh session of `actor`'s user and its access token, minted directly (an argon2 sign-in per
    test step would dominate the tests); the session row is what every request checks."""
    from datetime import timedelta

    from api.auth import issue_session_token
    from store.session_tables import user_sessions

    engine = api.client._transport.app.state.engine  # type: ignore[attr-defined]  # the app under test
    async with engine.begin() as connection:
        session_id = (
            await connection.execute(
                insert(user_sessions)
                .values(user_id=actor.user_id, created_at=now, expires_at=now + timedelta(hours=8))
                .returning(user_sessions.c.id)
            )
        ).scalar_one()
    return issue_session_token(
        actor, session_id=session_id, secret=secret, ttl=timedelta(minutes=minutes), now=now
    ).token


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def make_org(factory: async_sessionmaker[AsyncSession], kind: OrgType, name: str | None = None) -> int:
    async with factory() as session, session.begin():
        pk = (
            await session.execute(
                insert(tables.organizations)
                # a fresh name each call: id(object()) was reused by the next call's object (same address once
                # the first was freed), and two organizations got one name (seen in CI: uq_organizations_name)
                .values(name=name or f"{kind.value}-{uuid.uuid4().hex[:12]}", type=kind.value)
                .returning(tables.organizations.c.id)
            )
        ).scalar_one()
    return int(pk)


async def make_user(
    factory: async_sessionmaker[AsyncSession], org_id: int, username: str, *, is_admin: bool = False
) -> str:
    async with factory() as session, session.begin():
        await session.execute(
            insert(tables.users).values(
                username=username,
                display_name=username,
                password_hash=_password_hash(),
                organization_id=org_id,
                is_admin=is_admin,
            )
        )
    return username


class Agencies:
    """One organization and one signed-in user per role, made for a test."""

    def __init__(self) -> None:
        self.org: dict[str, int] = {}
        self.token: dict[str, str] = {}

    def gid(self, role: str) -> str:
        return to_global_id("Organization", self.org[role])


async def make_agencies(api: Api, factory: async_sessionmaker[AsyncSession], *roles: str) -> Agencies:
    """Roles are org types or `admin`; a trailing number makes another organization of the type (unit2 …)."""
    agencies = Agencies()
    for role in roles:
        base = role.rstrip("0123456789")
        org_type = OrgType.BDB if base == "admin" else OrgType(base)
        org = await make_org(factory, org_type, name=f"测试-{role}")
        agencies.org[role] = org
        username = await make_user(factory, org, f"user.{role}", is_admin=role == "admin")
        agencies.token[role] = await api.login(username)
    return agencies


async def connect_database(url: str) -> asyncpg.Connection:
    """A plain asyncpg connection to the database `url` names, as the role it names (TCP or a socket)."""
    return await asyncpg_connector(url, application_name="yingkou-tests")()
