"""Fuzzing the variables: wrong, missing and extra ones for every mutation and every query argument, sent
with the token of several roles and anonymously, never give INTERNAL or a 5xx — always a catalogue code."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.errors import TOP_LEVEL_CODES
from api.graphql.schema import build_schema
from api.settings import Settings
from tests.utils import make_agencies

ROLES = ("unit", "bdb", "admin", None)  # None: anonymous
EXAMPLES = 5  # variable sets per operation (each with the next role): ~400 requests, well within a minute

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
PLAUSIBLE_SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "Int": st.integers(min_value=-5, max_value=200),
    "Float": st.floats(allow_nan=False, allow_infinity=False),
    "String": st.text(max_size=12),
    "ID": st.sampled_from(["UHJvamVjdDox", "T3JnYW5pemF0aW9uOjE", "", "x", "UHJvamVjdDpub3Q"]),
    "Boolean": st.booleans(),
    "CNY": st.sampled_from(["0.00", "1.234", "-1", "abc", "2000000.00", "1e3", " 12 ", "99999999999999999"]),
    "Date": st.sampled_from(["2026-03-02", "2026-13-45", "yesterday", "2026-02-29", ""]),
    "DateTime": st.sampled_from(["2026-03-02T09:30:00+08:00", "2026-03-02", "not a time"]),
    "JSON": JUNK,
    "Upload": st.none(),
}


def _value(type_: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """A value shaped like `type_` more often than not, with junk mixed in at every level."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return st.one_of(st.lists(_value(type_.of_type, depth + 1), max_size=2), JUNK)
    if isinstance(type_, GraphQLEnumType):
        return st.one_of(st.sampled_from(sorted(type_.values)), st.sampled_from(["NOPE", "", "unit"]), JUNK)
    if isinstance(type_, GraphQLScalarType):
        return st.one_of(PLAUSIBLE_SCALARS.get(type_.name, JUNK), JUNK)
    assert isinstance(type_, GraphQLInputObjectType)
    if depth > 2:
        return JUNK
    required = {
        n: _value(f.type, depth + 1) for n, f in type_.fields.items() if isinstance(f.type, GraphQLNonNull)
    }
    optional = {n: _value(f.type, depth + 1) for n, f in type_.fields.items() if n not in required}
    shaped = st.fixed_dictionaries({}, optional={**required, **optional, "zzUnknownField": JUNK})
    return st.one_of(shaped, st.fixed_dictionaries(required, optional=optional), JUNK)


def _operations() -> list[tuple[str, dict[str, GraphQLInputType]]]:
    """A document per mutation and per query field with arguments, every argument bound to a variable."""
    schema = build_schema()._schema
    documents = []
    for kind, root in (("mutation", schema.mutation_type), ("query", schema.query_type)):
        assert root is not None
        for name, field in sorted(root.fields.items()):
            if kind == "query" and not field.args:
                continue
            documents.append(_document(kind, name, field))
    return documents


def _document(kind: str, name: str, field: GraphQLField) -> tuple[str, dict[str, GraphQLInputType]]:
    types = {arg: a.type for arg, a in field.args.items()}
    declared = ", ".join(f"${arg}: {t}" for arg, t in types.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in types)
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    head = f"{kind}({declared})" if declared else kind
    call = f"{name}({passed})" if passed else name
    return f"{head} {{ {call}{selection} }}", types


def _variables(types: dict[str, GraphQLInputType]) -> st.SearchStrategy[dict[str, Any]]:
    """Some arguments missing, some wrong, sometimes a variable no operation declares."""
    optional = {arg: _value(t) for arg, t in types.items()} | {"zzUndeclared": JUNK}
    return st.fixed_dictionaries({}, optional=optional)


def _draw(operations: list[tuple[str, dict[str, GraphQLInputType]]]) -> list[tuple[str, dict[str, Any]]]:
    """EXAMPLES variable sets per operation, drawn (derandomized) before the async part."""
    drawn: list[tuple[str, dict[str, Any]]] = []

    @hypothesis_settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(sets=st.tuples(*(_variables(types) for _, types in operations)))
    def collect(sets: tuple[dict[str, Any], ...]) -> None:
        drawn.extend((document, variables) for (document, _), variables in zip(operations, sets, strict=True))

    collect()
    return drawn


@pytest.fixture
def settings() -> Settings:
    return Settings(
        token_secret="test-secret-" + "x" * 40,
        token_ttl_minutes=60,
        environment="development",
        rate_limit_per_minute=0,  # the fuzz sends far more than a client may in a minute
        rate_limit_anonymous_per_minute=0,
    )


async def test_wrong_missing_and_extra_variables_never_give_internal_or_5xx(api, client, session_factory):
    # given signed-in users of three roles, and anonymous
    a = await make_agencies(api, session_factory, *(r for r in ROLES if r))
    tokens = [a.token[r] if r else None for r in ROLES]
    operations = _operations()
    requests = _draw(operations)
    # when each operation is sent with generated variables, each time with the next role
    failures, seen = [], set()
    for i, (document, variables) in enumerate(requests):
        token = tokens[i % len(tokens)]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.post(
            "/graphql", json={"query": document, "variables": variables}, headers=headers
        )
        body = response.json()
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or ()]
        seen.update(codes)
        if response.status_code >= 500 or not set(codes) <= set(TOP_LEVEL_CODES) - {"INTERNAL"}:
            failures.append((response.status_code, codes, document, variables))
    # then
    assert failures == [], failures[:3]
    assert len(requests) == EXAMPLES * len(operations) and len(operations) > 50
    # the mistakes did reach us, and so did authorization (FORBIDDEN, or NOT_FOUND where existence is hidden)
    assert {"BAD_USER_INPUT", "UNAUTHENTICATED"} <= seen and seen & {"FORBIDDEN", "NOT_FOUND"}, seen
