"""The plain-fields executor answers exactly as graphql-core's own path: same data, same key order, same
errors at the same paths — only faster for fields that just read an attribute."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import strawberry

from api.graphql.common import CNY, CNY_SCALAR
from api.graphql.execution import PlainFieldsExecutor


@strawberry.enum
class Color(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Unit(Named):
    code: str | None
    color: Color


@strawberry.type
class Item(Named):
    amount: CNY
    unit: Unit
    maybe_unit: Unit | None
    tags: list[str]
    units: list[Unit]
    must_be_set: str  # set to None below to break it

    @strawberry.field
    def computed(self) -> int:
        return len(self.name)

    @strawberry.field
    async def later(self) -> str:
        return self.name.upper()


def _items(broken: bool = False) -> list[Item]:
    unit = Unit(name="u1", code=None, color=Color.RED)
    other = Unit(name="u2", code="C2", color=Color.BLUE)
    return [
        Item(
            name=f"item{i}",
            amount=Decimal("1234.50"),
            unit=unit,
            maybe_unit=other if i % 2 else None,
            tags=["a", "b"],
            units=[unit, other],
            must_be_set=None if broken and i == 1 else "x",
        )  # type: ignore[arg-type]
        for i in range(3)
    ]


@strawberry.type
class Query:
    @strawberry.field
    async def items(self, broken: bool = False) -> list[Item]:
        return _items(broken)

    @strawberry.field
    def bad_amount(self) -> CNY:
        return "not money"  # type: ignore[return-value]

    @strawberry.field
    def named(self) -> Named:
        return _items()[0]


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    config = strawberry.schema.config.StrawberryConfig(scalar_map={CNY: CNY_SCALAR})
    return (
        strawberry.Schema(query=Query, config=config),
        strawberry.Schema(query=Query, config=config, execution_context_class=PlainFieldsExecutor),
    )


QUERIES = [
    "{ items { name code: __typename amount unit { name code color } maybeUnit { code } tags units { name } } }",
    "{ items { computed later name unit { __typename name } } }",
    "query($skip: Boolean!) { items { name @skip(if: $skip) unit { code @include(if: $skip) color } } }",
    "{ items { ...F } } fragment F on Item { name unit { ...U } } fragment U on Unit { code name }",
    "{ items { a: name b: name unit { x: color } } }",
    "{ items(broken: true) { name mustBeSet unit { name } } }",
    "{ items(broken: true) { name unit { name } maybeUnit { name } } }",
    "{ badAmount }",
    "{ named { name ... on Item { amount unit { name } } } }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_answers_as_graphql_core_does(query: str) -> None:
    standard, plain = _schemas()
    variables: dict[str, Any] = {"skip": True}
    expected = await standard.execute(query, variable_values=variables)
    actual = await plain.execute(query, variable_values=variables)
    # same data, in the same key order
    assert json.dumps(actual.data) == json.dumps(expected.data)
    # same errors, at the same paths
    assert [(e.message, e.path) for e in actual.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


async def test_a_null_in_a_non_null_field_is_the_same_error_in_the_same_place() -> None:
    _, plain = _schemas()
    result = await plain.execute("{ items(broken: true) { name mustBeSet } }")
    assert result.data is None
    assert result.errors is not None and result.errors[0].path == ["items", 1, "mustBeSet"]


class _Counting(PlainFieldsExecutor):
    calls = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        type(self).calls += 1
        return super().execute_field(*args, **kwargs)


async def test_plain_fields_skip_graphql_cores_per_field_path() -> None:
    config = strawberry.schema.config.StrawberryConfig(scalar_map={CNY: CNY_SCALAR})
    schema = strawberry.Schema(query=Query, config=config, execution_context_class=_Counting)
    result = await schema.execute("{ items { name amount unit { name color } tags } }")
    assert result.errors is None and len(result.data["items"]) == 3
    # only the root field `items` (an async resolver) takes graphql-core's path; 3 × 6 fields are read plainly
    assert _Counting.calls == 1
