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
from api.graphql.common import Node, Payload, to_global_id
from api.graphql.enums import _mirror
from api.graphql.pagination import After, Connection, Edge, First, PageRequest, counter, keyset_page
from api.security_events import SecurityEventKind
from authz.operations import Operation
from store.session_tables import security_events as events_table
from store.session_tables import user_sessions

Ctx = Info[Context, None]

SecurityEventKindEnum = _mirror(
    "SecurityEventKind",
    "安全事件类型：登录成功或失败、限流、锁定、令牌被拒、会话结束等 — what a security event records: sign-ins, throttling, lock-outs, refused tokens, ended sessions …",
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
    occurred_at: datetime = strawberry.field(
        description="事件发生时间（UTC），列表按此倒序 — when it happened (UTC); the list is newest first."
    )
    kind: SecurityEventKindEnum = strawberry.field(
        description="事件类型，如登录失败、令牌被拒、会话被结束 — what happened, e.g. a failed sign-in, a refused token, an ended session."
    )  # type: ignore[valid-type]
    username: str | None = strawberry.field(
        description="涉及的用户名；登录失败时为尝试的用户名，可能并不存在 — the username involved; for a failed sign-in the one tried, which may not exist."
    )
    user_id: strawberry.ID | None = strawberry.field(
        description="涉及用户的全局标识；用户名不存在时为空 — the user's global id; null when the username matched no user."
    )
    session_id: strawberry.ID | None = strawberry.field(
        description="涉及的登录会话的全局标识；无会话时为空 — the session involved, its global id; null when none."
    )
    address: str | None = strawberry.field(
        description="请求的客户端 IP 地址（经可信代理时为其转发的地址） — the client's IP address (as forwarded by a trusted proxy)."
    )
    request_id: str | None = strawberry.field(
        description="产生此事件的请求编号，即响应头 X-Request-ID — the request that caused it: its `X-Request-ID` header."
    )
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


@strawberry.input(
    description="安全事件筛选：各条件同时满足，不填不限 — which security events: every given condition must hold; omitted: all."
)
class SecurityEventFilter:
    kinds: list[SecurityEventKindEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="只看这些类型的事件 — only events of any of these kinds, e.g. `[LOGIN_FAILED, LOGIN_LOCKED]`.",
    )
    username: str | None = strawberry.field(
        default=None,
        description="只看该用户名（含尝试的用户名，完全一致） — only events for this username, tried ones included (exact match).",
    )
    address: str | None = strawberry.field(
        default=None, description="只看来自该 IP 地址的事件 — only events from this client IP address."
    )
    occurred_from: datetime | None = strawberry.field(
        default=None,
        description="起始时间（ISO 8601，含此刻） — only what happened at or after this time (ISO 8601, inclusive).",
    )
    occurred_to: datetime | None = strawberry.field(
        default=None,
        description="截止时间（ISO 8601，不含此刻） — only what happened before this time (ISO 8601, exclusive).",
    )


@strawberry.type(description="登录会话 — one sign-in of a user and its refresh tokens.")
class Session(Node):
    user_id: strawberry.ID = strawberry.field(
        description="会话所属用户的全局标识 — the global id of the user signed in."
    )
    created_at: datetime = strawberry.field(description="登录时间（UTC） — when the user signed in (UTC).")
    expires_at: datetime = strawberry.field(
        description="会话最迟结束时间（UTC，登录后 YK_SESSION_TTL_MINUTES），之后须重新登录 — when the session ends at the latest (UTC; YK_SESSION_TTL_MINUTES after sign-in); then sign in again."
    )
    last_refreshed_at: datetime | None = strawberry.field(
        description="最近一次用刷新令牌换取访问令牌的时间（UTC）；未刷新为空 — when a refresh token last renewed the access token (UTC); null if never."
    )
    revoked_at: datetime | None = strawberry.field(
        description="会话被结束的时间（退出、被管理员结束、改密码等）；仍有效为空 — when the session was ended (sign-out, an administrator, a password change …); null while active."
    )
    revoked_reason: str | None = strawberry.field(
        description="结束原因 — `logout`, `logout-everywhere`, `password-change`, `user-disabled`, "
        "`administrator` or `refresh-reuse`."
    )
    address: str | None = strawberry.field(
        description="登录时的客户端 IP 地址 — the client's IP address at sign-in."
    )
    user_agent: str | None = strawberry.field(
        description="登录时的客户端标识（User-Agent 请求头） — the client's `User-Agent` header at sign-in."
    )

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
class TokenRefreshPayload(Payload):
    token: str | None = strawberry.field(
        description="新的访问令牌（短期），作 Authorization: Bearer 使用；失败时为空 — the new short-lived access token for `Authorization: Bearer`; null when refused."
    )
    expires_at: datetime | None = strawberry.field(
        description="访问令牌到期时间（UTC），之后用 refreshToken 换取新令牌 — when the access token expires (UTC); get the next one with the refresh token before then."
    )
    refresh_token: str | None = strawberry.field(
        description="新的刷新令牌；旧的随即失效，重复使用会结束整个会话 — the next refresh token; the one sent is spent, and using it again ends the whole session."
    )
    refresh_expires_at: datetime | None = strawberry.field(
        description="会话最迟结束时间（UTC），刷新不会延长 — when the session ends at the latest (UTC); refreshing does not extend it."
    )


@strawberry.type(
    description="退出的结果：结束的会话数；此后这些会话的令牌均失效 — the answer of logout and logoutEverywhere: how many sessions ended; their tokens stop working at once."
)
class LogoutPayload(Payload):
    sessions_ended: int = strawberry.field(
        default=0,
        description="本次结束的会话数（含当前会话） — how many sessions were ended, this one included.",
    )


@strawberry.input(
    description="修改本人密码：须提供当前密码，其他会话随即结束 — change your own password: the current one is required, and your other sessions end."
)
class PasswordChangeInput:
    current_password: str = strawberry.field(
        description="当前密码，用于确认是本人 — your current password, to prove it is you."
    )
    new_password: str = strawberry.field(
        description="新密码（12–128个字符，不含用户名，不是常见密码） — 12–128 characters, not containing the "
        "username, not a common one."
    )


@strawberry.type(description="修改密码结果 — the other sessions of the user were ended.")
class PasswordChangePayload(Payload):
    sessions_ended: int = strawberry.field(
        default=0,
        description="本次结束的其他会话数（当前会话保留） — how many other sessions were ended; this one stays signed in.",
    )


@strawberry.input(
    description="停用或启用用户（管理员）：停用立即结束其全部会话 — disable or enable a user (administrators); disabling ends all their sessions at once."
)
class UserActiveInput:
    user_id: strawberry.ID = strawberry.field(
        description="用户的全局标识（User.id）；不存在为 NOT_FOUND — the user's global id (`User.id`); NOT_FOUND when there is no such user."
    )


@strawberry.type(description="停用或启用结果 — result of userDisable / userEnable.")
class UserActivePayload(Payload):
    user_id: strawberry.ID | None = strawberry.field(
        description="用户的全局标识（User.id）；不存在为 NOT_FOUND — the user's global id (`User.id`); NOT_FOUND when there is no such user."
    )
    username: str | None = strawberry.field(
        description="被停用或启用的用户的用户名 — the username of the user disabled or enabled."
    )
    active: bool | None = strawberry.field(
        description="处理后是否启用：false 时不能登录 — whether the user may sign in now; false: disabled."
    )


@strawberry.input(
    description="结束一个登录会话（管理员），立即生效 — end one session (administrators); its tokens stop working at once."
)
class SessionRevokeInput:
    session_id: strawberry.ID = strawberry.field(
        description="要结束的会话的全局标识（Session.id） — the global id of the session to end (`Session.id`)."
    )


@strawberry.type(
    description="结束会话的结果：已结束的会话；被拒绝时只有 userErrors — the answer of sessionRevoke: the ended session; only userErrors when refused."
)
class SessionRevokePayload(Payload):
    session: Session | None = strawberry.field(
        description="已结束的会话（revokedAt 已填）；被拒绝时为空 — the session, now ended (revokedAt set); null when refused."
    )


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
            SecurityEventFilter | None,
            strawberry.argument(
                description="安全事件筛选：各条件同时满足，不填不限 — which security events: every given condition must hold; omitted: all."
            ),
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
            strawberry.ID,
            strawberry.argument(
                description="用户的全局标识（User.id）；不存在为 NOT_FOUND — the user's global id (`User.id`); NOT_FOUND when there is no such user."
            ),
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
