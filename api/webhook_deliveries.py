"""A subscription's recent deliveries as its owner reads them: state, attempts, and the last attempt's HTTP
status and error (from the attempt log, `webhook_delivery_attempts`), short and without secrets."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Select, select, true

from store.sync_tables import webhook_deliveries, webhook_delivery_attempts, webhook_events

ERROR_MAX_CHARS = 200
# A URL's query string or fragment may carry the receiver's own token (`?key=…`); userinfo is refused at
# creation but cut here too, in case an error echoes a redirect's Location.
_URL = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?:[^/@\s]*@)?(?P<rest>[^\s?#'\"]*)(?:[?#][^\s'\"]*)?"
)


def public_error(error: str | None) -> str | None:
    """The attempt's error as its owner may see it: URLs without credentials, query or fragment, one line,
    at most ERROR_MAX_CHARS characters (ending in `…` when cut)."""
    if not error:
        return None
    text = _URL.sub(lambda m: m["scheme"] + m["rest"], " ".join(error.split()))
    return text if len(text) <= ERROR_MAX_CHARS else text[: ERROR_MAX_CHARS - 1] + "…"


def recent_deliveries(subscription_id: int, limit: int) -> Select[Any]:
    """The newest deliveries first, each with its last attempt (one index probe per delivery: LATERAL)."""
    d, e, at = webhook_deliveries, webhook_events, webhook_delivery_attempts
    last = (
        select(at.c.attempted_at, at.c.status_code, at.c.error)
        .where(at.c.delivery_id == d.c.id)
        .order_by(at.c.id.desc())
        .limit(1)
        .lateral("last_attempt")
    )
    return (
        select(
            e.c.event_id,
            e.c.event_type,
            d.c.status,
            d.c.attempts,
            d.c.next_attempt_at,
            d.c.delivered_at,
            last.c.attempted_at.label("last_attempt_at"),
            last.c.status_code.label("last_status_code"),
            last.c.error.label("last_error"),
        )
        .join(e, e.c.id == d.c.event_id)
        .outerjoin(last, true())
        .where(d.c.subscription_id == subscription_id)
        .order_by(d.c.id.desc())
        .limit(limit)
    )
