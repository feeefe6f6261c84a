"""The schema: every feature's queries and mutations merged, plus `node(id:)`, `nodes(ids:)`, `rateLimit`."""

from __future__ import annotations

import functools

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api import input_plans
from api.errors import MaskUnexpectedErrors
from api.extension_hooks import CachedHooksRunner
from api.graphql.acceptance.files import AcceptanceFileMutations
from api.graphql.acceptance.mutations import AcceptanceMutations
from api.graphql.approvals.resolvers import ApprovalMutations, ApprovalQueries
from api.graphql.audit.log import AuditQueries
from api.graphql.authz import PolicyMutations, PolicyQueries
from api.graphql.common import CNY, CNY_SCALAR, described_scalars
from api.graphql.construction.mutations import ConstructionMutations
from api.graphql.construction.queries import ConstructionQueries
from api.graphql.dashboards.queries import DashboardQueries
from api.graphql.identity.activation import ActivationMutations
from api.graphql.identity.sessions import RecordForbidden, SessionMutations, SessionQueries
from api.graphql.identity.users import IdentityMutations, IdentityQueries
from api.graphql.live.subscriptions import Subscription
from api.graphql.nodes import NodeQueries
from api.graphql.obligations.resolvers import Notification, Obligation, ObligationMutations, ObligationQueries
from api.graphql.organizations import Organization
from api.graphql.plans.resolvers import PlanMutations, PlanQueries
from api.graphql.projects.compiled import CompiledListExecutor
from api.graphql.projects.mutations import ProjectMutations
from api.graphql.projects.queries import ProjectQueries
from api.graphql.projects.types import Project
from api.graphql.rate_limit import RateLimitQueries
from api.graphql.supervision.resolvers import SupervisionMutations, SupervisionQueries
from api.graphql.sync.feed import ChangeQueries
from api.graphql.webhooks.resolvers import WebhookMutations, WebhookQueries
from api.limits import limit_extensions
from api.metrics import GraphQLMetrics
from api.read_replicas import ReadRouting
from api.schema_contract import describe_mutation_inputs
from api.trusted_documents import TrustedDocuments


@strawberry.type(
    description="查询入口：所有读操作，结果按查看者的权限删减 — the entry point of every read; each answer holds only what the viewer may read."
)
class Query(
    ProjectQueries,
    IdentityQueries,
    AuditQueries,
    PolicyQueries,
    ChangeQueries,
    PlanQueries,
    ApprovalQueries,
    WebhookQueries,
    SupervisionQueries,
    ObligationQueries,
    DashboardQueries,
    ConstructionQueries,
    SessionQueries,
    NodeQueries,
    RateLimitQueries,
):
    pass


@strawberry.type(
    description="变更入口：所有写操作，名称为对象在前、动作在后，如 projectCreate；每个只接受一个 input — the entry point of every write, named object first (`projectCreate`); each takes one `input` and returns a payload with `userErrors`."
)
class Mutation(
    ProjectMutations,
    IdentityMutations,
    PolicyMutations,
    PlanMutations,
    ApprovalMutations,
    WebhookMutations,
    SupervisionMutations,
    ObligationMutations,
    ConstructionMutations,
    AcceptanceMutations,
    AcceptanceFileMutations,
    SessionMutations,
    ActivationMutations,
):
    pass


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors are product, not incidents; unexpected ones are logged by MaskUnexpectedErrors."""

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        """The extensions' hooks looked up once per class, not per request (api/extension_hooks.py)."""
        return CachedHooksRunner(execution_context=execution_context, extensions=extensions)


@functools.cache  # built once per process and mode: it is immutable, and building costs ~0.15 s
def build_schema(*, production: bool = False, read_replicas: bool = False) -> strawberry.Schema:
    """The schema; production refuses introspection and field suggestions (OWASP). With read replicas
    (YK_REPLICA_URLS), queries read on one and mutations hand out their WAL position (api/read_replicas.py)."""
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Project, Organization, Obligation, Notification],
        extensions=[
            GraphQLMetrics,  # first: its post-operation step runs last and sees the final error codes
            MaskUnexpectedErrors,
            RecordForbidden,  # issue 13: FORBIDDEN refusals are security events
            TrustedDocuments,
            *([ReadRouting] if read_replicas else []),  # without replicas, not even a hook per request
            # Parsed and validated once per document text, in caches bounded in bytes (api/limits.py).
            *limit_extensions(production=production),
        ],
        config=StrawberryConfig(
            scalar_map={CNY: CNY_SCALAR, **described_scalars()}, disable_field_suggestions=production
        ),
        execution_context_class=CompiledListExecutor,  # issue 17: the compiled project list
    )
    describe_mutation_inputs(schema._schema)
    input_plans.install(schema)  # issue 17: inputs built by a plan per type, not field by field
    return schema
