"""Bounded requests (issue 13.1) and cross-site safety of uploads (issue 14.3), before any body is parsed.

A pure ASGI middleware, so nothing is buffered ahead of it:
- a body is counted WHILE it is read (Content-Length or chunked): past the limit the request is answered
  413 with `extensions.code: PAYLOAD_TOO_LARGE`, and the rest is never read. A JSON request (the GraphQL
  document and its variables) may carry `YK_MAX_BODY_KB`; a multipart request `YK_MAX_UPLOAD_MB` more.
- a multipart request must carry `GraphQL-Preflight` (or Apollo's `Apollo-Require-Preflight`): a header a
  cross-site form cannot send and a cross-site fetch cannot send without a CORS preflight, so an upload
  cannot be fired from another site with the user's cookies or credentials (CSRF).
- a multipart request is authenticated from its headers before a byte of its body is read: an anonymous
  60 MB upload is refused at once with 401 UNAUTHENTICATED.
"""

from __future__ import annotations

from typing import Any

import orjson
import structlog
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.i18n import message, pick_language
from api.principal import principal_of

log = structlog.get_logger("api.bounds")
PREFLIGHT_HEADERS = ("graphql-preflight", "apollo-require-preflight")
# Room for the multipart request's own parts (operations, map, part headers) beside the files.
MULTIPART_OVERHEAD_BYTES = 64 * 1024

_MESSAGES: dict[str, tuple[str, str]] = {
    "PAYLOAD_TOO_LARGE": (
        "请求体过大：最多 {max} 字节。",
        "The request body is too large: at most {max} bytes.",
    ),
    "PREFLIGHT_REQUIRED": (
        "文件上传请求须带 GraphQL-Preflight: 1 请求头。",
        "A file upload must carry the header GraphQL-Preflight: 1.",
    ),
}


class BodyTooLarge(Exception):
    """Raised once a body (or a multipart request's document part) passes its limit; answered 413."""

    def __init__(self, limit: int | None = None) -> None:
        super().__init__(limit)
        self.limit = limit


async def answer_refusal(send: Send, status: int, code: str, lang: str, **extensions: Any) -> None:
    """A GraphQL-shaped JSON error response (`data: null`, one error with `extensions.code`)."""
    if code in _MESSAGES:
        zh, en = _MESSAGES[code]
        text = (en if lang == "en" else zh).format(**extensions)
    else:  # the API's usual wording (UNAUTHENTICATED, TOKEN_EXPIRED, …)
        text = message(extensions.pop("message_code", code), lang)
    body = orjson.dumps(
        {"data": None, "errors": [{"message": text, "extensions": {"code": code, **extensions}}]}
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The body is left unread: close the connection rather than receive and discard the rest of it.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def body_limit(settings: Any, multipart: bool) -> int:
    if multipart:
        return int(settings.max_upload_bytes + settings.max_body_bytes + MULTIPART_OVERHEAD_BYTES)
    return int(settings.max_body_bytes)


class RequestBounds:
    """Body limits while reading; multipart only with the preflight header and a valid credential."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        headers = Headers(scope=scope)
        lang = pick_language(headers.get("accept-language"))
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = body_limit(state.settings, multipart)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await answer_refusal(send, 413, "PAYLOAD_TOO_LARGE", lang, max=limit)
            return
        if multipart and not await self._multipart_admitted(scope, headers, send, lang):
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as error:
            if started:  # cannot happen for our handlers (they answer after reading); never mask it
                raise
            await answer_refusal(send, 413, "PAYLOAD_TOO_LARGE", lang, max=error.limit or limit)

    @staticmethod
    async def _multipart_admitted(scope: Scope, headers: Headers, send: Send, lang: str) -> bool:
        if not any(headers.get(name) for name in PREFLIGHT_HEADERS):
            await answer_refusal(send, 400, "PREFLIGHT_REQUIRED", lang)
            return False
        authorization = headers.get("authorization")
        reason = "missing"
        if authorization:
            principal = await principal_of(scope)  # the request's one check (api/principal.py)
            if principal.actor is not None:
                return True
            reason = principal.error.reason if principal.error else reason
            if reason == "unavailable":
                await answer_refusal(send, 503, "UNAVAILABLE", lang)
                return False
        wording = {"expired": "TOKEN_EXPIRED", "invalid": "TOKEN_INVALID"}.get(reason, "UNAUTHENTICATED")
        await answer_refusal(send, 401, "UNAUTHENTICATED", lang, reason=reason, message_code=wording)
        return False


# What a page on an allowed origin may send and read (issue 14.3).
CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept-Language",
    "X-Request-ID",
    "X-Yk-Wal-Position",
    "GraphQL-Preflight",
    "Apollo-Require-Preflight",
]
CORS_EXPOSED_HEADERS = [
    "X-Request-ID",
    "X-Yk-Wal-Position",  # issue 17: echoed by the client so its next read sees its write
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
]


def cors_middleware(settings: Any) -> list[Middleware]:
    """Starlette's CORSMiddleware for the configured origins; none configured, no CORS headers at all."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            allow_credentials=False,  # bearer tokens, not cookies: nothing ambient to send cross-site
            max_age=600,
        )
    ]
