"""Activation tokens over GraphQL (issue 13.4a): an administrator's password reset, and the person setting
their own password with the token they were handed (api/activation.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api import activation, credential_cache, sessions
from api.context import Context
from api.credentials import CREDENTIALS
from api.graphql.authz import Performs
from api.graphql.common import Payload
from authz.operations import Operation
from domain.services import admin

Ctx = Info[Context, None]


@strawberry.input(
    description="重设密码（管理员）：原密码作废、会话全部结束，签发一次性激活令牌 — an administrator's password reset: the old password stops working, every session ends, a one-time activation token is issued."
)
class PasswordResetInput:
    user_id: strawberry.ID = strawberry.field(
        description="要重设密码的用户的全局标识（User.id） — the global id of the user whose password is reset, as `User.id` gives it."
    )


@strawberry.type(
    description="重设密码结果：激活令牌只显示这一次，请线下交给本人 — the activation token is shown this once: "
    "hand it to the person out of band."
)
class PasswordResetPayload(Payload):
    user_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="密码被重设的用户的全局标识；被拒绝时为空 — the global id of the user whose password was reset; null when refused.",
    )
    username: str | None = strawberry.field(
        default=None,
        description="密码被重设的用户的登录名，便于交接令牌；被拒绝时为空 — the sign-in name of the user whose password was reset, for handing over the token; null when refused.",
    )
    activation_token: str | None = strawberry.field(
        default=None,
        description="一次性激活令牌：本人用它设置新密码，只显示这一次，仅存哈希 — the one-time activation "
        "token with which the person sets a new password (accountActivate); shown once, stored only hashed.",
    )
    activation_expires_at: datetime | None = strawberry.field(
        default=None, description="激活令牌到期时间 — when the activation token stops working."
    )
    sessions_ended: int = strawberry.field(
        default=0,
        description="因重设而结束的该用户会话数（其所有设备需重新登录） — how many of the user's sessions the reset ended; every device signs in again.",
    )


@strawberry.input(description="激活账号 — set one's own password with an activation token.")
class AccountActivateInput:
    token: str = strawberry.field(
        description="管理员线下交给本人的一次性激活令牌（以 yka_ 开头） — the one-time activation token the administrator handed over out of band, starting with `yka_`."
    )
    password: str = strawberry.field(
        description="新密码（12–128个字符，不含用户名，不是常见密码） — the new password: 12–128 characters, "
        "not containing the username, not a common one."
    )


@strawberry.type(description="激活结果：可用新密码登录 — sign in with the new password now.")
class AccountActivatePayload(Payload):
    username: str | None = strawberry.field(
        default=None,
        description="已激活账号的登录名，现在可用新密码登录；被拒绝时为空 — the sign-in name of the activated account, which may now sign in with the new password; null when refused.",
    )


@strawberry.type
class ActivationMutations:
    @strawberry.mutation(
        description="重设密码（管理员）：原密码作废、全部会话结束，返回一次性激活令牌 — reset a password "
        "(administrators): the old password stops working, every session ends, and the payload carries a "
        "one-time activation token to hand over out of band. The administrator never sets the password.",
        extensions=[Performs(Operation.USER_PASSWORD_RESET)],
    )
    async def password_reset(self, info: Ctx, input: PasswordResetInput) -> PasswordResetPayload:
        ctx = info.context
        user_id = ctx.pk(input.user_id, "User")
        reset = await admin.reset_password(
            ctx.uow(),
            CREDENTIALS,
            activation.security_log(ctx, sessions.client_of(ctx)),
            user_id=user_id,
            operation=ctx.gate_in_force.operation,
            activation_ttl=activation.ttl(ctx),
        )
        # this process drops the user's cached sessions at once; the others on the commit's notice
        credential_cache.forget_here(ctx, [credential_cache.user_notice(user_id)])
        issued = reset.activation
        return PasswordResetPayload(
            user_id=input.user_id,
            username=reset.username,
            activation_token=issued.token if issued else None,
            activation_expires_at=issued.expires_at if issued else None,
            sessions_ended=len(reset.sessions_ended),
            user_errors=[],
        )

    @strawberry.mutation(
        description="激活账号：用一次性激活令牌设置自己的密码（按客户端地址限制尝试次数） — set one's own "
        "password with a one-time activation token (attempts are throttled per client address, like sign-in).",
        extensions=[Performs(None)],
    )
    async def account_activate(self, info: Ctx, input: AccountActivateInput) -> AccountActivatePayload:
        ctx = info.context
        username = await activation.activate(
            ctx, token=input.token, password=input.password, client=sessions.client_of(ctx)
        )
        return AccountActivatePayload(username=username, user_errors=[])
