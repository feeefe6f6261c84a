"""Errors as the client sees them: typed userErrors for refusals, coded top-level errors for the rest.

Every top-level error carries `extensions.code` from `TOP_LEVEL_CODES` (docs/errors.md is built from it).
`MaskUnexpectedErrors` gives graphql-core's uncoded errors their code by the stage that raised them:
parse → GRAPHQL_PARSE_FAILED, validation → GRAPHQL_VALIDATION_FAILED, variable and argument coercion →
BAD_USER_INPUT (with the variable, its path and the reason); a database that cannot be reached is
UNAVAILABLE; only what remains — a real bug — is INTERNAL, logged with its stack and never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from graphql import GraphQLError
from sqlalchemy import exc as sa_exc
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension

from api.i18n import graphql_message, message
from domain.error_codes import USER_ERROR_CODES
from domain.errors import DomainError

log = structlog.get_logger("api.errors")

RETRY_AFTER_SECONDS = 5  # told to clients with UNAVAILABLE (header Retry-After): a restart or fail-over


@dataclass(frozen=True, slots=True)
class TopLevelCode:
    """One `extensions.code`: its meaning in both languages and the HTTP status it answers with."""

    code: str
    zh: str
    en: str
    status: int  # with `Accept: application/graphql-response+json`; application/json answers 200 but 429/503


TOP_LEVEL_CODES: dict[str, TopLevelCode] = {
    c.code: c
    for c in (
        TopLevelCode(
            "GRAPHQL_PARSE_FAILED",
            "请求不是合法的 GraphQL 文档，或请求体（JSON、multipart）无法解析。",
            "The document is not valid GraphQL, or the body (JSON, multipart) cannot be read.",
            400,
        ),
        TopLevelCode(
            "GRAPHQL_VALIDATION_FAILED",
            "文档不符合架构：未知字段或参数、缺少必填参数、变量类型不符、字面量类型错误等。",
            "The document does not match the schema: unknown field or argument, missing required "
            "argument, variable of the wrong type, literal of the wrong type, …",
            400,
        ),
        TopLevelCode(
            "BAD_USER_INPUT",
            "变量或参数的值不符合其类型（`variable`、`path`、`reason` 说明哪里、为何），或请求格式不对。",
            "A variable or argument value does not fit its type (`variable`, `path` and `reason` say where "
            "and why), or the request itself is malformed.",
            400,
        ),
        TopLevelCode(
            "UNAUTHENTICATED",
            "未登录、令牌过期或无效（`reason`: missing / expired / invalid）。",
            "No credential, or an expired or invalid one (`reason`: missing / expired / invalid).",
            200,
        ),
        TopLevelCode(
            "FORBIDDEN",
            "所在单位的角色无权执行该操作（`operation`），或生产环境的架构自省。",
            "The organization's role may not perform the operation (`operation`), or introspection in "
            "production.",
            200,
        ),
        TopLevelCode(
            "NOT_FOUND", "对象不存在，或无权知道其存在。", "No such object, or one you may not know of.", 200
        ),
        TopLevelCode(
            "VERSION_CONFLICT",
            "对象已被他人修改（乐观锁）；变更通常以 userErrors 中的同名代码报告。",
            "Someone changed the object first (optimistic lock); mutations usually report it as the "
            "user error code of the same name.",
            200,
        ),
        TopLevelCode(
            "RATE_LIMITED",
            "超过每个身份每分钟的请求上限；按 Retry-After 重试。",
            "Above the per-credential requests a minute; retry after Retry-After.",
            429,
        ),
        TopLevelCode(
            "QUERY_TOO_COMPLEX",
            "超过查询限制（`limit`: tokens / depth / aliases / cost / timeout，`max`、`actual`）。",
            "A query limit was exceeded (`limit`: tokens / depth / aliases / cost / timeout, `max`, "
            "`actual`).",
            400,
        ),
        TopLevelCode(
            "PERSISTED_QUERY_NOT_FOUND",
            "生产环境只执行已登记的文档（可信文档）。",
            "Production executes registered documents only (trusted documents).",
            400,
        ),
        TopLevelCode(
            "UNAVAILABLE",
            "数据库暂时无法连接；未作任何更改，按 Retry-After 重试（HTTP 503）。",
            "The database cannot be reached for now; nothing changed, retry after Retry-After (HTTP 503).",
            503,
        ),
        TopLevelCode(
            "INTERNAL",
            "服务器缺陷：已记录日志（含请求编号），不向客户端透露细节。",
            "A bug on the server: logged with the request id, no detail shown to the client.",
            500,
        ),
    )
}


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
    from api.graphql.common import UserError, UserErrorCode
    from domain.rules import article_label

    refusals = []
    for v in error.violations:
        rule = v.rule or USER_ERROR_CODES[v.code].rule  # the catalogue's rule where the code always cites one
        refusals.append(
            UserError(
                code=UserErrorCode[v.code],  # a code missing from domain/error_codes.py is a bug (tested)
                rule=rule,
                article=article_label(rule, lang),
                field=list(v.field) or None,
                message=v.en if lang == "en" else v.zh,
            )
        )
    return refusals


# graphql-core's coercion errors: a variable's value, or an argument's at execution.
_VARIABLE = re.compile(
    r"Variable '\$(\w+)' has invalid (?:default )?value(?: at ((?:\.\w+|\[\d+\])+))?: (.*)", re.S
)
_ARGUMENT = re.compile(
    r"(?:Argument '(\w+)'|Variable '\$(\w+)' defined by fragment '\w+') (?:has invalid|of required)"
)
_NESTED = "Variable values are nested too deeply."
_REASONS = (
    ("to be provided", "required"),
    ("was not provided", "required"),
    ("not to be None", "null"),
    ("to be an object", "not-an-object"),
    ("to include required field", "missing-field"),
    ("not to include unknown field", "unknown-field"),
    ("enum", "unknown-enum-value"),
    ("but encountered error", "invalid-value"),
    ("cannot represent", "wrong-type"),
    ("OneOf", "one-of"),
)


def _path(variable: str, printed: str | None, detail: str) -> list[str]:
    """`input` + `.checks[0].note` → ["input", "checks", "0", "note"] (the userErrors `field` convention);
    a missing or unknown input field is named at the end."""
    field = re.search(r"(?:required|unknown) field '(\w+)'", detail)
    return [variable, *re.findall(r"\w+", printed or ""), *([field[1]] if field else [])]


def _reason(detail: str) -> str:
    return next((reason for needle, reason in _REASONS if needle in detail), "wrong-type")


def bad_user_input(error: GraphQLError, lang: str) -> GraphQLError | None:
    """A coercion error of graphql-core as BAD_USER_INPUT naming the variable, its path and the reason."""
    text = error.message
    extensions: dict[str, Any] = {"code": "BAD_USER_INPUT"}
    variable = _VARIABLE.fullmatch(text)
    argument = _ARGUMENT.match(text)
    if variable:
        extensions |= {"variable": variable[1], "path": _path(variable[1], variable[2], variable[3])}
        extensions["reason"] = _reason(variable[3])
    elif argument:
        name = argument[1] or argument[2]
        extensions |= {"argument" if argument[1] else "variable": name, "path": [name]}
        extensions["reason"] = _reason(text)
    elif text == _NESTED:
        extensions["reason"] = "too-deep"
    elif isinstance(error, StrawberryInputCoercionError):  # strawberry's own checks, e.g. a @oneOf input's
        extensions["reason"] = _reason(text)
    else:
        return None
    return _coded(error, lang, extensions)


def _coded(error: GraphQLError, lang: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        graphql_message(error.message, lang), nodes=error.nodes, path=error.path, extensions=extensions
    )


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = (
            getattr(error, "original_error", None)
            or getattr(error, "orig", None)
            or error.__cause__
            or (error.__context__)
        )


# What an unreachable or restarting database raises, through SQLAlchemy or the driver directly.
_OUTAGES: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,  # no connection free in the pool within its timeout
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    ConnectionError,
    OSError,
)


def is_outage(error: BaseException | None) -> bool:
    """Whether an exception, or one that caused it, says the database cannot be reached."""
    return any(
        isinstance(cause, _OUTAGES) or (isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated)
        for cause in _causes(error)
    )


def unavailable(lang: str) -> AppError:
    return AppError("UNAVAILABLE", lang, retryAfterSeconds=RETRY_AFTER_SECONDS)


class MaskUnexpectedErrors(SchemaExtension):
    """Gives every error a code of TOP_LEVEL_CODES; anything unexpected becomes INTERNAL: no SQL, no stack."""

    executing = False

    def on_execute(self) -> Iterator[None]:
        # From here, an error without a path is a variable that does not fit its type.
        self.executing = True
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        lang = getattr(self.execution_context.context, "lang", "zh")
        result.errors = [self.classify(error, lang) for error in result.errors]

    def classify(self, error: GraphQLError, lang: str) -> GraphQLError:
        """The error as the client sees it, with a code of the catalogue."""
        code = (error.extensions or {}).get("code")
        if code in TOP_LEVEL_CODES:
            return error
        original = error.original_error
        if code is None and (original is None or isinstance(original, GraphQLError)):
            if self.execution_context.graphql_document is None:
                return _coded(error, lang, {"code": "GRAPHQL_PARSE_FAILED"})
            if not self.executing:
                return _coded(error, lang, {"code": "GRAPHQL_VALIDATION_FAILED"})
            coded = bad_user_input(error, lang)
            if coded is not None:
                return coded
        if is_outage(original):
            log.warning("database unavailable", path=error.path, error=type(original).__name__)
            return GraphQLError(
                message("UNAVAILABLE", lang),
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "UNAVAILABLE", "retryAfterSeconds": RETRY_AFTER_SECONDS},
            )
        if code is not None:
            log.error("uncatalogued error code", code=code, path=error.path)
        else:
            log.error("unexpected error", path=error.path, exc_info=original or error)
        return GraphQLError(
            message("INTERNAL", lang), nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL"}
        )
