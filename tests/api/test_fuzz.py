"""Fuzzing: generated queries and mutations, sent with a token of each role, never cause a server error."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import strategies as gql

from api.errors import TOP_LEVEL_CODES
from api.graphql.schema import build_schema
from tests.utils import make_agencies

ROLES = (
    "unit",
    "bdb",
    "finance",
    "cac",
    "psb",
    "crypto",
    "audit",
    "government",
    "evaluator",
    "integrator",
    "admin",
)
EXAMPLES = 100  # of each kind: queries and mutations; bounded so the suite stays fast

SCALARS = {
    "CNY": st.decimals(min_value=-1, max_value=10**10, places=2, allow_nan=False, allow_infinity=False).map(
        lambda d: nodes.String(str(d))
    ),
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "+08:00")),
    "JSON": st.text(max_size=8).map(nodes.String),
    "Upload": st.just(nodes.Null),
}


def _generate(kind: str) -> list[str]:
    """Draw documents with hypothesis (seeded by its own database-less run) before the async part."""
    schema = build_schema()._schema
    strategy = (gql.queries if kind == "query" else gql.mutations)(schema, custom_scalars=SCALARS)
    drawn: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=strategy)
    def collect(document: Any) -> None:
        drawn.append(str(document))

    collect()
    return drawn


def _server_errors(status: int, body: dict[str, Any]) -> list[Any]:
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    uncatalogued = not set(codes) <= set(TOP_LEVEL_CODES)
    return [status, codes] if status >= 500 or "INTERNAL" in codes or uncatalogued else []


async def test_generated_queries_and_mutations_never_cause_a_server_error(api, session_factory):
    # given a signed-in user of every role, and anonymous
    a = await make_agencies(api, session_factory, *ROLES)
    tokens = [a.token[role] for role in ROLES] + [None]
    documents = _generate("query") + _generate("mutation")
    # when each document is sent with the next role's token
    failures = []
    for i, document in enumerate(documents):
        response = await api.post(document, token=tokens[i % len(tokens)])
        body = (
            response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        )
        problem = _server_errors(response.status_code, body)
        if problem:
            failures.append((problem, document, body))
    # then
    assert failures == [], failures[:3]
