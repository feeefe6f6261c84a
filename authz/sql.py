"""Lists filtered in SQL from the same policy: each scope a predicate, a role's scopes OR-ed together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from authz import scopes
from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.actors import Actor
from domain.lifecycle import Status
from store import approval_tables, tables

p = tables.projects

# Each predicate takes the actor's organization: its id, or a bind parameter when a statement is kept per
# shape of a request and the organization bound per request (the compiled list, api/graphql/projects/compiled.py).
_PREDICATES: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    scopes.ANY: lambda organization: true(),
    scopes.LEAD: lambda organization: p.c.lead_organization_id == organization,
    scopes.PARTICIPANT: lambda organization: exists(
        select(tables.project_participants.c.id).where(
            tables.project_participants.c.project_id == p.c.id,
            tables.project_participants.c.organization_id == organization,
        )
    ),
    scopes.SUBMITTED: lambda organization: p.c.code.is_not(None),
    scopes.PUBLISHED: lambda organization: p.c.status != Status.DRAFT,
    scopes.ASSIGNED: lambda organization: exists(
        select(approval_tables.approval_documents.c.id).where(
            approval_tables.approval_documents.c.project_id == p.c.id,
            approval_tables.approval_documents.c.evaluator_organization_id == organization,
        )
    ),
}


def project_filter(
    authorizer: Authorizer, actor: Actor, operation: Operation, *, organization: Any = None
) -> ColumnElement[bool]:
    """The WHERE clause equal to asking the policy about each row — false() when the role has no grant.

    `organization`: the actor's organization as SQL (a bind parameter) instead of its id; the clause's shape
    then depends only on `authorizer.scopes(actor, operation)`."""
    granted = authorizer.scopes(actor, operation)
    if not granted:
        return false()
    if scopes.ANY in granted:
        return true()
    org = actor.organization_id if organization is None else organization
    return or_(*(_PREDICATES[scope](org) for scope in sorted(granted)))


def document_filter(authorizer: Authorizer, actor: Actor, operation: Operation) -> ColumnElement[bool]:
    """Approval documents: the project-level scopes, except that `assigned` means assigned to *this* document."""
    granted = authorizer.scopes(actor, operation)
    documents = approval_tables.approval_documents
    clauses: list[ColumnElement[bool]] = []
    if scopes.ASSIGNED in granted:
        clauses.append(documents.c.evaluator_organization_id == actor.organization_id)
    project_level = granted - {scopes.ASSIGNED}
    if scopes.ANY in project_level:
        clauses.append(true())
    elif project_level:
        clauses.append(
            exists(
                select(p.c.id).where(
                    p.c.id == documents.c.project_id,
                    or_(*(_PREDICATES[s](actor.organization_id) for s in sorted(project_level))),
                )
            )
        )
    return or_(*clauses) if clauses else false()
