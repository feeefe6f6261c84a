"""Idempotency-Key for mutations: a retried request gets the first answer again and never writes twice.

The key is claimed (a row with no answer yet) before the mutation runs, so a retry that arrives while the
first request runs is refused as in progress instead of running it again; the answer is stored once the
first request is answered. A key is scoped to its credential (or, anonymous, the client address) and kept
for `KEY_TTL`; used again for a different request it is refused. A request answered UNAVAILABLE changed
nothing, so its key is released for the retry. Multipart requests (uploads) are not covered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast
from sqlalchemy.ext.asyncio import AsyncEngine

from api.limits import MAX_TOKENS, parse_document
from store.driver import driver_connection

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 200
# Mutations whose answer carries a secret shown once (tokens, activation tokens): their answer is never
# stored for replay, so an Idempotency-Key on them is ignored — a secret is kept only as its hash.
SECRET_ANSWERS = frozenset(
    {"login", "tokenRefresh", "userCreate", "passwordReset", "accountActivate", "apiTokenCreate"}
)

_CLAIM = """
INSERT INTO idempotency_keys (owner, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (owner, key) DO UPDATE
    SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at, status = NULL, body = NULL
    WHERE idempotency_keys.created_at < $5
RETURNING true
"""
_READ = "SELECT fingerprint, status, body FROM idempotency_keys WHERE owner = $1 AND key = $2"
_ANSWER = "UPDATE idempotency_keys SET status = $3, body = $4 WHERE owner = $1 AND key = $2"
_RELEASE = "DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2"


@dataclass(frozen=True, slots=True)
class Claim:
    """What a key holds: `claimed` (run it), or the first request's answer, or `in_progress`/`reused`."""

    claimed: bool = False
    status: int | None = None
    body: bytes | None = None
    in_progress: bool = False
    reused: bool = False


def owner_of(authorization: str | None, client: str) -> str:
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    return "address:" + client[:60]


def mutation_fingerprint(body: bytes) -> str | None:
    """The request's fingerprint if it is a JSON request for a mutation; None for anything else."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return None
    name = data.get("operationName")
    try:
        document = parse_document(data["query"], max_tokens=MAX_TOKENS)
        operation = get_operation_ast(document, name if isinstance(name, str) else None)
    except GraphQLError:
        return None  # strawberry refuses it as usual
    if operation is None or operation.operation is not OperationType.MUTATION:
        return None
    if any(
        getattr(f, "name", None) and f.name.value in SECRET_ANSWERS
        for f in operation.selection_set.selections
    ):
        return None
    canonical = orjson.dumps(
        {"q": data["query"], "v": data.get("variables"), "o": name}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(canonical).hexdigest()


async def claim(engine: AsyncEngine, owner: str, key: str, fingerprint: str, now: datetime) -> Claim:
    async with driver_connection(engine) as connection:
        if await connection.fetchval(_CLAIM, owner, key, fingerprint, now, now - KEY_TTL):
            return Claim(claimed=True)
        row: Any = await connection.fetchrow(_READ, owner, key)
    if row is None:  # released between the two statements: the caller may retry
        return Claim(in_progress=True)
    if row["fingerprint"] != fingerprint:
        return Claim(reused=True)
    if row["status"] is None:
        return Claim(in_progress=True)
    return Claim(status=row["status"], body=bytes(row["body"]))


async def answer(engine: AsyncEngine, owner: str, key: str, status: int, body: bytes) -> None:
    async with driver_connection(engine) as connection:
        if status == 503:
            await connection.execute(_RELEASE, owner, key)
        else:
            await connection.execute(_ANSWER, owner, key, status, body)
