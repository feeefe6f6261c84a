"""Webhook subscriptions (use cases of the receiving organization), the signature receivers verify, and the
guard on where a webhook may be sent.

A subscription belongs to the organization that receives it and is managed by that organization's own users
(the policy grants webhook-subscription:manage with the `lead` scope: the subscription is the actor's
organization's); an administrator cannot aim another organization's data anywhere. Its URL is https in
production and never resolves to a loopback, link-local, private or otherwise non-global address — checked at
creation and again at every delivery, where the request goes to the address that was checked (no second DNS
answer: DNS rebinding)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

from sqlalchemy import ColumnElement, false, insert, select, true, update

from authz import scopes
from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.actors import Actor
from domain.errors import DomainError, Forbidden, NotFound, Violation
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


IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


async def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (IPv4 and IPv6), as the operating system's resolver answers."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class UnsafeTarget(Exception):
    """A webhook URL that may not be used: `code` says why (also for the delivery log)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


@dataclass(frozen=True)
class Target:
    """Where one POST goes: the URL with the checked address in place of the host name, and the name for
    the Host header and TLS (SNI and certificate check), so the connection cannot go anywhere else."""

    url: str
    host_header: str
    server_name: str
    address: str


@dataclass(frozen=True)
class TargetPolicy:
    """https only in production; no non-global address unless in `allowed_networks` (e.g. an intranet)."""

    require_https: bool = False
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    resolver: Resolver = field(default=resolve, compare=False)

    @classmethod
    def from_settings(cls, settings: Any) -> TargetPolicy:
        return cls(
            require_https=settings.production,
            allowed_networks=tuple(
                ipaddress.ip_network(n, strict=False) for n in settings.webhook_allowed_networks
            ),
        )

    def allows_address(self, address: IpAddress) -> bool:
        """Global unicast addresses only (not loopback, link-local, private, shared, reserved, multicast)."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(address in network for network in self.allowed_networks):
            return True
        return address.is_global and not address.is_multicast

    def check_syntax(self, url: str) -> SplitResult:
        parts = urlsplit(url.strip())
        schemes = ("https",) if self.require_https else ("http", "https")
        if parts.scheme not in schemes or not parts.hostname:
            raise UnsafeTarget("WEBHOOK_URL_INVALID", f"scheme {parts.scheme!r} or host missing")
        if parts.username is not None or parts.password is not None:
            raise UnsafeTarget("WEBHOOK_URL_INVALID", "credentials in the URL")
        try:
            parts.port  # noqa: B018 — raises on a port out of range
        except ValueError as error:
            raise UnsafeTarget("WEBHOOK_URL_INVALID", "bad port") from error
        return parts

    async def check(self, url: str) -> Target:
        """Resolve the URL's host and refuse it if ANY of its addresses is not allowed (an attacker's DNS may
        answer with several); the target pins the first address."""
        parts = self.check_syntax(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a.split("%")[0]) for a in await self.resolver(host, port)]
            except (OSError, UnicodeError, ValueError) as error:
                raise UnsafeTarget("WEBHOOK_URL_UNRESOLVABLE", f"{host} does not resolve") from error
        if not addresses:
            raise UnsafeTarget("WEBHOOK_URL_UNRESOLVABLE", f"{host} does not resolve")
        refused = [str(a) for a in addresses if not self.allows_address(a)]
        if refused:
            raise UnsafeTarget("WEBHOOK_URL_FORBIDDEN_ADDRESS", f"{host} resolves to {', '.join(refused)}")
        address = addresses[0]
        literal = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{literal}:{port}"
        pinned = parts._replace(netloc=netloc).geturl()
        default_port = port == (443 if parts.scheme == "https" else 80)
        host_header = parts.hostname if default_port else f"{parts.hostname}:{port}"
        if ":" in host and not host.startswith("["):  # an IPv6 literal goes back in brackets
            host_header = f"[{host}]" if default_port else f"[{host}]:{port}"
        return Target(url=pinned, host_header=host_header or "", server_name=host, address=str(address))


def _target_refusal(code: str) -> Violation:
    """The userError for a refused URL, by the code `TargetPolicy.check` gave (codes spelled out for the catalogue)."""
    if code == "WEBHOOK_URL_UNRESOLVABLE":
        return _invalid(
            code="WEBHOOK_URL_UNRESOLVABLE",
            zh="推送地址的主机名无法解析。",
            en="The URL's host name does not resolve.",
            field="url",
        )
    if code == "WEBHOOK_URL_FORBIDDEN_ADDRESS":
        return _invalid(
            code="WEBHOOK_URL_FORBIDDEN_ADDRESS",
            zh="推送地址指向本机、链路本地或内网地址，不允许推送。",
            en="The URL points to a loopback, link-local or private address; webhooks may not be sent there.",
            field="url",
        )
    return _invalid(
        code="WEBHOOK_URL_INVALID",
        zh="推送地址须为 http(s) 网址（生产环境仅限 https），且不含用户名和密码。",
        en="The URL must be an http(s) URL (https in production) without credentials.",
        field="url",
    )


async def check_target(url: str, policy: TargetPolicy) -> list[Violation]:
    """The creation-time check of a webhook URL, as userErrors on `input.url` (empty: allowed)."""
    try:
        await policy.check(url)
    except UnsafeTarget as refusal:
        return [_target_refusal(refusal.code)]
    return []


def subscription_facts(actor: Actor, organization_id: int) -> frozenset[str]:
    """`lead`: the subscription is the actor's own organization's (it receives the deliveries)."""
    facts = {scopes.ANY}
    if organization_id == actor.organization_id:
        facts.add(scopes.LEAD)
    return frozenset(facts)


def require_own(authorizer: Authorizer, actor: Actor, operation: Operation, organization_id: int) -> None:
    """FORBIDDEN unless the policy lets the actor do this to that organization's subscriptions."""
    if not authorizer.allowed(actor, operation, subscription_facts(actor, organization_id)):
        raise Forbidden(operation.value)


def visible_subscriptions(authorizer: Authorizer, actor: Actor) -> ColumnElement[bool]:
    """The subscriptions the actor may read, as SQL: all (`any`), its organization's (`lead`), or none."""
    granted = authorizer.scopes(actor, Operation.WEBHOOK_SUBSCRIPTION_READ)
    if scopes.ANY in granted:
        return true()
    if scopes.LEAD in granted:
        return webhook_subscriptions.c.organization_id == actor.organization_id
    return false()


@dataclass(frozen=True)
class CreatedSubscription:
    id: int
    secret: str


def _invalid(code: str, zh: str, en: str, field: str) -> Violation:
    return Violation(code, zh, en, field=("input", field))


async def create_subscription(
    uow: SqlUnitOfWork,
    *,
    organization_id: int,
    name: str,
    url: str,
    event_types: list[str],
    operation: str,
    authorizer: Authorizer,
    targets: TargetPolicy,
) -> CreatedSubscription:
    """The secret is generated here and shown once; receivers use it to verify the signature."""
    require_own(authorizer, uow.actor, Operation(operation), organization_id)
    problems = await check_target(url, targets)  # DNS before the transaction: it holds nothing meanwhile
    async with uow:
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


async def deactivate_subscription(
    uow: SqlUnitOfWork, *, subscription_id: int, operation: str, authorizer: Authorizer
) -> None:
    """Stops new deliveries; pending ones are dropped by the worker (it delivers for active subscriptions)."""
    async with uow:
        owner = (
            await uow.session.execute(
                select(webhook_subscriptions.c.organization_id)
                .where(webhook_subscriptions.c.id == subscription_id)
                .with_for_update()
            )
        ).scalar_one_or_none()
        readable = owner is not None and authorizer.allowed(
            uow.actor,
            Operation.WEBHOOK_SUBSCRIPTION_READ,
            subscription_facts(uow.actor, owner),
        )
        if not readable:  # another organization's subscription is NOT_FOUND, as if it did not exist
            raise NotFound("WebhookSubscription", subscription_id)
        require_own(authorizer, uow.actor, Operation(operation), owner)
        await uow.session.execute(
            update(webhook_subscriptions)
            .where(webhook_subscriptions.c.id == subscription_id)
            .values(active=False)
        )
        uow.record(operation, "WebhookSubscription", subscription_id, {"active": True}, {"active": False})
        await uow.commit()
