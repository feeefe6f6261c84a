"""Art. 11–13 over HTTP: the approval path, R12 parts, evaluator, crypto review, approval, attachments."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from store import approval_tables, tables
from tests.api.plan_helpers import planned_project, reserve_project
from tests.utils import Agencies, Api, error_codes, make_agencies

ERR = "userErrors { code rule article field message }"
DOC = (
    "id type version status pathRule requestedInvestment returnReason "
    "evaluation { selectionMethod conclusion recommendedInvestment organization { name } } "
    "cryptoReview { passed } approval { number date approvedInvestment } "
    "attachments { filename contentType size sha256 downloadUrl }"
)
PROJECT = (
    "id status approvalDate approvedInvestment mayStartConstruction "
    "nextApprovalStep { document rule article reason } allowedApprovalSteps { document rule }"
)
SUBMIT = f"mutation($i: ApprovalDocumentSubmitInput!) {{ approvalDocumentSubmit(input: $i) {{ document {{ {DOC} }} project {{ {PROJECT} }} {ERR} }} }}"
ASSIGN = f"mutation($i: ApprovalDocumentAssignEvaluatorInput!) {{ approvalDocumentAssignEvaluator(input: $i) {{ document {{ {DOC} }} {ERR} }} }}"
EVALUATE = f"mutation($i: ApprovalDocumentEvaluateInput!) {{ approvalDocumentEvaluate(input: $i) {{ document {{ {DOC} }} {ERR} }} }}"
CRYPTO = f"mutation($i: ApprovalDocumentCryptoReviewInput!) {{ approvalDocumentCryptoReview(input: $i) {{ document {{ {DOC} }} {ERR} }} }}"
APPROVE = f"mutation($i: ApprovalDocumentApproveInput!) {{ approvalDocumentApprove(input: $i) {{ document {{ {DOC} }} project {{ {PROJECT} }} {ERR} }} }}"
RETURN = f"mutation($i: ApprovalDocumentReturnInput!) {{ approvalDocumentReturn(input: $i) {{ document {{ {DOC} }} {ERR} }} }}"
FACTS = f"mutation($i: ProjectApprovalFactsUpdateInput!) {{ projectApprovalFactsUpdate(input: $i) {{ project {{ {PROJECT} }} {ERR} }} }}"
GET = f"query($id: ID!) {{ project(id: $id) {{ {PROJECT} approvalDocuments {{ id type status }} }} }}"
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
AGENCIES = ("unit", "bdb", "finance", "government", "crypto", "evaluator")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def _submit(
    api: Api, a: Agencies, project_id: str, kind: str, amount: str = "3000000.00", **extra: Any
) -> dict[str, Any]:
    content = R12 if kind != "PROPOSAL" else {}
    return (
        await api.data(
            SUBMIT,
            {"i": {"projectId": project_id, "type": kind, "requestedInvestment": amount, **content, **extra}},
            token=a.token["unit"],
        )
    )["approvalDocumentSubmit"]


async def _approve(
    api: Api, a: Agencies, document_id: str, amount: str = "3000000.00", **extra: Any
) -> dict[str, Any]:
    return (
        await api.data(
            APPROVE,
            {
                "i": {
                    "documentId": document_id,
                    "approvalNumber": "营数据审〔2026〕8号",
                    "approvalDate": "2026-03-02",
                    "approvedInvestment": amount,
                    **extra,
                }
            },
            token=a.token["bdb"],
        )
    )["approvalDocumentApprove"]


async def _evaluate_and_review(api: Api, a: Agencies, document_id: str) -> None:
    assigned = (
        await api.data(
            ASSIGN,
            {
                "i": {
                    "documentId": document_id,
                    "evaluatorOrganizationId": a.gid("evaluator"),
                    "selectionMethod": "COMPETITIVE_CONSULTATION",
                    "selectionReference": "YKCG-2026-031",
                }
            },
            token=a.token["bdb"],
        )
    )["approvalDocumentAssignEvaluator"]
    assert assigned["userErrors"] == [], assigned
    evaluated = (
        await api.data(
            EVALUATE,
            {
                "i": {
                    "documentId": document_id,
                    "conclusion": "RECOMMENDED",
                    "opinion": "方案可行",
                    "recommendedInvestment": "2900000.00",
                }
            },
            token=a.token["evaluator"],
        )
    )["approvalDocumentEvaluate"]
    assert evaluated["userErrors"] == [], evaluated
    reviewed = (
        await api.data(
            CRYPTO,
            {"i": {"documentId": document_id, "passed": True, "opinion": "合规"}},
            token=a.token["crypto"],
        )
    )["approvalDocumentCryptoReview"]
    assert reviewed["userErrors"] == [], reviewed


async def test_R11_0_full_path_proposal_feasibility_design_makes_the_project_approved(api, session_factory):
    # given a project in an approved annual plan (which alone would allow R11.1)
    a = await make_agencies(api, session_factory, *AGENCIES)
    project, _ = await planned_project(api, a)
    # when the unit follows the default path, starting with the proposal anyway
    proposal = await _submit(api, a, project["id"], "PROPOSAL")
    approved_proposal = await _approve(api, a, proposal["document"]["id"])
    feasibility = await _submit(api, a, project["id"], "FEASIBILITY_STUDY")
    await _evaluate_and_review(api, a, feasibility["document"]["id"])
    approved_fs = await _approve(api, a, feasibility["document"]["id"], "2900000.00")
    design = await _submit(api, a, project["id"], "PRELIMINARY_DESIGN", "2900000.00")
    await _evaluate_and_review(api, a, design["document"]["id"])
    approved_pd = await _approve(api, a, design["document"]["id"], "2880000.00")
    # then each step was the one allowed, and the project is approved on the design's approval date
    assert proposal["document"]["pathRule"] == "R11.0"
    assert approved_proposal["project"]["nextApprovalStep"]["document"] == "FEASIBILITY_STUDY"
    assert approved_fs["project"]["nextApprovalStep"] == {
        "document": "PRELIMINARY_DESIGN",
        "rule": "R11.0",
        "article": "第十一条",
        "reason": "可行性研究报告已批复，编报初步设计。",
    }
    final = approved_pd["project"]
    assert approved_pd["document"]["approval"] == {
        "number": "营数据审〔2026〕8号",
        "date": "2026-03-02",
        "approvedInvestment": "2880000.00",
    }
    assert final["status"] == "APPROVED" and final["approvalDate"] == "2026-03-02"
    assert final["approvedInvestment"] == "2880000.00" and final["nextApprovalStep"] is None
    assert final["mayStartConstruction"] is True
    async with session_factory() as session:
        ops = (
            await session.execute(
                select(tables.audit_log.c.operation, tables.audit_log.c.actor_role)
                .where(tables.audit_log.c.target_type == "ApprovalDocument")
                .order_by(tables.audit_log.c.id)
            )
        ).all()
        project_ops = (
            (
                await session.execute(
                    select(tables.audit_log.c.operation)
                    .where(tables.audit_log.c.target_type == "Project")
                    .order_by(tables.audit_log.c.id)
                )
            )
            .scalars()
            .all()
        )
    assert [tuple(r) for r in ops][-5:] == [
        ("approval-document:submit", "unit"),
        ("approval-document:assign-evaluator", "bdb"),
        ("approval-document:evaluate", "evaluator"),
        ("approval-document:crypto-review", "crypto"),
        ("approval-document:approve", "bdb"),
    ]
    assert project_ops[-1] == "approval-document:approve"  # the project's own record of becoming APPROVED


async def _after_proposal(api: Api, a: Agencies, amount: str) -> dict[str, Any]:
    project = await reserve_project(api, a, totalInvestment=amount)
    proposal = await _submit(api, a, project["id"], "PROPOSAL", amount)
    return (await _approve(api, a, proposal["document"]["id"], amount))["project"]


async def test_R11_3_boundaries_of_two_million(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "bdb")
    below, exactly, above = [
        await _after_proposal(api, a, amount) for amount in ("1999999.99", "2000000.00", "2000000.01")
    ]

    assert below["nextApprovalStep"]["document"] == "PRELIMINARY_DESIGN"
    assert [s["rule"] for s in exactly["allowedApprovalSteps"]] == ["R11.3", "R11.0"]
    assert above["allowedApprovalSteps"] == [{"document": "FEASIBILITY_STUDY", "rule": "R11.0"}]
    refused = await _submit(api, a, above["id"], "PRELIMINARY_DESIGN", "2000000.01")
    assert [(e["code"], e["rule"]) for e in refused["userErrors"]] == [("APPROVAL_STEP_NOT_ALLOWED", "R11.3")]
    allowed = await _submit(api, a, exactly["id"], "PRELIMINARY_DESIGN", "2000000.00")
    assert allowed["userErrors"] == [] and allowed["document"]["pathRule"] == "R11.3"


async def test_R11_forbidden_shortcuts_and_the_facts_that_open_them(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a)
    # a reserve project outside any plan may not start at the feasibility study or the design
    for kind in ("FEASIBILITY_STUDY", "PRELIMINARY_DESIGN"):
        refused = await _submit(api, a, project["id"], kind)
        assert [(e["code"], e["rule"], e["article"]) for e in refused["userErrors"]] == [
            ("APPROVAL_STEP_NOT_ALLOWED", "R11.0", "第十一条")
        ]
    # R11.1: listed in a municipal plan → feasibility study first; R11.2: urgent with its legal basis → design
    listed = (
        await api.data(
            FACTS,
            {"i": {"projectId": project["id"], "listedPlanReference": "营口市数字政府建设规划"}},
            token=a.token["unit"],
        )
    )["projectApprovalFactsUpdate"]["project"]
    urgent = (
        await api.data(
            FACTS,
            {"i": {"projectId": project["id"], "urgentLegalBasis": "省防汛应急规定第5条"}},
            token=a.token["unit"],
        )
    )["projectApprovalFactsUpdate"]["project"]
    assert listed["nextApprovalStep"]["rule"] == "R11.1"
    assert [s["rule"] for s in urgent["allowedApprovalSteps"]] == ["R11.2", "R11.1", "R11.0"]
    design = await _submit(api, a, project["id"], "PRELIMINARY_DESIGN")
    assert design["userErrors"] == [] and design["document"]["pathRule"] == "R11.2"


async def test_R12_every_missing_part_is_named_and_nothing_is_written(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a)
    await api.data(
        FACTS, {"i": {"projectId": project["id"], "listedPlanReference": "规划"}}, token=a.token["unit"]
    )

    refused = (
        await api.data(
            SUBMIT,
            {
                "i": {
                    "projectId": project["id"],
                    "type": "FEASIBILITY_STUDY",
                    "requestedInvestment": "1.00",
                    "purchasesServices": True,
                    **{k: v for k, v in R12.items() if k != "securityPlan"},
                    "dataCatalogue": " ",
                }
            },
            token=a.token["unit"],
        )
    )["approvalDocumentSubmit"]

    assert [(e["code"], e["rule"], e["field"][-1]) for e in refused["userErrors"]] == [
        ("R12_PART_MISSING", "R12", "dataCatalogue"),
        ("R12_PART_MISSING", "R12", "securityPlan"),
        ("R12_PART_MISSING", "R12", "selfBuildVsPurchase"),
    ]
    async with session_factory() as session:
        assert (await session.execute(select(approval_tables.approval_documents.c.id))).first() is None


async def test_R13_only_the_assigned_evaluator_sees_and_evaluates_the_document(api, session_factory):
    a = await make_agencies(api, session_factory, *AGENCIES, "evaluator2")
    project = await reserve_project(api, a)
    await api.data(
        FACTS, {"i": {"projectId": project["id"], "listedPlanReference": "规划"}}, token=a.token["unit"]
    )
    document = (await _submit(api, a, project["id"], "FEASIBILITY_STUDY"))["document"]
    await api.data(
        ASSIGN,
        {
            "i": {
                "documentId": document["id"],
                "evaluatorOrganizationId": a.gid("evaluator"),
                "selectionMethod": "PUBLIC_TENDER",
                "selectionReference": "YKCG-2026-001",
            }
        },
        token=a.token["bdb"],
    )
    query = f"query($id: ID!) {{ approvalDocument(id: $id) {{ {DOC} }} }}"

    mine = await api.data(query, {"id": document["id"]}, token=a.token["evaluator"])
    theirs = await api.gql(query, {"id": document["id"]}, token=a.token["evaluator2"])
    listed = await api.data("{ approvalDocuments(first: 10) { totalCount } }", token=a.token["evaluator2"])
    evaluate = await api.gql(
        EVALUATE,
        {
            "i": {
                "documentId": document["id"],
                "conclusion": "RECOMMENDED",
                "opinion": "可行",
                "recommendedInvestment": "1.00",
            }
        },
        token=a.token["evaluator2"],
    )

    assert mine["approvalDocument"]["evaluation"]["selectionMethod"] == "PUBLIC_TENDER"
    assert error_codes(theirs) == ["NOT_FOUND"] and listed["approvalDocuments"]["totalCount"] == 0
    assert error_codes(evaluate) == ["NOT_FOUND"]


async def test_R13_finance_cannot_approve_and_bdb_cannot_before_the_crypto_review(api, session_factory):
    a = await make_agencies(api, session_factory, *AGENCIES)
    project = await reserve_project(api, a)
    await api.data(
        FACTS, {"i": {"projectId": project["id"], "listedPlanReference": "规划"}}, token=a.token["unit"]
    )
    document = (await _submit(api, a, project["id"], "FEASIBILITY_STUDY"))["document"]
    await api.data(
        ASSIGN,
        {
            "i": {
                "documentId": document["id"],
                "evaluatorOrganizationId": a.gid("evaluator"),
                "selectionMethod": "INQUIRY",
                "selectionReference": "YKCG-2026-002",
            }
        },
        token=a.token["bdb"],
    )
    await api.data(
        EVALUATE,
        {
            "i": {
                "documentId": document["id"],
                "conclusion": "RECOMMENDED",
                "opinion": "可行",
                "recommendedInvestment": "2900000.00",
            }
        },
        token=a.token["evaluator"],
    )
    variables = {
        "i": {
            "documentId": document["id"],
            "approvalNumber": "营数据审〔2026〕9号",
            "approvalDate": "2026-03-02",
            "approvedInvestment": "2900000.00",
        }
    }

    by_finance = await api.gql(APPROVE, variables, token=a.token["finance"])
    too_early = (await api.data(APPROVE, variables, token=a.token["bdb"]))["approvalDocumentApprove"]
    await api.data(
        CRYPTO,
        {"i": {"documentId": document["id"], "passed": True, "opinion": "合规"}},
        token=a.token["crypto"],
    )
    above = (
        await api.data(
            APPROVE,
            variables | {"i": variables["i"] | {"approvedInvestment": "3000000.01"}},
            token=a.token["bdb"],
        )
    )["approvalDocumentApprove"]
    ok = (await api.data(APPROVE, variables, token=a.token["bdb"]))["approvalDocumentApprove"]

    assert error_codes(by_finance) == ["FORBIDDEN"]
    assert [(e["code"], e["rule"]) for e in too_early["userErrors"]] == [("CRYPTO_REVIEW_REQUIRED", "R13.2")]
    assert [e["code"] for e in above["userErrors"]] == ["APPROVED_ABOVE_REQUEST"]
    assert ok["userErrors"] == [] and ok["document"]["status"] == "APPROVED"


async def test_a_returned_document_is_resubmitted_as_a_new_version(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a)
    first = (await _submit(api, a, project["id"], "PROPOSAL"))["document"]

    returned = (
        await api.data(
            RETURN, {"i": {"documentId": first["id"], "reason": "补充建设必要性分析"}}, token=a.token["bdb"]
        )
    )["approvalDocumentReturn"]
    second = (await _submit(api, a, project["id"], "PROPOSAL"))["document"]

    assert returned["document"]["status"] == "RETURNED"
    assert returned["document"]["returnReason"] == "补充建设必要性分析"
    assert (second["version"], second["status"]) == (2, "SUBMITTED")


def _multipart(
    query: str, variables: dict[str, Any], files: dict[str, tuple[str, bytes, str]]
) -> dict[str, Any]:
    """The GraphQL multipart request spec: operations, map, then the files."""
    mapping = {str(i): [path] for i, path in enumerate(files)}
    return {
        "data": {
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps(mapping),
        },
        "files": {str(i): f for i, f in enumerate(files.values())},
    }


async def test_attachments_are_checked_by_content_stored_with_sha256_and_downloaded_with_authorisation(
    api, client, session_factory
):
    a = await make_agencies(api, session_factory, "unit", "bdb", "unit2")
    project = await reserve_project(api, a)
    variables = {
        "i": {
            "projectId": project["id"],
            "type": "PROPOSAL",
            "requestedInvestment": "1.00",
            "attachments": [{"label": "项目建议书正文", "file": None}],
        }
    }
    headers = {"Authorization": f"Bearer {a.token['unit']}", "GraphQL-Preflight": "1"}

    disguised = await client.post(
        "/graphql",
        headers=headers,
        **_multipart(
            SUBMIT,
            variables,
            {"variables.i.attachments.0.file": ("建议书.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        ),
    )
    good = await client.post(
        "/graphql",
        headers=headers,
        **_multipart(
            SUBMIT,
            variables,
            {"variables.i.attachments.0.file": ("建议书.pdf", PDF, "application/octet-stream")},
        ),
    )

    refused = disguised.json()["data"]["approvalDocumentSubmit"]
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("FILE_TYPE_NOT_ALLOWED", ["input", "attachments", "0", "file"])
    ]
    attachment = good.json()["data"]["approvalDocumentSubmit"]["document"]["attachments"][0]
    assert attachment["contentType"] == "application/pdf" and attachment["size"] == len(PDF)
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    download = await client.get(attachment["downloadUrl"], headers=headers)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert (
        await client.get(attachment["downloadUrl"], headers={"Authorization": f"Bearer {a.token['unit2']}"})
    ).status_code == 404
    assert (await client.get(attachment["downloadUrl"])).status_code == 401


async def test_R22_the_units_post_evaluation_history_is_shown_to_bdb_beside_a_new_application(
    api, session_factory
):
    a = await make_agencies(api, session_factory, "unit", "bdb")
    earlier = await reserve_project(api, a, name="已建成项目")
    project = await reserve_project(api, a)
    async with session_factory() as session, session.begin():
        from api.graphql.common import from_global_id

        earlier_pk = from_global_id(earlier["id"])[1]
        await session.execute(
            insert(approval_tables.post_evaluations).values(
                project_id=earlier_pk,
                unit_organization_id=a.org["unit"],
                score=86.5,
                grade="良好",
                findings="数据共享成效明显",
                completed_at=datetime(2026, 1, 5, tzinfo=UTC),
            )
        )
        # a commissioned post-evaluation without a result yet is not history
        await session.execute(
            insert(approval_tables.post_evaluations).values(
                project_id=earlier_pk, unit_organization_id=a.org["unit"]
            )
        )
    document = (await _submit(api, a, project["id"], "PROPOSAL"))["document"]
    query = (
        "query($id: ID!) { approvalDocument(id: $id) { unitPostEvaluations { projectName score grade } } }"
    )

    for_bdb = await api.data(query, {"id": document["id"]}, token=a.token["bdb"])
    for_unit = await api.gql(query, {"id": document["id"]}, token=a.token["unit"])

    assert for_bdb["approvalDocument"]["unitPostEvaluations"] == [
        {"projectName": "已建成项目", "score": "86.50", "grade": "良好"}
    ]
    assert error_codes(for_unit) == ["FORBIDDEN"]


async def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_written(
    api, session_factory, engine, clock
):
    # given an API configured with a 1 MB limit
    import httpx

    from api.app import create_app
    from api.settings import Settings

    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a)
    app = create_app(
        Settings(token_secret="test-secret-" + "x" * 40, max_upload_mb=1), engine=engine, clock=clock
    )
    variables = {
        "i": {
            "projectId": project["id"],
            "type": "PROPOSAL",
            "requestedInvestment": "1.00",
            "attachments": [{"label": "正文", "file": None}],
        }
    }
    just_over = PDF + b"0" * (1024 * 1024 - len(PDF) + 1)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://limit") as small:
        # when the file is one byte over the limit
        response = await small.post(
            "/graphql",
            headers={"Authorization": f"Bearer {a.token['unit']}", "GraphQL-Preflight": "1"},
            **_multipart(
                SUBMIT,
                variables,
                {"variables.i.attachments.0.file": ("建议书.pdf", just_over, "application/pdf")},
            ),
        )
    # then
    payload = response.json()["data"]["approvalDocumentSubmit"]
    assert [e["code"] for e in payload["userErrors"]] == ["FILE_TOO_LARGE"]
    async with session_factory() as session:
        assert (await session.execute(select(approval_tables.file_blobs.c.id))).first() is None
        assert (await session.execute(select(approval_tables.approval_documents.c.id))).first() is None
