"""Delivers the webhook outbox: fan-out per subscriber (redacted by the policy), signed POSTs, retries with
exponential backoff, an attempt log. Runs in every API process; rows are claimed with
SELECT … FOR UPDATE SKIP LOCKED, so several processes share the work and never send the same delivery at
the same time.

Delivery is at least once: a crash between the receiver's 2xx and our COMMIT resends that delivery, so
receivers deduplicate on the `X-Yingkou-Event-Id` header (stable across retries and restarts).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import structlog
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.graphql.common import to_global_id
from api.webhooks import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TargetPolicy,
    UnsafeTarget,
    sign,
    subscriber,
)
from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.lifecycle import Status
from domain.projects import Project
from store import tables
from store.outbox import WILDCARD
from store.sync_tables import (
    webhook_deliveries,
    webhook_delivery_attempts,
    webhook_events,
    webhook_subscriptions,
)

log = structlog.get_logger("api.webhooks")
BATCH = 100


@dataclass(frozen=True)
class WorkerConfig:
    poll_seconds: float = 1.0
    backoff_seconds: float = 5.0  # first retry after this; doubles per attempt
    max_backoff_seconds: float = 3600.0
    max_attempts: int = 12  # 2 h 25 min with the defaults (docs/webhooks.md), then the delivery is failed
    timeout_seconds: float = 10.0


class _AsOfEvent:
    """The project as the event left it (code and status from its snapshot): a subscriber sees an event if it
    could read the project then — a draft's creation stays hidden even once the project is published."""

    def __init__(self, project: Project, data: dict[str, Any] | None) -> None:
        self._project = project
        data = data or {}
        self.code = data.get("code", project.code)
        self.status = Status(data["status"]) if data.get("status") else project.status

    def __getattr__(self, name: str) -> Any:
        return getattr(self._project, name)


class WebhookWorker:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        authorizer: Authorizer,
        config: WorkerConfig | None = None,
        targets: TargetPolicy | None = None,
    ) -> None:
        self._factory = session_factory
        self._authorizer = authorizer
        self.config = config or WorkerConfig()
        self._targets = targets or TargetPolicy()

    async def run(self) -> None:
        """Until cancelled (the app's lifespan cancels it on shutdown)."""
        async with httpx.AsyncClient(timeout=self.config.timeout_seconds) as http:
            while True:
                try:
                    busy = await self.dispatch() + await self.deliver_due(http)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("webhook worker round failed")
                    busy = 0
                if not busy:
                    await asyncio.sleep(self.config.poll_seconds)

    async def dispatch(self) -> int:
        """Turn new outbox events into one delivery per interested subscriber that may read the object."""
        async with self._factory() as session, session.begin():
            events = (
                await session.execute(
                    select(webhook_events)
                    .where(webhook_events.c.dispatched_at.is_(None))
                    .order_by(webhook_events.c.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not events:
                return 0
            subs = (
                await session.execute(
                    select(webhook_subscriptions, tables.organizations.c.type.label("organization_type"))
                    .join(
                        tables.organizations,
                        tables.organizations.c.id == webhook_subscriptions.c.organization_id,
                    )
                    .where(webhook_subscriptions.c.active)
                )
            ).all()
            project_ids = {
                e.target_id for e in events if e.target_type == "Project" and e.target_id is not None
            }
            projects = (
                {
                    p.id: p
                    for p in (
                        await session.execute(select(Project).where(tables.projects.c.id.in_(project_ids)))
                    ).scalars()
                }
                if project_ids
                else {}
            )
            rows = []
            for event in events:
                for sub in subs:
                    if WILDCARD not in sub.event_types and event.event_type not in sub.event_types:
                        continue
                    payload = self._redacted(event, sub, projects)
                    if payload is not None:
                        rows.append({"event_id": event.id, "subscription_id": sub.id, "payload": payload})
            if rows:
                await session.execute(
                    pg_insert(webhook_deliveries)
                    .values(rows)
                    .on_conflict_do_nothing(constraint="uq_webhook_deliveries_event_subscription")
                )
            await session.execute(
                update(webhook_events)
                .where(webhook_events.c.id.in_([e.id for e in events]))
                .values(dispatched_at=func.now())
            )
            return len(events)

    def _redacted(self, event: Any, sub: Any, projects: dict[int, Project]) -> dict[str, Any] | None:
        """What this subscriber may read of the event, or None when it may not see the object at all."""
        actor = subscriber(sub.organization_id, sub.organization_type, sub.id)
        if event.target_type == "Project":
            project = projects.get(event.target_id)
            if project is None or not self._authorizer.can_read(actor, _AsOfEvent(project, event.data)):  # type: ignore[arg-type]
                return None
            data = event.data  # Project.snapshot(): no contact details, nothing beyond project:read
        elif self._authorizer.allowed(actor, Operation.AUDIT_LOG_READ):
            data = None  # other objects: only that they changed, and only to audit-log readers
        else:
            return None
        return {
            "eventId": event.event_id,
            "eventType": event.event_type,
            "occurredAt": event.occurred_at.astimezone(UTC).isoformat(),
            "target": {
                "type": event.target_type,
                "id": to_global_id(event.target_type, event.target_id) if event.target_id else None,
            },
            "data": data,
        }

    async def deliver_due(self, http: httpx.AsyncClient) -> int:
        """Send due deliveries one by one, each claimed in its own transaction for the duration of its POST."""
        sent = 0
        while sent < BATCH and await self._deliver_one(http):
            sent += 1
        return sent

    async def _deliver_one(self, http: httpx.AsyncClient) -> bool:
        d, s = webhook_deliveries, webhook_subscriptions
        async with self._factory() as session, session.begin():
            row = (
                await session.execute(
                    select(d.c.id, d.c.payload, d.c.attempts, s.c.url, s.c.secret)
                    .join(s, s.c.id == d.c.subscription_id)
                    .where(d.c.status == "pending", d.c.next_attempt_at <= func.now(), s.c.active)
                    .order_by(d.c.next_attempt_at, d.c.id)
                    .limit(1)
                    .with_for_update(of=d, skip_locked=True)
                )
            ).first()
            if row is None:
                return False
            body = orjson.dumps(row.payload, option=orjson.OPT_SORT_KEYS)
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                EVENT_ID_HEADER: row.payload["eventId"],
                EVENT_TYPE_HEADER: row.payload["eventType"],
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(row.secret, timestamp, body),
            }
            started = time.perf_counter()
            status_code, error = None, None
            try:
                # Checked again now, and sent to the checked address: the DNS answer at creation (or a
                # second answer now) cannot aim the POST at an internal address.
                target = await asyncio.wait_for(self._targets.check(row.url), self.config.timeout_seconds)
                headers["Host"] = target.host_header
                response = await http.post(
                    target.url,
                    content=body,
                    headers=headers,
                    extensions={"sni_hostname": target.server_name},
                )
                status_code = response.status_code
            except UnsafeTarget as refusal:
                error = f"UnsafeTarget: {refusal}"[:500]
                log.warning("webhook target refused", delivery_id=row.id, reason=refusal.code)
            except (httpx.HTTPError, TimeoutError) as exc:  # TimeoutError: the DNS answer took too long
                error = f"{type(exc).__name__}: {exc}"[:500]
            duration_ms = int((time.perf_counter() - started) * 1000)
            attempts = row.attempts + 1
            await session.execute(
                insert(webhook_delivery_attempts).values(
                    delivery_id=row.id,
                    attempted_at=datetime.now(UTC),
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            if status_code is not None and 200 <= status_code < 300:
                values: dict[str, Any] = {
                    "status": "delivered",
                    "attempts": attempts,
                    "delivered_at": func.now(),
                }
            else:
                delay = min(
                    self.config.backoff_seconds * 2 ** (attempts - 1), self.config.max_backoff_seconds
                )
                values = {
                    "attempts": attempts,
                    "status": "failed" if attempts >= self.config.max_attempts else "pending",
                    "next_attempt_at": func.now() + timedelta(seconds=delay),
                }
                log.info(
                    "webhook delivery failed",
                    delivery_id=row.id,
                    status_code=status_code,
                    error=error,
                    attempts=attempts,
                    retry_in_s=delay,
                )
            await session.execute(update(d).where(d.c.id == row.id).values(**values))
            return True


def start(state: Any) -> asyncio.Task[None]:
    """Start the worker for an app (its state carries settings, session factory and authorizer)."""
    settings = state.settings
    config = WorkerConfig(
        poll_seconds=settings.webhook_poll_seconds, backoff_seconds=settings.webhook_backoff_seconds
    )
    worker = WebhookWorker(
        state.session_factory, state.authorizer, config, TargetPolicy.from_settings(settings)
    )
    return asyncio.create_task(worker.run(), name="webhook-worker")


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel mid-round: an interrupted delivery's transaction rolls back and the delivery stays pending."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
