"""R19.2, R19.4, R21.2 at their boundaries: which upload counts, and when a stored file is altered."""

from __future__ import annotations

from domain.acceptance import AcceptanceReport
from domain.acceptance_files import (
    StoredReport,
    altered_required,
    filing_violations,
    initial_acceptance_violations,
    latest,
)

R = AcceptanceReport


def _stored(kind: AcceptanceReport, pk: int, *, intact: bool = True) -> StoredReport:
    return StoredReport(kind, pk, "a" * 64, "a" * 64 if intact else "b" * 64)


def test_R19_4_the_latest_upload_of_a_kind_counts_even_when_an_earlier_one_was_altered() -> None:
    # given an altered first upload and an intact second one of the initial-acceptance report
    stored = [_stored(R.INITIAL_ACCEPTANCE, 2), _stored(R.INITIAL_ACCEPTANCE, 1, intact=False)]
    # when the passed initial acceptance is checked
    problems = initial_acceptance_violations(True, stored)
    # then the later upload counts
    assert latest(stored)[R.INITIAL_ACCEPTANCE].attachment_id == 2
    assert problems == []


def test_R19_4_an_altered_latest_upload_is_refused_and_a_failed_initial_needs_no_file() -> None:
    # given an intact first upload replaced by an altered second one
    stored = [_stored(R.INITIAL_ACCEPTANCE, 1), _stored(R.INITIAL_ACCEPTANCE, 2, intact=False)]
    # when a passed and a failed initial acceptance are checked, and a passed one with no file
    passed = initial_acceptance_violations(True, stored)
    failed = initial_acceptance_violations(False, [])
    missing = initial_acceptance_violations(True, [])
    # then only the passed ones are refused, each citing R19.4
    assert [(v.code, v.rule) for v in passed] == [("ACCEPTANCE_REPORT_ALTERED", "R19.4")]
    assert failed == []
    assert [(v.code, v.rule) for v in missing] == [("INITIAL_ACCEPTANCE_REPORT_MISSING", "R19.4")]


def test_R19_2_only_required_reports_that_were_altered_are_named() -> None:
    # given a non-classified project: MLPS altered (required), secrecy evaluation altered (not required)
    stored = [
        _stored(R.MLPS_EVALUATION, 1, intact=False),
        _stored(R.SECURITY_SECRECY_EVALUATION, 2, intact=False),
        _stored(R.CRYPTO_EVALUATION, 3),
    ]
    # when the application's files are checked
    problems = altered_required(False, stored)
    # then only the required MLPS report is named, citing R19.2
    assert [(v.code, v.rule, v.field[-1]) for v in problems] == [
        ("ACCEPTANCE_REPORT_ALTERED", "R19.2", "MLPS_EVALUATION")
    ]


def test_R21_2_the_filing_needs_an_intact_completion_acceptance_report() -> None:
    # given no report, an intact one, an altered one
    # when the filing is checked with each
    missing = filing_violations([_stored(R.CONSTRUCTION_SUMMARY, 1)])
    intact = filing_violations([_stored(R.COMPLETION_ACCEPTANCE, 1)])
    altered = filing_violations([_stored(R.COMPLETION_ACCEPTANCE, 1, intact=False)])
    # then missing and altered are refused citing R21.2
    assert [(v.code, v.rule) for v in missing] == [("COMPLETION_ACCEPTANCE_REPORT_MISSING", "R21.2")]
    assert intact == []
    assert [(v.code, v.rule) for v in altered] == [("ACCEPTANCE_REPORT_ALTERED", "R21.2")]
