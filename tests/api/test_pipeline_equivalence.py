"""The API answers byte for byte as it did before issue 17's pipeline work: the same requests through the app
with its cached extension hooks and input plans, and again with strawberry's own runner and field-by-field
conversion put back, give the same status, media type and body — answers, refusals and errors alike — and
the same security events."""

from __future__ import annotations

import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import strawberry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types.base import StrawberryObjectDefinition

from api.graphql.schema import build_schema
from tests.utils import Api, make_agencies

DRAFT = {
    "name": "营口市测试项目",
    "kind": "BUILD",
    "category": "BUSINESS_SYSTEM",
    "fundingSource": "FISCAL",
    "totalInvestment": "-1.00",  # refused: nothing is written, so both runs see the same database
    "description": "测试",
    "contact": {"name": "王工", "phone": "0417-2800001", "email": "w@yk.gov.cn"},
}
CREATE = """mutation($input: ProjectCreateInput!) { projectCreate(input: $input)
  { project { id } userErrors { code rule article field message } } }"""


def _requests(token: dict[str, str]) -> list[tuple[dict[str, Any], dict[str, str]]]:
    unit = {"Authorization": f"Bearer {token['unit']}"}
    english = {**unit, "Accept-Language": "en"}
    modern = {**unit, "Accept": "application/graphql-response+json"}
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(25)) + " }"
    return [
        ({"query": "{ __typename }"}, unit),
        ({"query": "{ projects(first: 5) { totalCount edges { node { id name status } } } }"}, unit),
        ({"query": "{ projects(first: 5) { totalCount } }"}, {}),  # unauthenticated
        ({"query": "{ policyRules { version } }"}, unit),  # FORBIDDEN: a security event
        ({"query": "{ policyRules { version } }"}, english),
        ({"query": "{ projects(first: 5) { nope } }"}, unit),  # validation
        ({"query": "{ projects(first: 5) { nope } }"}, modern),
        ({"query": "{ projects(first: "}, unit),  # syntax
        ({"query": aliases}, unit),  # a limit
        ({"query": CREATE, "variables": {"input": DRAFT}}, unit),  # userErrors
        ({"query": CREATE, "variables": {"input": DRAFT}}, english),
        ({"query": CREATE, "variables": {"input": {**DRAFT, "kind": "NOPE"}}}, unit),  # bad variables
        ({"query": CREATE, "variables": {"input": DRAFT}}, {}),  # unauthenticated mutation
    ]


@contextmanager
def strawberrys_own_pipeline() -> Iterator[None]:
    """strawberry's own extensions runner and input conversion, in place of ours, for the duration."""
    schema = build_schema()
    inputs = [
        c.definition
        for c in schema.schema_converter.type_map.values()
        if isinstance(c.definition, StrawberryObjectDefinition) and c.definition.is_input
    ]
    plans = [d.from_input for d in inputs]
    schema.create_extensions_runner = types.MethodType(  # type: ignore[method-assign]
        strawberry.Schema.create_extensions_runner, schema
    )
    try:
        for definition in inputs:
            definition.from_input = None
        yield
    finally:
        del schema.create_extensions_runner
        for definition, plan in zip(inputs, plans, strict=True):
            definition.from_input = plan


async def _answers(client: httpx.AsyncClient, requests: list[Any]) -> list[tuple[int, str, bytes]]:
    answers = []
    for body, headers in requests:
        response = await client.post("/graphql", json=body, headers=headers)
        answers.append((response.status_code, response.headers.get("content-type", ""), response.content))
    return answers


async def _events(factory: async_sessionmaker[AsyncSession]) -> list[tuple[Any, ...]]:
    async with factory() as session:
        rows = await session.execute(text("SELECT kind, username, detail FROM security_events ORDER BY id"))
        return [tuple(r) for r in rows.all()]


async def test_the_pipeline_answers_as_strawberrys_own_does(
    client: httpx.AsyncClient, api: Api, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # given a signed-in unit and requests that answer, refuse and fail in every way the pipeline knows
    agencies = await make_agencies(api, session_factory, "unit")
    requests = _requests(agencies.token)
    before = await _events(session_factory)
    # when they go through the API as it runs, and again with strawberry's own runner and conversion
    ours = await _answers(client, requests)
    after_ours = await _events(session_factory)
    with strawberrys_own_pipeline():
        theirs = await _answers(client, requests)
    after_theirs = await _events(session_factory)
    # then every answer is the same, byte for byte, and each run recorded the same security events
    assert ours == theirs
    assert after_ours[len(before) :] == after_theirs[len(after_ours) :] != []
    assert any(b"FORBIDDEN" in body for _, _, body in ours), "the requests include a refusal"
    assert build_schema().create_extensions_runner.__func__ is not strawberry.Schema.create_extensions_runner
