"""What a webhook POST carries: the event types (an enum in the code and the schema) and the JSON body as
pydantic models, from which docs/webhooks.schema.json is generated (`python -m api webhooks-doc`).

The worker builds the body as a plain dict (api/workers/webhooks.py `_redacted`, on the hot path); the tests
validate every body it builds against the schema generated here, so the two cannot drift apart."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from authz.operations import DESCRIPTIONS_ZH, Operation
from domain.lifecycle import Status
from domain.projects import FundingSource, ProjectCategory, ProjectKind
from domain.reserve import ReserveCheck, ReserveOutcome
from store.outbox import WILDCARD

# Every writing operation is an event type (read-only principals never get one, so reads are never events).
WRITING_OPERATIONS: tuple[Operation, ...] = tuple(sorted((op for op in Operation if op.writes), key=str))

WebhookEventType = StrEnum(  # type: ignore[misc]
    "WebhookEventType",
    {op.name: op.value for op in WRITING_OPERATIONS} | {"ALL": WILDCARD},
)
WebhookEventType.__doc__ = (
    "An event a subscription can ask for: a writing operation, or `*` (ALL) for every one."
)


def event_type_label(value: str) -> str:
    """`中文 — english` for an event type (the enum value's description, also in docs/webhooks.md)."""
    if value == WILDCARD:
        return "全部事件，包括以后新增的 — every event type, including ones added later"
    return f"{DESCRIPTIONS_ZH[Operation(value)]} — the `{value}` operation was performed"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParticipantSnapshot(_Strict):
    """A participating unit's part of a cross-department project (R8)."""

    organizationId: int = Field(
        description="参建单位的数据库编号（非全局标识） — the organization's database id"
    )
    businessFlow: str = Field(description="业务流 — business flow, free text")
    dataFlow: str = Field(description="数据流 — data flow, free text")
    interfaces: str = Field(description="接口 — interfaces, free text")


class CatalogueItemSnapshot(_Strict):
    """An entry of the project's initial data catalogue (R8)."""

    code: str = Field(description="目录编码 — catalogue code")
    name: str = Field(description="目录名称 — catalogue entry name")
    newConstruction: bool = Field(description="是否新建 — true when the data is newly built")


class ReserveCheckSnapshot(_Strict):
    check: ReserveCheck = Field(description="审核要点（第七条）— the Art. 7 check")
    passed: bool = Field(description="是否通过 — whether it passed")
    note: str | None = Field(description="审核说明 — the reviewer's note")


class ReserveReviewSnapshot(_Strict):
    """Only on `reserve-review:record`: the review just recorded."""

    outcome: ReserveOutcome = Field(description="审核结论 — ACCEPTED (into the reserve) or RETURNED")
    checks: list[ReserveCheckSnapshot] = Field(description="逐项结果 — one result per Art. 7 check")
    comment: str | None = Field(description="审核意见 — the reviewer's comment")


class ProjectSnapshot(_Strict):
    """The project as the event left it (the audit log's `after`), without contact details."""

    code: str | None = Field(description="项目编号，提交入库时分配 — project code, set on submission")
    name: str
    description: str
    kind: ProjectKind
    category: ProjectCategory
    fundingSource: FundingSource
    totalInvestment: str = Field(
        description="总投资（元，两位小数的字符串） — total investment in CNY, a decimal string",
        pattern=r"^-?\d+\.\d{2}$",
        examples=["2000000.00"],
    )
    deploysOnGovernmentCloud: bool
    connectsResourcePlatform: bool
    platformExemptionReason: str | None
    status: Status = Field(description="事件之后的状态 — lifecycle state after the event")
    version: int = Field(description="事件之后的版本号 — the project's version after the event", ge=1)
    listedPlanReference: str | None
    urgentLegalBasis: str | None
    technicallySimple: bool
    singleContent: bool
    planYear: int | None = Field(description="计划年度 — the annual plan's year, once planned")
    approvalDate: date | None = Field(
        description="批复日期（YYYY-MM-DD） — preliminary-design approval date", examples=["2026-03-31"]
    )
    approvedInvestment: str | None = Field(
        description="批复投资（元） — approved investment in CNY, once approved",
        pattern=r"^-?\d+\.\d{2}$",
    )
    classified: bool
    operationStartedOn: date | None = Field(description="投入运行日期（YYYY-MM-DD） — day operation began")
    participants: list[ParticipantSnapshot]
    catalogue: list[CatalogueItemSnapshot]
    reserveReview: ReserveReviewSnapshot | None = Field(
        default=None, description="仅入库审核事件 — only on `reserve-review:record`"
    )


class WebhookTarget(_Strict):
    type: str = Field(description="对象类型 — the changed object's type", examples=["Project", "Inspection"])
    id: str | None = Field(
        description="对象全局标识（与 GraphQL 的 node(id:) 相同） — its global id, as `node(id:)` takes it"
    )


class WebhookPayload(_Strict):
    """The JSON body of every POST (keys sorted, UTF-8). `data` is the project after the event for a
    `Project` target the subscriber may read; null for other objects (sent only to audit-log readers)."""

    eventId: UUID = Field(description="事件标识（UUID，重试不变） — stable across retries: deduplicate on it")
    eventType: str = Field(description="事件类型 — the operation performed")
    occurredAt: datetime = Field(description="发生时间（UTC，ISO 8601） — when it was committed")
    target: WebhookTarget
    data: ProjectSnapshot | None


def json_schema() -> dict[str, Any]:
    """One JSON Schema (draft 2020-12) for every POST body: `oneOf` the event types, each under `$defs` by its
    name — the envelope (`WebhookPayload`, generated from the models above) with `eventType` fixed to it."""
    envelope = WebhookPayload.model_json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = envelope.pop("$defs", {})
    defs["WebhookPayload"] = envelope
    for op in WRITING_OPERATIONS:
        defs[op.value] = {
            "title": op.value,
            "description": event_type_label(op.value),
            "allOf": [{"$ref": "#/$defs/WebhookPayload"}],
            "properties": {"eventType": {"const": op.value}},
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "营口市政务信息化项目管理平台 webhook payload",
        "description": "The body of every webhook POST; `eventType` picks the definition.",
        "oneOf": [{"$ref": f"#/$defs/{op.value}"} for op in WRITING_OPERATIONS],
        "$defs": dict(sorted(defs.items())),
    }
