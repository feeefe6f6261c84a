"""Art. 21 over HTTP: finance's disbursements never exceed the approved investment; the remaining funds
and data-centre resources wait for the acceptance filing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from domain.clock import legal_date
from store import construction_tables
from tests.api.lifecycle_helpers import (
    ACKNOWLEDGE,
    ALLOCATE,
    DISBURSE,
    FILE_REPORT,
    LIFECYCLE_AGENCIES,
    accepted_project,
    codes,
    mutate,
    ok,
    relogin,
    under_construction,
    upload_reports,
)
from tests.utils import error_codes, make_agencies


def _pay(project_id: str, kind: str, amount: str, paid_on: str = "2026-03-02") -> dict[str, str]:
    return {"projectId": project_id, "kind": kind, "amount": amount, "paidOn": paid_on}


async def test_R21_disbursements_never_exceed_the_approved_investment_and_only_finance_records_them(
    api, session_factory
):
    # given a project under construction approved at 3,000,000.00 with 2,000,000.00 paid
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    ok(await mutate(api, a, DISBURSE, "finance", _pay(project["id"], "ADVANCE", "2000000.00")))
    # when finance pays 1,000,000.01 more, then exactly 1,000,000.00 as a progress payment; bdb tries to pay
    above = await mutate(api, a, DISBURSE, "finance", _pay(project["id"], "PROGRESS", "1000000.01"))
    exactly = ok(await mutate(api, a, DISBURSE, "finance", _pay(project["id"], "PROGRESS", "1000000.00")))
    by_bdb = await api.gql(DISBURSE, {"i": _pay(project["id"], "PROGRESS", "1.00")}, token=a.token["bdb"])
    # then only the amount within the approved investment is recorded
    assert codes(above) == ["DISBURSEMENT_ABOVE_APPROVED"]
    assert exactly["implementation"]["disbursedTotal"] == "3000000.00"
    assert error_codes(by_bdb) == ["FORBIDDEN"]
    async with session_factory() as session:
        assert (
            await session.execute(select(func.count()).select_from(construction_tables.disbursements))
        ).scalar_one() == 2


async def test_R21_a_final_disbursement_one_second_before_filing_is_refused_and_allowed_once_filed(
    api, session_factory, clock
):
    # given an accepted project whose unit filed its acceptance report, bdb acknowledging at 10:00:00
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await accepted_project(api, a, clock)
    await upload_reports(api, a, project["id"], ["COMPLETION_ACCEPTANCE"])
    ok(await mutate(api, a, FILE_REPORT, "unit", {"projectId": project["id"]}))
    filing_at = clock.now + timedelta(hours=1)
    today = legal_date(filing_at).isoformat()  # the remaining funds are paid on the filing day (R21.1)
    # when finance pays the remaining funds and bdb allocates resources one second before the filing
    clock.now = filing_at - timedelta(seconds=1)
    await relogin(api, a, clock.now)
    early_pay = await mutate(api, a, DISBURSE, "finance", _pay(project["id"], "FINAL", "100000.00", today))
    early_resources = await mutate(
        api, a, ALLOCATE, "bdb", {"projectId": project["id"], "resources": "8 vCPU"}
    )
    clock.now = filing_at
    ok(await mutate(api, a, ACKNOWLEDGE, "bdb", {"projectId": project["id"]}))
    paid = await mutate(api, a, DISBURSE, "finance", _pay(project["id"], "FINAL", "100000.00", today))
    allocated = await mutate(
        api, a, ALLOCATE, "bdb", {"projectId": project["id"], "resources": "8 vCPU / 32 GB"}
    )
    # then both wait for the filing (R21) and go through once it is acknowledged
    assert (
        codes(early_pay) == ["FINAL_PAYMENT_BEFORE_FILING"]
        and early_pay["userErrors"][0]["article"] == "第二十一条"
    )
    assert codes(early_resources) == ["RESOURCES_BEFORE_FILING"]
    assert paid["userErrors"] == [] and paid["implementation"]["disbursements"][0]["kind"] == "FINAL"
    assert allocated["implementation"]["resourceAllocations"] == [{"resources": "8 vCPU / 32 GB"}]


async def test_disbursement_details_are_read_by_finance_bdb_audit_and_the_owner_only(api, session_factory):
    # given a project under construction with one payment
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES, "cac", "audit")
    project = await under_construction(api, a)
    ok(await mutate(api, a, DISBURSE, "finance", _pay(project["id"], "ADVANCE", "2000000.00")))
    query = "query($id: ID!) { projectImplementation(projectId: $id) { disbursements { amount } disbursedTotal } }"
    # when each agency reads the implementation record
    bodies = {
        role: await api.gql(query, {"id": project["id"]}, token=a.token[role])
        for role in ("finance", "bdb", "audit", "unit", "cac")
    }
    # then the four may read the details; the Cyberspace office gets null and a FORBIDDEN error for each field
    for role in ("finance", "bdb", "audit", "unit"):
        assert bodies[role]["data"]["projectImplementation"]["disbursedTotal"] == "2000000.00", role
    denied = bodies["cac"]
    assert denied["data"]["projectImplementation"] == {"disbursements": None, "disbursedTotal": None}
    assert error_codes(denied) == ["FORBIDDEN", "FORBIDDEN"]
