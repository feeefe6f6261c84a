"""The calendar over many projects: filtering for dashboards, and the notices the worker sends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.obligations import NoticeKind, Obligation, ObligationState, ProjectFacts, notices_due, obligations


@dataclass(frozen=True)
class ObligationFilter:
    organization_id: int | None = None
    state: ObligationState | None = None
    due_before: date | None = None  # inclusive: "due on or before"
    rule: str | None = None

    def keeps(self, o: Obligation) -> bool:
        return (
            (self.organization_id is None or o.organization_id == self.organization_id)
            and (self.state is None or o.state is self.state)
            and (self.due_before is None or o.due_on <= self.due_before)
            and (self.rule is None or o.rule == self.rule or o.rule.split(".")[0] == self.rule)
        )


def calendar(
    facts: Iterable[ProjectFacts], today: date, wanted: ObligationFilter = ObligationFilter()
) -> list[Obligation]:
    """Every matching obligation of these projects, by due date then key."""
    found = [o for f in facts for o in obligations(f, today) if wanted.keeps(o)]
    return sorted(found, key=lambda o: (o.due_on, o.key))


def notices(facts: Iterable[ProjectFacts], today: date) -> list[tuple[Obligation, NoticeKind]]:
    """Every (obligation, notice) earned by today; sending each once is the store's unique key's job."""
    return [(o, kind) for f in facts for o in obligations(f, today) for kind in notices_due(o, today)]
