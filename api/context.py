"""Per-request context: who is asking, in which language, and the handles a resolver needs."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request
from strawberry.dataloader import DataLoader

from api.auth import AuthError
from api.credential_cache import CredentialCache
from api.errors import forbidden, unauthenticated, unavailable
from api.graphql.common import pk_of
from api.settings import Settings
from authz.enforcer import Authorizer, ProjectGate
from authz.operations import Operation
from authz.sql import project_filter
from domain.actors import Actor
from domain.clock import Clock, legal_date
from domain.obligations import Obligation, next_obligation
from domain.preconditions import NO_FACTS, ActionFacts
from domain.projects import Project
from domain.reserve import ReserveReview
from store import construction_tables, tables
from store.action_facts import action_facts
from store.supervision_repositories import obligation_facts
from store.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from api.live import ChangeSignal


def _loader(load: Any) -> DataLoader[Any, Any]:
    return DataLoader(load_fn=load)


# The request's DataLoaders by name, and the Context method each batches.
_LOADS = {
    "organization": "_load_organizations",
    "reserve_reviews": "_load_reserve_reviews",
    "project": "_load_projects",
    "latest_progress_report": "_load_latest_progress_reports",
    "next_obligation": "_load_next_obligations",
    "action_facts": "_load_action_facts",
}


class _Loaders(dict[str, DataLoader[Any, Any]]):
    """The request's DataLoaders, each made on first use: most requests use none or one of the six, and
    making all of them for every request cost ~30 µs (issue 17)."""

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def __missing__(self, name: str) -> DataLoader[Any, Any]:
        method = _LOADS.get(name)
        if method is None:
            raise KeyError(name)
        loader = self[name] = _loader(getattr(self.context, method))
        return loader


@dataclass
class Context:
    request: Request
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    read_session_factory: async_sessionmaker[AsyncSession]  # autocommit: for resolvers that only read
    engine: AsyncEngine  # for store.driver's plain-SQL statements
    authorizer: Authorizer
    clock: Clock
    lang: str
    request_id: str | None
    actor: Actor | None
    auth_error: AuthError | None
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)
    live: ChangeSignal | None = None  # wakes subscriptions (api/live.py)
    # graphql-transport-ws: the connection_init payload, where a browser puts its Authorization
    connection_params: dict[str, Any] | None = None
    credential: str | None = None  # the Authorization value the actor was resolved from
    credentials: CredentialCache | None = None  # the process's credential cache (api/credential_cache.py)

    def __post_init__(self) -> None:
        self.renew_loaders()

    def renew_loaders(self) -> None:
        """Fresh per-request caches; a subscription renews them at every change it reads."""
        self.loaders = _Loaders(self)

    async def reauthenticate(self) -> None:
        """Check the credential again (a long-lived subscription, at each wake-up): ended sessions end it.
        The process's credential cache answers (NOTIFY-invalidated), so a wake-up of many subscribers costs
        no statement each."""
        from api.principal import authenticate  # api.principal imports this module's neighbours

        principal = await authenticate(self, self.credential)
        self.actor, self.auth_error = principal.actor, principal.error
        self.require_actor()

    def require_actor(self) -> Actor:
        """The authenticated actor, or UNAUTHENTICATED (saying whether the token expired or is invalid)."""
        if self.actor is None:
            if self.auth_error is not None and self.auth_error.reason == "unavailable":
                raise unavailable(self.lang)  # the credential could not be checked: 503, Retry-After
            raise unauthenticated(self.lang, self.auth_error.reason if self.auth_error else None)
        return self.actor

    def require(self, operation: Operation) -> Actor:
        """For operations on no particular object: the actor, if its role may perform it."""
        actor = self.require_actor()
        if not self.authorizer.allowed(actor, operation):
            raise forbidden(self.lang, operation.value)
        return actor

    def gate(self, operation: Operation) -> ProjectGate:
        """For operations on a project: refuses at once a role without any grant, checks scope once loaded."""
        actor = self.require_actor()
        if not self.authorizer.scopes(actor, operation):
            raise forbidden(self.lang, operation.value)
        return self.authorizer.gate(actor, operation)

    @property
    def gate_in_force(self) -> ProjectGate:
        """The gate `Performs` opened for the field being resolved (its declared operation, for this actor)."""
        return gate_in_force.get()

    def pk(self, global_id: str, type_name: str) -> int:
        """The primary key behind a global id of that type; anything else is NOT_FOUND (API.md: a forbidden
        object and a missing one look the same)."""
        return pk_of(global_id, type_name, self.lang)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.session_factory, actor=self.require_actor(), clock=self.clock, request_id=self.request_id
        )

    async def _load_organizations(self, ids: Sequence[int]) -> list[Any]:
        async with self.read_session_factory() as session:
            rows = (
                await session.execute(select(tables.organizations).where(tables.organizations.c.id.in_(ids)))
            ).all()
        by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in ids]

    async def _load_projects(self, ids: Sequence[int]) -> list[Project | None]:
        """Whole aggregates (participants, catalogue, documents) for the projects of a page, in one batch."""
        async with self.read_session_factory() as session:
            stmt = select(Project).where(tables.projects.c.id.in_(ids))
            found = (await session.execute(stmt)).scalars().all()
        by_id = {p.id: p for p in found}
        return [by_id.get(i) for i in ids]

    async def _load_latest_progress_reports(self, project_ids: Sequence[int]) -> list[Any]:
        """Each project's latest quarterly progress report (R18), or None: one statement for a page."""
        r = construction_tables.progress_reports
        stmt = (
            select(r)
            .where(r.c.project_id.in_(project_ids))
            .ext(distinct_on(r.c.project_id))
            .order_by(r.c.project_id, r.c.period_number.desc())
        )
        async with self.read_session_factory() as session:
            latest = {row["project_id"]: row for row in (await session.execute(stmt)).mappings()}
        return [latest.get(i) for i in project_ids]

    async def _load_next_obligations(self, project_ids: Sequence[int]) -> list[Obligation | None]:
        """Each project's earliest obligation not yet met (issue 5's calendar), where the viewer may read the
        project's obligations; None otherwise."""
        actor = self.require_actor()
        where = and_(
            project_filter(self.authorizer, actor, Operation.OBLIGATION_READ),
            tables.projects.c.id.in_(project_ids),
        )
        async with self.read_session_factory() as session:
            facts = await obligation_facts(session, where)
        today = legal_date(self.clock())
        earliest = {project.project_id: next_obligation(project, today) for project in facts}
        return [earliest.get(i) for i in project_ids]

    async def _load_action_facts(self, project_ids: Sequence[int]) -> list[ActionFacts]:
        """The facts the project actions' preconditions read, for a page of projects in one batch."""
        async with self.read_session_factory() as session:
            found = await action_facts(session, project_ids, legal_date(self.clock()))
        return [found.get(i, NO_FACTS) for i in project_ids]

    async def _load_reserve_reviews(self, project_ids: Sequence[int]) -> list[list[ReserveReview]]:
        async with self.read_session_factory() as session:
            reviews = (
                (
                    await session.execute(
                        select(ReserveReview)
                        .where(tables.reserve_reviews.c.project_id.in_(project_ids))
                        .order_by(tables.reserve_reviews.c.id)
                    )
                )
                .scalars()
                .all()
            )
        grouped: dict[int, list[ReserveReview]] = {i: [] for i in project_ids}
        for review in reviews:
            grouped[review.project_id].append(review)
        return [grouped[i] for i in project_ids]


# The request's context, for the one object built outside a resolver that needs it later (a project's lead
# unit, loaded only if asked for: api/graphql/projects/types.py). Set by the view's get_context; every resolver
# runs in that request's task or a task started from it, so it sees this request's value.
current_context: ContextVar[Context] = ContextVar("current_context")
# The gate of the operation the resolving field performs, set by api.graphql.authz.Performs around its resolver.
# A context variable, not a Context attribute: query fields resolve concurrently, each in its own task.
gate_in_force: ContextVar[ProjectGate] = ContextVar("gate_in_force")
