"""The one way every mutation turns domain outcomes into a payload or a top-level error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from api.context import Context
from api.errors import forbidden, not_found, user_errors
from api.graphql.common import UserError
from domain.errors import DomainError, Forbidden, NotFound

P = TypeVar("P")


async def perform(
    ctx: Context, action: Callable[[], Awaitable[P]], refused: Callable[[list[UserError]], P]
) -> P:
    """Run a use case; a DomainError becomes userErrors (nothing was written), Forbidden/NotFound top-level."""
    try:
        return await action()
    except DomainError as error:
        return refused(user_errors(error, ctx.lang))
    except NotFound as error:
        raise not_found(ctx.lang) from error
    except Forbidden as error:
        raise forbidden(ctx.lang, error.operation) from error
