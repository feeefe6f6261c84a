"""GraphQL over HTTP: the media type a client accepts, the status an answer takes, coded HTTP-level refusals.

With `Accept: application/graphql-response+json` (the GraphQL-over-HTTP spec) a request that never reached
execution — parse, validation, variable coercion, a query limit — answers 4xx with no `data`; older clients
(`application/json`, or no Accept) keep HTTP 200 with `data: null`. Either way a database outage is 503
with Retry-After, and refusals strawberry makes before GraphQL runs (a body that is not JSON, a mutation
over GET, a batch) are JSON with `extensions.code`, never plain text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from api.errors import RETRY_AFTER_SECONDS, TOP_LEVEL_CODES
from api.i18n import message

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

# strawberry's own refusals (cross_web.HTTPException reasons): code, and the message in Chinese.
_HTTP_REFUSALS: dict[str, tuple[str, str]] = {
    "Unable to parse request body as JSON": ("GRAPHQL_PARSE_FAILED", "请求体不是合法的 JSON。"),
    "Unable to parse the multipart body": ("GRAPHQL_PARSE_FAILED", "multipart 请求体无法解析。"),
    "File(s) missing in form data": ("BAD_USER_INPUT", "multipart 请求缺少 map 中引用的文件。"),
    "Unsupported content type": (
        "BAD_USER_INPUT",
        "不支持的 Content-Type：请使用 application/json 或 multipart/form-data。",
    ),
    "No GraphQL query found in the request": ("BAD_USER_INPUT", "请求中没有 GraphQL 查询（query）。"),
    "The GraphQL operation's `query` must be a string or null, if provided.": (
        "BAD_USER_INPUT",
        "`query` 须为字符串或 null。",
    ),
    "The GraphQL operation's `variables` must be an object or null, if provided.": (
        "BAD_USER_INPUT",
        "`variables` 须为对象或 null。",
    ),
    "The GraphQL operation's `extensions` must be an object or null, if provided.": (
        "BAD_USER_INPUT",
        "`extensions` 须为对象或 null。",
    ),
    "GraphQL only supports GET and POST requests.": ("BAD_USER_INPUT", "GraphQL 只接受 GET 和 POST 请求。"),
    "mutations are not allowed when using GET": (
        "BAD_USER_INPUT",
        "变更操作不能通过 GET 发送，请使用 POST。",
    ),
    "queries are not allowed when using GET": ("BAD_USER_INPUT", "查询不能通过 GET 发送，请使用 POST。"),
    "Can't get GraphQL operation type": ("GRAPHQL_VALIDATION_FAILED", "无法确定要执行的操作。"),
    "Not Found": ("NOT_FOUND", "未找到。"),
}


def _media_ranges(accept: str) -> dict[str, float]:
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges[media.lower()] = max(quality, ranges.get(media.lower(), 0.0))
    return ranges


def wants_graphql_response(accept: str | None) -> bool:
    """Whether the client prefers application/graphql-response+json to application/json (ties: the new one)."""
    if not accept:
        return False
    if len(accept) <= _CACHED_ACCEPT_LENGTH:
        return _wants_graphql_response(accept)
    return _prefers_graphql_response(accept)


# A client sends the same Accept value with every request and each request reads it twice (issue 17): the
# answer for the usual short values is kept; the cache is bounded in entries and in their length.
_CACHED_ACCEPT_LENGTH = 256


@functools.lru_cache(maxsize=128)
def _wants_graphql_response(accept: str) -> bool:
    return _prefers_graphql_response(accept)


def _prefers_graphql_response(accept: str) -> bool:
    ranges = _media_ranges(accept)
    preferred = ranges.get(GRAPHQL_RESPONSE, 0.0)
    return preferred > 0 and preferred >= ranges.get(JSON, 0.0)


def _codes(body: Mapping[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or ()]


def answer_status(body: dict[str, Any], *, modern: bool) -> int:
    """The HTTP status of a GraphQL answer; for graphql-response+json, a request error also loses `data`."""
    codes = _codes(body)
    if "UNAVAILABLE" in codes:
        return 503
    request_error = body.get("data") is None and codes and all("path" not in e for e in body["errors"])
    if not (modern and request_error):
        return 200
    body.pop("data", None)  # the spec's request error: no `data` entry at all
    statuses = [TOP_LEVEL_CODES[c].status if c in TOP_LEVEL_CODES else 500 for c in codes]
    return max(statuses) if max(statuses) >= 400 else 400


def finish(response: Response, status: int, *, modern: bool) -> Response:
    """Status, media type and Retry-After on the view's response."""
    response.status_code = status
    if modern:
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
    if status == 503:
        response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return response


def refusal(status: int, reason: str, lang: str, *, modern: bool) -> Response:
    """One of strawberry's HTTP-level refusals as a coded GraphQL error body (never plain text)."""
    code, zh = _HTTP_REFUSALS.get(reason, ("BAD_USER_INPUT", f"请求无效：{reason}"))
    if reason.startswith("Unknown operation named"):
        code, zh = "GRAPHQL_VALIDATION_FAILED", f"文档中没有该名称的操作：{reason}"
    body = {"errors": [{"message": reason if lang == "en" else zh, "extensions": {"code": code}}]}
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=f"{GRAPHQL_RESPONSE}; charset=utf-8" if modern else JSON,
    )


_IDEMPOTENCY: dict[str, tuple[int, str, str]] = {
    "idempotency-key-reused": (
        422,
        "该 Idempotency-Key 已用于另一个请求，请为新请求使用新的键。",
        "This Idempotency-Key was used for a different request; use a new key for a new request.",
    ),
    "idempotency-key-in-progress": (
        409,
        "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。",
        "The request with this Idempotency-Key is still being processed; retry shortly.",
    ),
    "idempotency-key-too-long": (
        400,
        "Idempotency-Key 过长（最多 200 个字符）。",
        "The Idempotency-Key is too long (at most 200 characters).",
    ),
}


def idempotency_refusal(reason: str, lang: str, *, modern: bool) -> Response:
    """A refused Idempotency-Key: BAD_USER_INPUT with the reason, nothing run."""
    status, zh, en = _IDEMPOTENCY[reason]
    body = {
        "errors": [
            {
                "message": en if lang == "en" else zh,
                "extensions": {"code": "BAD_USER_INPUT", "reason": reason},
            }
        ]
    }
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=f"{GRAPHQL_RESPONSE}; charset=utf-8" if modern else JSON,
    )


def unavailable_response(lang: str, *, modern: bool) -> Response:
    """UNAVAILABLE before GraphQL ran (the database could not be asked)."""
    body = {"errors": [{"message": message("UNAVAILABLE", lang), "extensions": {"code": "UNAVAILABLE"}}]}
    return Response(orjson.dumps(body), status_code=503, media_type=JSON)
