"""Classical (imperative) mapping: the domain dataclasses stay plain, SQLAlchemy learns where they live."""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from domain.projects import CatalogueItem, Participant, Project
from domain.reserve import CheckResult, ReserveReview
from store import tables

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def map_domain() -> None:
    """Idempotent: call at start-up of anything that loads domain objects."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(Participant, tables.project_participants)
    mapper_registry.map_imperatively(CatalogueItem, tables.catalogue_items)
    mapper_registry.map_imperatively(
        Project,
        tables.projects,
        properties={
            "participants": relationship(
                Participant, lazy="selectin", cascade="all, delete-orphan",
                order_by=tables.project_participants.c.id,
            ),
            "catalogue": relationship(
                CatalogueItem, lazy="selectin", cascade="all, delete-orphan", order_by=tables.catalogue_items.c.id,
            ),
        },
    )
    mapper_registry.map_imperatively(CheckResult, tables.reserve_check_results)
    mapper_registry.map_imperatively(
        ReserveReview,
        tables.reserve_reviews,
        properties={
            "results": relationship(
                CheckResult, lazy="selectin", cascade="all, delete-orphan",
                order_by=tables.reserve_check_results.c.id,
            ),
        },
    )
    _mapped = True
