"""R19.2, R19.4, R21.2: the acceptance reports are uploaded files, each present and intact before its step.

A report counts by its latest upload of its kind, and only while the SHA-256 of the stored bytes still
equals the hash recorded when it was uploaded (a file altered in storage is as good as missing).
[interp] R19.4 "初步验收由项目建设单位……自行组织" — the unit's own initial acceptance is evidenced by its
initial-acceptance report: a passed initial acceptance (which starts the R19.1 trial operation) is recorded
only once that report is uploaded. A failed one needs no file.
[interp] R21.2 "将竣工验收报告等材料报市大数据管理局备案" — the filing carries the completion-acceptance
report as an uploaded file. The R19.2 application reports (including the 密评 report, which R19.2 requires of
every project) are the files counted for the application and for the R20 resubmission.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.acceptance import REPORT_LABELS_ZH, AcceptanceReport, required_reports
from domain.errors import Violation
from domain.rules import RuleId


@dataclass(frozen=True, slots=True)
class StoredReport:
    """One uploaded acceptance report: its hash at upload and the hash of the bytes stored now."""

    kind: AcceptanceReport
    attachment_id: int
    sha256: str
    stored_sha256: str

    @property
    def intact(self) -> bool:
        return self.sha256 == self.stored_sha256


def latest(stored: Iterable[StoredReport]) -> dict[AcceptanceReport, StoredReport]:
    """The latest upload of each kind (uploads come in id order; a later one replaces an earlier one)."""
    found: dict[AcceptanceReport, StoredReport] = {}
    for report in sorted(stored, key=lambda r: r.attachment_id):
        found[report.kind] = report
    return found


def _label_en(kind: AcceptanceReport) -> str:
    return kind.name.lower().replace("_", " ")


def altered(report: StoredReport, rule: RuleId) -> Violation:
    """The stored file no longer has the SHA-256 recorded at its upload."""
    return Violation(
        "ACCEPTANCE_REPORT_ALTERED",
        f"{REPORT_LABELS_ZH[report.kind]}的存储文件与上传时的 SHA-256 不一致，请重新上传。",
        f"The stored {_label_en(report.kind)} no longer matches the SHA-256 recorded at upload; upload it "
        "again.",
        rule=rule,
        field=("input", "reports", str(report.kind)),
    )


def _one_file(
    kind: AcceptanceReport, stored: Sequence[StoredReport], code: str, rule: RuleId
) -> list[Violation]:
    found = latest(stored).get(kind)
    if found is None:
        return [
            Violation(
                code,
                f"须先上传{REPORT_LABELS_ZH[kind]}。",
                f"Upload the {_label_en(kind)} first.",
                rule=rule,
                field=("input", "reports", str(kind)),
            )
        ]
    return [] if found.intact else [altered(found, rule)]


def initial_acceptance_violations(passed: bool, stored: Sequence[StoredReport]) -> list[Violation]:
    """R19.4: a passed initial acceptance needs its uploaded, intact initial-acceptance report."""
    if not passed:
        return []
    return _one_file(
        AcceptanceReport.INITIAL_ACCEPTANCE, stored, "INITIAL_ACCEPTANCE_REPORT_MISSING", "R19.4"
    )


def altered_required(classified: bool, stored: Sequence[StoredReport]) -> list[Violation]:
    """R19.2: each required report of the application whose stored file was altered (missing ones are
    listed by the application's own check)."""
    found = latest(stored)
    return [
        altered(found[kind], "R19.2")
        for kind in required_reports(classified)
        if kind in found and not found[kind].intact
    ]


def filing_violations(stored: Sequence[StoredReport]) -> list[Violation]:
    """R21.2: the filing needs the uploaded, intact completion-acceptance report."""
    return _one_file(
        AcceptanceReport.COMPLETION_ACCEPTANCE, stored, "COMPLETION_ACCEPTANCE_REPORT_MISSING", "R21.2"
    )
