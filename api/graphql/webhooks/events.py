"""The `WebhookEventType` enum of the schema, mirroring `api.webhook_payloads.WebhookEventType`."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from api.webhook_payloads import WebhookEventType, event_type_label

WebhookEventTypeEnum: Any = strawberry.enum(
    Enum(  # type: ignore[misc]
        "WebhookEventType",
        {
            member.name: strawberry.enum_value(member.value, description=event_type_label(member.value))
            for member in WebhookEventType
        },
    ),
    description="事件类型：每个写操作是一种事件，`ALL` 订阅全部 — an event a webhook subscription asks for: each "
    "writing operation (the value is the operation name, e.g. `project:submit-to-reserve`, also sent in "
    "`X-Yingkou-Event-Type`), or `ALL` (`*`) for every one; payloads: docs/webhooks.md.",
)


def to_gql(value: str) -> Any:
    """The schema's member for a stored event type string (`*` or an operation name)."""
    return WebhookEventTypeEnum(value)


def to_stored(member: Any) -> str:
    """The stored string (`*` or an operation name) for the schema's member."""
    return str(member.value)
