"""What the use cases need from the outside world, as protocols: storage, authorization, time.

`store/uow.py` (`SqlUnitOfWork`) implements them on PostgreSQL and `tests/fakes.py` (`FakeUnitOfWork`) in
memory; mypy checks both against these protocols, so a repository method a use case calls is declared here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from domain.actors import Actor
from domain.approval_documents import ApprovalDocument
from domain.mid_year import MidYearRequest
from domain.plans import AnnualPlan, EntryKind, PlanCall, PlanEntry
from domain.projects import Project
from domain.reserve import ReserveReview
from domain.supervision import InfoRequest, Inspection, RectificationReport


class Assignment(Protocol):
    """What the `assigned` scope looks at: the organization entrusted with a document or evaluation."""

    @property
    def evaluator_organization_id(self) -> int | None: ...


class Gate(Protocol):
    """The authorization decision for one operation, applied to the object once it is loaded."""

    @property
    def operation(self) -> str: ...

    def check(self, project: Project, document: Assignment | None = None) -> None:
        """Raise Forbidden or NotFound when the actor may not perform the operation on this project
        (`document`: for a step on one entrusted document, whose assigned evaluator is the one that counts)."""


class Upload(Protocol):
    """A file as received and already checked (type by content, size): what a repository attaches."""

    @property
    def filename(self) -> str: ...

    @property
    def content_type(self) -> str: ...

    @property
    def data(self) -> bytes:
        """The whole content: read only when it is stored (until then it stays spooled on disk)."""
        ...

    @property
    def size(self) -> int: ...

    @property
    def label(self) -> str: ...

    @property
    def sha256(self) -> str: ...


class Row(Protocol):
    """A stored Art. 14–22 record read by column name (the store hands back its driver's row mappings);
    values are of their column's type, so they stay `Any` to the use case."""

    def __getitem__(self, key: str, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...


class ProjectRepository(Protocol):
    async def get(self, project_id: int, *, for_update: bool = False) -> Project: ...

    def add(self, project: Project) -> None: ...

    async def take_code_number(self, year: int, project_id: int) -> int:
        """The lowest free number of the year's project codes, taken for the project. Codes have no gaps: a
        number goes back to the free ones if the use case does not commit. Use cases do not wait for each
        other's commits (except, once per block of numbers, for the one adding the block)."""
        ...

    async def organization_types(self, ids: list[int]) -> dict[int, str]: ...

    async def catalogue_claimed_elsewhere(self, project: Project) -> dict[str, str]: ...

    def add_review(self, review: ReserveReview) -> None: ...


class PlanRepository(Protocol):
    """Art. 9–10: calls, entries, annual plan revisions and mid-year requests."""

    async def call(self, pk: int, *, for_update: bool = False) -> PlanCall: ...

    async def call_for_year(self, year: int) -> PlanCall | None: ...

    async def entry(self, pk: int, *, for_update: bool = False) -> PlanEntry: ...

    async def entries(self, ids: list[int]) -> dict[int, PlanEntry]: ...

    async def find_entry(self, call_id: int, project_id: int, kind: EntryKind) -> PlanEntry | None:
        """The entry of this call, project and kind, locked for a resubmission."""
        ...

    async def plan(self, pk: int, *, for_update: bool = False) -> AnnualPlan: ...

    async def plans_of_year(self, year: int, *, for_update: bool = False) -> list[AnnualPlan]: ...

    async def lock_year(self, year: int) -> None:
        """Plans of one year change one at a time (compile, approve, mid-year additions)."""
        ...

    async def entry_in_plan(self, entry_id: int) -> bool:
        """Whether the entry is listed in a revision sent to, or approved by, the government."""
        ...

    async def mid_year(self, pk: int, *, for_update: bool = False) -> MidYearRequest: ...

    async def mid_year_pending(self, project_id: int) -> bool: ...

    async def projects(self, ids: set[int]) -> dict[int, Project]:
        """The projects a plan change touches, locked in id order."""
        ...

    def add(self, obj: PlanCall | PlanEntry | AnnualPlan | MidYearRequest) -> None: ...


class DocumentRepository(Protocol):
    """Art. 11–13: approval documents (their aggregate is the project) and their files."""

    async def get(self, pk: int) -> ApprovalDocument: ...

    async def attach(self, document: ApprovalDocument, uploads: Sequence[Upload]) -> None: ...


class ConstructionRepository(Protocol):
    """Art. 14–22 records: contracts, changes, progress, acceptance, funds, evaluations. Each `add_*` takes
    the column values and returns the new record's id."""

    async def add_contract(self, values: dict[str, Any]) -> int: ...

    async def contract(self, pk: int) -> Row: ...

    async def contracts(self, project_id: int) -> Sequence[Row]: ...

    async def add_change(self, values: dict[str, Any]) -> int: ...

    async def change(self, pk: int, *, for_update: bool = False) -> Row: ...

    async def decide_change(self, pk: int, values: dict[str, Any]) -> None: ...

    async def filed_adjustments(self, project_id: int) -> Decimal:
        """R17: the sum of the project's filed fund adjustments."""
        ...

    async def pending_change(self, project_id: int) -> bool: ...

    async def figure_versions(self, project_id: int) -> Sequence[Row]: ...

    async def add_figure_version(self, values: dict[str, Any]) -> int: ...

    async def add_progress(self, values: dict[str, Any]) -> int: ...

    async def progress(self, project_id: int) -> Sequence[Row]: ...

    async def add_event(self, values: dict[str, Any]) -> int: ...

    async def events(self, project_id: int) -> Sequence[Row]: ...

    async def add_disbursement(self, values: dict[str, Any]) -> int: ...

    async def disbursed(self, project_id: int) -> Decimal: ...

    async def add_allocation(self, values: dict[str, Any]) -> int: ...

    async def add_self_evaluation(self, values: dict[str, Any]) -> int: ...

    async def add_post_evaluation(self, values: dict[str, Any]) -> int: ...

    async def post_evaluation(self, pk: int, *, for_update: bool = False) -> Row: ...

    async def complete_post_evaluation(self, pk: int, values: dict[str, Any]) -> None: ...


class SupervisionRepository(Protocol):
    """Art. 23–24: inspections, rectification reports (with files) and information requests."""

    async def inspection(self, pk: int, *, for_update: bool = False) -> Inspection: ...

    async def report(self, pk: int, *, for_update: bool = False) -> RectificationReport: ...

    async def info_request(self, pk: int, *, for_update: bool = False) -> InfoRequest: ...

    async def inspections_of(self, project_id: int) -> list[Inspection]: ...

    async def reports_of(
        self, *, inspection_id: int | None = None, project_id: int | None = None
    ) -> list[RectificationReport]: ...

    def add(self, obj: Inspection | RectificationReport | InfoRequest) -> None: ...

    async def attach(self, report: RectificationReport, uploads: Sequence[Upload]) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: everything a use case writes, with its audit record, commits or none of it does."""

    # Read-only properties, not attributes: an implementation may hold a subtype (its own repository class).
    @property
    def actor(self) -> Actor: ...

    @property
    def projects(self) -> ProjectRepository: ...

    @property
    def plans(self) -> PlanRepository: ...

    @property
    def documents(self) -> DocumentRepository: ...

    @property
    def construction(self) -> ConstructionRepository: ...

    @property
    def supervision(self) -> SupervisionRepository: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    def now(self) -> datetime: ...

    async def flush(self) -> None: ...

    async def commit(self) -> None: ...

    def record(
        self,
        operation: str,
        target_type: str,
        target_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None: ...
