"""Query limits (OWASP GraphQL cheat sheet): tokens, depth, aliases, cost, request timeout, no batching.

Every refusal is a top-level error with `extensions.code: QUERY_TOO_COMPLEX`, naming the limit, the
allowed maximum and what the request asked for, in Chinese or English. The depth and alias rules are
strawberry's own validators (both follow fragments); this module only makes their refusals explain
themselves in the API's convention, and adds what strawberry lacks: a cost budget and a request timeout.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson
from cachetools import LRUCache
from cross_web import HTTPException
from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.http import GraphQLRequestData
from strawberry.schema.schema import validate_document

from api import trusted_documents
from api.bounds import BodyTooLarge
from api.graphql.pagination import DEFAULT_PAGE

MAX_DEPTH = 10
MAX_ALIASES = 20
MAX_TOKENS = 1_000
# Each field costs 1; the children of a field taking `first`/`last` count that many times. The frontend's
# project list at `first: 100` with ~20 fields costs ~2,300; two nested pages of 100 exceed the budget.
MAX_COST = 10_000
UNBOUNDED_PAGE = 100  # a variable that is not an integer is costed at the largest page it could ask for
# Fields that return an unpaged list of rows read from a large table: costed like a page of that many, and
# the field itself like the statement it runs. `timeline` (Project.timeline) reads the project's audit
# records: 20 aliased timelines once took 3.1 s at 100,000 records; now 20 × ~(100 × fields) exceeds the
# budget while one project's timeline (~500–800) stays well within it.
HEAVY_FIELDS: dict[str, int] = {"timeline": UNBOUNDED_PAGE}

_MESSAGES: dict[str, tuple[str, str]] = {
    "tokens": (
        "查询过长：超过 {max} 个词法单元。请拆分查询。",
        "The query is too long: more than {max} tokens. Split it into smaller queries.",
    ),
    "depth": (
        "查询嵌套过深：最多 {max} 层（含片段展开）。请减少嵌套。",
        "The query nests too deeply: at most {max} levels, fragments included. Reduce the nesting.",
    ),
    "aliases": ("别名过多：{actual} 个，最多 {max} 个。", "Too many aliases: {actual}, at most {max}."),
    "cost": (
        "查询代价 {actual} 超过上限 {max}：每个字段计 1，分页字段的子字段按 first/last 计数。"
        "请减小 first/last 或减少字段。",
        "The query costs {actual}, above the budget of {max}: each field costs 1 and the children of a "
        "paged field count first/last times. Ask for smaller pages or fewer fields.",
    ),
    "timeout": (
        "请求处理超过 {max} 秒，已中止，未作任何更改。请缩小查询范围后重试。",
        "The request took longer than {max} s and was stopped; nothing was changed. Narrow it and retry.",
    ),
    "introspection": ("生产环境不提供架构自省。", "Schema introspection is disabled in production."),
}
_VARIABLES_TOO_DEEP = (
    "变量嵌套过深：最多 {max} 层。",
    "The variables nest too deeply: at most {max} levels.",
)
BATCH_REFUSED = (
    "不接受批量请求：每个请求只发送一个操作。 — Batched requests are not accepted: "
    "send one operation per request."
)


def too_complex(
    limit: str, lang: str, *, maximum: float, actual: float | None = None, nodes: Any = None
) -> GraphQLError:
    """The QUERY_TOO_COMPLEX error for one limit: which limit, its maximum, and what was asked."""
    zh, en = _MESSAGES[limit]
    text = (en if lang == "en" else zh).format(max=maximum, actual=actual)
    extensions: dict[str, Any] = {"code": "QUERY_TOO_COMPLEX", "limit": limit, "max": maximum}
    if actual is not None:
        extensions["actual"] = actual
    return GraphQLError(text, nodes=nodes, extensions=extensions)


# What strawberry and graphql-core say when a limit is hit (their messages are English-only and uncoded).
_RECOGNISED: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[str, int, int | None]]]] = [
    (re.compile(r"Document contains more than (\d+) tokens"), lambda m: ("tokens", int(m[1]), None)),
    (re.compile(r"exceeds maximum operation depth of (\d+)"), lambda m: ("depth", int(m[1]), None)),
    (re.compile(r"(\d+) aliases found\. Allowed: (\d+)"), lambda m: ("aliases", int(m[2]), int(m[1]))),
]
_INTROSPECTION = re.compile(r"GraphQL introspection has been disabled")


def explain(error: GraphQLError, lang: str) -> GraphQLError:
    """A library's limit error rewritten in the API's convention; any other error unchanged."""
    for pattern, read in _RECOGNISED:
        match = pattern.search(error.message)
        if match:
            limit, maximum, actual = read(match)
            return too_complex(limit, lang, maximum=maximum, actual=actual, nodes=error.nodes)
    if _INTROSPECTION.search(error.message):
        zh, en = _MESSAGES["introspection"]
        return GraphQLError(
            en if lang == "en" else zh,
            nodes=error.nodes,
            extensions={"code": "FORBIDDEN", "reason": "introspection-disabled"},
        )
    return error


def query_cost(document: Any, operation_name: str | None, variables: Mapping[str, Any] | None) -> int:
    """The cost of the operation to execute: 1 per field, children of a paged field × first/last."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if not chosen:
        return 0
    return _selection_cost(chosen[0].selection_set, fragments, variables or {}, frozenset())


def _selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    visited: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            children = _selection_cost(selection.selection_set, fragments, variables, visited)
            heavy = HEAVY_FIELDS.get(selection.name.value)
            if heavy is not None:
                total += heavy + heavy * children
            else:
                total += 1 + _page_size(selection, variables) * children
        elif isinstance(selection, InlineFragmentNode):
            total += _selection_cost(selection.selection_set, fragments, variables, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in visited:  # a cycle is refused by validation anyway
                total += _selection_cost(fragment.selection_set, fragments, variables, visited | {name})
    return total


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int:
    sizes = []
    for argument in field.arguments or ():
        value = argument.value
        if argument.name.value == "ids":  # nodes(ids:): one object per id
            given = variables.get(value.name.value) if isinstance(value, VariableNode) else None
            items = value.values if isinstance(value, ListValueNode) else given
            sizes.append(len(items) if isinstance(items, list | tuple) else UNBOUNDED_PAGE)
        if argument.name.value not in ("first", "last"):
            continue
        if isinstance(value, IntValueNode):
            sizes.append(int(value.value))
        elif isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            sizes.append(
                given if isinstance(given, int) else DEFAULT_PAGE if given is None else UNBOUNDED_PAGE
            )
    if not sizes and _is_connection(field):
        sizes.append(DEFAULT_PAGE)  # neither first nor last: the list's default page
    return max([1, *sizes])


def _is_connection(field: FieldNode) -> bool:
    """A field selecting `edges` or `nodes` is a connection (by the Relay convention every list follows)."""
    selections = field.selection_set.selections if field.selection_set else ()
    return any(isinstance(s, FieldNode) and s.name.value in ("edges", "nodes") for s in selections)


class QueryLimits(SchemaExtension):
    """Token limit at parse time, cost budget before execution, and explained refusals for all limits."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [explain(error, _lang(self.execution_context)) for error in result.errors]

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            cost = cached_query_cost(
                context.query, context.graphql_document, context.operation_name, context.variables
            )
            if cost > MAX_COST:
                context.result = ExecutionResult(
                    data=None, errors=[too_complex("cost", _lang(context), maximum=MAX_COST, actual=cost)]
                )
        yield


# The caches are bounded in bytes of document text, not in entries (issue 13.1): five 10 MB documents
# once stayed in a 512-entry cache for good. A parsed document takes ~80 bytes of memory per character of
# its text (measured with tracemalloc on the frontend's project-list query; a comment costs ~1), so 512 KiB
# of text is at most ~40 MB of ASTs — some 250 of a frontend's typical 2 KB documents.
CACHE_DOCUMENT_BYTES = 512 * 1024


class _TextBoundedCache:
    """An LRU (cachetools) whose entries weigh the length of the document text they were made from."""

    def __init__(self, budget: int) -> None:
        self._entries: LRUCache[Any, tuple[int, Any]] = LRUCache(maxsize=budget, getsizeof=lambda v: v[0])

    def get(self, key: Any) -> Any:
        entry = self._entries.get(key)
        return None if entry is None else entry[1]

    def put(self, key: Any, text: str, value: Any) -> None:
        if len(text) <= self._entries.maxsize:  # a larger one is simply not kept
            self._entries[key] = (len(text), value)

    @property
    def weight(self) -> int:
        return int(self._entries.currsize)


_parsed = _TextBoundedCache(CACHE_DOCUMENT_BYTES)
_validated = _TextBoundedCache(CACHE_DOCUMENT_BYTES)
_costs = _TextBoundedCache(CACHE_DOCUMENT_BYTES)


def _size_signature(value: Any) -> Any:
    """All of a variable's value that `query_cost` reads: an int (a page size), a list's length, null, or
    anything else (which counts as the largest page)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, list | tuple):
        return ("list", len(value))
    return ("other",)


def cached_query_cost(
    text: str | None, document: Any, operation_name: str | None, variables: Mapping[str, Any] | None
) -> int:
    """`query_cost`, computed once per document text, operation and the variables' sizes (the bench's list
    walked its selection on every request: ~0.1 ms)."""
    if text is None:
        return query_cost(document, operation_name, variables)
    sizes = tuple((name, _size_signature(value)) for name, value in (variables or {}).items())
    key = (text, operation_name, sizes)
    cost = _costs.get(key)
    if cost is None:
        cost = query_cost(document, operation_name, variables)
        _costs.put(key, text, cost)
    return int(cost)


def parse_document(text: str, **options: Any) -> Any:
    """A parsed document from the byte-bounded cache; GraphQLError (syntax, token limit) is raised, not kept."""
    key = (text, tuple(sorted(options.items())))
    document = _parsed.get(key)
    if document is None:
        document = parse(text, **options)
        _parsed.put(key, text, document)
    return document


class ParsedDocuments(SchemaExtension):
    """Frontends send the same few documents again and again: parse each one once.

    Keyed by the text and the parse options, max_tokens included: a document is cached only once it parsed
    within the token limit, so the limit holds for every request. strawberry's own ParserCache would raise a
    syntax or token-limit error from inside the extension hook, outside strawberry's error handling (an HTTP
    500); here such a document is left for strawberry to parse and refuse in the usual way."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            try:
                context.graphql_document = parse_document(context.query, **context.parse_options)
            except GraphQLError:
                context.graphql_document = None
        yield


class ValidatedDocuments(SchemaExtension):
    """Validate each document once (strawberry's ValidationCache counts entries and keys on the AST)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query, document = context.query, context.graphql_document
        if query is None or document is None:
            yield
            return
        key = (id(context.schema._schema), query, tuple(context.validation_rules))
        errors = _validated.get(key)
        if errors is None:
            errors = validate_document(context.schema._schema, document, tuple(context.validation_rules))
            _validated.put(key, query, errors)
        context.pre_execution_errors = errors
        yield


_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


_NOT_VALID = (
    "文档未通过校验（生产环境不说明原因）。",
    "The document is not valid for this API (production does not say why).",
)


class NoSuggestions(SchemaExtension):
    """Production teaches no schema (issue 13.8): every validation error of the document becomes one and the
    same error, naming no field, argument or type, so an unknown name answers as a misused known one; and no
    "Did you mean …?" in any other message (strawberry strips it only from unknown fields)."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result = context.result
        if result is None or not result.errors:
            return
        invalid = set(map(id, context.pre_execution_errors or ())) if context.graphql_document else set()
        quiet: list[GraphQLError] = []
        generic = False
        for error in result.errors:
            if id(error) in invalid and not (error.extensions or {}).get("code"):
                generic = True  # the limits' refusals (QUERY_TOO_COMPLEX) keep their code and figures
            else:
                # New errors, not edited ones: validation errors are shared through ValidatedDocuments' cache.
                quiet.append(_without_suggestion(error))
        if generic:
            zh, en = _NOT_VALID
            text = en if _lang(context) == "en" else zh
            quiet.insert(0, GraphQLError(text, extensions={"code": "GRAPHQL_VALIDATION_FAILED"}))
        result.errors = quiet


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    quiet = _SUGGESTION.sub("", error.message)
    if quiet == error.message:
        return error
    return GraphQLError(
        quiet,
        nodes=error.nodes,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def _lang(execution_context: Any) -> str:
    return getattr(execution_context.context, "lang", "zh")


def limit_extensions(*, production: bool) -> list[Any]:
    """The schema extensions enforcing the limits; introspection is refused in production."""
    rules = [*_LIMIT_RULES, *([NoSchemaIntrospectionCustomRule] if production else [])]
    # The same rule classes on every request, so strawberry's ValidationCache can reuse a document's result
    # (the limiters build a new rule class per instance, which would make every request a cache miss).
    quiet = [NoSuggestions] if production else []
    return [*quiet, QueryLimits, ParsedDocuments, lambda: AddValidationRules(rules), ValidatedDocuments]


_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


class RequestLimits:
    """Mixin for the strawberry view: a whole-request timeout, and one operation per request."""

    app_state: Any

    def decode_json(self, data: str | bytes) -> Any:
        # orjson refuses nesting deeper than 1,024 (JSONDecodeError → 400) where json.loads could recurse
        # into a RecursionError (a bare 500).
        return orjson.loads(data)

    async def parse_multipart(self, request: Any) -> Any:
        # The multipart request's document part is held to the JSON request's limit (Starlette caches the
        # parsed form, so super() does not read it again).
        form = await request.get_form_data()
        operations = form.form.get("operations")
        limit = self.app_state.settings.max_body_bytes
        size = len(operations.encode()) if isinstance(operations, str) else len(operations or b"")
        if size > limit:
            raise BodyTooLarge(limit)
        return await super().parse_multipart(request)  # type: ignore[misc]

    async def execute_operation(
        self,
        request: Any,
        request_adapter: Any,
        request_data: Any,
        context: Any,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        settings = self.app_state.settings
        lang = getattr(context, "lang", "zh")
        if isinstance(request_data, GraphQLRequestData):
            # Before any parsing (issue 13.1, 13.8): an untrusted document gets one answer, whatever it is.
            if trusted_documents.enforced(settings):
                document = trusted_documents.trusted_document(
                    settings, request_data.query, request_data.extensions
                )
                if document is None:
                    return trusted_documents.not_trusted(lang)
                request_data.query = document
            # The variables object itself is level 0: `{"ids": [1]}` nests one level.
            depth = variables_depth(request_data.variables, settings.max_variables_depth + 1) - 1
            if depth > settings.max_variables_depth:
                return ExecutionResult(
                    data=None, errors=[variables_too_deep(lang, settings.max_variables_depth, depth)]
                )
        seconds = settings.request_timeout_seconds
        try:
            async with asyncio.timeout(seconds):
                return await super().execute_operation(  # type: ignore[misc]
                    request, request_adapter, request_data, context, root_value, sub_response
                )
        except TimeoutError:
            # The use case's unit of work was cancelled inside `async with`, so it rolled back.
            return ExecutionResult(
                data=None, errors=[too_complex("timeout", getattr(context, "lang", "zh"), maximum=seconds)]
            )

    def _validate_batch_request(self, request_data: Any, protocol: Any) -> None:
        raise HTTPException(400, BATCH_REFUSED)


def variables_depth(value: Any, stop_above: int) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0); walks no deeper than stop_above + 1."""
    deepest, stack = 0, [(value, 0)]
    while stack:  # iterative: a hostile nesting must not exhaust Python's recursion limit
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth > stop_above:
                return depth
            stack.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def variables_too_deep(lang: str, maximum: int, actual: int) -> GraphQLError:
    zh, en = _VARIABLES_TOO_DEEP
    return GraphQLError(
        (en if lang == "en" else zh).format(max=maximum),
        extensions={"code": "BAD_USER_INPUT", "limit": "variablesDepth", "max": maximum, "actual": actual},
    )
