"""Reads on streaming replicas (issue 17): which requests read where, and read-your-writes across processes.

- A GraphQL **query** (lists, search, `node`/`nodes`, `project(by:)`, `changes`, the dashboard …) reads through
  `ctx.read_session_factory`, which `ReadRouting` points at a replica in rotation before the first resolver
  runs; the whole query reads from that one replica. A **mutation** (everything inside it, and its payload)
  and a **subscription** stay on the primary; so do the credential check, the rate limit and the security
  events, which use the app's primary engine. `/export/*` streams from a replica too (`read_sessions`).
- **Read-your-writes.** After a mutation, the primary's WAL insert position (past its commit) is handed to
  the client in the `X-Yk-Wal-Position` response header and remembered for the principal (user or API token)
  in this process for `RECENT_WRITES_SECONDS`. A later read waits for the position in the request's
  `X-Yk-Wal-Position` header (which the client echoes: the only form that reaches every API process behind a
  load balancer) or the remembered one, whichever is later: on a replica that has replayed it, else on the
  most advanced replica for up to `replica_wait_ms`, else on the primary. The per-process memory covers
  clients that do not echo the header while their kept-alive connection stays on one process (as it does);
  a client that must see its writes everywhere echoes the header. No table, no write per read.
- **Fail-over.** A query whose replica drops its connection mid-query (or refuses a new one) is answered once
  more, in full, on the next replica in rotation that has the client's writes, else on the primary; the
  replica is out of rotation for at least one check interval, and the log says so. Only a lost connection
  counts (`store.replicas.lost_on`): a statement's own error or a statement timeout is the answer as it is.
  Mutations never run twice.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import structlog
from graphql import ExecutionResult
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.schema._graphql_core import execution_context_class_kwargs
from strawberry.types.execution import ExecutionContext
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe

from api.settings import Settings, _asyncpg
from domain.actors import Actor
from store.replicas import ReplicaSet, format_lsn, lost_on, parse_lsn

log = structlog.get_logger("api.read_replicas")

WAL_POSITION_HEADER = "X-Yk-Wal-Position"
_HEADER_KEY = WAL_POSITION_HEADER.lower().encode()
_STATE_KEY = "wal_position"  # in the ASGI scope's state: the position a mutation of this request reached
_LSN = re.compile(r"^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$")
RECENT_WRITES_SECONDS = 60.0  # longer than any replica in rotation may lag (replica_max_lag_seconds)
RECENT_WRITES_MAX = 10_000  # principals remembered per process; the oldest are forgotten first


class RecentWrites:
    """The last write position of each principal in this process: short-lived and bounded (LRU)."""

    def __init__(
        self, *, seconds: float = RECENT_WRITES_SECONDS, max_entries: int = RECENT_WRITES_MAX
    ) -> None:
        self.seconds, self.max_entries = seconds, max_entries
        self._entries: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def remember(self, key: str, position: int) -> None:
        previous = self.get(key) or 0
        self._entries[key] = (max(previous, position), time.monotonic() + self.seconds)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def get(self, key: str) -> int | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[1] < time.monotonic():
            del self._entries[key]
            return None
        return found[0]

    def __len__(self) -> int:
        return len(self._entries)


def principal_key(actor: Actor | None) -> str | None:
    """A user's writes are theirs in every session (two tabs); an API token's are the token's."""
    if actor is None:
        return None
    return f"user:{actor.user_id}" if actor.user_id is not None else f"token:{actor.token_id}"


def header_position(scope: Scope) -> int | None:
    """The position the client echoed; a malformed one is ignored (it only ever delays the sender's reads)."""
    for key, value in scope.get("headers") or ():
        if key == _HEADER_KEY:
            text = value.decode("latin-1").strip()
            return parse_lsn(text) if _LSN.match(text) else None
    return None


def position_to_read(state: Any, scope: Scope, actor: Actor | None) -> int | None:
    """The latest of the echoed header and this principal's remembered write: what a read must see."""
    key = principal_key(actor)
    remembered = state.recent_writes.get(key) if key else None
    echoed = header_position(scope)
    known = [p for p in (echoed, remembered) if p is not None]
    return max(known) if known else None


async def read_sessions(
    connection: HTTPConnection, actor: Actor | None, *, autocommit: bool, lost: str | None = None
) -> async_sessionmaker[AsyncSession]:
    """Where a request outside GraphQL (an export) reads: a replica that has its writes, else the primary;
    after losing replica `lost`, the next one that has them, else the primary."""
    state = connection.app.state
    replicas: ReplicaSet | None = getattr(state, "replicas", None)
    if replicas is not None:
        position = position_to_read(state, connection.scope, actor)
        replica = await (replicas.route(position) if lost is None else replicas.reroute(lost, position))
        if replica is not None:
            return replica.read_session_factory if autocommit else replica.session_factory
    return state.read_session_factory if autocommit else state.session_factory  # type: ignore[no-any-return]


async def stream_partitions(
    connection: HTTPConnection, actor: Actor | None, statement: Any
) -> AsyncIterator[Sequence[Any]]:
    """A streamed statement's rows, partition by partition (`yield_per`), from where `read_sessions` points.
    A replica lost before the first partition is sent: the whole statement once more elsewhere; after that
    the stream breaks (the client has a part of it: only its retry can start over)."""
    sessions = await read_sessions(connection, actor, autocommit=False)
    sent = False
    try:
        async with sessions() as session:
            result = await session.stream(statement)
            async for rows in result.partitions():
                sent = True
                yield rows
        return
    except Exception as error:
        lost = lost_on(error)
        if sent or lost is None:
            raise
    sessions = await read_sessions(connection, actor, autocommit=False, lost=lost)
    log.warning("read replica lost before an export's first rows; reading them again", replica=lost)
    async with sessions() as session:
        result = await session.stream(statement)
        async for rows in result.partitions():
            yield rows


class ReadRouting(SchemaExtension):
    """Points a query's reads at a replica; after a mutation, hands its WAL position to the client."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        request = getattr(context, "request", None)
        state = getattr(getattr(request, "app", None), "state", None)
        replicas: ReplicaSet | None = getattr(state, "replicas", None)
        if replicas is None or request is None:
            yield
            return
        kind = self.execution_context.operation_type
        if kind is OperationType.QUERY:
            position = position_to_read(state, request.scope, context.actor)
            replica = await replicas.route(position)
            if replica is not None:
                context.read_session_factory = replica.read_session_factory
            yield
            if replica is not None:
                await self._again_if_lost(replicas, state, position)
        elif kind is OperationType.MUTATION:
            yield
            await _hand_out_position(state, replicas, request.scope, context.actor)
        else:
            yield  # subscriptions follow the primary's NOTIFY: they read there too

    async def _again_if_lost(self, replicas: ReplicaSet, state: Any, position: int | None) -> None:
        """A query that lost its replica's connection runs once more elsewhere; its answer replaces the first."""
        execution = self.execution_context
        result = execution.result
        if result is None or not result.errors:
            return
        lost = next((name for error in result.errors if (name := lost_on(error)) is not None), None)
        if lost is None:  # the query's own errors, a timeout, the primary's outage: the answer stands
            return
        replica = await replicas.reroute(lost, position)
        log.warning(
            "read replica lost mid-query; answering it again",
            replica=lost,
            retry_on=replica.name if replica is not None else "primary",
            operation=execution.operation_name,
        )
        context = execution.context
        context.read_session_factory = (
            replica.read_session_factory if replica is not None else state.read_session_factory
        )
        context.renew_loaders()  # the first run's batches hold the lost connection's failures
        again = await _execute_again(execution)
        # strawberry goes on with the object it holds (not `execution.result`): give it the new answer
        result.data, result.errors = again.data, again.errors
        execution.pre_execution_errors = again.errors


async def _execute_again(execution: ExecutionContext) -> ExecutionResult:
    """The parsed and validated operation, executed once more as strawberry executes it (Schema.
    _execute_operation), inside the extensions' hooks that are already running. No extension of ours
    implements `resolve`, so there is no middleware to pass."""
    schema: Any = execution.schema
    assert execution.graphql_document is not None  # executed once already
    result = await await_maybe(
        schema._get_execute_function()(
            schema._schema,
            execution.graphql_document,
            root_value=execution.root_value,
            variable_values=execution.variables,
            operation_name=execution.operation_name,
            context_value=execution.context,
            is_awaitable=optimized_is_awaitable,
            **execution_context_class_kwargs(schema.execution_context_class),
            **schema._get_custom_context_kwargs(execution.operation_extensions),
        )
    )
    return result  # type: ignore[no-any-return]


async def _hand_out_position(state: Any, replicas: ReplicaSet, scope: Scope, actor: Actor | None) -> None:
    try:
        position = await replicas.commit_position()
    except Exception as error:  # the mutation's answer stands; its reader may then see a stale replica
        log.warning("could not read the WAL position after a mutation", error=repr(error)[:200])
        return
    if position is None:
        return
    key = principal_key(actor)
    if key is not None:
        state.recent_writes.remember(key, position)
    scope.setdefault("state", {})[_STATE_KEY] = format_lsn(position)


class WalPositionHeader:
    """Adds `X-Yk-Wal-Position` to the answer of a request whose mutation wrote (pure ASGI: streams pass)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # shared with the inner copies of the scope

        async def send_with_position(message: Message) -> None:
            position = state.get(_STATE_KEY)
            if message["type"] == "http.response.start" and position:
                message["headers"] = [*message.get("headers", []), (_HEADER_KEY, position.encode())]
            await send(message)

        await self.app(scope, receive, send_with_position)


class ReplicaCollector(Collector):
    """Replica state and lag at scrape time; labels are the configured replicas' names (replica1…N)."""

    def __init__(self, replicas: ReplicaSet) -> None:
        self.replicas = replicas

    def collect(self) -> Iterable[GaugeMetricFamily | CounterMetricFamily]:
        up = GaugeMetricFamily("yk_db_replica_up", "The replica answered its last check.", labels=["replica"])
        rotation = GaugeMetricFamily(
            "yk_db_replica_in_rotation",
            "Reads may go to the replica (up and within the lag bounds).",
            labels=["replica"],
        )
        lag_bytes = GaugeMetricFamily(
            "yk_db_replica_lag_bytes",
            "WAL the primary has written and the replica not replayed.",
            labels=["replica"],
        )
        lag_seconds = GaugeMetricFamily(
            "yk_db_replica_lag_seconds",
            "How long the primary has had WAL the replica has not replayed.",
            labels=["replica"],
        )
        for replica in self.replicas.replicas:
            status = replica.status
            up.add_metric([replica.name], 0 if status.state in ("down", "unknown") else 1)
            rotation.add_metric([replica.name], 1 if status.in_rotation else 0)
            if status.lag_bytes is not None:
                lag_bytes.add_metric([replica.name], status.lag_bytes)
            if status.lag_seconds is not None:
                lag_seconds.add_metric([replica.name], status.lag_seconds)
        routed = CounterMetricFamily(
            "yk_db_reads_routed", "Reads by where they went and why.", labels=["target", "reason"]
        )
        for (target, reason), count in sorted(self.replicas.routed.items()):
            routed.add_metric([target, reason], count)
        retried = CounterMetricFamily(
            "yk_db_reads_retried",
            "Queries answered again elsewhere after losing the replica's connection.",
            labels=["replica"],
        )
        for name, count in sorted(self.replicas.retried.items()):
            retried.add_metric([name], count)
        yield from (up, rotation, lag_bytes, lag_seconds, routed, retried)


def install(app: Starlette, settings: Settings, primary: AsyncEngine) -> ReplicaSet | None:
    """Replicas from YK_REPLICA_URLS, their metrics and the position header; None (nothing changes) without."""
    app.state.replicas = None
    if not settings.replica_urls:
        return None
    replicas = ReplicaSet.connect(
        primary,
        [_asyncpg(url) for url in settings.replica_urls],
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        statement_timeout_ms=settings.statement_timeout_ms,
        max_lag_seconds=settings.replica_max_lag_seconds,
        max_lag_bytes=settings.replica_max_lag_bytes,
        wait_seconds=settings.replica_wait_ms / 1000,
        check_seconds=settings.replica_check_seconds,
    )
    app.state.replicas = replicas
    app.state.recent_writes = RecentWrites()
    app.state.metrics.registry.register(ReplicaCollector(replicas))
    app.add_middleware(WalPositionHeader)
    return replicas


async def readiness(app: Starlette) -> list[dict[str, Any]] | None:
    """For /readyz: every replica as a fresh check finds it (never fails the probe: the primary serves)."""
    replicas: ReplicaSet | None = getattr(app.state, "replicas", None)
    if replicas is None:
        return None
    await replicas.start()  # the watcher, if no request started it yet
    await replicas.check()
    return replicas.report()
