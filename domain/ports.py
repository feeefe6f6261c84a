"""What the use cases need from the outside world, as protocols: storage, authorization, time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from domain.actors import Actor
from domain.projects import Project
from domain.reserve import ReserveReview


class Gate(Protocol):
    """The authorization decision for one operation, applied to the object once it is loaded."""

    operation: str

    def check(self, project: Project) -> None:
        """Raise Forbidden or NotFound when the actor may not perform the operation on this project."""


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


class UnitOfWork(Protocol):
    """One transaction: everything a use case writes, with its audit record, commits or none of it does."""

    actor: Actor
    projects: ProjectRepository

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
