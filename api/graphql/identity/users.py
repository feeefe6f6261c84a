"""Sign-in, the viewer, and administration of organizations, users and integrator tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api import activation, credential_cache, sessions
from api.context import Context
from api.credentials import CREDENTIALS
from api.graphql.authz import Performs, ViewerPermissions
from api.graphql.common import Node, Payload, to_global_id
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
from domain.services import admin
from store import tables

Ctx = Info[Context, None]


@strawberry.type(description="用户 — a person who signs in, belonging to one organization.")
class User(Node):
    username: str = strawberry.field(
        description="登录用的用户名，全局唯一 — the name used to sign in; unique."
    )
    display_name: str = strawberry.field(
        description="显示的姓名，如「陈静」 — the name shown to others, e.g. `陈静`."
    )


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

    @strawberry.field(
        description="当前用户或令牌所属的单位；其类型决定角色 — the viewer's organization; its type is the viewer's role."
    )
    async def organization(self, info: Ctx) -> Organization:
        return Organization.from_row(
            await info.context.loaders["organization"].load(self.actor.organization_id)
        )


@strawberry.input(description="登录 — sign in with username and password.")
class LoginInput:
    username: str = strawberry.field(
        description="登录用户名，如 edu.chen — the username to sign in with, e.g. `edu.chen`."
    )
    password: str = strawberry.field(
        description="密码；连续失败会被限流和锁定 — the password; repeated failures are throttled and then locked."
    )


@strawberry.type(description="登录结果 — a signed, expiring token to send as `Authorization: Bearer`.")
class LoginPayload(Payload):
    token: str | None = strawberry.field(
        description="访问令牌（短期，默认 15 分钟），作 Authorization: Bearer 使用 — the short-lived access token (15 minutes by default): send it as `Authorization: Bearer <token>`."
    )
    expires_at: datetime | None = strawberry.field(
        description="访问令牌到期时间（UTC），之后用 refreshToken 换取新令牌 — when the access token expires (UTC); get the next one with the refresh token before then."
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="刷新令牌（只用一次，换取新令牌） — used once with tokenRefresh for the next token pair.",
    )
    refresh_expires_at: datetime | None = strawberry.field(
        default=None, description="登录会话到期时间 — when the session ends and a new sign-in is needed."
    )
    viewer: Viewer | None = strawberry.field(
        description="登录的用户（单位、角色）；登录失败时为空 — the user who signed in, with organization and role; null when sign-in failed."
    )


@strawberry.input(
    description="新建单位（管理员）：名称、类型（即其用户的角色）和所属区县 — a new organization: name, type (its users' role) and district."
)
class OrganizationCreateInput:
    name: str = strawberry.field(
        description="单位全称（全局唯一），如「营口市教育局」 — the organization's full name, unique, e.g. `营口市教育局`."
    )
    type: OrganizationTypeEnum = strawberry.field(
        description="单位类型，即其用户的角色，如 UNIT 建设单位 — the organization's type, which is its users' role, e.g. UNIT."
    )
    district: str | None = strawberry.field(
        default=None,
        description="所属区县，如「站前区」；市直单位可为空 — the district, e.g. `站前区`; omit for a municipal body.",
    )


@strawberry.type(
    description="新建单位结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of organizationCreate: the object after it on success; when refused, only userErrors, and nothing was changed."
)
class OrganizationCreatePayload(Payload):
    organization: Organization | None = strawberry.field(
        description="新建的单位；被拒绝时为空 — the organization created; null when refused."
    )


@strawberry.input(
    description="新建用户：所属单位决定其角色 — a new user account; its organization's type is its role."
)
class UserCreateInput:
    username: str = strawberry.field(
        description="登录用的用户名（全局唯一），如 li.si — the sign-in name, unique, e.g. `li.si`."
    )
    display_name: str = strawberry.field(
        description="显示的姓名，如「李四」 — the name shown to others, e.g. `李四`."
    )
    organization_id: strawberry.ID = strawberry.field(
        description="所属单位的全局标识；单位类型即用户角色 — the user's organization, its global id; its type is the user's role."
    )
    is_admin: bool = strawberry.field(
        default=False, description="系统管理员 — administrator (Big Data Bureau staff)."
    )


@strawberry.type(
    description="新建用户结果：激活令牌只显示这一次，请线下交给本人 — result of userCreate; the activation "
    "token is shown this once: hand it to the person out of band (not by the same channel as the username)."
)
class UserCreatePayload(Payload):
    user: User | None = strawberry.field(
        description="新建的用户；被拒绝时为空 — the user created; null when refused."
    )
    activation_token: str | None = strawberry.field(
        default=None,
        description="一次性激活令牌：本人用它设置自己的密码（accountActivate），只显示这一次，仅存哈希 — the "
        "one-time activation token with which the person sets their own password (accountActivate); shown "
        "once, stored only hashed. The administrator never knows the password.",
    )
    activation_expires_at: datetime | None = strawberry.field(
        default=None,
        description="激活令牌到期时间（默认签发后 72 小时）；被拒绝时为空 — when the activation token stops working (72 hours after issue by default); null when refused.",
    )


@strawberry.type(description="接口令牌 — a read-only API token of an integrating system.")
class ApiToken(Node):
    name: str = strawberry.field(
        description="令牌名称，说明用途，如「数据同步」 — what the token is for, e.g. `数据同步`."
    )
    prefix: str = strawberry.field(description="前缀（用于识别） — the first characters, to recognise it.")
    created_at: datetime = strawberry.field(description="签发时间（UTC） — when the token was issued (UTC).")
    expires_at: datetime | None = strawberry.field(
        description="到期时间（UTC），之后令牌失效；为空则不过期 — when the token stops working (UTC); null: it never expires."
    )
    revoked_at: datetime | None = strawberry.field(
        description="吊销时间（UTC），吊销后立即失效；未吊销为空 — when it was revoked (UTC) and stopped working; null while valid."
    )
    last_used_at: datetime | None = strawberry.field(
        description="最近一次被使用的时间（UTC）；从未使用为空 — when a request last used it (UTC); null if never."
    )


@strawberry.input(description="签发接口令牌 — issue a read-only token to an integrator organization.")
class ApiTokenCreateInput:
    name: str = strawberry.field(
        description="令牌名称，说明用途（必填），如「数据同步」 — what the token is for, required, e.g. `数据同步`."
    )
    organization_id: strawberry.ID = strawberry.field(
        description="令牌所属的对接系统单位（Organization.id，类型须为 INTEGRATOR） — the integrator organization the token reads as, its global id; its type must be INTEGRATOR."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="到期时间（ISO 8601，须在将来）；不填则不过期 — when the token stops working (ISO 8601, in the future); omit for no expiry.",
    )


@strawberry.type(
    description="签发结果：令牌只显示这一次 — the token is shown this once and stored only hashed."
)
class ApiTokenCreatePayload(Payload):
    token: str | None = strawberry.field(
        description="接口令牌本身（ykt_ 开头），只显示这一次，仅保存其哈希 — the API token itself (`ykt_…`), shown this once; only its SHA-256 hash is stored, so copy it now."
    )
    api_token: ApiToken | None = strawberry.field(
        description="令牌记录（不含令牌本身，只有前缀） — the token's record: name, prefix, expiry; never the secret itself."
    )


@strawberry.input(
    description="吊销接口令牌（管理员），立即失效 — revoke an API token (administrators); it stops working at once."
)
class ApiTokenRevokeInput:
    api_token_id: strawberry.ID = strawberry.field(
        description="要吊销的令牌的全局标识（ApiToken.id） — the global id of the token to revoke (`ApiToken.id`)."
    )


@strawberry.type(
    description="吊销结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of apiTokenRevoke: the object after it on success; when refused, only userErrors, and nothing was changed."
)
class ApiTokenRevokePayload(Payload):
    api_token: ApiToken | None = strawberry.field(
        description="令牌记录（不含令牌本身，只有前缀） — the token's record: name, prefix, expiry; never the secret itself."
    )


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
            async with ctx.read_session_factory() as session:
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
            OrganizationTypeEnum | None,
            strawberry.argument(
                description="只看该类型的单位，如 UNIT 建设单位；不填不限 — only organizations of this type, e.g. UNIT; omitted: all."
            ),
        ] = None,
    ) -> Connection[Organization]:
        ctx = info.context
        ctx.require(Operation.ORGANIZATION_READ)
        o = tables.organizations
        stmt = select(o)
        if type is not None:
            stmt = stmt.where(o.c.type == to_domain(OrgType, type).value)
        async with ctx.read_session_factory() as session:
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
            count=counter(ctx.read_session_factory, stmt),
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
        # A replica (issue 17), though about credentials: this is a view, and a revocation takes effect through
        # the credential check, which reads the primary; the revoking administrator reads their own write.
        async with ctx.read_session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session, stmt, key=t.c.id, page=PageRequest(first, after, None, None), lang=ctx.lang
            )
        return Connection[ApiToken](
            edges=[Edge(cursor=c, node=_token(r)) for r, c in zip(rows, cursors, strict=True)],
            page_info=page_info,
            count=counter(ctx.read_session_factory, stmt),
        )


@strawberry.type
class IdentityMutations:
    @strawberry.mutation(
        description="登录：返回访问令牌和刷新令牌；失败为 userErrors，多次失败会限流 — sign in: returns an access token and a refresh token; a failure is a userError, repeated failures are throttled.",
        extensions=[Performs(None)],
    )
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
        description="新建用户（管理员）：不设密码，返回一次性激活令牌 — create a user (administrators); no "
        "password: the payload carries a one-time activation token to hand over out of band.",
        extensions=[Performs(Operation.USER_CREATE)],
    )
    async def user_create(self, info: Ctx, input: UserCreateInput) -> UserCreatePayload:
        ctx = info.context
        username = input.username.strip()
        created = await admin.create_user(
            ctx.uow(),
            CREDENTIALS,
            username=username,
            display_name=input.display_name,
            organization_id=ctx.pk(input.organization_id, "Organization"),
            is_admin=input.is_admin,
            operation=ctx.gate_in_force.operation,
            activation_ttl=activation.ttl(ctx),
        )
        issued = created.activation
        return UserCreatePayload(
            user=User(
                id=to_global_id("User", created.id), username=username, display_name=input.display_name
            ),
            activation_token=issued.token if issued else None,
            activation_expires_at=issued.expires_at if issued else None,
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
            CREDENTIALS,
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
        await admin.revoke_api_token(ctx.uow(), token_id=token_id, operation=ctx.gate_in_force.operation)
        credential_cache.forget_here(ctx, [credential_cache.token_notice(token_id)])  # this process: at once
        return ApiTokenRevokePayload(api_token=await _one_token(ctx, token_id), user_errors=[])


async def _one_token(ctx: Context, pk: int) -> ApiToken:
    # A mutation's payload (apiTokenRevoke): the primary, as everything inside a mutation.
    async with ctx.session_factory() as session:
        row = (await session.execute(select(tables.api_tokens).where(tables.api_tokens.c.id == pk))).one()
    return _token(row)
