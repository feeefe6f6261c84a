"""The demo data tells a story the chronology accepts, and shows Art. 23: a rectification ordered and
answered, and a project suspended after a rejected rectification."""

from __future__ import annotations

from sqlalchemy import select

from api.cli.demo import seed_demo
from domain.clock import legal_date
from store import approval_tables, construction_tables, supervision_tables, tables


async def test_the_demo_states_no_date_before_what_the_system_recorded_and_shows_art_23(
    session_factory, clock
):
    # given a fresh database / when the demo is loaded through the use cases (every chronology rule applies)
    assert await seed_demo(session_factory, clock)
    async with session_factory() as session:
        docs = (
            await session.execute(
                select(approval_tables.approval_documents).where(
                    approval_tables.approval_documents.c.approval_date.is_not(None)
                )
            )
        ).all()
        projects = {r.id: r for r in (await session.execute(select(tables.projects))).all()}
        contracts = (await session.execute(select(construction_tables.contracts))).all()
        inspections = (await session.execute(select(supervision_tables.inspections))).all()
        reports = (await session.execute(select(supervision_tables.rectification_reports))).all()
    # then every approval follows its document's recorded steps, every contract its project's approval
    assert docs and contracts
    for d in docs:
        recorded = [d.submitted_at, d.evaluated_at, d.crypto_reviewed_at]
        assert all(d.approval_date >= legal_date(t) for t in recorded if t is not None), d
    for c in contracts:
        assert projects[c.project_id].approval_date <= c.signed_on <= legal_date(c.recorded_at)
    # and Art. 23 is shown: one order answered and waiting for review, one rejected and the project suspended
    by_status = {i.status: i for i in inspections}
    assert set(by_status) == {"RECTIFICATION_ORDERED"}
    assert sorted(r.status for r in reports) == ["PENDING", "REJECTED"]
    suspended = [p.name for p in projects.values() if p.status == "SUSPENDED"]
    assert suspended == ["大石桥市政务外网安全防护与密码应用改造"]
