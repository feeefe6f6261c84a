"""Errors as the client sees them: typed userErrors for refusals, coded top-level errors for the rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.i18n import message
from domain.errors import DomainError

log = structlog.get_logger("api.errors")


class AppError(GraphQLError):
    """A top-level error with `extensions.code` (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, …)."""

    def __init__(self, code: str, lang: str, *, extensions_code: str | None = None, **extra: Any) -> None:
        super().__init__(message(code, lang), extensions={"code": extensions_code or code, **extra})


def unauthenticated(lang: str, reason: str | None = None) -> AppError:
    detail = {"expired": "TOKEN_EXPIRED", "invalid": "TOKEN_INVALID", "revoked": "TOKEN_REVOKED"}.get(
        reason or "", "UNAUTHENTICATED"
    )
    return AppError(detail, lang, extensions_code="UNAUTHENTICATED", reason=reason or "missing")


def forbidden(lang: str, operation: str) -> AppError:
    return AppError("FORBIDDEN", lang, operation=operation)


def not_found(lang: str) -> AppError:
    return AppError("NOT_FOUND", lang)


def user_errors(error: DomainError, lang: str) -> list[Any]:
    """DomainError → the schema's UserError objects, one per violation."""
    from api.graphql.common import UserError
    from domain.rules import article_label

    return [
        UserError(
            code=v.code,
            rule=v.rule,
            article=article_label(v.rule, lang),
            field=list(v.field) or None,
            message=v.en if lang == "en" else v.zh,
        )
        for v in error.violations
    ]


class MaskUnexpectedErrors(SchemaExtension):
    """Anything that is not an AppError or a GraphQL validation error becomes INTERNAL: no SQL, no stack."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        lang = getattr(self.execution_context.context, "lang", "zh")
        masked = []
        for error in result.errors:
            original = error.original_error
            if original is None or isinstance(original, AppError):
                masked.append(error)
                continue
            log.error("unexpected error", path=error.path, exc_info=original)
            masked.append(
                GraphQLError(
                    message("INTERNAL", lang),
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": "INTERNAL"},
                )
            )
        result.errors = masked
