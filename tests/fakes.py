"""The domain's ports in memory (cosmicpython's FakeUnitOfWork): use cases tested in milliseconds, no database.

mypy checks this module (pyproject `files`) and `_implements_the_port` below proves `FakeUnitOfWork` is a
`domain.ports.UnitOfWork`, so a repository method a use case starts calling must be declared in the port
and implemented both here and in `store/` before the type check passes.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from domain.acceptance import Acceptance, AcceptanceEvent, AcceptanceReport
from domain.acceptance_files import StoredReport
from domain.actors import Actor
from domain.approval_documents import ApprovalDocument
from domain.changes import ChangeRequest, FigureVersion
from domain.errors import NotFound
from domain.evaluation import PostEvaluation
from domain.funds import Disbursement
from domain.implementation import Contract, Implementation
from domain.lifecycle import Status
from domain.mid_year import MidYearRequest, MidYearStatus
from domain.plans import AnnualPlan, EntryKind, PlanCall, PlanEntry, PlanStatus
from domain.ports import ConstructionRecord, Upload
from domain.progress import ProgressReport
from domain.projects import CatalogueItem, Participant, Project
from domain.reserve import ReserveReview
from domain.supervision import InfoRequest, Inspection, RectificationReport

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

T = TypeVar("T")


@dataclass
class AuditRecord:
    """What SqlUnitOfWork writes to the audit log, minus the chain."""

    operation: str
    actor_username: str
    target_type: str
    target_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class Store:
    """Everything committed: the in-memory database. Copied on entry so a use case that does not commit
    leaves it as it was (the SQL unit of work rolls back)."""

    organizations: dict[int, str] = field(default_factory=dict)  # organization id → type (OrgType value)
    projects: dict[int, Project] = field(default_factory=dict)
    reviews: list[ReserveReview] = field(default_factory=list)
    code_numbers: dict[int, int] = field(default_factory=dict)  # year → last number taken
    calls: dict[int, PlanCall] = field(default_factory=dict)
    entries: dict[int, PlanEntry] = field(default_factory=dict)
    plans: dict[int, AnnualPlan] = field(default_factory=dict)
    mid_year: dict[int, MidYearRequest] = field(default_factory=dict)
    inspections: dict[int, Inspection] = field(default_factory=dict)
    reports: dict[int, RectificationReport] = field(default_factory=dict)
    info_requests: dict[int, InfoRequest] = field(default_factory=dict)
    attachments: list[tuple[str, int | None, str, bytes]] = field(default_factory=list)
    acceptance_reports: list[tuple[int, int, AcceptanceReport, str, bytes]] = field(default_factory=list)
    records: list[ConstructionRecord] = field(default_factory=list)  # Art. 14–22, in the order added
    audit: list[AuditRecord] = field(default_factory=list)
    last_id: int = 0

    def new_id(self) -> int:
        """The next primary key (one sequence for every table is enough here)."""
        self.last_id += 1
        return self.last_id


def _get(found: dict[int, Any], kind: str, pk: int) -> Any:
    if pk not in found:
        raise NotFound(kind, pk)
    return found[pk]


class FakeProjectRepository:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.pending: list[Project] = []

    async def get(self, project_id: int, *, for_update: bool = False) -> Project:
        project: Project = _get(self._store.projects, "Project", project_id)
        return project

    def add(self, project: Project) -> None:
        self.pending.append(project)

    async def take_code_number(self, year: int, project_id: int) -> int:
        # Gapless like the SQL one: a use case that does not commit gives its number back with the store.
        self._store.code_numbers[year] = self._store.code_numbers.get(year, 0) + 1
        return self._store.code_numbers[year]

    async def organization_types(self, ids: list[int]) -> dict[int, str]:
        return {pk: self._store.organizations[pk] for pk in ids if pk in self._store.organizations}

    async def catalogue_claimed_elsewhere(self, project: Project) -> dict[str, str]:
        """R8 [interp], as store/repositories.py: new-construction items another live, submitted project claims."""
        claimed: dict[str, str] = {}
        codes = {item.code for item in project.catalogue if item.new_construction}
        for other in sorted(self._store.projects.values(), key=lambda p: p.code or ""):
            if other.id == project.id or other.code is None or other.status is Status.TERMINATED:
                continue
            for item in other.catalogue:
                if item.new_construction and item.code in codes:
                    claimed.setdefault(item.code, other.code)
        return claimed

    def add_review(self, review: ReserveReview) -> None:
        self._store.reviews.append(review)


class FakePlanRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def call(self, pk: int, *, for_update: bool = False) -> PlanCall:
        call: PlanCall = _get(self._store.calls, "PlanCall", pk)
        return call

    async def call_for_year(self, year: int) -> PlanCall | None:
        return next((c for c in self._store.calls.values() if c.year == year), None)

    async def entry(self, pk: int, *, for_update: bool = False) -> PlanEntry:
        entry: PlanEntry = _get(self._store.entries, "PlanEntry", pk)
        return entry

    async def entries(self, ids: list[int]) -> dict[int, PlanEntry]:
        return {pk: self._store.entries[pk] for pk in ids if pk in self._store.entries}

    async def find_entry(self, call_id: int, project_id: int, kind: EntryKind) -> PlanEntry | None:
        return next(
            (
                e
                for e in self._store.entries.values()
                if (e.call_id, e.project_id, e.kind) == (call_id, project_id, kind)
            ),
            None,
        )

    async def plan(self, pk: int, *, for_update: bool = False) -> AnnualPlan:
        plan: AnnualPlan = _get(self._store.plans, "AnnualPlan", pk)
        return plan

    async def plans_of_year(self, year: int, *, for_update: bool = False) -> list[AnnualPlan]:
        return sorted((p for p in self._store.plans.values() if p.year == year), key=lambda p: p.revision)

    async def lock_year(self, year: int) -> None:
        """One use case at a time here: nothing to wait for."""

    async def entry_in_plan(self, entry_id: int) -> bool:
        return any(
            item.entry_id == entry_id
            for plan in self._store.plans.values()
            if plan.status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
            for item in plan.items
        )

    async def mid_year(self, pk: int, *, for_update: bool = False) -> MidYearRequest:
        request: MidYearRequest = _get(self._store.mid_year, "MidYearRequest", pk)
        return request

    async def mid_year_pending(self, project_id: int) -> bool:
        return any(
            r.project_id == project_id and r.status not in (MidYearStatus.APPROVED, MidYearStatus.REJECTED)
            for r in self._store.mid_year.values()
        )

    async def projects(self, ids: set[int]) -> dict[int, Project]:
        return {pk: self._store.projects[pk] for pk in sorted(ids) if pk in self._store.projects}

    def add(self, obj: PlanCall | PlanEntry | AnnualPlan | MidYearRequest) -> None:
        pk = obj.id if obj.id is not None else self._store.new_id()
        obj.id = pk
        if isinstance(obj, PlanCall):
            self._store.calls[pk] = obj
        elif isinstance(obj, PlanEntry):
            self._store.entries[pk] = obj
        elif isinstance(obj, AnnualPlan):
            self._store.plans[pk] = obj
        else:
            self._store.mid_year[pk] = obj


class FakeDocumentRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, pk: int) -> ApprovalDocument:
        for project in self._store.projects.values():
            for document in project.documents:
                if document.id == pk:
                    found: ApprovalDocument = document
                    return found
        raise NotFound("ApprovalDocument", pk)

    async def attach(self, document: ApprovalDocument, uploads: Sequence[Upload]) -> None:
        self._store.attachments += [("ApprovalDocument", document.id, u.filename, u.data) for u in uploads]


class FakeConstructionRepository:
    """Art. 14–22 records as the mapped domain objects, one list per kind in the store; the aggregates are
    gathered from them as store/construction_repositories.py gathers them from the tables."""

    def __init__(self, store: Store, actor: Actor) -> None:
        self._store = store
        self._actor = actor

    def add(self, record: ConstructionRecord) -> None:
        for name in ("recorded_by_user_id", "submitted_by_user_id"):
            if hasattr(record, name) and getattr(record, name) is None:
                setattr(record, name, self._actor.user_id)
        record.id = record.id if record.id is not None else self._store.new_id()
        self._store.records.append(record)

    def _of(self, cls: type[T], project_id: int) -> list[T]:
        return [r for r in self._store.records if r.project_id == project_id and isinstance(r, cls)]

    def _one(self, cls: type[T], pk: int) -> T:
        for record in self._store.records:
            if record.id == pk and isinstance(record, cls):
                return record
        raise NotFound(cls.__name__, pk)

    async def implementation(self, project_id: int) -> Implementation:
        return Implementation(
            project_id=project_id,
            contracts=self._of(Contract, project_id),
            changes=self._of(ChangeRequest, project_id),
            figure_versions=sorted(self._of(FigureVersion, project_id), key=lambda v: v.version),
            progress=sorted(self._of(ProgressReport, project_id), key=lambda r: r.period_number),
        )

    async def reported_periods(self, project_id: int) -> set[int]:
        return (await self.implementation(project_id)).reported_periods

    async def acceptance(self, project_id: int) -> Acceptance:
        return Acceptance(project_id, self._of(AcceptanceEvent, project_id))

    async def contract(self, pk: int) -> Contract:
        return self._one(Contract, pk)

    async def change(self, pk: int, *, for_update: bool = False) -> ChangeRequest:
        return self._one(ChangeRequest, pk)

    async def disbursed(self, project_id: int) -> Decimal:
        return sum((d.amount for d in self._of(Disbursement, project_id)), Decimal(0))

    async def post_evaluation(self, pk: int, *, for_update: bool = False) -> PostEvaluation:
        return self._one(PostEvaluation, pk)


class FakeSupervisionRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def inspection(self, pk: int, *, for_update: bool = False) -> Inspection:
        inspection: Inspection = _get(self._store.inspections, "Inspection", pk)
        return inspection

    async def report(self, pk: int, *, for_update: bool = False) -> RectificationReport:
        report: RectificationReport = _get(self._store.reports, "RectificationReport", pk)
        return report

    async def info_request(self, pk: int, *, for_update: bool = False) -> InfoRequest:
        request: InfoRequest = _get(self._store.info_requests, "InfoRequest", pk)
        return request

    async def inspections_of(self, project_id: int) -> list[Inspection]:
        return [i for i in self._store.inspections.values() if i.project_id == project_id]

    async def reports_of(
        self, *, inspection_id: int | None = None, project_id: int | None = None
    ) -> list[RectificationReport]:
        return [
            r
            for r in self._store.reports.values()
            if (r.inspection_id == inspection_id if inspection_id else r.project_id == project_id)
        ]

    def add(self, obj: Inspection | RectificationReport | InfoRequest) -> None:
        pk = obj.id if obj.id is not None else self._store.new_id()
        obj.id = pk
        if isinstance(obj, Inspection):
            self._store.inspections[pk] = obj
        elif isinstance(obj, RectificationReport):
            self._store.reports[pk] = obj
        else:
            self._store.info_requests[pk] = obj

    async def attach(self, report: RectificationReport, uploads: Sequence[Upload]) -> None:
        self._store.attachments += [("RectificationReport", report.id, u.filename, u.data) for u in uploads]


class FakeAcceptanceFileRepository:
    """R19.2, R19.4, R21.2: acceptance reports kept in the store's attachments, hashed as they are now."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def attach_report(self, project_id: int, kind: AcceptanceReport, upload: Upload) -> int:
        pk = self._store.new_id()
        self._store.acceptance_reports.append((pk, project_id, kind, upload.sha256, upload.data))
        return pk

    async def reports(self, project_id: int) -> Sequence[StoredReport]:
        return [
            StoredReport(kind, pk, sha, hashlib.sha256(data).hexdigest())
            for pk, owner, kind, sha, data in self._store.acceptance_reports
            if owner == project_id
        ]


class FakeUnitOfWork:
    """One use case's transaction in memory: commit keeps its changes and audit records, leaving without
    commit puts back the store as it was on entry."""

    def __init__(self, store: Store, *, actor: Actor, now: datetime) -> None:
        self.store = store
        self.actor = actor
        self.clock = now
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        self._saved = copy.deepcopy(self.store)
        self._audit: list[AuditRecord] = []
        self.projects = FakeProjectRepository(self.store)
        self.plans = FakePlanRepository(self.store)
        self.documents = FakeDocumentRepository(self.store)
        self.construction = FakeConstructionRepository(self.store, self.actor)
        self.supervision = FakeSupervisionRepository(self.store)
        self.acceptance_files = FakeAcceptanceFileRepository(self.store)
        self._committed = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self._committed:
            # Restore in place: the caller's FakeUnitOfWork and its store stay the same objects.
            self.store.__dict__.update(self._saved.__dict__)

    def now(self) -> datetime:
        return self.clock

    def advance(self, *, days: int) -> None:
        """Move this unit of work's clock (the next use case sees a later `now`)."""
        self.clock += timedelta(days=days)

    async def flush(self) -> None:
        """Give new objects their ids, as the database does on flush."""
        for project in self.projects.pending:
            project.id = self.store.new_id()
            self.store.projects[project.id] = project
        self.projects.pending.clear()
        for pk, project in self.store.projects.items():
            children: list[Participant | CatalogueItem | ApprovalDocument] = [
                *project.participants,
                *project.catalogue,
                *project.documents,
            ]
            for child in children:
                child.project_id = pk
                child.id = child.id if child.id is not None else self.store.new_id()
        for review in self.store.reviews:
            review.id = review.id if review.id is not None else self.store.new_id()

    async def commit(self) -> None:
        await self.flush()
        self.store.audit += self._audit
        self._audit = []
        self._committed = True
        self.commits += 1

    def record(
        self,
        operation: str,
        target_type: str,
        target_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self._audit.append(AuditRecord(operation, self.actor.username, target_type, target_id, before, after))


if TYPE_CHECKING:

    def _implements_the_port(uow: FakeUnitOfWork) -> UnitOfWork:
        return uow  # mypy proves here that the fake is a UnitOfWork, as store/uow.py does for the SQL one
