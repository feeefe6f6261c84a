"""The webhook outbox: events written in the changing transaction, so an event exists iff its change does.

The rule that writes them lives in the database (migration 0026 `audit_pending_seal()`): when a unit of
work's audit record is sealed at COMMIT, an outbox row is added if some active subscription wants its
operation or every one (WILDCARD). Fan-out to subscribers and redaction happen in the worker
(api/workers/webhooks.py), which may consult the policy.
"""

from __future__ import annotations

from sqlalchemy import Insert, insert

from store.tables import audit_pending

WILDCARD = "*"  # a subscription's event type meaning every operation (spelled '*' in the migration too)

STAGE_AUDIT: Insert = insert(audit_pending)
"""Stages audit records (the audit columns as parameters, one set per record, in order): built once, so
SQLAlchemy compiles it once."""
