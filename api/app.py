"""The Starlette application: GraphQL at /graphql (GraphiQL in development), health probes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from api.auth import AuthError, resolve_bearer
from api.context import Context
from api.graphql.schema import build_schema
from api.i18n import pick_language
from api.logs import RequestContext
from api.settings import Settings
from authz.enforcer import Authorizer
from domain.clock import Clock, system_clock
from store.engine import make_engine, make_session_factory

log = structlog.get_logger("api.app")


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our per-request context."""

    def __init__(self, app_state: Any, **kwargs: Any) -> None:
        super().__init__(build_schema(), **kwargs)
        self.app_state = app_state

    async def get_context(self, request: Request, response: Response | None = None) -> Context:  # type: ignore[override]
        state = self.app_state
        lang = pick_language(request.headers.get("accept-language"))
        actor, auth_error = None, None
        header = request.headers.get("authorization")
        if header:
            try:
                async with state.session_factory() as session:
                    actor = await resolve_bearer(session, header, secret=state.settings.token_secret.get_secret_value(),
                                                 now=state.clock())
            except AuthError as error:
                auth_error = error
        return Context(
            request=request, settings=state.settings, session_factory=state.session_factory,
            authorizer=state.authorizer, clock=state.clock, lang=lang,
            request_id=request.scope.get("state", {}).get("request_id"), actor=actor, auth_error=auth_error,
        )


def create_app(settings: Settings, *, database_url: str | None = None, engine: AsyncEngine | None = None,
               session_factory: async_sessionmaker[AsyncSession] | None = None, clock: Clock = system_clock,
               authorizer: Authorizer | None = None) -> Starlette:
    """Build the app. Tests pass their own session factory (bound to a rolled-back transaction) and clock."""
    settings.check()
    if engine is None and session_factory is None:
        if database_url is None:
            raise ValueError("create_app needs a database_url, an engine or a session_factory")
        engine = make_engine(database_url, pool_size=settings.db_pool_size,
                             statement_timeout_ms=settings.statement_timeout_ms)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        log.info("api started", environment=settings.environment)
        yield
        if engine is not None:
            await engine.dispose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            async with request.app.state.session_factory() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 — any failure to reach the database means "not ready"
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    app = Starlette(routes=[Route("/", home), Route("/healthz", healthz), Route("/readyz", readyz)],
                    middleware=[Middleware(RequestContext)], lifespan=lifespan)
    app.state.settings = settings
    app.state.session_factory = session_factory or make_session_factory(engine)  # type: ignore[arg-type]
    app.state.clock = clock
    app.state.authorizer = authorizer or Authorizer()
    graphql = GraphQLApp(app.state, graphql_ide=None if settings.production else "graphiql",
                         allow_queries_via_get=False)
    app.add_route("/graphql", graphql, methods=["GET", "POST"])
    return app
