"""The Starlette application: GraphQL at /graphql (GraphiQL in development), health probes."""

from __future__ import annotations

import functools
import gc
import hashlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
import structlog
from cross_web import HTTPException
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from api import export, graphiql, idempotency, read_replicas, responses
from api.bounds import RequestBounds, cors_middleware
from api.context import Context, current_context
from api.credential_cache import CredentialCache, CredentialListener
from api.downloads import download_attachment
from api.errors import is_outage
from api.graphql.schema import build_schema
from api.i18n import pick_language
from api.limits import RequestLimits
from api.live import ChangeSignal
from api.logs import RequestContext
from api.metrics import HttpMetrics, Metrics
from api.principal import authenticate, principal_of
from api.rate_counter import RateCounter
from api.ratelimit import RateLimit
from api.settings import Settings, database_url
from api.trusted_documents import trusted_operation_names
from api.workers import notifications as notifications_worker
from api.workers import webhooks as webhooks_worker
from authz.enforcer import Authorizer
from authz.listener import asyncpg_connector, follow_database_policy
from domain.clock import Clock, system_clock
from store.engine import make_engine, make_read_session_factory, make_session_factory

log = structlog.get_logger("api.app")


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws speaks text frames (browser clients parse strings); our encoder gives bytes."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLApp(RequestLimits, GraphQL[Context, None]):
    """Strawberry's ASGI view, with our per-request context."""

    websocket_adapter_class = TextFrames

    def __init__(self, app_state: Any, **kwargs: Any) -> None:
        settings = app_state.settings
        super().__init__(
            build_schema(production=settings.production, read_replicas=bool(settings.replica_urls)), **kwargs
        )
        self.app_state = app_state

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Coded JSON for strawberry's HTTP-level refusals; status and media type by the answer (issue 14)."""
        if request.scope["type"] == "websocket":  # subscriptions: strawberry speaks graphql-transport-ws
            return await super().run(request, context, root_value)
        modern = responses.wants_graphql_response(request.headers.get("accept"))
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        if key:
            return await self._run_once(request, key, modern)
        return await self._answer(request, modern)

    async def _answer(self, request: Request, modern: bool) -> Response:
        try:
            response = await super().run(request)
        except HTTPException as error:
            lang = pick_language(request.headers.get("accept-language"))
            return responses.refusal(error.status_code, error.reason, lang, modern=modern)
        status = request.scope.get("graphql_status")
        return response if status is None else responses.finish(response, status, modern=modern)

    async def _run_once(self, request: Request, key: str, modern: bool) -> Response:
        """A mutation with an Idempotency-Key runs once; its retries get the first answer (api/idempotency.py)."""
        lang = pick_language(request.headers.get("accept-language"))
        if len(key) > idempotency.MAX_KEY_LENGTH:
            return responses.idempotency_refusal("idempotency-key-too-long", lang, modern=modern)
        fingerprint = None
        if "json" in request.headers.get("content-type", ""):
            fingerprint = idempotency.mutation_fingerprint(await request.body())
        if fingerprint is None:  # not a mutation (or not JSON): nothing to protect
            return await self._answer(request, modern)
        state = self.app_state
        owner = idempotency.owner_of(request.headers.get("authorization"), (request.client or ("?",))[0])
        try:
            held = await idempotency.claim(state.engine, owner, key, fingerprint, state.clock())
        except Exception as error:
            if not is_outage(error):
                raise
            return responses.finish(responses.unavailable_response(lang, modern=modern), 503, modern=modern)
        if held.reused or held.in_progress:
            reason = "idempotency-key-reused" if held.reused else "idempotency-key-in-progress"
            return responses.idempotency_refusal(reason, lang, modern=modern)
        if not held.claimed:
            replay = Response(held.body, status_code=held.status or 200, media_type="application/json")
            replay.headers["idempotency-replayed"] = "true"
            return responses.finish(replay, held.status or 200, modern=modern)
        response = await self._answer(request, modern)
        try:
            await idempotency.answer(state.engine, owner, key, response.status_code, bytes(response.body))
        except Exception as error:
            if not is_outage(error):
                raise
            # The key stays claimed without an answer: its retries are refused as in progress until it
            # expires, rather than run a second time.
            log.warning("idempotency answer not stored", error=repr(error)[:200])
        return response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:  # type: ignore[override]
        body = await super().process_result(request, result)
        modern = responses.wants_graphql_response(request.headers.get("accept"))
        request.scope["graphql_status"] = responses.answer_status(body, modern=modern)  # type: ignore[arg-type]
        return body

    @property
    def graphql_ide_html(self) -> str:
        return graphiql.page_html()  # assets from /graphiql/static, not a CDN (intranet)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:  # type: ignore[override]
        """graphql-transport-ws: browsers cannot set headers on a WebSocket, so the token comes in the
        connection_init payload (`{"Authorization": "Bearer …"}`); without a valid one the socket closes 4403."""
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        # The same check as every HTTP request's (api/principal.py), for a value that is not a header.
        principal = await authenticate(self.app_state, header if isinstance(header, str) else None)
        if principal.actor is None:
            reason = principal.error.reason if principal.error else "missing"
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "reason": reason})
        context.actor, context.auth_error, context.credential = principal.actor, None, header
        return UNSET

    async def get_context(self, request: Request, response: Response | None = None) -> Context:  # type: ignore[override]
        state = self.app_state
        lang = pick_language(request.headers.get("accept-language"))
        header = request.headers.get("authorization")
        principal = await principal_of(request.scope)  # resolved once per request (api/principal.py)
        actor, auth_error = principal.actor, principal.error
        context = Context(
            request=request,
            settings=state.settings,
            session_factory=state.session_factory,
            read_session_factory=state.read_session_factory,
            engine=state.engine,
            authorizer=state.authorizer,
            clock=state.clock,
            lang=lang,
            request_id=request.scope.get("state", {}).get("request_id"),
            actor=actor,
            auth_error=auth_error,
            live=state.live,
            credential=header,
            credentials=state.credentials,
        )
        current_context.set(context)
        return context


def create_app(
    settings: Settings,
    *,
    database_url: str | None = None,
    engine: AsyncEngine | None = None,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
    clock: Clock = system_clock,
    authorizer: Authorizer | None = None,
    policy_from_database: bool = True,
) -> Starlette:
    """Build the app. Tests pass their own session factory (bound to a rolled-back transaction) and clock."""
    settings.check()
    if engine is None and session_factory is None:
        if database_url is None:
            raise ValueError("create_app needs a database_url, an engine or a session_factory")
        engine = make_engine(
            database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            statement_timeout_ms=settings.statement_timeout_ms,
            pre_ping=settings.db_pre_ping,
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The policy lives in the database; every process follows its changes (LISTEN/NOTIFY, issue 6).
        listener = None
        if engine is not None and policy_from_database:
            listener = await follow_database_policy(
                app.state.authorizer,
                app.state.session_factory,
                engine.url.render_as_string(hide_password=False),
            )
            app.state.policy_listener = listener
        # Issue 17: the credential cache serves only while this process hears every drop (NOTIFY).
        credentials_listener = None
        if engine is not None and settings.credential_cache_seconds > 0:
            credentials_listener = CredentialListener(
                app.state.credentials,
                asyncpg_connector(
                    engine.url.render_as_string(hide_password=False), application_name="yingkou-credentials"
                ),
            )
            credentials_listener.start()
        log.info("api started", environment=settings.environment)
        if app.state.replicas is not None:  # issue 17: the first look at the replicas, then their watcher
            await app.state.replicas.start()
        webhook_worker = webhooks_worker.start(app.state) if settings.webhook_worker else None  # issue 7
        notices = notifications_worker.start(app.state) if settings.notification_worker else None  # issue 5
        settle_garbage_collector()
        yield
        if notices is not None:
            await notifications_worker.stop(notices)
        if webhook_worker is not None:
            await webhooks_worker.stop(webhook_worker)
        await app.state.live.stop()
        if app.state.replicas is not None:
            await app.state.replicas.stop()
        await app.state.rate_counter.stop()
        if credentials_listener is not None:
            await credentials_listener.stop()
        if listener is not None:
            await listener.stop()
        if engine is not None:
            await engine.dispose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            async with request.app.state.session_factory() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        replicas = await read_replicas.readiness(request.app)  # reported; a replica down is not unready
        return JSONResponse(
            {"status": "ok", "database": "ok", **({"replicas": replicas} if replicas else {})}
        )

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/attachments/{attachment_id}", download_attachment),
            Route("/rectification-attachments/{attachment_id}", download_attachment),
        ],
        # Outermost first: CORS headers also on refusals (429, 413, 401), so a page can read them; the
        # body limits innermost, right before the handlers that read bodies (issue 13.1, 14.3).
        middleware=[
            Middleware(RequestContext),
            *cors_middleware(settings),
            Middleware(RateLimit),
            Middleware(RequestBounds),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or make_session_factory(engine)  # type: ignore[arg-type]
    app.state.engine = engine or app.state.session_factory.kw["bind"]
    # Autocommit sessions for resolvers that only read: no BEGIN/ROLLBACK round trips.
    app.state.read_session_factory = (
        make_read_session_factory(engine) if session_factory is None else session_factory
    )  # type: ignore[arg-type]
    app.state.clock = clock
    app.state.authorizer = authorizer or Authorizer()
    app.state.credentials = CredentialCache(
        max_entries=settings.credential_cache_entries, ttl_seconds=settings.credential_cache_seconds
    )
    app.state.rate_counter = RateCounter(app.state.engine, interval=settings.rate_limit_merge_ms / 1000)
    app.state.live = ChangeSignal(
        asyncpg_connector(
            app.state.engine.url.render_as_string(hide_password=False), application_name="yingkou-live"
        )
    )
    graphql = GraphQLApp(
        app.state,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=False,
        multipart_uploads_enabled=True,
        # WebSocket handshakes are not covered by CORS: strawberry refuses other origins than these and ours
        allowed_origins=settings.cors_origins,
    )
    app.add_route("/graphql", graphql, methods=["GET", "POST"])
    if (
        not settings.production
    ):  # introspection is off in production: so is its SDL (404, as any unknown path)
        app.add_route("/schema.graphql", schema_sdl(graphql.schema), methods=["GET"])
    app.router.routes.append(WebSocketRoute("/graphql", graphql))  # subscriptions (graphql-transport-ws)
    app.router.routes.append(graphiql.static_mount())
    app.router.routes.extend(export.routes())  # issue 7: /export/projects.ndjson and .csv
    app.state.metrics = Metrics(  # issue 7: Prometheus at /metrics; 13.10: behind a token, bounded labels
        app.state.session_factory, settings=settings, known_operations=trusted_operation_names(settings)
    )
    app.add_route("/metrics", app.state.metrics.endpoint, methods=["GET"])
    read_replicas.install(app, settings, app.state.engine)  # issue 17: YK_REPLICA_URLS
    app.add_middleware(HttpMetrics, metrics=app.state.metrics)
    return app


def schema_sdl(schema: Any) -> Any:
    """GET /schema.graphql: the SDL `schema-export` writes (the committed contract), for codegen tools."""

    @functools.cache  # printed on the first request, not per app: printing costs ~0.1 s
    def sdl_and_etag() -> tuple[str, str]:
        sdl = schema.as_str().rstrip("\n") + "\n"
        return sdl, '"' + hashlib.sha256(sdl.encode()).hexdigest()[:32] + '"'

    async def endpoint(request: Request) -> Response:
        sdl, etag = sdl_and_etag()
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return PlainTextResponse(sdl, headers={"ETag": etag, "Cache-Control": "no-cache"})

    return endpoint


# Young objects between collections of the youngest generation (Python's default: 700). A request allocates
# thousands that die by reference count; a collection that runs mid-request only walks them again.
YOUNG_GENERATION_THRESHOLD = 10_000


def settle_garbage_collector() -> None:
    """What start-up built (schema, mappers, policy, caches) lives as long as the process: move it out of the
    collector's reach, so a full collection walks only what requests left behind. Measured under the lifecycle
    benchmark: collections took ~10 % of a worker's CPU (a full one ~90 ms), ~1.5 % after this."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


def app_from_environment() -> Starlette:
    """uvicorn's factory for worker processes (`serve --workers N`): settings and DATABASE_URL from the
    environment the serving process prepared."""
    from api.logs import configure_logging
    from api.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    if not settings.database_url:
        raise RuntimeError("app_from_environment needs DATABASE_URL (set by `serve --workers`)")
    return create_app(settings, database_url=database_url(settings))
