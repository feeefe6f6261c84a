"""Classical (imperative) mapping: the domain dataclasses stay plain, SQLAlchemy learns where they live."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapper, attributes, registry, relationship

from domain.approval_documents import ApprovalDocument
from domain.mid_year import MidYearRequest
from domain.plans import AnnualPlan, EntryReview, PlanCall, PlanEntry, PlanItem
from domain.projects import CatalogueItem, Participant, Project
from domain.reserve import CheckResult, ReserveReview
from store import approval_tables, tables
from store.sort_keys import name_sort_key

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def map_domain() -> None:
    """Idempotent: call at start-up of anything that loads domain objects."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(Participant, tables.project_participants)
    _map_approvals()
    _map_supervision()
    _map_construction()
    mapper_registry.map_imperatively(CatalogueItem, tables.catalogue_items)
    mapper_registry.map_imperatively(
        Project,
        tables.projects,
        properties={
            "participants": relationship(
                Participant,
                lazy="selectin",
                cascade="all, delete-orphan",
                order_by=tables.project_participants.c.id,
            ),
            "catalogue": relationship(
                CatalogueItem,
                lazy="selectin",
                cascade="all, delete-orphan",
                order_by=tables.catalogue_items.c.id,
            ),
            "documents": relationship(
                ApprovalDocument,
                lazy="selectin",
                cascade="all",
                order_by=approval_tables.approval_documents.c.id,
            ),
        },
    )
    event.listen(Project, "before_insert", _write_sort_key)
    event.listen(Project, "before_update", _write_sort_key)
    mapper_registry.map_imperatively(CheckResult, tables.reserve_check_results)
    mapper_registry.map_imperatively(
        ReserveReview,
        tables.reserve_reviews,
        properties={
            "results": relationship(
                CheckResult,
                lazy="selectin",
                cascade="all, delete-orphan",
                order_by=tables.reserve_check_results.c.id,
            ),
        },
    )
    _mapped = True


def keep_sort_key(project: Project) -> None:
    """Issue 15.4: the pinyin sort key follows the name, in the write that creates or renames the project
    (the flush's listener below, and the statements store/repositories.py and store/project_writes.py send)."""
    if project.id is None or attributes.get_history(project, "name").has_changes():
        project.name_sort_key = name_sort_key(project.name)  # type: ignore[attr-defined]


def _write_sort_key(mapper: Mapper[Any], connection: Any, project: Project) -> None:
    keep_sort_key(project)


def _map_approvals() -> None:
    t = approval_tables
    mapper_registry.map_imperatively(ApprovalDocument, t.approval_documents)
    mapper_registry.map_imperatively(PlanCall, t.plan_calls)
    mapper_registry.map_imperatively(EntryReview, t.plan_entry_reviews)
    mapper_registry.map_imperatively(
        PlanEntry,
        t.plan_entries,
        properties={
            "reviews": relationship(
                EntryReview, lazy="selectin", cascade="all, delete-orphan", order_by=t.plan_entry_reviews.c.id
            )
        },
    )
    mapper_registry.map_imperatively(PlanItem, t.annual_plan_items)
    mapper_registry.map_imperatively(
        AnnualPlan,
        t.annual_plans,
        properties={
            "items": relationship(
                PlanItem, lazy="selectin", cascade="all, delete-orphan", order_by=t.annual_plan_items.c.id
            )
        },
    )
    mapper_registry.map_imperatively(MidYearRequest, t.mid_year_requests)


def _map_supervision() -> None:
    from domain.supervision import InfoRequest, Inspection, RectificationReport
    from store import supervision_tables as s

    mapper_registry.map_imperatively(Inspection, s.inspections)
    mapper_registry.map_imperatively(RectificationReport, s.rectification_reports)
    mapper_registry.map_imperatively(InfoRequest, s.info_requests)


def _map_construction() -> None:
    """Art. 14–22 records; the repository gathers them into the `Implementation` and `Acceptance` aggregates."""
    from domain.acceptance import AcceptanceEvent
    from domain.changes import ChangeRequest, FigureVersion
    from domain.evaluation import PostEvaluation, SelfEvaluation
    from domain.funds import Disbursement, ResourceAllocation
    from domain.implementation import Contract
    from domain.progress import ProgressReport
    from store import construction_tables as c

    mapper_registry.map_imperatively(Contract, c.contracts)
    mapper_registry.map_imperatively(ChangeRequest, c.change_requests)
    mapper_registry.map_imperatively(FigureVersion, c.approved_figure_versions)
    mapper_registry.map_imperatively(ProgressReport, c.progress_reports)
    mapper_registry.map_imperatively(AcceptanceEvent, c.acceptance_events)
    mapper_registry.map_imperatively(Disbursement, c.disbursements)
    mapper_registry.map_imperatively(ResourceAllocation, c.resource_allocations)
    mapper_registry.map_imperatively(SelfEvaluation, c.self_evaluations)
    mapper_registry.map_imperatively(PostEvaluation, approval_tables.post_evaluations)
