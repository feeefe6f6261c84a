"""The schema: every feature's queries and mutations merged, plus `node(id:)`, `nodes(ids:)`, `rateLimit`."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.errors import MaskUnexpectedErrors
from api.graphql.approvals import ApprovalMutations, ApprovalQueries
from api.graphql.audit import AuditQueries
from api.graphql.authz import PolicyMutations, PolicyQueries
from api.graphql.changes import ChangeQueries
from api.graphql.common import CNY, CNY_SCALAR, described_scalars
from api.graphql.compiled_list import CompiledListExecutor
from api.graphql.construction import ConstructionMutations, ConstructionQueries
from api.graphql.construction_acceptance import AcceptanceMutations
from api.graphql.contract import describe_mutation_inputs
from api.graphql.dashboards import DashboardQueries
from api.graphql.identity import IdentityMutations, IdentityQueries
from api.graphql.nodes import NodeQueries
from api.graphql.obligations import Notification, Obligation, ObligationMutations, ObligationQueries
from api.graphql.organizations import Organization
from api.graphql.plans import PlanMutations, PlanQueries
from api.graphql.project_mutations import ProjectMutations
from api.graphql.projects import Project, ProjectQueries
from api.graphql.rate_limit import RateLimitQueries
from api.graphql.sessions import RecordForbidden, SessionMutations, SessionQueries
from api.graphql.subscriptions import Subscription
from api.graphql.supervision import SupervisionMutations, SupervisionQueries
from api.graphql.webhooks import WebhookMutations, WebhookQueries
from api.limits import limit_extensions
from api.metrics import GraphQLMetrics
from api.trusted_documents import TrustedDocuments


@strawberry.type(description="查询 — queries.")
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


@strawberry.type(description="变更 — mutations, named noun-first.")
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
    SessionMutations,
):
    pass


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors are product, not incidents; unexpected ones are logged by MaskUnexpectedErrors."""


def build_schema(*, production: bool = False) -> strawberry.Schema:
    """The schema; production refuses introspection and field suggestions (OWASP)."""
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
            # Parsed and validated once per document text, in caches bounded in bytes (api/limits.py).
            *limit_extensions(production=production),
        ],
        config=StrawberryConfig(
            scalar_map={CNY: CNY_SCALAR, **described_scalars()}, disable_field_suggestions=production
        ),
        execution_context_class=CompiledListExecutor,  # issue 17: the compiled project list
    )
    describe_mutation_inputs(schema._schema)
    return schema
