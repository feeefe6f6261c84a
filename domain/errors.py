"""One hierarchy for every refusal the domain makes; each violation cites its rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.rules import RuleId


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule or bad input: machine code, rule id, input path and a message in both languages."""

    code: str
    zh: str
    en: str
    rule: RuleId | None = None
    field: tuple[str, ...] = ()


class DomainError(Exception):
    """A refused use case. It carries every violation found, so the caller can show them all at once."""

    def __init__(self, violations: Iterable[Violation]) -> None:
        self.violations = tuple(violations)
        if not self.violations:
            raise ValueError("a DomainError needs at least one violation")
        super().__init__("; ".join(v.code for v in self.violations))


def refuse(
    code: str, zh: str, en: str, *, rule: RuleId | None = None, field: tuple[str, ...] = ()
) -> DomainError:
    """Build a DomainError with a single violation (raise it at the call site)."""
    return DomainError([Violation(code=code, zh=zh, en=en, rule=rule, field=field)])


class NotFound(Exception):
    """The object does not exist — or the actor may not know that it does."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class Forbidden(Exception):
    """The actor's role does not give it this power over this object."""

    def __init__(self, operation: str) -> None:
        super().__init__(operation)
        self.operation = operation


def version_conflict(expected: int, actual: int) -> DomainError:
    """The client edited a stale copy: someone else changed the object first."""
    return refuse(
        "VERSION_CONFLICT",
        f"该项目已被他人修改（当前版本 {actual}，您提交的版本 {expected}），请刷新后重试。",
        f"The project was changed by someone else (current version {actual}, yours {expected}); "
        "reload and try again.",
        field=("input", "expectedVersion"),
    )
