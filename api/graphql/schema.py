"""The schema: every feature's queries and mutations merged, plus `node(id:)`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from sqlalchemy import select
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info

from api.context import Context
from api.errors import MaskUnexpectedErrors, not_found
from api.graphql.approvals import ApprovalMutations, ApprovalQueries
from api.graphql.audit import AuditQueries
from api.graphql.authz import PolicyMutations, PolicyQueries
from api.graphql.changes import ChangeQueries
from api.graphql.common import CNY, CNY_SCALAR, Node, from_global_id
from api.graphql.construction import ConstructionMutations, ConstructionQueries
from api.graphql.construction_acceptance import AcceptanceMutations
from api.graphql.contract import describe_mutation_inputs
from api.graphql.dashboards import DashboardQueries
from api.graphql.execution import PlainFieldsExecutor
from api.graphql.identity import IdentityMutations, IdentityQueries
from api.graphql.obligations import ObligationMutations, ObligationQueries
from api.graphql.organizations import Organization
from api.graphql.plans import PlanMutations, PlanQueries
from api.graphql.project_mutations import ProjectMutations
from api.graphql.projects import Project, ProjectQueries, load_readable_project
from api.graphql.sessions import RecordForbidden, SessionMutations, SessionQueries
from api.graphql.subscriptions import Subscription
from api.graphql.supervision import SupervisionMutations, SupervisionQueries
from api.graphql.webhooks import WebhookMutations, WebhookQueries
from api.limits import limit_extensions
from api.metrics import GraphQLMetrics
from api.trusted_documents import TrustedDocuments
from authz.operations import Operation
from store import tables


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
):
    @strawberry.field(description="按全局标识取任一对象 — any object by its global id.")
    async def node(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="全局标识 — global id.")],
    ) -> Node:
        ctx = info.context
        decoded = from_global_id(id)
        if decoded is not None and decoded[0] == "Project":
            return Project.from_domain(await load_readable_project(ctx, pk=decoded[1]))
        if decoded is not None and decoded[0] == "Organization":
            ctx.require(Operation.ORGANIZATION_READ)
            async with ctx.session_factory() as session:
                row = (
                    await session.execute(
                        select(tables.organizations).where(tables.organizations.c.id == decoded[1])
                    )
                ).first()
            if row is not None:
                return Organization.from_row(row)
        ctx.require_actor()
        raise not_found(ctx.lang)


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
        types=[Project, Organization],
        extensions=[
            GraphQLMetrics,  # first: its post-operation step runs last and sees the final error codes
            MaskUnexpectedErrors,
            RecordForbidden,  # issue 13: FORBIDDEN refusals are security events
            TrustedDocuments,
            # Parsed and validated once per document text, in caches bounded in bytes (api/limits.py).
            *limit_extensions(production=production),
        ],
        config=StrawberryConfig(scalar_map={CNY: CNY_SCALAR}, disable_field_suggestions=production),
        execution_context_class=PlainFieldsExecutor,
    )
    describe_mutation_inputs(schema._schema)
    return schema
