"""Rate limits keyed by who the credential proves (issue 13.2): invented or respelled bearers buy no fresh
bucket, X-Forwarded-For is believed only from configured proxies, and every endpoint counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.cli import proxy_options
from api.settings import Settings
from domain.actors import OrgType
from tests.utils import PASSWORD, make_org, make_user

QUERY = {"query": "{ __typename }"}
LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"


@pytest.fixture
async def limited(engine, clock) -> AsyncIterator[Any]:
    """An app allowing 3 requests a minute per user or token and 3 per address without a valid credential."""
    settings = Settings(token_secret="r" * 48, rate_limit_per_minute=3, rate_limit_anonymous_per_minute=3)
    yield create_app(settings, engine=engine, clock=clock, policy_from_database=False)


def _client(app: Any, address: str = "10.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1)), base_url="http://t")


async def _token(app: Any, session_factory, clock) -> str:
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "edu.chen")
    async with _client(app, "10.9.9.9") as http:
        body = (
            await http.post("/graphql", json={"query": LOGIN, "variables": {"u": "edu.chen", "p": PASSWORD}})
        ).json()
    clock.advance(seconds=60)  # a fresh window: the sign-in counted against 10.9.9.9
    return str(body["data"]["login"]["token"])


async def test_invented_and_respelled_bearers_count_against_the_address(limited):
    # given one address sending a new made-up bearer each time, in every spelling
    headers = ["Bearer x", "bearer y", "BEARER  z", f"Bearer {'0' * 40}", "Bearer ykt_madeup"]
    async with _client(limited) as http:
        # when it sends five requests
        statuses = [
            (await http.post("/graphql", json=QUERY, headers={"Authorization": h})).status_code
            for h in headers
        ]
    # then they share the address's bucket of 3
    assert statuses == [200, 200, 200, 429, 429]


async def test_a_user_has_one_bucket_however_the_header_is_spelled_and_wherever_it_comes_from(
    limited, session_factory, clock
):
    # given a signed-in user
    token = await _token(limited, session_factory, clock)
    spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER  {token} ", f"Bearer {token}"]
    # when the same user asks four times, from two addresses, in four spellings
    statuses = []
    for i, header in enumerate(spellings):
        async with _client(limited, f"10.0.0.{i % 2 + 1}") as http:
            statuses.append(
                (await http.post("/graphql", json=QUERY, headers={"Authorization": header})).status_code
            )
        # and an anonymous caller from one of those addresses is not charged for the user's requests
    async with _client(limited, "10.0.0.1") as http:
        anonymous = (await http.post("/graphql", json=QUERY)).status_code
    # then the fourth is refused; the address's own bucket is untouched
    assert statuses == [200, 200, 200, 429] and anonymous == 200


async def test_export_and_downloads_count_and_are_refused_once_the_user_is_limited(
    limited, session_factory, clock
):
    # given a user who used 2 of 3 requests on GraphQL
    token = await _token(limited, session_factory, clock)
    auth = {"Authorization": f"Bearer {token}"}
    async with _client(limited) as http:
        for _ in range(2):
            assert (await http.post("/graphql", json=QUERY, headers=auth)).status_code == 200
        # when the user exports, exports again, then downloads
        first = await http.get("/export/projects.ndjson", headers=auth)
        second = await http.get("/export/projects.ndjson", headers=auth)
        download = await http.get("/attachments/QXR0YWNobWVudDox", headers=auth)
    # then the first export was the third request, the rest are refused
    assert first.status_code == 200
    assert second.status_code == 429 and second.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert download.status_code == 429


async def test_x_forwarded_for_opens_no_new_bucket(limited):
    # given one address claiming a different forwarded client each time
    async with _client(limited, "127.0.0.1") as http:
        statuses = [
            (
                await http.post("/graphql", json=QUERY, headers={"X-Forwarded-For": f"203.0.113.{i}"})
            ).status_code
            for i in range(4)
        ]
    # then they all count against that one address
    assert statuses == [200, 200, 200, 429]


def test_uvicorn_believes_forwarded_headers_only_from_configured_proxies():
    # given no trusted proxies, then two
    default = proxy_options(Settings())
    configured = proxy_options(Settings(trusted_proxies="10.1.0.5, 10.2.0.0/16"))
    # then by default uvicorn ignores X-Forwarded-For (its own default trusts 127.0.0.1)
    assert default == {"proxy_headers": False, "forwarded_allow_ips": ""}
    assert configured == {"proxy_headers": True, "forwarded_allow_ips": "10.1.0.5,10.2.0.0/16"}


@pytest.mark.parametrize(
    ("secret", "ttl", "refused"),
    [
        ("x", 15, "at least 32 bytes"),
        ("s" * 31, 15, "at least 32 bytes"),
        ("s" * 32, 15, None),
        ("s" * 32, 16, "at most 15"),
    ],
)
def test_production_refuses_a_short_token_secret_and_long_lived_tokens(secret, ttl, refused):
    # given production settings
    settings = Settings(environment="production", token_secret=secret, token_ttl_minutes=ttl)
    # when the app checks them at start-up
    if refused is None:
        settings.check()
        return
    # then a secret under 32 bytes or access tokens over 15 minutes stop it
    with pytest.raises(RuntimeError, match=refused):
        settings.check()
