"""The relations between an actor and a project that a policy line can require."""

from __future__ import annotations

from collections.abc import Sequence

from domain.actors import Actor
from domain.lifecycle import Status
from domain.ports import Assignment
from domain.projects import Project

ANY = "any"
LEAD = "lead"
PARTICIPANT = "participant"
SUBMITTED = "submitted"  # has been submitted at least once, so it has a code (supervisors see it)
PUBLISHED = "published"  # not a draft: what integrators may pull
ASSIGNED = "assigned"  # an evaluator entrusted with one of the project's approval documents (Art. 13)

ALL_SCOPES = (ANY, LEAD, PARTICIPANT, SUBMITTED, PUBLISHED, ASSIGNED)
# Scopes that let a reader see only a few projects: their own, their joint ones, their assignments.
NARROW_SCOPES = frozenset({LEAD, PARTICIPANT, ASSIGNED})


def project_facts(actor: Actor, project: Project, document: Assignment | None = None) -> frozenset[str]:
    """Which scopes hold between this actor and this project (and, for document steps, this document).

    A new project is led by its creator. For a document, `assigned` means assigned to *that* document.
    """
    facts = {ANY}
    assigned_to: Sequence[Assignment] = (document,) if document is not None else project.documents
    if any(d.evaluator_organization_id == actor.organization_id for d in assigned_to):
        facts.add(ASSIGNED)
    if project.lead_organization_id == actor.organization_id:
        facts.add(LEAD)
    if any(p.organization_id == actor.organization_id for p in project.participants):
        facts.add(PARTICIPANT)
    if project.code is not None:
        facts.add(SUBMITTED)
    if project.status is not Status.DRAFT:
        facts.add(PUBLISHED)
    return frozenset(facts)


NO_OBJECT = frozenset({ANY})
