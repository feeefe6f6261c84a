"""What the use cases need from the outside world, as protocols: storage, authorization, time.

`store/uow.py` (`SqlUnitOfWork`) implements them on PostgreSQL and `tests/fakes.py` (`FakeUnitOfWork`) in
memory; mypy checks both against these protocols, so a repository method a use case calls is declared here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from domain.acceptance import Acceptance, AcceptanceEvent, AcceptanceReport
from domain.acceptance_files import StoredReport
from domain.activation import FoundActivation, Purpose
from domain.actors import Actor
from domain.approval_documents import ApprovalDocument
from domain.changes import ChangeRequest, FigureVersion
from domain.evaluation import PostEvaluation, SelfEvaluation
from domain.funds import Disbursement, ResourceAllocation
from domain.implementation import Contract, Implementation
from domain.mid_year import MidYearRequest
from domain.plans import AnnualPlan, EntryKind, PlanCall, PlanEntry
from domain.progress import ProgressReport
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


ConstructionRecord = (
    Contract
    | ChangeRequest
    | FigureVersion
    | ProgressReport
    | AcceptanceEvent
    | Disbursement
    | ResourceAllocation
    | SelfEvaluation
    | PostEvaluation
)


class ConstructionRepository(Protocol):
    """Art. 14–22: the implementation (contracts, changes, figures, progress) and acceptance aggregates, and
    the records of funds and evaluation. `add` stores a new record (its id is set at the next flush, and its
    recording user is the actor's when it names none); a loaded record changed in place is saved with it."""

    def add(self, record: ConstructionRecord) -> None: ...

    async def implementation(self, project_id: int) -> Implementation: ...

    async def reported_periods(self, project_id: int) -> set[int]:
        """`implementation(project_id).reported_periods`, without loading the rest of the aggregate."""
        ...

    async def acceptance(self, project_id: int) -> Acceptance: ...

    async def contract(self, pk: int) -> Contract: ...

    async def change(self, pk: int, *, for_update: bool = False) -> ChangeRequest: ...

    async def disbursed(self, project_id: int) -> Decimal: ...

    async def post_evaluation(self, pk: int, *, for_update: bool = False) -> PostEvaluation: ...


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


class AdminRepository(Protocol):
    """Organizations, users and integrator API tokens, as the administration use cases need them."""

    async def organization_name_taken(self, name: str) -> bool: ...

    async def add_organization(self, *, name: str, type: str, district: str | None) -> int: ...

    async def organization_type(self, organization_id: int) -> str | None:
        """None when there is no such organization."""
        ...

    async def username_taken(self, username: str) -> bool: ...

    async def add_user(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str | None,
        organization_id: int,
        is_admin: bool,
    ) -> int:
        """password_hash None: the person sets it with an activation token (issue 13.4a)."""
        ...

    async def add_activation(
        self,
        *,
        user_id: int,
        token_hash: str,
        purpose: Purpose,
        issued_by: str,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        """Store a one-time activation token's hash; every older unused token of the user becomes void."""
        ...

    async def lock_activation(self, token_hash: str) -> FoundActivation | None:
        """The activation token with this hash, its row locked until commit (its user's is not); None if none."""
        ...

    async def spend_activation(self, activation_id: int, *, at: datetime) -> None:
        """Mark the activation token used: it never sets a password again."""
        ...

    async def add_api_token(
        self,
        *,
        name: str,
        prefix: str,
        token_hash: str,
        organization_id: int,
        created_by: int | None,
        expires_at: datetime | None,
    ) -> int: ...

    async def api_token_revoked_at(self, token_id: int) -> datetime | None:
        """When the token was revoked (None: it is live), locked until commit; NotFound if there is none."""
        ...

    async def revoke_api_token(self, token_id: int, at: datetime) -> None: ...

    async def lock_user(self, user_id: int) -> str:
        """The user's username, the row locked until commit; NotFound if there is no such user."""
        ...

    async def set_password_hash(self, user_id: int, password_hash: str | None) -> None:
        """None voids the password: only an activation token sets the next one (issue 13.4a)."""
        ...

    async def end_sessions(self, user_id: int, *, at: datetime, reason: str) -> list[int]:
        """End every open session of the user (every API process drops them once this commits); their ids."""
        ...


class Credentials(Protocol):
    """Password hashing, the guessable-password list and token minting: libraries the domain does not import."""

    def hash_password(self, password: str) -> str: ...

    def is_guessable(self, password: str, *, username: str) -> bool: ...

    def new_api_token(self) -> tuple[str, str, str]:
        """(the token shown once, its display prefix, its stored hash)."""
        ...

    def new_activation_token(self) -> tuple[str, str]:
        """(the one-time activation token shown once, its stored hash)."""
        ...


class SecurityLog(Protocol):
    """Security events (issue 13), each written at once on its own connection: a rollback keeps them."""

    async def record(
        self, kind: str, *, at: datetime, username: str, user_id: int | None, detail: dict[str, Any]
    ) -> None:
        """Write one event of that kind (a name such as `PASSWORD_RESET`); a failure to write never refuses."""
        ...


class AcceptanceFileRepository(Protocol):
    """R19.2, R19.4, R21.2: the acceptance reports of a project, as uploaded files."""

    async def attach_report(self, project_id: int, kind: AcceptanceReport, upload: Upload) -> int:
        """Store the file as the project's latest report of that kind; its attachment id."""

    async def reports(self, project_id: int) -> Sequence[StoredReport]:
        """Every uploaded report of the project, with the SHA-256 of its stored bytes as they are now."""


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

    @property
    def acceptance_files(self) -> AcceptanceFileRepository: ...

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


class AdminUnitOfWork(UnitOfWork, Protocol):
    """The unit of work of the administration use cases: the common one plus organizations and users."""

    @property
    def admin(self) -> AdminRepository: ...

    @property
    def actor(self) -> Actor: ...

    @actor.setter
    def actor(self, actor: Actor) -> None:
        """accountActivate's caller is anonymous until the token names its user, who then acts (and is audited)."""
