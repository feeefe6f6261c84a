"""Steps of Art. 13–22 over HTTP, shared by the construction, acceptance, funds and evaluation tests."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import jwt

from domain.actors import Actor
from domain.calendar_math import add_months
from domain.clock import CHINA
from tests.api.plan_helpers import planned_project
from tests.utils import Agencies, Api, session_token

ERR = "userErrors { code rule article field message }"
LIFECYCLE_AGENCIES = ("unit", "bdb", "finance", "government", "crypto", "evaluator")
R12 = {
    "dataCatalogue": "信息资源目录12项",
    "sharingList": "共享清单8项",
    "sharingProcess": "按需申请",
    "sharingInterfaces": "共享交换平台接口",
    "sharingFrequency": "每日",
    "productSecurityStatement": "国产化产品",
    "securityPlan": "等保三级",
    "cryptoApplicationPlan": "商用密码应用方案",
}

IMPL = (
    "project { id status version approvedInvestment classified operationStartedOn } "
    "contracts { id winningBidder supervisionFirm amount method regime operationMaintenance } "
    "changeRequests { id route rule status adjustedFunds newTotalInvestment } "
    "approvedFigureVersions { version approvedInvestment note changeRequestId } "
    "progressReports { periodNumber periodStart periodEnd physicalProgress fundsSpent } "
    "progressQuarters { number dueOn submitted overdue } "
    "acceptance { initialPassedOn windowOpensOn windowClosesOn extendedUntil rectificationDeadline "
    "requiredReports filingPending } "
    "acceptanceEvents { kind date passed reports deadline } "
    "disbursements { kind amount paidOn } disbursedTotal resourceAllocations { resources } "
    "selfEvaluations { summary deliveredTo submittedOn } selfEvaluationWindow "
    "postEvaluations { id score grade findings completedAt }"
)
GET_IMPL = f"query($id: ID!) {{ projectImplementation(projectId: $id) {{ {IMPL} }} }}"
CONTRACT = (
    "mutation($i: ContractRecordInput!) { contractRecord(input: $i) { contract { id winningBidder amount } "
    f"project {{ id status }} {ERR} }} }}"
)
OM_CONTRACT = (
    "mutation($i: ContractRecordInput!) { omProcurementRecord(input: $i) { contract { id "
    f"operationMaintenance }} project {{ id status }} {ERR} }} }}"
)
ASSIGN = f"mutation($i: ContractAssignInput!) {{ contractAssign(input: $i) {{ contract {{ id }} {ERR} }} }}"
CLASSIFY = (
    "query($i: ChangeRequestInput!) { changeRequestClassify(input: $i) { classification { route rule article "
    f"explanation approvedTotal filedAdjustments cumulativeAdjusted filingLimit cumulativeShare }} {ERR} }} }}"
)
CHANGE = (
    "mutation($i: ChangeRequestInput!) { changeRequestFile(input: $i) { changeRequest { id route rule status } "
    f"classification {{ route rule }} implementation {{ {IMPL} }} {ERR} }} }}"
)
DECIDE_CHANGE = (
    "mutation($i: ChangeRequestDecideInput!) { changeRequestDecide(input: $i) { changeRequest { id status }"
    f" implementation {{ {IMPL} }} {ERR} }} }}"
)


def _impl_mutation(name: str, input_type: str) -> str:
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ implementation {{ {IMPL} }} {ERR} }} }}"


PROGRESS = _impl_mutation("progressReportSubmit", "ProgressReportSubmitInput")
INITIAL = _impl_mutation("acceptanceInitialRecord", "AcceptanceInitialRecordInput")
EXTEND = _impl_mutation("acceptanceExtensionRecord", "AcceptanceExtensionRecordInput")
APPLY = _impl_mutation("acceptanceApply", "AcceptanceApplyInput")
DECIDE = _impl_mutation("acceptanceDecide", "AcceptanceDecideInput")
FILE_REPORT = _impl_mutation("acceptanceReportFile", "AcceptanceFilingInput")
ACKNOWLEDGE = _impl_mutation("acceptanceFilingAcknowledge", "AcceptanceFilingInput")
DISBURSE = _impl_mutation("disbursementRecord", "DisbursementRecordInput")
ALLOCATE = _impl_mutation("dataCentreResourceAllocate", "DataCentreResourceAllocateInput")
SELF_EVALUATE = _impl_mutation("selfEvaluationSubmit", "SelfEvaluationSubmitInput")
COMMISSION = (
    "mutation($i: PostEvaluationCommissionInput!) { postEvaluationCommission(input: $i) { postEvaluation { id "
    f"completedAt }} {ERR} }} }}"
)
POST_RESULT = (
    "mutation($i: PostEvaluationResultFileInput!) { postEvaluationResultFile(input: $i) { postEvaluation { "
    f"id score grade findings completedAt }} {ERR} }} }}"
)

FACTS = (
    "mutation($i: ProjectApprovalFactsUpdateInput!) { projectApprovalFactsUpdate(input: $i) { project { id } "
    f"{ERR} }} }}"
)
DOC_SUBMIT = (
    "mutation($i: ApprovalDocumentSubmitInput!) { approvalDocumentSubmit(input: $i) { document { id } "
    f"{ERR} }} }}"
)
DOC_ASSIGN = (
    "mutation($i: ApprovalDocumentAssignEvaluatorInput!) { approvalDocumentAssignEvaluator(input: $i) { "
    f"document {{ id }} {ERR} }} }}"
)
DOC_EVALUATE = (
    "mutation($i: ApprovalDocumentEvaluateInput!) { approvalDocumentEvaluate(input: $i) { document { id } "
    f"{ERR} }} }}"
)
DOC_CRYPTO = (
    "mutation($i: ApprovalDocumentCryptoReviewInput!) { approvalDocumentCryptoReview(input: $i) { document "
    f"{{ id }} {ERR} }} }}"
)
DOC_APPROVE = (
    "mutation($i: ApprovalDocumentApproveInput!) { approvalDocumentApprove(input: $i) { project { id status "
    f"approvalDate approvedInvestment }} {ERR} }} }}"
)
ALL_REPORTS = [
    "CONSTRUCTION_SUMMARY",
    "FINANCIAL_REPORT",
    "SUPERVISION_REPORT",
    "MLPS_EVALUATION",
    "CRYPTO_EVALUATION",
]


UPLOAD_REPORT = (
    "mutation($i: AcceptanceReportUploadInput!) { acceptanceReportUpload(input: $i) { reportFile { report "
    f"file {{ id filename sha256 size downloadUrl }} }} {ERR} }} }}"
)
REPORT_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<<>>\n%%EOF\n"


async def upload_report(
    api: Api, a: Agencies, project_id: str, report: str, data: bytes = REPORT_PDF, role: str = "unit"
) -> dict[str, Any]:
    """Upload one acceptance report (GraphQL multipart request) and return the payload."""
    body = await upload_report_response(api, a, project_id, report, data, role)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["acceptanceReportUpload"]
    return payload


async def upload_report_response(
    api: Api, a: Agencies, project_id: str, report: str, data: bytes = REPORT_PDF, role: str = "unit"
) -> dict[str, Any]:
    """The whole GraphQL response to one acceptance-report upload."""
    operations = {"query": UPLOAD_REPORT, "variables": {"i": {"projectId": project_id, "report": report}}}
    operations["variables"]["i"]["file"] = None
    response = await api.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.i.file"]})},
        files={"0": (f"{report.lower()}.pdf", data, "application/pdf")},
        headers={"Authorization": f"Bearer {a.token[role]}", "GraphQL-Preflight": "1"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def upload_reports(api: Api, a: Agencies, project_id: str, reports: list[str]) -> None:
    """Upload each named acceptance report (R19.2, R19.4, R21.2) before the step that needs it."""
    for report in reports:
        ok(await upload_report(api, a, project_id, report))


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def approve_document(
    api: Api, a: Agencies, project_id: str, kind: str, amount: str, approval_date: str
) -> dict[str, Any]:
    """Submit, evaluate, crypto-review and approve one approval document."""
    content = R12 if kind != "PROPOSAL" else {}
    doc = ok(
        (
            await api.data(
                DOC_SUBMIT,
                {"i": {"projectId": project_id, "type": kind, "requestedInvestment": amount, **content}},
                token=a.token["unit"],
            )
        )["approvalDocumentSubmit"]
    )
    doc_id = doc["document"]["id"]
    ok(
        (
            await api.data(
                DOC_ASSIGN,
                {
                    "i": {
                        "documentId": doc_id,
                        "evaluatorOrganizationId": a.gid("evaluator"),
                        "selectionMethod": "COMPETITIVE_CONSULTATION",
                        "selectionReference": "YKCG-2026-031",
                    }
                },
                token=a.token["bdb"],
            )
        )["approvalDocumentAssignEvaluator"]
    )
    ok(
        (
            await api.data(
                DOC_EVALUATE,
                {
                    "i": {
                        "documentId": doc_id,
                        "conclusion": "RECOMMENDED",
                        "opinion": "方案可行",
                        "recommendedInvestment": amount,
                    }
                },
                token=a.token["evaluator"],
            )
        )["approvalDocumentEvaluate"]
    )
    ok(
        (
            await api.data(
                DOC_CRYPTO,
                {"i": {"documentId": doc_id, "passed": True, "opinion": "合规"}},
                token=a.token["crypto"],
            )
        )["approvalDocumentCryptoReview"]
    )
    return ok(
        (
            await api.data(
                DOC_APPROVE,
                {
                    "i": {
                        "documentId": doc_id,
                        "approvalNumber": "营数据审〔2026〕8号",
                        "approvalDate": approval_date,
                        "approvedInvestment": amount,
                    }
                },
                token=a.token["bdb"],
            )
        )["approvalDocumentApprove"]
    )["project"]


async def approved_project(
    api: Api, a: Agencies, amount: str = "3000000.00", approval_date: str = "2026-03-02", **fields: Any
) -> dict[str, Any]:
    """A project in an approved annual plan whose preliminary design is approved — by the urgent path (R11.2),
    the shortest one, so the many tests that start here stay fast (test_project_life takes the full path)."""
    project, _ = await planned_project(api, a, **fields)
    ok(
        (
            await api.data(
                FACTS,
                {"i": {"projectId": project["id"], "urgentLegalBasis": "市政府专题会议纪要〔2026〕5号"}},
                token=a.token["unit"],
            )
        )["projectApprovalFactsUpdate"]
    )
    approved = await approve_document(api, a, project["id"], "PRELIMINARY_DESIGN", amount, approval_date)
    assert approved["status"] == "APPROVED", approved
    return approved


def contract_input(project_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "legalPerson": "营口市教育局",
        "regime": "GOVERNMENT_PROCUREMENT",
        "method": "PUBLIC_TENDER",
        "procurementReference": "YKZC-2026-0412",
        "winningBidder": "辽宁数字科技有限公司",
        "supervisionFirm": "营口信达工程监理有限公司",
        "contractNumber": "YKJY-HT-2026-015",
        "amount": "2850000.00",
        "signedOn": "2026-03-02",
    } | overrides


async def under_construction(api: Api, a: Agencies, **fields: Any) -> dict[str, Any]:
    project = await approved_project(api, a, **fields)
    ok(
        (await api.data(CONTRACT, {"i": contract_input(project["id"])}, token=a.token["unit"]))[
            "contractRecord"
        ]
    )
    return project


# The `settings` fixture's token secret (tests/conftest.py): a mismatch shows at once as UNAUTHENTICATED.
TEST_SECRET = "test-secret-" + "x" * 40


async def relogin(api: Api, a: Agencies, now: datetime) -> None:
    """Tokens last 60 minutes of fake time: after moving the clock, give every agency a fresh token for the
    same user — minted directly, because an argon2 login per role and per move would dominate the tests."""
    for role, token in a.token.items():
        user_id = int(jwt.decode(token, options={"verify_signature": False})["sub"])
        actor = Actor(user_id=user_id, organization_id=a.org[role], role=role, username=f"user.{role}")
        a.token[role] = await session_token(api, actor, secret=TEST_SECRET, now=now)


async def move_to(api: Api, a: Agencies, clock: Any, day: date, at: time = time(10, 0)) -> None:
    """Set the fake clock to a legal day in Yingkou (10:00 local) and sign in again."""
    clock.now = datetime.combine(day, at, tzinfo=CHINA)
    await relogin(api, a, clock.now)


def shift(clock: Any, **delta: float) -> None:
    clock.now += timedelta(**delta)


async def implementation(api: Api, a: Agencies, project_id: str, role: str = "unit") -> dict[str, Any]:
    return (await api.data(GET_IMPL, {"id": project_id}, token=a.token[role]))["projectImplementation"]


async def mutate(api: Api, a: Agencies, query: str, role: str, values: dict[str, Any]) -> dict[str, Any]:
    """Run one mutation as an agency and return its payload (the only field of data)."""
    data = await api.data(query, {"i": values}, token=a.token[role])
    return next(iter(data.values()))


async def in_trial_operation(
    api: Api, a: Agencies, clock: Any, passed_on: date, **fields: Any
) -> dict[str, Any]:
    """A project under construction whose initial acceptance passed on `passed_on` (clock moved there)."""
    project = await under_construction(api, a, **fields)
    await move_to(api, a, clock, passed_on)
    await upload_reports(api, a, project["id"], ["INITIAL_ACCEPTANCE"])
    ok(
        await mutate(
            api,
            a,
            INITIAL,
            "unit",
            {"projectId": project["id"], "date": passed_on.isoformat(), "passed": True},
        )
    )
    return project


async def accepted_project(
    api: Api, a: Agencies, clock: Any, passed_on: date = date(2026, 4, 1), **fields: Any
) -> dict[str, Any]:
    """A project that passed its completion acceptance (applied on the first day of the window)."""
    project = await in_trial_operation(api, a, clock, passed_on, **fields)
    await move_to(api, a, clock, add_months(passed_on, 3))
    await upload_reports(api, a, project["id"], ALL_REPORTS)
    ok(await mutate(api, a, APPLY, "unit", {"projectId": project["id"]}))
    ok(
        await mutate(
            api, a, DECIDE, "bdb", {"projectId": project["id"], "passed": True, "opinion": "验收合格"}
        )
    )
    return project


async def filed_project(
    api: Api, a: Agencies, clock: Any, passed_on: date = date(2026, 4, 1), **fields: Any
) -> dict[str, Any]:
    """A project filed and in operation from the day its completion acceptance passed."""
    project = await accepted_project(api, a, clock, passed_on, **fields)
    await upload_reports(api, a, project["id"], ["COMPLETION_ACCEPTANCE"])
    ok(await mutate(api, a, FILE_REPORT, "unit", {"projectId": project["id"], "note": "验收报告"}))
    ok(await mutate(api, a, ACKNOWLEDGE, "bdb", {"projectId": project["id"]}))
    return project
