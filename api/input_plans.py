"""Mutation inputs built from a plan made once per input type, not worked out again on every request (issue 17).

strawberry converts an input object field by field through `convert_argument`: for every field of every
request it camel-cases the Python name again, resolves the field's type and asks whether it is a leaf — ~0.3 ms
for `projectCreate`'s input. Its documented hook `StrawberryObjectDefinition.from_input` lets a type build its
own value; `install` gives every input type of the schema a plan that does what `convert_argument` does,
decided once: a leaf (scalar, enum) is kept as graphql-core parsed it, a list of leaves copied, a nested input
built by its own plan, and anything else (Maybe, GlobalID, an unknown kind) handed to strawberry's own
conversion (`InputContext.convert`). tests/api/test_input_plans.py compares both for every input type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING as _MISSING  # strawberry marks "no default" with it
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.types.arguments import InputContext, _is_leaf_type, _is_optional_leaf_type
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

# A field's conversion: (value, the input's context, the value's path) → Python value; None keeps the value.
Convert = Callable[[Any, InputContext, tuple[str | int, ...]], Any]


def install(schema: Any) -> None:
    """Give every input type of `schema` (without a `from_input` of its own, and no Maybe field) a plan."""
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
            and not any(isinstance(f.type, StrawberryMaybe) for f in definition.fields)
        ):
            definition.from_input = InputPlan(definition)


class InputPlan:
    """`from_input` for one input type: its fields' names, defaults and conversions, worked out on first use
    (the scalar registry and name converter come with the call) for each schema configuration."""

    def __init__(self, definition: StrawberryObjectDefinition) -> None:
        self.definition = definition
        # Per scalar registry (one per schema): the registry itself (so its id is not reused), the plan.
        self._plans: dict[int, tuple[Any, _Plan]] = {}

    def __call__(self, cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        found = self._plans.get(id(context.scalar_registry))
        plan = found[1] if found is not None else self._make(context)
        kwargs = dict(plan.absent)
        for graphql_name, python_name, convert in plan.fields:
            if graphql_name in value:
                item = value[graphql_name]
                kwargs[python_name] = (
                    item if convert is None else convert(item, context, (*context.path, graphql_name))
                )
        return cls(**kwargs)

    def _make(self, context: InputContext) -> _Plan:
        definition = self.definition
        fields = []
        for field in definition.fields:
            type_ = field.resolve_type(type_definition=definition)
            fields.append(
                (
                    context.config.name_converter.from_field(field),
                    field.python_name,
                    _converter(type_, context.scalar_registry),
                )
            )
        plan = _Plan(
            # As strawberry: every field without a default is None unless the value carries it.
            absent={
                f.python_name: None
                for f in definition.fields
                if f.default_value is _MISSING and f.default_factory is _MISSING
            },
            fields=tuple(fields),
        )
        self._plans[id(context.scalar_registry)] = (context.scalar_registry, plan)
        return plan


class _Plan:
    __slots__ = ("absent", "fields")

    def __init__(self, absent: dict[str, None], fields: tuple[tuple[str, str, Convert | None], ...]) -> None:
        self.absent, self.fields = absent, fields


def _converter(type_: StrawberryType | type, registry: Mapping[object, Any]) -> Convert | None:
    """What `convert_argument` would do with a value of `type_`, decided now; None: the value as it is."""
    if isinstance(type_, StrawberryMaybe):
        return _strawberrys(type_)
    if isinstance(type_, StrawberryOptional):  # null and UNSET pass unchanged in every branch below
        type_ = type_.of_type
        if isinstance(type_, StrawberryMaybe | StrawberryOptional):
            return _strawberrys(type_)
    if isinstance(type_, StrawberryList):
        of = type_.of_type
        skip = (GlobalID,)
        if _is_leaf_type(of, registry, skip_classes=skip) or _is_optional_leaf_type(
            of, registry, skip_classes=skip
        ):
            return _copied_list
        return _each(_converter(of, registry))
    if type_ is GlobalID:
        return _strawberrys(type_)
    if _is_leaf_type(type_, registry):
        return None
    if isinstance(type_, LazyType):
        return _converter(type_.resolve_type(), registry)
    if has_enum_definition(type_):
        return None  # graphql-core already gave the enum member
    if has_object_definition(type_):
        definition = type_.__strawberry_definition__  # type: ignore[union-attr]
        if isinstance(definition.from_input, InputPlan):
            return _nested(type_, definition.from_input)  # type: ignore[arg-type]
    return _strawberrys(type_)


def _copied_list(value: Any, context: InputContext, path: tuple[str | int, ...]) -> Any:
    # Copied as strawberry copies it: graphql-core hands every request the same default list.
    return value if value is None or value is UNSET else list(value)


def _each(convert: Convert | None) -> Convert:
    def each(value: Any, context: InputContext, path: tuple[str | int, ...]) -> Any:
        if value is None or value is UNSET:
            return value
        if convert is None:
            return list(value)
        return [convert(item, context, (*path, index)) for index, item in enumerate(value)]

    return each


def _nested(cls: type, plan: InputPlan) -> Convert:
    def nested(value: Any, context: InputContext, path: tuple[str | int, ...]) -> Any:
        if value is None or value is UNSET:
            return value
        inner = InputContext(
            info=context.info, config=context.config, scalar_registry=context.scalar_registry, path=path
        )
        return plan(cls, value, inner)

    return nested


def _strawberrys(type_: Any) -> Convert:
    """strawberry's own conversion, for the kinds no plan covers."""

    def convert(value: Any, context: InputContext, path: tuple[str | int, ...]) -> Any:
        return context.convert(value, type_, *path[len(context.path) :])

    return convert
