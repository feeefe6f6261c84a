"""Plain stored fields without the per-field machinery.

graphql-core resolves every field the same way: a path entry, a resolve-info object, the resolver call, value
completion — about 3 µs each. A list page of 50 projects holds hundreds of fields that only read an attribute
(strawberry's "basic" fields) and serialise a scalar or an enum, or hold an object or a list of objects made
of such fields. For those, this executor reads the attributes and serialises them directly, following a plan
made once per selection. Everything else — resolvers, arguments, abstract types, @defer, a null in a non-null
field, a value the scalar refuses — goes through graphql-core's own path: a subtree that cannot be read
plainly to the end is handed back whole, so errors and nulls read exactly as they would without this.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_SLOW = object()  # "take graphql-core's path for this field"
TYPENAME, LEAF, OBJECT, LIST = range(4)

# How a field is read plainly: (kind, attribute or type name, type, nullable, what is inside: a plan for an
# object, the item's reading for a list). None: graphql-core's path.
Reading = tuple[int, str, Any, bool, Any]
Plan = list[tuple[str, Reading | None]]


class PlainFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with a fast path for plain fields (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core collects a selection once per (type, field nodes) and hands every item of a list the
        # same grouped field set; a plan is made once per set, kept with the set so its id stays unique.
        self._plans: dict[int, tuple[GroupedFieldSet, Plan]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        plan = self._plan(parent_type, grouped_field_set)
        values: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for response_name, reading in plan:
            value = _SLOW if reading is None else _read(reading, source_value)
            if value is _SLOW:
                rest[response_name] = grouped_field_set[response_name]
            else:
                values[response_name] = value
        if not rest:
            return values
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if self.is_awaitable(others):

            async def merged() -> dict[str, Any]:
                return _in_order(plan, values, await others)

            return merged()
        return _in_order(plan, values, others)

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan:
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        plan = [(name, self._reading(parent_type, details)) for name, details in grouped_field_set.items()]
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _reading(self, parent_type: GraphQLObjectType, details: FieldDetailsList) -> Reading | None:
        node = details[0].node
        wrapped = self.middleware_manager is not None and bool(self.middleware_manager.middlewares)
        if len(details) != 1 or node.arguments or node.directives or wrapped:
            return None
        if node.name.value == "__typename":
            return TYPENAME, parent_type.name, None, False, None
        field = self.schema.get_field(parent_type, node.name.value)
        if field is None or field.args or not getattr(field.resolve, "_is_default", False):
            return None
        definition = field.extensions.get("strawberry-definition")
        if definition is None:
            return None
        return self._reading_of(definition.python_name, field.type, details)

    def _reading_of(
        self, attribute: str, type_: GraphQLOutputType, details: FieldDetailsList
    ) -> Reading | None:
        nullable = not isinstance(type_, GraphQLNonNull)
        inner = type_ if nullable else type_.of_type
        if is_leaf_type(inner):
            return LEAF, attribute, inner, nullable, None
        if isinstance(inner, GraphQLObjectType):
            collected = self.collect_subfields(inner, details)
            if collected.new_defer_usages:
                return None
            plan = self._plan(inner, collected.grouped_field_set)
            if any(reading is None for _, reading in plan):
                return None
            return OBJECT, attribute, inner, nullable, plan
        if isinstance(inner, GraphQLList):
            item = self._reading_of("", inner.of_type, details)
            return None if item is None or item[0] == LIST else (LIST, attribute, inner, nullable, item)
        return None


def _read(reading: Reading, source: Any) -> Any:
    kind, attribute, *_ = reading
    if kind == TYPENAME:
        return attribute
    return _complete(reading, getattr(source, attribute, _SLOW))


def _complete(reading: Reading, value: Any) -> Any:
    kind, _, type_, nullable, inside = reading
    if value is None:
        return None if nullable else _SLOW
    if value is _SLOW or hasattr(value, "__await__"):
        return _SLOW
    if kind == LEAF:
        try:
            coerced = type_.coerce_output_value(value)
        except Exception:
            return _SLOW
        return _SLOW if coerced is None or coerced is Undefined else coerced
    if kind == OBJECT:
        if type_.is_type_of is not None:
            try:
                if type_.is_type_of(value, None) is not True:  # strawberry's predicate does not read info
                    return _SLOW
            except Exception:
                return _SLOW
        result = {}
        for name, child in inside:
            child_value = _read(child, value)
            if child_value is _SLOW:
                return _SLOW
            result[name] = child_value
        return result
    if not isinstance(value, list | tuple):
        return _SLOW
    items = []
    for item in value:
        completed = _complete(inside, item)
        if completed is _SLOW:
            return _SLOW
        items.append(completed)
    return items


def _in_order(plan: Plan, values: dict[str, Any], others: dict[str, Any]) -> dict[str, Any]:
    """The response keeps the order of the request's fields."""
    return {
        name: values[name] if name in values else others[name]
        for name, _ in plan
        if name in values or name in others
    }
