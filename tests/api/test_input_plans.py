"""Every input type of the schema is built by its plan (api/input_plans.py) exactly as strawberry's own
field-by-field conversion builds it: same classes, same values, defaults and nulls (issue 17)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryObjectDefinition

from api.graphql.schema import build_schema
from api.input_plans import InputPlan

SCHEMA = build_schema()
_leaves = itertools.count()


def _input_definitions() -> dict[str, StrawberryObjectDefinition]:
    return {
        name: concrete.definition
        for name, concrete in SCHEMA.schema_converter.type_map.items()
        if isinstance(concrete.definition, StrawberryObjectDefinition) and concrete.definition.is_input
    }


INPUTS = _input_definitions()


@contextmanager
def strawberrys_own_conversion() -> Iterator[None]:
    """The plans taken off every input type for the duration: strawberry converts field by field."""
    plans = {name: d.from_input for name, d in INPUTS.items()}
    try:
        for definition in INPUTS.values():
            definition.from_input = None
        yield
    finally:
        for name, definition in INPUTS.items():
            definition.from_input = plans[name]


def _value(type_: Any, variant: str, depth: int) -> Any:
    """An input value as graphql-core hands it over; leaves are unique strings (both paths keep leaves)."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, variant, depth)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type, variant, depth), _value(type_.of_type, variant, depth)]
    if isinstance(type_, GraphQLInputObjectType):
        value = {}
        for name, field in type_.fields.items():
            required = isinstance(field.type, GraphQLNonNull)
            if required:
                value[name] = _value(field.type, variant, depth + 1)
            elif variant == "nulls":
                value[name] = None
            elif variant == "full" and depth < 3:
                value[name] = _value(field.type, variant, depth + 1)
            # "required": an optional field is left out (its default applies)
        return value
    return f"leaf-{next(_leaves)}"


def _shape(value: Any) -> Any:
    """A built input as plain data: class name and fields, recursively (lists and leaves as they are)."""
    if isinstance(value, list):
        return [_shape(v) for v in value]
    if hasattr(value, "__strawberry_definition__"):
        return (type(value).__name__, {k: _shape(v) for k, v in vars(value).items()})
    return value


def test_every_input_type_has_a_plan() -> None:
    # given the schema's input types, then each builds its value with a plan
    assert INPUTS, "the schema has input types"
    assert all(isinstance(d.from_input, InputPlan) for d in INPUTS.values())


@pytest.mark.parametrize("variant", ["full", "required", "nulls"])
@pytest.mark.parametrize("name", sorted(INPUTS))
def test_a_planned_input_is_the_input_strawberry_builds(name: str, variant: str) -> None:
    # given a value of the input type, with every field, only the required ones, or nulls for the others
    graphql_type = SCHEMA._schema.type_map[name]
    value = _value(graphql_type, variant, 0)
    cls = INPUTS[name].origin
    registry, config = SCHEMA.schema_converter.scalar_registry, SCHEMA.config
    # when strawberry converts it field by field, and then its plan builds it
    with strawberrys_own_conversion():
        expected = convert_argument(value, cls, registry, config)
    actual = convert_argument(value, cls, registry, config)
    # then both are the same classes holding the same values
    assert _shape(actual) == _shape(expected)


def test_a_list_of_leaves_is_copied_not_shared_between_requests() -> None:
    # given an input with a list of leaves (graphql-core hands every request the same default list)
    name, field = next(
        (n, f)
        for n, t in sorted(SCHEMA._schema.type_map.items())
        if n in INPUTS
        for f_name, f in t.fields.items()  # type: ignore[union-attr]
        if isinstance(f.type, GraphQLNonNull | GraphQLList)
        and isinstance(getattr(f.type, "of_type", None), GraphQLList | GraphQLNonNull)
        and f.default_value == []
    )
    graphql_type = SCHEMA._schema.type_map[name]
    value = _value(graphql_type, "required", 0)
    shared: list[Any] = []
    key = next(k for k, f in graphql_type.fields.items() if f is field)  # type: ignore[union-attr]
    value[key] = shared
    # when the plan builds it
    built = convert_argument(
        value, INPUTS[name].origin, SCHEMA.schema_converter.scalar_registry, SCHEMA.config
    )
    # then the field holds a copy of the list, not the list itself
    python_name = next(
        f.python_name for f in INPUTS[name].fields if SCHEMA.config.name_converter.from_field(f) == key
    )
    assert getattr(built, python_name) == [] and getattr(built, python_name) is not shared
