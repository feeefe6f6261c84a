"""The compiled project list (issue 17): PostgreSQL writes a page's JSON in one statement.

An operation made only of `projects` connections (and `__typename`) whose selections are plain columns and
the lead unit — `totalCount`, `pageInfo`, `edges { cursor node }`, `nodes`, aliases and fragments included —
is planned once per document and role (`plan_operation`, cached in a bounded LRU). The plan wraps the generic
path's own statement (the policy's WHERE from authz/sql.py, the filters, the keyset cursor, order and LIMIT:
`bound_list_statements` and `keyset_statement`) in one statement that concatenates compact JSON text
(api/compiled_sql.py), and the text goes into the response untouched as an `orjson.Fragment`.

That statement is built and compiled once per shape of request (`request_of`: the role's scopes in force, which
filters are given, the order, the direction, whether a cursor is given) and kept on the plan (`Prepared`);
every value — the actor's organization, the filter values, the cursor, the page size — is a bind parameter,
bound per request, never written into the text. It runs on the pooled asyncpg connection itself
(store/driver.py), whose prepared-statement cache then parses and plans it once per connection, as the raw
endpoint of bench/raw_app.py does: a request costs no SQLAlchemy statement building, cache key or execution.

Everything else is answered by the generic strawberry path, which stays the reference: resolvers (field rules
such as `contact.phone` live in resolvers), arguments or directives the compiler does not know, anything not
planned — and any request the compiled path cannot answer (unauthenticated, a bad page size, a forged cursor,
an outage): it declines before writing anything and the generic path answers, errors included.
`YK_COMPILED_LIST=0` switches it off (outside production a request may also send `X-Compiled-List: off`). tests/api/test_compiled_list_equivalence.py checks both paths give the
same bytes, for every role, on drawn selections and arguments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson
import structlog
from cachetools import LRUCache
from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_argument_values,
    is_abstract_type,
    is_enum_type,
)
from sqlalchemy import Integer, bindparam, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments

from api import compiled_sql as sql
from api.graphql.pagination import (
    SORT_LABEL,
    KeysetBounds,
    PageRequest,
    keyset_bounds,
    keyset_statement,
    keyset_values,
)
from authz.operations import Operation
from domain.actors import OrgType
from domain.lifecycle import STATUS_LABELS_ZH
from store import tables
from store.driver import driver_connection

if TYPE_CHECKING:
    from api.graphql.projects.queries import FilterTerm

log = structlog.get_logger("api.graphql.projects.compiled")

# How often each path answered in this process (tests and the bench read it): `compiled`, `generic` (no
# plan: not a compiled operation, or switched off), `declined` (planned, but the generic path answered).
ANSWERS: Counter[str] = Counter()


# ---- what the compiler knows: GraphQL fields of the list's objects as columns of the page's row ----


@dataclass(frozen=True)
class Column:
    """A column of the page row; its JSON follows the field's GraphQL type. `stored`: an enum's stored
    text for a GraphQL enum value name (None: stored as the name itself)."""

    name: str
    stored: Any = None


@dataclass(frozen=True)
class GlobalId:
    type_name: str
    column: str


@dataclass(frozen=True)
class Labels:
    """A text fixed per stored value of a column (`statusLabel`)."""

    column: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class ToOne:
    """A to-one relation whose columns the page row already carries (the lead unit is joined)."""

    fields: Mapping[str, Any]


ORGANIZATION_FIELDS: dict[str, Any] = {
    "id": GlobalId("Organization", "lead_organization_id"),
    "name": Column("lead_name"),
    "type": Column("lead_type", stored=lambda name: OrgType[name].value),
    "district": Column("lead_district"),
}

# Project fields served from the row; a field not listed here (or no longer a plain stored field) is not
# compiled. Field rules are resolvers (`contact.phone`, `availableActions` …), so they never are.
PROJECT_FIELDS: dict[str, Any] = {
    "id": GlobalId("Project", "id"),
    **{
        field: Column(column)
        for field, column in {
            "code": "code",
            "name": "name",
            "description": "description",
            "kind": "kind",
            "category": "category",
            "fundingSource": "funding_source",
            "totalInvestment": "total_investment",
            "deploysOnGovernmentCloud": "deploys_on_government_cloud",
            "connectsResourcePlatform": "connects_resource_platform",
            "platformExemptionReason": "platform_exemption_reason",
            "status": "status",
            "year": "year",
            "version": "version",
            "submittedAt": "submitted_at",
            "createdAt": "created_at",
            "updatedAt": "updated_at",
            "planYear": "plan_year",
            "approvalDate": "approval_date",
            "approvedInvestment": "approved_investment",
            "classified": "classified",
            "operationStartedOn": "operation_started_on",
            "planDeferred": "plan_deferred",
        }.items()
    },
    "statusLabel": Labels("status", {status.name: label for status, label in STATUS_LABELS_ZH.items()}),
    "leadOrganization": ToOne(ORGANIZATION_FIELDS),
}

_LEAVES = {
    "String": sql.text,
    "ID": sql.text,
    "Int": sql.integer,
    "Boolean": sql.boolean,
    "CNY": sql.money,
    "DateTime": sql.instant,
    "Date": sql.day,
}
ROOT_FIELD = "projects"
# Outside production, `X-Compiled-List: off` on a request answers it by the generic path: the bench compares
# both paths on one server (same processes, same pool) in turns.
OFF_HEADER = "x-compiled-list"


# ---- the plan: JSON text as a sequence of SQL pieces ----


# A template is a list of pieces: `Lit` (constant JSON text), `Sql` (an expression over the row `r`), or a
# slot filled per request (the cursor, the page's aggregates).
@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class Sql:
    expression: str


@dataclass(frozen=True)
class Slot:
    name: str  # cursor | total | rows:<i> | has_next | has_previous | start | end


Piece = Lit | Sql | Slot


@dataclass(frozen=True)
class ListPlan:
    """One `projects` field: its node (for the arguments), the per-row JSONs and the connection's JSON."""

    node: FieldNode
    rows: tuple[tuple[Piece, ...], ...]  # edges / nodes selections, one JSON text per row each
    connection: tuple[Piece, ...]  # the connection object; rows and aggregates as slots
    # the statement of each shape of request asked so far (`request_of`), compiled once (`prepare`)
    statements: LRUCache[Hashable, Prepared] = field(
        default_factory=lambda: LRUCache(maxsize=SHAPES_PER_PLAN), compare=False, hash=False, repr=False
    )


@dataclass(frozen=True)
class OperationPlan:
    fields: tuple[tuple[str, ListPlan | str], ...]  # response key → a list, or constant JSON (__typename)


class NotCompiled(Exception):
    """The selection holds something the compiler does not know: the generic path answers."""


def _object(entries: Iterable[tuple[str, list[Piece]]]) -> list[Piece]:
    pieces: list[Piece] = [Lit("{")]
    for i, (key, value) in enumerate(entries):
        pieces.append(Lit(("," if i else "") + orjson.dumps(key).decode() + ":"))
        pieces.extend(value)
    pieces.append(Lit("}"))
    return pieces


class Planner:
    """Walks an operation against the schema; raises NotCompiled at the first thing it does not know."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments

    def operation(self, operation: OperationDefinitionNode) -> OperationPlan:
        root = self.schema.query_type
        if operation.operation != OperationType.QUERY or operation.directives or root is None:
            raise NotCompiled("not a query")
        fields: list[tuple[str, ListPlan | str]] = []
        for key, nodes in self.collect(root, [operation.selection_set]).items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append((key, orjson.dumps(root.name).decode()))
            elif name == ROOT_FIELD and len(nodes) == 1:
                fields.append((key, self.connection(root.fields[ROOT_FIELD], nodes[0])))
            else:
                raise NotCompiled(name)
        return OperationPlan(tuple(fields))

    def collect(
        self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode | None]
    ) -> dict[str, list[FieldNode]]:
        """The fields by response key, in order, as graphql-core's CollectFields groups them."""
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()

        def walk(selection_set: SelectionSetNode | None) -> None:
            if selection_set is None:
                raise NotCompiled("no selection")
            for selection in selection_set.selections:
                if selection.directives:  # @skip/@include/@defer: left to graphql-core
                    raise NotCompiled("directive")
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    grouped.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if condition is None or self.applies(condition.name.value, type_):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is None or fragment.directives:
                        raise NotCompiled("fragment")
                    if name not in visited and self.applies(fragment.type_condition.name.value, type_):
                        visited.add(name)
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return grouped

    def applies(self, condition: str, type_: GraphQLObjectType) -> bool:
        conditional = self.schema.get_type(condition)
        if conditional is type_:
            return True
        return is_abstract_type(conditional) and self.schema.is_sub_type(conditional, type_)  # type: ignore[arg-type]

    def _children(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> dict[str, list[FieldNode]]:
        return self.collect(type_, [node.selection_set for node in nodes])

    def connection(self, field: GraphQLField, node: FieldNode) -> ListPlan:
        connection = _named(field.type)
        edge_field, page_info_field = connection.fields["edges"], connection.fields["pageInfo"]
        edge_type, page_info = _named(edge_field.type), _named(page_info_field.type)
        node_type = _named(connection.fields["nodes"].type)
        rows: list[tuple[Piece, ...]] = []
        entries: list[tuple[str, list[Piece]]] = []
        for key, nodes in self._children(connection, [node]).items():
            name = nodes[0].name.value
            _no_arguments(nodes)
            if name == "__typename":
                entries.append((key, [Lit(orjson.dumps(connection.name).decode())]))
            elif name == "totalCount":
                entries.append((key, [Slot("total")]))
            elif name == "pageInfo":
                _stored(page_info_field)
                entries.append((key, self.page_info(page_info, nodes)))
            elif name in ("edges", "nodes"):
                if name == "edges":
                    _stored(edge_field)
                    row = self.edge(edge_type, node_type, nodes)
                else:
                    row = self.object(node_type, PROJECT_FIELDS, nodes)
                entries.append((key, [Lit("["), Slot(f"rows:{len(rows)}"), Lit("]")]))
                rows.append(tuple(row))
            else:
                raise NotCompiled(name)
        return ListPlan(node=node, rows=tuple(rows), connection=tuple(_object(entries)))

    def page_info(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> list[Piece]:
        slots = {
            "hasNextPage": "has_next",
            "hasPreviousPage": "has_previous",
            "startCursor": "start",
            "endCursor": "end",
        }
        entries: list[tuple[str, list[Piece]]] = []
        for key, children in self._children(type_, nodes).items():
            name = children[0].name.value
            _no_arguments(children)
            if name == "__typename":
                entries.append((key, [Lit(orjson.dumps(type_.name).decode())]))
            elif name in slots:
                _stored(type_.fields[name])
                entries.append((key, [Slot(slots[name])]))
            else:
                raise NotCompiled(name)
        return _object(entries)

    def edge(
        self, type_: GraphQLObjectType, node_type: GraphQLObjectType, nodes: list[FieldNode]
    ) -> list[Piece]:
        entries: list[tuple[str, list[Piece]]] = []
        for key, children in self._children(type_, nodes).items():
            name = children[0].name.value
            _no_arguments(children)
            if name == "__typename":
                entries.append((key, [Lit(orjson.dumps(type_.name).decode())]))
            elif name == "cursor":
                _stored(type_.fields[name])
                entries.append((key, [Lit('"'), Slot("cursor"), Lit('"')]))
            elif name == "node":
                _stored(type_.fields[name])
                entries.append((key, self.object(node_type, PROJECT_FIELDS, children)))
            else:
                raise NotCompiled(name)
        return _object(entries)

    def object(
        self, type_: GraphQLObjectType, known: Mapping[str, Any], nodes: list[FieldNode]
    ) -> list[Piece]:
        entries: list[tuple[str, list[Piece]]] = []
        for key, children in self._children(type_, nodes).items():
            name = children[0].name.value
            _no_arguments(children)
            if name == "__typename":
                entries.append((key, [Lit(orjson.dumps(type_.name).decode())]))
                continue
            served = known.get(name)
            field = type_.fields.get(name)
            if served is None or field is None:
                raise NotCompiled(name)
            _stored(field)
            if isinstance(served, ToOne):
                entries.append((key, self.object(_named(field.type), served.fields, children)))
            else:
                entries.append((key, [Sql(_leaf(served, field))]))
        return _object(entries)


def _read_engine(context: Any) -> AsyncEngine:
    """The engine the request reads from: a replica's when the query was routed to one (api/read_replicas.py)."""
    bind = context.read_session_factory.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise NotCompiled("sessions bound to a connection")  # the generic path reads through them
    return bind


def _named(type_: Any) -> GraphQLObjectType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    if not isinstance(type_, GraphQLObjectType):
        raise NotCompiled(str(type_))
    return type_


def _no_arguments(nodes: list[FieldNode]) -> None:
    if any(node.arguments for node in nodes):
        raise NotCompiled("arguments")


def _stored(field: GraphQLField) -> None:
    """Only a plain stored field is served from the row: a resolver, a permission class or an extension
    (where a field rule would live) is the generic path's."""
    definition = field.extensions.get("strawberry-definition")
    if (
        definition is None
        or field.args
        or definition.base_resolver is not None
        or definition.permission_classes
        or definition.extensions
    ):
        raise NotCompiled(getattr(definition, "python_name", "field"))


def _leaf(served: Any, field: GraphQLField) -> str:
    column = f"r.{served.column if not isinstance(served, Column) else served.name}"
    named = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if isinstance(served, GlobalId):
        return sql.global_id(served.type_name, column)
    if isinstance(served, Labels):
        return sql.mapped(column, served.labels)
    if is_enum_type(named):
        names = list(named.values)  # type: ignore[union-attr]
        stored = served.stored or (lambda name: name)
        return sql.mapped(column, {stored(name): name for name in names})
    formatter = _LEAVES.get(getattr(named, "name", ""))
    if formatter is None:
        raise NotCompiled(str(named))
    return formatter(column)


# ---- planning, cached per document and role ----

_NOT_COMPILED = object()
# Keyed by (document text, operation name, role); weighed by the text, like the parse cache (api/limits.py).
PLAN_CACHE_BYTES = 256 * 1024
_plans: LRUCache[tuple[str, str | None, str], Any] = LRUCache(
    maxsize=PLAN_CACHE_BYTES, getsizeof=lambda entry: entry[0]
)


def cached_plan(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    role: str,
) -> OperationPlan | None:
    """The operation's plan, or None when the generic path must answer it."""
    source = operation.loc.source.body if operation.loc is not None else None
    key = (source, operation.name.value if operation.name else None, role) if source else None
    if key is not None:
        entry = _plans.get(key)
        if entry is not None:
            return None if entry[1] is _NOT_COMPILED else entry[1]  # type: ignore[no-any-return]
    try:
        plan: Any = Planner(schema, fragments).operation(operation)
    except NotCompiled:
        plan = _NOT_COMPILED
    if key is not None and len(key[0]) + 64 <= PLAN_CACHE_BYTES:
        _plans[key] = (len(key[0]) + 64, plan)
    return None if plan is _NOT_COMPILED else plan  # type: ignore[no-any-return]


# ---- one request ----


def _fill(pieces: Iterable[Piece], slots: Mapping[str, str]) -> str:
    """SQL text concatenating the pieces (adjacent constants merged into one literal)."""
    parts: list[str] = []
    constant = ""
    for piece in pieces:
        if isinstance(piece, Lit):
            constant += piece.text
            continue
        if constant:
            parts.append(sql.quote(constant))
            constant = ""
        parts.append(piece.expression if isinstance(piece, Sql) else slots[piece.name])
    if constant:
        parts.append(sql.quote(constant))
    return "(" + " || ".join(parts) + ")"


@lru_cache(maxsize=1024)
def _row_json(row: tuple[Piece, ...], cursor: str) -> str:
    """A row's JSON as SQL: the same few texts on every request of a plan (two cursor kinds a plan)."""
    return _fill(row, {"cursor": cursor})


# ---- the statement of one shape of request, kept; the values bound per request ----

_PAGE_ARGUMENTS = frozenset({"first", "after", "last", "before"})

PAGE_SIZE = "page_size"  # the page's size, bound (the window's LIMIT is size + 1: pagination.KEYSET_LIMIT)
ORGANIZATION = "org"  # the actor's organization, bound (authz/sql.py's scopes that depend on it)
# Statements kept per plan (a plan is one document and role): shapes are few — the policy's scopes, which
# filters are given, the order, the direction and whether a cursor is given — but bounded all the same.
SHAPES_PER_PLAN = 64


@dataclass(frozen=True)
class Prepared:
    """One shape's statement as asyncpg runs it: its text ($1 …) and, per parameter in order, its name, the
    value it has when a request gives none (a constant of the statement) and its bind processor."""

    sql: str
    params: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, constant, process in self.params:
            value = values.get(name, constant)
            out.append(process(value) if process is not None and value is not None else value)
        return out


@dataclass(frozen=True)
class ListRequest:
    """What one request asks of a `projects` field: its shape (the statement's key) and its values."""

    shape: Hashable
    values: dict[str, Any]
    terms: list[FilterTerm]
    bounds: KeysetBounds
    order_by: Any


def request_of(context: Any, arguments: Mapping[str, Any]) -> ListRequest:
    """Checks the arguments as the generic path does (raises what it would raise: it then answers)."""
    from api.graphql.projects.ordering import OrderDirection, sort_expression
    from api.graphql.projects.queries import filter_terms

    order_by = arguments.get("order_by")
    sort = sort_expression(order_by) if order_by else None
    page = PageRequest(
        arguments.get("first"), arguments.get("after"), arguments.get("last"), arguments.get("before")
    )
    descending = order_by is None or order_by.direction == OrderDirection.DESC
    bounds = keyset_bounds(page, lang=context.lang, descending=descending, sort=sort)
    terms = filter_terms(context, arguments.get("filter"))
    actor = context.require_actor()
    values: dict[str, Any] = {ORGANIZATION: actor.organization_id, PAGE_SIZE: bounds.size}
    values.update(keyset_values(bounds))
    for term in terms:
        values.update(term.values)
    shape = (
        # the scopes of the role (or of a read-only token) in force now: a policy change is a new shape
        context.authorizer.scopes(actor, Operation.PROJECT_READ),
        tuple(term.shape for term in terms),
        (order_by.field, order_by.direction) if order_by else None,
        bounds.forward,
        bounds.boundary is not None,
    )
    return ListRequest(shape, values, terms, bounds, order_by)


def list_statement(plan: ListPlan, context: Any, request: ListRequest) -> Any:
    """The one statement answering `plan` for requests of `request`'s shape: every value a bind parameter."""
    from api.graphql.projects.ordering import sort_expression
    from api.graphql.projects.queries import bound_list_statements

    stmt, page_stmt = bound_list_statements(context, request.terms)
    sort = sort_expression(request.order_by) if request.order_by else None
    key = tables.projects.c.id
    window = keyset_statement(page_stmt, key=key, bounds=request.bounds, sort=sort, bound=True)
    # Each row's place in the window's own order (computed before its LIMIT, in the same order: the index
    # scan that feeds the page feeds the numbering, and the scan still stops after size + 1 rows), and
    # whether it is on the page (the window fetches one row more, to tell whether more follow).
    keys = [sort, key] if sort is not None else [key]
    order = [k.desc() if window.newest_first else k.asc() for k in keys]
    number = func.row_number().over(order_by=order)
    r = window.stmt.add_columns(
        number.label("_rn"), (number <= bindparam(PAGE_SIZE, type_=Integer)).label("_in")
    ).subquery("r")
    cursor = (
        sql.cursor("r.id", f"r.{SORT_LABEL}", sort.type.python_type)
        if sort is not None
        else sql.cursor("r.id")
    )
    # Rows come out in the page's order: forwards as fetched, backwards reversed (keyset_page does the same).
    rows_order = "ASC" if window.forward else "DESC"
    aggregates: list[Any] = [literal_column("coalesce(bool_or(NOT r._in), false)").label("more")]
    for i, row in enumerate(plan.rows):
        json = _row_json(row, cursor)
        aggregates.append(
            literal_column(f"string_agg({json}, ',' ORDER BY r._rn {rows_order}) FILTER (WHERE r._in)").label(
                f"e{i}"
            )
        )
    uses = {piece.name for piece in plan.connection if isinstance(piece, Slot)}
    if uses & {"start", "end"}:
        aggregates.append(literal_column(f"min({cursor}) FILTER (WHERE r._rn = 1)").label("c_first"))
        aggregates.append(
            literal_column(f"(array_agg({cursor} ORDER BY r._rn DESC) FILTER (WHERE r._in))[1]").label(
                "c_last"
            )
        )
    if "total" in uses:  # the count of the filtered list, as totalCount's own statement counts it
        aggregates.append(select(func.count()).select_from(stmt.subquery()).scalar_subquery().label("total"))
    a = select(*aggregates).select_from(r).subquery("a")
    more = "CASE WHEN a.more THEN 'true' ELSE 'false' END"
    first_cursor, last_cursor = (
        "coalesce('\"' || a.c_first || '\"', 'null')",
        "coalesce('\"' || a.c_last || '\"', 'null')",
    )
    slots = {
        "total": "a.total::text",
        "has_next": more if window.forward else ("'true'" if window.before is not None else "'false'"),
        "has_previous": ("'true'" if window.after is not None else "'false'") if window.forward else more,
        "start": first_cursor if window.forward else last_cursor,
        "end": last_cursor if window.forward else first_cursor,
        **{f"rows:{i}": f"coalesce(a.e{i}, '')" for i in range(len(plan.rows))},
    }
    return select(literal_column(_fill(plan.connection, slots))).select_from(a)


def prepare(statement: Any, dialect: Any, values: Mapping[str, Any]) -> Prepared:
    """The statement compiled once for its shape: asyncpg's text, and how each parameter gets its value."""
    compiled = statement.compile(dialect=dialect)
    if "POSTCOMPILE" in compiled.string or compiled.positiontup is None:
        raise NotCompiled("a parameter rendered per request")  # never kept: its text would vary by value
    constants = compiled.construct_params(values)
    params = []
    for name in compiled.positiontup:
        type_ = compiled.binds[name].type
        process = type_.dialect_impl(dialect).bind_processor(dialect)
        params.append((name, None if name in values else constants[name], process))
    return Prepared(compiled.string, tuple(params))


class CompiledListExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, answering compiled operations from PostgreSQL's JSON (module docstring).

    Overrides only `execute_operation`, graphql-core's public entry point of an executor."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self._plan()
        if plan is None:
            ANSWERS["generic"] += 1
            return super().execute_operation(serially)
        return self._compiled(plan, serially)

    def _plan(self) -> OperationPlan | None:
        context = self.context_value
        settings = getattr(context, "settings", None)
        actor = getattr(context, "actor", None)
        if actor is None or settings is None or not settings.compiled_list:
            return None  # unauthenticated: the generic path refuses it
        request = getattr(context, "request", None)
        if not settings.production and request is not None and request.headers.get(OFF_HEADER) == "off":
            return None  # outside production a client may ask for the generic path (the bench's "off" runs)
        return cached_plan(self.schema, self.operation, self.fragment_definitions, actor.role)

    async def _compiled(self, plan: OperationPlan, serially: bool | None) -> Any:
        data = await self._answer(plan)
        if data is not None:
            ANSWERS["compiled"] += 1
            return ExecutionResult(data, None)
        ANSWERS["declined"] += 1
        result = super().execute_operation(serially)
        return await result if self.is_awaitable(result) else result

    async def _answer(self, plan: OperationPlan) -> dict[str, Any] | None:
        """The operation's data, or None: the generic path answers (and explains any refusal)."""
        context = self.context_value
        try:
            data: dict[str, Any] = {}
            runs: list[tuple[str, Prepared, list[Any]]] = []
            for key, part in plan.fields:
                if isinstance(part, str):
                    data[key] = orjson.Fragment(part)
                    continue
                request = request_of(context, self._arguments(part))
                prepared = part.statements.get(request.shape)
                if prepared is None:
                    statement = list_statement(part, context, request)
                    prepared = prepare(statement, _read_engine(context).dialect, request.values)
                    part.statements[request.shape] = prepared
                runs.append((key, prepared, prepared.arguments(request.values)))
            if runs:
                async with driver_connection(_read_engine(context)) as connection:
                    for key, prepared, arguments in runs:
                        data[key] = orjson.Fragment(await connection.fetchval(prepared.sql, *arguments))
        except GraphQLError as error:  # a refusal (AppError): the generic path explains it as it always did
            log.debug("compiled list declined", error=repr(error)[:200])
            return None
        except Exception as error:  # an outage or a bug of the compiler: the generic path still answers
            log.warning("compiled list failed; answered by the generic path", error=repr(error)[:300])
            return None
        return {key: data[key] for key, _ in plan.fields}  # in the operation's order

    def _arguments(self, plan: ListPlan) -> dict[str, Any]:
        field = self.schema.query_type.fields[ROOT_FIELD]  # type: ignore[union-attr]
        definition = field.extensions["strawberry-definition"]
        strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        raw = get_argument_values(field, plan.node, self.variable_values)
        if all(value is None for name, value in raw.items() if name not in _PAGE_ARGUMENTS):
            # no filter, no order: ints and strings named as in Python, nothing for strawberry to convert
            return {name: raw.get(name) for name in _PAGE_ARGUMENTS}
        return convert_arguments(
            raw,
            definition.arguments,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            config=strawberry_schema.config,
        )
