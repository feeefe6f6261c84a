"""Sessions and security events (issue 13): token refresh, sign-out, password change, disabling users,
ending sessions, and the security event log for the audit role (Art. 3, 24)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.types import Info

from api import security_events, sessions
from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import Node, UserError, to_global_id
from api.graphql.enums import _mirror
from api.graphql.pagination import After, Connection, Edge, First, PageRequest, counter, keyset_page
from api.security_events import SecurityEventKind
from authz.operations import Operation
from store.session_tables import security_events as events_table
from store.session_tables import user_sessions

Ctx = Info[Context, None]

SecurityEventKindEnum = _mirror(
    "SecurityEventKind",
    "安全事件类型 — kind of security event.",
    SecurityEventKind,
    {
        SecurityEventKind.LOGIN_SUCCEEDED: "登录成功 — signed in",
        SecurityEventKind.LOGIN_FAILED: "登录失败 — wrong username or password",
        SecurityEventKind.LOGIN_THROTTLED: "登录被限制（过快或已锁定） — refused unchecked: too soon or locked",
        SecurityEventKind.LOGIN_LOCKED: "用户名或地址被临时锁定 — a username or address was locked",
        SecurityEventKind.TOKEN_REFUSED: "令牌无效或已撤销 — an invalid or revoked credential",
        SecurityEventKind.REFRESH_TOKEN_REUSED: "刷新令牌被重复使用，会话已撤销 — a refresh token reused; session revoked",
        SecurityEventKind.FORBIDDEN: "越权操作被拒绝 — an operation refused as FORBIDDEN",
        SecurityEventKind.LOGOUT: "退出登录 — signed out",
        SecurityEventKind.LOGOUT_EVERYWHERE: "退出全部登录 — signed out everywhere",
        SecurityEventKind.PASSWORD_CHANGED: "修改密码 — password changed",
        SecurityEventKind.PASSWORD_CHANGE_FAILED: "修改密码时当前密码错误 — wrong current password",
        SecurityEventKind.PASSWORD_RESET: "重设密码（管理员签发激活令牌，或运维人员在命令行设置） — password reset "
        "(an administrator issued an activation token, or an operator set it on the CLI)",
        SecurityEventKind.ACTIVATION_SUCCEEDED: "用激活令牌设置了密码 — password set with an activation token",
        SecurityEventKind.ACTIVATION_FAILED: "激活令牌无效、已用、已取代或已过期 — an unknown, used, replaced "
        "or expired activation token",
        SecurityEventKind.SESSION_REVOKED: "管理员结束会话 — session ended by an administrator",
        SecurityEventKind.USER_DISABLED: "停用用户 — user disabled",
        SecurityEventKind.USER_ENABLED: "启用用户 — user enabled",
    },
)


@strawberry.type(description="安全事件 — one security event, kept apart from the project audit log.")
class SecurityEvent(Node):
    occurred_at: datetime = strawberry.field(description="发生时间 — when.")
    kind: SecurityEventKindEnum = strawberry.field(description="类型 — what happened.")  # type: ignore[valid-type]
    username: str | None = strawberry.field(description="用户名（可能是尝试的用户名） — username (as tried).")
    user_id: strawberry.ID | None = strawberry.field(description="用户 — the user's global id, if known.")
    session_id: strawberry.ID | None = strawberry.field(description="登录会话 — the session's global id.")
    address: str | None = strawberry.field(description="客户端地址 — the client address.")
    request_id: str | None = strawberry.field(description="请求编号 — the request it came from.")
    detail: JSON | None = strawberry.field(description="详情 — details, e.g. the refused operation.")

    @classmethod
    def from_row(cls, row: Any) -> SecurityEvent:
        return cls(
            id=to_global_id("SecurityEvent", row.id),
            occurred_at=row.occurred_at,
            kind=SecurityEventKindEnum[row.kind],
            username=row.username,
            user_id=to_global_id("User", row.user_id) if row.user_id is not None else None,
            session_id=to_global_id("Session", row.session_id) if row.session_id is not None else None,
            address=row.address,
            request_id=row.request_id,
            detail=row.detail,
        )


@strawberry.input(description="安全事件筛选 — security event filter.")
class SecurityEventFilter:
    kinds: list[SecurityEventKindEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="类型 — any of these kinds."
    )
    username: str | None = strawberry.field(default=None, description="用户名 — username (as tried).")
    address: str | None = strawberry.field(default=None, description="客户端地址 — client address.")
    occurred_from: datetime | None = strawberry.field(
        default=None, description="起始时间（含） — from, inclusive."
    )
    occurred_to: datetime | None = strawberry.field(
        default=None, description="截止时间（不含） — to, exclusive."
    )


@strawberry.type(description="登录会话 — one sign-in of a user and its refresh tokens.")
class Session(Node):
    user_id: strawberry.ID = strawberry.field(description="用户 — the user's global id.")
    created_at: datetime = strawberry.field(description="登录时间 — signed in at.")
    expires_at: datetime = strawberry.field(description="到期时间 — ends at the latest.")
    last_refreshed_at: datetime | None = strawberry.field(description="最近刷新 — last token refresh.")
    revoked_at: datetime | None = strawberry.field(description="结束时间 — ended at.")
    revoked_reason: str | None = strawberry.field(
        description="结束原因 — `logout`, `logout-everywhere`, `password-change`, `user-disabled`, "
        "`administrator` or `refresh-reuse`."
    )
    address: str | None = strawberry.field(description="登录地址 — client address at sign-in.")
    user_agent: str | None = strawberry.field(description="客户端 — User-Agent at sign-in.")

    @classmethod
    def from_row(cls, row: Any) -> Session:
        return cls(
            id=to_global_id("Session", row.id),
            user_id=to_global_id("User", row.user_id),
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_refreshed_at=row.last_refreshed_at,
            revoked_at=row.revoked_at,
            revoked_reason=row.revoked_reason,
            address=row.address,
            user_agent=row.user_agent,
        )


@strawberry.input(description="刷新令牌 — trade a refresh token for a new token pair.")
class TokenRefreshInput:
    refresh_token: str = strawberry.field(
        description="刷新令牌（只能用一次） — the refresh token; works once."
    )


@strawberry.type(description="刷新结果 — a new access token and a new refresh token (the old one is spent).")
class TokenRefreshPayload:
    token: str | None = strawberry.field(description="访问令牌 — the bearer token.")
    expires_at: datetime | None = strawberry.field(description="到期时间 — when the token expires.")
    refresh_token: str | None = strawberry.field(description="新的刷新令牌 — the next refresh token.")
    refresh_expires_at: datetime | None = strawberry.field(
        description="会话到期时间 — when the session ends."
    )
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.type(description="退出结果 — the sessions ended.")
class LogoutPayload:
    sessions_ended: int = strawberry.field(
        default=0, description="结束的会话数 — how many sessions were ended."
    )
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.input(description="修改密码 — change one's own password.")
class PasswordChangeInput:
    current_password: str = strawberry.field(description="当前密码 — the current password.")
    new_password: str = strawberry.field(
        description="新密码（12–128个字符，不含用户名，不是常见密码） — 12–128 characters, not containing the "
        "username, not a common one."
    )


@strawberry.type(description="修改密码结果 — the other sessions of the user were ended.")
class PasswordChangePayload:
    sessions_ended: int = strawberry.field(default=0, description="结束的其他会话数 — other sessions ended.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.input(description="停用或启用用户 — disable or enable a user.")
class UserActiveInput:
    user_id: strawberry.ID = strawberry.field(description="用户全局标识 — the user's global id.")


@strawberry.type(description="停用或启用结果 — result of userDisable / userEnable.")
class UserActivePayload:
    user_id: strawberry.ID | None = strawberry.field(description="用户全局标识 — the user's global id.")
    username: str | None = strawberry.field(description="用户名 — username.")
    active: bool | None = strawberry.field(description="是否启用 — whether the user may sign in.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.input(description="结束会话 — end one session.")
class SessionRevokeInput:
    session_id: strawberry.ID = strawberry.field(description="会话全局标识 — the session's global id.")


@strawberry.type(description="结束会话结果 — result of sessionRevoke.")
class SessionRevokePayload:
    session: Session | None = strawberry.field(description="会话 — the session, now ended.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


async def _session(ctx: Context, pk: int) -> Session | None:
    async with ctx.read_session_factory() as session:
        row = (await session.execute(select(user_sessions).where(user_sessions.c.id == pk))).first()
    return Session.from_row(row) if row is not None else None


@strawberry.type
class SessionQueries:
    @strawberry.field(
        description="安全事件，新记录在前（大数据局、审计局） — security events, newest first (bdb, audit)."
    )
    async def security_events(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        filter: Annotated[
            SecurityEventFilter | None, strawberry.argument(description="筛选 — filter.")
        ] = None,
    ) -> Connection[SecurityEvent]:
        ctx = info.context
        ctx.require(Operation.SECURITY_EVENT_READ)
        e = events_table
        stmt = select(e)
        if filter is not None:
            if filter.kinds:
                stmt = stmt.where(e.c.kind.in_([k.value for k in filter.kinds]))
            if filter.username:
                stmt = stmt.where(e.c.username == filter.username)
            if filter.address:
                stmt = stmt.where(e.c.address == filter.address)
            if filter.occurred_from:
                stmt = stmt.where(e.c.occurred_at >= filter.occurred_from)
            if filter.occurred_to:
                stmt = stmt.where(e.c.occurred_at < filter.occurred_to)
        async with ctx.read_session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session, stmt, key=e.c.id, page=PageRequest(first, after, None, None), lang=ctx.lang
            )
        return Connection[SecurityEvent](
            edges=[
                Edge(cursor=c, node=SecurityEvent.from_row(r)) for r, c in zip(rows, cursors, strict=True)
            ],
            page_info=page_info,
            count=counter(ctx.read_session_factory, stmt),
        )

    @strawberry.field(
        description="用户的登录会话，新会话在前（管理员） — a user's sessions, newest first (administrators)."
    )
    async def sessions(
        self,
        info: Ctx,
        user_id: Annotated[
            strawberry.ID, strawberry.argument(description="用户全局标识 — the user's global id.")
        ],
        first: First = None,
        after: After = None,
    ) -> Connection[Session]:
        ctx = info.context
        ctx.require(Operation.SESSION_READ)
        pk = ctx.pk(user_id, "User")
        s = user_sessions
        stmt = select(s).where(s.c.user_id == pk)
        async with ctx.read_session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session, stmt, key=s.c.id, page=PageRequest(first, after, None, None), lang=ctx.lang
            )
        return Connection[Session](
            edges=[Edge(cursor=c, node=Session.from_row(r)) for r, c in zip(rows, cursors, strict=True)],
            page_info=page_info,
            count=counter(ctx.read_session_factory, stmt),
        )


@strawberry.type
class SessionMutations:
    @strawberry.mutation(
        description="刷新令牌：用刷新令牌换取新的访问令牌和刷新令牌 — a new token pair for a refresh token "
        "(each works once; one used twice ends its session).",
        extensions=[Performs(None)],
    )
    async def token_refresh(self, info: Ctx, input: TokenRefreshInput) -> TokenRefreshPayload:
        ctx = info.context
        renewed = await sessions.refresh(
            ctx, refresh_token=input.refresh_token, client=sessions.client_of(ctx)
        )
        return TokenRefreshPayload(
            token=renewed.access.token,
            expires_at=renewed.access.expires_at,
            refresh_token=renewed.refresh_token,
            refresh_expires_at=renewed.refresh_expires_at,
            user_errors=[],
        )

    @strawberry.mutation(
        description="退出登录：本会话的令牌在所有服务进程中立即失效 — sign out: this session's tokens stop "
        "working in every API process at once.",
        extensions=[Performs(None, on=sessions.OWN_CREDENTIAL)],
    )
    async def logout(self, info: Ctx) -> LogoutPayload:
        ctx = info.context
        ended = await sessions.logout(ctx, actor=ctx.require_actor(), client=sessions.client_of(ctx))
        return LogoutPayload(sessions_ended=len(ended), user_errors=[])

    @strawberry.mutation(
        description="退出全部登录（含本会话） — sign out of every session of this user, this one included.",
        extensions=[Performs(None, on=sessions.OWN_CREDENTIAL)],
    )
    async def logout_everywhere(self, info: Ctx) -> LogoutPayload:
        ctx = info.context
        ended = await sessions.logout_everywhere(
            ctx, actor=ctx.require_actor(), client=sessions.client_of(ctx)
        )
        return LogoutPayload(sessions_ended=len(ended), user_errors=[])

    @strawberry.mutation(
        description="修改密码（需当前密码；结束其他全部会话） — change one's password (needs the current one; "
        "ends every other session).",
        extensions=[Performs(None, on=sessions.OWN_CREDENTIAL)],
    )
    async def password_change(self, info: Ctx, input: PasswordChangeInput) -> PasswordChangePayload:
        ctx = info.context
        ended = await sessions.change_password(
            ctx,
            actor=ctx.require_actor(),
            current_password=input.current_password,
            new_password=input.new_password,
            client=sessions.client_of(ctx),
        )
        return PasswordChangePayload(sessions_ended=len(ended), user_errors=[])

    @strawberry.mutation(
        description="停用用户：其全部会话立即结束（管理员） — disable a user; every session ends at once "
        "(administrators).",
        extensions=[Performs(Operation.USER_DISABLE)],
    )
    async def user_disable(self, info: Ctx, input: UserActiveInput) -> UserActivePayload:
        return await _set_active(info.context, input, active=False, operation=Operation.USER_DISABLE)

    @strawberry.mutation(
        description="启用用户（管理员） — enable a user again (administrators).",
        extensions=[Performs(Operation.USER_ENABLE)],
    )
    async def user_enable(self, info: Ctx, input: UserActiveInput) -> UserActivePayload:
        return await _set_active(info.context, input, active=True, operation=Operation.USER_ENABLE)

    @strawberry.mutation(
        description="结束一个登录会话（管理员） — end one session (administrators).",
        extensions=[Performs(Operation.SESSION_REVOKE)],
    )
    async def session_revoke(self, info: Ctx, input: SessionRevokeInput) -> SessionRevokePayload:
        ctx = info.context
        pk = ctx.pk(input.session_id, "Session")
        await sessions.revoke_session(
            ctx,
            actor=ctx.require_actor(),
            session_id=pk,
            client=sessions.client_of(ctx),
            operation=ctx.gate_in_force.operation,
        )
        return SessionRevokePayload(session=await _session(ctx, pk), user_errors=[])


async def _set_active(
    ctx: Context, input: UserActiveInput, *, active: bool, operation: Operation
) -> UserActivePayload:
    username = await sessions.set_user_active(
        ctx,
        actor=ctx.require_actor(),  # Performs(operation) has checked the grant
        user_id=ctx.pk(input.user_id, "User"),
        active=active,
        client=sessions.client_of(ctx),
        operation=operation.value,
    )
    return UserActivePayload(user_id=input.user_id, username=username, active=active, user_errors=[])


class RecordForbidden(SchemaExtension):
    """Every FORBIDDEN refusal becomes a security event, written apart from the (rolled back) request."""

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        result = self.execution_context.result
        ctx = self.execution_context.context
        if result is None or not result.errors or not isinstance(ctx, Context):
            return
        refused = [
            (e.extensions or {}).get("operation")
            for e in result.errors
            if (e.extensions or {}).get("code") == "FORBIDDEN"
        ]
        if not refused:
            return
        actor = ctx.actor
        client = sessions.client_of(ctx)
        await security_events.record(
            ctx.engine,
            SecurityEventKind.FORBIDDEN,
            now=ctx.clock(),
            username=actor.username if actor else None,
            user_id=actor.user_id if actor else None,
            api_token_id=actor.token_id if actor else None,
            session_id=actor.session_id if actor else None,
            address=client.address,
            request_id=client.request_id,
            detail={
                "operations": sorted({str(op) for op in refused if op}),
                "role": actor.role if actor else None,
            },
        )
