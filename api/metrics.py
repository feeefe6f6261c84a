"""Prometheus metrics at /metrics: HTTP requests and latency, GraphQL latency and errors by operation name,
database pool use. One registry per app (tests build many apps in one process); every API process exposes
its own figures and Prometheus scrapes each."""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

KNOWN_PATHS = {
    "/graphql",
    "/healthz",
    "/readyz",
    "/metrics",
    "/export/projects.ndjson",
    "/export/projects.csv",
}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _PoolCollector(Collector):
    """Reads the SQLAlchemy pool at scrape time."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = session_factory

    def collect(self) -> Iterable[GaugeMetricFamily]:
        engine = self._factory.kw.get("bind")
        pool = getattr(getattr(engine, "sync_engine", None), "pool", None)
        if pool is None or not hasattr(pool, "checkedout"):
            return
        for name, doc, value in (
            ("yk_db_pool_size", "Configured pool size.", pool.size()),
            ("yk_db_pool_checked_out", "Connections in use.", pool.checkedout()),
            ("yk_db_pool_overflow", "Connections beyond the pool size.", max(pool.overflow(), 0)),
            ("yk_db_pool_idle", "Idle connections in the pool.", pool.checkedin()),
        ):
            yield GaugeMetricFamily(name, doc, value=value)


class _CompiledListCollector(Collector):
    """How the project list was answered in this process (issue 17): compiled, generic, declined."""

    def collect(self) -> Iterable[CounterMetricFamily]:
        from api.graphql.projects.compiled import ANSWERS  # at scrape time: the schema imports this module

        family = CounterMetricFamily(
            "yk_graphql_compiled_list_answers",
            "GraphQL operations by path: compiled (PostgreSQL wrote the JSON), generic (not compiled or "
            "switched off), declined (compiled, but the generic path answered: a refusal or an outage).",
            labels=["path"],
        )
        for path in ("compiled", "generic", "declined"):
            family.add_metric([path], ANSWERS[path])
        yield family


class Metrics:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        settings: Any = None,
        known_operations: Iterable[str] = (),
    ) -> None:
        self.settings = settings
        self.registry = CollectorRegistry()
        # Label values are bounded (issue 13.10): the trusted documents' operation names, then the first
        # `metrics_max_operations` names seen; any other name is counted as "other".
        self.known_operations = set(known_operations)
        self.max_learned = getattr(settings, "metrics_max_operations", 100)
        self.learned: set[str] = set()
        self.requests = Counter(
            "yk_http_requests", "HTTP requests.", ["method", "path", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "yk_http_request_duration_seconds",
            "HTTP request latency.",
            ["method", "path"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.operations = Histogram(
            "yk_graphql_operation_duration_seconds",
            "GraphQL operation latency.",
            ["operation_name", "operation_type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "yk_graphql_errors",
            "GraphQL errors by extensions.code.",
            ["operation_name", "code"],
            registry=self.registry,
        )
        self.registry.register(_PoolCollector(session_factory))
        self.registry.register(_CompiledListCollector())
        # Each label set's children, looked up once (issue 17): `labels()` validates and locks on every call.
        # As bounded as the metrics' own children: the same label values.
        self._http: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._operations: dict[tuple[str, str], Any] = {}
        self._errors: dict[tuple[str, str], Any] = {}

    def observe_request(self, method: str, path: str, status: int, seconds: float) -> None:
        """One HTTP request: counted by method, path and status; its latency by method and path."""
        children = self._http.get((method, path, status))
        if children is None:
            children = self._http[(method, path, status)] = (
                self.requests.labels(method, path, str(status)),
                self.latency.labels(method, path),
            )
        children[0].inc()
        children[1].observe(seconds)

    def observe_operation(self, name: str, kind: str, seconds: float, codes: Iterable[str]) -> None:
        """One GraphQL operation: its latency by name and type, each of its errors by name and code."""
        histogram = self._operations.get((name, kind))
        if histogram is None:
            histogram = self._operations[(name, kind)] = self.operations.labels(name, kind)
        histogram.observe(seconds)
        for code in codes:
            counter = self._errors.get((name, code))
            if counter is None:
                counter = self._errors[(name, code)] = self.errors.labels(name, code)
            counter.inc()

    def label(self, name: str | None) -> str:
        """The operation's label: a known or already-learned name, or "other" once the room is used up."""
        label = operation_label(name)
        if label in ("anonymous", "invalid") or label in self.known_operations or label in self.learned:
            return label
        if len(self.learned) < self.max_learned:
            self.learned.add(label)
            return label
        return "other"

    async def endpoint(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

    def _refusal(self, request: Request) -> Response | None:
        """Who may scrape (issue 13.10): the bearer of YK_METRICS_TOKEN; without a token configured,
        loopback clients in development and nobody in production (404: the endpoint is not advertised)."""
        settings = self.settings
        token = getattr(settings, "metrics_token", None)
        if token is not None and token.get_secret_value():
            offered = request.headers.get("authorization", "")
            expected = "Bearer " + token.get_secret_value()
            if hmac.compare_digest(offered.encode(), expected.encode()):
                return None
            return Response(
                "metrics need Authorization: Bearer <YK_METRICS_TOKEN>\n",
                status_code=401,
                media_type="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        if getattr(settings, "production", False):
            return Response("Not Found\n", status_code=404, media_type="text/plain")
        host = request.client.host if request.client else ""
        if host in LOOPBACK:
            return None
        return Response("Not Found\n", status_code=404, media_type="text/plain")


class HttpMetrics:
    """Pure ASGI middleware (streams pass through untouched); unknown paths are one label, not thousands."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"] if scope["path"] in KNOWN_PATHS else "other"
        status, started = 500, time.perf_counter()

        async def observe(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            self.metrics.observe_request(scope["method"], path, status, time.perf_counter() - started)


def operation_label(name: str | None) -> str:
    """Client-chosen names become labels only when they look like names (bounded cardinality)."""
    if not name:
        return "anonymous"
    return name if OPERATION_NAME.match(name) else "invalid"


class GraphQLMetrics(SchemaExtension):
    """Latency by operation name and type; errors by their extensions.code."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        request = getattr(context.context, "request", None)
        metrics: Metrics | None = getattr(
            getattr(getattr(request, "app", None), "state", None), "metrics", None
        )
        if metrics is None:
            return
        name = metrics.label(context.operation_name or _single_operation_name(context))
        kind = context.operation_type.value if context.graphql_document is not None else "invalid"
        seconds = time.perf_counter() - started
        errors = (context.result.errors or []) if context.result is not None else []
        codes = [str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")) for error in errors]
        metrics.observe_operation(name, kind, seconds, codes)


def _single_operation_name(context: Any) -> str | None:
    document = context.graphql_document
    if document is None:
        return None
    names = [
        d.name.value
        for d in document.definitions
        if getattr(d, "name", None) is not None and d.__class__.__name__ == "OperationDefinitionNode"
    ]
    return names[0] if len(names) == 1 else None
