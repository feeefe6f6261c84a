"""Sign-in, the viewer, and administration of organizations, users and integrator tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api import admin, sessions
from api.context import Context
from api.graphql.authz import Performs, ViewerPermissions
from api.graphql.common import Node, UserError, to_global_id
from api.graphql.enums import OperationEnum, OrganizationTypeEnum, to_domain, to_gql
from api.graphql.organizations import Organization
from api.graphql.pagination import (
    After,
    Before,
    Connection,
    Edge,
    First,
    Last,
    PageRequest,
    counter,
    keyset_page,
)
from authz.operations import Operation
from domain.actors import Actor, OrgType
from store import tables

Ctx = Info[Context, None]


@strawberry.type(description="用户 — a person who signs in, belonging to one organization.")
class User(Node):
    username: str = strawberry.field(description="用户名 — username.")
    display_name: str = strawberry.field(description="姓名 — display name.")


@strawberry.type(description="当前登录者 — who is asking, for which organization, and what it may do.")
class Viewer(ViewerPermissions):
    actor: strawberry.Private[Actor]
    user: User | None = strawberry.field(
        description="用户；接口令牌访问时为空 — the user; null for an API token."
    )
    role: str = strawberry.field(description="角色 — role (the organization's type, or `admin`).")
    operations: list[OperationEnum] = strawberry.field(
        description="可执行的操作（不含具体对象范围） — operations the role may perform on at least some objects."
    )

    @strawberry.field(description="所属单位 — the organization.")
    async def organization(self, info: Ctx) -> Organization:
        return Organization.from_row(
            await info.context.loaders["organization"].load(self.actor.organization_id)
        )


@strawberry.input(description="登录 — sign in with username and password.")
class LoginInput:
    username: str = strawberry.field(description="用户名 — username.")
    password: str = strawberry.field(description="密码 — password.")


@strawberry.type(description="登录结果 — a signed, expiring token to send as `Authorization: Bearer`.")
class LoginPayload:
    token: str | None = strawberry.field(description="访问令牌（短期） — the short-lived bearer token.")
    expires_at: datetime | None = strawberry.field(description="到期时间 — when the token expires.")
    refresh_token: str | None = strawberry.field(
        default=None,
        description="刷新令牌（只用一次，换取新令牌） — used once with tokenRefresh for the next token pair.",
    )
    refresh_expires_at: datetime | None = strawberry.field(
        default=None, description="登录会话到期时间 — when the session ends and a new sign-in is needed."
    )
    viewer: Viewer | None = strawberry.field(description="登录者 — who signed in.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.input(description="新建单位 — a new organization.")
class OrganizationCreateInput:
    name: str = strawberry.field(description="单位名称 — name.")
    type: OrganizationTypeEnum = strawberry.field(description="单位类型 — type (its role).")
    district: str | None = strawberry.field(default=None, description="所属区县 — district.")


@strawberry.type(description="新建单位结果 — result of organizationCreate.")
class OrganizationCreatePayload:
    organization: Organization | None = strawberry.field(description="新单位 — the organization.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.input(description="新建用户 — a new user.")
class UserCreateInput:
    username: str = strawberry.field(description="用户名 — username.")
    display_name: str = strawberry.field(description="姓名 — display name.")
    password: str = strawberry.field(
        description="初始密码（12–128个字符，不含用户名，不是常见密码） — initial password: 12–128 "
        "characters, not containing the username, not a common one."
    )
    organization_id: strawberry.ID = strawberry.field(description="所属单位 — the organization's global id.")
    is_admin: bool = strawberry.field(
        default=False, description="系统管理员 — administrator (Big Data Bureau staff)."
    )


@strawberry.type(description="新建用户结果 — result of userCreate.")
class UserCreatePayload:
    user: User | None = strawberry.field(description="新用户 — the user.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.type(description="接口令牌 — a read-only API token of an integrating system.")
class ApiToken(Node):
    name: str = strawberry.field(description="名称 — name.")
    prefix: str = strawberry.field(description="前缀（用于识别） — the first characters, to recognise it.")
    created_at: datetime = strawberry.field(description="签发时间 — issued at.")
    expires_at: datetime | None = strawberry.field(description="到期时间 — expires at.")
    revoked_at: datetime | None = strawberry.field(description="吊销时间 — revoked at.")
    last_used_at: datetime | None = strawberry.field(description="最近使用 — last used at.")


@strawberry.input(description="签发接口令牌 — issue a read-only token to an integrator organization.")
class ApiTokenCreateInput:
    name: str = strawberry.field(description="名称 — name.")
    organization_id: strawberry.ID = strawberry.field(
        description="对接系统单位 — the integrator organization."
    )
    expires_at: datetime | None = strawberry.field(default=None, description="到期时间 — optional expiry.")


@strawberry.type(
    description="签发结果：令牌只显示这一次 — the token is shown this once and stored only hashed."
)
class ApiTokenCreatePayload:
    token: str | None = strawberry.field(description="令牌 — the secret; shown once.")
    api_token: ApiToken | None = strawberry.field(description="令牌记录 — the token's record.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.input(description="吊销接口令牌 — revoke an API token.")
class ApiTokenRevokeInput:
    api_token_id: strawberry.ID = strawberry.field(description="令牌全局标识 — the token's global id.")


@strawberry.type(description="吊销结果 — result of apiTokenRevoke.")
class ApiTokenRevokePayload:
    api_token: ApiToken | None = strawberry.field(description="令牌记录 — the token's record.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


def _viewer(ctx: Context, actor: Actor, user_row: object | None = None) -> Viewer:
    user = None
    if actor.user_id is not None:
        user = User(
            id=to_global_id("User", actor.user_id),
            username=actor.username,
            display_name=getattr(user_row, "display_name", actor.username),
        )
    return Viewer(
        actor=actor,
        user=user,
        role=actor.role,
        operations=[to_gql(OperationEnum, op) for op in ctx.authorizer.operations(actor)],
    )


def _token(row: object) -> ApiToken:
    r = row  # a Row of api_tokens
    return ApiToken(
        id=to_global_id("ApiToken", r.id),
        name=r.name,
        prefix=r.prefix,  # type: ignore[attr-defined]
        created_at=r.created_at,
        expires_at=r.expires_at,  # type: ignore[attr-defined]
        revoked_at=r.revoked_at,
        last_used_at=r.last_used_at,
    )  # type: ignore[attr-defined]


@strawberry.type
class IdentityQueries:
    @strawberry.field(
        description="当前登录者 — the signed-in user or API token, its organization and powers."
    )
    async def viewer(self, info: Ctx) -> Viewer:
        ctx = info.context
        actor = ctx.require_actor()
        row = None
        if actor.user_id is not None:
            async with ctx.session_factory() as session:
                row = (
                    await session.execute(
                        select(tables.users.c.display_name).where(tables.users.c.id == actor.user_id)
                    )
                ).first()
        return _viewer(ctx, actor, row)

    @strawberry.field(description="单位列表 — organizations, e.g. to pick participating units.")
    async def organizations(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        type: Annotated[
            OrganizationTypeEnum | None, strawberry.argument(description="单位类型 — type.")
        ] = None,
    ) -> Connection[Organization]:
        ctx = info.context
        ctx.require(Operation.ORGANIZATION_READ)
        o = tables.organizations
        stmt = select(o)
        if type is not None:
            stmt = stmt.where(o.c.type == to_domain(OrgType, type).value)
        async with ctx.session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session,
                stmt,
                key=o.c.id,
                descending=False,
                page=PageRequest(first, after, last, before),
                lang=ctx.lang,
            )
        return Connection[Organization](
            edges=[Edge(cursor=c, node=Organization.from_row(r)) for r, c in zip(rows, cursors, strict=True)],
            page_info=page_info,
            count=counter(ctx.session_factory, stmt),
        )

    @strawberry.field(description="接口令牌列表（管理员） — API tokens, newest first (administrators).")
    async def api_tokens(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
    ) -> Connection[ApiToken]:
        ctx = info.context
        ctx.require(Operation.API_TOKEN_READ)
        t = tables.api_tokens
        stmt = select(t)
        async with ctx.session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session, stmt, key=t.c.id, page=PageRequest(first, after, None, None), lang=ctx.lang
            )
        return Connection[ApiToken](
            edges=[Edge(cursor=c, node=_token(r)) for r, c in zip(rows, cursors, strict=True)],
            page_info=page_info,
            count=counter(ctx.session_factory, stmt),
        )


@strawberry.type
class IdentityMutations:
    @strawberry.mutation(description="登录 — sign in; returns a bearer token.", extensions=[Performs(None)])
    async def login(self, info: Ctx, input: LoginInput) -> LoginPayload:
        ctx = info.context
        # throttling, the session and the security events: api/sessions.py; a refusal is a DomainError
        signed_in = await sessions.sign_in(
            ctx, username=input.username, password=input.password, client=sessions.client_of(ctx)
        )
        return LoginPayload(
            token=signed_in.access.token,
            expires_at=signed_in.access.expires_at,
            refresh_token=signed_in.refresh_token,
            refresh_expires_at=signed_in.refresh_expires_at,
            viewer=_viewer(ctx, signed_in.actor),
            user_errors=[],
        )

    @strawberry.mutation(
        description="新建单位（管理员） — create an organization (administrators).",
        extensions=[Performs(Operation.ORGANIZATION_CREATE)],
    )
    async def organization_create(
        self, info: Ctx, input: OrganizationCreateInput
    ) -> OrganizationCreatePayload:
        ctx = info.context
        pk = await admin.create_organization(
            ctx.uow(),
            name=input.name,
            type=to_domain(OrgType, input.type),
            district=input.district,
            operation=ctx.gate_in_force.operation,
        )
        row = await ctx.loaders["organization"].load(pk)
        return OrganizationCreatePayload(organization=Organization.from_row(row), user_errors=[])

    @strawberry.mutation(
        description="新建用户（管理员） — create a user (administrators).",
        extensions=[Performs(Operation.USER_CREATE)],
    )
    async def user_create(self, info: Ctx, input: UserCreateInput) -> UserCreatePayload:
        ctx = info.context
        username = input.username.strip()
        pk = await admin.create_user(
            ctx.uow(),
            username=username,
            display_name=input.display_name,
            password=input.password,
            organization_id=ctx.pk(input.organization_id, "Organization"),
            is_admin=input.is_admin,
            operation=ctx.gate_in_force.operation,
        )
        return UserCreatePayload(
            user=User(id=to_global_id("User", pk), username=username, display_name=input.display_name),
            user_errors=[],
        )

    @strawberry.mutation(
        description="签发接口令牌（管理员） — issue a read-only integrator token, shown once.",
        extensions=[Performs(Operation.API_TOKEN_CREATE)],
    )
    async def api_token_create(self, info: Ctx, input: ApiTokenCreateInput) -> ApiTokenCreatePayload:
        ctx = info.context
        created = await admin.create_api_token(
            ctx.uow(),
            name=input.name,
            organization_id=ctx.pk(input.organization_id, "Organization"),
            expires_at=input.expires_at,
            operation=ctx.gate_in_force.operation,
        )
        return ApiTokenCreatePayload(
            token=created.token, api_token=await _one_token(ctx, created.id), user_errors=[]
        )

    @strawberry.mutation(
        description="吊销接口令牌（管理员） — revoke an API token; it stops working at once.",
        extensions=[Performs(Operation.API_TOKEN_REVOKE)],
    )
    async def api_token_revoke(self, info: Ctx, input: ApiTokenRevokeInput) -> ApiTokenRevokePayload:
        ctx = info.context
        token_id = ctx.pk(input.api_token_id, "ApiToken")
        await admin.revoke_api_token(
            ctx.uow(), token_id=token_id, operation=ctx.gate_in_force.operation, cache=ctx.credentials
        )
        return ApiTokenRevokePayload(api_token=await _one_token(ctx, token_id), user_errors=[])


async def _one_token(ctx: Context, pk: int) -> ApiToken:
    async with ctx.session_factory() as session:
        row = (await session.execute(select(tables.api_tokens).where(tables.api_tokens.c.id == pk))).one()
    return _token(row)
