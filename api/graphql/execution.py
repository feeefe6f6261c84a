"""Plain stored fields without the per-field machinery.

graphql-core resolves every field the same way: a path entry, a resolve-info object, the resolver call, value
completion — about 3 µs each. A list page of 50 projects holds hundreds of fields that only read an attribute
and serialise a scalar or an enum (strawberry's "basic" fields). For those, this executor reads the attribute
and serialises it directly. Everything else — resolvers, objects, lists, arguments, a null in a non-null field,
a value the scalar refuses — goes through graphql-core's own path, so errors read exactly as they would.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, Undefined, is_leaf_type
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# How a plain field is read: (attribute name, its leaf type, whether null is allowed).
Plain = tuple[str, GraphQLLeafType, bool]
_SLOW = object()


class PlainFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with a fast path for plain fields (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core collects a selection once per (type, field nodes) and hands every item of a list the same
        # grouped field set; the plan is made once per set. The set is kept in the entry so its id stays unique.
        self._plans: dict[int, tuple[GroupedFieldSet, list[tuple[str, Plain | None]]]] = {}

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None,
                       grouped_field_set: GroupedFieldSet, position_context: Any) -> Any:
        plan = self._plan(parent_type, grouped_field_set)
        values: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for response_name, plain in plan:
            value = _SLOW if plain is None else _read(plain, source_value)
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

    def _plan(self, parent_type: GraphQLObjectType,
              grouped_field_set: GroupedFieldSet) -> list[tuple[str, Plain | None]]:
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        plan = [(name, self._plain(parent_type, details)) for name, details in grouped_field_set.items()]
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _plain(self, parent_type: GraphQLObjectType, details: FieldDetailsList) -> Plain | None:
        node = details[0].node
        wrapped = self.middleware_manager is not None and bool(self.middleware_manager.middlewares)
        if len(details) != 1 or node.arguments or node.directives or wrapped:
            return None
        field = self.schema.get_field(parent_type, node.name.value)
        if field is None or field.args or not getattr(field.resolve, "_is_default", False):
            return None
        definition = field.extensions.get("strawberry-definition")
        nullable = not isinstance(field.type, GraphQLNonNull)
        leaf = field.type if nullable else field.type.of_type
        if definition is None or not is_leaf_type(leaf):
            return None
        return definition.python_name, leaf, nullable


def _read(plain: Plain, source: Any) -> Any:
    attribute, leaf, nullable = plain
    value = getattr(source, attribute, _SLOW)
    if value is None:
        return None if nullable else _SLOW
    if value is _SLOW or hasattr(value, "__await__"):
        return _SLOW
    try:
        serialized = leaf.serialize(value)
    except Exception:  # noqa: BLE001 — graphql-core's path reports it as a field error
        return _SLOW
    return _SLOW if serialized is None or serialized is Undefined else serialized


def _in_order(plan: list[tuple[str, Plain | None]], values: dict[str, Any], others: dict[str, Any]) -> dict[str, Any]:
    """The response keeps the order of the request's fields."""
    return {name: values[name] if name in values else others[name] for name, _ in plan
            if name in values or name in others}
