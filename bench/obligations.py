"""The obligations calendar is derived on every read: how long deriving it takes for many projects."""

from __future__ import annotations

import time
from datetime import date, timedelta

from domain.obligations import ProjectFacts, Rectification
from domain.services.obligations import calendar, notices


def _facts(n: int) -> list[ProjectFacts]:
    start = date(2024, 1, 1)
    return [
        ProjectFacts(
            project_id=i,
            organization_id=i % 40,
            approval_date=start + timedelta(days=i % 700),
            progress_reports=frozenset(range(1, i % 6)),
            rectifications=(
                Rectification(
                    inspection_id=i, ordered_on=date(2026, 1, 5), deadline=date(2026, 4, 30), done=i % 3 == 0
                ),
            ),
        )
        for i in range(n)
    ]


def main() -> None:
    today = date(2026, 6, 1)
    for n in (1_000, 10_000):
        facts = _facts(n)
        began = time.perf_counter()
        items = calendar(facts, today)
        derived = time.perf_counter() - began
        began = time.perf_counter()
        earned = notices(facts, today)
        noticed = time.perf_counter() - began
        print(
            f"{n:>6} projects: {len(items):>6} obligations derived in {derived * 1000:7.1f} ms; "
            f"{len(earned):>6} notices earned in {noticed * 1000:7.1f} ms"
        )
