"""R12–R13 in the domain: required parts, evaluation, crypto review, approval."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain import approval_documents as docs
from domain.approval_documents import ApprovalDocument, DocumentStatus, EvaluationConclusion, SelectionMethod
from domain.approval_path import DocumentType
from domain.errors import DomainError

NOW = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)
TODAY = date(2026, 5, 6)
COMPLETE = {
    "data_catalogue": "目录",
    "sharing_list": "清单",
    "sharing_process": "流程",
    "sharing_interfaces": "接口",
    "sharing_frequency": "每日",
    "product_security_statement": "国产化",
    "security_plan": "等保三级",
    "crypto_application_plan": "商用密码",
}


def document(kind: DocumentType = DocumentType.FEASIBILITY_STUDY, **content: object) -> ApprovalDocument:
    return ApprovalDocument(
        project_id=1,
        type=kind,
        version=1,
        requested_investment=Decimal("3000000.00"),
        path_rule="R11.0",
        submitted_at=NOW,
        submitted_by_user_id=1,
        id=5,
        **{**COMPLETE, **content},
    )  # type: ignore[arg-type]


def test_R12_a_complete_feasibility_study_lacks_nothing() -> None:
    assert docs.missing_parts(document()) == []


def test_R12_every_missing_part_is_named() -> None:
    empty = document(**{name: "" for name in COMPLETE})
    missing = docs.missing_parts(empty)
    assert [v.field[-1] for v in missing] == [
        "dataCatalogue",
        "sharingList",
        "sharingProcess",
        "sharingInterfaces",
        "sharingFrequency",
        "productSecurityStatement",
        "securityPlan",
        "cryptoApplicationPlan",
    ]
    assert all(v.rule == "R12" for v in missing)


@pytest.mark.parametrize("field", sorted(COMPLETE))
def test_R12_each_single_part_is_required(field: str) -> None:
    assert len(docs.missing_parts(document(**{field: "  "}))) == 1


def test_R12_buying_services_needs_the_self_build_comparison() -> None:
    assert [v.field[-1] for v in docs.missing_parts(document(purchases_services=True))] == [
        "selfBuildVsPurchase"
    ]
    assert docs.missing_parts(document(purchases_services=True, self_build_vs_purchase="购买更省")) == []


def test_R12_does_not_apply_to_the_proposal() -> None:
    assert docs.missing_parts(document(DocumentType.PROPOSAL, **{name: "" for name in COMPLETE})) == []


def _evaluated(passed: bool | None = True) -> ApprovalDocument:
    d = document()
    docs.assign_evaluator(
        d,
        evaluator_organization_id=9,
        evaluator_is_evaluator=True,
        method=SelectionMethod.COMPETITIVE_CONSULTATION,
        reference="YKCG-2026-031",
        now=NOW,
    )
    docs.file_evaluation(
        d,
        conclusion=EvaluationConclusion.RECOMMENDED,
        opinion="可行",
        recommended_investment=Decimal("2800000.00"),
        now=NOW,
    )
    if passed is not None:
        docs.record_crypto_review(d, passed=passed, opinion="合规" if passed else "不合规", now=NOW)
    return d


def _approve(
    d: ApprovalDocument, amount: str = "2800000.00", reason: str | None = None, on: date = TODAY
) -> None:
    docs.approve(
        d,
        number="营数据审〔2026〕12号",
        approval_date=on,
        approved_investment=Decimal(amount),
        over_request_reason=reason,
        today=TODAY,
        now=NOW,
    )


def test_R13_1_no_approval_before_the_evaluation() -> None:
    d = document()
    docs.record_crypto_review(d, passed=True, opinion="合规", now=NOW)
    with pytest.raises(DomainError) as refused:
        _approve(d)
    assert [v.code for v in refused.value.violations] == ["EVALUATION_REQUIRED"]


@pytest.mark.parametrize("passed", [None, False])
def test_R13_2_no_approval_while_the_crypto_review_has_not_passed(passed: bool | None) -> None:
    d = _evaluated(passed)
    with pytest.raises(DomainError) as refused:
        _approve(d)
    assert [(v.code, v.rule) for v in refused.value.violations] == [("CRYPTO_REVIEW_REQUIRED", "R13.2")]
    assert d.status is DocumentStatus.EVALUATED


def test_R13_approval_after_both_records_number_date_and_investment() -> None:
    d = _evaluated()
    _approve(d)
    assert d.status is DocumentStatus.APPROVED and d.approved_investment == Decimal("2800000.00")


@pytest.mark.parametrize(
    ("amount", "reason", "ok"),
    [("3000000.00", None, True), ("3000000.01", None, False), ("3000000.01", "评估认为需增加灾备", True)],
)
def test_R13_never_above_the_request_without_a_recorded_reason(
    amount: str, reason: str | None, ok: bool
) -> None:
    d = _evaluated()
    if ok:
        _approve(d, amount, reason)
        assert d.status is DocumentStatus.APPROVED
    else:
        with pytest.raises(DomainError) as refused:
            _approve(d, amount, reason)
        assert refused.value.violations[0].code == "APPROVED_ABOVE_REQUEST"


def test_an_approval_date_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        _approve(_evaluated(), on=date(2026, 5, 7))
    assert refused.value.violations[0].code == "APPROVAL_DATE_IN_FUTURE"


def test_R13_1_the_evaluator_is_a_registered_third_party_with_a_recorded_selection() -> None:
    with pytest.raises(DomainError) as refused:
        docs.assign_evaluator(
            document(),
            evaluator_organization_id=3,
            evaluator_is_evaluator=False,
            method=SelectionMethod.INQUIRY,
            reference=" ",
            now=NOW,
        )
    assert [v.code for v in refused.value.violations] == ["NOT_AN_EVALUATOR", "SELECTION_REFERENCE_REQUIRED"]


def test_a_proposal_is_approved_without_evaluation_or_crypto_review() -> None:
    d = document(DocumentType.PROPOSAL)
    _approve(d, "3000000.00")
    assert d.status is DocumentStatus.APPROVED


def test_a_returned_document_cannot_be_approved() -> None:
    d = _evaluated()
    docs.return_for_revision(d, reason="补充灾备方案", now=NOW)
    with pytest.raises(DomainError):
        _approve(d)
