"""Lists filtered in SQL from the same policy: each scope a predicate, a role's scopes OR-ed together."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from authz import scopes
from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.actors import Actor
from domain.lifecycle import Status
from store import tables

p = tables.projects

_PREDICATES: dict[str, Callable[[Actor], ColumnElement[bool]]] = {
    scopes.ANY: lambda actor: true(),
    scopes.LEAD: lambda actor: p.c.lead_organization_id == actor.organization_id,
    scopes.PARTICIPANT: lambda actor: exists(
        select(tables.project_participants.c.id).where(
            tables.project_participants.c.project_id == p.c.id,
            tables.project_participants.c.organization_id == actor.organization_id,
        )
    ),
    scopes.SUBMITTED: lambda actor: p.c.code.is_not(None),
    scopes.PUBLISHED: lambda actor: p.c.status != Status.DRAFT,
}


def project_filter(authorizer: Authorizer, actor: Actor, operation: Operation) -> ColumnElement[bool]:
    """The WHERE clause equal to asking the policy about each row — false() when the role has no grant."""
    granted = authorizer.scopes(actor, operation)
    if not granted:
        return false()
    if scopes.ANY in granted:
        return true()
    return or_(*(_PREDICATES[scope](actor) for scope in sorted(granted)))
