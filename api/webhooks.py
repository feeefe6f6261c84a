"""Webhook subscriptions (administration use cases) and the signature receivers verify."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update

from authz.operations import Operation
from domain.actors import Actor
from domain.errors import DomainError, NotFound, Violation
from store import tables
from store.outbox import WILDCARD
from store.sync_tables import webhook_subscriptions
from store.uow import SqlUnitOfWork

SIGNATURE_HEADER = "X-Yingkou-Signature"
TIMESTAMP_HEADER = "X-Yingkou-Timestamp"
EVENT_ID_HEADER = "X-Yingkou-Event-Id"
EVENT_TYPE_HEADER = "X-Yingkou-Event-Type"
EVENT_TYPES = sorted(op.value for op in Operation if op.writes)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 over `<timestamp>.<body>`: the timestamp is signed, so a receiver that
    rejects old timestamps also rejects replays."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def subscriber(organization_id: int, organization_type: str, subscription_id: int) -> Actor:
    """The subscription reads as a read-only principal of its organization, like that organization's token."""
    return Actor(
        user_id=None,
        organization_id=organization_id,
        role=organization_type,
        username=f"webhook:{subscription_id}",
        token_id=subscription_id,
    )


@dataclass(frozen=True)
class CreatedSubscription:
    id: int
    secret: str


def _invalid(code: str, zh: str, en: str, field: str) -> Violation:
    return Violation(code, zh, en, field=("input", field))


async def create_subscription(
    uow: SqlUnitOfWork, *, organization_id: int, name: str, url: str, event_types: list[str], operation: str
) -> CreatedSubscription:
    """The secret is generated here and shown once; receivers use it to verify the signature."""
    async with uow:
        problems = []
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(
                _invalid(
                    "WEBHOOK_URL_INVALID",
                    "推送地址须为 http(s) 网址。",
                    "The URL must be an http(s) URL.",
                    "url",
                )
            )
        unknown = [t for t in event_types if t != WILDCARD and t not in EVENT_TYPES]
        if not event_types or unknown:
            problems.append(
                _invalid(
                    "WEBHOOK_EVENT_TYPES_INVALID",
                    "事件类型为空或未知：" + "、".join(unknown),
                    "Event types are empty or unknown: " + ", ".join(unknown),
                    "eventTypes",
                )
            )
        if not name.strip():
            problems.append(
                _invalid("NAME_REQUIRED", "请填写订阅名称。", "Give the subscription a name.", "name")
            )
        known_org = (
            await uow.session.execute(
                select(tables.organizations.c.id).where(tables.organizations.c.id == organization_id)
            )
        ).first()
        if known_org is None:
            problems.append(
                _invalid("UNKNOWN_ORGANIZATION", "单位不存在。", "No such organization.", "organizationId")
            )
        if problems:
            raise DomainError(problems)
        secret = secrets.token_urlsafe(32)
        pk = (
            await uow.session.execute(
                insert(webhook_subscriptions)
                .values(
                    organization_id=organization_id,
                    name=name.strip(),
                    url=url.strip(),
                    secret=secret,
                    event_types=sorted(set(event_types)),
                    created_by=uow.actor.user_id,
                )
                .returning(webhook_subscriptions.c.id)
            )
        ).scalar_one()
        uow.record(
            operation,
            "WebhookSubscription",
            pk,
            None,
            {
                "organizationId": organization_id,
                "name": name.strip(),
                "url": url.strip(),
                "eventTypes": sorted(set(event_types)),
            },
        )
        await uow.commit()
    return CreatedSubscription(id=int(pk), secret=secret)


async def deactivate_subscription(uow: SqlUnitOfWork, *, subscription_id: int, operation: str) -> None:
    """Stops new deliveries; pending ones are dropped by the worker (it delivers for active subscriptions)."""
    async with uow:
        changed = (
            await uow.session.execute(
                update(webhook_subscriptions)
                .where(webhook_subscriptions.c.id == subscription_id)
                .values(active=False)
                .returning(webhook_subscriptions.c.id)
            )
        ).first()
        if changed is None:
            raise NotFound("WebhookSubscription", subscription_id)
        uow.record(operation, "WebhookSubscription", subscription_id, {"active": True}, {"active": False})
        await uow.commit()
