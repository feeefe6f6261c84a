"""OWASP GraphQL limits: each just under and just over, each refusal explaining itself (zh/en)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import strawberry
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api import limits
from api.app import create_app
from api.settings import Settings
from store.engine import make_engine
from tests.utils import Api, error_codes, make_agencies


def _too_complex(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in body.get("errors", []) if e.get("extensions", {}).get("code") == "QUERY_TOO_COMPLEX"]


# A recursive schema: the real one is too shallow to reach depth 10 with valid fields.
@strawberry.type
class Tree:
    name: str = "n"

    @strawberry.field
    def child(self) -> Tree:
        return Tree()


@strawberry.type
class TreeQuery:
    @strawberry.field
    def tree(self) -> Tree:
        return Tree()


def _nested(levels: int) -> str:
    """`tree { child { … { name } } }` with `levels` selection levels below the root field."""
    return "tree " + "{ child " * (levels - 1) + "{ name }" + " }" * (levels - 1)


@pytest.mark.parametrize(("levels", "refused"), [(10, False), (11, True)])
async def test_depth_is_at_most_10(levels, refused):
    schema = strawberry.Schema(query=TreeQuery, extensions=limits.limit_extensions(production=False))
    result = await schema.execute("{ " + _nested(levels) + " }")
    codes = [e.extensions.get("code") for e in result.errors or []]
    assert codes == (["QUERY_TOO_COMPLEX"] if refused else [])


@pytest.mark.parametrize(("levels", "refused"), [(10, False), (11, True)])
async def test_depth_counts_through_fragments(levels, refused):
    # given the same nesting split across two fragments
    inner = "{ child " * (levels - 5) + "{ name }" + " }" * (levels - 5)
    query = (
        "{ tree { ...A } } fragment A on Tree { child { child { ...B } } } "
        f"fragment B on Tree {{ child {{ child {inner} }} }}"
    )
    schema = strawberry.Schema(query=TreeQuery, extensions=limits.limit_extensions(production=False))
    # when
    result = await schema.execute(query)
    # then
    assert [e.extensions["limit"] for e in result.errors or []] == (["depth"] if refused else [])


async def test_depth_refusal_explains_itself_in_english(api):
    body = await api.gql("{ " + _nested(12).replace("tree", "viewer") + " }", lang="en")
    refusal = _too_complex(body)
    assert refusal[0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "depth", "max": 10}
    assert "at most 10 levels" in refusal[0]["message"]


@pytest.mark.parametrize(("aliases", "refused"), [(20, False), (21, True)])
async def test_aliases_are_at_most_20(api, aliases, refused):
    # given
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(aliases)) + " }"
    # when
    body = await api.gql(query)
    # then
    if refused:
        assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
        assert body["errors"][0]["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "aliases",
            "max": 20,
            "actual": 21,
        }
        assert "别名过多：21 个，最多 20 个" in body["errors"][0]["message"]
    else:
        assert "errors" not in body and len(body["data"]) == 20


@pytest.mark.parametrize(("tokens", "refused"), [(1000, False), (1001, True)])
async def test_tokens_are_at_most_1000(api, tokens, refused):
    # given 110 fragment spreads (2 tokens each) of 110 fragments (7 tokens each), braces, padding fields;
    # distinct fragments because ~900 copies of one field overflow graphql-core's overlap check
    spreads = " ".join(f"...F{i}" for i in range(110))
    fragments = " ".join(f"fragment F{i} on Query {{ __typename }}" for i in range(110))
    query = "{" + spreads + " __typename" * (tokens - 2 - 9 * 110) + "}" + fragments
    # when
    body = await api.gql(query, lang="en")
    # then
    if refused:
        assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
        assert body["errors"][0]["extensions"]["limit"] == "tokens"
        assert "more than 1000 tokens" in body["errors"][0]["message"]
    else:
        assert body["data"] == {"__typename": "Query"}


def test_cost_counts_the_children_of_a_page_first_times():
    from graphql import parse

    document = parse("query($n: Int) { projects(first: $n) { totalCount edges { node { id name } } } }")
    # projects 1 + n × (totalCount 1 + edges (1 + node (1 + 2)))
    assert limits.query_cost(document, None, {"n": 10}) == 1 + 10 * (1 + 4)
    assert limits.query_cost(document, None, {}) == 1 + 20 * (1 + 4)  # no page size: the default page
    assert limits.query_cost(document, None, {"n": "x"}) == 1 + 100 * (1 + 4)  # not a size: the largest


def test_the_kept_cost_of_a_document_follows_its_page_size_variables():
    from graphql import parse

    # given one document costed once per request, kept per text, operation and the variables' sizes
    text = "query($n: Int, $f: ProjectFilter) { projects(first: $n, filter: $f) { nodes { id } } }"
    document = parse(text)
    # when it is asked with page sizes taking turns (and a filter object, which the cost does not read)
    sizes: list[object] = [10, 90, 10, 90, "x", None]
    costs = [limits.cached_query_cost(text, document, None, {"n": n, "f": {"year": 2026}}) for n in sizes]
    # then each request costs as its own page size says: projects 1 + n × (nodes 1 + id 1)
    assert costs == [1 + 10 * 2, 1 + 90 * 2, 1 + 10 * 2, 1 + 90 * 2, 1 + 100 * 2, 1 + 20 * 2]


def test_cost_counts_a_list_without_first_or_last_as_its_default_page_and_nodes_by_their_ids():
    from graphql import parse

    # given a list without page size, and nodes(ids:) with three literal ids and a variable of two
    listed = parse("{ projects { nodes { id name } } }")
    by_ids = parse('query($ids: [ID!]!) { a: nodes(ids: ["1", "2", "3"]) { id } b: nodes(ids: $ids) { id } }')
    # when costed
    list_cost = limits.query_cost(listed, None, {})
    ids_cost = limits.query_cost(by_ids, None, {"ids": ["1", "2"]})
    # then the list counts 20 items (projects 1 + 20 × (nodes 1 + 2)), nodes one item per id
    assert list_cost == 1 + 20 * 3
    assert ids_cost == (1 + 3 * 1) + (1 + 2 * 1)


@pytest.mark.parametrize(("first", "refused"), [(99, False), (100, True)])
async def test_cost_budget_is_10000(api, session_factory, first, refused):
    # given a page whose node asks for 98 fields: cost 1 + first × (1 + 1 + 98)
    a = await make_agencies(api, session_factory, "unit")
    query = "query($n: Int) { projects(first: $n) { edges { node { " + "id " * 98 + "} } } }"
    # when
    body = await api.gql(query, {"n": first}, token=a.token["unit"], lang="en")
    # then
    if refused:
        assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
        assert body["errors"][0]["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "cost",
            "max": 10_000,
            "actual": 10_001,
        }
        assert "costs 10001, above the budget of 10000" in body["errors"][0]["message"]
    else:
        assert "errors" not in body and body["data"]["projects"]["edges"] == []


async def test_batched_requests_are_refused_with_a_reason(client):
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    assert response.status_code == 400
    assert "one operation per request" in response.text


def _graphql_view(app: Any) -> Any:
    return next(route.endpoint for route in app.routes if getattr(route, "path", None) == "/graphql")


@pytest.mark.parametrize(("delay", "refused"), [(0.05, False), (5.0, True)])
async def test_a_request_is_stopped_after_the_request_timeout(engine, clock, delay, refused, monkeypatch):
    # given a 1 s request timeout (room for a loaded CI machine) and an execution that takes `delay`
    settings = Settings(token_secret="t" * 48, request_timeout_seconds=1.0)
    app = create_app(settings, engine=engine, clock=clock, policy_from_database=False)
    view = _graphql_view(app)
    execute = view.schema.execute

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(delay)
        return await execute(*args, **kwargs)

    # the schema is built once per process and shared by every app: patched for this test only
    monkeypatch.setattr(view.schema, "execute", slow)
    # when
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        body = (
            await http.post("/graphql", json={"query": "{ __typename }"}, headers={"Accept-Language": "en"})
        ).json()
    # then
    if refused:
        assert body["errors"][0]["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "timeout",
            "max": 1.0,
        }
        assert "nothing was changed" in body["errors"][0]["message"]
    else:
        assert body["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(("sleep", "refused"), [(0.01, False), (1.0, True)])
async def test_statement_timeout_stops_a_slow_statement(database_url, sleep, refused):
    engine = make_engine(database_url, pool_size=1, statement_timeout_ms=300)
    try:
        async with engine.connect() as connection:
            if refused:
                with pytest.raises(DBAPIError, match="statement timeout"):
                    await connection.execute(text(f"SELECT pg_sleep({sleep})"))
            else:
                await connection.execute(text(f"SELECT pg_sleep({sleep})"))
    finally:
        await engine.dispose()


@pytest.fixture
async def production_api(engine, clock):
    settings = Settings(token_secret="p" * 48, environment="production")
    app = create_app(settings, engine=engine, clock=clock, policy_from_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield Api(http)


async def test_production_refuses_introspection(production_api, api):
    query = "{ __schema { queryType { name } } }"
    refused = await production_api.gql(query, lang="en")
    allowed = await api.gql(query)
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "introspection-disabled"}
    assert "introspection is disabled in production" in refused["errors"][0]["message"]
    assert allowed["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_production_serves_no_graphiql(production_api, client):
    production = await production_api.client.get("/graphql", headers={"Accept": "text/html"})
    development = await client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in production.text.lower() and "graphiql" in development.text.lower()


async def test_production_gives_no_field_suggestions(production_api, api):
    query = "{ viewr { role } }"
    production = await production_api.gql(query, lang="en")
    development = await api.gql(query, lang="en")
    assert "Did you mean" not in production["errors"][0]["message"]
    assert "Did you mean" in development["errors"][0]["message"]


def _limited_app(engine, clock, per_minute: int, anonymous: int = 100) -> Any:
    settings = Settings(
        token_secret="r" * 48, rate_limit_per_minute=per_minute, rate_limit_anonymous_per_minute=anonymous
    )
    return create_app(settings, engine=engine, clock=clock, policy_from_database=False)


async def test_rate_limit_is_shared_by_every_api_process(database_url, clock):
    # given two API processes (separate apps and connection pools) on one database, 3 requests a minute
    # for an address, the second asked after the first's counts were merged whose bearer proves nothing (it counts against the address, issue 13)
    engines = [make_engine(database_url, pool_size=2) for _ in range(2)]
    apps = [_limited_app(engine, clock, per_minute=100, anonymous=3) for engine in engines]
    headers = {"Authorization": "Bearer same-token", "Accept-Language": "en"}
    try:
        # when the same token sends 2 requests to each
        responses = []
        for app in apps:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
                for _ in range(2):
                    responses.append(
                        await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
                    )
            # each process merges its counts into the shared table every 250 ms (api/rate_counter.py)
            await asyncio.sleep(0.6)
    finally:
        for engine in engines:
            await engine.dispose()
    # then the third is the last one allowed and the fourth is refused with an explanation
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    refused = responses[-1]
    assert refused.headers["RateLimit-Limit"] == "3"
    assert refused.headers["Retry-After"] == refused.headers["RateLimit-Reset"] == "60"  # 09:30:00 → 09:31
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "at most 3 per minute" in refused.json()["errors"][0]["message"]


async def test_rate_limit_window_resets_after_a_minute(engine, clock):
    # given an address that used up its 2 requests
    app = _limited_app(engine, clock, per_minute=100, anonymous=2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:

        async def ask() -> httpx.Response:
            return await http.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer t"}
            )

        statuses = [(await ask()).status_code for _ in range(3)]
        # when a minute passes
        clock.advance(seconds=60)
        after = await ask()
    # then
    assert statuses == [200, 200, 429]
    assert after.status_code == 200 and after.headers["RateLimit-Remaining"] == "1"
    assert "请求过于频繁" in (await _refusal_zh(app))


async def _refusal_zh(app: Any) -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        for _ in range(5):
            response = await http.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer t"}
            )
    return str(response.json()["errors"][0]["message"])


async def test_anonymous_requests_are_limited_per_address(engine, clock):
    # given one request a minute for anonymous callers
    app = _limited_app(engine, clock, per_minute=100, anonymous=1)
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.1", 1)), base_url="http://t"
        ) as first,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.2", 1)), base_url="http://t"
        ) as second,
    ):
        # when one address asks twice and another once
        statuses = [
            (await first.post("/graphql", json={"query": "{ __typename }"})).status_code for _ in range(2)
        ]
        other = await second.post("/graphql", json={"query": "{ __typename }"})
    # then
    assert statuses == [200, 429] and other.status_code == 200
