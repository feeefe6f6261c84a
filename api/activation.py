"""One-time activation tokens (issue 13.4a): new users and administrator resets get a token, never a password.

The administrator receives the token once, in the mutation's payload, and hands it over out of band; the
person sets their own password with `accountActivate`. Only the token's SHA-256 is stored; it is never
written to the audit record, a security event or a log. domain/activation.py decides whether a token is
usable and domain/services/admin.py issues them (userCreate, passwordReset, the CLI) and spends them
(activate_account); this module throttles the attempts per client address, like sign-in: a request-level
concern, as the counters, their forgiving and their lockout events are for sign-in.
"""

from __future__ import annotations

from datetime import timedelta

from api.auth import api_token_hash
from api.credentials import CREDENTIALS
from api.security_events import SecurityEventKind, SecurityEventLog
from api.sessions import (
    ANONYMOUS,
    Client,
    Deps,
    _count_attempt,
    _failed,
    _forgive,
    address_key,
    policies,
)
from domain.errors import DomainError
from domain.services import admin
from domain.services.admin import ActivationRefused
from store.uow import SqlUnitOfWork

# The longest a token may be; anything longer is refused unread (no hashing of a megabyte).
MAX_TOKEN_LENGTH = 100


def ttl(deps: Deps) -> timedelta:
    return timedelta(hours=deps.settings.activation_ttl_hours)


def security_log(deps: Deps, client: Client) -> SecurityEventLog:
    """The security events of this client's request, for a use case behind domain.ports.SecurityLog."""
    return SecurityEventLog(deps.engine, address=client.address, request_id=client.request_id)


async def activate(deps: Deps, *, token: str, password: str, client: Client) -> str:
    """Set one's password with an activation token (spent by it); the username. Throttled per address."""
    _, per_address = policies(deps.settings)
    attempt = await _count_attempt(deps, {address_key(client.address): per_address}, "", client, "token")
    presented = token.strip()
    digest = api_token_hash(presented) if presented and len(presented) <= MAX_TOKEN_LENGTH else None
    uow = SqlUnitOfWork(deps.session_factory, actor=ANONYMOUS, clock=deps.clock, request_id=client.request_id)
    try:
        username = await admin.activate_account(
            uow, CREDENTIALS, security_log(deps, client), token_hash=digest, password=password
        )
    except ActivationRefused as refused:
        await _failed(
            deps,
            attempt,
            SecurityEventKind.ACTIVATION_FAILED,
            refused.username,
            client,
            detail={"reason": refused.reason.value},
        )
        raise
    except DomainError:
        # The token was right, only the password may not be chosen: the attempt is forgiven all the same.
        await _forgive(deps, attempt)
        raise
    await _forgive(deps, attempt)
    return username
