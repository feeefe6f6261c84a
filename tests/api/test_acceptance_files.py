"""R19.2, R19.4, R21.2 over HTTP: the acceptance reports are uploaded files with SHA-256, each present and
intact before the step that needs it, downloaded with the approval documents' read permission."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import func, select, update

from store import approval_tables, construction_tables
from tests.api.lifecycle_helpers import (
    ALL_REPORTS,
    APPLY,
    FILE_REPORT,
    INITIAL,
    LIFECYCLE_AGENCIES,
    REPORT_PDF,
    UPLOAD_REPORT,
    accepted_project,
    codes,
    in_trial_operation,
    move_to,
    mutate,
    ok,
    under_construction,
    upload_report,
    upload_report_response,
    upload_reports,
)
from tests.utils import make_agencies

PASSED_ON = date(2026, 4, 1)
REPORTS_QUERY = (
    "query($id: ID!) { projectImplementation(projectId: $id) { acceptanceReportFiles { report "
    "file { id filename sha256 size downloadUrl } } } }"
)


async def _count(session_factory, table) -> int:
    async with session_factory() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def _alter_stored_file(session_factory, attachment_gid_sha: str) -> None:
    """Change the stored bytes behind an attachment (what a tampered storage would hold: the owner role, as the
    runtime role may not update stored files)."""
    a, b = approval_tables.attachments, approval_tables.file_blobs
    async with session_factory() as session, session.begin():
        blob_id = (
            await session.execute(select(a.c.blob_id).where(a.c.sha256 == attachment_gid_sha))
        ).scalar()
        await session.execute(update(b).where(b.c.id == blob_id).values(content=REPORT_PDF + b"%altered\n"))


def _errors(payload) -> list[tuple[str, str, str]]:
    return [(e["code"], e["rule"], e["article"]) for e in payload["userErrors"]]


async def test_R19_4_a_passed_initial_acceptance_needs_its_uploaded_report_a_failed_one_does_not(
    api, session_factory, clock
):
    # given a project under construction with no acceptance report uploaded
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    initial = {"projectId": project["id"], "date": "2026-03-02"}
    # when the unit records a passed initial acceptance, a failed one, then uploads the report and passes
    without = await mutate(api, a, INITIAL, "unit", initial | {"passed": True})
    events_after_refusal = await _count(session_factory, construction_tables.acceptance_events)
    failed = await mutate(api, a, INITIAL, "unit", initial | {"passed": False})
    uploaded = ok(await upload_report(api, a, project["id"], "INITIAL_ACCEPTANCE"))
    passed = await mutate(api, a, INITIAL, "unit", initial | {"passed": True})
    # then the passed one is refused citing R19.4 and nothing is written; once uploaded it is recorded
    assert _errors(without) == [("INITIAL_ACCEPTANCE_REPORT_MISSING", "R19.4", "第十九条")]
    assert without["userErrors"][0]["field"] == ["input", "reports", "INITIAL_ACCEPTANCE"]
    assert events_after_refusal == 0
    assert failed["userErrors"] == []
    stored = uploaded["reportFile"]["file"]
    assert stored["sha256"] == hashlib.sha256(REPORT_PDF).hexdigest() and stored["size"] == len(REPORT_PDF)
    assert passed["userErrors"] == [] and passed["implementation"]["project"]["status"] == "TRIAL_OPERATION"


async def test_R19_2_an_application_counts_uploaded_files_and_refuses_one_altered_in_storage(
    api, session_factory, clock, owner_session_factory
):
    # given a project in its window with the five reports uploaded, the 密评 report then altered in storage
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await in_trial_operation(api, a, clock, PASSED_ON)
    await move_to(api, a, clock, date(2026, 7, 1))
    await upload_reports(api, a, project["id"], ALL_REPORTS[:-1])
    crypto = ok(await upload_report(api, a, project["id"], "CRYPTO_EVALUATION", REPORT_PDF + b"%crypto\n"))
    await _alter_stored_file(owner_session_factory, crypto["reportFile"]["file"]["sha256"])
    # when the unit applies, uploads the 密评 report again and applies again
    altered = await mutate(api, a, APPLY, "unit", {"projectId": project["id"]})
    ok(await upload_report(api, a, project["id"], "CRYPTO_EVALUATION", REPORT_PDF + b"%crypto v2\n"))
    applied = await mutate(api, a, APPLY, "unit", {"projectId": project["id"]})
    # then the altered file is refused as altered (R19.2), nothing else; the fresh upload counts
    assert _errors(altered) == [("ACCEPTANCE_REPORT_ALTERED", "R19.2", "第十九条")]
    assert altered["userErrors"][0]["field"] == ["input", "reports", "CRYPTO_EVALUATION"]
    assert applied["userErrors"] == []
    assert applied["implementation"]["project"]["status"] == "ACCEPTANCE_REVIEW"


async def test_R19_2_the_declared_report_list_no_longer_stands_in_for_the_files(api, session_factory, clock):
    # given a project in its window with no report uploaded
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await in_trial_operation(api, a, clock, PASSED_ON)
    await move_to(api, a, clock, date(2026, 7, 1))
    # when the unit declares the five reports without uploading them
    declared = await mutate(api, a, APPLY, "unit", {"projectId": project["id"], "reports": ALL_REPORTS})
    # then each of the five is missing
    assert codes(declared) == ["MISSING_ACCEPTANCE_REPORT"] * 5
    assert [e["field"][-1] for e in declared["userErrors"]] == ALL_REPORTS


async def test_R21_2_filing_needs_the_uploaded_completion_acceptance_report(
    api, session_factory, clock, owner_session_factory
):
    # given a project that passed its completion acceptance
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await accepted_project(api, a, clock)
    pid = {"projectId": project["id"]}
    # when the unit files without the report, then with a report altered in storage, then with a fresh one
    missing = await mutate(api, a, FILE_REPORT, "unit", pid)
    report = ok(await upload_report(api, a, project["id"], "COMPLETION_ACCEPTANCE", REPORT_PDF + b"%v1\n"))
    await _alter_stored_file(owner_session_factory, report["reportFile"]["file"]["sha256"])
    altered = await mutate(api, a, FILE_REPORT, "unit", pid)
    ok(await upload_report(api, a, project["id"], "COMPLETION_ACCEPTANCE", REPORT_PDF + b"%v2\n"))
    filed = await mutate(api, a, FILE_REPORT, "unit", pid)
    # then the first two are refused citing R21.2 and the third is filed
    assert _errors(missing) == [("COMPLETION_ACCEPTANCE_REPORT_MISSING", "R21.2", "第二十一条")]
    assert _errors(altered) == [("ACCEPTANCE_REPORT_ALTERED", "R21.2", "第二十一条")]
    assert filed["userErrors"] == []
    assert filed["implementation"]["acceptance"]["filingPending"] is True


async def test_R19_4_uploads_are_checked_by_content_by_role_and_by_state(api, session_factory, clock):
    # given a project in trial operation whose application is under bdb's review
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await in_trial_operation(api, a, clock, PASSED_ON)
    blobs_before = await _count(session_factory, approval_tables.file_blobs)
    # when the unit uploads an executable named .pdf, bdb uploads a report, and the unit uploads under review
    disguised = await upload_report(api, a, project["id"], "FINANCIAL_REPORT", b"MZ\x90\x00 not a pdf")
    by_bdb = await upload_report_response(api, a, project["id"], "FINANCIAL_REPORT", role="bdb")
    no_file = await api.data(
        UPLOAD_REPORT,
        {"i": {"projectId": project["id"], "report": "FINANCIAL_REPORT"}},
        token=a.token["unit"],
    )
    await move_to(api, a, clock, date(2026, 7, 1))
    await upload_reports(api, a, project["id"], ALL_REPORTS)
    ok(await mutate(api, a, APPLY, "unit", {"projectId": project["id"]}))
    under_review = await upload_report(api, a, project["id"], "FINANCIAL_REPORT")
    # then the disguised file and the upload under review are refused and neither is stored
    assert [(e["code"], e["field"]) for e in disguised["userErrors"]] == [
        ("FILE_TYPE_NOT_ALLOWED", ["input", "file"])
    ]
    assert [(e["code"], e["field"]) for e in no_file["acceptanceReportUpload"]["userErrors"]] == [
        ("FILE_REQUIRED", ["input", "file"])
    ]
    assert _errors(under_review) == [("WRONG_STATE", "R19.4", "第十九条")]
    assert await _count(session_factory, approval_tables.file_blobs) == blobs_before + len(ALL_REPORTS)
    assert [e["extensions"]["code"] for e in by_bdb["errors"]] == ["FORBIDDEN"]


async def test_acceptance_reports_are_listed_and_downloaded_like_approval_documents(
    api, client, session_factory, clock
):
    # given a project whose initial-acceptance report is uploaded, and another unit
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES, "unit2")
    project = await under_construction(api, a)
    uploaded = ok(await upload_report(api, a, project["id"], "INITIAL_ACCEPTANCE"))["reportFile"]
    url = uploaded["file"]["downloadUrl"]
    # when the unit, bdb and the other unit list and download it
    listed = {
        role: (await api.gql(REPORTS_QUERY, {"id": project["id"]}, token=a.token[role]))
        for role in ("unit", "bdb", "unit2")
    }
    downloads = {
        role: await client.get(url, headers={"Authorization": f"Bearer {a.token[role]}"})
        for role in ("unit", "bdb", "unit2")
    }
    # then the lead unit and bdb get the bytes with their SHA-256; the other unit learns nothing
    files = listed["unit"]["data"]["projectImplementation"]["acceptanceReportFiles"]
    assert [(f["report"], f["file"]["sha256"]) for f in files] == [
        ("INITIAL_ACCEPTANCE", hashlib.sha256(REPORT_PDF).hexdigest())
    ]
    assert listed["bdb"]["data"]["projectImplementation"]["acceptanceReportFiles"] == files
    for role in ("unit", "bdb"):
        assert downloads[role].status_code == 200 and downloads[role].content == REPORT_PDF
        assert downloads[role].headers["x-content-sha256"] == hashlib.sha256(REPORT_PDF).hexdigest()
    assert downloads["unit2"].status_code == 404
