"""The schema: every feature's queries and mutations merged, plus `node(id:)`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from sqlalchemy import select
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info

from api.context import Context
from api.errors import MaskUnexpectedErrors, not_found
from api.graphql.audit import AuditQueries
from api.graphql.common import CNY, CNY_SCALAR, Node, from_global_id
from api.graphql.identity import IdentityMutations, IdentityQueries
from api.graphql.organizations import Organization
from api.graphql.project_mutations import ProjectMutations
from api.graphql.projects import Project, ProjectQueries, load_readable_project
from authz.operations import Operation
from store import tables


@strawberry.type(description="查询 — queries.")
class Query(ProjectQueries, IdentityQueries, AuditQueries):
    @strawberry.field(description="按全局标识取任一对象 — any object by its global id.")
    async def node(
        self, info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="全局标识 — global id.")],
    ) -> Node:
        ctx = info.context
        decoded = from_global_id(id)
        if decoded is not None and decoded[0] == "Project":
            return Project.from_domain(await load_readable_project(ctx, pk=decoded[1]))
        if decoded is not None and decoded[0] == "Organization":
            ctx.require(Operation.ORGANIZATION_READ)
            async with ctx.session_factory() as session:
                row = (await session.execute(select(tables.organizations)
                                             .where(tables.organizations.c.id == decoded[1]))).first()
            if row is not None:
                return Organization.from_row(row)
        ctx.require_actor()
        raise not_found(ctx.lang)


@strawberry.type(description="变更 — mutations, named noun-first.")
class Mutation(ProjectMutations, IdentityMutations):
    pass


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Expected errors are product, not incidents; unexpected ones are logged by MaskUnexpectedErrors."""


def build_schema() -> strawberry.Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[Project, Organization],
        extensions=[
            MaskUnexpectedErrors,
            lambda: QueryDepthLimiter(max_depth=10),
            lambda: MaxAliasesLimiter(max_alias_count=20),
        ],
        config=StrawberryConfig(scalar_map={CNY: CNY_SCALAR}),
    )
